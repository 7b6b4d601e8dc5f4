//! Start options, fixtures, the router without a socket, `/_emulator/*`, webhook delivery with
//! retries, concurrency, and request authentication with the SDK.

use crate::api::Api;
use clerk_backend::auth::{
    AuthenticateOptions, RequestState, TokenType, VerifyOptions, authenticate_request,
};
use clerk_emulator::{Emulator, Error, FixtureError};
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt as _;

#[tokio::test]
async fn a_seed_makes_ids_keys_and_secrets_deterministic() {
    let a = Emulator::builder().seed(7).start().await.unwrap();
    let b = Emulator::builder().seed(7).start().await.unwrap();
    let c = Emulator::builder().seed(8).start().await.unwrap();
    assert_eq!(
        (a.secret_key(), a.webhook_secret(), a.jwks_json()),
        (b.secret_key(), b.webhook_secret(), b.jwks_json())
    );
    assert_ne!(a.secret_key(), c.secret_key());
    assert_ne!(a.jwks_json(), c.jwks_json());
    let ua = Api::new(&a).ok("POST", "/users", Some(json!({}))).await;
    let ub = Api::new(&b).ok("POST", "/users", Some(json!({}))).await;
    assert_eq!(ua["id"], ub["id"]);
}

#[tokio::test]
async fn fixtures_load_or_name_the_bad_entry() {
    let good = r#"{
        "users": [{"email_address": ["ada@example.com"], "username": "ada_l"}, {"email_address": ["bob@example.com"]}],
        "organizations": [{"name": "Acme", "slug": "acme"}],
        "memberships": [{"organization": "acme", "user": "ada@example.com", "role": "org:admin"},
                        {"organization": "acme", "user": "bob@example.com"}]
    }"#;
    let emu = Emulator::builder()
        .fixtures_json(good)
        .start()
        .await
        .unwrap();
    let api = Api::new(&emu);
    assert_eq!(api.ok("GET", "/users/count", None).await["total_count"], 2);
    let m = api
        .ok(
            "GET",
            "/organizations/acme/memberships?order_by=%2Bcreated_at",
            None,
        )
        .await;
    assert_eq!(
        (m["data"][0]["role"].as_str(), m["data"][1]["role"].as_str()),
        (Some("org:admin"), Some("org:member"))
    );

    let bad = r#"{"users": [{"email_address": ["a@example.com"]}, {"email_address": ["A@example.com"]}]}"#;
    match Emulator::builder().fixtures_json(bad).start().await {
        Err(Error::Fixtures(FixtureError::Entry { entry, code, .. })) => assert_eq!(
            (entry.as_str(), code.as_str()),
            ("users[1]", "form_identifier_exists")
        ),
        other => panic!("{other:?}"),
    }
    let bad = r#"{"memberships": [{"organization": "nope", "user": "x"}]}"#;
    let e = Emulator::builder()
        .fixtures_json(bad)
        .start()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("memberships[0]"), "{e}");
    let e = Emulator::builder()
        .fixtures_json(r#"{"userz": []}"#)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Fixtures(FixtureError::Parse(_))), "{e}");
    let e = Emulator::builder()
        .secret_key("nope")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
}

