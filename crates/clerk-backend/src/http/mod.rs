//! The request pipeline shared by every generated operation:
//! build → `before_request` hooks → transport (with a per-attempt timeout) → status check →
//! `after_success` / `after_error` hooks → retry → decode.
//!
//! Generated request types implement [`Operation`]; [`Clerk::call`] turns one into an HTTP
//! exchange. Everything protocol-specific (paths, query encoding, bodies) is decided here once,
//! so the generated code stays declarative. The retry loop lives in one place,
//! [`Clerk::execute`]; the policy itself is [`RetryConfig`](crate::RetryConfig).
//!
//! Every call is a `tracing` span `clerk_backend.call` (target `clerk_backend`; fields group,
//! operation, method, path) holding one DEBUG event per attempt sent and per response (status,
//! attempt, elapsed), an INFO event per retry (reason, wait) and a DEBUG event for a final
//! failure. URLs and messages in them are [redacted](crate::redact).

mod debug;
mod encode;
mod hooks;
mod options;
mod transport;
mod upload;

use std::fmt;

use crate::redact;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use tracing::Instrument as _;

pub use debug::DebugLogger;
pub use encode::{PathBuilder, QueryValue, QueryWriter};
pub use hooks::HookContext;
pub(crate) use hooks::Hooks;
pub use options::RequestOptions;
pub(crate) use options::request_options;
pub use transport::{BoxFuture, HttpRequest, ReqwestTransport, Transport};
pub use upload::Upload;

use crate::client::Clerk;
use crate::decode::DecodeError;
use crate::error::{ApiError, Error, Result};
use crate::retry::RetryReason;

/// Static description of one API operation (group, name, method, path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// Group, e.g. `users` (`clerk.users()`).
    pub group: &'static str,
    /// Operation name within the group, e.g. `list`.
    pub name: &'static str,
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template relative to the server URL, e.g. `/users/{user_id}`.
    pub path: &'static str,
    /// Whether the operation is deprecated.
    pub deprecated: bool,
    /// Whether the operation sends the secret key.
    pub authenticated: bool,
}

impl OperationInfo {
    /// Describe an operation (authenticated, not deprecated; see the `with_` setters).
    #[must_use]
    pub const fn new(
        group: &'static str,
        name: &'static str,
        operation_id: &'static str,
        method: &'static str,
        path: &'static str,
    ) -> Self {
        OperationInfo {
            group,
            name,
            operation_id,
            method,
            path,
            deprecated: false,
            authenticated: true,
        }
    }

    /// Mark as deprecated or not.
    #[must_use]
    pub const fn with_deprecated(mut self, deprecated: bool) -> Self {
        self.deprecated = deprecated;
        self
    }

    /// Whether the secret key is sent.
    #[must_use]
    pub const fn with_authenticated(mut self, authenticated: bool) -> Self {
        self.authenticated = authenticated;
        self
    }

    /// The method as an [`http::Method`].
    #[must_use]
    pub fn http_method(&self) -> Method {
        Method::from_bytes(self.method.as_bytes()).unwrap_or(Method::GET)
    }
}

/// Marker for a request not yet tied to a client: send it with `.send(&clerk)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Detached;

/// The body of a request, before it is handed to the transport.
///
/// Its `Debug` shows JSON with secret fields [redacted](crate::redact).
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// Serialized JSON.
    Json(Bytes),
    /// `multipart/form-data`: one file part and text fields.
    Multipart {
        /// Form field name of the file.
        field: &'static str,
        /// The file.
        file: Upload,
        /// Other (text) fields.
        text: Vec<(&'static str, String)>,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(b) => f
                .debug_tuple("Json")
                .field(&redact::truncate(&redact::body(b), 512))
                .finish(),
            Body::Multipart { field, file, text } => f
                .debug_struct("Multipart")
                .field("field", field)
                .field("file", file)
                .field("text", text)
                .finish(),
        }
    }
}

