//! Session and machine token verification, networkless where possible.
//!
//! - [`verify_token`] verifies a session token with a PEM key ([`VerifyOptions::jwt_key`]), a
//!   JWKS you provide ([`VerifyOptions::jwks`]) or the instance's JWKS fetched through a
//!   [`Clerk`](crate::Clerk) client and cached per instance ([`VerifyOptions::clerk`]).
//! - [`authenticate_request`] finds the token of an [`http::Request`] (`Authorization: Bearer`,
//!   then the `__session` cookie), routes machine tokens by type, and returns a
//!   [`RequestState`].
//! - An optional [`TokenCache`] makes a repeated token cost a hash lookup instead of an RSA
//!   verification.
//!
//! Failures carry `@clerk/backend`'s reason strings ([`TokenVerificationErrorReason`]) and never
//! echo the token.

mod bounded;
mod claims;
mod error;
#[cfg(feature = "client-core")]
mod jwks;
mod jwt;
mod keys;
mod machine;
#[cfg(feature = "client-core")]
mod machine_verify;
mod request;
mod token_cache;
mod verify;

pub use claims::{Organization, SessionClaims};
pub use error::{TokenVerificationErrorReason, VerifyError};
pub use jwt::DEFAULT_MAX_TOKEN_LEN;
pub use keys::{Algorithm, Jwk};
pub use machine::{MachineAuth, MachineErrorCode, MachineVerifyError, TokenType};
#[cfg(feature = "client-core")]
pub use machine_verify::{
    DEFAULT_MACHINE_CACHE_CAPACITY, DEFAULT_MACHINE_CACHE_TTL, DEFAULT_MACHINE_NEGATIVE_TTL,
    DEFAULT_MACHINE_VERIFY_TIMEOUT, verify_opaque_machine_token,
};
pub use request::{
    AcceptsToken, Auth, AuthenticateOptions, RequestState, SignedOut, SignedOutReason,
    authenticate_headers, authenticate_headers_at, authenticate_request,
};
pub use token_cache::TokenCache;
pub use verify::{
    DEFAULT_CLOCK_SKEW, DEFAULT_JWKS_MIN_REFRESH_INTERVAL, DEFAULT_JWKS_TTL, VerifyOptions,
    verify_token, verify_token_at,
};
