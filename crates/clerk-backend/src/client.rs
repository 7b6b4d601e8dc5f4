//! The client: configuration, construction from the environment, and the shared HTTP stack.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};

use crate::error::{Error, Result};
use crate::retry::RetryConfig;

/// Default server URL.
pub const DEFAULT_SERVER_URL: &str = "https://api.clerk.com/v1";
/// The API version this crate was generated from, sent as `Clerk-API-Version`.
pub const DEFAULT_API_VERSION: &str = "2026-05-12";
/// `User-Agent` sent by default.
pub const USER_AGENT: &str = concat!("clerk-backend-rust/", env!("CARGO_PKG_VERSION"));

/// A Clerk secret key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretKey {
    header: HeaderValue,
    raw: Arc<str>,
}

impl SecretKey {
    /// Validate a secret key (`sk_test_…` / `sk_live_…`).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] if the key is empty, has whitespace or control characters, or
    /// does not start with `sk_`. The message never contains the key.
    pub fn new(key: impl AsRef<str>) -> Result<Self> {
        let key = key.as_ref().trim();
        if key.is_empty() {
            return Err(Error::invalid("the Clerk secret key is empty"));
        }
        if !key.starts_with("sk_") {
            return Err(Error::invalid(
                "the Clerk secret key is malformed: expected it to start with `sk_` (sk_test_… or sk_live_…)",
            ));
        }
        if key.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "the Clerk secret key is malformed: it contains whitespace or non-ASCII characters",
            ));
        }
        let mut header = HeaderValue::try_from(format!("Bearer {key}"))
            .map_err(|_| Error::invalid("the Clerk secret key is malformed"))?;
        header.set_sensitive(true);
        Ok(SecretKey {
            header,
            raw: Arc::from(key),
        })
    }

    /// The key itself (for callers that must pass it on; never log it).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.raw
    }

    pub(crate) fn header_value(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.raw.starts_with("sk_live_") {
            "sk_live_…"
        } else if self.raw.starts_with("sk_test_") {
            "sk_test_…"
        } else {
            "sk_…"
        };
        write!(f, "SecretKey({kind} [redacted])")
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

/// Client for Clerk's Backend API. Cheap to clone (one `Arc`); share one per process.
///
/// ```no_run
/// # async fn run() -> Result<(), clerk_backend::Error> {
/// let clerk = clerk_backend::Clerk::from_env()?;
/// let users = clerk.users().list().limit(10).send().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Clerk {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) secret_key: Option<SecretKey>,
    pub(crate) default_headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryConfig,
}

impl fmt::Debug for Clerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Clerk")
            .field("server_url", &i.base_url)
            .field("secret_key", &i.secret_key)
            .field("api_version", &i.default_headers.get("clerk-api-version"))
            .field("timeout", &i.timeout)
            .field("retry", &i.retry)
            .finish_non_exhaustive()
    }
}

impl Clerk {
    /// Start configuring a client.
    #[must_use]
    pub fn builder() -> ClerkBuilder {
        ClerkBuilder::default()
    }

    /// A client configured from the environment: `CLERK_SECRET_KEY` (else `CLERK_BEARER_AUTH`),
    /// `CLERK_API_URL` (else the default server), `CLERK_API_VERSION`.
    ///
    /// # Errors
    /// When no key is set or the key or URL is malformed.
    pub fn from_env() -> Result<Self> {
        ClerkBuilder::from_env()?.build()
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The server URL calls go to (no trailing slash).
    #[must_use]
    pub fn server_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The configured secret key, if any.
    #[must_use]
    pub fn secret_key(&self) -> Option<&SecretKey> {
        self.inner.secret_key.as_ref()
    }

    /// The client's retry policy.
    #[must_use]
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }
}

