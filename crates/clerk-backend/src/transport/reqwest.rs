//! The default [`Transport`]: reqwest with rustls, no redirects, a bounded body read.

use std::fmt;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::StatusCode;

use super::{Body, BoxFuture, Exchange, HttpRequest, RawResponse, Transport};
use crate::error::{Delivery, Error, Result};

/// Body limit when a request carries no [`Exchange`] (a transport used on its own).
const DEFAULT_LIMIT: u64 = 32 * 1024 * 1024;

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
    /// platform's root certificates) and no redirect following, to add proxies, pool settings
    /// or timeouts to and pass to [`ClerkBuilder::http_client`](crate::ClerkBuilder::http_client).
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
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(90)))
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<RawResponse>> {
        Box::pin(async move {
            let exchange = request.exchange().cloned();
            let (parts, body) = request.into_parts();
            let url = reqwest::Url::parse(&parts.uri.to_string())
                .map_err(|e| Error::InvalidRequest(format!("invalid request URL: {e}")))?;
            let origin = url.origin();
            let response = match body {
                Body::Multipart { field, file, text } => {
                    let mut form = file.to_form(field).await?;
                    for (name, value) in text {
                        form = form.text(name, value);
                    }
                    self.client
                        .request(parts.method, url)
                        .headers(parts.headers)
                        .multipart(form)
                        .send()
                        .await
                }
                body => {
                    // Built directly: the header map moves into the request instead of being
                    // copied entry by entry, as `RequestBuilder::headers` would.
                    let mut req = reqwest::Request::new(parts.method, url);
                    *req.headers_mut() = parts.headers;
                    if let Body::Json(bytes) = body {
                        *req.body_mut() = Some(bytes.into());
                    }
                    self.client.execute(req).await
                }
            }
            .map_err(|e| reqwest_error(e, None))?;
            let status = response.status();
            if let Some(x) = &exchange {
                x.status_received(status);
            }
            if response.url().origin() != origin {
                // Only a caller's own client, built with a redirect policy, gets here.
                return Err(Error::connection(
                    "the HTTP client followed a redirect to another origin; build it from \
                     ReqwestTransport::client_builder, which follows none",
                    Delivery::Answered(status),
                    None,
                ));
            }
            let limit = exchange
                .as_ref()
                .map_or(DEFAULT_LIMIT, Exchange::max_response_bytes);
            read_limited(response, status, limit).await
        })
    }

    fn name(&self) -> &'static str {
        "reqwest"
    }
}

/// Read the body chunk by chunk, stopping past `limit`; one chunk is kept without a copy.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    status: StatusCode,
    limit: u64,
) -> Result<RawResponse> {
    let too_large = || Error::ResponseTooLarge { limit, status };
    // Read before the first chunk: once reading starts it counts only what is left.
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let headers = std::mem::take(response.headers_mut());
    let mut first: Option<Bytes> = None;
    let mut rest: Option<BytesMut> = None;
    let mut len: u64 = 0;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| reqwest_error(e, Some(status)))?
    {
        len += chunk.len() as u64;
        if len > limit {
            return Err(too_large());
        }
        match (&mut first, &mut rest) {
            (None, _) => first = Some(chunk),
            (Some(f), None) => {
                // One buffer of the announced length: no regrowth, no second copy.
                let hint = announced.unwrap_or(0);
                let cap = usize::try_from(hint)
                    .unwrap_or(0)
                    .max(f.len() + chunk.len());
                let mut buf = BytesMut::with_capacity(cap);
                buf.extend_from_slice(f);
                buf.extend_from_slice(&chunk);
                rest = Some(buf);
            }
            (Some(_), Some(buf)) => buf.extend_from_slice(&chunk),
        }
    }
    let body = match (rest, first) {
        (Some(buf), _) => buf.freeze(),
        (None, Some(f)) => f,
        (None, None) => Bytes::new(),
    };
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// Map a reqwest error: connect failures (refused, DNS, TLS handshake, connect timeout) are
/// "not sent"; everything after the connection was made may have reached the server, and a
/// failure after `status` arrived keeps it. The source kept is the reqwest error without its
/// URL.
pub(crate) fn reqwest_error(e: reqwest::Error, status: Option<StatusCode>) -> Error {
    let message = crate::redact::text(&error_chain(&e));
    if e.is_builder() {
        return Error::InvalidRequest(message);
    }
    let delivery = match status {
        Some(s) => Delivery::Answered(s),
        None if e.is_connect() => Delivery::NotSent,
        None => Delivery::SentNoAnswer,
    };
    if e.is_timeout() && !e.is_connect() {
        return Error::timeout(Duration::ZERO, delivery);
    }
    Error::Connection {
        message,
        delivery,
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
