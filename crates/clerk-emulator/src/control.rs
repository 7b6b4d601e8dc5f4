//! `/_emulator/*`: the test-control API over HTTP (the same operations as [`crate::Emulator`]'s
//! methods).
//!
//! - `GET /_emulator/events`, `DELETE /_emulator/events`: the webhook inbox, oldest first; each
//!   entry has `id`, `type`, `payload` and `body` (the exact bytes delivered). `?after=ID` lists
//!   only the events after event `ID` (every event when `ID` is no longer in the inbox), so a
//!   follower can poll with the last id it saw.
//! - `GET /_emulator/clock`, `POST /_emulator/clock` `{"now_ms": …}` or `{"advance_ms": …}`.
//! - `POST /_emulator/faults` `{"operation": "users.get" | "*", "fault": "rate_limited" |
//!   "unavailable" | "reset", "times": N, "retry_after": seconds}`; `DELETE` clears them.
//! - `POST /_emulator/rate_limit` `{"enabled": bool, "max": N, "window_ms": …}`.
//! - `POST /_emulator/reset`: forget every object and event.
//! - `GET /_emulator/keys`: the publishable key, JWKS, public key PEM and webhook signing secret.

use crate::app::App;
use crate::error::ApiError;
use crate::faults::{Fault, RateLimiter};
use crate::request::Query;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::time::Duration;

fn ok(v: &Value) -> Response {
    let mut r = (StatusCode::OK, v.to_string()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

pub(crate) fn handle(
    app: &App,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Response {
    match run(app, method, path, &Query::parse(query), body) {
        Ok(v) => ok(&v),
        Err(e) => app.error_response(&e),
    }
}

fn run(
    app: &App,
    method: &Method,
    path: &str,
    query: &Query,
    body: &[u8],
) -> Result<Value, ApiError> {
    let b: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|_| {
            ApiError::bad_request("request_body_invalid", "The request body is not JSON")
        })?
    };
    match (method.as_str(), path.trim_end_matches('/')) {
        ("GET", "/events") => {
            let after = query.get("after");
            let events = app.store.tx(|tx| crate::webhooks::inbox_after(tx, after))?;
            let data: Vec<Value> = events
                .iter()
                .map(|e| json!({"id": e.id, "type": e.event_type, "payload": e.json(), "body": e.body}))
                .collect();
            Ok(json!({"total_count": data.len(), "data": data}))
        }
        ("DELETE", "/events") => {
            app.store
                .tx(|tx| tx.execute("DELETE FROM events", []).map_err(ApiError::db))?;
            Ok(json!({"deleted": true}))
        }
        ("GET", "/clock") => Ok(json!({"now_ms": app.clock.now_ms()})),
        ("POST", "/clock") => {
            if let Some(t) = b["now_ms"].as_i64() {
                app.clock.set_ms(t);
            } else if let Some(d) = b["advance_ms"].as_u64() {
                app.clock.advance(Duration::from_millis(d));
            } else {
                return Err(ApiError::missing("now_ms"));
            }
            Ok(json!({"now_ms": app.clock.now_ms()}))
        }
        ("POST", "/faults") => {
            let op = b["operation"]
                .as_str()
                .ok_or_else(|| ApiError::missing("operation"))?;
            let fault = match b["fault"].as_str() {
                Some("rate_limited") => Fault::RateLimited {
                    retry_after: Duration::from_secs(b["retry_after"].as_u64().unwrap_or(1)),
                },
                Some("unavailable") => Fault::Unavailable,
                Some("reset") => Fault::Reset,
                _ => {
                    return Err(ApiError::value_invalid(
                        "fault",
                        "must be rate_limited, unavailable or reset",
                    ));
                }
            };
            if op != "*"
                && !crate::routes::operations()
                    .iter()
                    .any(|o| format!("{}.{}", o.group, o.name) == op)
            {
                return Err(ApiError::value_invalid(
                    "operation",
                    format!("'{op}' is not an operation (group.name, e.g. users.get)"),
                ));
            }
            let times = usize::try_from(b["times"].as_u64().unwrap_or(1)).unwrap_or(usize::MAX);
            app.faults.push(op, fault, times);
            Ok(json!({"queued": times}))
        }
        ("DELETE", "/faults") => {
            app.faults.clear();
            Ok(json!({"deleted": true}))
        }
        ("POST", "/rate_limit") => {
            let mut rl = app
                .rate_limit
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *rl = if b["enabled"].as_bool().unwrap_or(true) {
                Some(match (b["max"].as_u64(), b["window_ms"].as_u64()) {
                    (Some(m), Some(w)) => RateLimiter::new(
                        usize::try_from(m).unwrap_or(usize::MAX),
                        Duration::from_millis(w),
                    ),
                    _ => RateLimiter::clerk_default(),
                })
            } else {
                None
            };
            Ok(json!({"enabled": rl.is_some()}))
        }
        ("POST", "/reset") => {
            app.store.reset()?;
            app.faults.clear();
            Ok(json!({"reset": true}))
        }
        ("GET", "/keys") => Ok(json!({
            "publishable_key": app.publishable_key,
            "jwks": app.key.jwks(),
            "public_key_pem": app.key.public_pem(),
            "webhook_secret": app.webhook_secret,
        })),
        _ => Err(ApiError::not_found()),
    }
}
