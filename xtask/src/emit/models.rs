//! Printing `models/`: one file per component schema, holding the inline types it owns.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use super::Cx;
use super::types::emit_defs;
use crate::ir::{Home, Ir, TypeId};
use crate::names;
use crate::passes::features::Gates;

/// (file stem, doc title, its definitions) for every models file, in spec order.
fn files(ir: &Ir) -> Vec<(String, String, Vec<TypeId>)> {
    let mut by_file: BTreeMap<String, Vec<TypeId>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for id in ir.live() {
        let def = ir.get(id);
        if def.home != Home::Models {
            continue;
        }
        let key = def.model_file();
        if !by_file.contains_key(&key) {
            order.push(key.clone());
        }
        by_file.entry(key).or_default().push(id);
    }
    // Component files keep the spec's order (that of their top-level type).
    let mut ordered: Vec<(usize, String)> = order
        .into_iter()
        .map(|k| {
            let rank = by_file[&k]
                .iter()
                .filter_map(|id| ir.get(*id).component.as_ref().map(|_| id.0))
                .min()
                .unwrap_or(usize::MAX);
            (rank, k)
        })
        .collect();
    ordered.sort_by_key(|(rank, _)| *rank);
    let mut module_names = HashSet::new();
    ordered
        .into_iter()
        .map(|(_, key)| {
            let mut module = names::field(&key);
            while !module_names.insert(module.clone()) {
                module.push('_');
            }
            let ids = by_file.remove(&key).unwrap_or_default();
            (module, key, ids)
        })
        .collect()
}

/// `models/<file>.rs` and `models/mod.rs` (relative names → content).
pub fn emit(ir: &Ir, gates: &Gates, head: &str) -> Vec<(String, String)> {
    let cx = Cx::new(ir, Home::Models);
    let mut out = Vec::new();
    let mut models_mod = format!(
        "{head}//! Models of the Backend API: one type per schema, plus the inline types each owns.\n\n"
    );
    // The files each `cfg` compiles, in the order their first file comes.
    let mut sets: Vec<(Option<String>, Vec<String>)> = Vec::new();
    for (module, key, ids) in files(ir) {
        let mut src = format!("{head}//! `{key}`.\n\n#[allow(unused_imports)]\nuse super::*;\n\n");
        emit_defs(&cx, &ids, &mut src);
        out.push((format!("models/{module}.rs"), src));
        let cfg = gates.model_file(&key).predicate();
        match sets.iter_mut().find(|(c, _)| *c == cfg) {
            Some((_, modules)) => modules.push(module),
            None => sets.push((cfg, vec![module])),
        }
    }
    models_mod.push_str(
        "/// Declares models files under one `cfg` and re-exports their types.\n\
         macro_rules! files {\n    \
         (#[$cfg:meta] $($file:ident),+ $(,)?) => {\n        \
         $(#[$cfg] mod $file; #[$cfg] pub use $file::*;)+\n    \
         };\n}\n\n",
    );
    for (cfg, modules) in sets {
        match cfg {
            Some(p) => {
                let _ = writeln!(models_mod, "files! {{\n    #[cfg({p})]");
                for m in modules {
                    let _ = writeln!(models_mod, "    {m},");
                }
                models_mod.push_str("}\n");
            }
            None => {
                for m in modules {
                    let _ = writeln!(models_mod, "mod {m};\npub use {m}::*;");
                }
            }
        }
    }
    out.push(("models/mod.rs".into(), models_mod));
    out
}
