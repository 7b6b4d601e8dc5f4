//! Errors returned by every call.
//!
//! One enum, [`Error`], so `?` works everywhere; its variants carry enough to act on
//! (status, Clerk error codes, trace id, `Retry-After`) without ever echoing a secret.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::decode::DecodeError;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling the Backend API.
///
/// Every error says how far the request got ([`Error::delivery`]): not sent, sent with no
/// answer, or answered with a status — so a caller knows whether the server may have acted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-2xx status (redirects included: they are never followed).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The server answered 2xx but the body does not fit the model.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// An attempt exceeded its timeout, or the call its deadline.
    #[error("{}", timeout_message(*.after, *.whole_call, *.delivery))]
    Timeout {
        /// The limit that was reached (zero when a custom HTTP client's own timeout fired and
        /// the duration is not known).
        after: Duration,
        /// Whether the call's deadline (attempts, waits and body reads together) was reached,
        /// rather than one attempt's timeout.
        whole_call: bool,
        /// How far the request got.
        delivery: Delivery,
    },
    /// The connection failed (DNS, refused, reset, TLS, a body cut short).
    #[error("connection error ({delivery}): {message}")]
    Connection {
        /// What failed, without the request URL.
        message: String,
        /// How far the request got ([`Delivery::NotSent`]: safe to retry any method).
        delivery: Delivery,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The response body is longer than the client's limit
    /// ([`ClerkBuilder::max_response_bytes`](crate::ClerkBuilder::max_response_bytes)); reading
    /// stopped there.
    #[error(
        "the response to this call (status {status}) is larger than the limit of {limit} bytes \
         (raise it with ClerkBuilder::max_response_bytes)"
    )]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The status the server answered with.
        status: StatusCode,
    },
    /// The request could not be built: missing required field, bad configuration, bad file.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Anything else (an I/O error reading an upload, a transport bug).
    #[error("unexpected error: {0}")]
    Unexpected(String),
    /// A `before_request` hook refused the request; it was not sent.
    #[error("request stopped by a before_request hook: {0}")]
    Hook(Box<dyn std::error::Error + Send + Sync>),
}

/// How far a request got before its call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Nothing reached the server (the connection could not be made, a hook refused, the
    /// request was invalid): any method is safe to retry.
    NotSent,
    /// The request may have reached the server, but no status came back: the server may have
    /// acted.
    SentNoAnswer,
    /// The server answered with this status (its body may then have broken off): it acted
    /// on the request as the status says.
    Answered(StatusCode),
}

impl Delivery {
    /// Whether the request may have reached the server.
    #[must_use]
    pub fn maybe_sent(self) -> bool {
        !matches!(self, Delivery::NotSent)
    }

    /// The status, when the server answered.
    #[must_use]
    pub fn status(self) -> Option<StatusCode> {
        match self {
            Delivery::Answered(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Delivery::NotSent => f.write_str("not sent"),
            Delivery::SentNoAnswer => f.write_str("sent, no answer"),
            Delivery::Answered(s) => write!(f, "answered with status {}", s.as_u16()),
        }
    }
}

fn timeout_message(after: Duration, whole_call: bool, delivery: Delivery) -> String {
    let what = if whole_call {
        "the call's deadline passed"
    } else {
        "request timed out"
    };
    let body = if delivery.status().is_some() {
        ", the body did not arrive in time"
    } else {
        ""
    };
    if after.is_zero() {
        format!("{what} ({delivery}{body})")
    } else {
        format!("{what} after {after:?} ({delivery}{body})")
    }
}

impl Error {
    /// The API error, if this is one.
    #[must_use]
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status the server answered with: of an API or decode error, an oversized
    /// response, or a response whose body broke off or timed out after the status arrived.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        self.delivery().status()
    }

    /// How far the request got: not sent, sent with no answer, or answered with a status.
    #[must_use]
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Api(e) => Delivery::Answered(e.status),
            Error::Decode(e) => Delivery::Answered(e.status),
            Error::ResponseTooLarge { status, .. } => Delivery::Answered(*status),
            Error::Timeout { delivery, .. } | Error::Connection { delivery, .. } => *delivery,
            Error::InvalidRequest(_) | Error::Hook(_) => Delivery::NotSent,
            Error::Unexpected(_) => Delivery::SentNoAnswer,
        }
    }

    /// Whether the request may have reached the server (the server may have acted).
    #[must_use]
    pub fn maybe_sent(&self) -> bool {
        self.delivery().maybe_sent()
    }

    /// How long the server asked us to wait before trying again (`Retry-After` of a 429 or
    /// 503), when retries are off or exhausted.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api().and_then(ApiError::retry_after)
    }

    /// Whether this is a timeout (of an attempt or of the whole call).
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether this is a connection error.
    #[must_use]
    pub fn is_connection(&self) -> bool {
        matches!(self, Error::Connection { .. })
    }

    /// A connection error (for [`Transport`](crate::transport::Transport) implementations).
    pub fn connection(
        message: impl Into<String>,
        delivery: Delivery,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Connection {
            message: message.into(),
            delivery,
            source,
        }
    }

    /// An attempt's timeout (for [`Transport`](crate::transport::Transport) implementations
    /// whose HTTP stack has its own timeouts; `after` may be zero when unknown).
    #[must_use]
    pub fn timeout(after: Duration, delivery: Delivery) -> Self {
        Error::Timeout {
            after,
            whole_call: false,
            delivery,
        }
    }

    /// An error for a `before_request` hook to return: the call stops, nothing is sent.
    pub fn hook(reason: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Hook(reason.into())
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidRequest(msg.into())
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(Box::new(e))
    }
}

