//! A stateful local Clerk Backend API that real Clerk clients accept.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let emu = clerk_emulator::Emulator::start().await?;
//! let clerk = emu.client(); // a clerk_backend::Clerk pointed at `<url>/v1`
//! let user = clerk.users().create().email_address(["ada@example.com"]).send().await?;
//! assert_eq!(clerk.users().get(&user.id).send().await?.id, user.id);
//! # Ok(()) }
//! ```
//!
//! - Every operation of the Backend API spec is routed (from `clerk_backend::operations`); the
//!   stateful ones (see `SUPPORTED.md`) behave as Clerk's do, with Clerk's error codes in the
//!   `ClerkErrors` shape. Every other operation answers `501 emulator_not_implemented` naming
//!   the operation: never a silent 404, never invented data.
//! - Session tokens are real RS256 JWTs with Clerk's v2 claims, signed by a key served at
//!   `/v1/jwks`: `clerk_backend::auth::verify_token` and `@clerk/backend`'s `verifyToken`
//!   accept them unchanged.
//! - Every change emits its webhook event, kept in an inbox ([`Emulator::events`],
//!   `GET /_emulator/events`) and, with [`EmulatorBuilder::webhook_url`], delivered signed as
//!   Svix signs, with retries.
//! - Tests control the clock ([`Emulator::advance`]), inject faults ([`Emulator::fail_next`]),
//!   switch on Clerk's rate limit ([`Emulator::rate_limit`]) and [`reset`](Emulator::reset).
//!
//! ## Storage
//!
//! State lives in SQLite (bundled, through `rusqlite`): in memory by default, in a file with
//! [`EmulatorBuilder::data`]. A relational store gives the list endpoints' filters, orderings,
//! counts and pagination as indexed queries instead of hand-written scans, makes every request
//! one transaction (no request sees another's half-applied change, a failed request leaves no
//! trace), and in file mode (WAL, `synchronous=FULL`) survives restarts and kills without losing
//! an acknowledged write. A pure-Rust embedded key-value store would have needed all of the
//! query code written by hand.
#![warn(missing_docs)]
#![recursion_limit = "256"]

mod app;
mod clock;
mod control;
mod error;
mod faults;
mod fixtures;
mod ids;
mod request;
mod resources;
mod routes;
mod signing;
mod store;
mod supported;
mod webhooks;

/// The crate README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use faults::Fault;
pub use fixtures::FixtureError;
pub use store::StoreError;
pub use supported::supported_markdown;
pub use webhooks::Event;

use app::App;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any free port).
        port: u16,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened or initialised.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The fixtures file could not be read.
    #[error("fixtures {path}: {source}")]
    FixturesRead {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The fixtures were refused.
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    /// A setting is invalid.
    #[error("invalid setting: {0}")]
    Config(String),
}

/// Settings for [`Emulator`]; [`Emulator::builder`].
#[derive(Default, Clone)]
pub struct EmulatorBuilder {
    port: u16,
    seed: Option<u64>,
    data: Option<PathBuf>,
    fixtures: Option<PathBuf>,
    fixtures_json: Option<String>,
    webhook_urls: Vec<String>,
    secret_key: Option<String>,
    authorized_party: Option<String>,
}

