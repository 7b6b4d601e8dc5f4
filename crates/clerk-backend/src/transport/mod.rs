//! What moves bytes: the [`Transport`] trait, the request and response it exchanges, and the
//! default transport on reqwest.
//!
//! A transport knows nothing of operations, retries or hooks (those are the
//! [pipeline](crate::pipeline)'s); it sends one [`HttpRequest`] and reads one [`RawResponse`],
//! within the limits the request's [`Exchange`] carries.

mod reqwest;
mod upload;

use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

pub use self::reqwest::ReqwestTransport;
pub use upload::{Upload, UploadStream};

use crate::error::Result;
use crate::redact;

/// A boxed, `Send` future (keeps [`Transport`] object-safe without an extra crate).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one HTTP request and returns the whole response.
///
/// [`Clerk`](crate::Clerk) uses [`ReqwestTransport`] unless you pass your own with
/// [`ClerkBuilder::transport`](crate::ClerkBuilder::transport). The pipeline around it
/// (hooks, timeouts and the call's deadline, retries, logging, redaction, status →
/// [`Error::Api`](crate::Error::Api), the response size limit) is the same for every
/// transport, so a transport only moves bytes.
///
/// A transport reports failures as [`Error::Connection`](crate::Error::Connection) with the
/// [`Delivery`](crate::Delivery) it knows ([`NotSent`](crate::Delivery::NotSent) only when the
/// request certainly did not leave: the retry policy then retries any method), or as
/// [`Error::Timeout`](crate::Error::Timeout). Any status, 3XX and 5XX included, is an `Ok`
/// response: never follow redirects. A transport should stop reading a body longer than
/// [`Exchange::max_response_bytes`] with [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge),
/// and call [`Exchange::status_received`] as soon as the status line arrives, so that a body
/// that then breaks or stalls is reported with its status.
///
/// # Test double
///
/// A transport that answers from memory makes unit tests of code that uses [`Clerk`](crate::Clerk)
/// fast and deterministic:
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use clerk_backend::transport::{BoxFuture, HttpRequest, RawResponse, Transport};
/// use clerk_backend::{Clerk, Result};
///
/// /// Answers every request with the next canned response and records what was asked.
/// #[derive(Default)]
/// struct Canned {
///     responses: Mutex<Vec<(u16, &'static str)>>,
///     seen: Arc<Mutex<Vec<String>>>,
/// }
///
/// impl Transport for Canned {
///     fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<RawResponse>> {
///         self.seen.lock().unwrap().push(format!("{} {}", request.method(), request.uri()));
///         let (status, body) = self.responses.lock().unwrap().remove(0);
///         Box::pin(async move {
///             Ok(RawResponse::new(
///                 http::StatusCode::from_u16(status).unwrap(),
///                 http::HeaderMap::new(),
///                 body,
///             ))
///         })
///     }
/// }
///
/// # fn main() -> Result<()> {
/// let transport = Canned {
///     responses: Mutex::new(vec![(503, ""), (200, r#"{"id":"user_1"}"#)]),
///     ..Canned::default()
/// };
/// let seen = transport.seen.clone();
/// let clerk = Clerk::builder()
///     .secret_key("sk_test_example")
///     .transport(transport)
///     .build()?;
/// // `clerk.users().get("user_1").send().await` now gets a 503 (retried) and then the user;
/// // `seen` holds both requests.
/// # let _ = (clerk, seen);
/// # Ok(()) }
/// ```
///
/// A multipart body ([`Body::Multipart`]) carries an [`Upload`]: read it with
/// [`Upload::open`] (a stream of chunks and its length) and name the part with
/// [`Upload::part_file_name`] and [`Upload::part_mime`].
pub trait Transport: Send + Sync + 'static {
    /// Send `request` and read the whole response body.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<RawResponse>>;

    /// A short name for `Debug` output and logs.
    fn name(&self) -> &'static str {
        "custom"
    }
}

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
                .field(&redact::Redacted(redact::excerpt(b, 512)))
                .finish(),
            Body::Multipart { field, file, text } => f
                .debug_struct("Multipart")
                .field("field", field)
                .field("file", file)
                .field(
                    "text",
                    &redact::Redacted(format_args!(
                        "{:?}",
                        text.iter()
                            .map(|(n, v)| (
                                *n,
                                if redact::is_sensitive_name(n) {
                                    redact::REDACTED
                                } else {
                                    v.as_str()
                                }
                            ))
                            .collect::<Vec<_>>()
                    )),
                )
                .finish(),
        }
    }
}

/// A request as handed to a [`Transport`] and to `before_request` hooks: method, absolute URL,
/// every header (authorization included) and the body. It dereferences to
/// [`http::Request<Body>`].
///
/// Its `Debug` hides sensitive headers, secret query parameters and secret body fields. Its
/// extensions hold the operation's [`OperationInfo`](crate::pipeline::OperationInfo) (as
/// `&'static OperationInfo`) and the attempt's [`Exchange`].
pub struct HttpRequest(http::Request<Body>);

impl HttpRequest {
    /// Wrap a request.
    #[must_use]
    pub fn new(request: http::Request<Body>) -> Self {
        HttpRequest(request)
    }

    /// The request itself.
    #[must_use]
    pub fn into_inner(self) -> http::Request<Body> {
        self.0
    }

    /// The request's parts and body.
    #[must_use]
    pub fn into_parts(self) -> (http::request::Parts, Body) {
        self.0.into_parts()
    }

    /// The attempt's limits and progress, set by the pipeline.
    #[must_use]
    pub fn exchange(&self) -> Option<&Exchange> {
        self.0.extensions().get::<Exchange>()
    }
}

impl From<http::Request<Body>> for HttpRequest {
    fn from(request: http::Request<Body>) -> Self {
        HttpRequest(request)
    }
}

impl Deref for HttpRequest {
    type Target = http::Request<Body>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for HttpRequest {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", self.0.method())
            .field("uri", &redact::Redacted(self.0.uri()))
            .field("headers", &redact::headers_debug(self.0.headers().iter()))
            .field("body", self.0.body())
            .finish()
    }
}

/// What the pipeline tells a [`Transport`] about one attempt, and what the transport tells
/// back: found in every [`HttpRequest`]'s extensions.
#[derive(Clone)]
pub struct Exchange {
    max_response_bytes: u64,
    status: Arc<AtomicU16>,
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("max_response_bytes", &self.max_response_bytes)
            .field("received_status", &self.received_status())
            .finish()
    }
}

impl Exchange {
    /// An exchange whose response may be at most `max_response_bytes` long.
    #[must_use]
    pub fn new(max_response_bytes: u64) -> Self {
        Exchange {
            max_response_bytes,
            status: Arc::new(AtomicU16::new(0)),
        }
    }

    /// The longest response body the caller accepts.
    #[must_use]
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// Record that the status line arrived (before the body is read).
    pub fn status_received(&self, status: StatusCode) {
        self.status.store(status.as_u16(), Ordering::Release);
    }

    /// The status recorded by [`status_received`](Self::status_received), if any.
    #[must_use]
    pub fn received_status(&self) -> Option<StatusCode> {
        StatusCode::from_u16(self.status.load(Ordering::Acquire)).ok()
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
            .field("body", &redact::Redacted(redact::excerpt(&self.body, 512)))
            .finish()
    }
}
