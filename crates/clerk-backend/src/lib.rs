//! Typed Rust client for [Clerk](https://clerk.com)'s Backend API, networkless session-token
//! verification, and webhook verification.
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # async fn run() -> Result<(), clerk_backend::Error> {
//! use clerk_backend::prelude::*;
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
//! # Areas
//!
//! | area | where | feature |
//! |---|---|---|
//! | The client and its options: server URL, retries, timeouts, hooks, transport | [`Clerk`], [`ClerkBuilder`], [`RetryConfig`] | `client-core` |
//! | Every operation: `clerk.<group>().<operation>(…)`, or a request type sent with any client | [`api`], [`operations::OPERATIONS`] | `api-<group>` each, `client` all |
//! | The API's objects | [`models`] | with the groups and webhook events that use them |
//! | Free-form objects in those models (metadata, claims), read as a map or your own type | [`JsonObject`] | always |
//! | Pagination: item streams (`into_stream()`) and page streams | [`pagination`] | `client-core` |
//! | Errors: API errors with Clerk's codes and trace id, decode errors, timeouts | [`Error`], [`ApiError`], [`DecodeError`] | `client-core` |
//! | Session tokens, machine tokens, `authenticate_request` | [`auth`] | `jwt` (+ `client-core` for JWKS fetch and machine tokens) |
//! | Webhook signatures and typed events | [`webhooks`], [`webhook_events`] | `webhooks` |
//! | Tower layer and extractors for axum | [`axum`] | `axum` |
//! | Redaction rules for your own logs | [`redact`] | always |
//! | One import for the common items | [`prelude`] | always |
//! | Foreign types of our API (`HeaderMap`, `StatusCode`, `Bytes`, stream traits, …) | [`reexports`] | always |
//!
//! # Features
//!
//! Features only add. The defaults give everything but the axum layer.
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `client` | yes | [`Clerk`], the request pipeline and every operation: `client-core` and every `api-*` feature |
//! | `client-core` | with `client` | the client runtime without operations; reqwest with rustls on ring, tokio |
//! | `api-<group>` | with `client` | one group (`api-users`: `clerk.users()`, `api::users`) and the models it uses; turns on `client-core` |
//! | `http2` | yes | HTTP/2 in the client, through `h2`; without it HTTP/1.1 only |
//! | `jwt` | yes | session-token verification from a PEM key or a JWKS you provide — networkless, no HTTP client, TLS or tokio |
//! | `webhooks` | yes | webhook signature verification and the typed events — networkless |
//! | `axum` | no | [`axum`]: `ClerkLayer` and the `Auth`/`VerifiedWebhook` extractors (turns on `client`, `jwt`, `webhooks`) |
//! | `tls-aws-lc` | no | TLS through aws-lc-rs instead of ring (turns on `client`); ring stays for token signatures |
//!
//! A service that only verifies tokens or webhooks depends on
//! `clerk-backend = { version = "0.1", default-features = false, features = ["jwt", "webhooks"] }`;
//! one that calls only the users group, on `features = ["api-users"]`: the generated code of
//! the other groups, and the models only they use, is then not compiled.
//!
//! Every call goes through one [`pipeline`]: `before_request` hooks, a per-attempt timeout
//! and a deadline for the whole call, the [`transport`] (reqwest by default, no redirects, a
//! bounded body), retries under a [`RetryConfig`] and a client-wide [`RetryBudget`] that never
//! repeat a POST the server may have acted on, `after_success` / `after_error` hooks, and
//! `tracing` events plus an optional [`DebugLogger`] — with secrets always
//! [redacted](crate::redact).
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(hidden)]
#[macro_use]
pub mod macros;

#[cfg(feature = "jwt")]
pub mod auth;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "client-core")]
pub mod client;
#[cfg(feature = "client-core")]
mod decode;
#[cfg(feature = "client-core")]
pub mod error;
mod json_object;
#[cfg(feature = "client-core")]
pub mod pagination;
#[cfg(feature = "client-core")]
pub mod pipeline;
pub mod prelude;
pub mod redact;
#[cfg(feature = "client-core")]
pub mod retry;
#[cfg(feature = "client-core")]
mod rt;
mod secret;
pub mod timestamp;
#[cfg(feature = "client-core")]
pub mod transport;
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

pub use generated::models;
#[cfg(feature = "webhooks")]
pub use generated::webhook_events;
#[cfg(feature = "client-core")]
pub use generated::{api, operations};

#[cfg(feature = "client-core")]
pub use client::{Clerk, ClerkBuilder, SecretKey};
#[cfg(feature = "client-core")]
pub use decode::{DecodeError, Mismatch};
#[cfg(feature = "client-core")]
pub use error::{ApiError, ClerkError, Delivery, Error, Result};
pub use json_object::JsonObject;
#[cfg(feature = "client-core")]
pub use pipeline::{DebugLogger, HookContext};
#[cfg(feature = "client-core")]
pub use retry::{RetryBudget, RetryConfig, RetryReason};
pub use secret::SecretString;
#[cfg(feature = "client-core")]
pub use transport::{Transport, Upload};

/// Foreign types that appear in this crate's public API, re-exported so that calling it never
/// needs another dependency in your `Cargo.toml`.
pub mod reexports {
    pub use bytes::Bytes;
    #[cfg(feature = "client-core")]
    pub use futures_util::{Stream, StreamExt, TryStreamExt};
    pub use http::{self, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
    #[cfg(feature = "client-core")]
    pub use reqwest;
    pub use serde_json::{self, Map, Value};
}
pub use reexports::{Bytes, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

/// The README's examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
