//! Typed Rust client for [Clerk](https://clerk.com)'s Backend API.
//!
//! Every operation of API version 2026-05-12 is a method of a group on [`Clerk`]:
//! `clerk.<group>().<operation>(<path params>)`, setters for query and body fields, per-call
//! options (`with_timeout`, `with_retry`, `with_header`), then `.send().await`.
//!
//! ```no_run
//! # async fn run() -> Result<(), clerk_backend::Error> {
//! use clerk_backend::Clerk;
//! use futures_util::TryStreamExt as _;
//!
//! let clerk = Clerk::builder().secret_key("sk_test_…").build()?; // or Clerk::from_env()?
//!
//! let ada = clerk.users().create().email_address(["ada@example.com"]).first_name("Ada").send().await?;
//! let ada = clerk.users().update(&ada.id).clear_last_name().send().await?;
//!
//! // Every limit/offset list is also a stream of items.
//! let mut users = clerk.users().list().limit(100).into_stream();
//! while let Some(user) = users.try_next().await? {
//!     println!("{} {:?}", user.id, user.first_name);
//! }
//!
//! // Or build a request first and send it with any client.
//! let user = clerk_backend::api::users::GetUser::new("user_123").send(&clerk).await?;
//! # Ok(()) }
//! ```
//!
//! - [`api`]: one module per group, with a request type per operation.
//! - [`models`]: the API's objects. Unknown fields are ignored, unknown enum values are kept
//!   as `Unknown(String)`, optional and nullable fields are `Option`.
//! - [`Error`]: API errors with Clerk's error codes and trace id, decode errors with the JSON
//!   path of the mismatch, timeouts, connection and invalid-request errors.
//! - [`operations::OPERATIONS`]: a table of every operation (group, name, method, path).
//!
//! Every call goes through one pipeline ([`http`]): `before_request` hooks, a per-attempt
//! timeout, the [`Transport`] (reqwest by default), retries under a [`RetryConfig`] that never
//! repeats a POST the server may have acted on, `after_success` / `after_error` hooks, and
//! `tracing` events plus an optional [`DebugLogger`] — with secrets always
//! [redacted](crate::redact).
#![warn(missing_docs)]

#[doc(hidden)]
#[macro_use]
pub mod macros;

#[cfg(feature = "jwt")]
pub mod auth;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
mod decode;
#[cfg(feature = "client")]
pub mod error;
#[cfg(feature = "client")]
pub mod http;
#[cfg(feature = "client")]
pub mod pagination;
pub mod prelude;
pub mod redact;
#[cfg(feature = "client")]
pub mod retry;
#[cfg(feature = "client")]
mod rt;
mod secret;
pub mod timestamp;
#[cfg(feature = "webhooks")]
pub mod webhooks;

#[allow(
    deprecated,
    clippy::all,
    clippy::pedantic,
    rustdoc::broken_intra_doc_links,
    rustdoc::bare_urls,
    rustdoc::invalid_html_tags
)]
mod generated;

#[cfg(feature = "client")]
pub use generated::{api, operations};
pub use generated::{models, webhook_events};

#[cfg(feature = "client")]
pub use client::{Clerk, ClerkBuilder, SecretKey};
#[cfg(feature = "client")]
pub use decode::DecodeError;
#[cfg(feature = "client")]
pub use error::{ApiError, ClerkError, Error, Result};
#[cfg(feature = "client")]
pub use http::{DebugLogger, HookContext, Transport, Upload};
#[cfg(feature = "client")]
pub use retry::{RetryConfig, RetryReason};
pub use secret::SecretString;

/// Foreign types that appear in this crate's public API, re-exported so that calling it never
/// needs another dependency in your `Cargo.toml`.
pub mod reexports {
    pub use bytes::Bytes;
    #[cfg(feature = "client")]
    pub use futures_util::{Stream, StreamExt, TryStreamExt};
    pub use http::{self, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
    #[cfg(feature = "client")]
    pub use reqwest;
    pub use serde_json::{self, Map, Value};
}
pub use reexports::{Bytes, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

/// The README's examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
