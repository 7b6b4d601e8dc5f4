//! The retry loop: one call = attempts under a timeout each and one deadline for all, with
//! waits between them decided by the retry policy and paid for by the retry budget.

use std::pin::Pin;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, Method};
use tokio::time::Sleep;
use tracing::Instrument as _;

use super::timer::{wait_until, within};
use super::{ApiRequest, HookContext, MAX_URL_BYTES, OperationInfo, Pipeline};
use crate::error::{ApiError, Delivery, Error, Result};
use crate::redact;
use crate::retry::RetryReason;
use crate::transport::{Body, Exchange, HttpRequest, RawResponse};

/// How one attempt ended.
enum Attempt {
    /// A 2xx response, and when it was read.
    Success(RawResponse, Instant),
    /// A failure the retry policy may retry.
    Failed(Error),
    /// A failure that ends the call at once (a hook refused, the request cannot be built).
    Fatal(Error),
}

/// The time limits of one call.
#[derive(Clone, Copy)]
struct Limits {
    /// Per attempt.
    timeout: Option<Duration>,
    /// The call's deadline and its length.
    deadline: Option<(Instant, Duration)>,
}

impl Pipeline {
    /// Send a built request (hooks, timeouts, retries, logging); non-2xx becomes
    /// [`Error::Api`].
    pub(crate) async fn execute(&self, request: ApiRequest) -> Result<RawResponse> {
        let info = request.info;
        let span = tracing::debug_span!(
            target: "clerk_backend",
            "clerk_backend.call",
            group = info.group,
            operation = info.name,
            method = info.method,
            path = info.path,
        );
        // Boxed: a caller's future then holds a pointer, not the retry loop's whole state (a
        // `match` over many operations would otherwise hold the largest of them all).
        Box::pin(self.run(request).instrument(span)).await
    }

