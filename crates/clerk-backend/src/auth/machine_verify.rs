//! Opaque machine tokens verified by the Backend API, without letting them become an
//! amplifier: a shape check before any call, one short deadline per call with no retries,
//! and a bounded cache of answers with one call in flight per token.
//!
//! The three verify calls use the generated operation metadata (`operations::API_KEYS_VERIFY`,
//! `M2M_VERIFY_TOKEN`, `OAUTH_ACCESS_TOKENS_VERIFY`) with a small local request/response, so
//! that a revoked, expired or inactive token (whose body may lack fields the full models
//! require) still decodes.
//!
//! The cache is ours, not `moka` or `quick_cache`: it needs time-bounded entries, a hard size
//! bound with O(1) eviction and single-flight over a `'static` future, which is forty lines
//! over [`BoundedMap`] and `futures_util`'s `Shared` (already dependencies); `moka` alone
//! would add a dozen crates.

use std::fmt;
use std::hash::RandomState;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use serde::Deserialize;
use serde_json::Value;

use super::bounded::BoundedMap;
use super::machine::{MachineAuth, MachineErrorCode, MachineVerifyError, TokenType, opaque_shape};
use crate::Clerk;
use crate::RetryConfig;
use crate::error::Error;
use crate::operations;
use crate::rt::{ApiRequest, Operation, OperationInfo, RawResponse, RequestOptions, json_body};

/// Default deadline of one machine-token verify call (the whole call: no retries).
pub const DEFAULT_MACHINE_VERIFY_TIMEOUT: Duration = Duration::from_secs(3);
/// Default longest time a valid machine token is served from the cache (never past its own
/// expiration).
pub const DEFAULT_MACHINE_CACHE_TTL: Duration = Duration::from_secs(30);
/// Default time an unknown, revoked or expired machine token is answered from the cache.
pub const DEFAULT_MACHINE_NEGATIVE_TTL: Duration = Duration::from_secs(10);
/// Default number of machine tokens the cache holds.
pub const DEFAULT_MACHINE_CACHE_CAPACITY: usize = 10_000;

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

