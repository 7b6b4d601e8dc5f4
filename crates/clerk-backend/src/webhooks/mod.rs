//! Webhook signature verification (Svix / Standard Webhooks) and event decoding.
//!
//! ```
//! use clerk_backend::webhooks::{Webhook, WebhookEvent};
//! # fn handle(headers: &http::HeaderMap, body: &[u8]) -> Result<(), clerk_backend::webhooks::WebhookError> {
//! let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?; // CLERK_WEBHOOK_SIGNING_SECRET
//! match webhook.verify(headers, body)? {
//!     WebhookEvent::UserCreated(e) => println!("new user {:?}", e.data.id),
//!     WebhookEvent::SessionEnded(e) => println!("session {:?} ended", e.data.id),
//!     other => println!("ignoring {}", other.event_type()), // unknown types included
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use ring::hmac;
use serde_json::Value;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// Default tolerance between the `*-timestamp` header and the local clock, both ways.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Why a webhook was rejected. Never contains the secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signing secret is not `whsec_` + base64.
    #[error("invalid webhook signing secret: expected `whsec_` followed by base64")]
    InvalidSecret,
    /// A required header is absent (`svix-id`/`webhook-id`, `…-timestamp`, `…-signature`).
    #[error("missing required header `{0}`")]
    MissingHeader(&'static str),
    /// A header is present but malformed (not ASCII, not an integer timestamp).
    #[error("invalid header `{0}`")]
    InvalidHeader(&'static str),
    /// The timestamp is older than the tolerance.
    #[error("message timestamp too old")]
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance.
    #[error("message timestamp too new")]
    TimestampTooNew,
    /// No signature in the header matches.
    #[error("no matching signature found")]
    InvalidSignature,
    /// The verified body is not a webhook event (not JSON, or no `type`).
    #[error("invalid webhook payload: {0}")]
    InvalidPayload(String),
}

/// Verifies webhook signatures with one signing secret.
///
/// `Debug` shows no secret.
#[derive(Clone)]
pub struct Webhook {
    key: hmac::Key,
    tolerance: Duration,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("secret", &"whsec_[redacted]")
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// The header names of one of the two header families.
struct Names {
    id: &'static str,
    timestamp: &'static str,
    signature: &'static str,
}

const SVIX: Names = Names {
    id: "svix-id",
    timestamp: "svix-timestamp",
    signature: "svix-signature",
};
const STANDARD_WEBHOOKS: Names = Names {
    id: "webhook-id",
    timestamp: "webhook-timestamp",
    signature: "webhook-signature",
};

impl Webhook {
    /// A verifier for the signing secret `whsec_…` (the `whsec_` prefix is optional).
    ///
    /// # Errors
    /// [`WebhookError::InvalidSecret`] when the rest is not base64 or is empty.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        let b64 = secret.trim();
        let b64 = b64.strip_prefix("whsec_").unwrap_or(b64);
        // The decoded secret is wiped once the HMAC key is derived from it.
        let raw = Zeroizing::new(
            STANDARD
                .decode(b64.as_bytes())
                .map_err(|_| WebhookError::InvalidSecret)?,
        );
        if raw.is_empty() {
            return Err(WebhookError::InvalidSecret);
        }
        Ok(Self::from_bytes(&raw))
    }

    /// A verifier for a raw (already decoded) secret.
    #[must_use]
    pub fn from_bytes(secret: &[u8]) -> Self {
        Webhook {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Change the timestamp tolerance (default 5 minutes).
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verify and decode a webhook.
    ///
    /// # Errors
    /// Any [`WebhookError`]; an unknown event type is *not* an error.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        decode_event(self.verify_raw(headers, body)?)
    }

    /// Verify a webhook and return its body, undecoded.
    ///
    /// # Errors
    /// Missing or malformed headers, a timestamp outside the tolerance, or no matching
    /// signature.
    pub fn verify_raw<'b>(
        &self,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<&'b [u8], WebhookError> {
        self.verify_raw_at(headers, body, SystemTime::now())
    }

    /// [`verify_raw`](Self::verify_raw) with an explicit "now".
    ///
    /// # Errors
    /// As [`verify_raw`](Self::verify_raw).
    pub fn verify_raw_at<'b>(
        &self,
        headers: &HeaderMap,
        body: &'b [u8],
        now: SystemTime,
    ) -> Result<&'b [u8], WebhookError> {
        let names = if headers.contains_key(SVIX.id) {
            &SVIX
        } else {
            &STANDARD_WEBHOOKS
        };
        let get = |name: &'static str| -> Result<&str, WebhookError> {
            let v = headers.get(name).ok_or(WebhookError::MissingHeader(name))?;
            let v = v
                .to_str()
                .map_err(|_| WebhookError::InvalidHeader(name))?
                .trim();
            if v.is_empty() {
                return Err(WebhookError::MissingHeader(name));
            }
            Ok(v)
        };
        let id = get(names.id)?;
        let ts_raw = get(names.timestamp)?;
        let sigs = get(names.signature)?;
        // Strict: a canonical integer (no sign, no leading zero, nothing after it), so the
        // signed text is the header as sent.
        let ts: i64 = ts_raw
            .parse()
            .ok()
            .filter(|t: &i64| *t >= 0 && t.to_string() == ts_raw)
            .ok_or(WebhookError::InvalidHeader(names.timestamp))?;
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => 0,
        };
        let tol = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        if now.saturating_sub(ts) > tol {
            return Err(WebhookError::TimestampTooOld);
        }
        if ts.saturating_sub(now) > tol {
            return Err(WebhookError::TimestampTooNew);
        }
        let expected = self.tag(id, ts_raw, body);
        let mut buf = [0u8; 64];
        let mut ok = subtle::Choice::from(0);
        for entry in sigs.split(' ') {
            // `v1,<base64>`; anything after a further comma is ignored, as Standard Webhooks'
            // reference implementation does.
            let mut parts = entry.split(',');
            let (Some("v1"), Some(sig)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Ok(n) = STANDARD.decode_slice(sig.as_bytes(), &mut buf) else {
                continue;
            };
            // Every candidate is compared (no early exit), each in constant time.
            ok |= buf[..n].ct_eq(expected.as_ref());
        }
        if bool::from(ok) {
            Ok(body)
        } else {
            Err(WebhookError::InvalidSignature)
        }
    }

    fn tag(&self, id: &str, timestamp: &str, body: &[u8]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(id.as_bytes());
        ctx.update(b".");
        ctx.update(timestamp.as_bytes());
        ctx.update(b".");
        ctx.update(body);
        ctx.sign()
    }

    /// The `v1,<base64>` signature of a message, as Clerk (Svix) sends it. Useful to test your
    /// own handlers.
    #[must_use]
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.tag(msg_id, &timestamp.to_string(), body);
        format!("v1,{}", STANDARD.encode(tag.as_ref()))
    }
}

