//! The axum layer and extractors.
#![cfg(feature = "axum")]

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use clerk_backend::auth::{Auth, AuthenticateOptions, VerifyOptions};
use clerk_backend::axum::{ClerkLayer, VerifiedWebhook};
use clerk_backend::webhooks::Webhook;
use http::{Request, StatusCode};
use tower::ServiceExt as _;

use crate::auth_common::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn app() -> Router {
    async fn me(auth: Auth) -> String {
        auth.subject().to_owned()
    }
    async fn maybe(auth: Option<Auth>) -> String {
        auth.map_or_else(|| "anonymous".to_owned(), |a| a.subject().to_owned())
    }
    async fn hook(VerifiedWebhook(event): VerifiedWebhook) -> String {
        event.event_type().to_owned()
    }
    let options = AuthenticateOptions::new(
        VerifyOptions::new()
            .jwt_key(PEM_A)
            .unwrap()
            .authorized_parties([AZP, "https://internal-admin.example.com"]),
    );
    let hooks = Router::new()
        .route("/webhooks", post(hook))
        .with_state(Webhook::new(SECRET).unwrap());
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .layer(ClerkLayer::new(options))
        .merge(hooks)
}

async fn send(req: Request<Body>) -> (StatusCode, String) {
    let res = app().oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn get_with(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn axum_auth_extractor_signed_in_and_out() {
    let t = TestKey::a().token(&session_claims(now_s()));
    assert_eq!(
        send(get_with("/me", Some(&t))).await,
        (StatusCode::OK, "user_2RfWKJREkjKbHZy0Wqa5qrHeAnb".into())
    );

    let (status, body) = send(get_with("/me", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"], "unauthenticated");
    assert_eq!(json["reason"], "session-token-and-uat-missing");

    let expired =
        TestKey::a().token(&serde_json::json!({"sub": "user_1", "azp": AZP, "exp": now_s() - 100}));
    let (status, body) = send(get_with("/me", Some(&expired))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("\"reason\":\"token-expired\""), "{body}");
    assert!(!body.contains(&expired), "the token is not echoed");

    // A wrong azp: the 401 names the reason only, never the configured authorized parties.
    let claims = serde_json::json!({"sub": "user_1", "azp": "https://evil.example.com", "exp": now_s() + 60});
    let (status, body) = send(get_with("/me", Some(&TestKey::a().token(&claims)))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"error": "unauthenticated", "reason": "token-invalid-authorized-parties"})
    );
    assert!(!body.contains("internal-admin"), "{body}");
}

#[tokio::test]
async fn axum_optional_auth() {
    let t = TestKey::a().token(&session_claims(now_s()));
    assert_eq!(
        send(get_with("/maybe", Some(&t))).await.1,
        "user_2RfWKJREkjKbHZy0Wqa5qrHeAnb"
    );
    assert_eq!(
        send(get_with("/maybe", Some("garbage"))).await,
        (StatusCode::OK, "anonymous".into())
    );
}

#[tokio::test]
async fn axum_verified_webhook_extractor() {
    let body = br#"{"type":"session.ended","object":"event","data":{"id":"sess_1"},"timestamp":1}"#;
    let w = Webhook::new(SECRET).unwrap();
    let ts = now_s();
    let req = |sig: String| {
        Request::builder()
            .method("POST")
            .uri("/webhooks")
            .header("svix-id", "msg_1")
            .header("svix-timestamp", ts.to_string())
            .header("svix-signature", sig)
            .body(Body::from(&body[..]))
            .unwrap()
    };
    assert_eq!(
        send(req(w.sign("msg_1", ts, body))).await,
        (StatusCode::OK, "session.ended".into())
    );
    let (status, text) = send(req(w.sign("msg_2", ts, body))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("invalid_webhook"), "{text}");
}
