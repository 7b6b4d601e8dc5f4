//! Machine tokens: what they are and how they are told apart. API keys (`ak_`), M2M tokens
//! (`mt_`) and OAuth access tokens (`oat_`) are verified by the Backend API (`machine_verify`,
//! feature `client-core`); JWT-format M2M and OAuth tokens are verified offline.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::claims::SessionClaims;

/// What kind of token authenticated a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TokenType {
    /// A Clerk session token (JWT).
    SessionToken,
    /// An API key (`ak_…`).
    ApiKey,
    /// A machine-to-machine token (`mt_…`, or a JWT whose `sub` is `mch_…`).
    M2mToken,
    /// An OAuth access token (`oat_…`, or a JWT with `typ: at+jwt`).
    OAuthToken,
}

impl TokenType {
    /// `session_token`, `api_key`, `m2m_token` or `oauth_token` (`@clerk/backend`'s names).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SessionToken => "session_token",
            Self::ApiKey => "api_key",
            Self::M2mToken => "m2m_token",
            Self::OAuthToken => "oauth_token",
        }
    }

    /// The machine token type a token's prefix announces (`ak_`, `mt_`, `oat_`).
    ///
    /// This looks at the prefix only; [`verify_opaque_machine_token`](super::verify_opaque_machine_token)
    /// also checks the rest's shape before any call.
    #[must_use]
    pub fn from_prefix(token: &str) -> Option<Self> {
        if token.starts_with("mt_") {
            Some(Self::M2mToken)
        } else if token.starts_with("oat_") {
            Some(Self::OAuthToken)
        } else if token.starts_with("ak_") {
            Some(Self::ApiKey)
        } else {
            None
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a machine token was rejected; string forms match `@clerk/backend`'s
/// `MachineTokenVerificationErrorCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MachineErrorCode {
    /// `token-invalid`: unknown, revoked or expired token.
    TokenInvalid,
    /// `secret-key-invalid`: the API refused the secret key.
    InvalidSecretKey,
    /// `unexpected-error`: the API could not be reached or answered unexpectedly.
    UnexpectedError,
    /// `token-verification-failed`: a JWT-format machine token failed offline verification.
    TokenVerificationFailed,
}

impl MachineErrorCode {
    /// The code as `@clerk/backend` spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TokenInvalid => "token-invalid",
            Self::InvalidSecretKey => "secret-key-invalid",
            Self::UnexpectedError => "unexpected-error",
            Self::TokenVerificationFailed => "token-verification-failed",
        }
    }
}

impl fmt::Display for MachineErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected machine token. Never contains the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineVerifyError {
    /// Why.
    pub code: MachineErrorCode,
    /// Human-readable detail.
    pub message: String,
    /// HTTP status of the API's answer, when there was one.
    pub status: Option<u16>,
}

impl fmt::Display for MachineVerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for MachineVerifyError {}

/// A verified machine token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MachineAuth {
    /// Which kind of machine token.
    pub token_type: TokenType,
    /// The token's id (`ak_…`, `mt_…`, `oat_…`, or the JWT's `jti`).
    pub id: Option<String>,
    /// Who the token acts for: `user_…`, `org_…` or `mch_…`.
    pub subject: String,
    /// Granted scopes (for M2M tokens: the machines it may call).
    pub scopes: Vec<String>,
    /// Custom claims attached to the token.
    pub claims: Option<Value>,
    /// API key name.
    pub name: Option<String>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// Expiry as the API reports it (milliseconds for API keys and M2M tokens), or the JWT's
    /// `exp` in seconds.
    pub expiration: Option<f64>,
}

impl MachineAuth {
    /// Whether the token was granted `scope`.
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    pub(crate) fn from_jwt(token_type: TokenType, claims: SessionClaims) -> Self {
        let other = claims.other();
        let scopes = match other.get("scopes").or_else(|| other.get("scope")) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        #[allow(clippy::cast_precision_loss)]
        let expiration = Some(claims.exp as f64);
        MachineAuth {
            token_type,
            id: claims.jti.clone(),
            subject: claims.sub.clone(),
            scopes,
            client_id: other
                .get("client_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| claims.azp.clone()),
            name: None,
            expiration,
            claims: Some(Value::Object(other.clone())),
        }
    }
}

/// Longest opaque machine token accepted (after the prefix).
const MAX_OPAQUE_BODY: usize = 256;

/// The shape of an opaque machine token: a known prefix, then 1 to 256 URL-safe characters
/// (`A-Z a-z 0-9 _ -`). Anything else is refused before any call.
pub(crate) fn opaque_shape(token: &str) -> Result<TokenType, MachineVerifyError> {
    let bad = |message: &str| MachineVerifyError {
        code: MachineErrorCode::TokenInvalid,
        message: message.to_owned(),
        status: None,
    };
    let t = TokenType::from_prefix(token)
        .ok_or_else(|| bad("not a machine token: expected an ak_, mt_ or oat_ prefix"))?;
    let prefix = match t {
        TokenType::OAuthToken => 4,
        _ => 3,
    };
    let body = &token.as_bytes()[prefix..];
    if body.is_empty()
        || body.len() > MAX_OPAQUE_BODY
        || !body
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
    {
        return Err(bad("malformed machine token"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(opaque_shape("ak_good").unwrap(), TokenType::ApiKey);
        assert_eq!(opaque_shape("oat_a-b_c").unwrap(), TokenType::OAuthToken);
        assert_eq!(opaque_shape("mt_x").unwrap(), TokenType::M2mToken);
        for bad in ["ak_", "mt_a.b", "oat_ x", "ak_é", "xx_abc", "oat_"] {
            assert_eq!(
                opaque_shape(bad).unwrap_err().code,
                MachineErrorCode::TokenInvalid,
                "{bad}"
            );
        }
        assert!(opaque_shape(&format!("ak_{}", "a".repeat(256))).is_ok());
        assert!(opaque_shape(&format!("ak_{}", "a".repeat(257))).is_err());
    }
}
