//! Integration tests: one binary, one module per area.

mod conformance;
#[allow(deprecated, clippy::all, clippy::pedantic)]
mod conformance_calls;
mod decoding;
mod faults;
mod hooks;
mod logging;
mod pagination;
mod pipeline;
mod prism;
mod reference_names;
mod retry;
mod soak;
mod support;
mod transport;
mod uploads;
mod webhook_events;
mod wire;
