//! Bounded soak test with the default client configuration, retry budget included: many
//! requests, many in flight, against a server that injects a realistic share of 503s,
//! connection resets and short bursts of 429. Every GET must succeed, no POST may be acted on
//! twice, memory must stay flat, and the budget must absorb the faults. Then an outage (every
//! request fails) checks the budget's documented behaviour: it pays for at most
//! capacity / cost retries, after which calls fail at once, and it refills as calls succeed.
//!
//! `SOAK_REQUESTS` (default 10 000) sets the size; `cargo test --test it soak_long --
//! --ignored` runs a 100 000-request variant.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clerk_backend::{Clerk, Error, RetryBudget, RetryConfig};
use futures_util::StreamExt as _;
use serde_json::json;

use crate::support::*;

const IN_FLIGHT: usize = 64;

/// Server modes.
const STORM: u8 = 0;
const HEALTHY: u8 = 1;
const OUTAGE: u8 = 2;

/// 429 bursts: this many consecutive requests out of every 3 000 (fewer than are in flight,
/// as when a rate limit window closes on a busy client).
const BURST: usize = 40;

/// Deterministic per-request dice (splitmix64).
fn dice(i: usize) -> u64 {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % 100
}

#[derive(Default)]
struct Ledger {
    /// POST ids the server may have acted on (answered 2xx/5xx, or reset after reading).
    acted: Mutex<HashSet<String>>,
    duplicates: AtomicUsize,
    rate_limited: AtomicUsize,
    failed_503: AtomicUsize,
    resets: AtomicUsize,
}

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// `n` GETs, `IN_FLIGHT` at a time; how many succeeded and how many failed with a 503.
async fn gets(clerk: &Clerk, n: usize) -> (usize, usize) {
    let results = futures_util::stream::iter(0..n)
        .map(|i| {
            let clerk = clerk.clone();
            async move { clerk.call(get(&format!("g{i}"))).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let unavailable = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Api(e)) if e.status.as_u16() == 503))
        .count();
    (ok, unavailable)
}

