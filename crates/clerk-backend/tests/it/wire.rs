//! Shared helpers for the wiremock-based tests: a client pointed at a local mock server,
//! fixtures, and the requests the server saw.

use std::path::PathBuf;

use clerk_backend::{Clerk, RetryConfig};
use wiremock::{MockServer, Request};

/// The secret key every test client uses; tests assert it never leaks into messages.
pub const KEY: &str = "sk_test_wIrEmOcK0123456789abcdef";

/// A mock server on 127.0.0.1 (random port).
pub async fn server() -> MockServer {
    MockServer::start().await
}

/// A client for `server` with retries off, so error tests see exactly one attempt.
pub fn client(server: &MockServer) -> Clerk {
    Clerk::builder()
        .secret_key(KEY)
        .server_url(server.uri())
        .retry(RetryConfig::none())
        .build()
        .expect("client builds")
}

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture_text(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

pub fn fixture(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture_text(name)).expect("fixture is JSON")
}

/// Every request the server received, in order.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// The one request the server received (panics on zero or several).
pub async fn only_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(
        all.len(),
        1,
        "expected exactly one request, got {}",
        all.len()
    );
    all.remove(0)
}

/// A header of a recorded request as text.
pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// A mock server that answers `GET route` with `response`, and a client for it.
pub async fn answering_get(
    route: &str,
    response: wiremock::ResponseTemplate,
) -> (MockServer, Clerk) {
    let server = server().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(route))
        .respond_with(response)
        .mount(&server)
        .await;
    let clerk = client(&server);
    (server, clerk)
}
