//! Fault injection: resets, hangs, truncated and malformed bodies, proxies' HTML, uploads.

use std::time::{Duration, Instant};

use clerk_backend::{Delivery, Error, RetryConfig, Upload};
use serde_json::json;

use crate::support::*;

/// Headers of a 200 whose body never fully arrives.
fn partial_response() -> Vec<u8> {
    let mut r = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n"
        .to_vec();
    r.extend_from_slice(br#"{"id":"thing_1","na"#);
    r
}

#[tokio::test]
async fn reset_mid_response_is_retried_for_get() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::Reset(partial_response())
        } else {
            ok()
        }
    })
    .await;
    let clerk = client(&server, fast());
    clerk
        .call(get("x"))
        .await
        .expect("GET retried after a reset");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn reset_mid_response_is_not_repeated_for_post() {
    let server = Server::start(|_, _| Reply::Reset(partial_response())).await;
    let clerk = client(&server, fast());
    let err = clerk.call(create(json!({"n": 1}))).await.unwrap_err();
    match &err {
        Error::Connection { delivery, .. } => assert!(delivery.maybe_sent(), "{err:?}"),
        other => panic!("expected a connection error, got {other:?}"),
    }
    assert_eq!(
        server.count(),
        1,
        "a POST that reached the server was repeated"
    );
}

#[tokio::test]
async fn reset_after_reading_the_request_is_not_repeated_for_post() {
    let server = Server::start(|_, _| Reply::Reset(vec![])).await;
    let clerk = client(&server, fast());
    let err = clerk.call(create(json!({"n": 1}))).await.unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let clerk = client(&server, RetryConfig::none());
    let started = Instant::now();
    let err = clerk
        .call(get("x").with_timeout(Duration::from_millis(200)))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert!(elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(2));
    assert!(err.to_string().contains("timed out after 200ms"), "{err}");
}

#[tokio::test]
async fn timeouts_are_retried_for_get_but_not_post() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let clerk = builder(&server.url())
        .timeout(Duration::from_millis(100))
        .retry(fast().max_attempts(3))
        .build()
        .unwrap();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(server.count(), 3, "GET timeouts are retried");

    let server = Server::start(|_, _| Reply::Hang).await;
    let clerk = builder(&server.url())
        .timeout(Duration::from_millis(100))
        .retry(fast().max_attempts(3))
        .build()
        .unwrap();
    let err = clerk.call(create(json!({}))).await.unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(server.count(), 1, "a timed-out POST was repeated");
}

#[tokio::test]
async fn per_call_timeout_overrides_client_timeout() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let clerk = builder(&server.url())
        .timeout(Duration::from_secs(30))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = clerk
        .call(get("x").with_timeout(Duration::from_millis(50)))
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn truncated_json_with_matching_length_is_a_decode_error() {
    let server = Server::start(|_, _| json(200, r#"{"id":"thing_1","emails":[{"#)).await;
    let clerk = client(&server, fast());
    let err = clerk.call(get("x")).await.unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.status.as_u16(), 200);
            assert!(d.pretty().contains("thing_1"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(server.count(), 1, "decode errors are not retried");
}

#[tokio::test]
async fn body_cut_short_by_close_is_a_connection_error_and_retried_for_get() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::Close(partial_response())
        } else {
            ok()
        }
    })
    .await;
    let clerk = client(&server, fast());
    clerk.call(get("x")).await.expect("retried");
    assert_eq!(server.count(), 2);

    let server = Server::start(|_, _| Reply::Close(partial_response())).await;
    let clerk = client(&server, fast());
    let err = clerk.call(create(json!({}))).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Connection { delivery, .. } if delivery.maybe_sent()
        ),
        "{err:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn html_502_from_a_proxy_is_an_api_error_with_the_body() {
    let html = "<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center></body></html>";
    let server = Server::start(move |_, _| {
        Reply::Bytes(response(502, &[("content-type", "text/html")], html))
    })
    .await;
    let clerk = client(&server, fast().max_attempts(2));
    let err = clerk.call(get("x")).await.unwrap_err();
    let api = err.as_api().expect("API error");
    assert_eq!(api.status().as_u16(), 502);
    assert!(api.errors().is_empty());
    assert_eq!(api.code(), None);
    assert!(api.body_text().contains("Bad Gateway"));
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
    assert_eq!(server.count(), 2, "502 is retried for GET");
}

#[tokio::test]
async fn wrong_content_type_on_success_is_a_decode_error() {
    let server = Server::start(|_, _| {
        Reply::Bytes(response(
            200,
            &[("content-type", "text/html")],
            "<html>maintenance</html>",
        ))
    })
    .await;
    let clerk = client(&server, fast());
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("could not decode 200"), "{err}");
}