/// A decoded webhook event: one variant per event type of the webhooks spec
/// (`UserCreated`, `SessionEnded`, `OrganizationUpdated`, …), each holding the envelope
/// (`type`, `timestamp`, `instance_id`, `event_attributes`) and its typed `data`; any other
/// type is [`WebhookEvent::Unknown`] with the raw JSON.
pub use crate::webhook_events::WebhookEvent;

/// Decode a verified body into a typed [`WebhookEvent`]. Unknown event types are not an error:
/// they decode to [`WebhookEvent::Unknown`].
///
/// # Errors
/// [`WebhookError::InvalidPayload`] when the body is not a JSON object with a string `type`, or
/// when a known event's `data` does not fit its model.
pub fn decode_event(bytes: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let event: WebhookEvent =
        serde_json::from_slice(bytes).map_err(|e| WebhookError::InvalidPayload(e.to_string()))?;
    if let WebhookEvent::Unknown(v) = &event
        && v.get("type").and_then(Value::as_str).is_none()
    {
        return Err(WebhookError::InvalidPayload(
            "expected a JSON object with a string `type`".to_owned(),
        ));
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_and_bad_secrets_fail() {
        let w = Webhook::new("whsec_c2VjcmV0").unwrap();
        let d = format!("{w:?}");
        assert!(!d.contains("c2VjcmV0") && d.contains("redacted"), "{d}");
        assert_eq!(
            Webhook::new("whsec_!!").unwrap_err(),
            WebhookError::InvalidSecret
        );
        assert_eq!(
            Webhook::new("whsec_").unwrap_err(),
            WebhookError::InvalidSecret
        );
    }

    #[test]
    fn decode_unknown_type() {
        let e =
            decode_event(br#"{"type":"brand.new","data":{"x":1},"object":"event","timestamp":1}"#)
                .unwrap();
        assert_eq!(e.event_type(), "brand.new");
        assert!(matches!(e, WebhookEvent::Unknown(_)));
        assert!(decode_event(b"{}").is_err());
        assert!(decode_event(b"[1]").is_err());
        assert!(decode_event(b"nope").is_err());
    }
}
