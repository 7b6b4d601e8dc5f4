//! The [`Transport`] trait: what actually moves bytes. reqwest is the default.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::{Body, RawResponse};
use crate::error::{Error, Result};

/// A boxed, `Send` future (keeps [`Transport`] object-safe without an extra crate).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A request as handed to a [`Transport`] and to `before_request` hooks: method, absolute URL,
/// every header (authorization included) and the body.
///
/// Its extensions hold the operation's [`OperationInfo`](super::OperationInfo) as
/// `&'static OperationInfo`.
pub type HttpRequest = http::Request<Body>;

/// Sends one HTTP request and returns the whole response.
///
/// [`Clerk`](crate::Clerk) uses [`ReqwestTransport`] unless you pass your own with
/// [`ClerkBuilder::transport`](crate::ClerkBuilder::transport). The pipeline around it
/// (hooks, per-attempt timeouts, retries, logging, redaction, status → [`Error::Api`]) is the
/// same for every transport, so a transport only moves bytes.
///
/// A transport reports failures as [`Error::Connection`] — with `maybe_sent: false` only when
/// the request certainly did not leave (the retry policy then retries any method) — or
/// [`Error::Timeout`]. Any status, 5XX included, is an `Ok` response.
///
/// # Test double
///
/// A transport that answers from memory makes unit tests of code that uses [`Clerk`](crate::Clerk)
/// fast and deterministic:
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use clerk_backend::http::{BoxFuture, HttpRequest, RawResponse, Transport};
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
pub trait Transport: Send + Sync + 'static {
    /// Send `request` and read the whole response body.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<RawResponse>>;

    /// A short name for `Debug` output and logs.
    fn name(&self) -> &'static str {
        "custom"
    }
}

/// The default [`Transport`]: a [`reqwest::Client`] (rustls, HTTP/1.1 and HTTP/2, pooled).
///
/// Pass your own client (proxies, pool sizes, TLS roots, local address) with
/// [`ClerkBuilder::http_client`](crate::ClerkBuilder::http_client).
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport").finish_non_exhaustive()
    }
}

impl ReqwestTransport {
    /// Wrap a configured client.
    #[must_use]
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestTransport { client }
    }

    /// The wrapped client.
    #[must_use]
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// A `reqwest::ClientBuilder` with this crate's TLS setup (rustls on `ring`, the
    /// platform's root certificates), to add proxies, pool settings or timeouts to and pass to
    /// [`ClerkBuilder::http_client`](crate::ClerkBuilder::http_client).
    ///
    /// # Errors
    /// [`Error::Unexpected`] if the platform's TLS roots cannot be loaded.
    pub fn client_builder() -> Result<reqwest::ClientBuilder> {
        use rustls_platform_verifier::BuilderVerifierExt as _;
        #[cfg(not(feature = "tls-aws-lc"))]
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        #[cfg(feature = "tls-aws-lc")]
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Unexpected(format!("TLS setup failed: {e}")))?
            .with_platform_verifier()
            .map_err(|e| Error::Unexpected(format!("TLS setup failed: {e}")))?
            .with_no_client_auth();
        Ok(reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .pool_idle_timeout(Duration::from_secs(90)))
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<RawResponse>> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = reqwest::Url::parse(&parts.uri.to_string())
                .map_err(|e| Error::InvalidRequest(format!("invalid request URL: {e}")))?;
            let mut builder = self
                .client
                .request(parts.method, url)
                .headers(parts.headers);
            builder = match body {
                Body::Empty => builder,
                Body::Json(bytes) => builder.body(bytes),
                Body::Multipart { field, file, text } => {
                    let mut form = file.to_form(field).await?;
                    for (name, value) in text {
                        form = form.text(name, value);
                    }
                    builder.multipart(form)
                }
            };
            let mut response = builder.send().await.map_err(reqwest_error)?;
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            let body = response.bytes().await.map_err(reqwest_error)?;
            Ok(RawResponse {
                status,
                headers,
                body,
            })
        })
    }

    fn name(&self) -> &'static str {
        "reqwest"
    }
}

/// Map a reqwest error: connect failures (refused, DNS, TLS handshake, connect timeout) are
/// "not sent"; everything after the connection was made may have reached the server. The
/// source kept is the reqwest error without its URL.
pub(crate) fn reqwest_error(e: reqwest::Error) -> Error {
    let message = crate::redact::text(&error_chain(&e));
    if e.is_builder() {
        return Error::InvalidRequest(message);
    }
    if e.is_timeout() && !e.is_connect() {
        return Error::Timeout(Duration::ZERO);
    }
    Error::Connection {
        message,
        maybe_sent: !e.is_connect(),
        source: Some(Box::new(e.without_url())),
    }
}

/// The error and its sources in one line, without the URL.
fn error_chain(e: &reqwest::Error) -> String {
    let mut msg = String::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    msg.push_str(kind_of(e));
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

fn kind_of(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        "could not connect"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "failed reading the response body"
    } else if e.is_redirect() {
        "redirect failed"
    } else if e.is_request() {
        "request failed"
    } else {
        "HTTP error"
    }
}
