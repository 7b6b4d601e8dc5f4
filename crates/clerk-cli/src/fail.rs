//! Why a command failed, and the exit code each reason maps to.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the API answered with an error (4xx/5xx); its body is printed on stderr |
//! | 2 | usage error: bad flag, missing field, refused confirmation |
//! | 3 | network error: connection failed or timed out |
//! | 4 | local failure: unreadable file, bad config, rows that could not be imported |
//! | 5 | verification failed (`token verify`, `webhooks verify`) |

use std::fmt;

/// A command's failure.
#[derive(Debug)]
pub enum Failure {
    /// The API answered non-2xx: status and the body as received.
    Api { status: u16, body: String },
    /// Bad invocation.
    Usage(String),
    /// Connection or timeout.
    Network(String),
    /// Anything local (files, config, data).
    Local(String),
    /// A token or webhook did not verify.
    Verify(String),
}

impl Failure {
    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Api { .. } => 1,
            Failure::Usage(_) => 2,
            Failure::Network(_) => 3,
            Failure::Local(_) => 4,
            Failure::Verify(_) => 5,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Api { status, body } => write!(f, "API error {status}: {body}"),
            Failure::Usage(m) => write!(f, "usage: {m}"),
            Failure::Network(m) => write!(f, "network: {m}"),
            Failure::Local(m) => f.write_str(m),
            Failure::Verify(m) => write!(f, "verification failed: {m}"),
        }
    }
}

impl From<clerk_backend::Error> for Failure {
    fn from(e: clerk_backend::Error) -> Self {
        if let Some(api) = e.as_api() {
            return Failure::Api {
                status: api.status().as_u16(),
                body: api.body_text(),
            };
        }
        if e.is_timeout() || e.is_connection() {
            return Failure::Network(e.to_string());
        }
        match e {
            clerk_backend::Error::InvalidRequest(m) => Failure::Usage(m),
            other => Failure::Local(other.to_string()),
        }
    }
}

/// A local failure with context.
pub fn local(context: impl fmt::Display, e: impl fmt::Display) -> Failure {
    Failure::Local(format!("{context}: {e}"))
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;
