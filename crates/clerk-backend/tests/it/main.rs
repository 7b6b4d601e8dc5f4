//! Integration tests (one binary).

mod auth_common;
mod auth_verify;