#[tokio::test]
async fn text_error_body_is_kept_raw() {
    let server = Server::start(|_, _| {
        Reply::Bytes(response(
            400,
            &[("content-type", "text/plain")],
            "bad things",
        ))
    })
    .await;
    let clerk = client(&server, fast());
    let err = clerk.call(get("x")).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.body_text(), "bad things");
    assert!(api.errors().is_empty());
}

#[tokio::test]
async fn stream_upload_is_not_resent_on_retry() {
    let server = Server::start(|_, i| if i == 0 { clerk_error(503) } else { ok() }).await;
    let clerk = client(&server, fast().retry_non_idempotent(true));
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes("file-bytes"))]);
    let op = UploadThing {
        file: Upload::from_stream(stream, None).file_name("a.png"),
        options: Default::default(),
    };
    let err = clerk.call(op).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("only once")),
        "{err:?}"
    );
    assert_eq!(server.count(), 1);
    let first = &server.seen()[0];
    assert!(first.body_text().contains("file-bytes"));
    assert!(
        first
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data")
    );
}

#[tokio::test]
async fn bytes_upload_is_resent_on_opted_in_retry() {
    let server = Server::start(|_, i| if i == 0 { clerk_error(503) } else { ok() }).await;
    let clerk = client(&server, fast().retry_non_idempotent(true));
    let op = UploadThing {
        file: Upload::from_bytes(bytes("png-bytes")).file_name("a.png"),
        options: Default::default(),
    };
    clerk.call(op).await.expect("retried");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.body_text().contains("png-bytes")));
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so connecting hangs
/// until the connect timeout. Returns the URL and the sockets that keep the queue full.
async fn saturated_listener() -> (String, tokio::net::TcpListener, Vec<tokio::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    // Fill the queue; stop once a connect no longer completes promptly.
    for _ in 0..8 {
        match tokio::time::timeout(
            Duration::from_millis(100),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(s)) => fillers.push(s),
            _ => break,
        }
    }
    (format!("http://{addr}/v1"), listener, fillers)
}

#[tokio::test]
async fn connect_timeout_is_a_not_sent_connection_error_and_retried_for_post() {
    let (url, _listener, _fillers) = saturated_listener().await;
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = attempts.clone();
    let clerk = builder(&url)
        .connect_timeout(Duration::from_millis(100))
        .retry(fast().max_attempts(3))
        .after_error(move |ctx, _| {
            seen.store(ctx.attempt, std::sync::atomic::Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let err = clerk.call(create(json!({}))).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Connection {
                delivery: Delivery::NotSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        attempts.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "a connect timeout sent nothing, so even a POST is retried"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

// ---- Bounded calls: deadlines, body size, redirects, what the caller learns ----

#[tokio::test]
async fn a_stalled_body_times_out_and_keeps_its_status() {
    // The status line and part of the body arrive, then nothing.
    let server = Server::start(|_, _| Reply::Bytes(partial_response())).await;
    let clerk = builder(&server.url())
        .retry(RetryConfig::none())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{err:?}");
    match &err {
        Error::Timeout {
            after,
            whole_call: false,
            delivery: Delivery::Answered(s),
        } => {
            assert_eq!(*after, Duration::from_millis(200));
            assert_eq!(s.as_u16(), 200);
        }
        other => panic!("expected an attempt timeout after status 200, got {other:?}"),
    }
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert!(
        err.to_string().contains("answered with status 200"),
        "{err}"
    );
}

#[tokio::test]
async fn the_deadline_cancels_attempts_and_waits_for_the_whole_call() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let clerk = builder(&server.url())
        .retry(fast().max_attempts(100))
        .timeout(Duration::from_millis(120))
        .deadline(Duration::from_millis(400))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = clerk.call(get("x")).await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(900), "took {took:?}: {err:?}");
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        server.count() >= 2,
        "attempts were retried within the deadline"
    );
    // No timeout, only a deadline: the attempt in flight is cancelled when it passes.
    let clerk = builder(&server.url())
        .retry(fast())
        .timeout(None)
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(800), "{err:?}");
    assert!(
        matches!(
            err,
            Error::Timeout {
                whole_call: true,
                after,
                delivery: Delivery::SentNoAnswer,
            } if after == Duration::from_millis(300)
        ),
        "{err:?}"
    );
    // A per-call deadline overrides the client's.
    let started = Instant::now();
    let err = clerk
        .call(get("x").with_deadline(Duration::from_millis(100)))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(280), "{err:?}");
}

