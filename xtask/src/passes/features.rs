//! Which cargo features compile each generated module, from what reaches it in the IR.
//!
//! A user who calls one group should not compile the other groups nor the models only they
//! use. The units are the ones the emitted code can gate: a group's module (feature
//! `api-<group>`), `webhook_events` (feature `webhooks`) and each models file. A unit is
//! compiled when any unit that names one of its types is: the gates flow along type
//! references until nothing changes. A models file the hand-written SDK names is always
//! compiled; one no unit names is compiled with `client` (every operation), as the full API.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::ir::{BodyKind, Home, Ir, Kind, Output, Ty, TypeId, kind_tys_mut};
use crate::names;

/// The feature of the client runtime alone; every group feature turns it on.
pub const RUNTIME: &str = "client-core";
/// The feature of the runtime plus every group.
pub const ALL_GROUPS: &str = "client";
/// The feature of the webhook events.
pub const WEBHOOKS: &str = "webhooks";

/// The cargo feature of an operation group: `api-` and the group's module name, kebab-cased
/// (`api_keys` → `api-api-keys`). The prefix keeps the names apart from the SDK's other
/// features, one of which (`webhooks`) is also a group's name.
pub fn group_feature(group: &str) -> String {
    format!("api-{}", names::field(group).replace('_', "-"))
}

/// When a unit is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Always,
    /// With any of these features (never empty).
    Any(BTreeSet<String>),
}

impl Gate {
    /// The `cfg` predicate, `None` for [`Gate::Always`].
    pub fn predicate(&self) -> Option<String> {
        match self {
            Gate::Always => None,
            Gate::Any(set) if set.len() == 1 => set.first().map(|f| format!("feature = {f:?}")),
            Gate::Any(set) => {
                let list: Vec<String> = set.iter().map(|f| format!("feature = {f:?}")).collect();
                Some(format!("any({})", list.join(", ")))
            }
        }
    }

    /// The `#[cfg(..)]` line (with a newline), empty for [`Gate::Always`].
    pub fn attr(&self) -> String {
        self.predicate()
            .map(|p| format!("#[cfg({p})]\n"))
            .unwrap_or_default()
    }
}

/// What the hand-written part of the SDK names of the generated code: those items are
/// compiled whenever their module is, whatever groups are on.
#[derive(Debug, Default, Clone)]
pub struct HandWritten {
    /// Constants of `operations` (`JWKS_GET_JWKS`).
    pub operations: BTreeSet<String>,
    /// Types of `models` (`User`).
    pub models: BTreeSet<String>,
}

impl HandWritten {
    /// The `operations::NAME` and `models::Name` paths in the SDK's own sources (every `.rs`
    /// under `src/` but `generated/`), leaving out comments and each file's test module (from
    /// its `mod tests {` line on): tests gate themselves on the features they need.
    pub fn scan(src: &std::path::Path) -> Result<HandWritten, String> {
        let mut out = HandWritten::default();
        let mut stack = vec![src.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let rd = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for entry in rd.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if path.file_name().is_some_and(|n| n != "generated") {
                        stack.push(path);
                    }
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    out.add_source(&text);
                }
            }
        }
        Ok(out)
    }

    /// Add the names one source file uses (see [`HandWritten::scan`]).
    pub fn add_source(&mut self, text: &str) {
        let code: String = text
            .split("\nmod tests {")
            .next()
            .unwrap_or(text)
            .lines()
            .map(|line| line.split("//").next().unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n");
        let code = code.as_str();
        for (marker, set) in [
            ("operations::", &mut self.operations),
            ("models::", &mut self.models),
        ] {
            for (i, _) in code.match_indices(marker) {
                let rest = &code[i + marker.len()..];
                // `models::{A, B}` or `models::A`.
                let names = match rest.strip_prefix('{') {
                    Some(list) => list.split('}').next().unwrap_or(""),
                    None => rest,
                };
                for name in names.split(',') {
                    let name: String = name
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                        set.insert(name);
                    }
                    if rest.starts_with('{') {
                        continue;
                    }
                    break;
                }
            }
        }
    }
}

/// A module the emitted code can gate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    Group(String),
    Webhooks,
    /// A models file, by [`crate::ir::TypeDef::model_file`].
    Models(String),
}

