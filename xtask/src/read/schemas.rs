//! JSON Schema → IR types ([`TypeDef`]), one per schema node met, named after where it appears.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::credentials::{is_credential, is_credential_url, secret_of};
use crate::ir::{Field, Home, Kind, Ty, TypeDef, TypeId, Variant};
use crate::names;
use crate::spec::{Spec, bool_of, ref_name, short_doc, str_of};

/// The type arena every reader of one generation run fills.
#[derive(Debug, Default)]
pub struct Arena {
    pub types: Vec<TypeDef>,
    next_seq: usize,
}

impl Arena {
    fn reserve(&mut self, name: &str, home: Home) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(TypeDef {
            name: name.to_owned(),
            hint: name.to_owned(),
            doc: None,
            kind: Kind::Alias { ty: Ty::Json },
            read_home: home.clone(),
            home,
            component: None,
            file: None,
            seq: usize::MAX,
            merged_into: None,
        });
        id
    }

    fn fill(&mut self, id: TypeId, doc: Option<String>, kind: Kind, file: Option<String>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let def = &mut self.types[id.0];
        def.doc = doc;
        def.kind = kind;
        def.seq = seq;
        def.file = file;
    }
}

/// What an older API version says about one schema.
#[derive(Debug, Clone, Default)]
pub struct Compat {
    /// Properties it declares.
    pub declared: HashSet<String>,
    /// Its explicit `required` list, if it has one.
    pub required: Option<HashSet<String>>,
    /// Properties it allows to be null.
    pub nullable: HashSet<String>,
}

/// Converts schemas of one spec to [`TypeDef`]s in an [`Arena`].
pub struct TypeGen<'s, 'a> {
    pub spec: &'s Spec,
    pub arena: &'a mut Arena,
    /// Component schema key → its type.
    pub component_ids: BTreeMap<String, TypeId>,
    /// Names taken in the namespace being filled.
    pub used: HashSet<String>,
    /// Where inline types land.
    pub home: Home,
    /// The component whose file inline model types go to.
    file: Option<String>,
    /// A component type waiting for its definition: the first type named after it takes it.
    claim: Option<TypeId>,
    /// Older API versions the models must also decode: per component type name, the
    /// properties they require and the ones they make nullable.
    pub compat: BTreeMap<String, Compat>,
    /// Make every property optional (for payloads whose `required` lists are unreliable).
    pub lenient: bool,
}

impl<'s, 'a> TypeGen<'s, 'a> {
    /// A reader whose component schemas are new types with home `home`.
    pub fn new(spec: &'s Spec, arena: &'a mut Arena, home: Home) -> Self {
        let mut component_ids = BTreeMap::new();
        let mut used = HashSet::new();
        for (key, _) in spec.schemas() {
            let mut name = names::type_name(key);
            while used.contains(&name) {
                name.push('_');
            }
            used.insert(name.clone());
            let id = arena.reserve(&name, home.clone());
            arena.types[id.0].component = Some(key.clone());
            component_ids.insert(key.clone(), id);
        }
        TypeGen {
            spec,
            arena,
            component_ids,
            used,
            home,
            file: None,
            claim: None,
            compat: BTreeMap::new(),
            lenient: false,
        }
    }

    /// A reader of an older spec whose `$ref`s name the components of the current one.
    pub fn sharing(
        spec: &'s Spec,
        arena: &'a mut Arena,
        component_ids: BTreeMap<String, TypeId>,
    ) -> Self {
        TypeGen {
            spec,
            arena,
            component_ids,
            used: HashSet::new(),
            home: Home::Models,
            file: None,
            claim: None,
            compat: BTreeMap::new(),
            lenient: false,
        }
    }

    /// Also decode responses of `older`: a property that `older` lacks, or that its explicit
    /// `required` list leaves out, is optional; one it allows to be null is nullable. (A schema
    /// with no `required` list at all says nothing, so it relaxes nothing.)
    pub fn add_compat(&mut self, older: &Spec) {
        for (key, schema) in older.schemas() {
            let merged = merge_all_of(older, schema);
            let props = merged.get("properties").and_then(Value::as_object);
            let declared = props
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let required = merged
                .get("required")
                .and_then(Value::as_array)
                .filter(|r| !r.is_empty())
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                });
            let nullable = props
                .map(|p| {
                    p.iter()
                        .filter(|(_, v)| {
                            bool_of(v, "nullable") || bool_of(older.deref(v), "nullable")
                        })
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            self.compat.insert(
                names::type_name(key),
                Compat {
                    declared,
                    required,
                    nullable,
                },
            );
        }
    }

    /// A new type in the current namespace, named after `hint`.
    pub fn fresh(&mut self, hint: &str) -> TypeId {
        let base = names::type_name(hint);
        let mut name = base.clone();
        let mut i = 2;
        while self.used.contains(&name) {
            name = format!("{base}{i}");
            i += 1;
        }
        self.used.insert(name.clone());
        if let Some(id) = self.claim.take() {
            if self.arena.types[id.0].name == name {
                return id;
            }
            self.claim = Some(id);
        }
        let id = self.arena.reserve(&name, self.home.clone());
        self.arena.types[id.0].hint = base;
        id
    }

