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

pub mod auth;
#[cfg(feature = "axum")]
pub mod axum;
pub mod client;
pub mod error;
pub mod http;
pub mod retry;
pub mod webhooks;

pub use client::{Clerk, ClerkBuilder, SecretKey};
pub use error::{ApiError, ClerkError, DecodeError, Error, Result};
pub use http::Upload;
pub use retry::RetryConfig;
