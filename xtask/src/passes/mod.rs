//! Passes over the [`crate::ir::Ir`], run in order between reading and emission.

pub mod naming;
pub mod paging;