/// Shows whether a secret key was given, never the key.
impl std::fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("port", &self.port)
            .field("seed", &self.seed)
            .field("data", &self.data)
            .field("fixtures", &self.fixtures)
            .field("webhook_urls", &self.webhook_urls)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// Listen on this port of 127.0.0.1 (default 0: a free port).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Derive ids, keys and secrets from `seed`: the same seed gives the same ones.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Keep state in this SQLite file; it survives restarts (keys and secrets included).
    #[must_use]
    pub fn data(mut self, path: impl Into<PathBuf>) -> Self {
        self.data = Some(path.into());
        self
    }

    /// Load users, organizations and memberships from this JSON file at start.
    #[must_use]
    pub fn fixtures(mut self, path: impl Into<PathBuf>) -> Self {
        self.fixtures = Some(path.into());
        self
    }

    /// Load fixtures from a JSON string (the format of [`fixtures`](Self::fixtures)).
    #[must_use]
    pub fn fixtures_json(mut self, json: impl Into<String>) -> Self {
        self.fixtures_json = Some(json.into());
        self
    }

    /// Deliver every webhook event to this URL (may be given more than once).
    #[must_use]
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_urls.push(url.into());
        self
    }

    /// Use this secret key instead of a generated one (`sk_test_…` or `sk_live_…`).
    #[must_use]
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// The `azp` claim of minted session tokens (default `http://localhost:3000`).
    #[must_use]
    pub fn authorized_party(mut self, origin: impl Into<String>) -> Self {
        self.authorized_party = Some(origin.into());
        self
    }

    /// Bind 127.0.0.1 and start serving. Must be called inside a Tokio runtime.
    pub async fn start(self) -> Result<Emulator, Error> {
        if let Some(k) = &self.secret_key
            && (!(k.starts_with("sk_test_") || k.starts_with("sk_live_"))
                || k.len() < 12
                || k.chars().any(char::is_whitespace))
        {
            return Err(Error::Config(
                "the secret key must look like sk_test_… or sk_live_…".into(),
            ));
        }
        for u in &self.webhook_urls {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(Error::Config(format!(
                    "webhook URL {u:?} must start with http:// or https://"
                )));
            }
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|source| Error::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            port: self.port,
            source,
        })?;
        let url = format!("http://{addr}");
        let app = Arc::new(self.build_app(&url)?);
        let fixtures = match (&self.fixtures, &self.fixtures_json) {
            (Some(p), _) => {
                Some(
                    std::fs::read_to_string(p).map_err(|source| Error::FixturesRead {
                        path: p.clone(),
                        source,
                    })?,
                )
            }
            (None, Some(j)) => Some(j.clone()),
            (None, None) => None,
        };
        if let Some(json) = fixtures {
            fixtures::load(&app, &json)?;
        }
        {
            let secret = webhooks::secret_bytes(&app.webhook_secret);
            let mut d = app
                .deliveries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for u in &self.webhook_urls {
                d.push(webhooks::spawn_delivery(u.clone(), secret.clone()));
            }
        }
        let router = app::router(app.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Emulator {
            app,
            addr,
            url,
            stop: Mutex::new(Some(stop)),
            task: Mutex::new(Some(task)),
        })
    }

    fn build_app(&self, url: &str) -> Result<App, Error> {
        let store = store::Store::open(self.data.as_deref())?;
        let ids = ids::IdGen::new(self.seed);
        // In --data mode the keys and secrets are the database's own, so they survive restarts.
        let persisted = |name: &str, make: &dyn Fn() -> String| -> Result<String, Error> {
            let v = store
                .tx(|tx| {
                    if let Some(v) = store::meta_get(tx, name)? {
                        return Ok(v);
                    }
                    let v = make();
                    store::meta_set(tx, name, &v)?;
                    Ok(v)
                })
                .map_err(|e| Error::Config(format!("database: {}", e.long_message)))?;
            Ok(v)
        };
        let secret_key = match &self.secret_key {
            Some(k) => k.clone(),
            None => persisted("secret_key", &|| format!("sk_test_{}", ids.token(40)))?,
        };
        let webhook_secret = persisted("webhook_secret", &|| {
            use base64::Engine as _;
            format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(ids.bytes32())
            )
        })?;
        let key = if self.data.is_some() {
            use base64::Engine as _;
            let b = base64::engine::general_purpose::STANDARD;
            let fresh = signing::SigningKey::for_seed(self.seed);
            let stored = persisted("signing_key_pkcs8", &|| b.encode(fresh.pkcs8()))?;
            match b
                .decode(stored)
                .ok()
                .and_then(|d| signing::SigningKey::from_pkcs8(&d))
            {
                Some(k) => Arc::new(k),
                None => {
                    return Err(Error::Config(
                        "the database's signing key is unreadable".into(),
                    ));
                }
            }
        } else {
            signing::SigningKey::for_seed(self.seed)
        };
        let host = url.trim_start_matches("http://");
        let publishable_key = {
            use base64::Engine as _;
            format!(
                "pk_test_{}",
                base64::engine::general_purpose::STANDARD.encode(format!("{host}$"))
            )
        };
        Ok(App {
            store,
            ids,
            key,
            clock: clock::Clock::default(),
            secret_key,
            publishable_key,
            webhook_secret,
            issuer: url.to_owned(),
            authorized_party: self
                .authorized_party
                .clone()
                .unwrap_or_else(|| "http://localhost:3000".to_owned()),
            faults: faults::Faults::default(),
            rate_limit: Mutex::new(None),
            deliveries: Mutex::new(Vec::new()),
        })
    }
}

/// A running emulator on 127.0.0.1. Dropping it stops the server.
pub struct Emulator {
    app: Arc<App>,
    addr: SocketAddr,
    url: String,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Start one with default settings on a free port.
    pub async fn start() -> Result<Emulator, Error> {
        EmulatorBuilder::default().start().await
    }

