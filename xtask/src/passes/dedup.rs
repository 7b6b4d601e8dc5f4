//! Type identity: one Rust type per shape.
//!
//! Reading already gives every component schema one type (a `$ref` names it, wherever it is
//! used). Inline schemas, though, become a type where they appear, and the specs repeat them:
//! the same response object under five operations, an enum that `allOf` merging copies out of
//! its base, the same status enum in API and webhook schemas. This pass merges types whose
//! shapes are the same (same fields with the same types, same enum values, same union
//! variants; docs aside) until no two left are alike.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Home, Ir, Kind, Ty, TypeDef, TypeId};

/// The shape of a type with its references mapped through `canon`: equal keys, same type.
pub fn shape_key(def: &TypeDef, canon: &dyn Fn(TypeId) -> TypeId) -> String {
    let ty = |t: &Ty| {
        let mut t = t.clone();
        t.visit_mut(&mut |id| *id = canon(*id));
        format!("{t:?}")
    };
    match &def.kind {
        Kind::Struct { fields } => {
            let mut key = String::from("struct");
            for f in fields {
                key.push_str(&format!(
                    "|{}:{}:{}:{}:{}",
                    f.json,
                    f.rust,
                    ty(&f.ty),
                    f.required,
                    f.nullable
                ));
            }
            key
        }
        Kind::Enum { values } => {
            let set: BTreeSet<&String> = values.iter().collect();
            format!("enum|{set:?}")
        }
        Kind::Union { variants, tag } => {
            let mut key = format!("union|{tag:?}");
            for v in variants {
                key.push_str(&format!("|{}:{}:{:?}", v.name, ty(&v.ty), v.tag_value));
            }
            key
        }
        Kind::Alias { ty: t } => format!("alias|{}", ty(t)),
    }
}

/// Which of two alike types keeps its definition: a component schema of the API over an inline
/// type, API models over a group's types over webhook payloads, then the spec's order.
fn rank(def: &TypeDef, id: TypeId) -> (u8, usize) {
    let origin = match (&def.home, &def.component) {
        (Home::Models, Some(_)) => 0,
        (Home::Models, None) => 1,
        (Home::Group(_), _) => 2,
        (Home::Webhooks, Some(_)) => 3,
        (Home::Webhooks, None) => 4,
    };
    (origin, id.0)
}

/// Merge every set of alike types into one; returns how many definitions were dropped.
pub fn merge_same_shapes(ir: &mut Ir) -> usize {
    let n = ir.types.len();
    let mut rep: Vec<TypeId> = (0..n).map(TypeId).collect();
    // Homes of every type merged into a representative.
    let mut homes: Vec<BTreeSet<Home>> = ir
        .types
        .iter()
        .map(|d| BTreeSet::from([d.home.clone()]))
        .collect();
    let mut dropped = 0;
    loop {
        let find = |rep: &[TypeId], mut id: TypeId| {
            while rep[id.0] != id {
                id = rep[id.0];
            }
            id
        };
        let mut classes: BTreeMap<String, Vec<TypeId>> = BTreeMap::new();
        for i in 0..n {
            let id = TypeId(i);
            if find(&rep, id) != id {
                continue;
            }
            let key = shape_key(&ir.types[i], &|r| find(&rep, r));
            classes.entry(key).or_default().push(id);
        }
        let mut merged = false;
        for ids in classes.into_values().filter(|ids| ids.len() > 1) {
            let keep = *ids
                .iter()
                .min_by_key(|id| rank(ir.get(**id), **id))
                .expect("a class has members");
            for id in ids.into_iter().filter(|id| *id != keep) {
                rep[id.0] = keep;
                let moved = std::mem::take(&mut homes[id.0]);
                homes[keep.0].extend(moved);
                dropped += 1;
                merged = true;
            }
        }
        if !merged {
            break;
        }
    }
    let canon: Vec<TypeId> = (0..n)
        .map(|i| {
            let mut id = TypeId(i);
            while rep[id.0] != id {
                id = rep[id.0];
            }
            id
        })
        .collect();
    for (i, def) in ir.types.iter_mut().enumerate() {
        if canon[i].0 != i {
            def.merged_into = Some(canon[i]);
            continue;
        }
        // A type more than one module uses lives in the models.
        if homes[i].len() > 1 && def.home != Home::Models {
            def.home = Home::Models;
            def.file = None;
        }
    }
    ir.visit_tys_mut(&mut |t| t.visit_mut(&mut |id| *id = canon[id.0]));
    dropped
}

/// Pairs of emitted types that still have the same shape (none after [`merge_same_shapes`]).
pub fn alike(ir: &Ir) -> Vec<(String, String)> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for id in ir.live() {
        let def = ir.get(id);
        let key = shape_key(def, &|r| r);
        if let Some(first) = seen.get(&key) {
            out.push(((*first).to_owned(), def.name.clone()));
        } else {
            seen.insert(key, &def.name);
        }
    }
    out
}
