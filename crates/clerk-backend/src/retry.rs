//! Retry policy: exponential backoff with jitter, `Retry-After`, and method safety.
//!
//! # What is retried
//!
//! | failure | GET, PUT, DELETE, HEAD, OPTIONS | POST, PATCH |
//! | --- | --- | --- |
//! | `429 Too Many Requests` | yes, after `Retry-After` | yes, after `Retry-After` (the server did not act) |
//! | `5XX` except `501` | yes | only with [`RetryConfig::retry_non_idempotent`] |
//! | connection refused / failed before the request was sent | yes¹ | yes¹ |
//! | connection reset after the request may have been sent | yes¹ | only with [`RetryConfig::retry_non_idempotent`]¹ |
//! | timeout ([`Error::Timeout`]) | yes¹ | only with [`RetryConfig::retry_non_idempotent`]¹ |
//! | any other `4XX`, a decode error, an invalid request, a hook failure | no | no |
//!
//! ¹ while [`RetryConfig::retry_connection_errors`] is on (the default). A call gives up after
//! [`max_connect_failures`](RetryConfig::max_connect_failures) attempts in a row (default 3)
//! that could not connect at all, so a wrong server URL fails in about a second instead of
//! retrying for the whole deadline.
//!
//! Retries also draw on the client's [`RetryBudget`], a token bucket shared by every call of a
//! [`Clerk`](crate::Clerk): when most calls are failing, the bucket empties and calls return
//! their first error instead of multiplying the load on a struggling API.
//!
//! Waits grow exponentially from [`initial_interval`](RetryConfig::initial_interval) by
//! [`exponent`](RetryConfig::exponent) up to [`max_interval`](RetryConfig::max_interval), with
//! ±[`jitter`](RetryConfig::jitter) spread so that many clients do not retry in step. A
//! `Retry-After` header (seconds or an HTTP date) replaces the computed wait: it is waited in
//! full (plus a little positive jitter), and if it is longer than `max_interval` or would end
//! past [`max_elapsed`](RetryConfig::max_elapsed), the call gives up at once and returns the
//! error, whose [`ApiError::retry_after`](crate::ApiError::retry_after) says how long the
//! server asked for. No attempt starts after `max_elapsed`, and at most
//! [`max_attempts`](RetryConfig::max_attempts) are made.
//!
//! ```
//! use std::time::Duration;
//! use clerk_backend::RetryConfig;
//!
//! // The spec's policy (the default): 500 ms, ×1.5, ≤ 60 s apart, ≤ 1 h in all (the client's
//! // deadline, 120 s by default, ends a call sooner).
//! let default = RetryConfig::default();
//! assert_eq!(default.initial_interval, Duration::from_millis(500));
//!
//! // Faster and bounded, and POSTs retried on 5XX too (only where repeating is harmless).
//! let eager = RetryConfig::backoff(
//!     Duration::from_millis(100),
//!     Duration::from_secs(2),
//!     2.0,
//!     Duration::from_secs(10),
//! )
//! .max_attempts(4)
//! .retry_non_idempotent(true);
//! assert_eq!(eager.max_attempts, 4);
//!
//! // Never retry.
//! assert!(!RetryConfig::none().enabled);
//! ```

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use http::{Method, StatusCode};

use crate::error::Error;

