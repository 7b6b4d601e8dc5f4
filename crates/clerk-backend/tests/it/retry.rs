//! Retry policy against a scripted server: which failures are retried for which methods,
//! `Retry-After`, and the attempt/time bounds.

use std::time::{Duration, Instant};

use clerk_backend::{Error, RetryConfig};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn get_503_then_200_is_retried() {
    let server = Server::start(|_, i| if i == 0 { clerk_error(503) } else { ok() }).await;
    let clerk = client(&server, fast());
    let thing = clerk
        .call(get("thing_1"))
        .await
        .expect("retried to success");
    assert_eq!(thing["id"], "thing_1");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn post_503_is_not_repeated_without_opt_in() {
    let server = Server::start(|_, _| clerk_error(503)).await;
    let clerk = client(&server, fast());
    let err = clerk.call(create(json!({"name": "a"}))).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.as_api().and_then(|e| e.trace_id()), Some("trace_abc"));
    assert_eq!(
        server.count(),
        1,
        "a POST that reached the server was repeated"
    );
}

#[tokio::test]
async fn post_503_is_retried_with_opt_in() {
    let server = Server::start(|_, i| if i == 0 { clerk_error(503) } else { ok() }).await;
    let clerk = client(&server, fast());
    let op = create(json!({"name": "a"})).with_retry(fast().retry_non_idempotent(true));
    clerk.call(op).await.expect("opted-in retry");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn client_level_opt_in_applies_to_post() {
    let server = Server::start(|_, i| if i < 2 { clerk_error(502) } else { ok() }).await;
    let clerk = client(&server, fast().retry_non_idempotent(true));
    clerk.call(create(json!({}))).await.expect("retried");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn status_4xx_other_than_429_is_never_retried() {
    let server = Server::start(|_, _| clerk_error(422)).await;
    let clerk = client(&server, fast());
    let err = clerk.call(get("x")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn rate_limited_429_waits_retry_after_seconds_even_for_post() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::Bytes(response(429, &[("retry-after", "1")], ""))
        } else {
            ok()
        }
    })
    .await;
    // Backoff alone would wait 5 ms: the 1 s wait can only come from Retry-After.
    let clerk = client(&server, patient());
    let started = Instant::now();
    clerk
        .call(create(json!({"n": 1})))
        .await
        .expect("429 is retried for POST");
    let elapsed = started.elapsed();
    assert_eq!(server.count(), 2);
    assert!(elapsed >= Duration::from_secs(1), "waited only {elapsed:?}");
    assert!(elapsed < Duration::from_millis(1800), "waited {elapsed:?}");
}