async fn soak(total: usize) {
    let ledger = Arc::new(Ledger::default());
    let mode = Arc::new(AtomicU8::new(STORM));
    let (l, m) = (ledger.clone(), mode.clone());
    let server = Server::start_with(
        move |req, i| {
            match m.load(Ordering::SeqCst) {
                HEALTHY => return ok(),
                OUTAGE => return clerk_error(503),
                _ => {}
            }
            if i % 3000 >= 1500 && i % 3000 < 1500 + BURST {
                l.rate_limited.fetch_add(1, Ordering::Relaxed);
                return Reply::Bytes(response(429, &[("retry-after", "1")], ""));
            }
            let roll = dice(i);
            if req.method == "POST" {
                let id = req.body_text();
                if !l.acted.lock().unwrap().insert(id) {
                    l.duplicates.fetch_add(1, Ordering::Relaxed);
                }
            }
            // 4 % 503s and 1 % resets: a bad day for an API, not an outage.
            if roll < 4 {
                l.failed_503.fetch_add(1, Ordering::Relaxed);
                clerk_error(503)
            } else if roll < 5 {
                l.resets.fetch_add(1, Ordering::Relaxed);
                Reply::Reset(vec![])
            } else {
                ok()
            }
        },
        false,
    )
    .await;
    let time_budget = Duration::from_secs(30);
    let policy = RetryConfig::backoff(
        Duration::from_millis(2),
        Duration::from_secs(2),
        1.5,
        time_budget,
    )
    .max_attempts(40);
    // The default retry budget (no `.retry_budget(…)`): the soak proves the default client.
    let clerk = builder(&server.url())
        .retry(policy)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let default_budget = RetryBudget::default().available().unwrap();
    assert_eq!(clerk.retry_budget().available(), Some(default_budget));
    // Tokens one retry takes by default (documented: 5; 10 after a timeout).
    let retry_cost = 5;

    let get_ok = Arc::new(AtomicUsize::new(0));
    let post_ok = Arc::new(AtomicUsize::new(0));
    let post_failed = Arc::new(AtomicUsize::new(0));
    let slowest_get = Arc::new(Mutex::new(Duration::ZERO));
    let lowest_budget = Arc::new(AtomicU32::new(default_budget));
    let run = |range: std::ops::Range<usize>| {
        let clerk = clerk.clone();
        let (get_ok, post_ok, post_failed, slowest_get, lowest_budget) = (
            get_ok.clone(),
            post_ok.clone(),
            post_failed.clone(),
            slowest_get.clone(),
            lowest_budget.clone(),
        );
        futures_util::stream::iter(range)
            .map(move |n| {
                let clerk = clerk.clone();
                let (get_ok, post_ok, post_failed, slowest_get, lowest_budget) = (
                    get_ok.clone(),
                    post_ok.clone(),
                    post_failed.clone(),
                    slowest_get.clone(),
                    lowest_budget.clone(),
                );
                async move {
                    let started = Instant::now();
                    if n % 5 == 4 {
                        match clerk.call(create(json!({ "n": n }))).await {
                            Ok(_) => post_ok.fetch_add(1, Ordering::Relaxed),
                            Err(Error::Api(e)) if e.status.as_u16() == 503 => {
                                post_failed.fetch_add(1, Ordering::Relaxed)
                            }
                            Err(e @ Error::Connection { .. }) if e.maybe_sent() => {
                                post_failed.fetch_add(1, Ordering::Relaxed)
                            }
                            Err(e) => panic!("POST {n}: unexpected {e:?}"),
                        };
                    } else {
                        let r = clerk.call(get(&format!("t{n}"))).await;
                        let took = started.elapsed();
                        assert!(r.is_ok(), "GET {n} failed after {took:?}: {r:?}");
                        assert!(
                            took <= time_budget + Duration::from_secs(10),
                            "GET {n} took {took:?}"
                        );
                        get_ok.fetch_add(1, Ordering::Relaxed);
                        let mut s = slowest_get.lock().unwrap();
                        *s = (*s).max(took);
                    }
                    let left = clerk.retry_budget().available().unwrap();
                    lowest_budget.fetch_min(left, Ordering::Relaxed);
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect::<Vec<()>>()
    };

    let started = Instant::now();
    let warmup = total / 5;
    run(0..warmup).await;
    let rss_after_warmup = rss_bytes();
    run(warmup..total).await;
    let rss_end = rss_bytes();
    let elapsed = started.elapsed();

    let gets_total = total - total / 5;
    assert_eq!(
        get_ok.load(Ordering::Relaxed),
        gets_total,
        "every GET succeeds"
    );
    assert_eq!(
        post_ok.load(Ordering::Relaxed) + post_failed.load(Ordering::Relaxed),
        total / 5
    );
    assert_eq!(
        ledger.duplicates.load(Ordering::Relaxed),
        0,
        "a POST was acted on twice"
    );
    // The faults really happened, and really drew on the budget.
    assert!(ledger.failed_503.load(Ordering::Relaxed) > total / 50);
    assert!(ledger.resets.load(Ordering::Relaxed) > total / 200);
    assert!(ledger.rate_limited.load(Ordering::Relaxed) >= BURST);
    assert!(post_failed.load(Ordering::Relaxed) > 0);
    let lowest = lowest_budget.load(Ordering::Relaxed);
    assert!(
        lowest < default_budget - 10 * retry_cost,
        "the storm never drew on the budget (lowest {lowest})"
    );
    if let (Some(a), Some(b)) = (rss_after_warmup, rss_end) {
        let growth = b.saturating_sub(a);
        assert!(
            growth < 32 * 1024 * 1024,
            "RSS grew {} KiB after warm-up",
            growth / 1024
        );
    }
    let served_in_storm = server.count();

    // Calm: every call succeeds at once and adds a token, so the bucket is full again.
    mode.store(HEALTHY, Ordering::SeqCst);
    let calm = default_budget as usize + 100;
    assert_eq!(gets(&clerk, calm).await, (calm, 0));
    assert_eq!(clerk.retry_budget().available(), Some(default_budget));

    // Outage: every request fails. The budget pays for exactly capacity / cost retries, then
    // every call returns its error after one attempt instead of retrying up to 40 times.
    mode.store(OUTAGE, Ordering::SeqCst);
    let before = server.count();
    let outage_calls = 1000;
    assert_eq!(gets(&clerk, outage_calls).await, (0, outage_calls));
    let outage_requests = server.count() - before;
    let paid_retries = (default_budget / retry_cost) as usize;
    assert_eq!(
        outage_requests,
        outage_calls + paid_retries,
        "retries during the outage"
    );
    assert_eq!(clerk.retry_budget().available(), Some(0));

    // Recovery: calls that succeed at once need no tokens and refill the bucket.
    mode.store(HEALTHY, Ordering::SeqCst);
    let recovery = default_budget as usize + 100;
    assert_eq!(gets(&clerk, recovery).await, (recovery, 0));
    assert_eq!(clerk.retry_budget().available(), Some(default_budget));

    eprintln!(
        "soak: {total} calls, {served_in_storm} requests served, {elapsed:?}; slowest GET {:?}; POST ok {} / failed {}; 503 {} resets {} 429 {}; lowest retry budget {lowest} of {default_budget}; outage: {outage_calls} calls, {outage_requests} requests; RSS {:?} → {:?}",
        *slowest_get.lock().unwrap(),
        post_ok.load(Ordering::Relaxed),
        post_failed.load(Ordering::Relaxed),
        ledger.failed_503.load(Ordering::Relaxed),
        ledger.resets.load(Ordering::Relaxed),
        ledger.rate_limited.load(Ordering::Relaxed),
        rss_after_warmup,
        rss_end,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_10k_requests_64_in_flight() {
    let total = std::env::var("SOAK_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    soak(total).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long soak (100 000 requests); run on demand"]
async fn soak_long() {
    soak(100_000).await;
}