#[tokio::test]
async fn the_router_serves_without_a_socket_and_control_routes_work() {
    let emu = Emulator::start().await.unwrap();
    let auth = format!("Bearer {}", emu.secret_key());
    let req = |m: &str, uri: &str, body: &str| {
        http::Request::builder()
            .method(m)
            .uri(uri)
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap()
    };
    let call = |r: http::Request<axum::body::Body>| {
        let router = emu.router();
        async move {
            let resp = router.oneshot(r).await.unwrap();
            let status = resp.status().as_u16();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let (s, u) = call(req("POST", "/v1/users", r#"{"first_name":"Ada"}"#)).await;
    assert_eq!((s, u["first_name"].as_str()), (200, Some("Ada")));
    let (s, ev) = call(req("GET", "/_emulator/events", "")).await;
    assert_eq!(
        (s, ev["data"][0]["type"].as_str()),
        (200, Some("user.created"))
    );
    let (_, c0) = call(req("GET", "/_emulator/clock", "")).await;
    let (_, c1) = call(req("POST", "/_emulator/clock", r#"{"advance_ms": 60000}"#)).await;
    assert!(c1["now_ms"].as_i64().unwrap() - c0["now_ms"].as_i64().unwrap() >= 60_000);
    let (s, _) = call(req(
        "POST",
        "/_emulator/faults",
        r#"{"operation":"users.get","fault":"unavailable","times":1}"#,
    ))
    .await;
    assert_eq!(s, 200);
    let (s, _) = call(req(
        "GET",
        &format!("/v1/users/{}", u["id"].as_str().unwrap()),
        "",
    ))
    .await;
    assert_eq!(s, 503);
    let (s, e) = call(req(
        "POST",
        "/_emulator/faults",
        r#"{"operation":"users.nope","fault":"unavailable"}"#,
    ))
    .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("form_param_value_invalid"))
    );
    let (s, k) = call(req("GET", "/_emulator/keys", "")).await;
    assert_eq!(
        (s, k["publishable_key"].as_str()),
        (200, Some(emu.publishable_key()))
    );
    assert!(k.get("secret_key").is_none());
    let (s, _) = call(req(
        "POST",
        "/_emulator/rate_limit",
        r#"{"enabled": true, "max": 1, "window_ms": 60000}"#,
    ))
    .await;
    assert_eq!(s, 200);
    assert_eq!(call(req("GET", "/v1/jwks", "")).await.0, 200);
    assert_eq!(call(req("GET", "/v1/jwks", "")).await.0, 429);
    call(req(
        "POST",
        "/_emulator/rate_limit",
        r#"{"enabled": false}"#,
    ))
    .await;
    let (s, _) = call(req("POST", "/_emulator/reset", "")).await;
    assert_eq!(s, 200);
    assert_eq!(
        call(req("GET", "/v1/users/count", "")).await.1["total_count"],
        0
    );
    // control routes need the secret key too
    let anon = http::Request::builder()
        .uri("/_emulator/events")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(call(anon).await.0, 401);
    let (s, e) = call(req("DELETE", "/v1/jwks", "")).await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    let (s, _) = call(req("GET", "/v2/users", "")).await;
    assert_eq!(s, 404);
}

/// A receiver that answers 500 to the first `fail` deliveries, then 204; collects the rest.
async fn receiver(
    fail: usize,
) -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(http::HeaderMap, Vec<u8>)>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app =
        axum::Router::new().fallback(move |headers: http::HeaderMap, body: axum::body::Bytes| {
            let (tx, seen) = (tx.clone(), seen.clone());
            async move {
                if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < fail {
                    return http::StatusCode::INTERNAL_SERVER_ERROR;
                }
                let _ = tx.send((headers, body.to_vec()));
                http::StatusCode::NO_CONTENT
            }
        });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, rx)
}

#[tokio::test]
async fn webhooks_are_delivered_signed_with_retries() {
    let (url, mut rx) = receiver(1).await;
    let emu = Emulator::builder().webhook_url(url).start().await.unwrap();
    let clerk = emu.client();
    let user = clerk
        .users()
        .create()
        .first_name("Ada")
        .send()
        .await
        .unwrap();
    clerk.users().delete(&user.id).send().await.unwrap();
    let wh = clerk_backend::webhooks::Webhook::new(emu.webhook_secret()).unwrap();
    let mut types = Vec::new();
    for _ in 0..2 {
        let (headers, body) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("delivered")
            .unwrap();
        types.push(
            wh.verify(&headers, &body)
                .expect("signed as Svix signs")
                .event_type()
                .to_owned(),
        );
    }
    assert_eq!(
        types,
        ["user.created", "user.deleted"],
        "in order, the first after one retry"
    );
}

#[tokio::test]
async fn concurrent_requests_never_see_half_applied_changes() {
    let emu = Emulator::start().await.unwrap();
    let api = std::sync::Arc::new(Api::new(&emu));
    // 20 concurrent creates of the same address: exactly one wins, and no user is left
    // without the address it was created with.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            api.call("POST", "/users", Some(json!({"email_address": ["same@example.com"], "username": format!("user_{i:02}")}))).await.0
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
    let users = api.ok("GET", "/users?limit=100", None).await;
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(
        users[0]["email_addresses"][0]["email_address"],
        "same@example.com"
    );
    assert_eq!(
        api.ok(
            "GET",
            "/users?username=user_00&username=user_01&username=user_19",
            None
        )
        .await
        .as_array()
        .unwrap()
        .len(),
        usize::from(
            users[0]["username"]
                .as_str()
                .is_some_and(|u| ["user_00", "user_01", "user_19"].contains(&u))
        )
    );
}

#[tokio::test]
async fn authenticate_request_accepts_emulator_session_and_machine_tokens() {
    let emu = Emulator::start().await.unwrap();
    let clerk = emu.client();
    let user = clerk.users().create().send().await.unwrap();
    let session = clerk
        .sessions()
        .create()
        .user_id(&user.id)
        .send()
        .await
        .unwrap();
    let jwt = clerk
        .sessions()
        .create_token(&session.id)
        .send()
        .await
        .unwrap()
        .jwt
        .unwrap()
        .expose_secret()
        .to_owned();
    let options =
        AuthenticateOptions::new(VerifyOptions::new().jwks_json(&emu.jwks_json()).unwrap())
            .clerk(&clerk)
            .accepts_any_token();
    let req = http::Request::builder()
        .header("authorization", format!("Bearer {jwt}"))
        .body(())
        .unwrap();
    match authenticate_request(&req, &options).await {
        RequestState::SignedIn(auth) => assert_eq!(auth.user_id(), Some(user.id.as_str())),
        other => panic!("{other:?}"),
    }
    let (s, m) = Api::new(&emu)
        .call("POST", "/m2m_tokens", Some(json!({})))
        .await;
    assert_eq!(s, 201);
    let req = http::Request::builder()
        .header(
            "authorization",
            format!("Bearer {}", m["token"].as_str().unwrap()),
        )
        .body(())
        .unwrap();
    match authenticate_request(&req, &options).await {
        RequestState::SignedIn(auth) => assert_eq!(auth.token_type(), TokenType::M2mToken),
        other => panic!("{other:?}"),
    }
    emu.advance(Duration::from_secs(120)); // past the session token's 60 s
    let req = http::Request::builder()
        .header("authorization", format!("Bearer {jwt}"))
        .body(())
        .unwrap();
    let at = emu.now();
    let state = clerk_backend::auth::authenticate_headers_at(req.headers(), &options, at).await;
    assert!(
        !state.is_signed_in(),
        "an expired token is refused at the emulator's time"
    );
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let b = Emulator::builder().secret_key("sk_test_supersecretvalue123");
    assert!(!format!("{b:?}").contains("supersecret"));
    let emu = b.start().await.unwrap();
    assert!(!format!("{emu:?}").contains("supersecret"));
    Api::new(&emu)
        .ok(
            "POST",
            "/users",
            Some(json!({"password": "hunter2hunter2"})),
        )
        .await;
    for e in emu.events() {
        assert!(!format!("{e:?}").contains("hunter2") && !e.body.contains("hunter2"));
    }
}

#[tokio::test]
async fn every_emitted_event_is_signed_and_decodes_as_the_sdks_typed_event() {
    let emu = Emulator::start().await.unwrap();
    let api = Api::new(&emu);
    let u = api
        .ok(
            "POST",
            "/users",
            Some(json!({"email_address": ["ev@example.com"], "first_name": "Ev"})),
        )
        .await;
    let uid = u["id"].as_str().unwrap();
    api.ok(
        "PATCH",
        &format!("/users/{uid}"),
        Some(json!({"last_name": "Ents"})),
    )
    .await;
    let o = api
        .ok(
            "POST",
            "/organizations",
            Some(json!({"name": "Events", "created_by": uid})),
        )
        .await;
    let oid = o["id"].as_str().unwrap();
    api.ok(
        "PATCH",
        &format!("/organizations/{oid}"),
        Some(json!({"name": "Events 2"})),
    )
    .await;
    let other = api.ok("POST", "/users", Some(json!({}))).await;
    let other_id = other["id"].as_str().unwrap();
    api.ok(
        "POST",
        &format!("/organizations/{oid}/memberships"),
        Some(json!({"user_id": other_id, "role": "org:member"})),
    )
    .await;
    api.ok(
        "PATCH",
        &format!("/organizations/{oid}/memberships/{other_id}"),
        Some(json!({"role": "org:admin"})),
    )
    .await;
    api.ok(
        "DELETE",
        &format!("/organizations/{oid}/memberships/{other_id}"),
        None,
    )
    .await;
    let inv = api
        .ok(
            "POST",
            &format!("/organizations/{oid}/invitations"),
            Some(json!({"email_address": "i@example.com", "role": "org:member"})),
        )
        .await;
    api.ok(
        "POST",
        &format!(
            "/organizations/{oid}/invitations/{}/revoke",
            inv["id"].as_str().unwrap()
        ),
        Some(json!({})),
    )
    .await;
    let s = api
        .ok("POST", "/sessions", Some(json!({"user_id": uid})))
        .await;
    api.ok(
        "POST",
        &format!("/sessions/{}/revoke", s["id"].as_str().unwrap()),
        None,
    )
    .await;
    let i = api
        .ok(
            "POST",
            "/invitations",
            Some(json!({"email_address": "inv@example.com"})),
        )
        .await;
    api.ok(
        "POST",
        &format!("/invitations/{}/revoke", i["id"].as_str().unwrap()),
        None,
    )
    .await;
    api.ok(
        "POST",
        "/invitations",
        Some(json!({"email_address": "acc@example.com"})),
    )
    .await;
    api.ok(
        "POST",
        "/users",
        Some(json!({"email_address": ["acc@example.com"]})),
    )
    .await;
    api.ok("DELETE", &format!("/organizations/{oid}"), None)
        .await;
    api.ok("DELETE", &format!("/users/{uid}"), None).await;

    let wh = clerk_backend::webhooks::Webhook::new(emu.webhook_secret()).unwrap();
    let events = emu.events();
    let mut types: Vec<String> = Vec::new();
    for ev in &events {
        let mut headers = http::HeaderMap::new();
        for (k, v) in emu.webhook_headers(ev) {
            headers.insert(k, v.parse().unwrap());
        }
        let typed = wh
            .verify(&headers, ev.body.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", ev.event_type));
        assert_eq!(typed.event_type(), ev.event_type);
        assert!(
            !format!("{typed:?}").starts_with("Unknown"),
            "{} decodes as a known event",
            ev.event_type
        );
        if !types.contains(&ev.event_type) {
            types.push(ev.event_type.clone());
        }
    }
    for t in [
        "user.created",
        "user.updated",
        "user.deleted",
        "email.created",
        "organization.created",
        "organization.updated",
        "organization.deleted",
        "organizationMembership.created",
        "organizationMembership.updated",
        "organizationMembership.deleted",
        "organizationInvitation.created",
        "organizationInvitation.revoked",
        "session.created",
        "session.revoked",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} emitted: {types:?}");
    }
}

#[tokio::test]
async fn the_event_inbox_follows_from_a_cursor() {
    let emu = Emulator::start().await.unwrap();
    let api = Api::new(&emu);
    let http = reqwest::Client::new();
    let events = |after: Option<String>| {
        let mut url = format!("{}/_emulator/events", emu.url());
        if let Some(a) = after {
            url.push_str(&format!("?after={a}"));
        }
        let req = http.get(url).bearer_auth(emu.secret_key());
        async move {
            let text = req.send().await.unwrap().text().await.unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            v["data"].as_array().unwrap().clone()
        }
    };
    for name in ["a", "b", "c"] {
        api.ok("POST", "/users", Some(json!({"first_name": name})))
            .await;
    }
    let all = events(None).await;
    assert_eq!(all.len(), 3);
    // `body` is the exact payload the emulator signs and delivers.
    let kept = emu.events();
    for (got, want) in all.iter().zip(&kept) {
        assert_eq!(
            (got["id"].as_str(), got["body"].as_str()),
            (Some(want.id.as_str()), Some(want.body.as_str()))
        );
    }
    let ids = |v: &[Value]| {
        v.iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let first = all[0]["id"].as_str().unwrap().to_owned();
    let last = all[2]["id"].as_str().unwrap().to_owned();
    assert_eq!(ids(&events(Some(first)).await), ids(&all[1..]));
    assert!(events(Some(last.clone())).await.is_empty());
    // A cursor no longer in the inbox (cleared) sees every event kept since.
    emu.clear_events();
    api.ok("POST", "/users", Some(json!({"first_name": "d"})))
        .await;
    let after_clear = events(Some(last)).await;
    assert_eq!(
        (
            after_clear.len(),
            after_clear[0]["payload"]["data"]["first_name"].as_str()
        ),
        (1, Some("d"))
    );
    let keys = http
        .get(format!("{}/_emulator/keys", emu.url()))
        .bearer_auth(emu.secret_key())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys: Value = serde_json::from_str(&keys).unwrap();
    assert_eq!(keys["webhook_secret"].as_str(), Some(emu.webhook_secret()));
}
