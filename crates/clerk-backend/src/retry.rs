//! Retry policy: exponential backoff with jitter, `Retry-After`, and method safety.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

/// When and how often a failed call is tried again.
///
/// The default is the spec's policy (500 ms initial interval, ×1.5, at most 60 s between
/// tries, at most 1 h in all) on 5XX, 429 and connection errors. A POST or PATCH is retried
/// after a 5XX only with [`RetryConfig::retry_non_idempotent`].
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
    /// Retry connection errors.
    pub retry_connection_errors: bool,
    /// Retry POST/PATCH after a 5XX or a timeout (the server may already have acted).
    pub retry_non_idempotent: bool,
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
        }
    }
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

    /// Exponential backoff with the given knobs.
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

    /// Bound the number of attempts (first try included).
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Retry connection errors (default true).
    #[must_use]
    pub fn retry_connection_errors(mut self, yes: bool) -> Self {
        self.retry_connection_errors = yes;
        self
    }

    /// Opt in to retrying POST/PATCH after 5XX or timeouts.
    #[must_use]
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1), before jitter.
    #[must_use]
    pub fn interval(&self, attempt: u32) -> Duration {
        let exp = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.initial_interval.as_secs_f64() * self.exponent.powi(exp);
        let max = self.max_interval.as_secs_f64();
        Duration::from_secs_f64(if secs.is_finite() { secs.min(max) } else { max })
    }
}

/// Parse `Retry-After` as delta-seconds or an HTTP date (relative to `now`).
#[must_use]
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

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
