//! `authenticate_request`: token sources, token types, machine tokens.

use clerk_backend::auth::{
    Auth, AuthenticateOptions, MachineErrorCode, RequestState, SignedOutReason, TokenType,
    TokenVerificationErrorReason as R, VerifyOptions, authenticate_request,
};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::auth_common::*;

fn req(authorization: Option<&str>, cookie: Option<&str>) -> http::Request<()> {
    let mut b = http::Request::builder().uri("/");
    if let Some(a) = authorization {
        b = b.header("authorization", a);
    }
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(()).unwrap()
}

fn offline() -> AuthenticateOptions {
    AuthenticateOptions::new(VerifyOptions::new().jwt_key(PEM_A).unwrap())
}

#[track_caller]
fn signed_out(state: &RequestState) -> SignedOutReason {
    match state {
        RequestState::SignedOut(o) => o.reason,
        other => panic!("expected signed out, got {other:?}"),
    }
}

#[tokio::test]
async fn auth_request_bearer_then_cookie() {
    let key = TestKey::a();
    let good = key.token(&session_claims(now_s()));
    let o = offline();

    let s = authenticate_request(&req(Some(&format!("Bearer {good}")), None), &o).await;
    let auth = s.auth().expect("signed in");
    assert_eq!(auth.token_type(), TokenType::SessionToken);
    assert_eq!(auth.user_id(), Some("user_2RfWKJREkjKbHZy0Wqa5qrHeAnb"));
    assert_eq!(auth.org_id(), Some("org_1"));

    let s = authenticate_request(
        &req(None, Some(&format!("theme=dark; __session={good}"))),
        &o,
    )
    .await;
    assert!(s.is_signed_in());

    // The header wins over the cookie.
    let expired = key.token(&json!({"sub": "user_1", "exp": now_s() - 60}));
    let s = authenticate_request(
        &req(
            Some(&format!("Bearer {expired}")),
            Some(&format!("__session={good}")),
        ),
        &o,
    )
    .await;
    assert_eq!(signed_out(&s), SignedOutReason::Token(R::TokenExpired));
    assert_eq!(signed_out(&s).as_str(), "token-expired");

    let s = authenticate_request(&req(None, None), &o).await;
    assert_eq!(signed_out(&s), SignedOutReason::TokenMissing);
    let s = authenticate_request(&req(Some("Basic dXNlcjpwdw=="), None), &o).await;
    assert_eq!(signed_out(&s), SignedOutReason::TokenMissing);
    let s = authenticate_request(&req(Some("Bearer not-a-token"), None), &o).await;
    assert_eq!(signed_out(&s), SignedOutReason::Token(R::TokenInvalid));
}

#[tokio::test]
async fn auth_request_token_cache_serves_repeats() {
    let key = TestKey::a();
    let o = AuthenticateOptions::new(VerifyOptions::new().jwt_key(PEM_A).unwrap().token_cache(64));
    let t = key.token(&session_claims(now_s()));
    let r = req(Some(&format!("Bearer {t}")), None);
    let first = authenticate_request(&r, &o).await;
    let second = authenticate_request(&r, &o).await;
    assert!(first.is_signed_in());
    assert_eq!(first, second);
    assert_eq!(o.verify_options().token_cache_ref().unwrap().len(), 1);
}

#[tokio::test]
async fn auth_request_type_mismatch() {
    let o = offline();
    for t in ["ak_123", "mt_123", "oat_123"] {
        let s = authenticate_request(&req(Some(&format!("Bearer {t}")), None), &o).await;
        assert_eq!(signed_out(&s), SignedOutReason::TokenTypeMismatch, "{t}");
    }
    let only_keys = offline().accepts_token([TokenType::ApiKey]);
    let t = TestKey::a().token(&session_claims(now_s()));
    let s = authenticate_request(&req(Some(&format!("Bearer {t}")), None), &only_keys).await;
    assert_eq!(signed_out(&s), SignedOutReason::TokenTypeMismatch);
    assert_eq!(signed_out(&s).as_str(), "token-type-mismatch");

    // A JWT-template token signed by the instance key is never a session (verify_token
    // itself only refuses the M2M category, as @clerk/backend's does).
    let key = TestKey::a();
    for (cat, session) in [
        (json!("cl_B7d4PD222AAA"), false),
        (json!("cl_other"), false),
        (json!(5), false),
        (json!("cl_B7d4PD111AAA"), true),
        (json!("cl_I7d4PD111III"), true),
    ] {
        let mut h = key.header();
        h["cat"] = cat.clone();
        let t = key.sign(&h, &session_claims(now_s()));
        let s = authenticate_request(&req(Some(&format!("Bearer {t}")), None), &o).await;
        assert_eq!(s.is_signed_in(), session, "{cat}");
        if !session {
            assert_eq!(signed_out(&s), SignedOutReason::TokenTypeMismatch, "{cat}");
        }
        let v = clerk_backend::auth::verify_token(&t, o.verify_options()).await;
        assert!(v.is_ok(), "{cat}");
    }
    let mut h = key.header();
    h["cat"] = json!("cl_B7d4PD333AAA");
    let m2m = key.sign(&h, &session_claims(now_s()));
    let v = clerk_backend::auth::verify_token(&m2m, o.verify_options()).await;
    assert_eq!(v.unwrap_err().reason(), R::TokenInvalid);
}