#[test]
fn every_call_is_bounded_by_default_and_the_bounds_can_be_turned_off() {
    let clerk = builder("http://127.0.0.1:9/v1").build().unwrap();
    assert_eq!(
        clerk.timeout(),
        Some(clerk_backend::client::DEFAULT_TIMEOUT)
    );
    assert_eq!(
        clerk.deadline(),
        Some(clerk_backend::client::DEFAULT_DEADLINE)
    );
    assert_eq!(clerk.max_response_bytes(), 32 * 1024 * 1024);
    let clerk = builder("http://127.0.0.1:9/v1")
        .timeout(None)
        .deadline(None)
        .build()
        .unwrap();
    assert_eq!((clerk.timeout(), clerk.deadline()), (None, None));
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_the_limit_named() {
    let big = format!(r#"{{"id":"{}"}}"#, "x".repeat(10_000));
    // With a Content-Length: refused before reading.
    let body = big.clone();
    let server = Server::start(move |_, _| json(200, &body)).await;
    let clerk = builder(&server.url())
        .retry(fast())
        .max_response_bytes(4096)
        .build()
        .unwrap();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 4096, status } if status.as_u16() == 200),
        "{err:?}"
    );
    assert!(err.to_string().contains("4096 bytes"), "{err}");
    assert_eq!(server.count(), 1, "an oversized body is not retried");
    // Without one (the body ends when the connection closes): the read stops at the limit.
    let body = big.clone();
    let server = Server::start(move |_, _| {
        Reply::Close(format!("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{body}").into_bytes())
    })
    .await;
    let clerk = builder(&server.url())
        .retry(RetryConfig::none())
        .max_response_bytes(4096)
        .build()
        .unwrap();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 4096, .. }),
        "{err:?}"
    );
    // Within the limit: fine.
    let clerk = builder(&server.url())
        .retry(RetryConfig::none())
        .max_response_bytes(20_000)
        .build()
        .unwrap();
    let v = clerk.call(get("x")).await.unwrap();
    assert_eq!(v["id"].as_str().map(str::len), Some(10_000));
}

#[tokio::test]
async fn a_large_html_error_is_shown_as_a_bounded_excerpt() {
    let page = format!(
        "<html><body>{}<p>password=hunter2hunter2</p></body></html>",
        "<div>gateway</div>".repeat(100_000)
    );
    let server = Server::start(move |_, _| {
        Reply::Bytes(response(502, &[("content-type", "text/html")], &page))
    })
    .await;
    let clerk = client(&server, RetryConfig::none());
    let err = clerk.call(get("x")).await.unwrap_err();
    let started = Instant::now();
    let (shown, debug) = (err.to_string(), format!("{err:?}"));
    assert!(started.elapsed() < Duration::from_millis(200));
    assert!(shown.len() < 400, "{}", shown.len());
    assert!(debug.len() < 3000, "{}", debug.len());
    assert!(debug.contains("bytes in all"), "{debug}");
    assert!(
        err.as_api().unwrap().body.len() > 1_800_000,
        "the raw body is kept whole"
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let other = Server::start(|_, _| ok()).await;
    let location = format!("{}/things/x", other.url());
    let server = Server::start(move |_, _| {
        Reply::Bytes(response(307, &[("location", location.as_str())], ""))
    })
    .await;
    let clerk = client(&server, fast());
    for err in [
        clerk.call(create(json!({"n": 1}))).await.unwrap_err(),
        clerk.call(get("x")).await.unwrap_err(),
    ] {
        let api = err.as_api().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(api.status.as_u16(), 307);
        assert!(api.is_redirect());
        assert_eq!(
            api.location(),
            Some(format!("{}/things/x", other.url()).as_str())
        );
        assert!(err.to_string().contains("not followed"), "{err}");
    }
    assert_eq!(other.count(), 0, "the other host was called");
    assert_eq!(server.count(), 2, "a 307 is not retried");
}

#[tokio::test]
async fn status_then_reset_says_the_server_answered() {
    let server = Server::start(|_, _| Reply::Reset(partial_response())).await;
    let clerk = client(&server, RetryConfig::none());
    let err = clerk.call(create(json!({"n": 1}))).await.unwrap_err();
    match &err {
        Error::Connection { delivery, .. } => {
            assert_eq!(
                *delivery,
                Delivery::Answered(http::StatusCode::OK),
                "{err:?}"
            );
        }
        other => panic!("expected a connection error, got {other:?}"),
    }
    assert_eq!(err.status(), Some(http::StatusCode::OK));
    assert!(
        err.to_string().contains("answered with status 200"),
        "{err}"
    );
    // Reset before any status: "sent, no answer".
    let server = Server::start(|_, _| Reply::Reset(Vec::new())).await;
    let clerk = client(&server, RetryConfig::none());
    let err = clerk.call(create(json!({"n": 1}))).await.unwrap_err();
    assert_eq!(err.delivery(), Delivery::SentNoAnswer, "{err:?}");
    assert!(err.to_string().contains("sent, no answer"), "{err}");
    assert_eq!(err.status(), None);
}
