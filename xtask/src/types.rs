//! JSON Schema → Rust types: an intermediate form ([`Def`], [`Ty`]) and its emission.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::names;
use crate::spec::{Spec, bool_of, doc_lines, ref_name, short_doc, str_of};

/// A Rust type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Str,
    Secret,
    I64,
    F64,
    Bool,
    /// Any JSON.
    Json,
    /// Free-form object.
    Map,
    MapOf(Box<Ty>),
    Vec(Box<Ty>),
    /// A type in the shared models module.
    Model(String),
    /// A type defined in the same file.
    Local(String),
    /// A file part of a multipart body.
    Upload,
    /// A list that comes bare or wrapped in `{data, total_count}` (`paginated=true`).
    Page(Box<Ty>),
}

impl Ty {
    pub fn render(&self, model_path: &str) -> String {
        match self {
            Ty::Str => "String".into(),
            Ty::Secret => "crate::SecretString".into(),
            Ty::I64 => "i64".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Json => "serde_json::Value".into(),
            Ty::Map => "serde_json::Map<String, serde_json::Value>".into(),
            Ty::MapOf(t) => format!(
                "std::collections::BTreeMap<String, {}>",
                t.render(model_path)
            ),
            Ty::Vec(t) => format!("Vec<{}>", t.render(model_path)),
            Ty::Model(n) => {
                if model_path.is_empty() {
                    n.clone()
                } else {
                    format!("{model_path}::{n}")
                }
            }
            Ty::Local(n) => n.clone(),
            Ty::Upload => "crate::Upload".into(),
            Ty::Page(t) => format!("crate::pagination::Page<{}>", t.render(model_path)),
        }
    }
}

/// One property of an object.
#[derive(Debug, Clone)]
pub struct Field {
    pub json: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub nullable: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
}

/// A type definition to emit.
#[derive(Debug, Clone)]
pub enum Def {
    Struct {
        name: String,
        doc: Option<String>,
        fields: Vec<Field>,
    },
    Enum {
        name: String,
        doc: Option<String>,
        values: Vec<String>,
    },
    /// oneOf/anyOf: with a discriminator property, or tried in order.
    Union {
        name: String,
        doc: Option<String>,
        variants: Vec<Variant>,
        tag: Option<String>,
    },
    Alias {
        name: String,
        doc: Option<String>,
        ty: Ty,
    },
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub ty: Ty,
    pub tag_value: Option<String>,
}

impl Def {
    pub fn name(&self) -> &str {
        match self {
            Def::Struct { name, .. }
            | Def::Enum { name, .. }
            | Def::Union { name, .. }
            | Def::Alias { name, .. } => name,
        }
    }
}

/// Whether a string property holds a credential, judged from its name (and, for a bare
/// `code`, its description): kept in `SecretString` so `Debug` never shows it.
///
/// The last word of the name decides: `…token`, `…secret`, `…password`, `…ticket`, `jwt`,
/// `…verifier`, `backup_codes`, `private_key`/`secret_key`; a `code` described as a
/// verification, TOTP or backup code. Ids, counts and types of those (`token_id`,
/// `token_type`) end in another word and stay plain.
pub fn is_credential(json: &str, description: Option<&str>) -> bool {
    let words: Vec<String> = names::words(json);
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    let prev = words.len().checked_sub(2).map(|i| words[i].as_str());
    match last {
        "token" | "tokens" | "secret" | "secrets" | "password" | "ticket" | "jwt" | "verifier"
        | "digest" => true,
        "codes" => prev == Some("backup"),
        "key" => matches!(prev, Some("private" | "secret")),
        "code" => description.is_some_and(|d| {
            let d = d.to_ascii_lowercase();
            ["verification code", "totp", "backup code", "one-time"]
                .iter()
                .any(|w| d.contains(w))
        }),
        _ => false,
    }
}

/// The `url` of an object that holds a token or ticket embeds it (a sign-in token's `url` carries
/// `__clerk_ticket=<token>`): such a URL is a credential too. Other URLs beside a client secret
/// (an OAuth app's endpoints) are not.
fn is_credential_url(json: &str, siblings: &[Field]) -> bool {
    json == "url"
        && siblings.iter().any(|f| {
            f.ty == Ty::Secret
                && names::words(&f.json)
                    .last()
                    .is_some_and(|w| w == "token" || w == "ticket")
        })
}