async fn machine_server() -> (MockServer, clerk_backend::Clerk) {
    let server = MockServer::start().await;
    let ok = |body: serde_json::Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("POST"))
        .and(path("/api_keys/verify"))
        .and(header("authorization", "Bearer sk_test_machine"))
        .and(body_json(json!({"secret": "ak_good"})))
        .respond_with(ok(json!({
            "object": "api_key", "id": "ak_0123", "type": "api_key", "subject": "user_123",
            "name": "CI", "claims": {"team": "a"}, "scopes": ["read"], "revoked": false,
            "revocation_reason": null, "expired": false, "expiration": null, "created_by": null,
            "last_used_at": null, "created_at": 1, "updated_at": 1
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api_keys/verify"))
        .and(body_json(json!({"secret": "ak_revoked"})))
        .respond_with(ok(json!({"object": "api_key", "id": "ak_1", "subject": "user_1", "revoked": true, "expired": false})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/m2m_tokens/verify"))
        .and(body_json(json!({"token": "mt_good"})))
        .respond_with(ok(json!({
            "object": "machine_to_machine_token", "id": "mt_1", "subject": "mch_1",
            "scopes": ["mch_2"], "claims": null, "revoked": false, "revocation_reason": null,
            "expired": false, "expiration": 1716883200000_i64, "last_used_at": null,
            "created_at": 1, "updated_at": 1
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth_applications/access_tokens/verify"))
        .and(body_json(json!({"access_token": "oat_good"})))
        .respond_with(ok(json!({
            "object": "clerk_idp_oauth_access_token", "id": "oat_1", "client_id": "client_1",
            "subject": "user_9", "scopes": ["profile"], "revoked": false,
            "revocation_reason": null, "expired": false, "expiration": null,
            "created_at": 1, "updated_at": 1
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth_applications/access_tokens/verify"))
        .and(body_json(json!({"access_token": "oat_inactive"})))
        .respond_with(ok(json!({"active": false})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/m2m_tokens/verify"))
        .and(body_json(json!({"token": "mt_forbidden"})))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"errors": [{"code": "x", "message": "bad key"}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/m2m_tokens/verify"))
        .and(body_json(json!({"token": "mt_boom"})))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    // anything else: 404
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"errors": [{"code": "resource_not_found", "message": "not found"}]}),
        ))
        .with_priority(10)
        .mount(&server)
        .await;
    let clerk = clerk_backend::Clerk::builder()
        .secret_key("sk_test_machine")
        .server_url(server.uri())
        .build()
        .unwrap();
    (server, clerk)
}

#[tokio::test]
async fn auth_request_machine_tokens_routed_by_prefix() {
    let (_server, clerk) = machine_server().await;
    let o = offline().accepts_any_token().clerk(&clerk);
    let auth = |t: &str| {
        let o = o.clone();
        let r = req(Some(&format!("Bearer {t}")), None);
        async move { authenticate_request(&r, &o).await }
    };

    let s = auth("ak_good").await;
    let m = s
        .auth()
        .and_then(Auth::machine)
        .expect("api key signed in")
        .clone();
    assert_eq!(
        (m.token_type, m.subject.as_str(), m.name.as_deref()),
        (TokenType::ApiKey, "user_123", Some("CI"))
    );
    assert!(m.has_scope("read"));
    assert_eq!(m.claims, Some(json!({"team": "a"})));

    let s = auth("mt_good").await;
    let m = s
        .auth()
        .and_then(Auth::machine)
        .expect("m2m signed in")
        .clone();
    assert_eq!(
        (m.token_type, m.subject.as_str()),
        (TokenType::M2mToken, "mch_1")
    );

    let s = auth("oat_good").await;
    let m = s
        .auth()
        .and_then(Auth::machine)
        .expect("oauth signed in")
        .clone();
    assert_eq!(
        (m.token_type, m.client_id.as_deref()),
        (TokenType::OAuthToken, Some("client_1"))
    );
    assert_eq!(s.auth().unwrap().user_id(), Some("user_9"));

    let code = |s: RequestState| signed_out(&s);
    assert_eq!(
        code(auth("ak_unknown").await),
        SignedOutReason::Machine(MachineErrorCode::TokenInvalid)
    );
    assert_eq!(
        code(auth("ak_revoked").await),
        SignedOutReason::Machine(MachineErrorCode::TokenInvalid)
    );
    assert_eq!(
        code(auth("oat_inactive").await),
        SignedOutReason::Machine(MachineErrorCode::TokenInvalid)
    );
    assert_eq!(
        code(auth("mt_forbidden").await),
        SignedOutReason::Machine(MachineErrorCode::InvalidSecretKey)
    );
    assert_eq!(code(auth("mt_boom").await).as_str(), "unexpected-error");

    // No client configured for machine tokens.
    let s = authenticate_request(
        &req(Some("Bearer ak_good"), None),
        &offline().accepts_any_token(),
    )
    .await;
    assert_eq!(
        signed_out(&s),
        SignedOutReason::Machine(MachineErrorCode::InvalidSecretKey)
    );
}

#[tokio::test]
async fn auth_request_jwt_machine_tokens_verified_offline() {
    let key = TestKey::a();
    let now = now_s();
    let o = offline().accepts_any_token();
    let m2m = key.sign(
        &json!({"alg": "RS256", "kid": key.kid, "typ": "JWT", "cat": "cl_B7d4PD333AAA"}),
        &json!({"sub": "mch_1", "exp": now + 60, "iat": now, "jti": "mt_abc", "scopes": ["mch_2"]}),
    );
    let s = authenticate_request(&req(Some(&format!("Bearer {m2m}")), None), &o).await;
    let m = s.auth().and_then(Auth::machine).expect("m2m jwt").clone();
    assert_eq!(
        (m.token_type, m.id.as_deref()),
        (TokenType::M2mToken, Some("mt_abc"))
    );
    assert!(m.has_scope("mch_2"));

    // An M2M JWT of another category is refused.
    let wrong_cat = key.sign(
        &json!({"alg": "RS256", "kid": key.kid, "cat": "cl_B7d4PD111AAA"}),
        &json!({"sub": "mch_1", "exp": now + 60}),
    );
    let s = authenticate_request(&req(Some(&format!("Bearer {wrong_cat}")), None), &o).await;
    assert_eq!(signed_out(&s), SignedOutReason::Token(R::TokenInvalid));

    let oauth = key.sign(
        &json!({"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}),
        &json!({"sub": "user_5", "exp": now + 60, "client_id": "client_7", "scope": "read write"}),
    );
    let s = authenticate_request(&req(Some(&format!("Bearer {oauth}")), None), &o).await;
    let m = s.auth().and_then(Auth::machine).expect("oauth jwt").clone();
    assert_eq!(
        (m.token_type, m.client_id.as_deref()),
        (TokenType::OAuthToken, Some("client_7"))
    );
    assert_eq!(m.scopes, ["read", "write"]);

    // OAuth JWTs need an aud once an audience is configured.
    let aud = AuthenticateOptions::new(
        VerifyOptions::new()
            .jwt_key(PEM_A)
            .unwrap()
            .audience(["api"]),
    )
    .accepts_any_token();
    let s = authenticate_request(&req(Some(&format!("Bearer {oauth}")), None), &aud).await;
    assert_eq!(
        signed_out(&s),
        SignedOutReason::Token(R::TokenVerificationFailed)
    );

    // A session-only route refuses both.
    let s = authenticate_request(&req(Some(&format!("Bearer {m2m}")), None), &offline()).await;
    assert_eq!(signed_out(&s), SignedOutReason::TokenTypeMismatch);

    // Machine JWTs are not accepted from the session cookie.
    let s = authenticate_request(&req(None, Some(&format!("__session={m2m}"))), &o).await;
    assert_eq!(signed_out(&s), SignedOutReason::TokenTypeMismatch);
}
