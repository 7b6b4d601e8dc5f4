//! The HTTP front: authentication, faults, rate limit, routing to a handler or a 501.

use crate::clock::Clock;
use crate::error::ApiError;
use crate::faults::{Fault, Faults, RateLimiter};
use crate::ids::IdGen;
use crate::request::{Body, Ctx, Query, Reply};
use crate::routes::{Match, resolve};
use crate::signing::SigningKey;
use crate::store::Store;
use crate::webhooks::{self, Event};
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};

/// Shared state of one emulator instance.
pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) ids: IdGen,
    pub(crate) key: Arc<SigningKey>,
    pub(crate) clock: Clock,
    pub(crate) secret_key: String,
    pub(crate) publishable_key: String,
    pub(crate) webhook_secret: String,
    /// Token issuer (`iss`): the emulator's own origin.
    pub(crate) issuer: String,
    /// `azp` of minted session tokens.
    pub(crate) authorized_party: String,
    pub(crate) faults: Faults,
    pub(crate) rate_limit: Mutex<Option<RateLimiter>>,
    pub(crate) deliveries: Mutex<Vec<tokio::sync::mpsc::UnboundedSender<Event>>>,
}

const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) fn router(app: Arc<App>) -> axum::Router {
    axum::Router::new()
        .fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let app = app.clone();
                async move { app.handle(&method, &uri, &headers, &body) }
            },
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

fn json_response(status: u16, body: &Value) -> Response {
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body.to_string(),
    )
        .into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

impl App {
    pub(crate) fn trace_id(&self) -> String {
        self.ids.token(32).to_ascii_lowercase()
    }

