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
#![warn(missing_docs)]

#[doc(hidden)]
#[macro_use]
pub mod macros;

pub mod auth;
#[cfg(feature = "axum")]
pub mod axum;
pub mod client;
pub mod error;
pub mod http;
pub mod pagination;
pub mod retry;
mod secret;
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

pub use generated::{api, models, operations, webhook_events};

pub use client::{Clerk, ClerkBuilder, SecretKey};
pub use error::{ApiError, ClerkError, DecodeError, Error, Result};
pub use http::Upload;
pub use retry::RetryConfig;
pub use secret::SecretString;

/// The README's examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
