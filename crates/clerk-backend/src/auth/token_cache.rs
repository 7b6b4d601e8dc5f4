//! A bounded cache of verified session tokens.

use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::bounded::BoundedMap;
use super::claims::SessionClaims;

const SHARDS: usize = 8;
/// Tokens longer than this are verified every time, never cached.
const MAX_CACHED_TOKEN_LEN: usize = 4096;

/// The map's keys are already SipHash outputs; hashing them again would be wasted work.
#[derive(Default)]
struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(crate) struct Entry {
    /// The token itself (a live credential): wiped when the entry is dropped.
    token: Box<[u8]>,
    pub(crate) claims: Arc<SessionClaims>,
    pub(crate) exp_ms: i64,
    pub(crate) nbf_ms: Option<i64>,
    pub(crate) iat_ms: Option<i64>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.token);
    }
}

type Shard = BoundedMap<u64, Entry, BuildHasherDefault<IdHasher>>;

/// A bounded cache of verified session tokens, so a token that arrives again (a Clerk session
/// token lives ~60 s and comes with every request of its client) skips the RSA check.
///
/// - Keyed by a keyed SipHash of the whole token; a hit also compares the whole token, so a
///   hash collision can never return another token's claims.
/// - `exp`, `nbf` and `iat` are re-checked (with the clock skew) on every hit.
/// - Emptied when the key set changes (JWKS refresh), and when the options that verified the
///   entries change; a token verified under a key set that was replaced meanwhile is not
///   inserted.
/// - Bounded: at most `capacity` entries (tokens over 4 KiB are never cached), the oldest
///   evicted first without scanning, so memory stays
///   under roughly `capacity × 6 KiB` in the worst case and about `capacity × 1.5 KiB` for
///   typical Clerk tokens.
///
/// Enable it with [`VerifyOptions::token_cache`](super::VerifyOptions::token_cache).
pub struct TokenCache {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    hasher: RandomState,
    keyset: AtomicU64,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache holding at most `capacity` tokens (at least 8).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        TokenCache {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(Shard::new(per_shard)))
                .collect(),
            per_shard,
            hasher: RandomState::new(),
            keyset: AtomicU64::new(0),
        }
    }

    /// Maximum number of entries.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.per_shard * SHARDS
    }

    /// Number of cached tokens.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether the cache is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drop every entry.
    pub fn clear(&self) {
        for s in &self.shards {
            lock(s).clear();
        }
    }

    /// Make sure entries were verified with key set `keyset`; empty the cache if not.
    pub(crate) fn sync_keyset(&self, keyset: u64) {
        if self.keyset.load(Ordering::Acquire) != keyset {
            let prev = self.keyset.swap(keyset, Ordering::AcqRel);
            if prev != keyset {
                self.clear();
            }
        }
    }

    fn slot(&self, token: &str) -> (u64, &Mutex<Shard>) {
        let h = self.hasher.hash_one(token);
        #[allow(clippy::cast_possible_truncation)]
        let shard = &self.shards[(h >> 59) as usize % SHARDS];
        (h, shard)
    }

    /// Run `f` on the entry of `token`, if cached. `f` returns `None` to evict the entry.
    pub(crate) fn with_entry<R>(
        &self,
        token: &str,
        f: impl FnOnce(&Entry) -> Option<R>,
    ) -> Option<Option<R>> {
        let (h, shard) = self.slot(token);
        let mut map = lock(shard);
        let entry = map.get(&h)?;
        if !same(&entry.token, token.as_bytes()) {
            return None;
        }
        let r = f(entry);
        if r.is_none() {
            map.remove(&h);
        }
        Some(r)
    }

    /// Cache `claims`, verified under key set `keyset`: skipped when the cache now belongs
    /// to another key set (the keys were replaced while this token was being verified).
    pub(crate) fn insert(
        &self,
        token: &str,
        claims: &Arc<SessionClaims>,
        times: (i64, Option<i64>, Option<i64>),
        keyset: u64,
    ) {
        if token.len() > MAX_CACHED_TOKEN_LEN || self.keyset.load(Ordering::Acquire) != keyset {
            return;
        }
        let (h, shard) = self.slot(token);
        let (exp_ms, nbf_ms, iat_ms) = times;
        lock(shard).insert(
            h,
            Entry {
                token: token.as_bytes().into(),
                claims: claims.clone(),
                exp_ms,
                nbf_ms,
                iat_ms,
            },
        );
    }
}

fn lock(m: &Mutex<Shard>) -> std::sync::MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Constant-time comparison (the cached token is a live credential). `subtle`'s slice
/// comparison fences every byte (about 1 ns each, tripling the cost of a cache hit), so the
/// bytes are folded eight at a time without branches and only the result goes through
/// `subtle`.
fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut diff = wa
        .remainder()
        .iter()
        .zip(wb.remainder())
        .fold(0u64, |d, (x, y)| d | u64::from(x ^ y));
    for (x, y) in wa.zip(wb) {
        diff |= word(x) ^ word(y);
    }
    diff.ct_eq(&0).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::claims::RawClaims;

    fn claims() -> Arc<SessionClaims> {
        let raw: RawClaims = serde_json::from_str(r#"{"sub":"user_1"}"#).unwrap();
        Arc::new(raw.into_session_claims("user_1".into(), 10.0).unwrap())
    }

    #[test]
    fn entries_of_a_replaced_key_set_are_not_inserted() {
        let cache = TokenCache::new(16);
        cache.sync_keyset(7);
        cache.insert("t1", &claims(), (i64::MAX, None, None), 6);
        assert!(
            cache.is_empty(),
            "verified under key set 6, the cache is on 7"
        );
        cache.insert("t1", &claims(), (i64::MAX, None, None), 7);
        assert_eq!(cache.len(), 1);
        cache.sync_keyset(8);
        assert!(cache.is_empty());
    }

    #[test]
    fn comparison() {
        for n in [0, 1, 7, 8, 9, 900] {
            let a: Vec<u8> = (0..n).map(|i| i as u8).collect();
            assert!(same(&a, &a));
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x40;
                assert!(!same(&a, &b), "{n} {i}");
            }
            assert!(!same(&a, &[a.as_slice(), b"x"].concat()));
        }
    }

    #[test]
    fn full_shards_evict_without_growing() {
        let cache = TokenCache::new(8);
        for i in 0..10_000 {
            cache.insert(&format!("token-{i}"), &claims(), (i64::MAX, None, None), 0);
        }
        assert!(cache.len() <= cache.capacity());
        assert!(cache.with_entry("token-9999", |_| Some(())).is_some());
    }
}
