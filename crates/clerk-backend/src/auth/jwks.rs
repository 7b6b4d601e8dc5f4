//! The remote JWKS cache: one per Clerk instance (server URL + secret key), refreshed on TTL
//! and on an unknown `kid`, single-flight, with a minimum interval between fetches.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::error::{TokenVerificationErrorReason as Reason, VerifyError};
use super::keys::{Algorithm, KeySet};
use crate::Clerk;
use crate::error::Error;
use crate::pipeline::{ApiRequest, Operation, OperationInfo, RequestOptions};
use crate::transport::{Body, RawResponse};

/// `GET /jwks` with the generated operation metadata; the body is kept raw because the
/// minimal JWK parser here skips keys it cannot use (the spec's `JWKS` schema is a loose
/// `oneOf`), and parses each usable key once.
pub(crate) struct GetJwks;

impl Operation for GetJwks {
    type Output = Bytes;
    const INFO: &'static OperationInfo = &crate::operations::JWKS_GET_JWKS;
    fn build(self) -> crate::Result<ApiRequest> {
        Ok(ApiRequest {
            info: Self::INFO,
            path: Self::INFO.path.to_owned(),
            query: String::new(),
            body: Body::Empty,
            options: RequestOptions::default(),
        })
    }
    fn decode(response: RawResponse) -> crate::Result<Bytes> {
        Ok(response.body)
    }
}

/// Upper bound of one JWKS fetch, whatever the client's own timeout.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

struct Loaded {
    set: Arc<KeySet>,
    fetched_at: Instant,
}

#[derive(Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_error: Option<VerifyError>,
}

/// Keys of one instance.
pub(crate) struct JwksCache {
    loaded: RwLock<Option<Loaded>>,
    fetch: tokio::sync::Mutex<FetchState>,
    /// Bumped after every completed fetch attempt.
    generation: AtomicU64,
    /// A background refresh is running.
    refreshing: AtomicBool,
}

/// What a lookup found.
pub(crate) enum Lookup<T> {
    /// The key was found; `fresh` is false past the TTL.
    Found { value: T, keyset: u64, fresh: bool },
    /// Keys are loaded but none has this `kid`.
    Missing,
    /// Nothing loaded yet.
    Empty,
}

impl JwksCache {
    fn new() -> Self {
        JwksCache {
            loaded: RwLock::new(None),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
            generation: AtomicU64::new(0),
            refreshing: AtomicBool::new(false),
        }
    }

    /// The cache of the instance `clerk` talks to. Two clients with the same server URL and
    /// secret key share it; any other pair never does.
    pub(crate) fn for_client(clerk: &Clerk) -> Arc<JwksCache> {
        static REGISTRY: OnceLock<Mutex<HashMap<[u8; 32], Arc<JwksCache>>>> = OnceLock::new();
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(clerk.server_url().as_bytes());
        ctx.update(&[0]);
        if let Some(k) = clerk.secret_key() {
            ctx.update(k.expose().as_bytes());
        }
        let mut id = [0u8; 32];
        id.copy_from_slice(ctx.finish().as_ref());
        let mut map = REGISTRY
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(id)
            .or_insert_with(|| Arc::new(JwksCache::new()))
            .clone()
    }

    /// Id of the current key set (0 when none is loaded).
    pub(crate) fn keyset_id(&self) -> u64 {
        self.read().as_ref().map_or(0, |l| l.set.id)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Option<Loaded>> {
        self.loaded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Verify with the key `kid` without awaiting anything.
    #[inline]
    pub(crate) fn verify_with(
        &self,
        kid: Option<&str>,
        ttl: Duration,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Lookup<bool> {
        let guard = self.read();
        let Some(loaded) = guard.as_ref() else {
            return Lookup::Empty;
        };
        match loaded.set.find(kid) {
            Some(key) => Lookup::Found {
                value: key.verify(alg, message, signature),
                keyset: loaded.set.id,
                fresh: loaded.fetched_at.elapsed() < ttl,
            },
            None => Lookup::Missing,
        }
    }

    /// Fetch the JWKS unless another task just did (single-flight) or the last attempt was
    /// less than `min_interval` ago. `Ok` means "look again"; `Err` is the last fetch error.
    pub(crate) async fn refresh(
        &self,
        clerk: &Clerk,
        min_interval: Duration,
    ) -> Result<(), VerifyError> {
        let seen = self.generation.load(Ordering::Acquire);
        let state = self.fetch.lock().await;
        self.refresh_locked(state, seen, clerk, min_interval).await
    }

    /// Refresh stale keys on a background task (at most one at a time), so that no request
    /// waits for a fetch while usable keys are cached. Without a tokio runtime, nothing happens
    /// (the keys stay in use until a lookup misses).
    pub(crate) fn spawn_refresh(self: &Arc<Self>, clerk: &Clerk, min_interval: Duration) {
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            self.refreshing.store(false, Ordering::Release);
            return;
        };
        let (cache, clerk) = (Arc::clone(self), clerk.clone());
        handle.spawn(async move {
            let _ = cache.refresh(&clerk, min_interval).await;
            cache.refreshing.store(false, Ordering::Release);
        });
    }

    async fn refresh_locked(
        &self,
        mut state: tokio::sync::MutexGuard<'_, FetchState>,
        seen: u64,
        clerk: &Clerk,
        min_interval: Duration,
    ) -> Result<(), VerifyError> {
        if self.generation.load(Ordering::Acquire) != seen {
            // Someone fetched while we waited: use their result.
            return state.last_error.clone().map_or(Ok(()), Err);
        }
        if let Some(at) = state.last_attempt
            && at.elapsed() < min_interval
        {
            return state.last_error.clone().map_or(Ok(()), Err);
        }
        state.last_attempt = Some(Instant::now());
        let result = match tokio::time::timeout(FETCH_TIMEOUT, fetch(clerk)).await {
            Ok(r) => r,
            Err(_) => Err(VerifyError::new(
                Reason::RemoteJwkFailedToLoad,
                format!("fetching the JWKS timed out after {FETCH_TIMEOUT:?}"),
            )),
        };
        match result {
            Ok(set) => {
                tracing::debug!(target: "clerk_backend", keys = set.keys.len(), "JWKS refreshed");
                *self
                    .loaded
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Loaded {
                    set: Arc::new(set),
                    fetched_at: Instant::now(),
                });
                state.last_error = None;
            }
            Err(e) => {
                tracing::warn!(target: "clerk_backend", reason = %e.reason(), "JWKS fetch failed: {}", e.message());
                state.last_error = Some(e);
            }
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        state.last_error.clone().map_or(Ok(()), Err)
    }
}

async fn fetch(clerk: &Clerk) -> Result<KeySet, VerifyError> {
    match clerk.call(GetJwks).await {
        Ok(body) => KeySet::from_jwks_json(&body),
        Err(Error::Api(e)) if e.is_unauthorized() => Err(VerifyError::new(
            Reason::InvalidSecretKey,
            format!(
                "fetching the JWKS was refused ({}): check the secret key",
                e.status()
            ),
        )),
        Err(Error::InvalidRequest(m)) => Err(VerifyError::new(Reason::InvalidSecretKey, m)),
        Err(e) => Err(VerifyError::new(
            Reason::RemoteJwkFailedToLoad,
            format!("fetching the JWKS failed: {e}"),
        )),
    }
}
