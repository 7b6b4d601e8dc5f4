//! Hooks around every attempt: `before_request`, `after_success`, `after_error`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::OperationInfo;
use crate::error::{Error, Result};
use crate::retry::RetryReason;
use crate::transport::{HttpRequest, RawResponse};

/// What a hook knows about the call it runs in.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct HookContext {
    /// The operation: group, name, method, path template.
    pub info: &'static OperationInfo,
    /// Attempt number, from 1.
    pub attempt: u32,
    /// Time since the call's first attempt started.
    pub elapsed: Duration,
    /// In `after_error`: the wait before the next attempt, or `None` when the error is final.
    pub retry_in: Option<Duration>,
    /// In `after_error`: why the call will be retried.
    pub retry_reason: Option<RetryReason>,
}

impl HookContext {
    /// The context of attempt `attempt` of a call that started at `started`.
    pub(crate) fn new(
        info: &'static OperationInfo,
        attempt: u32,
        started: std::time::Instant,
        retry: Option<(Duration, RetryReason)>,
    ) -> Self {
        Self::at(info, attempt, started.elapsed(), retry)
    }

    /// The same, with the time since the call started already known (saves a clock read).
    pub(crate) fn at(
        info: &'static OperationInfo,
        attempt: u32,
        elapsed: Duration,
        retry: Option<(Duration, RetryReason)>,
    ) -> Self {
        HookContext {
            info,
            attempt,
            elapsed,
            retry_in: retry.map(|r| r.0),
            retry_reason: retry.map(|r| r.1),
        }
    }

    /// Whether this failure is the call's last (the caller gets this error).
    #[must_use]
    pub fn is_final(&self) -> bool {
        self.retry_in.is_none()
    }
}

pub(crate) type BeforeRequest = dyn Fn(&HookContext, &mut HttpRequest) -> Result<()> + Send + Sync;
pub(crate) type AfterSuccess = dyn Fn(&HookContext, &RawResponse) + Send + Sync;
pub(crate) type AfterError = dyn Fn(&HookContext, &Error) + Send + Sync;

/// The hooks installed on a client, run in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) before_request: Vec<Arc<BeforeRequest>>,
    pub(crate) after_success: Vec<Arc<AfterSuccess>>,
    pub(crate) after_error: Vec<Arc<AfterError>>,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("before_request", &self.before_request.len())
            .field("after_success", &self.after_success.len())
            .field("after_error", &self.after_error.len())
            .finish()
    }
}