#[tokio::test]
async fn retry_after_as_http_date_is_honoured() {
    let server = Server::start(|_, i| {
        if i == 0 {
            let when = std::time::SystemTime::now() + Duration::from_secs(2);
            let date = httpdate::fmt_http_date(when);
            Reply::Bytes(response(429, &[("retry-after", date.as_str())], ""))
        } else {
            ok()
        }
    })
    .await;
    let clerk = client(&server, patient());
    let started = Instant::now();
    clerk.call(get("x")).await.expect("retried");
    let elapsed = started.elapsed();
    assert_eq!(server.count(), 2);
    // An HTTP date has 1 s resolution: "now + 2 s" is 1–2 s away.
    assert!(
        elapsed >= Duration::from_millis(900),
        "waited only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_millis(2800), "waited {elapsed:?}");
}

/// Like `fast` but willing to wait up to 3 s for a `Retry-After`.
fn patient() -> RetryConfig {
    RetryConfig::backoff(
        Duration::from_millis(5),
        Duration::from_secs(3),
        1.5,
        Duration::from_secs(10),
    )
    .max_attempts(5)
    .jitter(0.0)
}

#[tokio::test]
async fn retry_after_longer_than_max_interval_returns_at_once() {
    let server =
        Server::start(|_, _| Reply::Bytes(response(429, &[("retry-after", "120")], ""))).await;
    let clerk = client(&server, fast());
    let started = Instant::now();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.count(), 1);
    assert!(err.as_api().is_some_and(|e| e.is_rate_limited()));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn retry_after_is_available_when_retries_are_off() {
    let server =
        Server::start(|_, _| Reply::Bytes(response(503, &[("retry-after", "7")], ""))).await;
    let clerk = client(&server, RetryConfig::none());
    let err = clerk.call(get("x")).await.unwrap_err();
    assert_eq!(server.count(), 1);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn per_call_none_overrides_client_policy() {
    let server = Server::start(|_, _| clerk_error(503)).await;
    let clerk = client(&server, fast());
    let _ = clerk
        .call(get("x").with_retry(RetryConfig::none()))
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn max_attempts_bounds_the_tries() {
    let server = Server::start(|_, _| clerk_error(500)).await;
    let clerk = client(&server, fast().max_attempts(3));
    let err = clerk.call(get("x")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn max_elapsed_bounds_the_total_time() {
    let server = Server::start(|_, _| clerk_error(500)).await;
    let policy = RetryConfig::backoff(
        Duration::from_millis(40),
        Duration::from_millis(40),
        1.0,
        Duration::from_millis(200),
    )
    .jitter(0.0);
    let clerk = client(&server, policy);
    let started = Instant::now();
    let _ = clerk.call(get("x")).await.unwrap_err();
    let elapsed = started.elapsed();
    // Unbounded attempts: only max_elapsed (200 ms) stops this; slack for a busy machine.
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    // 40 ms apart within 200 ms: at most 5 waits, so 2..=6 attempts.
    let n = server.count();
    assert!((2..=6).contains(&n), "{n} attempts");
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_post() {
    // Find a free port, then start listening on it only after the first attempts fail.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/v1");
    let clerk = builder(&url)
        .retry(
            RetryConfig::backoff(
                Duration::from_millis(20),
                Duration::from_millis(50),
                1.5,
                Duration::from_secs(5),
            )
            .max_attempts(50)
            .max_connect_failures(50),
        )
        .build()
        .unwrap();
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let mut got = Vec::new();
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        loop {
            let n = s.read(&mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
            if n == 0 || got.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        s.write_all(&response(200, &[], r#"{"id":"late"}"#))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        // only one POST reached us
        let extra = tokio::time::timeout(Duration::from_millis(100), listener.accept()).await;
        extra.is_err()
    });
    let thing = clerk
        .call(create(json!({"n": 1})))
        .await
        .expect("retried until listening");
    assert_eq!(thing["id"], "late");
    assert!(late.await.unwrap(), "a second connection arrived");
}

#[tokio::test]
async fn connection_refused_without_retry_is_a_not_sent_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let clerk = builder(&format!("http://127.0.0.1:{port}/v1"))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let err = clerk.call(create(json!({}))).await.unwrap_err();
    match &err {
        Error::Connection { delivery, .. } => assert!(!delivery.maybe_sent()),
        other => panic!("expected a connection error, got {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn retry_connection_errors_off_stops_connection_retries() {
    let server = Server::start(|_, i| if i == 0 { Reply::Reset(vec![]) } else { ok() }).await;
    let clerk = client(&server, fast().retry_connection_errors(false));
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_wrong_server_url_fails_fast_with_the_default_policy() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counted = attempts.clone();
    let clerk = builder(&format!("http://127.0.0.1:{port}/v1"))
        .after_error(move |ctx, _| {
            counted.store(ctx.attempt, std::sync::atomic::Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.delivery(), clerk_backend::Delivery::NotSent, "{err:?}");
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_retry_budget_is_shared_by_every_call_of_a_client() {
    let server = Server::start(|_, _| clerk_error(503)).await;
    let clerk = builder(&server.url())
        .retry(fast().max_attempts(10))
        .retry_budget(clerk_backend::RetryBudget::new(10).retry_cost(5))
        .build()
        .unwrap();
    // The first call can pay for two retries, then stops.
    assert!(clerk.call(get("a")).await.is_err());
    assert_eq!(server.count(), 3);
    assert_eq!(clerk.retry_budget().available(), Some(0));
    // Further calls (clones share the budget) are tried once.
    let clone = clerk.clone();
    assert!(clone.call(get("b")).await.is_err());
    assert_eq!(server.count(), 4);
    // Unlimited: the policy alone decides.
    let clerk = builder(&server.url())
        .retry(fast().max_attempts(4))
        .retry_budget(clerk_backend::RetryBudget::unlimited())
        .build()
        .unwrap();
    assert!(clerk.call(get("c")).await.is_err());
    assert_eq!(server.count(), 8);
}
