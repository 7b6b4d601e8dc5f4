//! The same flows through our SDK: its models decode every response, its verifiers accept the
//! emulator's tokens and webhooks.

use clerk_backend::auth::{VerifyOptions, verify_token};
use clerk_emulator::Emulator;

#[tokio::test]
async fn session_token_verifies_with_the_emulators_jwks() {
    let emu = Emulator::start().await.expect("start");
    let clerk = emu.client();
    let user = clerk
        .users()
        .create()
        .email_address(["ada@example.com"])
        .first_name("Ada")
        .send()
        .await
        .expect("create");
    let got = clerk.users().get(&user.id).send().await.expect("get");
    assert_eq!(got.id, user.id);
    let session = clerk
        .sessions()
        .create()
        .user_id(&user.id)
        .send()
        .await
        .expect("session");
    let token = clerk
        .sessions()
        .create_token(&session.id)
        .send()
        .await
        .expect("token");
    let jwt = token.jwt.expect("jwt").expose_secret().to_owned();
    let opts = VerifyOptions::new()
        .jwks_json(&emu.jwks_json())
        .expect("jwks");
    let claims = verify_token(&jwt, &opts).await.expect("verifies");
    assert_eq!(claims.sub, user.id);
    assert_eq!(claims.sid.as_deref(), Some(session.id.as_str()));
    assert_eq!(claims.session_status(), Some("active"));
    // The same through the instance's JWKS fetched over the API.
    let opts = VerifyOptions::new().clerk(&clerk);
    assert_eq!(
        verify_token(&jwt, &opts).await.expect("verifies").sub,
        user.id
    );
    // And with the PEM key.
    let opts = VerifyOptions::new()
        .jwt_key(emu.public_key_pem())
        .expect("pem");
    assert!(verify_token(&jwt, &opts).await.is_ok());
    // Tampering is caught.
    let mut bad = jwt.clone();
    bad.pop();
    bad.push(if jwt.ends_with('A') { 'B' } else { 'A' });
    assert!(
        verify_token(
            &bad,
            &VerifyOptions::new().jwks_json(&emu.jwks_json()).unwrap()
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn api_errors_decode_with_code_and_trace_id() {
    let emu = Emulator::start().await.expect("start");
    let clerk = emu.client();
    let err = clerk
        .users()
        .get("user_missing")
        .send()
        .await
        .expect_err("404");
    let clerk_backend::Error::Api(api) = err else {
        panic!("not an API error: {err}")
    };
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.errors[0].code, "resource_not_found");
    assert!(api.trace_id.is_some());
}

/// `tools/clerk-js/emulator-scenario.mjs`, step for step, through our SDK.
#[tokio::test]
async fn the_clerk_js_scenario_through_our_sdk() {
    let emu = Emulator::start().await.expect("start");
    let clerk = emu.client();
    let meta = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
    let user = clerk
        .users()
        .create()
        .email_address(["js@example.com"])
        .first_name("Ada")
        .last_name("Lovelace")
        .public_metadata(meta(serde_json::json!({"plan": "free"})))
        .send()
        .await
        .unwrap();
    let list = clerk
        .users()
        .list()
        .email_address(["js@example.com"])
        .send()
        .await
        .unwrap();
    assert_eq!(
        list.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        [user.id.as_str()]
    );
    assert!(
        clerk
            .users()
            .list()
            .query("no-such-user-anywhere")
            .send()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        clerk
            .users()
            .count()
            .email_address(["js@example.com"])
            .send()
            .await
            .unwrap()
            .total_count,
        1
    );
    let updated = clerk
        .users()
        .update_metadata(&user.id)
        .public_metadata(meta(serde_json::json!({"plan": "pro", "seats": 3})))
        .send()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&updated.public_metadata).unwrap(),
        serde_json::json!({"plan": "pro", "seats": 3})
    );
    let org = clerk
        .organizations()
        .create()
        .name("Analytical Engines")
        .created_by(&user.id)
        .send()
        .await
        .unwrap();
    let other = clerk
        .users()
        .create()
        .email_address(["member@example.com"])
        .send()
        .await
        .unwrap();
    let m = clerk
        .organization_memberships()
        .create(&org.id)
        .user_id(&other.id)
        .role("org:member")
        .send()
        .await
        .unwrap();
    assert_eq!(m.role, "org:member");
    assert_eq!(
        clerk
            .organization_memberships()
            .list(&org.id)
            .send()
            .await
            .unwrap()
            .total_count,
        2
    );
    let session = clerk
        .sessions()
        .create()
        .user_id(&user.id)
        .active_organization_id(&org.id)
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
    let claims = verify_token(&jwt, &VerifyOptions::new().clerk(&clerk))
        .await
        .unwrap();
    assert_eq!(
        (claims.sub.as_str(), claims.org_id()),
        (user.id.as_str(), Some(org.id.as_str()))
    );
    let err = clerk
        .users()
        .create()
        .email_address(["js@example.com"])
        .send()
        .await
        .unwrap_err();
    let clerk_backend::Error::Api(api) = err else {
        panic!("{err}")
    };
    assert_eq!(api.errors[0].code, "form_identifier_exists");
    assert!(api.trace_id.is_some());
}