macro_rules! verify_op {
    ($ty:ident, $info:path, $field:literal) => {
        pub(crate) struct $ty(String, RequestOptions);
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
                    options: self.1,
                })
            }
            fn decode(response: RawResponse) -> crate::Result<VerifyResponse> {
                crate::rt::decode_json(response)
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

/// Verify an opaque machine token (`ak_`, `mt_`, `oat_`) with the Backend API: refused by
/// shape before any call, one call bounded by [`DEFAULT_MACHINE_VERIFY_TIMEOUT`], no retries,
/// nothing cached ([`authenticate_request`](super::authenticate_request) caches).
///
/// # Errors
/// `token-invalid` for malformed, unknown (404), revoked, expired or inactive tokens;
/// `secret-key-invalid` on 401/403; `unexpected-error` otherwise (a timeout included).
pub async fn verify_opaque_machine_token(
    clerk: &Clerk,
    token: &str,
) -> Result<MachineAuth, MachineVerifyError> {
    let t = opaque_shape(token)?;
    call(clerk, t, token.to_owned(), DEFAULT_MACHINE_VERIFY_TIMEOUT).await
}

async fn call(
    clerk: &Clerk,
    token_type: TokenType,
    token: String,
    deadline: Duration,
) -> Result<MachineAuth, MachineVerifyError> {
    let options = RequestOptions {
        timeout: Some(deadline),
        deadline: Some(deadline),
        retry: Some(RetryConfig::none()),
        ..RequestOptions::default()
    };
    let (what, fut): (&str, BoxFuture<'_, crate::Result<VerifyResponse>>) = match token_type {
        TokenType::ApiKey => ("API key", clerk.call(VerifyApiKey(token, options)).boxed()),
        TokenType::M2mToken => (
            "machine token",
            clerk.call(VerifyM2mToken(token, options)).boxed(),
        ),
        _ => (
            "OAuth token",
            clerk.call(VerifyOAuthAccessToken(token, options)).boxed(),
        ),
    };
    // The pipeline's timeout bounds each attempt; this bounds the whole call, hooks included.
    let r = match tokio::time::timeout(deadline, fut).await {
        Ok(r) => r.map_err(|e| api_error(&e, what))?,
        Err(_) => {
            return Err(MachineVerifyError {
                code: MachineErrorCode::UnexpectedError,
                message: format!("verifying the {what} timed out after {deadline:?}"),
                status: None,
            });
        }
    };
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

type Outcome = Result<MachineAuth, MachineVerifyError>;

enum Slot {
    // Boxed: a settled answer is far larger than a pending handle, and most slots are settled.
    Ready {
        outcome: Box<Outcome>,
        until: Instant,
    },
    Pending(Shared<BoxFuture<'static, Outcome>>),
}

/// Machine-token answers, keyed by the token's SHA-256 (the cache holds no token).
pub(crate) struct MachineCache {
    slots: Mutex<BoundedMap<[u8; 32], Slot, RandomState>>,
    pub(crate) capacity: usize,
    pub(crate) ttl: Duration,
    pub(crate) negative_ttl: Duration,
    pub(crate) timeout: Duration,
}

impl fmt::Debug for MachineCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MachineCache")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .field("negative_ttl", &self.negative_ttl)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for MachineCache {
    fn default() -> Self {
        Self::new(
            DEFAULT_MACHINE_CACHE_CAPACITY,
            DEFAULT_MACHINE_CACHE_TTL,
            DEFAULT_MACHINE_NEGATIVE_TTL,
            DEFAULT_MACHINE_VERIFY_TIMEOUT,
        )
    }
}

fn digest(token: &str) -> [u8; 32] {
    let mut k = [0u8; 32];
    k.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref());
    k
}

impl MachineCache {
    pub(crate) fn new(
        capacity: usize,
        ttl: Duration,
        negative_ttl: Duration,
        timeout: Duration,
    ) -> Self {
        MachineCache {
            slots: Mutex::new(BoundedMap::new(capacity)),
            capacity,
            ttl,
            negative_ttl,
            timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BoundedMap<[u8; 32], Slot, RandomState>> {
        self.slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long `outcome` may be served again: valid tokens up to the TTL and never past
    /// their expiration, refused ones for the negative TTL, failures (timeouts, a refused
    /// secret key) not at all.
    fn keep_for(&self, outcome: &Outcome) -> Option<Duration> {
        match outcome {
            Ok(m) => {
                let Some(exp) = m.expiration else {
                    return Some(self.ttl);
                };
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs_f64();
                // The API reports milliseconds; JWT-style seconds are told apart by size.
                let exp = if exp > 1e11 { exp / 1000.0 } else { exp };
                let left = exp - now;
                (left > 0.0).then(|| self.ttl.min(Duration::from_secs_f64(left.min(1e9))))
            }
            Err(e) if e.code == MachineErrorCode::TokenInvalid => Some(self.negative_ttl),
            Err(_) => None,
        }
    }

    /// Verify `token` (already shape-checked as `t`): from the cache, by joining the call in
    /// flight for the same token, or with one call bounded by the deadline.
    pub(crate) async fn verify(&self, clerk: &Clerk, t: TokenType, token: &str) -> Outcome {
        let key = digest(token);
        let pending = {
            let mut slots = self.lock();
            match slots.get(&key) {
                Some(Slot::Ready { outcome, until }) if *until > Instant::now() => {
                    return (**outcome).clone();
                }
                Some(Slot::Pending(f)) => f.clone(),
                _ => {
                    let (clerk, token, deadline) = (clerk.clone(), token.to_owned(), self.timeout);
                    let f = async move { call(&clerk, t, token, deadline).await }
                        .boxed()
                        .shared();
                    slots.insert(key, Slot::Pending(f.clone()));
                    f
                }
            }
        };
        let outcome = pending.clone().await;
        // Whoever sees the call finish settles its slot (the caller that started it may have
        // been cancelled).
        let mut slots = self.lock();
        if let Some(Slot::Pending(f)) = slots.get(&key)
            && f.ptr_eq(&pending)
        {
            match self.keep_for(&outcome) {
                Some(d) => {
                    if let Some(slot) = slots.get_mut(&key) {
                        *slot = Slot::Ready {
                            outcome: Box::new(outcome.clone()),
                            until: Instant::now() + d,
                        };
                    }
                }
                None => {
                    slots.remove(&key);
                }
            }
        }
        outcome
    }
}
