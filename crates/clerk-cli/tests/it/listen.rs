//! `clerk webhooks listen --forward-to`: events created through the SDK reach a local receiver,
//! signed so that our verifier and `@clerk/backend`'s `verifyWebhook` accept them.

use std::process::Stdio;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use base64::Engine as _;
use clerk_backend::webhooks::{Webhook, WebhookEvent};
use clerk_emulator::Emulator;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

use crate::clerk;

/// A receiver on a free port: every POST to `/hook` is sent on the channel and answered 204.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(HeaderMap, Bytes)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_forwards_new_events_signed_as_svix_signs() {
    let emu = Emulator::start().await.unwrap();
    let clerk_sdk = emu.client();
    // An event from before `listen` starts is not forwarded (no --from-start).
    clerk_sdk
        .users()
        .create()
        .first_name("Before")
        .send()
        .await
        .unwrap();
    let (url, mut rx) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = clerk(Some(&emu), &dir.path().join("c.json"));
    c.args([
        "webhooks",
        "listen",
        "--forward-to",
        &url,
        "--max-events",
        "2",
        "--interval-ms",
        "20",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let banner = tokio::time::timeout(Duration::from_secs(30), stderr.next_line())
        .await
        .expect("listen starts")
        .unwrap()
        .unwrap_or_default();
    assert!(banner.starts_with("listening on "), "{banner}");
    let user = clerk_sdk
        .users()
        .create()
        .first_name("Ada")
        .send()
        .await
        .unwrap();
    clerk_sdk.users().delete(&user.id).send().await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("listen stops after --max-events")
        .unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0), "stdout: {out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(Value, Value)> = lines
        .iter()
        .map(|l| (l["type"].clone(), l["status"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (json!("user.created"), json!(204)),
            (json!("user.deleted"), json!(204))
        ]
    );

    let wh = Webhook::new(emu.webhook_secret()).unwrap();
    let wrong = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let mut deliveries = Vec::new();
    for line in &lines {
        let (headers, body) = rx.try_recv().expect("the receiver got each delivery");
        assert_eq!(
            headers["svix-id"].to_str().unwrap(),
            line["id"].as_str().unwrap()
        );
        assert!(
            headers["svix-signature"]
                .to_str()
                .unwrap()
                .starts_with("v1,")
        );
        let event = wh
            .verify(&headers, &body)
            .expect("our verifier accepts the delivery");
        assert!(
            wrong.verify(&headers, &body).is_err(),
            "a different secret must not verify"
        );
        deliveries.push((headers, body, event));
    }
    match &deliveries[0].2 {
        WebhookEvent::UserCreated(e) => assert_eq!(e.data.id.as_deref(), Some(user.id.as_str())),
        other => panic!("want user.created, got {other:?}"),
    }
    clerk_js_verifies(emu.webhook_secret(), &deliveries[0].0, &deliveries[0].1);
}

/// The delivery through `@clerk/backend`'s `verifyWebhook` (svix), when node and the pinned
/// package are there; without them, skip with the reason, unless `CI` is set.
fn clerk_js_verifies(secret: &str, headers: &HeaderMap, body: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/clerk-js");
    let installed = dir
        .join("node_modules/@clerk/backend/package.json")
        .is_file();
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok();
    if !(node && installed) {
        let why = if node {
            "tools/clerk-js is not installed (scripts/clerk-js.sh)"
        } else {
            "node is not installed"
        };
        assert!(
            std::env::var_os("CI").is_none(),
            "@clerk/backend check cannot run in CI: {why}"
        );
        eprintln!("listen: @clerk/backend check skipped ({why})");
        return;
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let pairs: Vec<[&str; 2]> = ["svix-id", "svix-timestamp", "svix-signature"]
        .iter()
        .map(|h| [*h, headers[*h].to_str().unwrap()])
        .collect();
    let corpus = json!({
        "now_ms": now_ms as u64,
        "publishable_key": "pk_test_unused",
        "cases": [{
            "id": "listen",
            "kind": "webhook",
            "secret": secret,
            "headers": pairs,
            "body_b64": base64::engine::general_purpose::STANDARD.encode(body),
        }],
    });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), corpus.to_string()).unwrap();
    let out = std::process::Command::new("node")
        .arg(dir.join("oracle.mjs"))
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oracle.mjs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["results"][0]["ok"].clone(),
            v["results"][0]["event_type"].clone()
        ),
        (json!(true), json!("user.created")),
        "@clerk/backend verifyWebhook: {v}"
    );
}
