//! Integration tests: one binary, one module per area.

mod auth_common;
mod auth_jwks;
mod auth_machine;
mod auth_oracle;
mod auth_proptest;
mod auth_request;
mod auth_verify;
mod axum_layer;
mod conformance;
#[allow(deprecated, clippy::all, clippy::pedantic)]
mod conformance_calls;
mod decoding;
mod decoding_drift;
mod faults;
mod hooks;
mod json_object;
mod logging;
mod pagination;
mod pipeline;
mod prism;
mod projection;
mod reference_names;
mod retry;
mod secrets;
mod secrets_models;
mod soak;
mod support;
mod transport;
mod uploads;
mod webhook_events;
mod webhook_verify;
mod wire;
