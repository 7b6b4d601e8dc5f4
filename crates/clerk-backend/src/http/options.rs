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
                &super::redact::headers_debug(self.headers.iter().map(|(n, v)| (n, v))),
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
        pub fn with_retry(mut self, retry: crate::RetryConfig) -> Self {
            self.options.retry = Some(retry);
            self
        }
        /// Add a header to this call.
        pub fn with_header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
            self.options.headers.push((name, value));
            self
        }
    };
}
#[allow(unused_imports)]
pub(crate) use request_options;
