//! Passes over the [`crate::ir::Ir`], run in order between reading and emission: paging, type
//! identity (one type per shape), naming, and the checks emission relies on.

pub mod check;
pub mod dedup;
pub mod naming;
pub mod paging;