    /// Settings for a custom start.
    #[must_use]
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:<port>` (the Backend API is under `/v1`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `<url>/v1`: the server URL for `clerk_backend` and `@clerk/backend`'s `apiUrl` + `/v1`.
    #[must_use]
    pub fn api_url(&self) -> String {
        format!("{}/v1", self.url)
    }

    /// The bound address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The instance's secret key (the Backend API accepts only this one).
    #[must_use]
    pub fn secret_key(&self) -> &str {
        &self.app.secret_key
    }

    /// The publishable key: `pk_test_` + base64 of the emulator's host and `$`.
    #[must_use]
    pub fn publishable_key(&self) -> &str {
        &self.app.publishable_key
    }

    /// The webhook signing secret (`whsec_…`).
    #[must_use]
    pub fn webhook_secret(&self) -> &str {
        &self.app.webhook_secret
    }

    /// The JWKS document served at `/v1/jwks`.
    #[must_use]
    pub fn jwks_json(&self) -> String {
        self.app.key.jwks().to_string()
    }

    /// The session-token public key as PEM (what `CLERK_JWT_KEY` holds).
    #[must_use]
    pub fn public_key_pem(&self) -> &str {
        self.app.key.public_pem()
    }

    /// A `Clerk` client configured for this emulator (server URL and secret key).
    ///
    /// # Panics
    /// Never in practice: the URL and key are the emulator's own, always valid.
    #[must_use]
    pub fn client(&self) -> clerk_backend::Clerk {
        clerk_backend::Clerk::builder()
            .secret_key(self.secret_key())
            .server_url(self.api_url())
            .build()
            .expect("the emulator's own URL and key make a valid client")
    }

    /// The emulator's HTTP service, for `tower::ServiceExt::oneshot` tests without a socket.
    /// It shares this emulator's state.
    pub fn router(&self) -> axum::Router {
        app::router(self.app.clone())
    }

    /// Every webhook event emitted so far, oldest first.
    #[must_use]
    pub fn events(&self) -> Vec<Event> {
        self.app.store.tx(webhooks::inbox).unwrap_or_default()
    }

    /// Forget the events emitted so far.
    pub fn clear_events(&self) {
        let _ = self.app.store.tx(|tx| {
            tx.execute("DELETE FROM events", [])
                .map_err(error::ApiError::db)
        });
    }

    /// The Svix headers (`svix-id`, `svix-timestamp`, `svix-signature`) `event` is delivered
    /// with, signed now.
    #[must_use]
    pub fn webhook_headers(&self, event: &Event) -> [(&'static str, String); 3] {
        webhooks::headers(
            &webhooks::secret_bytes(&self.app.webhook_secret),
            event,
            clock::wall_ms() / 1000,
        )
    }

    /// The emulator's current time.
    #[must_use]
    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.app.clock.now_ms()).unwrap_or(0))
    }

    /// Set the emulator's clock (it keeps running from there).
    pub fn set_time(&self, at: SystemTime) {
        let ms = at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.app.clock.set_ms(ms);
    }

    /// Move the emulator's clock forward (expires sessions, invitations; dates tokens).
    pub fn advance(&self, by: Duration) {
        self.app.clock.advance(by);
    }

    /// Answer the next `times` calls of `operation` (`group.name` as in
    /// `clerk_backend::operations`, e.g. `users.get`, or `*` for any) with `fault`.
    ///
    /// # Errors
    /// [`Error::Config`] when `operation` names no operation.
    pub fn fail_next(&self, operation: &str, fault: Fault, times: usize) -> Result<(), Error> {
        if operation != "*"
            && !routes::operations()
                .iter()
                .any(|o| format!("{}.{}", o.group, o.name) == operation)
        {
            return Err(Error::Config(format!(
                "{operation:?} is not an operation (group.name, e.g. users.get)"
            )));
        }
        self.app.faults.push(operation, fault, times);
        Ok(())
    }

    /// Enforce Clerk's Backend API rate limit (100 requests per 10 seconds, development
    /// instance) when `true`; off by default.
    pub fn rate_limit(&self, enabled: bool) {
        *self
            .app
            .rate_limit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            enabled.then(faults::RateLimiter::clerk_default);
    }

    /// Create users in bulk, in one transaction, with the validation of `POST /v1/users`
    /// (each item is that request's body). Much faster than one request per user; no webhook
    /// event is emitted for them. Returns their ids.
    ///
    /// # Errors
    /// [`FixtureError::Entry`] naming the first rejected item (`users[i]`); nothing is created.
    pub fn load_users(
        &self,
        bodies: impl IntoIterator<Item = serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Vec<String>, FixtureError> {
        let mut failed: Option<(usize, error::ApiError)> = None;
        let r = self.app.store.tx(|tx| {
            let mut ids = Vec::new();
            for (i, body) in bodies.into_iter().enumerate() {
                match self.app.invoke_in_quiet(tx, "users", "create", body) {
                    Ok(u) => ids.push(u["id"].as_str().unwrap_or_default().to_owned()),
                    Err(e) => {
                        failed = Some((i, e.clone()));
                        return Err(e);
                    }
                }
            }
            Ok(ids)
        });
        r.map_err(|e| {
            let (i, e) = failed.unwrap_or((0, e));
            FixtureError::Entry {
                entry: format!("users[{i}]"),
                code: e.code.to_owned(),
                message: e.long_message,
            }
        })
    }

    /// Forget every object, event and queued fault (keys and secrets stay).
    pub fn reset(&self) {
        let _ = self.app.store.reset();
        self.app.faults.clear();
    }

    /// Stop serving and wait for in-flight requests to finish.
    pub async fn shutdown(self) {
        if let Some(s) = self
            .stop
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            let _ = s.send(());
        }
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(t) = task {
            let _ = t.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(t) = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            t.abort();
        }
    }
}