/// A request ready for the transport: operation, encoded path and query, body, options.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiRequest {
    /// Which operation this is.
    pub info: &'static OperationInfo,
    /// Path relative to the server URL, percent-encoded.
    pub path: String,
    /// Encoded query string without `?` (empty when none).
    pub query: String,
    /// Body.
    pub body: Body,
    /// Per-call options.
    pub options: RequestOptions,
}

impl ApiRequest {
    /// A request for `info` at `path` (already encoded, relative to the server URL), with no
    /// query, no body and default options.
    #[must_use]
    pub fn new(info: &'static OperationInfo, path: impl Into<String>) -> Self {
        ApiRequest {
            info,
            path: path.into(),
            query: String::new(),
            body: Body::Empty,
            options: RequestOptions::default(),
        }
    }

    /// Set the encoded query string (without `?`).
    #[must_use]
    pub fn with_query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    /// Set the body.
    #[must_use]
    pub fn with_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Set the per-call options.
    #[must_use]
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }
}

/// A response as received: status, headers and the whole body.
///
/// Its `Debug` hides sensitive headers and secret fields of the body.
#[derive(Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl RawResponse {
    /// A response (for [`Transport`] implementations and tests).
    #[must_use]
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        RawResponse {
            status,
            headers,
            body: body.into(),
        }
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &redact::headers_debug(self.headers.iter()))
            .field("body", &redact::truncate(&redact::body(&self.body), 512))
            .finish()
    }
}

/// Implemented by every generated request type.
///
/// Not meant to be implemented outside the crate; it is public so that generic code (e.g. a
/// wrapper that logs every call) can name it.
pub trait Operation: Sized + Send {
    /// What a successful call returns.
    type Output: Send;
    /// Static metadata.
    const INFO: &'static OperationInfo;
    /// Validate and encode the request. Fails (before any I/O) on missing required fields.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when a required field is missing or a value cannot be encoded.
    fn build(self) -> Result<ApiRequest>;
    /// Decode a 2xx response.
    ///
    /// # Errors
    /// [`Error::Decode`] when the body does not fit the model.
    fn decode(response: RawResponse) -> Result<Self::Output>;
}

/// Decode a JSON 2xx body.
///
/// # Errors
/// [`Error::Decode`] with the JSON path of the mismatch.
pub fn decode_json<T: serde::de::DeserializeOwned>(response: RawResponse) -> Result<T> {
    DecodeError::decode(response.status, response.body).map_err(Error::from)
}

/// Decode a 2xx response whose body is ignored (204 or an undeclared body).
///
/// # Errors
/// Never fails today; the signature leaves room for validation.
pub fn decode_empty(_response: RawResponse) -> Result<()> {
    Ok(())
}

/// Decode a text (HTML) 2xx body.
///
/// # Errors
/// [`Error::Decode`] when the body is not UTF-8.
pub fn decode_text(response: RawResponse) -> Result<String> {
    match String::from_utf8(response.body.to_vec()) {
        Ok(s) => Ok(s),
        Err(e) => Err(Error::from(DecodeError::not_text(
            response.status,
            response.body,
            e.to_string(),
        ))),
    }
}

/// Serialize a JSON body.
///
/// # Errors
/// [`Error::InvalidRequest`] if serialization fails (e.g. a non-finite float).
pub fn json_body<T: serde::Serialize>(value: &T) -> Result<Body> {
    serde_json::to_vec(value)
        .map(|v| Body::Json(Bytes::from(v)))
        .map_err(|e| Error::invalid(format!("cannot serialize request body: {e}")))
}

/// The error for a required field the caller did not set.
#[must_use]
pub fn missing(info: &OperationInfo, field: &str) -> Error {
    Error::InvalidRequest(format!(
        "{}.{}: required field `{field}` is not set",
        info.group, info.name
    ))
}

/// How one attempt ended.
enum Attempt {
    /// A 2xx response.
    Success(RawResponse),
    /// A failure the retry policy may retry.
    Failed(Error),
    /// A failure that ends the call at once (a hook refused, the request cannot be built).
    Fatal(Error),
}

