//! # clerk-backend
//!
//! Typed Rust client for [Clerk](https://clerk.com)'s Backend API.
//!
//! ```no_run
//! # async fn run() -> Result<(), clerk_backend::Error> {
//! use clerk_backend::Clerk;
//!
//! let clerk = Clerk::builder().secret_key("sk_test_…").build()?;
//! # Ok(()) }
//! ```
//!
//! Every call goes through one pipeline ([`http`]): `before_request` hooks, a per-attempt
//! timeout, the [`Transport`] (reqwest by default), retries under a [`RetryConfig`] that never
//! repeats a POST the server may have acted on, `after_success` / `after_error` hooks, and
//! `tracing` events plus an optional [`DebugLogger`] — with secrets always
//! [redacted](http::redact).
#![warn(missing_docs)]

pub mod client;
pub mod error;
pub mod http;
pub mod retry;

/// The README's resilience sections (retries, timeouts, hooks, custom HTTP, debugging, error
/// handling), compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/README-resilience.md")]
pub struct ReadmeResilience;

pub use client::{Clerk, ClerkBuilder, SecretKey};
pub use error::{ApiError, ClerkError, DecodeError, Error, Result};
pub use http::{DebugLogger, HookContext, Transport, Upload};
pub use retry::{RetryConfig, RetryReason};