    async fn run(&self, request: ApiRequest) -> Result<RawResponse> {
        let started = Instant::now();
        let info = request.info;
        if let Some(message) = &request.options.header_error {
            return Err(Error::InvalidRequest(format!(
                "{}.{}: {message}",
                info.group, info.name
            )));
        }
        let method = info.http_method()?;
        let policy = request.options.retry.as_ref().unwrap_or(&self.retry);
        let limits = Limits {
            timeout: request.options.timeout.or(self.timeout),
            deadline: request
                .options
                .deadline
                .or(self.deadline)
                .and_then(|d| Some((started.checked_add(d)?, d))),
        };
        let uri = self.request_uri(&request)?;
        let base_headers = if info.authenticated {
            self.auth_headers.as_ref().ok_or_else(|| {
                Error::invalid(
                    "no secret key configured: set CLERK_SECRET_KEY or call ClerkBuilder::secret_key",
                )
            })?
        } else {
            &self.default_headers
        };
        // The call's one timer (attempt ends, the deadline and the waits between attempts).
        let mut timer = std::pin::pin!(None::<Sleep>);
        let mut attempt: u32 = 0;
        let mut spent: u32 = 0;
        let mut connect_failures: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            let attempt_started = Instant::now();
            let outcome = self
                .attempt(
                    &request,
                    &method,
                    &uri,
                    base_headers,
                    attempt,
                    limits,
                    (started, attempt_started),
                    timer.as_mut(),
                )
                .await;
            let error = match outcome {
                Attempt::Success(response, read_at) => {
                    self.budget.succeeded(spent);
                    if !self.hooks.after_success.is_empty() {
                        let ctx = HookContext::at(info, attempt, read_at - started, None);
                        for hook in &self.hooks.after_success {
                            hook(&ctx, &response);
                        }
                    }
                    return Ok(response);
                }
                Attempt::Failed(e) => e,
                Attempt::Fatal(e) => {
                    self.report_failure(info, attempt, attempt_started, started, &e, None);
                    return Err(e);
                }
            };
            let could_not_connect = matches!(
                error,
                Error::Connection {
                    delivery: Delivery::NotSent,
                    ..
                }
            );
            connect_failures = if could_not_connect {
                connect_failures + 1
            } else {
                0
            };
            let mut retry = policy.next_wait(
                &method,
                &error,
                attempt,
                started.elapsed(),
                crate::retry::random_unit(),
            );
            if connect_failures >= policy.max_connect_failures {
                retry = None;
            }
            if let (Some((wait, _)), Some((end, _))) = (retry, limits.deadline)
                && Instant::now() + wait >= end
            {
                retry = None;
            }
            if let Some((_, reason)) = retry {
                match self.budget.acquire(reason) {
                    Some(cost) => spent = spent.saturating_add(cost),
                    None => {
                        tracing::debug!(
                            target: "clerk_backend",
                            attempt,
                            "retry budget exhausted: not retrying"
                        );
                        retry = None;
                    }
                }
            }
            self.report_failure(info, attempt, attempt_started, started, &error, retry);
            match retry {
                Some((wait, _)) => wait_until(timer.as_mut(), Instant::now() + wait).await,
                None => return Err(error),
            }
        }
    }

    /// Logs, traces and runs `after_error` hooks for a failed attempt.
    fn report_failure(
        &self,
        info: &'static OperationInfo,
        attempt: u32,
        attempt_started: Instant,
        started: Instant,
        error: &Error,
        retry: Option<(Duration, RetryReason)>,
    ) {
        let elapsed = attempt_started.elapsed();
        match retry {
            // The operation is repeated here: at INFO the DEBUG call span may be filtered out.
            Some((wait, reason)) => tracing::info!(
                target: "clerk_backend",
                group = info.group,
                operation = info.name,
                attempt,
                status = error.status().map(|s| s.as_u16()),
                reason = %reason,
                wait_ms = millis(wait),
                elapsed_ms = millis(elapsed),
                error = %redact::Redacted(error),
                "retrying Clerk API call"
            ),
            None => tracing::debug!(
                target: "clerk_backend",
                attempt,
                status = error.status().map(|s| s.as_u16()),
                elapsed_ms = millis(elapsed),
                total_ms = millis(started.elapsed()),
                error = %redact::Redacted(error),
                "Clerk API call failed"
            ),
        }
        if let Some(log) = &self.debug {
            log.failure(info, attempt, elapsed, error, retry);
        }
        if !self.hooks.after_error.is_empty() {
            let ctx = HookContext::new(info, attempt, started, retry);
            for hook in &self.hooks.after_error {
                hook(&ctx, error);
            }
        }
    }

    /// The absolute URL, built once per call.
    fn request_uri(&self, request: &ApiRequest) -> Result<http::Uri> {
        let base = &self.base_url;
        let query_len = if request.query.is_empty() {
            0
        } else {
            1 + request.query.len()
        };
        let len = base.len() + request.path.len() + query_len;
        let info = request.info;
        if len > MAX_URL_BYTES {
            return Err(Error::invalid(format!(
                "{}.{}: the request URL is {len} bytes, over the limit of {MAX_URL_BYTES} \
                 (path {} bytes, query {} bytes): send fewer or shorter values per call",
                info.group,
                info.name,
                request.path.len(),
                request.query.len()
            )));
        }
        let mut url = String::with_capacity(len);
        url.push_str(base);
        url.push_str(&request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.query);
        }
        http::Uri::try_from(url).map_err(|e| {
            Error::invalid(format!(
                "{}.{}: the request URL is invalid ({e})",
                info.group, info.name
            ))
        })
    }

    /// Every header of one attempt except those hooks add: defaults, auth, content type,
    /// per-call headers (which replace defaults of the same name; credential-like ones are
    /// marked sensitive so no `Debug` shows them).
    fn attempt_headers(request: &ApiRequest, base: &HeaderMap) -> HeaderMap {
        let extra = &request.options.headers;
        // One copy of a prebuilt map (built with spare room: a clone keeps its index table,
        // so a hook's first header does not rehash it).
        let mut headers = base.clone();
        if matches!(request.body, Body::Json(_)) {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        for (i, (name, value)) in extra.iter().enumerate() {
            let mut value = value.clone();
            if redact::is_sensitive_header(name, &value) || redact::value_looks_secret(&value) {
                value.set_sensitive(true);
            }
            if extra[..i].iter().any(|(n, _)| n == name) {
                headers.append(name, value);
            } else {
                headers.insert(name, value);
            }
        }
        headers
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        request: &ApiRequest,
        method: &Method,
        uri: &http::Uri,
        base_headers: &HeaderMap,
        attempt: u32,
        limits: Limits,
        (started, attempt_began): (Instant, Instant),
        timer: Pin<&mut Option<Sleep>>,
    ) -> Attempt {
        let info = request.info;
        let mut http_request = http::Request::new(request.body.clone());
        *http_request.method_mut() = method.clone();
        *http_request.uri_mut() = uri.clone();
        *http_request.headers_mut() = Self::attempt_headers(request, base_headers);
        let exchange = Exchange::new(self.max_response_bytes);
        http_request.extensions_mut().insert(info);
        http_request.extensions_mut().insert(exchange.clone());
        let mut http_request = HttpRequest::new(http_request);
        if !self.hooks.before_request.is_empty() {
            let ctx = HookContext::at(info, attempt, attempt_began - started, None);
            for hook in &self.hooks.before_request {
                if let Err(e) = hook(&ctx, &mut http_request) {
                    return Attempt::Fatal(match e {
                        e @ Error::Hook(_) => e,
                        other => Error::Hook(Box::new(other)),
                    });
                }
            }
        }
        tracing::debug!(
            target: "clerk_backend",
            attempt,
            method = %http_request.method(),
            url = %redact::Redacted(http_request.uri()),
            "sending Clerk API request"
        );
        if let Some(log) = &self.debug {
            log.request(info, attempt, &http_request);
        }
        // The attempt's timeout runs from here: sending and reading, not the hooks.
        let attempt_started = Instant::now();
        let attempt_end = limits.timeout.and_then(|t| attempt_started.checked_add(t));
        // The earlier of the attempt's end and the call's deadline.
        let (end, whole_call) = match (attempt_end, limits.deadline) {
            (Some(a), Some((d, _))) if d < a => (Some(d), true),
            (Some(a), _) => (Some(a), false),
            (None, Some((d, _))) => (Some(d), true),
            (None, None) => (None, false),
        };
        let send = self.transport.send(http_request);
        let result = match end {
            Some(end) => match within(send, timer, end).await {
                Some(r) => r,
                None => Err(Error::Timeout {
                    after: if whole_call {
                        limits.deadline.map_or(Duration::ZERO, |(_, d)| d)
                    } else {
                        limits.timeout.unwrap_or_default()
                    },
                    whole_call,
                    delivery: exchange
                        .received_status()
                        .map_or(Delivery::SentNoAnswer, Delivery::Answered),
                }),
            },
            None => send.await,
        };
        let response = match result {
            Ok(r) => r,
            Err(Error::Timeout {
                after,
                whole_call: false,
                delivery,
            }) if after.is_zero() => {
                return Attempt::Failed(Error::Timeout {
                    after: limits.timeout.unwrap_or(after),
                    whole_call: false,
                    delivery,
                });
            }
            Err(e @ Error::InvalidRequest(_)) => return Attempt::Fatal(e),
            Err(e) => return Attempt::Failed(e),
        };
        if response.body.len() as u64 > self.max_response_bytes {
            // A transport that does not enforce the limit itself.
            return Attempt::Failed(Error::ResponseTooLarge {
                limit: self.max_response_bytes,
                status: response.status,
            });
        }
        let read_at = Instant::now();
        let elapsed = read_at - attempt_started;
        tracing::debug!(
            target: "clerk_backend",
            attempt,
            status = response.status.as_u16(),
            elapsed_ms = millis(elapsed),
            "Clerk API response"
        );
        if let Some(log) = &self.debug {
            log.response(info, attempt, elapsed, &response);
        }
        if response.status.is_success() {
            Attempt::Success(response, read_at)
        } else {
            Attempt::Failed(
                ApiError::from_response(response.status, &response.headers, response.body).into(),
            )
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
