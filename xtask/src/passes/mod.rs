//! Passes over the [`crate::ir::Ir`], run in order between reading and emission: paging, type
//! identity (one type per shape), naming, the checks emission relies on, and which cargo
//! features compile each module.

pub mod check;
pub mod dedup;
pub mod features;
pub mod naming;
pub mod paging;
