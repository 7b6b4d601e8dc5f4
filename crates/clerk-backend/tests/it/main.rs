//! Integration tests: one binary, one module per area.

mod conformance;
#[allow(deprecated, clippy::all, clippy::pedantic)]
mod conformance_calls;
mod support;
mod webhook_events;
