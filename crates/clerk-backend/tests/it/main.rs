//! Integration tests: one binary, one module per area.

mod conformance;
#[allow(deprecated, clippy::all, clippy::pedantic)]
mod conformance_calls;
mod reference_names;
mod support;
mod webhook_events;