impl Clerk {
    /// Send one operation and decode its response.
    ///
    /// # Errors
    /// Any [`Error`]: invalid request, connection, timeout, API error or decode error.
    pub async fn call<O: Operation>(&self, op: O) -> Result<O::Output> {
        let request = op.build()?;
        let response = self.execute(request).await?;
        O::decode(response)
    }

    /// Send a built request through the pipeline (hooks, timeout, retries, logging); non-2xx
    /// becomes [`Error::Api`].
    ///
    /// # Errors
    /// Any transport or API error, or a `before_request` hook's error.
    pub async fn execute(&self, request: ApiRequest) -> Result<RawResponse> {
        let info = request.info;
        let span = tracing::debug_span!(
            target: "clerk_backend",
            "clerk_backend.call",
            group = info.group,
            operation = info.name,
            method = info.method,
            path = info.path,
        );
        self.execute_inner(request).instrument(span).await
    }

    async fn execute_inner(&self, request: ApiRequest) -> Result<RawResponse> {
        let inner = self.inner();
        let info = request.info;
        let policy = request.options.retry.as_ref().unwrap_or(&inner.retry);
        let timeout = request.options.timeout.or(inner.timeout);
        let method = info.http_method();
        let uri = self.request_uri(&request)?;
        let headers = self.request_headers(&request)?;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            let attempt_started = Instant::now();
            let outcome = self
                .attempt(&request, &method, &uri, &headers, attempt, timeout, started)
                .await;
            let error = match outcome {
                Attempt::Success(response) => {
                    if !inner.hooks.after_success.is_empty() {
                        let ctx = HookContext::new(info, attempt, started, None);
                        for hook in &inner.hooks.after_success {
                            hook(&ctx, &response);
                        }
                    }
                    return Ok(response);
                }
                Attempt::Failed(e) => e,
                Attempt::Fatal(e) => {
                    self.report_failure(info, attempt, attempt_started, started, &e, None);
                    return Err(e);
                }
            };
            let retry = policy.next_wait(
                &method,
                &error,
                attempt,
                started.elapsed(),
                crate::retry::random_unit(),
            );
            self.report_failure(info, attempt, attempt_started, started, &error, retry);
            match retry {
                Some((wait, _)) => tokio::time::sleep(wait).await,
                None => return Err(error),
            }
        }
    }

    /// Logs, traces and runs `after_error` hooks for a failed attempt.
    fn report_failure(
        &self,
        info: &'static OperationInfo,
        attempt: u32,
        attempt_started: Instant,
        started: Instant,
        error: &Error,
        retry: Option<(Duration, RetryReason)>,
    ) {
        let inner = self.inner();
        let elapsed = attempt_started.elapsed();
        match retry {
            // The operation is repeated here: at INFO the DEBUG call span may be filtered out.
            Some((wait, reason)) => tracing::info!(
                target: "clerk_backend",
                group = info.group,
                operation = info.name,
                attempt,
                status = error.status().map(|s| s.as_u16()),
                reason = %reason,
                wait_ms = millis(wait),
                elapsed_ms = millis(elapsed),
                error = %redact::Redacted(error),
                "retrying Clerk API call"
            ),
            None => tracing::debug!(
                target: "clerk_backend",
                attempt,
                status = error.status().map(|s| s.as_u16()),
                elapsed_ms = millis(elapsed),
                total_ms = millis(started.elapsed()),
                error = %redact::Redacted(error),
                "Clerk API call failed"
            ),
        }
        if let Some(log) = &inner.debug {
            log.failure(info, attempt, elapsed, error, retry);
        }
        if !inner.hooks.after_error.is_empty() {
            let ctx = HookContext::new(info, attempt, started, retry);
            for hook in &inner.hooks.after_error {
                hook(&ctx, error);
            }
        }
    }

    fn request_uri(&self, request: &ApiRequest) -> Result<http::Uri> {
        let base = &self.inner().base_url;
        let mut url =
            String::with_capacity(base.len() + request.path.len() + 1 + request.query.len());
        url.push_str(base);
        url.push_str(&request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.query);
        }
        http::Uri::try_from(url).map_err(|_| {
            Error::invalid(format!(
                "{}.{}: the request URL is invalid",
                request.info.group, request.info.name
            ))
        })
    }

    /// Every header of the request except those hooks add: defaults, auth, content type,
    /// per-call headers (which replace defaults of the same name).
    fn request_headers(&self, request: &ApiRequest) -> Result<HeaderMap> {
        let inner = self.inner();
        let mut headers = inner.default_headers.clone();
        if request.info.authenticated {
            let key = inner.secret_key.as_ref().ok_or_else(|| {
                Error::invalid(
                    "no secret key configured: set CLERK_SECRET_KEY or call ClerkBuilder::secret_key",
                )
            })?;
            headers.insert(http::header::AUTHORIZATION, key.header_value().clone());
        }
        if matches!(request.body, Body::Json(_)) {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let mut replaced: Vec<&http::HeaderName> = Vec::new();
        for (name, value) in &request.options.headers {
            if replaced.contains(&name) {
                headers.append(name, value.clone());
            } else {
                headers.insert(name, value.clone());
                replaced.push(name);
            }
        }
        Ok(headers)
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        request: &ApiRequest,
        method: &Method,
        uri: &http::Uri,
        headers: &HeaderMap,
        attempt: u32,
        timeout: Option<Duration>,
        started: Instant,
    ) -> Attempt {
        let inner = self.inner();
        let info = request.info;
        let mut http_request = http::Request::new(request.body.clone());
        *http_request.method_mut() = method.clone();
        *http_request.uri_mut() = uri.clone();
        // Not `headers.clone()`: a clone has no spare capacity, so the first header a hook
        // adds would reallocate the map on every attempt.
        let mut attempt_headers = HeaderMap::with_capacity(headers.len() + 8);
        for (name, value) in headers {
            attempt_headers.append(name.clone(), value.clone());
        }
        *http_request.headers_mut() = attempt_headers;
        http_request.extensions_mut().insert(info);
        if !inner.hooks.before_request.is_empty() {
            let ctx = HookContext::new(info, attempt, started, None);
            for hook in &inner.hooks.before_request {
                if let Err(e) = hook(&ctx, &mut http_request) {
                    return Attempt::Fatal(match e {
                        e @ Error::Hook(_) => e,
                        other => Error::Hook(Box::new(other)),
                    });
                }
            }
        }
        tracing::debug!(
            target: "clerk_backend",
            attempt,
            method = %http_request.method(),
            url = %redact::Redacted(http_request.uri()),
            "sending Clerk API request"
        );
        if let Some(log) = &inner.debug {
            log.request(info, attempt, &http_request);
        }
        let attempt_started = Instant::now();
        let send = inner.transport.send(http_request);
        let result = match timeout {
            Some(t) => match tokio::time::timeout(t, send).await {
                Ok(r) => r,
                Err(_) => Err(Error::Timeout(t)),
            },
            None => send.await,
        };
        let response = match result {
            Ok(r) => r,
            Err(Error::Timeout(d)) if d.is_zero() => {
                return Attempt::Failed(Error::Timeout(timeout.unwrap_or(d)));
            }
            Err(e @ Error::InvalidRequest(_)) => return Attempt::Fatal(e),
            Err(e) => return Attempt::Failed(e),
        };
        let elapsed = attempt_started.elapsed();
        tracing::debug!(
            target: "clerk_backend",
            attempt,
            status = response.status.as_u16(),
            elapsed_ms = millis(elapsed),
            "Clerk API response"
        );
        if let Some(log) = &inner.debug {
            log.response(info, attempt, elapsed, &response);
        }
        if response.status.is_success() {
            Attempt::Success(response)
        } else {
            Attempt::Failed(
                ApiError::from_response(response.status, &response.headers, response.body).into(),
            )
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
