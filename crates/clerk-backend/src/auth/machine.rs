//! Machine tokens: API keys (`ak_`), M2M tokens (`mt_`) and OAuth access tokens (`oat_`) are
//! verified by the Backend API; JWT-format M2M and OAuth tokens are verified offline.
//!
//! The three verify calls use the generated operation metadata (`operations::API_KEYS_VERIFY`,
//! `M2M_VERIFY_TOKEN`, `OAUTH_ACCESS_TOKENS_VERIFY`) with a small local request/response
//! (see `verify_op!`); switching to the generated request types (`clerk.api_keys().verify()`,
//! …) would not change this module's public API.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::claims::SessionClaims;
use crate::Clerk;
use crate::error::Error;
use crate::operations;
use crate::pipeline::{ApiRequest, Operation, OperationInfo, RequestOptions, json_body};
use crate::transport::RawResponse;

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

/// The fields of the three verify responses this crate uses.
#[derive(Debug, Deserialize)]
pub(crate) struct VerifyResponse {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    claims: Option<Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    revoked: Option<bool>,
    #[serde(default)]
    expired: Option<bool>,
    #[serde(default)]
    expiration: Option<f64>,
    #[serde(default)]
    active: Option<bool>,
}

/// The generated operation table's metadata is reused (hooks and logs see the same
/// group/name); the request and response handling stay local so that a revoked, expired or
/// inactive token (whose body may lack fields the full models require) still decodes.
macro_rules! verify_op {
    ($ty:ident, $info:path, $field:literal) => {
        pub(crate) struct $ty(pub(crate) String);
        impl Operation for $ty {
            type Output = VerifyResponse;
            const INFO: &'static OperationInfo = &$info;
            fn build(self) -> crate::Result<ApiRequest> {
                let mut body = serde_json::Map::new();
                body.insert($field.to_owned(), Value::String(self.0));
                Ok(ApiRequest {
                    info: Self::INFO,
                    path: Self::INFO.path.to_owned(),
                    query: String::new(),
                    body: json_body(&body)?,
                    options: RequestOptions::default(),
                })
            }
            fn decode(response: RawResponse) -> crate::Result<VerifyResponse> {
                crate::pipeline::decode_json(response)
            }
        }
    };
}

verify_op!(VerifyApiKey, operations::API_KEYS_VERIFY, "secret");
verify_op!(VerifyM2mToken, operations::M2M_VERIFY_TOKEN, "token");
verify_op!(
    VerifyOAuthAccessToken,
    operations::OAUTH_ACCESS_TOKENS_VERIFY,
    "access_token"
);

/// Verify an opaque machine token (`ak_`, `mt_`, `oat_`) with the Backend API.
///
/// # Errors
/// `token-invalid` for unknown (404), revoked, expired or inactive tokens;
/// `secret-key-invalid` on 401/403; `unexpected-error` otherwise.
pub async fn verify_opaque_machine_token(
    clerk: &Clerk,
    token: &str,
) -> Result<MachineAuth, MachineVerifyError> {
    let Some(token_type) = TokenType::from_prefix(token) else {
        return Err(MachineVerifyError {
            code: MachineErrorCode::TokenInvalid,
            message: "not a machine token: expected an ak_, mt_ or oat_ prefix".to_owned(),
            status: None,
        });
    };
    let result = match token_type {
        TokenType::ApiKey => clerk.call(VerifyApiKey(token.to_owned())).await,
        TokenType::M2mToken => clerk.call(VerifyM2mToken(token.to_owned())).await,
        _ => clerk.call(VerifyOAuthAccessToken(token.to_owned())).await,
    };
    let what = match token_type {
        TokenType::ApiKey => "API key",
        TokenType::M2mToken => "machine token",
        _ => "OAuth token",
    };
    let r = result.map_err(|e| api_error(&e, what))?;
    if r.revoked == Some(true) || r.expired == Some(true) || r.active == Some(false) {
        return Err(MachineVerifyError {
            code: MachineErrorCode::TokenInvalid,
            message: format!("{what} is revoked, expired or inactive"),
            status: Some(200),
        });
    }
    let Some(subject) = r.subject else {
        return Err(MachineVerifyError {
            code: MachineErrorCode::UnexpectedError,
            message: format!("the API's answer for the {what} has no subject"),
            status: Some(200),
        });
    };
    Ok(MachineAuth {
        token_type,
        id: r.id,
        subject,
        scopes: r.scopes.unwrap_or_default(),
        claims: r.claims.filter(|c| !c.is_null()),
        name: r.name,
        client_id: r.client_id,
        expiration: r.expiration,
    })
}

fn api_error(e: &Error, what: &str) -> MachineVerifyError {
    match e {
        Error::Api(api) => {
            let status = api.status().as_u16();
            let (code, message) = match status {
                401 | 403 => (
                    MachineErrorCode::InvalidSecretKey,
                    api.message().unwrap_or("invalid secret key").to_owned(),
                ),
                404 => (MachineErrorCode::TokenInvalid, format!("{what} not found")),
                _ => (
                    MachineErrorCode::UnexpectedError,
                    format!("unexpected error ({status})"),
                ),
            };
            MachineVerifyError {
                code,
                message,
                status: Some(status),
            }
        }
        Error::InvalidRequest(m) => MachineVerifyError {
            code: MachineErrorCode::InvalidSecretKey,
            message: m.clone(),
            status: None,
        },
        other => MachineVerifyError {
            code: MachineErrorCode::UnexpectedError,
            message: format!("unexpected error: {other}"),
            status: other.status().map(|s| s.as_u16()),
        },
    }
}
