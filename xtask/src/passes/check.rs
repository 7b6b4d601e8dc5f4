//! What must hold of the IR before it is printed.

use std::collections::BTreeMap;

use super::dedup;
use crate::ir::Ir;
use crate::names;

/// Every public type name the crate's generated modules define, unique across the crate.
///
/// # Errors
/// The names defined more than once, with how often.
pub fn unique_names(ir: &Ir) -> Result<(), String> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let mut handles = std::collections::BTreeSet::new();
    for op in &ir.ops {
        *count.entry(op.type_name.clone()).or_default() += 1;
        handles.insert(format!("{}Api", names::type_name(&op.group)));
    }
    for h in handles {
        *count.entry(h).or_default() += 1;
    }
    for id in ir.live() {
        *count.entry(ir.get(id).name.clone()).or_default() += 1;
    }
    let twice: Vec<String> = count
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(name, n)| format!("{name} ×{n}"))
        .collect();
    if twice.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} generated type names are not unique: {}",
        twice.len(),
        twice.join(", ")
    ))
}

/// No two emitted types have the same shape.
///
/// # Errors
/// The pairs of alike types, by name.
pub fn one_type_per_shape(ir: &Ir) -> Result<(), String> {
    let alike = dedup::alike(ir);
    if alike.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = alike.iter().map(|(a, b)| format!("{a} = {b}")).collect();
    Err(format!(
        "{} generated types have the same shape as another: {}",
        list.len(),
        list.join(", ")
    ))
}
