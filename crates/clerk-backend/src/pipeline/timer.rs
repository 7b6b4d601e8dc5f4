//! The one timer of a call: each attempt's end, the call's deadline and the waits between
//! attempts, on a single tokio `Sleep` that is armed only when an attempt has to wait.

use std::future::Future as _;
use std::pin::Pin;
use std::task::Poll;
use std::time::Instant;

use tokio::time::Sleep;

use crate::error::Result;
use crate::transport::{BoxFuture, RawResponse};

/// Await `send` until `end`; `None` when `end` came first.
///
/// The call's timer is armed only once `send` has to wait (an answer already at hand costs no
/// timer), and is moved, not replaced, from one attempt to the next: tokio moves a registered
/// timer to a later instant without touching its timer wheel.
pub(super) async fn within(
    mut send: BoxFuture<'_, Result<RawResponse>>,
    mut timer: Pin<&mut Option<Sleep>>,
    end: Instant,
) -> Option<Result<RawResponse>> {
    let end = tokio::time::Instant::from_std(end);
    let mut armed = false;
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(r) = send.as_mut().poll(cx) {
            return Poll::Ready(Some(r));
        }
        if !armed {
            arm(timer.as_mut(), end);
            armed = true;
        }
        match timer.as_mut().as_pin_mut() {
            Some(sleep) => sleep.poll(cx).map(|()| None),
            None => Poll::Pending,
        }
    })
    .await
}

/// Wait until `end` on the call's timer.
pub(super) async fn wait_until(mut timer: Pin<&mut Option<Sleep>>, end: Instant) {
    arm(timer.as_mut(), tokio::time::Instant::from_std(end));
    if let Some(sleep) = timer.as_pin_mut() {
        sleep.await;
    }
}

fn arm(mut timer: Pin<&mut Option<Sleep>>, end: tokio::time::Instant) {
    match timer.as_mut().as_pin_mut() {
        Some(sleep) => {
            if sleep.deadline() != end {
                sleep.reset(end);
            }
        }
        None => {
            timer.set(Some(tokio::time::sleep_until(end)));
        }
    }
}
