//! The client: configuration, construction from the environment, and the entry points of
//! every call ([`Clerk::call`], [`Clerk::call_as`], [`Clerk::execute`]), which hand requests to the
//! [pipeline](crate::pipeline).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};

use crate::error::{Error, Result};
use crate::pipeline::{
    ApiRequest, DebugLogger, HookContext, Hooks, MAX_URL_BYTES, Operation, Pipeline,
};
use crate::retry::{RetryBudget, RetryConfig};
use crate::transport::{HttpRequest, RawResponse, ReqwestTransport, Transport};

/// Default server URL.
pub const DEFAULT_SERVER_URL: &str = "https://api.clerk.com/v1";
/// The API version this crate was generated from, sent as `Clerk-API-Version`.
pub const DEFAULT_API_VERSION: &str = "2026-05-12";
/// Connect timeout of the default HTTP client.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of each attempt (connecting, sending, reading the whole response).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default deadline of a whole call: every attempt, the waits between them and the body reads.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
/// Default limit of a response body: 32 MiB, several times the largest page Clerk returns
/// (500 users with full metadata).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;
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

struct Inner {
    pipeline: Pipeline,
    secret_key: Option<SecretKey>,
}

impl fmt::Debug for Clerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.inner.pipeline;
        f.debug_struct("Clerk")
            .field("server_url", &p.base_url)
            .field("secret_key", &self.inner.secret_key)
            .field("api_version", &p.default_headers.get("clerk-api-version"))
            .field("timeout", &p.timeout)
            .field("deadline", &p.deadline)
            .field("max_response_bytes", &p.max_response_bytes)
            .field("retry", &p.retry)
            .field("retry_budget", &p.budget)
            .field("transport", &p.transport.name())
            .field("hooks", &p.hooks)
            .field("debug_logger", &p.debug)
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

    /// Send one operation and decode its response.
    ///
    /// # Errors
    /// Any [`Error`]: invalid request, connection, timeout, API error or decode error.
    pub async fn call<O: Operation>(&self, op: O) -> Result<O::Output> {
        let request = op.build()?;
        let response = self.inner.pipeline.execute(request).await?;
        O::decode(response)
    }

    /// Send one operation and decode its JSON response into a type of your own.
    ///
    /// For hot paths that read a few fields: a struct that declares only those fields
    /// decodes without allocating the rest (serde skips what a type does not name), while
    /// the call keeps everything else [`call`](Self::call) does — validation, hooks,
    /// timeouts, retries, logging, [`Error::Api`] for non-2xx. `T` sees the body as it is on
    /// the wire: a list operation answers a bare array, or `{data, total_count}` with
    /// `paginated=true` ([`Page<T>`](crate::pagination::Page) decodes both).
    /// An operation that answers no body or HTML has nothing for `T` to read: use
    /// [`call`](Self::call).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_backend::Clerk) -> clerk_backend::Result<()> {
    /// #[derive(serde::Deserialize)]
    /// struct Row {
    ///     id: String,
    ///     first_name: Option<String>,
    /// }
    ///
    /// let rows: Vec<Row> = clerk.call_as(clerk.users().list().limit(100)).await?;
    /// # let _ = rows.iter().map(|r| (&r.id, &r.first_name));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`call`](Self::call); [`Error::Decode`] names `T` and every mismatch of the body.
    pub async fn call_as<O: Operation, T: serde::de::DeserializeOwned>(&self, op: O) -> Result<T> {
        let request = op.build()?;
        let response = self.inner.pipeline.execute(request).await?;
        crate::pipeline::decode_json(response)
    }

    /// Send a built request through the pipeline (hooks, timeouts, retries, logging); non-2xx
    /// becomes [`Error::Api`].
    ///
    /// # Errors
    /// Any transport or API error, or a `before_request` hook's error.
    pub async fn execute(&self, request: ApiRequest) -> Result<RawResponse> {
        self.inner.pipeline.execute(request).await
    }

    /// The server URL calls go to (no trailing slash).
    #[must_use]
    pub fn server_url(&self) -> &str {
        &self.inner.pipeline.base_url
    }

    /// The configured secret key, if any.
    #[must_use]
    pub fn secret_key(&self) -> Option<&SecretKey> {
        self.inner.secret_key.as_ref()
    }

    /// The client's retry policy.
    #[must_use]
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.pipeline.retry
    }

    /// The retry budget shared by this client's calls.
    #[must_use]
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.pipeline.budget
    }

    /// The client's per-attempt timeout (`None`: turned off).
    #[must_use]
    pub fn timeout(&self) -> Option<Duration> {
        self.inner.pipeline.timeout
    }

    /// The client's deadline for a whole call (`None`: turned off).
    #[must_use]
    pub fn deadline(&self) -> Option<Duration> {
        self.inner.pipeline.deadline
    }

    /// The longest response body the client reads.
    #[must_use]
    pub fn max_response_bytes(&self) -> u64 {
        self.inner.pipeline.max_response_bytes
    }
}