/// The gates of every unit and operation.
#[derive(Debug, Clone)]
pub struct Gates {
    units: BTreeMap<Unit, Gate>,
    /// The operation constants the hand-written SDK names.
    hand_written_ops: HashSet<String>,
}

impl Gates {
    /// The gate of a unit.
    pub fn unit(&self, unit: &Unit) -> Gate {
        self.units.get(unit).cloned().unwrap_or(Gate::Always)
    }

    /// The gate of a models file.
    pub fn model_file(&self, key: &str) -> Gate {
        self.unit(&Unit::Models(key.to_owned()))
    }

    /// The gate of an operation's constant in `operations`: its group's, unless the
    /// hand-written SDK names it.
    pub fn operation_const(&self, group: &str, const_name: &str) -> Gate {
        if self.hand_written_ops.contains(const_name) {
            Gate::Always
        } else {
            self.unit(&Unit::Group(group.to_owned()))
        }
    }
}

fn unit_of(ir: &Ir, id: TypeId) -> Unit {
    let def = ir.get(id);
    match &def.home {
        Home::Models => Unit::Models(def.model_file()),
        Home::Group(g) => Unit::Group(g.clone()),
        Home::Webhooks => Unit::Webhooks,
    }
}

fn named(ty: &Ty, out: &mut Vec<TypeId>) {
    let mut ty = ty.clone();
    ty.visit_mut(&mut |id| out.push(*id));
}