    fn define(&mut self, id: TypeId, doc: Option<String>, kind: Kind) -> Ty {
        let file = if self.home == Home::Models {
            self.file.clone()
        } else {
            None
        };
        self.arena.fill(id, doc, kind, file);
        Ty::Named(id)
    }

    fn ref_ty(&self, reference: &str) -> Ty {
        match self.component_ids.get(ref_name(reference)) {
            Some(id) => Ty::Named(*id),
            None => Ty::Json,
        }
    }

    /// The type of `schema`, defining the inline types it needs. Returns (type, nullable).
    pub fn resolve(&mut self, schema: &Value, hint: &str) -> (Ty, bool) {
        let nullable = bool_of(schema, "nullable");
        if let Some(r) = str_of(schema, "$ref") {
            // A component may itself be `nullable: true`.
            let target_nullable = bool_of(self.spec.deref(schema), "nullable");
            return (self.ref_ty(r), nullable || target_nullable);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            if parts.len() == 1 {
                let (t, n) = self.resolve(&parts[0], hint);
                return (t, nullable || n);
            }
            let merged = merge_all_of(self.spec, schema);
            return (self.object(&merged, hint), nullable);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = schema.get(key).and_then(Value::as_array) {
                // anyOf/oneOf that only lists `required` sets is a constraint, not a type.
                let constraint_only = alts.iter().all(|a| {
                    a.as_object()
                        .is_some_and(|o| o.keys().all(|k| k == "required" || k == "description"))
                });
                if constraint_only {
                    continue;
                }
                let alts: Vec<&Value> = alts
                    .iter()
                    .filter(|a| !bool_of(a, "nullable") || a.get("type").is_some())
                    .collect();
                if alts.len() == 1 {
                    let (t, n) = self.resolve(alts[0], hint);
                    return (t, nullable || n);
                }
                return (self.union(schema, &alts, hint), nullable);
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let strs: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if strs.len() == values.len()
                && strs.len() > 1
                && str_of(schema, "type").unwrap_or("string") == "string"
            {
                let id = self.fresh(hint);
                let mut seen = HashSet::new();
                let values = strs
                    .into_iter()
                    .filter(|v| seen.insert(v.clone()))
                    .collect();
                let doc = short_doc(str_of(schema, "description"));
                return (self.define(id, doc, Kind::Enum { values }), nullable);
            }
        }
        let ty = match str_of(schema, "type") {
            Some("string") if str_of(schema, "format") == Some("binary") => Ty::Upload,
            Some("string") => Ty::Str,
            Some("integer") => Ty::I64,
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("array") => {
                let items = schema.get("items").cloned().unwrap_or(Value::Null);
                let (t, _) = self.resolve(&items, &format!("{hint}Item"));
                Ty::Vec(Box::new(t))
            }
            Some("object") | None if schema.get("properties").is_some() => {
                self.object(schema, hint)
            }
            Some("object") => match schema.get("additionalProperties") {
                Some(ap) if ap.is_object() && ap.as_object().is_some_and(|o| !o.is_empty()) => {
                    let (t, _) = self.resolve(ap, &format!("{hint}Value"));
                    Ty::MapOf(Box::new(t))
                }
                _ => Ty::Map,
            },
            _ => Ty::Json,
        };
        (ty, nullable)
    }

    fn object(&mut self, schema: &Value, hint: &str) -> Ty {
        let id = self.fresh(hint);
        let name = self.arena.types[id.0].name.clone();
        let fields = self.fields(schema, &name);
        let doc = short_doc(str_of(schema, "description"));
        self.define(id, doc, Kind::Struct { fields })
    }

    /// The fields of an object schema (properties only; undefined `required` names are ignored).
    pub fn fields(&mut self, schema: &Value, owner: &str) -> Vec<Field> {
        let required: HashSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Vec::new();
        let mut taken = HashSet::new();
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return fields;
        };
        for (json, prop) in props {
            let mut rust = names::field(json);
            while !taken.insert(rust.clone()) {
                rust.push('_');
            }
            let hint = format!("{owner}{}", names::pascal(json));
            let (mut ty, nullable) = self.resolve(prop, &hint);
            let target = self.spec.deref(prop);
            let description = str_of(prop, "description").or_else(|| str_of(target, "description"));
            if is_credential(json, description) {
                ty = secret_of(&ty).unwrap_or(ty);
            }
            let (mut is_required, mut nullable) = (required.contains(json.as_str()), nullable);
            // The constant `object` tag and `deleted: true` carry no information: their absence
            // never fails a decode.
            is_required &= json != "object" && json != "deleted";
            is_required &= !self.lenient;
            if let Some(older) = self.compat.get(owner) {
                is_required &= older.declared.contains(json)
                    && older.required.as_ref().is_none_or(|r| r.contains(json));
                nullable |= older.nullable.contains(json);
            }
            fields.push(Field {
                json: json.clone(),
                rust,
                ty,
                required: is_required,
                nullable,
                doc: short_doc(description),
                deprecated: bool_of(prop, "deprecated"),
            });
        }
        let urls: Vec<usize> = (0..fields.len())
            .filter(|&i| is_credential_url(&fields[i].json, &fields))
            .collect();
        for i in urls {
            fields[i].ty = secret_of(&fields[i].ty).unwrap_or_else(|| fields[i].ty.clone());
        }
        fields
    }