/// Make a string (or list of strings) a secret.
fn secret_of(ty: &Ty) -> Option<Ty> {
    match ty {
        Ty::Str => Some(Ty::Secret),
        Ty::Vec(inner) if **inner == Ty::Str => Some(Ty::Vec(Box::new(Ty::Secret))),
        _ => None,
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

/// Converts schemas to [`Def`]s, naming inline types after where they appear.
pub struct TypeGen<'s> {
    pub spec: &'s Spec,
    /// Component schema key → Rust type name.
    pub component_names: BTreeMap<String, String>,
    /// Names taken in the namespace being filled.
    pub used: HashSet<String>,
    /// Whether inline types land in the models namespace (else in a local file).
    pub inline_is_model: bool,
    /// Older API versions the models must also decode: per component type name, the
    /// properties they require and the ones they make nullable.
    pub compat: BTreeMap<String, Compat>,
    /// Make every property optional (for payloads whose `required` lists are unreliable).
    pub lenient: bool,
}

impl<'s> TypeGen<'s> {
    pub fn new(spec: &'s Spec) -> Self {
        let mut component_names = BTreeMap::new();
        let mut used = HashSet::new();
        for (key, _) in spec.schemas() {
            let mut name = names::type_name(key);
            while used.contains(&name) {
                name.push('_');
            }
            used.insert(name.clone());
            component_names.insert(key.clone(), name);
        }
        TypeGen {
            spec,
            component_names,
            used,
            inline_is_model: true,
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

    /// A fresh name in the current namespace, based on `hint`.
    pub fn fresh(&mut self, hint: &str) -> String {
        let base = names::type_name(hint);
        let mut name = base.clone();
        let mut i = 2;
        while self.used.contains(&name) {
            name = format!("{base}{i}");
            i += 1;
        }
        self.used.insert(name.clone());
        name
    }

    fn inline(&self, name: String) -> Ty {
        if self.inline_is_model {
            Ty::Model(name)
        } else {
            Ty::Local(name)
        }
    }

    fn ref_ty(&self, reference: &str) -> Ty {
        let key = ref_name(reference);
        match self.component_names.get(key) {
            Some(n) => Ty::Model(n.clone()),
            None => Ty::Json,
        }
    }

    /// The type of `schema`; inline definitions go to `out`. Returns (type, nullable).
    pub fn resolve(&mut self, schema: &Value, hint: &str, out: &mut Vec<Def>) -> (Ty, bool) {
        let nullable = bool_of(schema, "nullable");
        if let Some(r) = str_of(schema, "$ref") {
            // A component may itself be `nullable: true`.
            let target_nullable = bool_of(self.spec.deref(schema), "nullable");
            return (self.ref_ty(r), nullable || target_nullable);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            if parts.len() == 1 {
                let (t, n) = self.resolve(&parts[0], hint, out);
                return (t, nullable || n);
            }
            let merged = self.merge_all_of(schema);
            return (self.object(&merged, hint, out), nullable);
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
                    let (t, n) = self.resolve(alts[0], hint, out);
                    return (t, nullable || n);
                }
                return (self.union(schema, &alts, hint, out), nullable);
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
                let name = self.fresh(hint);
                let mut seen = HashSet::new();
                let values = strs
                    .into_iter()
                    .filter(|v| seen.insert(v.clone()))
                    .collect();
                out.push(Def::Enum {
                    name: name.clone(),
                    doc: short_doc(str_of(schema, "description")),
                    values,
                });
                return (self.inline(name), nullable);
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
                let (t, _) = self.resolve(&items, &format!("{hint}Item"), out);
                Ty::Vec(Box::new(t))
            }
            Some("object") | None if schema.get("properties").is_some() => {
                self.object(schema, hint, out)
            }
            Some("object") => match schema.get("additionalProperties") {
                Some(ap) if ap.is_object() && ap.as_object().is_some_and(|o| !o.is_empty()) => {
                    let (t, _) = self.resolve(ap, &format!("{hint}Value"), out);
                    Ty::MapOf(Box::new(t))
                }
                _ => Ty::Map,
            },
            _ => Ty::Json,
        };
        (ty, nullable)
    }

    fn merge_all_of(&self, schema: &Value) -> Value {
        merge_all_of(self.spec, schema)
    }

    fn object(&mut self, schema: &Value, hint: &str, out: &mut Vec<Def>) -> Ty {
        let name = self.fresh(hint);
        let fields = self.fields(schema, &name, out);
        out.push(Def::Struct {
            name: name.clone(),
            doc: short_doc(str_of(schema, "description")),
            fields,
        });
        self.inline(name)
    }

    /// The fields of an object schema (properties only; undefined `required` names are ignored).
    pub fn fields(&mut self, schema: &Value, owner: &str, out: &mut Vec<Def>) -> Vec<Field> {
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
            let (mut ty, nullable) = self.resolve(prop, &hint, out);
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
                doc: short_doc(
                    str_of(prop, "description").or_else(|| str_of(target, "description")),
                ),
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

    fn union(&mut self, schema: &Value, alts: &[&Value], hint: &str, out: &mut Vec<Def>) -> Ty {
        let name = self.fresh(hint);
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
                    .component_names
                    .get(ref_name(r))
                    .cloned()
                    .unwrap_or_else(|| format!("Variant{i}")),
                None => format!("Variant{}", i + 1),
            };
            let mut vname = base.clone();
            let mut k = 2;
            while !taken.insert(vname.clone()) {
                vname = format!("{base}{k}");
                k += 1;
            }
            let (ty, _) = self.resolve(alt, &format!("{name}{vname}"), out);
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
        out.push(Def::Union {
            name: name.clone(),
            doc: short_doc(str_of(schema, "description")),
            variants: variants.into_iter().map(|(_, v)| v).collect(),
            tag: disc,
        });
        self.inline(name)
    }

    /// Definitions for every component schema, grouped by component (key, defs).
    pub fn components(&mut self) -> Vec<(String, Vec<Def>)> {
        let mut result = Vec::new();
        let comps: Vec<(String, Value)> = self
            .spec
            .schemas()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, schema) in comps {
            let name = self.component_names[&key].clone();
            let mut defs = Vec::new();
            // Let the top-level type take the reserved name.
            self.used.remove(&name);
            let (ty, _) = self.resolve(&schema, &name, &mut defs);
            let defined_here = matches!(&ty, Ty::Model(n) | Ty::Local(n) if *n == name);
            if !defined_here {
                self.used.insert(name.clone());
                defs.push(Def::Alias {
                    name: name.clone(),
                    doc: short_doc(str_of(&schema, "description")),
                    ty,
                });
            }
            result.push((key, defs));
        }
        result
    }
}

