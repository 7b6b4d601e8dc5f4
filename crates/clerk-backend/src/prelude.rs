//! What most programs use, in one import: `use clerk_backend::prelude::*;`.
//!
//! Brings the client and its options, the error types, and the stream extension traits that
//! give `into_stream()` / `into_pages()` their `try_next()` and `try_collect()`.

#[cfg(feature = "client-core")]
pub use crate::{ApiError, Clerk, ClerkBuilder, Error, RetryConfig};
#[cfg(feature = "client-core")]
pub use futures_util::{StreamExt as _, TryStreamExt as _};

#[cfg(feature = "jwt")]
pub use crate::auth::{SessionClaims, VerifyOptions, verify_token};
#[cfg(feature = "webhooks")]
pub use crate::webhooks::Webhook;

pub use crate::SecretString;
