//! The API's timestamps are unix milliseconds (`i64`, kept as-is in the models so nothing is
//! lost); these convert them to and from [`SystemTime`].
//!
//! ```
//! use clerk_backend::timestamp::{to_system_time, to_unix_millis};
//! let t = to_system_time(1_716_883_200_000).unwrap();
//! assert_eq!(to_unix_millis(t), 1_716_883_200_000);
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A model's unix-milliseconds timestamp as a [`SystemTime`]; `None` if the platform cannot
/// represent it.
#[must_use]
pub fn to_system_time(millis: i64) -> Option<SystemTime> {
    let offset = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    }
}

/// A [`SystemTime`] as unix milliseconds, for request fields; saturates at the `i64` range.
#[must_use]
pub fn to_unix_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |m| -m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_both_sides_of_the_epoch() {
        for ms in [0, 1, -1, 1_716_883_200_123, -86_400_000] {
            assert_eq!(to_unix_millis(to_system_time(ms).unwrap()), ms);
        }
        assert_eq!(
            to_system_time(1_500).unwrap(),
            UNIX_EPOCH + Duration::from_millis(1_500)
        );
    }

    #[test]
    fn extremes_do_not_panic() {
        let _ = to_system_time(i64::MAX);
        let _ = to_system_time(i64::MIN);
    }
}