    fn union(&mut self, schema: &Value, alts: &[&Value], hint: &str) -> Ty {
        let id = self.fresh(hint);
        let name = self.arena.types[id.0].name.clone();
        let disc = schema
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mapping: BTreeMap<String, String> = schema
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (v.to_owned(), k.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let mut variants: Vec<(usize, Variant)> = Vec::new();
        let mut taken = HashSet::new();
        for (i, alt) in alts.iter().enumerate() {
            let target = self.spec.deref(alt);
            let base = match str_of(alt, "$ref") {
                Some(r) => self
                    .component_ids
                    .get(ref_name(r))
                    .map(|id| self.arena.types[id.0].name.clone())
                    .unwrap_or_else(|| format!("Variant{i}")),
                None => format!("Variant{}", i + 1),
            };
            let mut vname = base.clone();
            let mut k = 2;
            while !taken.insert(vname.clone()) {
                vname = format!("{base}{k}");
                k += 1;
            }
            let (ty, _) = self.resolve(alt, &format!("{name}{vname}"));
            let tag_value = disc.as_ref().and_then(|p| {
                str_of(alt, "$ref")
                    .and_then(|r| mapping.get(r).cloned())
                    .or_else(|| {
                        target
                            .pointer(&format!("/properties/{p}/enum/0"))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .or_else(|| str_of(alt, "$ref").map(|r| ref_name(r).to_owned()))
            });
            let required = target
                .get("required")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            variants.push((
                required,
                Variant {
                    name: vname,
                    ty,
                    tag_value,
                },
            ));
        }
        if disc.is_none() {
            // Untagged: try the most constrained shapes first so a looser one cannot swallow them.
            variants.sort_by_key(|v| std::cmp::Reverse(v.0));
        }
        let doc = short_doc(str_of(schema, "description"));
        let variants = variants.into_iter().map(|(_, v)| v).collect();
        self.define(
            id,
            doc,
            Kind::Union {
                variants,
                tag: disc,
            },
        )
    }

    /// Define every component schema (and the inline types each owns).
    pub fn components(&mut self) {
        let comps: Vec<(String, Value)> = self
            .spec
            .schemas()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, schema) in comps {
            let id = self.component_ids[&key];
            let name = self.arena.types[id.0].name.clone();
            self.file = Some(key.clone());
            // Let the top-level type take the reserved name.
            self.used.remove(&name);
            self.claim = Some(id);
            let (ty, _) = self.resolve(&schema, &name);
            self.claim = None;
            if ty != Ty::Named(id) {
                self.used.insert(name.clone());
                let doc = short_doc(str_of(&schema, "description"));
                self.define(id, doc, Kind::Alias { ty });
            }
        }
        self.file = None;
    }
}

/// Merge allOf parts into one object schema (properties and required of every part).
pub fn merge_all_of(spec: &Spec, schema: &Value) -> Value {
    let mut props = serde_json::Map::new();
    let mut required: Vec<Value> = Vec::new();
    let mut stack: Vec<&Value> = vec![schema];
    while let Some(s) = stack.pop() {
        let s = spec.deref(s);
        if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
            for p in parts.iter().rev() {
                stack.push(p);
            }
        }
        if let Some(p) = s.get("properties").and_then(Value::as_object) {
            for (k, v) in p {
                // A part that only narrows a base property to some of its values (`status:
                // revoked` on an invitation) keeps the base's type.
                if props.get(k).is_some_and(|base| narrows(spec, base, v)) {
                    continue;
                }
                props.insert(k.clone(), v.clone());
            }
        }
        if let Some(r) = s.get("required").and_then(Value::as_array) {
            required.extend(r.iter().cloned());
        }
    }
    let mut m = serde_json::Map::new();
    m.insert("type".into(), "object".into());
    if let Some(d) = schema.get("description") {
        m.insert("description".into(), d.clone());
    }
    m.insert("properties".into(), Value::Object(props));
    m.insert("required".into(), Value::Array(required));
    Value::Object(m)
}

/// Whether `part` restates `base` with a subset of its enum values and nothing else of note.
fn narrows(spec: &Spec, base: &Value, part: &Value) -> bool {
    let base = spec.deref(base);
    let values =
        |s: &Value| -> Option<Vec<Value>> { s.get("enum").and_then(Value::as_array).cloned() };
    let (Some(allowed), Some(given)) = (values(base), values(part)) else {
        return false;
    };
    let same_type =
        str_of(part, "type").is_none_or(|t| str_of(base, "type").unwrap_or("string") == t);
    same_type && given.iter().all(|v| allowed.contains(v))
}
