//! Integration tests (one binary).

mod auth_common;
mod auth_jwks;
mod auth_proptest;
mod auth_request;
mod auth_verify;
mod axum_layer;
mod webhook_verify;
