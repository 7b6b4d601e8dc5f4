//! Why a token was rejected.

use std::borrow::Cow;
use std::fmt;

/// Why a session token (or a JWT-format machine token) failed verification.
///
/// The string forms ([`as_str`](Self::as_str), `Display`) are exactly `@clerk/backend`'s
/// `TokenVerificationErrorReason` values, so logs and dashboards keyed on them keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenVerificationErrorReason {
    /// `token-expired`: `exp` is in the past (beyond the clock skew).
    TokenExpired,
    /// `token-invalid`: not a well-formed JWT (segments, base64, JSON, size, `typ`, category).
    TokenInvalid,
    /// `token-invalid-algorithm`: `alg` is not RS256, RS384 or RS512.
    TokenInvalidAlgorithm,
    /// `token-invalid-authorized-parties`: `azp` missing or not one of the authorized parties.
    TokenInvalidAuthorizedParties,
    /// `token-invalid-signature`: the signature does not match the key.
    TokenInvalidSignature,
    /// `token-not-active-yet`: `nbf` is in the future (beyond the clock skew).
    TokenNotActiveYet,
    /// `token-iat-in-the-future`: `iat` is in the future (beyond the clock skew).
    TokenIatInTheFuture,
    /// `token-verification-failed`: a required claim is missing or has the wrong type, `aud`
    /// does not match, or the key cannot verify this token (pinned to another algorithm, not
    /// an RSA signature key).
    TokenVerificationFailed,
    /// `token-invalid-issuer`: `iss` does not match the configured issuer (a check
    /// `@clerk/backend` no longer has; off unless configured).
    TokenInvalidIssuer,
    /// `secret-key-invalid`: the secret key was refused when fetching the JWKS.
    InvalidSecretKey,
    /// `jwk-local-missing`: `@clerk/backend`'s reason for a missing PEM key. Kept for matching
    /// on their strings; this crate reports an unknown `kid` as [`JwkKidMismatch`](Self::JwkKidMismatch).
    LocalJwkMissing,
    /// `jwk-remote-failed-to-load`: fetching `GET /jwks` failed, or it returned no key.
    RemoteJwkFailedToLoad,
    /// `jwk-remote-invalid`: the JWKS is not valid JSON (or a caller-provided one is empty).
    RemoteJwkInvalid,
    /// `jwk-remote-missing`: kept for matching on `@clerk/backend`'s strings; an unknown `kid`
    /// is [`JwkKidMismatch`](Self::JwkKidMismatch).
    RemoteJwkMissing,
    /// `jwk-failed-to-resolve`: no key source is configured (no `jwt_key`, JWKS or client).
    JwkFailedToResolve,
    /// `jwk-kid-mismatch`: no key of the JWKS (given or fetched) has the token's `kid`, or the
    /// token has none.
    JwkKidMismatch,
}

impl TokenVerificationErrorReason {
    /// The reason as `@clerk/backend` spells it, e.g. `token-expired`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TokenExpired => "token-expired",
            Self::TokenInvalid => "token-invalid",
            Self::TokenInvalidAlgorithm => "token-invalid-algorithm",
            Self::TokenInvalidAuthorizedParties => "token-invalid-authorized-parties",
            Self::TokenInvalidSignature => "token-invalid-signature",
            Self::TokenNotActiveYet => "token-not-active-yet",
            Self::TokenIatInTheFuture => "token-iat-in-the-future",
            Self::TokenVerificationFailed => "token-verification-failed",
            Self::TokenInvalidIssuer => "token-invalid-issuer",
            Self::InvalidSecretKey => "secret-key-invalid",
            Self::LocalJwkMissing => "jwk-local-missing",
            Self::RemoteJwkFailedToLoad => "jwk-remote-failed-to-load",
            Self::RemoteJwkInvalid => "jwk-remote-invalid",
            Self::RemoteJwkMissing => "jwk-remote-missing",
            Self::JwkFailedToResolve => "jwk-failed-to-resolve",
            Self::JwkKidMismatch => "jwk-kid-mismatch",
        }
    }
}

impl fmt::Display for TokenVerificationErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected token: a [`reason`](Self::reason) to branch on and a message for logs.
///
/// The message never contains the token (nor any secret); it may name a claim's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    reason: TokenVerificationErrorReason,
    message: Cow<'static, str>,
}

impl VerifyError {
    pub(crate) fn new(
        reason: TokenVerificationErrorReason,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        VerifyError {
            reason,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: &'static str) -> Self {
        Self::new(TokenVerificationErrorReason::TokenInvalid, message)
    }

    /// Why the token was rejected.
    #[must_use]
    pub fn reason(&self) -> TokenVerificationErrorReason {
        self.reason
    }

    /// A human-readable explanation (no token, no secret).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

impl std::error::Error for VerifyError {}
