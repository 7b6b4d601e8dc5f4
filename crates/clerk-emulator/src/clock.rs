//! The emulator's clock: wall time plus an offset tests can set and advance.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 9999-12-31T23:59:59.999Z.
const MAX_MS: i64 = 253_402_300_799_999;

/// Milliseconds since the epoch, shifted by a test-controlled offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

pub(crate) fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Clock {
    /// Clamped to years 1970–9999, so expiry arithmetic on it never overflows.
    pub(crate) fn now_ms(&self) -> i64 {
        wall_ms()
            .saturating_add(self.offset_ms.load(Ordering::Relaxed))
            .clamp(0, MAX_MS)
    }

    /// Make `now` be `at_ms`; time keeps running from there.
    pub(crate) fn set_ms(&self, at_ms: i64) {
        self.offset_ms
            .store(at_ms.saturating_sub(wall_ms()), Ordering::Relaxed);
    }

    pub(crate) fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(ms))
            });
    }
}