/// Builder for [`Clerk`].
///
/// ```
/// use std::time::Duration;
/// use clerk_backend::{Clerk, RetryConfig};
///
/// let clerk = Clerk::builder()
///     .secret_key("sk_test_example")
///     .timeout(Duration::from_secs(10))          // each attempt (default 30 s)
///     .deadline(Duration::from_secs(60))         // the whole call (default 120 s)
///     .connect_timeout(Duration::from_secs(3))
///     .retry(RetryConfig::default().max_attempts(5))
///     .before_request(|_ctx, request| {
///         request.headers_mut().insert("x-request-source", "billing-worker".parse().unwrap());
///         Ok(())
///     })
///     .after_error(|ctx, error| {
///         eprintln!("{}.{} attempt {} failed: {error}", ctx.info.group, ctx.info.name, ctx.attempt);
///     })
///     .build()?;
/// # let _ = clerk;
/// # Ok::<(), clerk_backend::Error>(())
/// ```
#[derive(Default)]
pub struct ClerkBuilder {
    secret_key: Option<String>,
    server_url: Option<String>,
    api_version: Option<String>,
    user_agent: Option<String>,
    timeout: Option<Option<Duration>>,
    deadline: Option<Option<Duration>>,
    max_response_bytes: Option<u64>,
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    retry: Option<RetryConfig>,
    budget: Option<RetryBudget>,
    http: Option<reqwest::Client>,
    transport: Option<Arc<dyn Transport>>,
    hooks: Hooks,
    debug: Option<DebugLogger>,
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
            .field("deadline", &self.deadline)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("retry", &self.retry)
            .field("retry_budget", &self.budget)
            .field("custom_http_client", &self.http.is_some())
            .field("transport", &self.transport.as_ref().map(|t| t.name()))
            .field("hooks", &self.hooks)
            .field("debug_logger", &self.debug)
            .finish()
    }
}

impl ClerkBuilder {
    /// A builder pre-filled from `CLERK_SECRET_KEY` / `CLERK_BEARER_AUTH`, `CLERK_API_URL` and
    /// `CLERK_API_VERSION`.
    ///
    /// # Errors
    /// When neither key variable is set.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) reading variables through `lookup` instead of the process
    /// environment (tests use it: mutating the environment is `unsafe`). Blank values count as
    /// unset.
    ///
    /// # Errors
    /// When neither key variable is set.
    #[doc(hidden)]
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let key = get("CLERK_SECRET_KEY")
            .or_else(|| get("CLERK_BEARER_AUTH"))
            .ok_or_else(|| {
                Error::invalid("no secret key: set CLERK_SECRET_KEY (or CLERK_BEARER_AUTH)")
            })?;
        let mut b = ClerkBuilder::default().secret_key(key);
        if let Some(url) = get("CLERK_API_URL") {
            b = b.server_url(url);
        }
        if let Some(v) = get("CLERK_API_VERSION") {
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

    /// Timeout of each attempt (connecting, sending the request and reading the whole
    /// response), unless a call sets its own with `with_timeout`. Default
    /// [`DEFAULT_TIMEOUT`] (30 s); `None` turns it off. An attempt that times out ends in
    /// [`Error::Timeout`]; it is retried only where the method is safe to repeat (see
    /// [`RetryConfig`]).
    ///
    /// A call that has to wait under a timeout or deadline uses one tokio timer for all its
    /// attempts and waits; the client spawns no task of its own.
    #[must_use]
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = Some(timeout.into());
        self
    }