/// Merge allOf parts into one object schema (properties and required of every part).
fn merge_all_of(spec: &Spec, schema: &Value) -> Value {
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

/// Emit definitions as Rust source. `model_path` prefixes `Ty::Model` names (empty: same module).
pub fn emit_defs(defs: &[Def], model_path: &str, out: &mut String) {
    for def in defs {
        match def {
            Def::Struct { name, doc, fields } => {
                emit_struct(name, doc.as_deref(), fields, model_path, out)
            }
            Def::Enum { name, doc, values } => emit_enum(name, doc.as_deref(), values, out),
            Def::Union {
                name,
                doc,
                variants,
                tag,
            } => emit_union(
                name,
                doc.as_deref(),
                variants,
                tag.as_deref(),
                model_path,
                out,
            ),
            Def::Alias { name, doc, ty } => {
                doc_lines(
                    out,
                    "",
                    &[doc.clone().unwrap_or_else(|| format!("`{name}`."))],
                );
                let _ = writeln!(out, "pub type {name} = {};\n", ty.render(model_path));
            }
        }
    }
}

/// The field's Rust type in a response model.
pub fn field_type(f: &Field, model_path: &str) -> String {
    let t = f.ty.render(model_path);
    if f.required && !f.nullable {
        t
    } else {
        format!("Option<{t}>")
    }
}

fn emit_struct(
    name: &str,
    doc: Option<&str>,
    fields: &[Field],
    model_path: &str,
    out: &mut String,
) {
    doc_lines(
        out,
        "",
        &[doc.map_or_else(|| format!("`{name}`."), str::to_owned)],
    );
    let all_optional = fields.iter().all(|f| !f.required || f.nullable);
    let default = if all_optional { ", Default" } else { "" };
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq{default}, serde::Serialize, serde::Deserialize)]"
    );
    out.push_str("#[non_exhaustive]\n");
    let _ = writeln!(out, "pub struct {name} {{");
    for f in fields {
        let mut lines = Vec::new();
        if let Some(d) = &f.doc {
            lines.push(d.clone());
        }
        if lines.is_empty() {
            lines.push(format!("`{}`.", f.json));
        }
        if f.deprecated {
            lines.push(String::new());
            lines.push("**Deprecated.**".into());
        }
        doc_lines(out, "    ", &lines);
        let ty = field_type(f, model_path);
        let mut attrs = Vec::new();
        if f.rust != f.json {
            attrs.push(format!("rename = {:?}", f.json));
        }
        if ty.starts_with("Option<") {
            attrs.push("default".into());
            attrs.push("skip_serializing_if = \"Option::is_none\"".into());
        } else if drifts_to_default(f) {
            attrs.push("default".into());
            attrs.push("deserialize_with = \"crate::macros::__private::null_as_default\"".into());
        }
        if !attrs.is_empty() {
            let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
        }
        let _ = writeln!(out, "    pub {}: {ty},", f.rust);
    }
    out.push_str("}\n\n");
    if !all_optional {
        emit_constructor(name, fields, model_path, out);
    }
}

