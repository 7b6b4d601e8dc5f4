//! Per-call options (`with_timeout`, `with_deadline`, `with_retry`, `with_header`).

use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::retry::RetryConfig;

/// Options that apply to one call, overriding the client's.
///
/// Its `Debug` hides sensitive header values.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Timeout of each attempt of this call (`Duration::MAX`: none).
    pub timeout: Option<Duration>,
    /// Deadline of the whole call: attempts, waits between them and body reads
    /// (`Duration::MAX`: none).
    pub deadline: Option<Duration>,
    /// Retry policy for this call.
    pub retry: Option<RetryConfig>,
    /// Extra headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Why a header given to [`header`](Self::header) was refused (reported at send, without
    /// the value).
    pub(crate) header_error: Option<String>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field(
                "headers",
                &crate::redact::headers_debug(self.headers.iter().map(|(n, v)| (n, v))),
            )
            .field("header_error", &self.header_error)
            .finish()
    }
}

impl RequestOptions {
    /// Add a header. An invalid name or value is not an error here: the call fails at send
    /// with [`Error::InvalidRequest`](crate::Error::InvalidRequest) naming the header (never
    /// its value).
    #[must_use]
    pub fn header(mut self, name: impl IntoHeaderName, value: impl IntoHeaderValue) -> Self {
        self.push_header(name, value);
        self
    }

    pub(crate) fn push_header(&mut self, name: impl IntoHeaderName, value: impl IntoHeaderValue) {
        let name = match name.into_header_name() {
            Ok(n) => n,
            Err(shown) => {
                self.header_error
                    .get_or_insert(format!("the header name {shown} is invalid"));
                return;
            }
        };
        match value.into_header_value() {
            Some(v) => self.headers.push((name, v)),
            None => {
                self.header_error.get_or_insert(format!(
                    "the value of header `{name}` is invalid (it must be visible ASCII, \
                     spaces or tabs, with no line breaks)"
                ));
            }
        }
    }
}

/// A header name: `&str`, `String` or [`HeaderName`].
pub trait IntoHeaderName {
    /// The name, or how to show the rejected one (quoted, cut to 64 characters).
    ///
    /// # Errors
    /// When the name is not a valid header name.
    fn into_header_name(self) -> Result<HeaderName, String>;
}

impl IntoHeaderName for HeaderName {
    fn into_header_name(self) -> Result<HeaderName, String> {
        Ok(self)
    }
}
impl IntoHeaderName for &HeaderName {
    fn into_header_name(self) -> Result<HeaderName, String> {
        Ok(self.clone())
    }
}
impl IntoHeaderName for &str {
    fn into_header_name(self) -> Result<HeaderName, String> {
        HeaderName::try_from(self).map_err(|_| {
            let shown: String = self.chars().take(64).collect();
            format!("{shown:?}")
        })
    }
}
impl IntoHeaderName for String {
    fn into_header_name(self) -> Result<HeaderName, String> {
        self.as_str().into_header_name()
    }
}

/// A header value: `&str`, `String`, bytes or [`HeaderValue`].
pub trait IntoHeaderValue {
    /// The value, or `None` when it has bytes a header cannot carry.
    fn into_header_value(self) -> Option<HeaderValue>;
}

impl IntoHeaderValue for HeaderValue {
    fn into_header_value(self) -> Option<HeaderValue> {
        Some(self)
    }
}
impl IntoHeaderValue for &HeaderValue {
    fn into_header_value(self) -> Option<HeaderValue> {
        Some(self.clone())
    }
}
impl IntoHeaderValue for &str {
    fn into_header_value(self) -> Option<HeaderValue> {
        HeaderValue::try_from(self).ok()
    }
}
impl IntoHeaderValue for String {
    fn into_header_value(self) -> Option<HeaderValue> {
        HeaderValue::try_from(self).ok()
    }
}
impl IntoHeaderValue for &[u8] {
    fn into_header_value(self) -> Option<HeaderValue> {
        HeaderValue::from_bytes(self).ok()
    }
}

/// Adds the `with_*` per-call option methods to a generated request type.
#[allow(unused_macros)] // used by the generated request types
macro_rules! request_options {
    () => {
        /// Override the client's per-attempt timeout for this call (`Duration::MAX`: none).
        pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }
        /// Override the client's deadline for this call: attempts, waits between them and
        /// body reads together (`Duration::MAX`: none).
        pub fn with_deadline(mut self, deadline: ::std::time::Duration) -> Self {
            self.options.deadline = Some(deadline);
            self
        }
        /// Override the client's retry policy for this call.
        pub fn with_retry(mut self, retry: $crate::RetryConfig) -> Self {
            self.options.retry = Some(retry);
            self
        }
        /// Add a header to this call: `&str`, `String`, `HeaderName` / `HeaderValue`. An
        /// invalid one fails the call at send with `Error::InvalidRequest` naming the header;
        /// a credential-like one is never shown in `Debug` or logs.
        pub fn with_header(
            mut self,
            name: impl $crate::pipeline::IntoHeaderName,
            value: impl $crate::pipeline::IntoHeaderValue,
        ) -> Self {
            self.options.push_header(name, value);
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

    fn req() -> Req {
        Req {
            options: RequestOptions::default(),
        }
    }

    #[test]
    fn macro_methods_set_the_options() {
        let r = req()
            .with_timeout(Duration::from_secs(2))
            .with_deadline(Duration::from_secs(9))
            .with_retry(RetryConfig::none())
            .with_header(
                ::http::HeaderName::from_static("x-a"),
                ::http::HeaderValue::from_static("1"),
            )
            .with_header("Prefer", "return=minimal")
            .with_header(String::from("x-b"), String::from("2"));
        assert_eq!(r.options.timeout, Some(Duration::from_secs(2)));
        assert_eq!(r.options.deadline, Some(Duration::from_secs(9)));
        assert_eq!(r.options.retry, Some(RetryConfig::none()));
        assert_eq!(r.options.headers.len(), 3);
        assert_eq!(r.options.headers[1].0, "prefer");
        assert!(r.options.header_error.is_none());
    }

    #[test]
    fn invalid_headers_are_named_never_shown() {
        let r = req().with_header("x-ok", "bad\nsecretvalue123");
        let msg = r.options.header_error.unwrap();
        assert!(
            msg.contains("x-ok") && !msg.contains("secretvalue123"),
            "{msg}"
        );
        let r = req().with_header("bad name", "v");
        assert!(r.options.header_error.unwrap().contains("\"bad name\""));
        assert!(r.options.headers.is_empty());
    }
}
