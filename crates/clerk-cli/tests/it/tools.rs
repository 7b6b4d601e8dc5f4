//! `token verify` and `webhooks verify` against the emulator's real tokens and signed events.

use clerk_emulator::Emulator;
use serde_json::json;

use crate::run;

async fn session_token(emu: &Emulator) -> (String, String) {
    let user = run(
        emu,
        &[
            "users",
            "create",
            "--email-address",
            "t@example.com",
            "-o",
            "json",
        ],
    )
    .await
    .ok()
    .json();
    let uid = user["id"].as_str().unwrap().to_owned();
    let s = run(
        emu,
        &["sessions", "create", "--user-id", &uid, "-o", "json"],
    )
    .await
    .ok()
    .json();
    let sid = s["id"].as_str().unwrap().to_owned();
    let t = run(emu, &["sessions", "create-token", &sid, "-o", "json"])
        .await
        .ok()
        .json();
    (t["jwt"].as_str().unwrap().to_owned(), uid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_verify_with_jwks_file_pem_and_the_instance() {
    let emu = Emulator::start().await.unwrap();
    let (jwt, uid) = session_token(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, emu.jwks_json()).unwrap();
    let pem = dir.path().join("key.pem");
    std::fs::write(&pem, emu.public_key_pem()).unwrap();
    for extra in [
        vec!["--jwks", jwks.to_str().unwrap()],
        vec!["--pem", pem.to_str().unwrap()],
        vec![],
    ] {
        let mut a = vec![
            "token",
            "verify",
            jwt.as_str(),
            "-o",
            "json",
            "--jq",
            ".sub",
        ];
        a.extend(extra.iter().copied());
        assert_eq!(run(&emu, &a).await.ok().json(), json!(uid), "{extra:?}");
    }
    // One character of the signature changed.
    let mut bad = jwt.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    let r = run(
        &emu,
        &["token", "verify", &bad, "--jwks", jwks.to_str().unwrap()],
    )
    .await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("reason"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_verify_accepts_the_emulators_signed_event_and_rejects_a_changed_body() {
    let emu = Emulator::start().await.unwrap();
    run(
        &emu,
        &["users", "create", "--email-address", "w@example.com"],
    )
    .await
    .ok();
    let event = emu
        .events()
        .into_iter()
        .find(|e| e.event_type == "user.created")
        .expect("user.created event");
    let headers: serde_json::Map<String, serde_json::Value> = emu
        .webhook_headers(&event)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), json!(v)))
        .collect();
    let headers = serde_json::Value::Object(headers).to_string();
    let r = run(
        &emu,
        &[
            "webhooks",
            "verify",
            "--secret",
            emu.webhook_secret(),
            "--headers",
            &headers,
            &event.body,
            "-o",
            "json",
            "--jq",
            ".type",
        ],
    )
    .await
    .ok();
    assert_eq!(r.json(), "user.created");
    let changed = event.body.replace("w@example.com", "x@example.com");
    let r = run(
        &emu,
        &[
            "webhooks",
            "verify",
            "--secret",
            emu.webhook_secret(),
            "--headers",
            &headers,
            &changed,
        ],
    )
    .await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(!r.stderr.contains(emu.webhook_secret()));
}