/// Builder for [`Clerk`].
#[derive(Default)]
pub struct ClerkBuilder {
    secret_key: Option<String>,
    server_url: Option<String>,
    api_version: Option<String>,
    user_agent: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    retry: Option<RetryConfig>,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClerkBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClerkBuilder")
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field("server_url", &self.server_url)
            .field("api_version", &self.api_version)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("retry", &self.retry)
            .field("custom_http_client", &self.http.is_some())
            .finish()
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ClerkBuilder {
    /// A builder pre-filled from `CLERK_SECRET_KEY` / `CLERK_BEARER_AUTH`, `CLERK_API_URL` and
    /// `CLERK_API_VERSION`.
    ///
    /// # Errors
    /// When neither key variable is set.
    pub fn from_env() -> Result<Self> {
        let key = env_nonempty("CLERK_SECRET_KEY")
            .or_else(|| env_nonempty("CLERK_BEARER_AUTH"))
            .ok_or_else(|| {
                Error::invalid("no secret key: set CLERK_SECRET_KEY (or CLERK_BEARER_AUTH)")
            })?;
        let mut b = ClerkBuilder::default().secret_key(key);
        if let Some(url) = env_nonempty("CLERK_API_URL") {
            b = b.server_url(url);
        }
        if let Some(v) = env_nonempty("CLERK_API_VERSION") {
            b = b.api_version(v);
        }
        Ok(b)
    }

    /// The secret key (`sk_…`), sent as `Authorization: Bearer`.
    #[must_use]
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// Alias of [`secret_key`](Self::secret_key), named like the reference SDK's `bearerAuth`.
    #[must_use]
    pub fn bearer_auth(self, key: impl Into<String>) -> Self {
        self.secret_key(key)
    }

    /// Server URL (default `https://api.clerk.com/v1`).
    #[must_use]
    pub fn server_url(mut self, url: impl Into<String>) -> Self {
        self.server_url = Some(url.into());
        self
    }

    /// `Clerk-API-Version` header (default [`DEFAULT_API_VERSION`]).
    #[must_use]
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// `User-Agent` header (default `clerk-backend-rust/<version>`).
    #[must_use]
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Timeout of each call (per attempt), unless a call sets its own.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Timeout for establishing a connection (ignored with a custom HTTP client).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long an idle keep-alive connection is kept (default 90 s; ignored with a custom HTTP
    /// client). Keep it below the server's own idle timeout to avoid reusing a closed connection.
    #[must_use]
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = Some(timeout);
        self
    }

    /// Retry policy for every call (default [`RetryConfig::default`]).
    #[must_use]
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Use your own `reqwest::Client` (proxies, pools, TLS roots).
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Build the client.
    ///
    /// # Errors
    /// A malformed key, server URL, API version or user agent, or a TLS setup failure.
    pub fn build(self) -> Result<Clerk> {
        let secret_key = self.secret_key.map(SecretKey::new).transpose()?;
        let base_url = self
            .server_url
            .unwrap_or_else(|| DEFAULT_SERVER_URL.to_owned());
        let base_url = base_url.trim().trim_end_matches('/').to_owned();
        let parsed: http::Uri = base_url
            .parse()
            .map_err(|_| Error::invalid(format!("invalid server URL `{base_url}`")))?;
        if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
            return Err(Error::invalid(format!(
                "invalid server URL `{base_url}`: expected http(s)://host[/path]"
            )));
        }
        if parsed.query().is_some() {
            return Err(Error::invalid(format!(
                "invalid server URL `{base_url}`: it must not have a query"
            )));
        }
        let mut default_headers = HeaderMap::new();
        let version = self
            .api_version
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        default_headers.insert(
            "clerk-api-version",
            HeaderValue::try_from(version)
                .map_err(|_| Error::invalid("invalid Clerk-API-Version value"))?,
        );
        let ua = self.user_agent.unwrap_or_else(|| USER_AGENT.to_owned());
        default_headers.insert(
            http::header::USER_AGENT,
            HeaderValue::try_from(ua).map_err(|_| Error::invalid("invalid User-Agent value"))?,
        );
        default_headers.insert(
            "x-clerk-sdk",
            HeaderValue::from_static(concat!("rust/", env!("CARGO_PKG_VERSION"))),
        );
        let http = match self.http {
            Some(c) => c,
            None => default_http_client(self.connect_timeout, self.pool_idle_timeout)?,
        };
        Ok(Clerk {
            inner: Arc::new(Inner {
                http,
                base_url,
                secret_key,
                default_headers,
                timeout: self.timeout,
                retry: self.retry.unwrap_or_default(),
            }),
        })
    }
}

/// reqwest with rustls on `ring` (fast to build, no C toolchain) and the platform's roots.
fn default_http_client(
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
) -> Result<reqwest::Client> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Unexpected(format!("TLS setup failed: {e}")))?
        .with_platform_verifier()
        .map_err(|e| Error::Unexpected(format!("TLS setup failed: {e}")))?
        .with_no_client_auth();
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .pool_idle_timeout(pool_idle_timeout.unwrap_or(Duration::from_secs(90)));
    if let Some(t) = connect_timeout {
        builder = builder.connect_timeout(t);
    }
    builder
        .build()
        .map_err(|e| Error::Unexpected(format!("HTTP client setup failed: {e}")))
}
