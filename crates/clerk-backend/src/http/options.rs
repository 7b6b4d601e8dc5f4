//! Per-call options (`with_timeout`, `with_retry`, `with_header`).

use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::retry::RetryConfig;

/// Options that apply to one call, overriding the client's.
///
/// Its `Debug` hides sensitive header values.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Timeout for the whole call.
    pub timeout: Option<Duration>,
    /// Retry policy for this call.
    pub retry: Option<RetryConfig>,
    /// Extra headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field(
                "headers",
                &crate::redact::headers_debug(self.headers.iter().map(|(n, v)| (n, v))),
            )
            .finish()
    }
}

/// Adds the `with_*` per-call option methods to a generated request type.
#[allow(unused_macros)] // used by the generated request types
macro_rules! request_options {
    () => {
        /// Override the client's timeout for this call.
        pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }
        /// Override the client's retry policy for this call.
        pub fn with_retry(mut self, retry: $crate::RetryConfig) -> Self {
            self.options.retry = Some(retry);
            self
        }
        /// Add a header to this call.
        pub fn with_header(mut self, name: ::http::HeaderName, value: ::http::HeaderValue) -> Self {
            self.options.headers.push((name, value));
            self
        }
    };
}
#[allow(unused_imports)]
pub(crate) use request_options;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::RequestOptions;
    use crate::RetryConfig;

    struct Req {
        options: RequestOptions,
    }

    impl Req {
        request_options!();
    }

    #[test]
    fn macro_methods_set_the_options() {
        let r = Req {
            options: RequestOptions::default(),
        }
        .with_timeout(Duration::from_secs(2))
        .with_retry(RetryConfig::none())
        .with_header(
            ::http::HeaderName::from_static("x-a"),
            ::http::HeaderValue::from_static("1"),
        );
        assert_eq!(r.options.timeout, Some(Duration::from_secs(2)));
        assert_eq!(r.options.retry, Some(RetryConfig::none()));
        assert_eq!(r.options.headers.len(), 1);
    }
}
