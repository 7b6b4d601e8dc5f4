//! The request pipeline shared by every operation:
//! build → `before_request` hooks → [transport](crate::transport) (within the attempt's
//! timeout and the call's deadline) → status check → `after_success` / `after_error` hooks →
//! retry → decode.
//!
//! Generated request types implement [`Operation`]; [`Clerk::call`](crate::Clerk::call) builds
//! one into an [`ApiRequest`] and hands it to the pipeline. Everything protocol-specific
//! (paths, query encoding, bodies) is decided here once, so the generated code stays
//! declarative. The retry loop lives in one place, `retry_loop.rs`; the policy itself is
//! [`RetryConfig`].
//!
//! Every call is a `tracing` span `clerk_backend.call` (target `clerk_backend`; fields group,
//! operation, method, path) holding one DEBUG event per attempt sent and per response (status,
//! attempt, elapsed), an INFO event per retry (reason, wait) and a DEBUG event for a final
//! failure. URLs and messages in them are [redacted](crate::redact).

mod debug;
mod encode;
mod hooks;
mod operation;
mod options;
mod retry_loop;
mod timer;

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;

pub use debug::DebugLogger;
pub use encode::{PathBuilder, QueryValue, QueryWriter};
pub use hooks::HookContext;
pub(crate) use hooks::Hooks;
pub use operation::{
    ApiRequest, Detached, Operation, OperationInfo, decode_empty, decode_json, decode_text,
    json_body, missing,
};
pub(crate) use options::request_options;
pub use options::{IntoHeaderName, IntoHeaderValue, RequestOptions};

use crate::retry::{RetryBudget, RetryConfig};
use crate::transport::Transport;

/// The longest request URL the HTTP stack accepts (the `http` crate's limit).
pub const MAX_URL_BYTES: usize = u16::MAX as usize - 1;

/// Everything a call needs, fixed when the client is built.
pub(crate) struct Pipeline {
    pub(crate) transport: Arc<dyn Transport>,
    /// Server URL without a trailing slash.
    pub(crate) base_url: String,
    /// `Clerk-API-Version`, `User-Agent`, `X-Clerk-SDK`.
    pub(crate) default_headers: HeaderMap,
    /// `default_headers` plus `Authorization: Bearer <secret key>` (marked sensitive), copied
    /// whole into each authenticated attempt; `None` when no secret key is configured.
    pub(crate) auth_headers: Option<HeaderMap>,
    /// Per attempt; `None`: no limit.
    pub(crate) timeout: Option<Duration>,
    /// Per call, covering attempts, waits and body reads; `None`: no limit.
    pub(crate) deadline: Option<Duration>,
    pub(crate) max_response_bytes: u64,
    pub(crate) retry: RetryConfig,
    pub(crate) budget: RetryBudget,
    pub(crate) hooks: Hooks,
    pub(crate) debug: Option<DebugLogger>,
}