    pub(crate) fn error_response(&self, e: &ApiError) -> Response {
        let mut r = json_response(e.status, &e.body(&self.trace_id()));
        if let Some(s) = e.retry_after {
            r.headers_mut().insert("retry-after", HeaderValue::from(s));
        }
        r
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(got) = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let want = self.secret_key.as_bytes();
        let got = got.as_bytes();
        got.len() == want.len() && got.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    pub(crate) fn handle(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        let path = uri.path();
        if let Some(rest) = path.strip_prefix("/_emulator") {
            if !self.authorized(headers) {
                return self.error_response(&unauthorized());
            }
            return crate::control::handle(self, method, rest, uri.query(), body);
        }
        let Some(rest) = path.strip_prefix("/v1") else {
            return self.error_response(&ApiError::not_found());
        };
        let (op, params) = match resolve(method.as_str(), rest) {
            Match::Op(op, params) => (op, params),
            Match::WrongMethod => {
                return self.error_response(&ApiError::new(
                    405,
                    "method_not_allowed",
                    "method not allowed",
                    format!("{method} is not allowed on {rest}"),
                ));
            }
            Match::NotFound => return self.error_response(&ApiError::not_found()),
        };
        if op.authenticated && !self.authorized(headers) {
            return self.error_response(&unauthorized());
        }
        let key = format!("{}.{}", op.group, op.name);
        match self.faults.take(&key) {
            Some(Fault::RateLimited { retry_after }) => {
                let mut e = too_many();
                e.retry_after = Some(retry_after.as_secs().max(1));
                return self.error_response(&e);
            }
            Some(Fault::Unavailable) => {
                return self.error_response(&ApiError::new(
                    503,
                    "service_unavailable",
                    "Service unavailable",
                    "The service is temporarily unavailable (injected fault)",
                ));
            }
            Some(Fault::Reset) => return reset_response(),
            None => {}
        }
        let now = self.clock.now_ms();
        if let Some(rl) = &*self
            .rate_limit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            && let Err(wait) = rl.check(now)
        {
            let mut e = too_many();
            e.retry_after = Some(wait);
            return self.error_response(&e);
        }
        let Some(handler) = crate::resources::handler(op.group, op.name) else {
            return self.error_response(&ApiError::new(
                501,
                "emulator_not_implemented",
                "not implemented by the emulator",
                format!(
                    "{} {} ({}.{}, operationId {}) is not implemented by clerk-emulator; see SUPPORTED.md",
                    op.method, op.path, op.group, op.name, op.operation_id
                ),
            ));
        };
        let query = Query::parse(uri.query());
        let body = match parse_body(headers, body) {
            Ok(b) => b,
            Err(e) => return self.error_response(&e),
        };
        let result = self
            .store
            .tx(|tx| self.run_handler(tx, handler, &params, &query, &body, now));
        match result {
            Ok((Reply { status, body }, sent)) => {
                self.deliver(sent);
                json_response(status, &body)
            }
            Err(e) => self.error_response(&e),
        }
    }

    fn run_handler(
        &self,
        tx: &rusqlite::Transaction<'_>,
        handler: crate::resources::Handler,
        params: &[(&'static str, String)],
        query: &Query,
        body: &Body,
        now: i64,
    ) -> Result<(Reply, Vec<Event>), ApiError> {
        let mut ctx = Ctx {
            app: self,
            tx,
            params,
            query,
            body,
            now,
            events: Vec::new(),
        };
        let reply = handler(&mut ctx)?;
        let mut sent = Vec::with_capacity(ctx.events.len());
        for ev in std::mem::take(&mut ctx.events) {
            let id = self.ids.id("msg");
            sent.push(webhooks::record(tx, &id, ev.kind, now, ev.data)?);
        }
        Ok((reply, sent))
    }

    /// Run operation `group.name` inside `tx` (fixtures, seeding): the same validation and
    /// events as over HTTP.
    pub(crate) fn invoke_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        group: &str,
        name: &str,
        params: Vec<(&'static str, String)>,
        body: Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let handler = crate::resources::handler(group, name).ok_or_else(ApiError::not_found)?;
        let (reply, _) = self.run_handler(
            tx,
            handler,
            &params,
            &Query::default(),
            &Body(body),
            self.clock.now_ms(),
        )?;
        Ok(reply.body)
    }

    /// [`invoke_in`](Self::invoke_in) without recording webhook events (bulk loads).
    pub(crate) fn invoke_in_quiet(
        &self,
        tx: &rusqlite::Transaction<'_>,
        group: &str,
        name: &str,
        body: Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let handler = crate::resources::handler(group, name).ok_or_else(ApiError::not_found)?;
        let mut ctx = Ctx {
            app: self,
            tx,
            params: &[],
            query: &Query::default(),
            body: &Body(body),
            now: self.clock.now_ms(),
            events: Vec::new(),
        };
        Ok(handler(&mut ctx)?.body)
    }

    pub(crate) fn authorized_party(&self) -> &str {
        &self.authorized_party
    }

    pub(crate) fn deliver(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut d = self
            .deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        d.retain(|tx| !tx.is_closed());
        for tx in d.iter() {
            for ev in &events {
                let _ = tx.send(ev.clone());
            }
        }
    }
}

fn unauthorized() -> ApiError {
    ApiError::new(
        401,
        "authentication_invalid",
        "Invalid authentication",
        "Unable to authenticate the request, you need to supply an active secret key",
    )
}

fn too_many() -> ApiError {
    ApiError::new(
        429,
        "too_many_requests",
        "Too Many Requests",
        "You have exceeded the rate limit; retry after the time in the Retry-After header",
    )
}

/// A response whose body fails after the headers: the client sees the connection cut.
fn reset_response() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected reset",
        ))
    });
    let mut r = axum::body::Body::from_stream(stream).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Body, ApiError> {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::default());
    }
    if ct.starts_with("multipart/") || ct.starts_with("application/octet-stream") {
        // Uploads (profile images, logos): the content is accepted, not decoded.
        return Ok(Body(Map::from_iter([(
            "__upload".to_owned(),
            Value::Bool(true),
        )])));
    }
    if ct.starts_with("application/x-www-form-urlencoded") {
        let mut m = Map::new();
        for (k, v) in form_urlencoded::parse(body) {
            m.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        return Ok(Body(m));
    }
    match serde_json::from_slice::<Value>(body) {
        // `__`-keys are the emulator's own markers (uploads, array bodies): never a client's.
        Ok(Value::Object(mut m)) => {
            m.retain(|k, _| !k.starts_with("__"));
            Ok(Body(m))
        }
        Ok(Value::Array(_)) => Ok(Body(Map::from_iter([(
            "__array".to_owned(),
            serde_json::from_slice(body).unwrap_or(json!([])),
        )]))),
        _ => Err(ApiError::bad_request(
            "request_body_invalid",
            "The request body is not a JSON object",
        )),
    }
}
