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

pub mod auth;
#[cfg(feature = "axum")]
pub mod axum;
pub mod client;
mod decode;
pub mod error;
pub mod http;
pub mod pagination;
pub mod redact;
pub mod retry;
mod rt;
mod secret;
pub mod timestamp;
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

pub use client::{Clerk, ClerkBuilder, SecretKey};
pub use decode::{DecodeError, Mismatch};
pub use error::{ApiError, ClerkError, Error, Result};
pub use http::{DebugLogger, HookContext, Transport, Upload};
pub use retry::{RetryConfig, RetryReason};
pub use secret::SecretString;

/// The README's examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
