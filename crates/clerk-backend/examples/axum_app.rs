//! A small axum app protected by Clerk.
//!
//! ```sh
//! export CLERK_SECRET_KEY=sk_test_…           # or CLERK_JWT_KEY="-----BEGIN PUBLIC KEY-----…" (networkless)
//! export CLERK_WEBHOOK_SIGNING_SECRET=whsec_… # optional
//! export CLERK_AUTHORIZED_PARTIES=http://localhost:3000   # optional, comma-separated
//! cargo run -p clerk-backend --example axum_app --features axum
//!
//! curl localhost:3000/                                   # public
//! curl localhost:3000/me -H "Authorization: Bearer $TOKEN"  # 401 JSON without a valid token
//! curl localhost:3000/whoami                             # Option<Auth>
//! ```
//!
//! Routes:
//! - `GET /` — public.
//! - `GET /me` — requires a session token (401 with `{"error","reason","message"}` otherwise).
//! - `GET /whoami` — works signed in or out.
//! - `GET /machine` — accepts session tokens, API keys, M2M and OAuth tokens.
//! - `POST /webhooks/clerk` — verified Clerk webhooks.

use std::net::SocketAddr;

use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::{Json, Router};
use clerk_backend::auth::{Auth, AuthenticateOptions, VerifyOptions};
use clerk_backend::axum::{ClerkLayer, VerifiedWebhook};
use clerk_backend::webhooks::{Webhook, WebhookEvent};
use serde_json::{Value, json};

#[derive(Clone)]
struct AppState {
    webhook: Webhook,
}

impl FromRef<AppState> for Webhook {
    fn from_ref(state: &AppState) -> Webhook {
        state.webhook.clone()
    }
}

async fn index() -> &'static str {
    "public: try /me, /whoami, /machine\n"
}

async fn me(auth: Auth) -> Json<Value> {
    let session = auth
        .session()
        .expect("this route accepts session tokens only");
    Json(json!({
        "user_id": session.sub,
        "session_id": session.sid,
        "organization": session.organization,
    }))
}

async fn whoami(auth: Option<Auth>) -> Json<Value> {
    Json(match auth {
        Some(a) => json!({"signed_in": true, "subject": a.subject(), "token_type": a.token_type()}),
        None => json!({"signed_in": false}),
    })
}

async fn machine(auth: Auth) -> Json<Value> {
    Json(serde_json::to_value(&auth).unwrap_or(Value::Null))
}

async fn webhook(VerifiedWebhook(event): VerifiedWebhook) -> &'static str {
    match &event {
        WebhookEvent::UserCreated(e) => println!("user created: {:?}", e.data.id),
        WebhookEvent::SessionEnded(e) => println!("session ended: {:?}", e.data.id),
        other => println!("webhook {} (ignored)", other.event_type()),
    }
    "ok"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // CLERK_JWT_KEY (networkless) if set, else the instance JWKS via CLERK_SECRET_KEY.
    let mut verify = VerifyOptions::from_env()?.token_cache(10_000);
    if let Ok(parties) = std::env::var("CLERK_AUTHORIZED_PARTIES") {
        verify =
            verify.authorized_parties(parties.split(',').map(str::trim).filter(|p| !p.is_empty()));
    }
    let clerk = clerk_backend::Clerk::from_env().ok();

    let sessions = AuthenticateOptions::new(verify.clone());
    let mut machines = AuthenticateOptions::new(verify).accepts_any_token();
    if let Some(c) = &clerk {
        machines = machines.clerk(c);
    }
    let secret = std::env::var("CLERK_WEBHOOK_SIGNING_SECRET")
        .unwrap_or_else(|_| "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned());
    let state = AppState {
        webhook: Webhook::new(&secret)?,
    };

    let app = Router::new()
        .route("/me", get(me))
        .route("/whoami", get(whoami))
        .layer(ClerkLayer::new(sessions))
        .merge(
            Router::new()
                .route("/machine", get(machine))
                .layer(ClerkLayer::new(machines)),
        )
        .route("/", get(index))
        .route("/webhooks/clerk", post(webhook))
        .with_state(state);

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
