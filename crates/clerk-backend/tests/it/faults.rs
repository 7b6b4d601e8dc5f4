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
            Error::Connection { delivery: Delivery::NotSent, .. }
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
