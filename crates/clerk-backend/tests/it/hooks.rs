//! Hooks: `before_request` changes or stops requests; `after_success` / `after_error` see the
//! outcome of each attempt with the operation and the attempt number.

use std::sync::{Arc, Mutex};

use clerk_backend::Error;
use http::HeaderValue;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn header_added_by_before_request_reaches_the_server() {
    let server = Server::start(|_, _| ok()).await;
    let clerk = builder(&server.url())
        .before_request(|ctx, req| {
            let sig = format!("{}.{}:{}", ctx.info.group, ctx.info.name, ctx.attempt);
            req.headers_mut()
                .insert("x-signature-test", HeaderValue::try_from(sig).unwrap());
            Ok(())
        })
        .build()
        .unwrap();
    clerk.call(get("thing_1")).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].header("x-signature-test"), Some("things.get:1"));
    assert_eq!(seen[0].path, "/v1/things/thing_1");
}

#[tokio::test]
async fn before_request_runs_on_every_attempt_and_can_sign_the_body() {
    let server = Server::start(|_, i| if i < 2 { clerk_error(503) } else { ok() }).await;
    let clerk = builder(&server.url())
        .retry(fast().retry_non_idempotent(true))
        .before_request(|ctx, req| {
            let len = match req.body() {
                clerk_backend::transport::Body::Json(b) => b.len(),
                _ => 0,
            };
            let v = format!("attempt={} len={len}", ctx.attempt);
            req.headers_mut()
                .insert("x-sig", HeaderValue::try_from(v).unwrap());
            Ok(())
        })
        .build()
        .unwrap();
    clerk.call(create(json!({"a": 1}))).await.unwrap();
    let sigs: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.header("x-sig").unwrap().to_owned())
        .collect();
    assert_eq!(
        sigs,
        ["attempt=1 len=7", "attempt=2 len=7", "attempt=3 len=7"]
    );
}

#[tokio::test]
async fn failing_before_request_stops_the_call() {
    let server = Server::start(|_, _| ok()).await;
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    let clerk = builder(&server.url())
        .retry(fast())
        .before_request(|_, _| Err(Error::hook("signing service unavailable")))
        .after_error(move |ctx, e| {
            seen.lock()
                .unwrap()
                .push((ctx.attempt, ctx.is_final(), e.to_string()))
        })
        .build()
        .unwrap();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(matches!(err, Error::Hook(_)), "{err:?}");
    assert!(err.to_string().contains("signing service unavailable"));
    assert_eq!(server.count(), 0, "nothing may be sent");
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0, errors[0].1), (1, true));
}

#[tokio::test]
async fn hook_returning_a_retryable_error_is_still_not_retried() {
    let server = Server::start(|_, _| ok()).await;
    let clerk = builder(&server.url())
        .retry(fast())
        .before_request(|_, _| {
            Err(Error::timeout(
                std::time::Duration::from_secs(1),
                clerk_backend::Delivery::NotSent,
            ))
        })
        .build()
        .unwrap();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(matches!(err, Error::Hook(_)), "{err:?}");
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn after_error_sees_typed_errors_and_after_success_the_last_attempt() {
    let server = Server::start(|_, i| if i < 2 { clerk_error(503) } else { ok() }).await;
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let (l1, l2) = (log.clone(), log.clone());
    let clerk = builder(&server.url())
        .retry(fast())
        .after_error(move |ctx, e| {
            let status = e.as_api().map(|a| a.status().as_u16());
            let code = e.as_api().and_then(|a| a.code()).map(str::to_owned);
            l1.lock().unwrap().push(format!(
                "error {} {} {} {} attempt={} {:?} {:?} retry={}",
                ctx.info.group,
                ctx.info.name,
                ctx.info.method,
                ctx.info.path,
                ctx.attempt,
                status,
                code,
                ctx.retry_in.is_some()
            ));
        })
        .after_success(move |ctx, resp| {
            l2.lock().unwrap().push(format!(
                "success attempt={} {}",
                ctx.attempt,
                resp.status.as_u16()
            ));
        })
        .build()
        .unwrap();
    clerk.call(get("x")).await.unwrap();
    let log = log.lock().unwrap();
    assert_eq!(
        *log,
        [
            "error things get GET /things/{thing_id} attempt=1 Some(503) Some(\"server_error\") retry=true",
            "error things get GET /things/{thing_id} attempt=2 Some(503) Some(\"server_error\") retry=true",
            "success attempt=3 200",
        ]
    );
}

#[tokio::test]
async fn after_error_marks_the_final_failure() {
    let server = Server::start(|_, _| clerk_error(500)).await;
    let finals = Arc::new(Mutex::new(Vec::new()));
    let f = finals.clone();
    let clerk = builder(&server.url())
        .retry(fast().max_attempts(2))
        .after_error(move |ctx, e| {
            f.lock()
                .unwrap()
                .push((ctx.attempt, ctx.is_final(), e.status().map(|s| s.as_u16())))
        })
        .build()
        .unwrap();
    let _ = clerk.call(get("x")).await.unwrap_err();
    assert_eq!(
        *finals.lock().unwrap(),
        [(1, false, Some(500)), (2, true, Some(500))]
    );
}

#[tokio::test]
async fn hooks_run_in_order_and_per_call_headers_reach_the_server() {
    let server = Server::start(|_, _| ok()).await;
    let clerk = builder(&server.url())
        .before_request(|_, req| {
            req.headers_mut()
                .insert("x-order", HeaderValue::from_static("first"));
            Ok(())
        })
        .before_request(|_, req| {
            let prev = req
                .headers()
                .get("x-order")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            req.headers_mut().insert(
                "x-order",
                HeaderValue::try_from(format!("{prev},second")).unwrap(),
            );
            Ok(())
        })
        .build()
        .unwrap();
    clerk
        .call(get("x").with_header("x-per-call", "yes"))
        .await
        .unwrap();
    let seen = &server.seen()[0];
    assert_eq!(seen.header("x-order"), Some("first,second"));
    assert_eq!(seen.header("x-per-call"), Some("yes"));
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
    assert_eq!(seen.header("clerk-api-version"), Some("2026-05-12"));
}