/// When and how often a failed call is tried again.
///
/// The default is the spec's policy (500 ms initial interval, ×1.5, at most 60 s between
/// tries, at most 1 h in all, within the client's deadline) on 5XX, 429 and connection errors, with ±25 % jitter. A POST or
/// PATCH is retried after a 5XX, a timeout or a connection that failed after the request was
/// sent only with [`RetryConfig::retry_non_idempotent`]. See the [module docs](self) for the
/// full table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Whether to retry at all.
    pub enabled: bool,
    /// First wait.
    pub initial_interval: Duration,
    /// Longest single wait.
    pub max_interval: Duration,
    /// Growth factor of the wait.
    pub exponent: f64,
    /// Give up once this much time has passed since the first try.
    pub max_elapsed: Duration,
    /// Give up after this many attempts in all (first try included).
    pub max_attempts: u32,
    /// Retry connection errors and timeouts.
    pub retry_connection_errors: bool,
    /// Retry POST/PATCH after a 5XX, a timeout or a connection error after sending (the server
    /// may already have acted).
    pub retry_non_idempotent: bool,
    /// Spread of each backoff wait, as a fraction: a wait `w` becomes a random value in
    /// `[w·(1−jitter), w·(1+jitter)]`, capped at `max_interval`. `0.0` turns jitter off.
    pub jitter: f64,
    /// Give up after this many attempts in a row that could not connect (refused, DNS, TLS
    /// handshake, connect timeout): a wrong server URL should fail fast, not hang.
    pub max_connect_failures: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            enabled: true,
            initial_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(60),
            exponent: 1.5,
            max_elapsed: Duration::from_secs(3600),
            max_attempts: u32::MAX,
            retry_connection_errors: true,
            retry_non_idempotent: false,
            jitter: 0.25,
            max_connect_failures: 3,
        }
    }
}

/// Why a failed attempt is being retried (shown in logs and to `after_error` hooks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// `429 Too Many Requests`.
    RateLimited,
    /// A `5XX` status.
    ServerError(StatusCode),
    /// The connection could not be made; the request was not sent.
    ConnectFailed,
    /// The connection failed after the request may have been sent.
    ConnectionLost,
    /// The attempt timed out.
    Timeout,
}

impl std::fmt::Display for RetryReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetryReason::RateLimited => f.write_str("rate limited (429)"),
            RetryReason::ServerError(s) => write!(f, "server error ({})", s.as_u16()),
            RetryReason::ConnectFailed => f.write_str("connection failed before sending"),
            RetryReason::ConnectionLost => f.write_str("connection lost"),
            RetryReason::Timeout => f.write_str("timeout"),
        }
    }
}

/// Whether repeating a request with this method is harmless (RFC 9110 idempotent methods).
#[must_use]
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

impl RetryConfig {
    /// Never retry.
    #[must_use]
    pub fn none() -> Self {
        RetryConfig {
            enabled: false,
            ..RetryConfig::default()
        }
    }

    /// Exponential backoff with the given knobs (the reference SDK's `backoff` strategy).
    #[must_use]
    pub fn backoff(
        initial_interval: Duration,
        max_interval: Duration,
        exponent: f64,
        max_elapsed: Duration,
    ) -> Self {
        RetryConfig {
            initial_interval,
            max_interval,
            exponent,
            max_elapsed,
            ..RetryConfig::default()
        }
    }

    /// Bound the number of attempts (first try included; at least 1).
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Bound the total time spent, waits included (no attempt starts after it).
    #[must_use]
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// Give up after `n` attempts in a row that could not connect (at least 1; default 3).
    #[must_use]
    pub fn max_connect_failures(mut self, n: u32) -> Self {
        self.max_connect_failures = n.max(1);
        self
    }

    /// Retry connection errors and timeouts (default true).
    #[must_use]
    pub fn retry_connection_errors(mut self, yes: bool) -> Self {
        self.retry_connection_errors = yes;
        self
    }

