//! Injected failures and the opt-in rate limiter.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

/// A failure to answer instead of the real response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `429 Too Many Requests` with `Retry-After` (whole seconds).
    RateLimited {
        /// The `Retry-After` value.
        retry_after: Duration,
    },
    /// `503 Service Unavailable`.
    Unavailable,
    /// The connection is dropped before a complete response is sent.
    Reset,
}

#[derive(Default)]
pub(crate) struct Faults {
    /// Key: `group.name` of an operation, or `*` for every operation.
    queued: Mutex<HashMap<String, VecDeque<Fault>>>,
}

impl Faults {
    pub(crate) fn push(&self, operation: &str, fault: Fault, times: usize) {
        let mut q = self
            .queued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let e = q.entry(operation.to_owned()).or_default();
        e.extend(std::iter::repeat_n(fault, times));
    }

    /// The next fault for `group.name`, consuming it.
    pub(crate) fn take(&self, operation: &str) -> Option<Fault> {
        let mut q = self
            .queued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in [operation, "*"] {
            if let Some(f) = q.get_mut(key).and_then(VecDeque::pop_front) {
                return Some(f);
            }
        }
        None
    }

    pub(crate) fn clear(&self) {
        self.queued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

/// A sliding-window limit: at most `max` requests per `window`, per instance.
pub(crate) struct RateLimiter {
    pub(crate) max: usize,
    pub(crate) window_ms: i64,
    hits: Mutex<VecDeque<i64>>,
}

impl RateLimiter {
    /// Clerk's Backend API limit for development instances: 100 requests per 10 seconds.
    pub(crate) fn clerk_default() -> Self {
        Self::new(100, Duration::from_secs(10))
    }

    pub(crate) fn new(max: usize, window: Duration) -> Self {
        RateLimiter {
            max,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
            hits: Mutex::new(VecDeque::new()),
        }
    }

    /// `Err(retry_after_seconds)` when the request is over the limit.
    pub(crate) fn check(&self, now_ms: i64) -> Result<(), u64> {
        let mut hits = self
            .hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while hits.front().is_some_and(|t| *t <= now_ms - self.window_ms) {
            hits.pop_front();
        }
        if hits.len() >= self.max {
            let oldest = hits.front().copied().unwrap_or(now_ms);
            let wait_ms = (oldest + self.window_ms - now_ms).max(0);
            return Err(u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000).max(1));
        }
        hits.push_back(now_ms);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clerks_limit_is_100_per_10_seconds_with_retry_after() {
        let rl = RateLimiter::clerk_default();
        for i in 0..100 {
            assert_eq!(rl.check(1_000 + i), Ok(()), "request {i}");
        }
        // the 101st within the window waits until the oldest hit leaves it
        assert_eq!(rl.check(5_000), Err(6));
        assert_eq!(rl.check(10_999), Err(1));
        assert_eq!(
            rl.check(11_000),
            Ok(()),
            "the first hit (t=1000) left the window"
        );
    }

    #[test]
    fn faults_are_consumed_in_order_per_operation() {
        let f = Faults::default();
        f.push("users.get", Fault::Unavailable, 2);
        f.push("*", Fault::Reset, 1);
        assert_eq!(f.take("users.get"), Some(Fault::Unavailable));
        assert_eq!(f.take("users.list"), Some(Fault::Reset));
        assert_eq!(f.take("users.get"), Some(Fault::Unavailable));
        assert_eq!(f.take("users.get"), None);
    }
}
