//! What one operation is: its static description, the request it builds, and how its
//! response is decoded.

use bytes::Bytes;
use http::Method;

use super::RequestOptions;
use crate::decode::DecodeError;
use crate::error::{Error, Result};
use crate::transport::{Body, RawResponse};

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
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] unless `method` is one of the standard methods (`GET`,
    /// `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS`, `TRACE`): a misspelt method is
    /// never sent as something else.
    pub fn http_method(&self) -> Result<Method> {
        Ok(match self.method {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            "OPTIONS" => Method::OPTIONS,
            "TRACE" => Method::TRACE,
            other => {
                return Err(Error::InvalidRequest(format!(
                    "{}.{}: `{}` is not an HTTP method",
                    self.group,
                    self.name,
                    other.escape_debug()
                )));
            }
        })
    }
}

/// Marker for a request not yet tied to a client: send it with `.send(&clerk)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Detached;

/// A request ready for the transport: operation, encoded path and query, body, options.
///
/// Its `Debug` shows the path and query with secrets [redacted](crate::redact).
#[derive(Clone)]
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

impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRequest")
            .field("info", &self.info)
            .field("path", &crate::redact::Redacted(&self.path))
            .field("query", &crate::redact::Redacted(&self.query))
            .field("body", &self.body)
            .field("options", &self.options)
            .finish()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_operation_has_a_standard_method() {
        for info in crate::generated::operations::OPERATIONS {
            let m = info.http_method().unwrap();
            assert_eq!(m.as_str(), info.method);
        }
    }

    #[test]
    fn an_unknown_method_is_an_error_not_a_get() {
        for bad in ["GTE", "get", "", "PO ST"] {
            let info = OperationInfo {
                method: bad,
                ..OperationInfo::new("g", "n", "Op", "GET", "/x")
            };
            let err = info.http_method().unwrap_err();
            assert!(
                matches!(err, Error::InvalidRequest(ref m) if m.contains("g.n")),
                "{err}"
            );
        }
    }
}