    /// Opt in to retrying POST/PATCH after 5XX, timeouts and connection errors after sending.
    ///
    /// Only for calls where doing the thing twice is harmless: the server may already have
    /// acted on the first try.
    #[must_use]
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// Set the jitter fraction (clamped to `0.0..=1.0`; default 0.25).
    #[must_use]
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1), before jitter.
    #[must_use]
    pub fn interval(&self, attempt: u32) -> Duration {
        let exp = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.initial_interval.as_secs_f64() * self.exponent.powi(exp);
        let max = self.max_interval.as_secs_f64();
        let secs = if secs.is_finite() { secs.min(max) } else { max };
        Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(self.max_interval)
    }

    /// Whether `error` from attempt `attempt` of a `method` call is worth another try, and why.
    /// Ignores time and attempt budgets (see [`RetryConfig::next_wait`]).
    #[must_use]
    pub fn classify(&self, method: &Method, error: &Error) -> Option<RetryReason> {
        if !self.enabled {
            return None;
        }
        let safe = is_idempotent(method) || self.retry_non_idempotent;
        match error {
            Error::Api(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
                Some(RetryReason::RateLimited)
            }
            // 501 says the server will never do it: waiting cannot help.
            Error::Api(e)
                if e.status.is_server_error()
                    && e.status != StatusCode::NOT_IMPLEMENTED
                    && safe =>
            {
                Some(RetryReason::ServerError(e.status))
            }
            Error::Connection { delivery, .. } if self.retry_connection_errors => {
                if !delivery.maybe_sent() {
                    Some(RetryReason::ConnectFailed)
                } else if safe {
                    Some(RetryReason::ConnectionLost)
                } else {
                    None
                }
            }
            Error::Timeout {
                whole_call: false, ..
            } if self.retry_connection_errors && safe => Some(RetryReason::Timeout),
            _ => None,
        }
    }

    /// The wait before the next attempt, or `None` to give up.
    ///
    /// `attempt` is the attempt that just failed (from 1), `elapsed` the time since the first
    /// one started, `random` a number in `[0, 1)` for jitter.
    #[must_use]
    pub fn next_wait(
        &self,
        method: &Method,
        error: &Error,
        attempt: u32,
        elapsed: Duration,
        random: f64,
    ) -> Option<(Duration, RetryReason)> {
        let reason = self.classify(method, error)?;
        if attempt >= self.max_attempts {
            return None;
        }
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let jitter = if self.jitter.is_finite() {
            self.jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let server_wait = match error {
            Error::Api(e) => e.retry_after.filter(|d| !d.is_zero()),
            _ => None,
        };
        let wait = match server_wait {
            Some(asked) => {
                // The server said how long: never sooner; give up rather than exceed our bounds.
                if asked > self.max_interval {
                    return None;
                }
                scale(asked, 1.0 + jitter * 0.5 * random).min(self.max_interval)
            }
            None => {
                let base = self.interval(attempt);
                scale(base, 1.0 - jitter + 2.0 * jitter * random).min(self.max_interval)
            }
        };
        if elapsed.saturating_add(wait) > self.max_elapsed {
            return None;
        }
        Some((wait, reason))
    }
}

/// `d × factor`, saturating instead of panicking (`factor` is finite and ≥ 0 here).
fn scale(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

/// A number in `[0, 1)` for jitter, from the standard library's per-process random hash keys
/// (no RNG crate: jitter needs spread, not cryptographic quality).
pub(crate) fn random_unit() -> f64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    // 53 random bits → [0, 1).
    #[allow(clippy::cast_precision_loss)]
    let r = (h.finish() >> 11) as f64 / (1u64 << 53) as f64;
    r
}

/// A client-wide retry budget: a token bucket shared by every call of one
/// [`Clerk`](crate::Clerk) (and its clones).
///
/// Each retry takes [`retry_cost`](RetryBudget::retry_cost) tokens (a retry after a timeout
/// [`timeout_cost`](RetryBudget::timeout_cost)); a call that succeeds after retrying gives its
/// tokens back, and a call that succeeds at once adds one. When the bucket cannot pay for a
/// retry, the call returns its error at once: a struggling API sees fewer retries, not more.
/// The default (500 tokens, 5 per retry, 10 per timeout retry) allows a burst of 100 retries.
///
/// ```
/// use clerk_backend::retry::RetryBudget;
///
/// let budget = RetryBudget::new(50).retry_cost(5);
/// assert_eq!(budget.available(), Some(50));
/// assert_eq!(RetryBudget::unlimited().available(), None);
/// ```
#[derive(Clone)]
pub struct RetryBudget {
    bucket: Option<Arc<Bucket>>,
}

