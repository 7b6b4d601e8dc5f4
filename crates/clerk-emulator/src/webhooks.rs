//! Webhook events: recorded in the inbox in the same transaction as the change, signed as Svix
//! signs (`svix-id`, `svix-timestamp`, `svix-signature: v1,<base64 HMAC-SHA256>` over
//! `id.timestamp.body` with the `whsec_` secret's bytes) and delivered with retries.

use crate::error::ApiError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::Transaction;
use serde_json::{Value, json};
use std::time::Duration;

/// One event the emulator emitted, as kept in its inbox.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// The Svix message id (`msg_…`), sent as `svix-id`.
    pub id: String,
    /// The event type, e.g. `user.created`.
    pub event_type: String,
    /// The payload as delivered: `{"data", "object": "event", "type", "timestamp", …}`.
    pub body: String,
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id)
            .field("event_type", &self.event_type)
            .finish_non_exhaustive()
    }
}

impl Event {
    /// The payload parsed as JSON.
    #[must_use]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The `data` object of the payload.
    #[must_use]
    pub fn data(&self) -> Value {
        self.json().get("data").cloned().unwrap_or(Value::Null)
    }
}

/// The secret's signing bytes: base64 after `whsec_`.
pub(crate) fn secret_bytes(secret: &str) -> Vec<u8> {
    STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap_or_default()
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
pub(crate) fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let tag = ring::hmac::sign(&key, format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(tag.as_ref()))
}

/// The three Svix headers for `event`, timestamped `unix_seconds`.
pub(crate) fn headers(
    secret: &[u8],
    event: &Event,
    unix_seconds: i64,
) -> [(&'static str, String); 3] {
    [
        ("svix-id", event.id.clone()),
        ("svix-timestamp", unix_seconds.to_string()),
        (
            "svix-signature",
            sign(secret, &event.id, unix_seconds, &event.body),
        ),
    ]
}

pub(crate) fn record(
    tx: &Transaction<'_>,
    id: &str,
    kind: &str,
    now_ms: i64,
    data: Value,
) -> Result<Event, ApiError> {
    let payload = json!({
        "data": data,
        "object": "event",
        "type": kind,
        "timestamp": now_ms,
        "instance_id": "ins_emulator",
        "event_attributes": {"http_request": {"client_ip": "127.0.0.1", "user_agent": ""}},
    });
    let body = payload.to_string();
    tx.execute(
        "INSERT INTO events(id, type, timestamp, payload) VALUES(?1, ?2, ?3, ?4)",
        rusqlite::params![id, kind, now_ms, body],
    )
    .map_err(ApiError::db)?;
    Ok(Event {
        id: id.to_owned(),
        event_type: kind.to_owned(),
        body,
    })
}

pub(crate) fn inbox(tx: &Transaction<'_>) -> Result<Vec<Event>, ApiError> {
    inbox_after(tx, None)
}

/// The inbox after event `after` (all of it when `after` is `None` or no longer kept).
pub(crate) fn inbox_after(
    tx: &Transaction<'_>,
    after: Option<&str>,
) -> Result<Vec<Event>, ApiError> {
    let mut st = tx
        .prepare_cached(
            "SELECT id, type, payload FROM events \
             WHERE seq > COALESCE((SELECT seq FROM events WHERE id = ?1), 0) ORDER BY seq",
        )
        .map_err(ApiError::db)?;
    let rows = st
        .query_map([after], |r| {
            Ok(Event {
                id: r.get(0)?,
                event_type: r.get(1)?,
                body: r.get(2)?,
            })
        })
        .map_err(ApiError::db)?;
    rows.collect::<Result<_, _>>().map_err(ApiError::db)
}

/// Delays between delivery attempts (the first attempt is immediate).
pub(crate) const RETRY_DELAYS: [Duration; 4] = [
    Duration::from_millis(500),
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(15),
];

/// Delivers events to one URL, in order, retrying each on a non-2xx answer or a transport error.
pub(crate) fn spawn_delivery(
    url: String,
    secret: Vec<u8>,
) -> tokio::sync::mpsc::UnboundedSender<Event> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    tokio::spawn(async move {
        let http = http_client();
        while let Some(ev) = rx.recv().await {
            let mut delays = RETRY_DELAYS.iter();
            loop {
                let ts = crate::clock::wall_ms() / 1000;
                let mut req = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(ev.body.clone());
                for (k, v) in headers(&secret, &ev, ts) {
                    req = req.header(k, v);
                }
                match req.send().await {
                    Ok(r) if r.status().is_success() => break,
                    Ok(r) => {
                        tracing::warn!(url = %url, status = %r.status(), id = %ev.id, "webhook delivery refused")
                    }
                    Err(e) => {
                        tracing::warn!(url = %url, error = %e, id = %ev.id, "webhook delivery failed")
                    }
                }
                match delays.next() {
                    Some(d) => tokio::time::sleep(*d).await,
                    None => break,
                }
            }
        }
    });
    tx
}

/// A plain reqwest client. The workspace builds reqwest without a default TLS provider, so
/// rustls' ring provider is installed for the process if none is (a no-op otherwise).
pub(crate) fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}
