//! The plain-text debug logger (`CLERK_DEBUG=true` or `ClerkBuilder::debug_logger`).

use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::Duration;

use super::OperationInfo;
use crate::error::Error;
use crate::redact;
use crate::retry::RetryReason;
use crate::transport::{Body, HttpRequest, RawResponse};

/// Prints one line per request, response, failure and retry — headers and bodies included,
/// bodies cut at [`max_body_bytes`](DebugLogger::max_body_bytes) — with every secret
/// [redacted](crate::redact): safe to leave on in production logs, unlike the reference SDK's.
///
/// Switched on by [`ClerkBuilder::debug_logger`](crate::ClerkBuilder::debug_logger), or by
/// `CLERK_DEBUG=true` (or `1`) in the environment, which logs to stderr.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use clerk_backend::{Clerk, pipeline::DebugLogger};
///
/// let lines = Arc::new(Mutex::new(Vec::new()));
/// let sink = lines.clone();
/// let clerk = Clerk::builder()
///     .secret_key("sk_test_example")
///     .debug_logger(DebugLogger::new(move |line| sink.lock().unwrap().push(line.to_owned())))
///     .build()?;
/// // or: .debug_logger(DebugLogger::stderr())
/// # let _ = clerk;
/// # Ok::<(), clerk_backend::Error>(())
/// ```
#[derive(Clone)]
pub struct DebugLogger {
    sink: Arc<dyn Fn(&str) + Send + Sync>,
    max_body: usize,
}

impl fmt::Debug for DebugLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DebugLogger")
            .field("max_body_bytes", &self.max_body)
            .finish_non_exhaustive()
    }
}

/// Bodies longer than this are cut in debug lines by default.
const DEFAULT_MAX_BODY: usize = 2048;

impl DebugLogger {
    /// Log to standard error.
    #[must_use]
    pub fn stderr() -> Self {
        DebugLogger::new(|line| eprintln!("{line}"))
    }

    /// Log each line to `sink` (a line never ends with a newline).
    pub fn new(sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        DebugLogger {
            sink: Arc::new(sink),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Cut bodies longer than `n` bytes (default 2048).
    #[must_use]
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body = n;
        self
    }

    /// A stderr logger if `CLERK_DEBUG` is `true`, `1` or `yes` (any case).
    #[must_use]
    pub fn from_env() -> Option<Self> {
        let v = std::env::var("CLERK_DEBUG").ok()?;
        is_truthy(&v).then(DebugLogger::stderr)
    }

    fn emit(&self, line: &str) {
        // Everything below is already redacted piece by piece; this pass is the safety net.
        (self.sink)(&redact::text(line));
    }

    fn body(&self, out: &mut String, body: &[u8]) {
        if body.is_empty() {
            return;
        }
        let shown = redact::excerpt(body, self.max_body);
        let _ = write!(out, "\n    body: {shown}");
    }

    pub(crate) fn request(&self, info: &OperationInfo, attempt: u32, req: &HttpRequest) {
        let mut out = format!(
            "clerk_backend --> {}.{} attempt {attempt}: {} {}",
            info.group,
            info.name,
            req.method(),
            redact::text(&req.uri().to_string())
        );
        for (name, value) in req.headers() {
            let _ = write!(out, "\n    {name}: {}", redact::header(name, value));
        }
        match req.body() {
            Body::Empty => {}
            Body::Json(bytes) => self.body(&mut out, bytes),
            body @ Body::Multipart { .. } => {
                let _ = write!(out, "\n    body: multipart/form-data {body:?}");
            }
        }
        self.emit(&out);
    }

    pub(crate) fn response(
        &self,
        info: &OperationInfo,
        attempt: u32,
        elapsed: Duration,
        resp: &RawResponse,
    ) {
        let mut out = format!(
            "clerk_backend <-- {}.{} attempt {attempt}: {} in {} ms",
            info.group,
            info.name,
            resp.status,
            elapsed.as_millis()
        );
        for (name, value) in &resp.headers {
            let _ = write!(out, "\n    {name}: {}", redact::header(name, value));
        }
        self.body(&mut out, &resp.body);
        self.emit(&out);
    }

    pub(crate) fn failure(
        &self,
        info: &OperationInfo,
        attempt: u32,
        elapsed: Duration,
        error: &Error,
        retry: Option<(Duration, RetryReason)>,
    ) {
        let mut out = format!(
            "clerk_backend !!! {}.{} attempt {attempt} failed after {} ms: {error}",
            info.group,
            info.name,
            elapsed.as_millis()
        );
        match retry {
            Some((wait, reason)) => {
                let _ = write!(out, "; retrying in {} ms ({reason})", wait.as_millis());
            }
            None => out.push_str("; giving up"),
        }
        self.emit(&out);
    }
}

pub(crate) fn is_truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    )
}
