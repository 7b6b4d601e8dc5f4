//! Integration tests: one binary, one module per area.

mod conformance;
#[allow(deprecated, clippy::all, clippy::pedantic)]
mod conformance_calls;
mod decoding;
mod pagination;
mod pipeline;
mod support;
mod uploads;
mod wire;
