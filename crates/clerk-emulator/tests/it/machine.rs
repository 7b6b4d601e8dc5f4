//! Allowlist/blocklist, redirect URLs, sign-in/testing/actor tokens, API keys and M2M tokens.

use crate::api::Api;
use clerk_backend::auth::{MachineErrorCode, verify_opaque_machine_token};
use clerk_emulator::Emulator;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn identifiers_redirect_urls_and_one_off_tokens() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    let a = api
        .ok(
            "POST",
            "/allowlist_identifiers",
            Some(json!({"identifier": "ok@example.com"})),
        )
        .await;
    assert_eq!(a["identifier_type"], "email_address");
    api.err(
        "POST",
        "/allowlist_identifiers",
        Some(json!({"identifier": "OK@example.com"})),
        422,
        "duplicate_record",
    )
    .await;
    api.err(
        "POST",
        "/allowlist_identifiers",
        Some(json!({"identifier": "nonsense"})),
        422,
        "form_param_format_invalid",
    )
    .await;
    assert_eq!(
        api.ok("GET", "/allowlist_identifiers", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api.ok("GET", "/allowlist_identifiers?paginated=true", None)
            .await["total_count"],
        1
    );
    api.ok(
        "DELETE",
        &format!("/allowlist_identifiers/{}", a["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        api.ok("GET", "/allowlist_identifiers", None).await,
        json!([])
    );
    let b = api
        .ok(
            "POST",
            "/blocklist_identifiers",
            Some(json!({"identifier": "+15555550999"})),
        )
        .await;
    assert_eq!(b["identifier_type"], "phone_number");
    assert_eq!(
        api.ok("GET", "/blocklist_identifiers", None).await["total_count"],
        1
    );
    api.ok(
        "DELETE",
        &format!("/blocklist_identifiers/{}", b["id"].as_str().unwrap()),
        None,
    )
    .await;
    api.err(
        "DELETE",
        &format!("/blocklist_identifiers/{}", b["id"].as_str().unwrap()),
        None,
        404,
        "resource_not_found",
    )
    .await;

    let r = api
        .ok(
            "POST",
            "/redirect_urls",
            Some(json!({"url": "myapp://callback"})),
        )
        .await;
    api.err(
        "POST",
        "/redirect_urls",
        Some(json!({"url": "myapp://callback"})),
        422,
        "duplicate_record",
    )
    .await;
    api.err(
        "POST",
        "/redirect_urls",
        Some(json!({"url": "nope"})),
        422,
        "form_param_format_invalid",
    )
    .await;
    let rid = r["id"].as_str().unwrap();
    assert_eq!(
        api.ok("GET", &format!("/redirect_urls/{rid}"), None).await,
        r
    );
    assert_eq!(api.ok("GET", "/redirect_urls", None).await[0]["id"], rid);
    api.ok("DELETE", &format!("/redirect_urls/{rid}"), None)
        .await;
    api.err(
        "GET",
        &format!("/redirect_urls/{rid}"),
        None,
        404,
        "resource_not_found",
    )
    .await;

    let u = api.ok("POST", "/users", Some(json!({}))).await;
    let uid = u["id"].as_str().unwrap();
    let t = api
        .ok(
            "POST",
            "/sign_in_tokens",
            Some(json!({"user_id": uid, "expires_in_seconds": 600})),
        )
        .await;
    assert_eq!(t["status"], "pending");
    assert!(t["url"].as_str().unwrap().contains("__clerk_ticket="));
    api.err(
        "POST",
        "/sign_in_tokens",
        Some(json!({"user_id": "user_nope"})),
        404,
        "resource_not_found",
    )
    .await;
    let rv = api
        .ok(
            "POST",
            &format!("/sign_in_tokens/{}/revoke", t["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(rv["status"], "revoked");
    api.err(
        "POST",
        &format!("/sign_in_tokens/{}/revoke", t["id"].as_str().unwrap()),
        None,
        400,
        "token_not_pending",
    )
    .await;
    let tt = api.ok("POST", "/testing_tokens", None).await;
    assert!(tt["token"].as_str().is_some_and(|t| !t.is_empty()));
    let at = api
        .ok(
            "POST",
            "/actor_tokens",
            Some(json!({"user_id": uid, "actor": {"sub": "user_admin"}})),
        )
        .await;
    assert_eq!(at["actor"]["sub"], "user_admin");
    api.err(
        "POST",
        "/actor_tokens",
        Some(json!({"user_id": uid, "actor": {}})),
        422,
        "form_param_missing",
    )
    .await;
    assert_eq!(
        api.ok(
            "POST",
            &format!("/actor_tokens/{}/revoke", at["id"].as_str().unwrap()),
            None
        )
        .await["status"],
        "revoked"
    );
}

#[tokio::test]
async fn api_keys_and_m2m_tokens_verify_through_the_sdk() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    let clerk = emu.client();
    let u = api.ok("POST", "/users", Some(json!({}))).await;
    let uid = u["id"].as_str().unwrap();
    let k = api
        .ok(
            "POST",
            "/api_keys",
            Some(
                json!({"name": "ci", "subject": uid, "scopes": ["read"], "claims": {"team": "a"}}),
            ),
        )
        .await;
    let secret = k["secret"].as_str().unwrap().to_owned();
    let kid = k["id"].as_str().unwrap();
    api.err(
        "POST",
        "/api_keys",
        Some(json!({"name": "x", "subject": "nobody"})),
        422,
        "form_param_value_invalid",
    )
    .await;
    assert!(
        api.ok("GET", &format!("/api_keys/{kid}"), None)
            .await
            .get("secret")
            .is_none(),
        "the secret is shown once"
    );
    assert_eq!(
        api.ok("GET", &format!("/api_keys/{kid}/secret"), None)
            .await["secret"],
        secret.as_str()
    );
    assert_eq!(
        api.ok("GET", &format!("/api_keys?subject={uid}"), None)
            .await["total_count"],
        1
    );
    let up = api
        .ok(
            "PATCH",
            &format!("/api_keys/{kid}"),
            Some(json!({"description": "for CI"})),
        )
        .await;
    assert_eq!(up["description"], "for CI");
    let auth = verify_opaque_machine_token(&clerk, &secret)
        .await
        .expect("a live key verifies");
    assert_eq!(
        (
            auth.subject.as_str(),
            auth.name.as_deref(),
            auth.scopes.clone()
        ),
        (uid, Some("ci"), vec!["read".to_owned()])
    );
    let e = verify_opaque_machine_token(&clerk, "ak_unknown")
        .await
        .expect_err("unknown");
    assert_eq!(e.code, MachineErrorCode::TokenInvalid);
    api.ok(
        "POST",
        &format!("/api_keys/{kid}/revoke"),
        Some(json!({"revocation_reason": "leaked"})),
    )
    .await;
    assert_eq!(
        verify_opaque_machine_token(&clerk, &secret)
            .await
            .expect_err("revoked")
            .code,
        MachineErrorCode::TokenInvalid
    );
    assert_eq!(
        api.ok("GET", &format!("/api_keys?subject={uid}"), None)
            .await["total_count"],
        0
    );
    assert_eq!(
        api.ok(
            "GET",
            &format!("/api_keys?subject={uid}&include_invalid=true"),
            None
        )
        .await["total_count"],
        1
    );
    assert_eq!(
        api.ok("DELETE", &format!("/api_keys/{kid}"), None).await["deleted"],
        true
    );

    let (s, m) = api
        .call(
            "POST",
            "/m2m_tokens",
            Some(json!({"seconds_until_expiration": 60, "claims": {"job": 1}})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let token = m["token"].as_str().unwrap().to_owned();
    let auth = verify_opaque_machine_token(&clerk, &token)
        .await
        .expect("live M2M token");
    assert_eq!(auth.subject, "mch_emulatormachine000000000000");
    let listed = api
        .ok(
            "GET",
            "/m2m_tokens?subject=mch_emulatormachine000000000000",
            None,
        )
        .await;
    assert_eq!(listed["total_count"], 1);
    emu.advance(Duration::from_secs(61));
    assert_eq!(
        verify_opaque_machine_token(&clerk, &token)
            .await
            .expect_err("expired")
            .code,
        MachineErrorCode::TokenInvalid
    );
    assert_eq!(
        api.ok(
            "GET",
            "/m2m_tokens?subject=mch_emulatormachine000000000000&expired=true",
            None
        )
        .await["total_count"],
        1
    );
    let rv = api
        .ok(
            "POST",
            &format!("/m2m_tokens/{}/revoke", m["id"].as_str().unwrap()),
            Some(json!({})),
        )
        .await;
    assert_eq!(rv["revoked"], true);
    api.err(
        "POST",
        "/m2m_tokens/verify",
        Some(json!({"token": "mt_nope"})),
        404,
        "resource_not_found",
    )
    .await;
}

#[tokio::test]
async fn absurd_lifetimes_are_refused_not_overflowed() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    // found by schemathesis: 9.2e15 seconds overflowed the expiry arithmetic
    api.err(
        "POST",
        "/m2m_tokens",
        Some(json!({"seconds_until_expiration": 9_223_370_240_631_378.0_f64})),
        422,
        "form_param_value_invalid",
    )
    .await;
    let u = api.ok("POST", "/users", Some(json!({}))).await;
    api.err(
        "POST",
        "/api_keys",
        Some(json!({"name": "k", "subject": u["id"], "seconds_until_expiration": 1e300})),
        422,
        "form_param_value_invalid",
    )
    .await;
    let (s, _) = api
        .call(
            "POST",
            "/m2m_tokens",
            Some(json!({"seconds_until_expiration": 60})),
        )
        .await;
    assert_eq!(s, 201, "the emulator still serves");
}