/// One entry of Clerk's `errors[]` array.
///
/// Its `Debug` shows `meta` and the messages with secrets [redacted](crate::redact); the
/// fields hold them as received.
#[derive(Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ClerkError {
    /// Machine-readable code, e.g. `resource_not_found`.
    #[serde(default)]
    pub code: String,
    /// Short human message.
    #[serde(default)]
    pub message: String,
    /// Longer explanation, when Clerk gives one.
    #[serde(default)]
    pub long_message: Option<String>,
    /// Extra structured detail (e.g. `param_name`).
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
}

impl fmt::Debug for ClerkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClerkError")
            .field("code", &crate::redact::Redacted(&self.code))
            .field("message", &crate::redact::Redacted(&self.message))
            .field(
                "long_message",
                &self.long_message.as_deref().map(crate::redact::Redacted),
            )
            .field("meta", &self.meta.as_ref().map(crate::redact::JsonShown))
            .finish()
    }
}

#[derive(Deserialize)]
struct ClerkErrorsBody {
    #[serde(default)]
    errors: Vec<ClerkError>,
    #[serde(default)]
    meta: Option<serde_json::Value>,
    #[serde(default)]
    clerk_trace_id: Option<String>,
}

/// A non-2xx answer from the API.
///
/// `Display` and `Debug` show the body with secrets [redacted](crate::redact); the
/// `body` field holds it exactly as received.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Parsed `errors[]` (empty when the body was not Clerk's error JSON, e.g. a proxy's HTML).
    pub errors: Vec<ClerkError>,
    /// Top-level `meta` of the error body.
    pub meta: Option<serde_json::Value>,
    /// `clerk_trace_id` from the body, else the `x-clerk-trace-id` / `clerk-trace-id` header.
    pub trace_id: Option<String>,
    /// Parsed `Retry-After` header.
    pub retry_after: Option<Duration>,
    /// The raw body, exactly as received.
    pub body: Bytes,
    /// Response headers (rate-limit and trace headers live here).
    pub headers: HeaderMap,
}

impl ApiError {
    /// Build from a response; never fails (an unparseable body just leaves `errors` empty).
    #[must_use]
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: Bytes) -> Self {
        let parsed: Option<ClerkErrorsBody> = serde_json::from_slice(&body).ok();
        let (errors, meta, body_trace) = match parsed {
            Some(b) => (b.errors, b.meta, b.clerk_trace_id),
            None => (Vec::new(), None, None),
        };
        let header_trace = ["x-clerk-trace-id", "clerk-trace-id"].iter().find_map(|h| {
            headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
        ApiError {
            status,
            errors,
            meta,
            trace_id: body_trace.or(header_trace),
            retry_after: parse_retry_after(headers, SystemTime::now()),
            body,
            headers: headers.clone(),
        }
    }

    /// HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// Code of the first error, e.g. `resource_not_found`.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.errors.first().map(|e| e.code.as_str())
    }
    /// Message of the first error.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.errors.first().map(|e| e.message.as_str())
    }
    /// The parsed `errors[]`.
    #[must_use]
    pub fn errors(&self) -> &[ClerkError] {
        &self.errors
    }
    /// Trace id to quote to Clerk support.
    #[must_use]
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }
    /// How long the server asked us to wait (429/503).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
    /// The `Location` header of a redirect (`3XX`): the client never follows one.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }
    /// Whether the server answered with a redirect (`3XX`), which is never followed.
    #[must_use]
    pub fn is_redirect(&self) -> bool {
        self.status.is_redirection()
    }
    /// The raw body as text (lossy).
    #[must_use]
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// 404.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }
    /// 429.
    #[must_use]
    pub fn is_rate_limited(&self) -> bool {
        self.status == StatusCode::TOO_MANY_REQUESTS
    }
    /// 401 or 403.
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Rendered, then redacted as a whole: a server may echo a secret in a message.
        let mut line = String::new();
        self.render(&mut line)?;
        f.write_str(&crate::redact::text(&line))
    }
}

impl ApiError {
    fn render(&self, f: &mut String) -> fmt::Result {
        use fmt::Write as _;
        write!(f, "Clerk API error {}", self.status)?;
        match self.errors.first() {
            Some(e) => {
                write!(f, " {}: {}", e.code, e.message)?;
                if let Some(long) = e.long_message.as_deref().filter(|l| *l != e.message) {
                    write!(f, " ({long})")?;
                }
                if self.errors.len() > 1 {
                    write!(f, " (+{} more)", self.errors.len() - 1)?;
                }
            }
            None if self.body.is_empty() => f.write_str(": empty body")?,
            None => {
                let text = crate::redact::excerpt(&self.body, 512);
                let snippet: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let snippet: String = snippet.chars().take(120).collect();
                write!(f, ": {snippet}")?;
            }
        }
        if let Some(location) = self.location().filter(|_| self.is_redirect()) {
            write!(f, " (redirect to {location}, not followed)")?;
        }
        if let Some(t) = &self.trace_id {
            write!(f, " [trace {t}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("errors", &self.errors)
            .field("meta", &self.meta.as_ref().map(crate::redact::JsonShown))
            .field(
                "trace_id",
                &self.trace_id.as_deref().map(crate::redact::Redacted),
            )
            .field("retry_after", &self.retry_after)
            .field("body", &redacted_body(&self.body))
            .finish()
    }
}

fn redacted_body(body: &[u8]) -> String {
    crate::redact::excerpt(body, 1024)
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
