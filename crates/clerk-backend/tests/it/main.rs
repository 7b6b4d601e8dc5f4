//! Integration tests: one binary, one module per area.

mod auth_common;
mod auth_jwks;
mod auth_proptest;
mod auth_request;
mod auth_verify;
mod axum_layer;
mod conformance;
#[allow(deprecated, clippy::all, clippy::pedantic)]
mod conformance_calls;
mod reference_names;
mod support;
mod webhook_events;
mod webhook_verify;
