//! The one timer of a call: each attempt's end, the call's deadline and the waits between
//! attempts, on a single tokio `Sleep` that is armed only when an attempt has to wait.
//!
//! Adding a timer that is due before everything else in tokio's timer wheel (or to a wheel that
//! was empty when the runtime last parked) makes tokio wake its I/O driver, a system call that
//! costs as much as the rest of the pipeline on a fast call. So each thread that makes calls
//! also keeps a *lead*: one timer of its runtime that never wakes anything, due shortly from
//! now. A call's timer (its timeout away) is then later than the wheel's earliest and adding it
//! wakes nothing. The lead is not a task: it sits in the wheel, fires once when no call has
//! re-armed it for a second, and is re-armed by the next call. Under paused time
//! (`tokio::time::pause`) it is one more instant the clock may auto-advance to while idle.

use std::cell::RefCell;
use std::future::Future as _;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::runtime::{Handle, Id};
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
            keep_lead();
            timer.set(Some(tokio::time::sleep_until(end)));
        }
    }
}

/// How far ahead of now the lead is armed: shorter than any sensible timeout, long enough that
/// re-arming it is rare.
const LEAD: Duration = Duration::from_secs(1);

struct Lead {
    runtime: Id,
    sleep: Pin<Box<Sleep>>,
}

thread_local! {
    static THREAD_LEAD: RefCell<Option<Lead>> = const { RefCell::new(None) };
}

/// Make sure this thread's runtime has a pending lead timer (see the module docs).
fn keep_lead() {
    // Never fails a call: without a lead, adding the call's timer only costs a wake-up.
    let _ = THREAD_LEAD.try_with(|cell| {
        let Ok(mut lead) = cell.try_borrow_mut() else {
            return;
        };
        if lead.as_ref().is_some_and(|l| !l.sleep.is_elapsed()) {
            return;
        }
        let Ok(runtime) = Handle::try_current() else {
            return;
        };
        let at = tokio::time::Instant::now() + LEAD;
        match lead.as_mut() {
            // Fired: re-arm it in the same runtime.
            Some(l) if l.runtime == runtime.id() => l.sleep.as_mut().reset(at),
            // None yet, or one left in a runtime this thread no longer runs.
            _ => {
                let mut sleep = Box::pin(tokio::time::sleep_until(at));
                // Registers it now: a lead is never polled.
                sleep.as_mut().reset(at);
                *lead = Some(Lead {
                    runtime: runtime.id(),
                    sleep,
                });
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runtime of this thread's lead, while it is pending.
    fn pending_lead() -> Option<Id> {
        THREAD_LEAD.with(|cell| {
            let lead = cell.borrow();
            lead.as_ref()
                .filter(|l| !l.sleep.is_elapsed())
                .map(|l| l.runtime)
        })
    }

    #[test]
    fn arming_a_call_timer_leaves_a_lead_in_the_callers_runtime() {
        // Twice on one thread: the second runtime must get its own lead, not the first's.
        for _ in 0..2 {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();
            let id = rt.block_on(async {
                let mut timer = std::pin::pin!(None::<Sleep>);
                arm(
                    timer.as_mut(),
                    tokio::time::Instant::now() + Duration::from_secs(30),
                );
                assert!(timer.as_pin_mut().is_some_and(|t| !t.is_elapsed()));
                Handle::current().id()
            });
            assert_eq!(pending_lead(), Some(id));
            // Shutting the runtime down fires every timer it holds, the lead included.
            drop(rt);
            assert_eq!(pending_lead(), None);
        }
    }

    #[test]
    fn the_lead_is_not_moved_while_pending() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let deadline = |t: &mut Pin<&mut Option<Sleep>>| {
                arm(
                    t.as_mut(),
                    tokio::time::Instant::now() + Duration::from_secs(30),
                );
            };
            let mut first = std::pin::pin!(None::<Sleep>);
            deadline(&mut first);
            let at = THREAD_LEAD.with(|c| c.borrow().as_ref().map(|l| l.sleep.deadline()));
            tokio::time::sleep(Duration::from_millis(5)).await;
            let mut second = std::pin::pin!(None::<Sleep>);
            deadline(&mut second);
            let again = THREAD_LEAD.with(|c| c.borrow().as_ref().map(|l| l.sleep.deadline()));
            assert!(at.is_some());
            assert_eq!(at, again);
        });
    }
}
