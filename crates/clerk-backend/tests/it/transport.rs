//! Custom HTTP: a caller's `reqwest::Client`, and a `Transport` that replaces HTTP.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clerk_backend::pipeline::OperationInfo;
use clerk_backend::transport::{BoxFuture, HttpRequest, RawResponse, Transport};
use clerk_backend::{Clerk, Delivery, Error, Result};
use http::{HeaderMap, StatusCode};
use serde_json::json;

use crate::support::*;

/// The test double from the docs: canned responses, recorded requests.
#[derive(Default)]
struct Canned {
    responses: Mutex<Vec<Result<RawResponse>>>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Transport for Canned {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<RawResponse>> {
        let op = request
            .extensions()
            .get::<&'static OperationInfo>()
            .map(|i| i.name)
            .unwrap_or("?");
        self.seen
            .lock()
            .unwrap()
            .push(format!("{op} {} {}", request.method(), request.uri()));
        let next = self.responses.lock().unwrap().remove(0);
        Box::pin(async move { next })
    }
}

fn canned(responses: Vec<Result<RawResponse>>) -> (Clerk, Arc<Mutex<Vec<String>>>) {
    let t = Canned {
        responses: Mutex::new(responses),
        ..Canned::default()
    };
    let seen = t.seen.clone();
    let clerk = Clerk::builder()
        .secret_key(SECRET)
        .retry(fast())
        .transport(t)
        .build()
        .unwrap();
    (clerk, seen)
}

fn resp(status: u16, body: &'static str) -> Result<RawResponse> {
    Ok(RawResponse::new(
        StatusCode::from_u16(status).unwrap(),
        HeaderMap::new(),
        body,
    ))
}

#[tokio::test]
async fn custom_transport_gets_the_pipeline_retries_and_statuses() {
    let (clerk, seen) = canned(vec![resp(503, ""), resp(200, r#"{"id":"t"}"#)]);
    let v = clerk.call(get("t")).await.unwrap();
    assert_eq!(v["id"], "t");
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "get GET https://api.clerk.com/v1/things/t",
            "get GET https://api.clerk.com/v1/things/t"
        ]
    );
    assert!(format!("{clerk:?}").contains("transport: \"custom\""));
}

#[tokio::test]
async fn custom_transport_errors_are_classified() {
    let not_sent = || Err(Error::connection("refused", Delivery::NotSent, None));
    // not sent → retried even for POST
    let (clerk, seen) = canned(vec![not_sent(), resp(200, "{}")]);
    clerk.call(create(json!({}))).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2);
    // maybe sent → POST not retried
    let (clerk, seen) = canned(vec![Err(Error::connection(
        "reset",
        Delivery::SentNoAnswer,
        None,
    ))]);
    let err = clerk.call(create(json!({}))).await.unwrap_err();
    assert!(err.is_connection());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

/// A transport that never answers: the pipeline's timeout applies to any transport.
struct Never;
impl Transport for Never {
    fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<RawResponse>> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn timeouts_apply_to_custom_transports() {
    let clerk = Clerk::builder()
        .secret_key(SECRET)
        .retry(clerk_backend::RetryConfig::none())
        .timeout(Duration::from_millis(30))
        .transport(Never)
        .build()
        .unwrap();
    let err = clerk.call(get("x")).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(30)));
}

#[tokio::test]
async fn caller_reqwest_client_is_used() {
    let server = Server::start(|_, _| ok()).await;
    let mut defaults = HeaderMap::new();
    defaults.insert("x-from-custom-client", "1".parse().unwrap());
    let http = clerk_backend::transport::ReqwestTransport::client_builder()
        .unwrap()
        .default_headers(defaults)
        .build()
        .unwrap();
    let clerk = builder(&server.url()).http_client(http).build().unwrap();
    clerk.call(get("x")).await.unwrap();
    let seen = &server.seen()[0];
    assert_eq!(seen.header("x-from-custom-client"), Some("1"));
    assert!(seen.header("authorization").is_some());
}

/// The documented test double, extended to read multipart uploads as a custom HTTP stack must.
/// One multipart file part as a transport saw it: field, file name, MIME type, bytes, length.
type Part = (String, String, String, Vec<u8>, Option<u64>);

#[derive(Default)]
struct Recording {
    parts: Arc<Mutex<Vec<Part>>>,
}

impl Transport for Recording {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<RawResponse>> {
        let parts = self.parts.clone();
        Box::pin(async move {
            let (_, body) = request.into_parts();
            if let clerk_backend::transport::Body::Multipart { field, file, .. } = body {
                let stream = file.open().await?;
                let len = stream.known_len();
                let bytes = stream.read_all(1 << 20).await?;
                parts.lock().unwrap().push((
                    field.to_owned(),
                    file.part_file_name().to_owned(),
                    file.part_mime().to_owned(),
                    bytes.to_vec(),
                    len,
                ));
            }
            Ok(RawResponse::new(
                StatusCode::OK,
                HeaderMap::new(),
                r#"{"id":"u"}"#,
            ))
        })
    }
}

#[tokio::test]
async fn a_custom_transport_can_send_uploads() {
    let t = Recording::default();
    let parts = t.parts.clone();
    let clerk = Clerk::builder()
        .secret_key(SECRET)
        .transport(t)
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("clerk-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("logo.png");
    std::fs::write(&path, b"\x89PNG fake").unwrap();
    for upload in [
        clerk_backend::Upload::from_path(&path),
        clerk_backend::Upload::from_bytes(&b"\x89PNG fake"[..]).file_name("logo.png"),
        clerk_backend::Upload::from_stream(
            futures_util::stream::iter([Ok(bytes("\u{89}")), Ok(bytes("PNG fake"))]),
            None,
        )
        .file_name("logo.png")
        .mime("image/png"),
    ] {
        clerk
            .call(UploadThing {
                file: upload,
                options: Default::default(),
            })
            .await
            .unwrap();
    }
    let parts = parts.lock().unwrap();
    assert_eq!(parts.len(), 3);
    for (i, (field, name, mime, bytes, len)) in parts.iter().enumerate() {
        assert_eq!(
            (field.as_str(), name.as_str(), mime.as_str()),
            ("file", "logo.png", "image/png")
        );
        if i < 2 {
            assert_eq!(bytes.as_slice(), b"\x89PNG fake");
            assert_eq!(*len, Some(9));
        } else {
            assert_eq!(bytes.as_slice(), "\u{89}PNG fake".as_bytes());
            assert_eq!(*len, None);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
