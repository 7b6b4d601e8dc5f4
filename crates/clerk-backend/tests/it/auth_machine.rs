//! Opaque machine tokens are not an amplifier: shape check before any call, one call per
//! token per TTL (single-flight), a short deadline, no retries, a bounded cache.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clerk_backend::auth::{
    AuthenticateOptions, MachineErrorCode, RequestState, SignedOutReason, TokenType, VerifyOptions,
    authenticate_request,
};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::auth_common::*;

/// Answers every verify call with `status`/`body` after `delay`, counting calls.
#[derive(Clone)]
struct Counting {
    hits: Arc<AtomicUsize>,
    status: u16,
    body: Value,
    delay: Duration,
}

impl Respond for Counting {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.hits.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(self.status)
            .set_body_json(self.body.clone())
            .set_delay(self.delay)
    }
}

async fn server(
    status: u16,
    body: Value,
    delay: Duration,
) -> (MockServer, Arc<AtomicUsize>, AuthenticateOptions) {
    let server = MockServer::builder().start().await;
    let hits = Arc::new(AtomicUsize::new(0));
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(Counting {
            hits: hits.clone(),
            status,
            body,
            delay,
        })
        .mount(&server)
        .await;
    let clerk = clerk_backend::Clerk::builder()
        .secret_key("sk_test_machine")
        .server_url(server.uri())
        .build()
        .unwrap();
    let options = AuthenticateOptions::new(VerifyOptions::new().jwt_key(PEM_A).unwrap())
        .accepts_any_token()
        .clerk(&clerk);
    (server, hits, options)
}

fn req(token: &str) -> http::Request<()> {
    http::Request::builder()
        .uri("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
}

fn reason(s: &RequestState) -> SignedOutReason {
    match s {
        RequestState::SignedOut(o) => o.reason,
        other => panic!("expected signed out, got {other:?}"),
    }
}

fn not_found() -> Value {
    json!({"errors": [{"code": "resource_not_found", "message": "not found"}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_machine_10000_bad_tokens_cost_one_call_per_negative_ttl() {
    let (_s, hits, options) = server(404, not_found(), Duration::from_millis(50)).await;
    let options = options.machine_cache(1000, Duration::from_secs(30), Duration::from_millis(700));
    let token = "ak_0123456789abcdef0123456789abcdef";
    // 10,000 concurrent requests: one call in flight, everyone shares its answer.
    let tasks: Vec<_> = (0..10_000)
        .map(|_| {
            let o = options.clone();
            tokio::spawn(async move { reason(&authenticate_request(&req(token), &o).await) })
        })
        .collect();
    for t in tasks {
        assert_eq!(
            t.await.unwrap(),
            SignedOutReason::Machine(MachineErrorCode::TokenInvalid)
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "one call for 10,000 concurrent requests"
    );
    // Within the negative TTL: answered from the cache.
    for _ in 0..1000 {
        authenticate_request(&req(token), &options).await;
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "cached within the negative TTL"
    );
    // After it: one more call.
    tokio::time::sleep(Duration::from_millis(800)).await;
    for _ in 0..100 {
        authenticate_request(&req(token), &options).await;
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2, "one call per negative TTL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_machine_stalled_api_never_holds_a_request_past_the_deadline() {
    let (_s, hits, options) =
        server(200, json!({"subject": "user_1"}), Duration::from_secs(30)).await;
    let deadline = Duration::from_millis(300);
    let options = options.machine_verify_timeout(deadline);
    let started = Instant::now();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let o = options.clone();
            // two tokens: the same-token requests share one stalled call
            let token = if i % 2 == 0 {
                "mt_stalled_one"
            } else {
                "mt_stalled_two"
            };
            tokio::spawn(async move {
                let t = Instant::now();
                let r = reason(&authenticate_request(&req(token), &o).await);
                (r, t.elapsed())
            })
        })
        .collect();
    for t in tasks {
        let (r, took) = t.await.unwrap();
        assert_eq!(
            r,
            SignedOutReason::Machine(MachineErrorCode::UnexpectedError)
        );
        assert!(
            took < deadline + Duration::from_millis(700),
            "held for {took:?}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "one call per token, no retries"
    );
    // A timeout is not cached as an answer: the next request tries again (once).
    authenticate_request(&req("mt_stalled_one"), &options).await;
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn auth_machine_malformed_tokens_make_no_call() {
    let (_s, hits, options) = server(404, not_found(), Duration::ZERO).await;
    let long = format!("ak_{}", "a".repeat(300));
    for bad in [
        "ak_",
        "mt_a.b.c.d",
        "oat_has space",
        "ak_\u{e9}t\u{e9}",
        long.as_str(),
        "mt_a%20b",
    ] {
        let Ok(r) = http::Request::builder()
            .uri("/")
            .header("authorization", format!("Bearer {bad}"))
            .body(())
        else {
            continue; // not even a header value
        };
        let state = authenticate_request(&r, &options).await;
        let why = reason(&state);
        // A non-ASCII header value is no readable token at all.
        assert!(
            why == SignedOutReason::Machine(MachineErrorCode::TokenInvalid)
                || (why == SignedOutReason::TokenMissing && !bad.is_ascii()),
            "{bad}: {why:?}"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn auth_machine_server_errors_are_not_retried_nor_cached() {
    let (_s, hits, options) = server(503, json!({"errors": []}), Duration::ZERO).await;
    for i in 1..=3 {
        let state = authenticate_request(&req("oat_flaky"), &options).await;
        assert_eq!(
            reason(&state),
            SignedOutReason::Machine(MachineErrorCode::UnexpectedError)
        );
        assert_eq!(
            hits.load(Ordering::SeqCst),
            i,
            "exactly one attempt per request"
        );
    }
}

#[tokio::test]
async fn auth_machine_valid_tokens_cached_until_expiry_and_cache_bounded() {
    let future_ms = (now_s() + 3600) * 1000;
    let body =
        json!({"id": "ak_1", "subject": "user_1", "scopes": ["read"], "expiration": future_ms});
    let (_s, hits, options) = server(200, body, Duration::ZERO).await;
    let options = options.machine_cache(8, Duration::from_secs(60), Duration::from_secs(60));
    for _ in 0..5 {
        let state = authenticate_request(&req("ak_valid"), &options).await;
        let auth = state.auth().expect("signed in");
        assert_eq!(auth.token_type(), TokenType::ApiKey);
        assert_eq!(auth.user_id(), Some("user_1"));
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // 8 other tokens push it out of an 8-entry cache.
    for i in 0..8 {
        authenticate_request(&req(&format!("ak_other{i}")), &options).await;
    }
    assert_eq!(hits.load(Ordering::SeqCst), 9);
    authenticate_request(&req("ak_valid"), &options).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        10,
        "evicted, so verified again"
    );

    // Already expired per the API: served, never cached.
    let past = json!({"subject": "user_1", "expiration": (now_s() - 10) * 1000});
    let (_s2, hits2, options2) = server(200, past, Duration::ZERO).await;
    for _ in 0..3 {
        authenticate_request(&req("ak_stale"), &options2).await;
    }
    assert_eq!(hits2.load(Ordering::SeqCst), 3);
}