struct Bucket {
    capacity: u32,
    tokens: AtomicU32,
    retry_cost: AtomicU32,
    timeout_cost: AtomicU32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new(500)
    }
}

impl fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.bucket {
            None => f.write_str("RetryBudget(unlimited)"),
            Some(b) => f
                .debug_struct("RetryBudget")
                .field("available", &b.tokens.load(Ordering::Relaxed))
                .field("capacity", &b.capacity)
                .finish_non_exhaustive(),
        }
    }
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    #[must_use]
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            bucket: Some(Arc::new(Bucket {
                capacity,
                tokens: AtomicU32::new(capacity),
                retry_cost: AtomicU32::new(5),
                timeout_cost: AtomicU32::new(10),
            })),
        }
    }

    /// No budget: every retry the [`RetryConfig`] allows is made.
    #[must_use]
    pub fn unlimited() -> Self {
        RetryBudget { bucket: None }
    }

    /// Tokens one retry takes (default 5).
    #[must_use]
    pub fn retry_cost(self, tokens: u32) -> Self {
        if let Some(b) = &self.bucket {
            b.retry_cost.store(tokens, Ordering::Relaxed);
        }
        self
    }

    /// Tokens a retry after a timeout takes (default 10).
    #[must_use]
    pub fn timeout_cost(self, tokens: u32) -> Self {
        if let Some(b) = &self.bucket {
            b.timeout_cost.store(tokens, Ordering::Relaxed);
        }
        self
    }

    /// Tokens left, or `None` when unlimited.
    #[must_use]
    pub fn available(&self) -> Option<u32> {
        self.bucket
            .as_ref()
            .map(|b| b.tokens.load(Ordering::Relaxed))
    }

    /// Take the tokens for one retry; `None` when the bucket cannot pay.
    pub(crate) fn acquire(&self, reason: RetryReason) -> Option<u32> {
        let Some(b) = &self.bucket else {
            return Some(0);
        };
        let cost = match reason {
            RetryReason::Timeout => b.timeout_cost.load(Ordering::Relaxed),
            _ => b.retry_cost.load(Ordering::Relaxed),
        };
        b.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// A call succeeded after retries that took `spent` tokens (or at once, `spent == 0`).
    pub(crate) fn succeeded(&self, spent: u32) {
        let Some(b) = &self.bucket else { return };
        let back = spent.max(1);
        if b.tokens.load(Ordering::Relaxed) >= b.capacity {
            return;
        }
        let _ = b
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(back).min(b.capacity))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, Delivery, parse_retry_after};
    use bytes::Bytes;
    use http::HeaderMap;
    use std::time::SystemTime;

    fn api(status: u16, retry_after: Option<&str>) -> Error {
        let mut h = HeaderMap::new();
        if let Some(v) = retry_after {
            h.insert("retry-after", v.parse().unwrap());
        }
        ApiError::from_response(StatusCode::from_u16(status).unwrap(), &h, Bytes::new()).into()
    }

    fn conn(maybe_sent: bool) -> Error {
        let delivery = if maybe_sent {
            Delivery::SentNoAnswer
        } else {
            Delivery::NotSent
        };
        Error::connection("x", delivery, None)
    }

    #[test]
    fn classification_by_method_and_failure() {
        let c = RetryConfig::default();
        let (get, post, patch, put) = (Method::GET, Method::POST, Method::PATCH, Method::PUT);
        let timeout = Error::timeout(Duration::from_secs(1), Delivery::SentNoAnswer);
        // 5XX: idempotent only
        assert!(c.classify(&get, &api(503, None)).is_some());
        assert!(c.classify(&put, &api(500, None)).is_some());
        assert!(c.classify(&get, &api(501, None)).is_none());
        assert!(c.classify(&post, &api(503, None)).is_none());
        assert!(c.classify(&patch, &api(502, None)).is_none());
        // 429: every method
        assert_eq!(
            c.classify(&post, &api(429, None)),
            Some(RetryReason::RateLimited)
        );
        // connection: not sent → every method; maybe sent → idempotent only
        assert_eq!(
            c.classify(&post, &conn(false)),
            Some(RetryReason::ConnectFailed)
        );
        assert!(c.classify(&post, &conn(true)).is_none());
        assert_eq!(
            c.classify(&get, &conn(true)),
            Some(RetryReason::ConnectionLost)
        );
        // timeouts: idempotent only
        assert_eq!(c.classify(&get, &timeout), Some(RetryReason::Timeout));
        assert!(c.classify(&post, &timeout).is_none());
        // other 4XX and non-transport errors: never
        for e in [
            api(400, None),
            api(404, None),
            api(408, None),
            Error::invalid("x"),
        ] {
            assert!(c.classify(&get, &e).is_none(), "{e}");
        }
        // opt-in
        let o = RetryConfig::default().retry_non_idempotent(true);
        assert!(o.classify(&post, &api(503, None)).is_some());
        assert!(o.classify(&post, &conn(true)).is_some());
        assert!(o.classify(&patch, &timeout).is_some());
        // connection errors off
        let n = RetryConfig::default().retry_connection_errors(false);
        assert!(n.classify(&get, &conn(false)).is_none());
        assert!(n.classify(&get, &timeout).is_none());
        assert!(n.classify(&get, &api(503, None)).is_some());
        // disabled
        assert!(
            RetryConfig::none()
                .classify(&get, &api(429, None))
                .is_none()
        );
    }

    #[test]
    fn waits_follow_backoff_with_bounded_jitter() {
        let c = RetryConfig::default();
        let e = api(503, None);
        for attempt in 1..30 {
            let base = c.interval(attempt);
            for r in [0.0, 0.3, 0.999] {
                let (w, _) = c
                    .next_wait(&Method::GET, &e, attempt, Duration::ZERO, r)
                    .unwrap();
                assert!(
                    w >= base.mul_f64(0.75) && w <= base.mul_f64(1.25),
                    "{w:?} vs {base:?}"
                );
                assert!(w <= c.max_interval);
            }
        }
        let none = RetryConfig::default().jitter(0.0);
        let (w, _) = none
            .next_wait(&Method::GET, &e, 2, Duration::ZERO, 0.9)
            .unwrap();
        assert_eq!(w, Duration::from_millis(750));
    }

    #[test]
    fn retry_after_is_waited_in_full_and_bounded() {
        let c = RetryConfig::default();
        let (w, r) = c
            .next_wait(&Method::POST, &api(429, Some("3")), 1, Duration::ZERO, 0.5)
            .unwrap();
        assert_eq!(r, RetryReason::RateLimited);
        assert!(
            w >= Duration::from_secs(3) && w <= Duration::from_millis(3400),
            "{w:?}"
        );
        // longer than max_interval: give up
        assert!(
            c.next_wait(&Method::GET, &api(429, Some("61")), 1, Duration::ZERO, 0.5)
                .is_none()
        );
        // past max_elapsed: give up
        let near_end = Duration::from_secs(3599);
        assert!(
            c.next_wait(&Method::GET, &api(429, Some("5")), 1, near_end, 0.5)
                .is_none()
        );
        // Retry-After: 0 falls back to backoff rather than a hot loop
        let (w, _) = c
            .next_wait(&Method::GET, &api(429, Some("0")), 1, Duration::ZERO, 0.5)
            .unwrap();
        assert_eq!(w, Duration::from_millis(500));
    }

    #[test]
    fn attempt_budget() {
        let c = RetryConfig::default().max_attempts(3);
        let e = api(500, None);
        assert!(
            c.next_wait(&Method::GET, &e, 2, Duration::ZERO, 0.5)
                .is_some()
        );
        assert!(
            c.next_wait(&Method::GET, &e, 3, Duration::ZERO, 0.5)
                .is_none()
        );
        assert_eq!(RetryConfig::default().max_attempts(0).max_attempts, 1);
    }

    #[test]
    fn odd_knobs_never_panic() {
        let c = RetryConfig::backoff(Duration::MAX, Duration::MAX, f64::INFINITY, Duration::MAX)
            .jitter(f64::NAN);
        let _ = c.next_wait(
            &Method::GET,
            &api(503, None),
            u32::MAX,
            Duration::MAX,
            f64::NAN,
        );
        let c = c.jitter(1.0).max_elapsed(Duration::MAX);
        for r in [0.0, 0.999] {
            let _ = c.next_wait(&Method::GET, &api(503, None), 1000, Duration::ZERO, r);
            let huge = u64::MAX.to_string();
            let _ = c.next_wait(&Method::GET, &api(429, Some(&huge)), 1, Duration::ZERO, r);
        }
        let c = RetryConfig::backoff(Duration::ZERO, Duration::ZERO, -3.0, Duration::ZERO);
        let _ = c.next_wait(&Method::GET, &api(503, None), 7, Duration::ZERO, 0.5);
        let _ = c.interval(0);
    }

    #[test]
    fn budget_empties_under_failure_and_refills_on_success() {
        let b = RetryBudget::new(12).retry_cost(5).timeout_cost(10);
        assert_eq!(b.acquire(RetryReason::ConnectFailed), Some(5));
        assert_eq!(b.acquire(RetryReason::RateLimited), Some(5));
        assert_eq!(b.available(), Some(2));
        // cannot pay: no retry, and nothing is taken
        assert_eq!(b.acquire(RetryReason::ConnectFailed), None);
        assert_eq!(b.acquire(RetryReason::Timeout), None);
        assert_eq!(b.available(), Some(2));
        // a retried call that succeeds returns its tokens; a first-try success adds one
        b.succeeded(5);
        assert_eq!(b.available(), Some(7));
        b.succeeded(0);
        assert_eq!(b.available(), Some(8));
        b.succeeded(100);
        assert_eq!(b.available(), Some(12), "never above capacity");
        // clones share one bucket
        let c = b.clone();
        assert_eq!(c.acquire(RetryReason::Timeout), Some(10));
        assert_eq!(b.available(), Some(2));
        let u = RetryBudget::unlimited();
        for _ in 0..1000 {
            assert_eq!(u.acquire(RetryReason::Timeout), Some(0));
        }
    }

    #[test]
    fn deadline_timeouts_are_never_retried() {
        let c = RetryConfig::default();
        let whole = Error::Timeout {
            after: Duration::from_secs(1),
            whole_call: true,
            delivery: Delivery::SentNoAnswer,
        };
        assert!(c.classify(&Method::GET, &whole).is_none());
    }

    #[test]
    fn jitter_source_spreads() {
        let xs: Vec<f64> = (0..64).map(|_| random_unit()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let distinct: std::collections::HashSet<u64> = xs.iter().map(|x| x.to_bits()).collect();
        assert!(distinct.len() > 60);
        assert!(xs.iter().any(|x| *x < 0.5) && xs.iter().any(|x| *x >= 0.5));
    }

    #[test]
    fn intervals_grow_and_cap() {
        let c = RetryConfig::default();
        assert_eq!(c.interval(1), Duration::from_millis(500));
        assert_eq!(c.interval(2), Duration::from_millis(750));
        assert_eq!(c.interval(40), Duration::from_secs(60));
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(
            parse_retry_after(&h, SystemTime::now()),
            Some(Duration::from_secs(3))
        );
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        h.insert("retry-after", later.parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), None);
    }
}