/// The drift policy for a required field a response leaves out or sends as `null`: booleans,
/// lists and maps decode as `false` / empty (what the API means by their absence); every other
/// type fails the decode (a made-up id or timestamp would be silent data corruption).
fn drifts_to_default(f: &Field) -> bool {
    f.required && !f.nullable && matches!(f.ty, Ty::Bool | Ty::Vec(_) | Ty::Map | Ty::MapOf(_))
}

/// `new(required fields…)`: models are `#[non_exhaustive]`, so code outside the crate (tests,
/// mocks) builds them from their required fields and sets the optional ones afterwards.
fn emit_constructor(name: &str, fields: &[Field], model_path: &str, out: &mut String) {
    let required: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && !f.nullable)
        .collect();
    let args: Vec<String> = required
        .iter()
        .map(|f| format!("{}: impl Into<{}>", f.rust, f.ty.render(model_path)))
        .collect();
    let inits: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.required && !f.nullable {
                format!("{0}: {0}.into()", f.rust)
            } else {
                format!("{}: None", f.rust)
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "impl {name} {{\n    /// A value with its required fields; the optional ones start as `None`.\n    #[allow(clippy::too_many_arguments)]\n    pub fn new({}) -> Self {{\n        Self {{ {} }}\n    }}\n}}\n",
        args.join(", "),
        inits.join(", ")
    );
}

fn emit_enum(name: &str, doc: Option<&str>, values: &[String], out: &mut String) {
    out.push_str("crate::string_enum! {\n");
    doc_lines(
        out,
        "    ",
        &[doc.map_or_else(|| format!("`{name}`."), str::to_owned)],
    );
    let _ = writeln!(out, "    pub enum {name} {{");
    let mut taken = HashSet::new();
    for v in values {
        let mut var = names::variant(v);
        while !taken.insert(var.clone()) {
            var.push('_');
        }
        if v.is_empty() {
            out.push_str("        /// The empty string.\n");
        } else {
            let _ = writeln!(out, "        /// `{}`", v.replace('`', "'"));
        }
        let _ = writeln!(out, "        {var} = {v:?},");
    }
    out.push_str("    }\n}\n\n");
}

fn emit_union(
    name: &str,
    doc: Option<&str>,
    variants: &[Variant],
    tag: Option<&str>,
    model_path: &str,
    out: &mut String,
) {
    let doc = doc.map_or_else(
        || format!("One of several shapes of `{name}`."),
        str::to_owned,
    );
    match tag {
        Some(tag) => {
            out.push_str("crate::tagged_union! {\n");
            doc_lines(out, "    ", &[doc]);
            let _ = writeln!(out, "    pub enum {name} tag {tag:?} {{");
            for v in variants {
                let value = v.tag_value.clone().unwrap_or_else(|| v.name.clone());
                let _ = writeln!(out, "        /// `{tag}: {value}`");
                let _ = writeln!(
                    out,
                    "        {}({}) = {value:?},",
                    v.name,
                    v.ty.render(model_path)
                );
            }
            out.push_str("    }\n}\n\n");
        }
        None => {
            doc_lines(
                out,
                "",
                &[
                    doc,
                    String::new(),
                    "Decoded by trying each shape in order; anything else is kept as `Unknown`."
                        .into(),
                ],
            );
            out.push_str("#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\n#[serde(untagged)]\n#[non_exhaustive]\n");
            let _ = writeln!(out, "pub enum {name} {{");
            for v in variants {
                let _ = writeln!(out, "    /// `{}`", v.name);
                let _ = writeln!(out, "    {}({}),", v.name, v.ty.render(model_path));
            }
            out.push_str("    /// A shape this version of the crate does not know.\n    Unknown(serde_json::Value),\n}\n\n");
        }
    }
}

#[cfg(test)]
mod credential_tests {
    use super::is_credential;

    #[test]
    fn the_credential_rule() {
        for name in [
            "token",
            "session_token",
            "id_token",
            "client_secret",
            "totp_secret",
            "password",
            "jwt",
            "ticket",
            "backup_codes",
            "private_key",
            "secret_key",
            "code_verifier",
            "password_digest",
        ] {
            assert!(is_credential(name, None), "{name} is a credential");
        }
        for name in [
            "token_id",
            "token_type",
            "tokens_count",
            "public_key",
            "password_enabled",
            "code",
            "object",
            "url",
        ] {
            assert!(!is_credential(name, None), "{name} is not a credential");
        }
        assert!(is_credential(
            "code",
            Some("The TOTP or backup code to verify")
        ));
        assert!(!is_credential(
            "code",
            Some("A machine-readable error code")
        ));
    }
}
