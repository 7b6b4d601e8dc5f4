//! axum / tower integration (feature `axum`).
//!
//! - [`ClerkLayer`] authenticates each request once ([`authenticate_request`]) and stores the
//!   [`RequestState`] in the request's extensions.
//! - [`Auth`] is an extractor: signed-out requests get `401` with a JSON body naming the
//!   reason only (the detail, which may name configured authorized parties, is for your logs:
//!   [`AuthRejection::SignedOut`] carries it). `Option<Auth>` never rejects (`None` when signed out). [`RequestState`] is an
//!   extractor too.
//! - [`VerifiedWebhook`] verifies a webhook's signature before the handler runs (`400`
//!   otherwise); the [`Webhook`] comes from the router state through `FromRef`.
//!
//! ```
//! use axum::{Router, routing::get};
//! use clerk_backend::auth::{Auth, AuthenticateOptions, VerifyOptions};
//! use clerk_backend::axum::ClerkLayer;
//!
//! async fn me(auth: Auth) -> String {
//!     format!("hello {}", auth.subject())
//! }
//!
//! # fn app(pem: &str) -> Result<Router, clerk_backend::auth::VerifyError> {
//! let options = AuthenticateOptions::new(VerifyOptions::new().jwt_key(pem)?);
//! let app: Router = Router::new().route("/me", get(me)).layer(ClerkLayer::new(options));
//! # Ok(app) }
//! ```
//!
//! [`authenticate_request`]: crate::auth::authenticate_request

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::extract::{
    FromRef, FromRequest, FromRequestParts, OptionalFromRequestParts, Request,
};
use axum_core::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};

use crate::auth::{Auth, AuthenticateOptions, RequestState, SignedOut, authenticate_headers};
use crate::webhooks::{Webhook, WebhookError, WebhookEvent};

/// A tower layer that authenticates every request (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct ClerkLayer {
    options: Arc<AuthenticateOptions>,
}

impl ClerkLayer {
    /// Authenticate with these options.
    #[must_use]
    pub fn new(options: AuthenticateOptions) -> Self {
        ClerkLayer {
            options: Arc::new(options),
        }
    }
}

impl<S> tower_layer::Layer<S> for ClerkLayer {
    type Service = ClerkService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ClerkService {
            inner,
            options: self.options.clone(),
        }
    }
}

/// The service [`ClerkLayer`] wraps around yours.
#[derive(Debug, Clone)]
pub struct ClerkService<S> {
    inner: S,
    options: Arc<AuthenticateOptions>,
}

impl<S, B> tower_service::Service<http::Request<B>> for ClerkService<S>
where
    S: tower_service::Service<http::Request<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        // The clone is not ready; keep the ready one for this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let options = self.options.clone();
        Box::pin(async move {
            let state = authenticate_headers(req.headers(), &options).await;
            req.extensions_mut().insert(state);
            inner.call(req).await
        })
    }
}

/// Why the [`Auth`] extractor rejected a request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthRejection {
    /// The request is signed out: `401` with `{"error": "unauthenticated", "reason": …}`.
    SignedOut(SignedOut),
    /// [`ClerkLayer`] is not installed on this route: `500`.
    MissingLayer,
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut res = Response::new(Body::from(body.to_string()));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::SignedOut(out) => {
                let mut res = json_response(
                    StatusCode::UNAUTHORIZED,
                    &serde_json::json!({
                        "error": "unauthenticated",
                        "reason": out.reason.as_str(),
                    }),
                );
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                res
            }
            AuthRejection::MissingLayer => json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &serde_json::json!({
                    "error": "clerk_layer_missing",
                    "message": "the Auth extractor needs clerk_backend::axum::ClerkLayer on the route",
                }),
            ),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestState {
    type Rejection = AuthRejection;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestState>()
            .cloned()
            .ok_or(AuthRejection::MissingLayer)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AuthRejection;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<RequestState>() {
            Some(RequestState::SignedIn(a)) => Ok(a.clone()),
            Some(RequestState::SignedOut(o)) => Err(AuthRejection::SignedOut(o.clone())),
            None => Err(AuthRejection::MissingLayer),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Auth {
    type Rejection = AuthRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match parts.extensions.get::<RequestState>() {
            Some(RequestState::SignedIn(a)) => Ok(Some(a.clone())),
            Some(RequestState::SignedOut(_)) => Ok(None),
            None => Err(AuthRejection::MissingLayer),
        }
    }
}

/// A webhook whose signature was verified before the handler ran.
///
/// The [`Webhook`] verifier comes from the router state (`Webhook: FromRef<S>`).
///
/// ```
/// use axum::{Router, routing::post};
/// use clerk_backend::axum::VerifiedWebhook;
/// use clerk_backend::webhooks::Webhook;
///
/// async fn on_event(VerifiedWebhook(event): VerifiedWebhook) {
///     println!("received {}", event.event_type());
/// }
///
/// # fn app() -> Result<Router, clerk_backend::webhooks::WebhookError> {
/// let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let app = Router::new().route("/webhooks/clerk", post(on_event)).with_state(webhook);
/// # Ok(app) }
/// ```
#[derive(Debug, Clone)]
pub struct VerifiedWebhook(pub WebhookEvent);

/// Why [`VerifiedWebhook`] rejected a request: `400` with `{"error": "invalid_webhook", …}`
/// (or the body extractor's own rejection).
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// Verification or decoding failed.
    Invalid(WebhookError),
    /// The body could not be read.
    Body(Response),
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        match self {
            WebhookRejection::Invalid(e) => json_response(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({"error": "invalid_webhook", "message": e.to_string()}),
            ),
            WebhookRejection::Body(r) => r,
        }
    }
}

impl<S> FromRequest<S> for VerifiedWebhook
where
    S: Send + Sync,
    Webhook: FromRef<S>,
{
    type Rejection = WebhookRejection;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let webhook = Webhook::from_ref(state);
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| WebhookRejection::Body(e.into_response()))?;
        webhook
            .verify(&headers, &body)
            .map(VerifiedWebhook)
            .map_err(WebhookRejection::Invalid)
    }
}
