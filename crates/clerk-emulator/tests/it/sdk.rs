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
    let jwt = token.jwt.expect("jwt");
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