    /// Deadline of each whole call — every attempt, the waits between them and the body
    /// reads — unless a call sets its own with `with_deadline`. Default [`DEFAULT_DEADLINE`]
    /// (120 s); `None` turns it off. When it passes, the attempt in flight is cancelled and
    /// the call ends in [`Error::Timeout`] with `whole_call: true`; no retry starts that
    /// could not finish waiting before it.
    #[must_use]
    pub fn deadline(mut self, deadline: impl Into<Option<Duration>>) -> Self {
        self.deadline = Some(deadline.into());
        self
    }

    /// The longest response body read (default [`DEFAULT_MAX_RESPONSE_BYTES`], 32 MiB). A
    /// longer one stops the read and ends the call in [`Error::ResponseTooLarge`].
    #[must_use]
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The retry budget shared by every call of this client (default
    /// [`RetryBudget::default`]: 500 tokens, 5 per retry); [`RetryBudget::unlimited`] turns
    /// it off. Pass one budget to several clients to share it.
    #[must_use]
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Timeout for establishing a connection (default 10 s; ignored with a custom HTTP client
    /// or transport). A connect timeout is an [`Error::Connection`] with [`Delivery::NotSent`](crate::Delivery::NotSent):
    /// nothing was sent, so it is retried for every method.
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

    /// Use your own `reqwest::Client` (proxies, pools, TLS roots). Hooks, timeouts, retries,
    /// the response size limit and logging still apply.
    ///
    /// Start from [`ReqwestTransport::client_builder`] to keep this crate's TLS setup (rustls
    /// on `ring`, the platform's roots): this crate builds reqwest without a default TLS
    /// provider, so a bare `reqwest::Client::builder()` needs one installed first.
    ///
    /// ```
    /// use std::time::Duration;
    /// use clerk_backend::transport::ReqwestTransport;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = ReqwestTransport::client_builder()?
    ///     .pool_max_idle_per_host(32)
    ///     .tcp_keepalive(Duration::from_secs(30))
    ///     // .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
    ///     .build()?;
    /// let clerk = clerk_backend::Clerk::builder()
    ///     .secret_key("sk_test_example")
    ///     .http_client(http)
    ///     .build()?;
    /// # let _ = clerk; Ok(()) }
    /// ```
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Replace HTTP entirely with your own [`Transport`] (a test double, another HTTP stack,
    /// a recording proxy). Takes precedence over [`http_client`](Self::http_client).
    #[must_use]
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Run `hook` before every attempt is sent. It may change the request (add a header,
    /// sign it) or return an error — best made with [`Error::hook`] — which stops the call
    /// before anything is sent. Hooks run in the order they were added.
    #[must_use]
    pub fn before_request<F>(mut self, hook: F) -> Self
    where
        F: Fn(&HookContext, &mut HttpRequest) -> Result<()> + Send + Sync + 'static,
    {
        self.hooks.before_request.push(Arc::new(hook));
        self
    }

    /// Run `hook` after a 2xx response (once per call; `ctx.attempt` says which attempt).
    #[must_use]
    pub fn after_success<F>(mut self, hook: F) -> Self
    where
        F: Fn(&HookContext, &RawResponse) + Send + Sync + 'static,
    {
        self.hooks.after_success.push(Arc::new(hook));
        self
    }

    /// Run `hook` after every failed attempt, with the typed error. `ctx.retry_in` says whether
    /// (and when) the call will be tried again; when it is `None` the caller gets this error.
    /// (A 2xx whose body does not fit the model is not a failed attempt: `after_success` runs
    /// and the caller gets [`Error::Decode`].)
    #[must_use]
    pub fn after_error<F>(mut self, hook: F) -> Self
    where
        F: Fn(&HookContext, &Error) + Send + Sync + 'static,
    {
        self.hooks.after_error.push(Arc::new(hook));
        self
    }

    /// Print every request, response, failure and retry through `logger`, secrets redacted.
    /// Without this, `CLERK_DEBUG=true` in the environment turns on a stderr logger.
    #[must_use]
    pub fn debug_logger(mut self, logger: DebugLogger) -> Self {
        self.debug = Some(logger);
        self
    }

    /// Build the client.
    ///
    /// # Errors
    /// A malformed key, server URL (also one with a query, a fragment, `.`/`..` segments or
    /// user info), API version or user agent, or a TLS setup failure.
    pub fn build(self) -> Result<Clerk> {
        let secret_key = self.secret_key.map(SecretKey::new).transpose()?;
        let base_url = self
            .server_url
            .unwrap_or_else(|| DEFAULT_SERVER_URL.to_owned());
        let base_url = check_server_url(base_url.trim().trim_end_matches('/'))?;
        // Room for the defaults, auth, content type and a few per-call or hook headers.
        let mut default_headers = HeaderMap::with_capacity(12);
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
        let auth_headers = secret_key.as_ref().map(|k| {
            let mut headers = default_headers.clone();
            headers.insert(http::header::AUTHORIZATION, k.header_value().clone());
            headers
        });
        // A custom transport replaces HTTP entirely: no reqwest client is built for it.
        let transport: Arc<dyn Transport> = match (self.transport, self.http) {
            (Some(t), _) => t,
            (None, Some(c)) => Arc::new(ReqwestTransport::new(c)),
            (None, None) => Arc::new(ReqwestTransport::new(default_http_client(
                self.connect_timeout,
                self.pool_idle_timeout,
            )?)),
        };
        Ok(Clerk {
            inner: Arc::new(Inner {
                pipeline: Pipeline {
                    transport,
                    base_url,
                    default_headers,
                    auth_headers,
                    timeout: self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT)),
                    deadline: self.deadline.unwrap_or(Some(DEFAULT_DEADLINE)),
                    max_response_bytes: self
                        .max_response_bytes
                        .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                    retry: self.retry.unwrap_or_default(),
                    budget: self.budget.unwrap_or_default(),
                    hooks: self.hooks,
                    debug: self.debug.or_else(DebugLogger::from_env),
                },
                secret_key,
            }),
        })
    }
}

/// A server URL every call can be appended to, or why not. Rejected: anything but
/// `http(s)://host[:port][/path]`, and the parts that would silently misroute calls (a query
/// or fragment would swallow every path; `.`/`..` segments point elsewhere).
fn check_server_url(url: &str) -> Result<String> {
    let bad = |why: &str| {
        Err(Error::invalid(format!(
            "invalid server URL `{}`: {why}",
            crate::redact::text(url)
        )))
    };
    if url.contains('#') {
        return bad("it must not have a fragment (`#…`): every call would go to the same path");
    }
    if url.len() > MAX_URL_BYTES / 2 {
        return bad(&format!(
            "it is {} bytes; the limit is {} (half of the {MAX_URL_BYTES}-byte URL limit)",
            url.len(),
            MAX_URL_BYTES / 2
        ));
    }
    let Ok(parsed) = url.parse::<http::Uri>() else {
        return bad("expected http(s)://host[/path]");
    };
    if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
        return bad("expected http(s)://host[/path]");
    }
    if parsed.query().is_some() || url.contains('?') {
        return bad("it must not have a query");
    }
    if parsed.authority().is_some_and(|a| a.as_str().contains('@')) {
        return bad("it must not have user info (`user@`): the secret key authenticates calls");
    }
    let dot_segment = parsed.path().split('/').any(|seg| {
        let seg = seg.to_ascii_lowercase().replace("%2e", ".");
        seg == "." || seg == ".."
    });
    if dot_segment {
        return bad("it must not have `.` or `..` segments");
    }
    Ok(url.to_owned())
}

/// reqwest with rustls on `ring` (fast to build, no C toolchain) and the platform's roots.
fn default_http_client(
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
) -> Result<reqwest::Client> {
    ReqwestTransport::client_builder()?
        .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
        .pool_idle_timeout(pool_idle_timeout.unwrap_or(Duration::from_secs(90)))
        .build()
        .map_err(|e| Error::Unexpected(format!("HTTP client setup failed: {e}")))
}