/// Compute the gates.
///
/// # Errors
/// The hand-written SDK names an operation constant or a model that is not generated.
pub fn compute(ir: &Ir, hand: &HandWritten) -> Result<Gates, String> {
    // The units each unit's code names.
    let mut edges: BTreeMap<Unit, BTreeSet<Unit>> = BTreeMap::new();
    let mut add = |from: &Unit, ids: Vec<TypeId>| {
        let to = edges.entry(from.clone()).or_default();
        for id in ids {
            let u = unit_of(ir, id);
            if &u != from {
                to.insert(u);
            }
        }
    };
    for id in ir.live() {
        let mut kind: Kind = ir.get(id).kind.clone();
        let mut ids = Vec::new();
        kind_tys_mut(&mut kind, &mut |t| named(t, &mut ids));
        add(&unit_of(ir, id), ids);
    }
    for op in &ir.ops {
        let mut ids = Vec::new();
        for p in op.path_params.iter().chain(&op.query) {
            named(&p.ty, &mut ids);
        }
        match &op.body {
            BodyKind::Json { fields } | BodyKind::Multipart { fields, .. } => {
                fields.iter().for_each(|f| named(&f.ty, &mut ids));
            }
            BodyKind::JsonValue { ty, .. } => named(ty, &mut ids),
            BodyKind::None => {}
        }
        if let Output::Json(ty) = &op.output {
            named(ty, &mut ids);
        }
        if let Some(pg) = &op.paging {
            named(&pg.item, &mut ids);
        }
        add(&Unit::Group(op.group.clone()), ids);
    }
    let mut ids: Vec<TypeId> = ir.webhook_envelope.into_iter().collect();
    for e in &ir.webhook_events {
        named(&e.data, &mut ids);
    }
    add(&Unit::Webhooks, ids);

    // Roots: each group, the webhook events, what the hand-written SDK names.
    let mut reach: BTreeMap<Unit, Option<BTreeSet<String>>> = BTreeMap::new();
    let groups: BTreeSet<&str> = ir.ops.iter().map(|op| op.group.as_str()).collect();
    for g in &groups {
        reach.insert(
            Unit::Group((*g).to_owned()),
            Some(BTreeSet::from([group_feature(g)])),
        );
    }
    if !ir.webhook_events.is_empty() || ir.webhook_envelope.is_some() {
        reach.insert(Unit::Webhooks, Some(BTreeSet::from([WEBHOOKS.to_owned()])));
    }
    for name in &hand.models {
        let id = ir
            .live()
            .into_iter()
            .find(|&id| ir.get(id).home == Home::Models && &ir.get(id).name == name)
            .ok_or_else(|| format!("the SDK names models::{name}, which is not generated"))?;
        // `None`: always.
        reach.insert(unit_of(ir, id), None);
    }
    let consts: HashSet<&str> = ir.ops.iter().map(|op| op.const_name.as_str()).collect();
    for name in &hand.operations {
        if name != "OPERATIONS" && !consts.contains(name.as_str()) {
            return Err(format!(
                "the SDK names operations::{name}, which is not generated"
            ));
        }
    }

    // Flow the gates along the references until nothing changes.
    loop {
        let mut changed = false;
        for (from, tos) in &edges {
            let Some(gate) = reach.get(from).cloned() else {
                continue;
            };
            for to in tos {
                let entry = reach
                    .entry(to.clone())
                    .or_insert_with(|| Some(BTreeSet::new()));
                let next = match (&*entry, &gate) {
                    (None, _) => None,
                    (Some(_), None) => Some(None),
                    (Some(have), Some(add)) => {
                        (!add.is_subset(have)).then(|| Some(have.union(add).cloned().collect()))
                    }
                };
                if let Some(next) = next {
                    *entry = next;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }

    // Every models file gets a gate; a set naming every group is the runtime's (each group
    // turns it on), which keeps the attribute short.
    let all: BTreeSet<String> = groups.iter().map(|g| group_feature(g)).collect();
    for id in ir.live() {
        if ir.get(id).home == Home::Models {
            reach
                .entry(unit_of(ir, id))
                .or_insert_with(|| Some(BTreeSet::new()));
        }
    }
    let units = reach
        .into_iter()
        .map(|(unit, set)| {
            let gate = match set {
                None => Gate::Always,
                Some(set) if set.is_empty() => Gate::Any(BTreeSet::from([ALL_GROUPS.to_owned()])),
                Some(set) if !all.is_empty() && all.is_subset(&set) => {
                    let mut set: BTreeSet<String> = set.difference(&all).cloned().collect();
                    set.insert(RUNTIME.to_owned());
                    Gate::Any(set)
                }
                Some(set) => Gate::Any(set),
            };
            (unit, gate)
        })
        .collect();
    Ok(Gates {
        units,
        hand_written_ops: hand.operations.iter().cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, Op, TypeDef, WebhookEventDef};

    fn field(name: &str, ty: Ty) -> Field {
        Field {
            json: name.into(),
            rust: name.into(),
            ty,
            required: true,
            nullable: false,
            doc: None,
            deprecated: false,
        }
    }

    /// A models type in its own file (or in `file`), whose fields name `refs`.
    fn model(ir: &mut Ir, name: &str, file: Option<&str>, refs: &[TypeId]) -> TypeId {
        let id = TypeId(ir.types.len());
        ir.types.push(TypeDef {
            name: name.into(),
            hint: name.into(),
            doc: None,
            kind: Kind::Struct {
                fields: refs
                    .iter()
                    .enumerate()
                    .map(|(i, r)| field(&format!("f{i}"), Ty::Vec(Box::new(Ty::Named(*r)))))
                    .collect(),
            },
            home: Home::Models,
            read_home: Home::Models,
            component: Some(name.into()),
            file: file.map(Into::into),
            seq: id.0,
            merged_into: None,
        });
        id
    }

    fn op(ir: &mut Ir, group: &str, name: &str, output: TypeId) {
        ir.ops.push(Op {
            group: group.into(),
            fn_name: name.into(),
            type_name: format!("{name}{group}"),
            const_name: format!("{}_{}", group, name).to_uppercase(),
            operation_id: name.into(),
            method: "GET".into(),
            path: format!("/{group}"),
            summary: String::new(),
            tag: group.into(),
            deprecated: false,
            authenticated: true,
            path_params: vec![],
            query: vec![],
            body: BodyKind::None,
            output: Output::Json(Ty::Named(output)),
            paging: None,
            removed_in: None,
        });
    }

    fn any(features: &[&str]) -> Gate {
        Gate::Any(features.iter().map(|f| (*f).to_owned()).collect())
    }

    #[test]
    fn a_model_is_compiled_with_every_feature_that_reaches_it() {
        let mut ir = Ir::default();
        let deep = model(&mut ir, "Deep", None, &[]);
        let shared = model(&mut ir, "Shared", None, &[deep]);
        let user = model(&mut ir, "User", None, &[shared]);
        let org = model(&mut ir, "Org", None, &[shared]);
        let hook = model(&mut ir, "Hooked", None, &[]);
        let everywhere = model(&mut ir, "Everywhere", None, &[]);
        let unused = model(&mut ir, "Unused", None, &[]);
        let named = model(&mut ir, "Named", None, &[]);
        let holder = model(&mut ir, "Holder", None, &[named]);
        // Two types in one file: the file is compiled when either is needed, so what either
        // names is compiled then too.
        let left = model(&mut ir, "Left", Some("Pair"), &[]);
        let right_dep = model(&mut ir, "RightDep", None, &[]);
        let right = model(&mut ir, "Right", Some("Pair"), &[right_dep]);
        op(&mut ir, "users", "get", user);
        op(&mut ir, "organizations", "get", org);
        op(&mut ir, "users", "list", everywhere);
        op(&mut ir, "organizations", "list", everywhere);
        op(&mut ir, "api_keys", "get", everywhere);
        op(&mut ir, "users", "holder", holder);
        op(&mut ir, "users", "left", left);
        op(&mut ir, "organizations", "right", right);
        ir.webhook_events.push(WebhookEventDef {
            event: "user.created".into(),
            variant: "UserCreated".into(),
            data: Ty::Named(hook),
        });
        ir.webhook_events.push(WebhookEventDef {
            event: "org.created".into(),
            variant: "OrgCreated".into(),
            data: Ty::Named(deep),
        });
        let hand = HandWritten {
            operations: BTreeSet::from(["API_KEYS_GET".to_owned()]),
            models: BTreeSet::from(["Holder".to_owned()]),
        };
        let gates = compute(&ir, &hand).expect("gates");
        let file = |id: TypeId| gates.model_file(&ir.get(id).model_file());

        assert_eq!(file(user), any(&["api-users"]));
        assert_eq!(file(shared), any(&["api-organizations", "api-users"]));
        assert_eq!(
            file(deep),
            any(&["api-organizations", "api-users", "webhooks"])
        );
        assert_eq!(file(hook), any(&["webhooks"]));
        assert_eq!(file(everywhere), any(&["client-core"]));
        assert_eq!(file(unused), any(&["client"]));
        assert_eq!(file(holder), Gate::Always);
        assert_eq!(file(named), Gate::Always);
        assert_eq!(file(left), any(&["api-organizations", "api-users"]));
        assert_eq!(file(right_dep), any(&["api-organizations", "api-users"]));

        assert_eq!(
            gates.unit(&Unit::Group("api_keys".into())),
            any(&["api-api-keys"])
        );
        assert_eq!(
            gates.operation_const("api_keys", "API_KEYS_GET"),
            Gate::Always
        );
        assert_eq!(
            gates.operation_const("users", "USERS_GET"),
            any(&["api-users"])
        );
        assert_eq!(
            any(&["api-users", "webhooks"]).attr(),
            "#[cfg(any(feature = \"api-users\", feature = \"webhooks\"))]\n"
        );
        assert_eq!(
            any(&["api-users"]).attr(),
            "#[cfg(feature = \"api-users\")]\n"
        );
    }

    #[test]
    fn a_name_the_sdk_uses_must_be_generated() {
        let mut ir = Ir::default();
        let user = model(&mut ir, "User", None, &[]);
        op(&mut ir, "users", "get", user);
        let mut hand = HandWritten::default();
        hand.models.insert("Gone".into());
        assert!(compute(&ir, &hand).unwrap_err().contains("models::Gone"));
        let mut hand = HandWritten::default();
        hand.operations.insert("USERS_GONE".into());
        assert!(
            compute(&ir, &hand)
                .unwrap_err()
                .contains("operations::USERS_GONE")
        );
    }

    #[test]
    fn the_scan_reads_code_not_comments_or_tests() {
        let mut hand = HandWritten::default();
        hand.add_source(
            "use crate::models::{User, EmailAddress};\n\
             const INFO: &OperationInfo = &crate::operations::JWKS_GET_JWKS; // models::Comment\n\
             /// `clerk_backend::models::Doc`\n\
             fn f() -> models::Session { todo!() }\n\
             for info in operations::OPERATIONS {}\n\
             #[cfg(all(test, feature = \"x\"))]\n\
             mod tests {\n    use crate::models::InTest;\n}\n",
        );
        assert_eq!(
            hand.models,
            BTreeSet::from(["EmailAddress".into(), "Session".into(), "User".into()])
        );
        assert_eq!(
            hand.operations,
            BTreeSet::from(["JWKS_GET_JWKS".into(), "OPERATIONS".into()])
        );
    }
}
