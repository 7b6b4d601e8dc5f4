//! Decoding a 2xx body into its model, and the error that says where it did not fit.

use std::fmt;

use bytes::Bytes;
use http::StatusCode;

/// A 2xx body that does not fit the generated model.
///
/// `Debug` and [`pretty`](DecodeError::pretty) show the body with secrets
/// [redacted](crate::redact); the `body` field holds it exactly as received.
#[derive(Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// JSON path of the mismatch, e.g. `data[3].email_addresses[0].verification.status`.
    pub path: String,
    /// What serde said.
    pub message: String,
    /// The raw body.
    pub body: Bytes,
    /// Rust type we tried to decode into.
    pub target: &'static str,
}

impl DecodeError {
    /// Decode `body` into `T`; on failure, re-parse with path tracking (only the error path pays).
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        status: StatusCode,
        body: Bytes,
    ) -> Result<T, DecodeError> {
        match serde_json::from_slice::<T>(&body) {
            Ok(v) => Ok(v),
            Err(first) => {
                let mut de = serde_json::Deserializer::from_slice(&body);
                let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                    Err(e) => (e.path().to_string(), e.inner().to_string()),
                    Ok(_) => (".".to_owned(), first.to_string()),
                };
                let message = redact_serde_message(&path, &message);
                Err(DecodeError {
                    status,
                    path,
                    message,
                    body,
                    target: std::any::type_name::<T>(),
                })
            }
        }
    }

    /// A multi-line rendering: what failed, where, and the body around it.
    #[must_use]
    pub fn pretty(&self) -> String {
        let text = crate::redact::body(&self.body);
        let shown: String = text.chars().take(2000).collect();
        let more = if text.chars().count() > 2000 {
            "\n  …(truncated)"
        } else {
            ""
        };
        format!(
            "could not decode {} response into {}\n  at: {}\n  why: {}\n  body:\n  {}{}",
            self.status, self.target, self.path, self.message, shown, more
        )
    }
}

/// serde quotes the offending value (`invalid type: string "…"`): hide it when the field's
/// name looks secret, and scrub known secret shapes otherwise.
fn redact_serde_message(path: &str, message: &str) -> String {
    let last = path
        .rsplit(['.', '['])
        .next()
        .unwrap_or(path)
        .trim_end_matches(']');
    if crate::redact::is_sensitive_name(last) {
        let mut out = String::with_capacity(message.len());
        let mut inside = false;
        for c in message.chars() {
            if c == '"' {
                if !inside {
                    out.push_str("\"[redacted]\"");
                }
                inside = !inside;
            } else if !inside {
                out.push(c);
            }
        }
        out
    } else {
        crate::redact::text(message)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode {} response into {} at `{}`: {}",
            self.status, self.target, self.path, self.message
        )
    }
}

impl std::error::Error for DecodeError {}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("target", &self.target)
            .field(
                "body",
                &crate::redact::truncate(&crate::redact::body(&self.body), 1024),
            )
            .finish()
    }
}
