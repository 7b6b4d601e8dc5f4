//! The request pipeline shared by every generated operation: build → send → decode.
//!
//! Generated request types implement [`Operation`]; [`Clerk::call`] turns one into an HTTP
//! exchange. Everything protocol-specific (paths, query encoding, bodies) is decided here once,
//! so the generated code stays declarative.

mod encode;
mod options;
mod upload;

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

pub use encode::{PathBuilder, QueryValue, QueryWriter};
pub use options::RequestOptions;
pub(crate) use options::request_options;
pub use upload::Upload;

use crate::client::Clerk;
use crate::error::{ApiError, DecodeError, Error, Result};

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
#[derive(Debug, Clone, Default)]
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

/// A response as received: status, headers and the whole body.
#[derive(Debug, Clone)]
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
    /// A response from its parts: for a replacement of the HTTP transport, for tests,
    /// and for benchmarks of the decode path (`decode_json`).
    #[must_use]
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        RawResponse {
            status,
            headers,
            body: body.into(),
        }
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
        Err(e) => Err(Error::from(DecodeError {
            status: response.status,
            path: String::new(),
            message: e.to_string(),
            body: response.body,
            target: "String",
        })),
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

    /// Send a built request; non-2xx becomes [`Error::Api`].
    ///
    /// # Errors
    /// Any transport or API error.
    pub async fn execute(&self, request: ApiRequest) -> Result<RawResponse> {
        let info = request.info;
        let started = Instant::now();
        let response = self.send_once(&request).await?;
        tracing::debug!(
            target: "clerk_backend",
            group = info.group,
            operation = info.name,
            method = info.method,
            status = response.status.as_u16(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "clerk api call"
        );
        if response.status.is_success() {
            Ok(response)
        } else {
            Err(ApiError::from_response(response.status, &response.headers, response.body).into())
        }
    }

    async fn send_once(&self, request: &ApiRequest) -> Result<RawResponse> {
        let inner = self.inner();
        let info = request.info;
        let mut url = String::with_capacity(
            inner.base_url.len() + request.path.len() + 1 + request.query.len(),
        );
        url.push_str(&inner.base_url);
        url.push_str(&request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.query);
        }
        let mut builder = inner.http.request(info.http_method(), url);
        if info.authenticated {
            let key = inner.secret_key.as_ref().ok_or_else(|| {
                Error::invalid(
                    "no secret key configured: set CLERK_SECRET_KEY or call ClerkBuilder::secret_key",
                )
            })?;
            builder = builder.header(http::header::AUTHORIZATION, key.header_value().clone());
        }
        builder = builder.headers(inner.default_headers.clone());
        for (name, value) in &request.options.headers {
            builder = builder.header(name, value);
        }
        let timeout = request.options.timeout.or(inner.timeout);
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Multipart { field, file, text } => {
                let mut form = file.to_form(field).await?;
                for (name, value) in text {
                    form = form.text(*name, value.clone());
                }
                builder.multipart(form)
            }
        };
        let response = builder
            .send()
            .await
            .map_err(|e| transport_error(&e, timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(&e, timeout))?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

fn transport_error(e: &reqwest::Error, timeout: Option<Duration>) -> Error {
    if e.is_timeout() {
        return Error::Timeout(timeout.unwrap_or_default());
    }
    // reqwest error messages include the URL, which carries no secrets (keys go in headers).
    Error::Connection {
        message: error_chain(e),
        maybe_sent: !e.is_connect(),
        source: None,
    }
}

/// The error and its sources in one line.
fn error_chain(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}
