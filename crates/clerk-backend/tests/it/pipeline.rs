//! The request pipeline against a local mock server: path and query encoding, headers, JSON
//! bodies (incl. PATCH tri-state), empty and text responses, validation before I/O, client
//! configuration from the environment, and key hygiene.

use clerk_backend::api::organization_domains::ListAllOrganizationDomainsEnrollmentModeItem;
use clerk_backend::{Clerk, ClerkBuilder, Error, RetryConfig};
use http::{HeaderName, HeaderValue};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::wire::{self, KEY, fixture_text, only_request, requests};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Answer every request with `status` and an empty JSON list / object as fits.
async fn answer_everything(server: &MockServer, status: u16) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status))
        .mount(server)
        .await;
}

async fn answer_with_users(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(server)
        .await;
}

async fn answer_with_no_domains(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/organization_domains"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [], "total_count": 0})),
        )
        .mount(server)
        .await;
}

fn invalid_message(err: &Error) -> &str {
    match err {
        Error::InvalidRequest(m) => m,
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Paths

#[tokio::test]
async fn path_params_with_reserved_characters_are_one_encoded_segment() {
    let server = wire::server().await;
    answer_everything(&server, 404).await;
    let clerk = wire::client(&server);
    let _ = clerk.users().get("a/b?c#d e%f+g✓").send().await;
    let req = only_request(&server).await;
    assert_eq!(req.url.path(), "/users/a%2Fb%3Fc%23d%20e%25f+g%E2%9C%93");
    assert_eq!(req.url.query(), None, "`?` must not start a query");
    assert_eq!(req.url.fragment(), None);
    let segments: Vec<&str> = req.url.path_segments().unwrap().collect();
    assert_eq!(segments.len(), 2, "{segments:?}");
    let decoded = percent_encoding::percent_decode_str(segments[1])
        .decode_utf8()
        .unwrap();
    assert_eq!(decoded, "a/b?c#d e%f+g✓");
}

#[tokio::test]
async fn two_path_params_are_encoded_independently() {
    let server = wire::server().await;
    answer_everything(&server, 404).await;
    let clerk = wire::client(&server);
    let _ = clerk
        .users()
        .get_oauth_access_token("user 1", "oauth/google")
        .send()
        .await;
    let req = only_request(&server).await;
    assert_eq!(
        req.url.path(),
        "/users/user%201/oauth_access_tokens/oauth%2Fgoogle"
    );
}

#[tokio::test]
async fn empty_or_dot_path_params_fail_before_any_io() {
    let server = wire::server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk.users().get("").send().await.unwrap_err();
    let msg = invalid_message(&err);
    assert!(msg.contains("`user_id`"), "{msg}");
    assert!(msg.contains("empty"), "{msg}");
    for dots in [".", ".."] {
        let err = clerk.users().delete(dots).send().await.unwrap_err();
        assert!(invalid_message(&err).contains("`user_id`"), "{err}");
    }
    assert!(requests(&server).await.is_empty());
}

// ---------------------------------------------------------------------------------------
// Query strings

#[tokio::test]
async fn query_arrays_are_exploded() {
    let server = wire::server().await;
    answer_with_users(&server).await;
    let clerk = wire::client(&server);
    let users = clerk
        .users()
        .list()
        .email_address(["a@b.co", "c@d.co"])
        .user_id(["user_1"])
        .limit(10)
        .banned(false)
        .send()
        .await
        .unwrap();
    assert!(users.is_empty());
    let req = only_request(&server).await;
    assert_eq!(
        req.url.query(),
        Some("email_address=a@b.co&email_address=c@d.co&user_id=user_1&banned=false&limit=10")
    );
}

#[tokio::test]
async fn explode_false_arrays_are_joined_with_commas() {
    let server = wire::server().await;
    answer_with_no_domains(&server).await;
    let clerk = wire::client(&server);
    let page = clerk
        .organization_domains()
        .list_all()
        .enrollment_mode([
            ListAllOrganizationDomainsEnrollmentModeItem::ManualInvitation,
            ListAllOrganizationDomainsEnrollmentModeItem::AutomaticSuggestion,
            ListAllOrganizationDomainsEnrollmentModeItem::NotEnterpriseSso,
        ])
        .domains(["a.example", "b.example"])
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count, 0);
    let req = only_request(&server).await;
    assert_eq!(
        req.url.query(),
        Some(
            "enrollment_mode=manual_invitation,automatic_suggestion,-enterprise_sso\
             &domains=a.example&domains=b.example"
        )
    );
}

#[tokio::test]
async fn true_false_query_parameters_are_booleans() {
    let server = wire::server().await;
    answer_with_no_domains(&server).await;
    let clerk = wire::client(&server);
    clerk
        .organization_domains()
        .list_all()
        .verified(false)
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.url.query(), Some("verified=false"));
}

#[tokio::test]
async fn query_values_with_reserved_characters_are_percent_encoded() {
    let server = wire::server().await;
    answer_with_users(&server).await;
    let clerk = wire::client(&server);
    clerk
        .users()
        .list()
        .email_address(["x+y@ex.co", "a&b=c"])
        .query("ada + grace & co = 100% ✓")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        req.url.query(),
        Some(
            "email_address=x%2By@ex.co&email_address=a%26b%3Dc\
             &query=ada%20%2B%20grace%20%26%20co%20%3D%20100%25%20%E2%9C%93"
        )
    );
    // A form decoder (which reads `+` as space) gets the values back exactly.
    let pairs: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [
            ("email_address".to_owned(), "x+y@ex.co".to_owned()),
            ("email_address".to_owned(), "a&b=c".to_owned()),
            ("query".to_owned(), "ada + grace & co = 100% ✓".to_owned()),
        ]
    );
}

#[tokio::test]
async fn order_by_sign_is_not_turned_into_a_space() {
    // Clerk orders with `+field` / `-field`; a raw `+` would reach the server as a space.
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("order_by", "+created_at"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    clerk
        .users()
        .list()
        .order_by("+created_at")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.url.query(), Some("order_by=%2Bcreated_at"));
}

// ---------------------------------------------------------------------------------------
// Headers

#[tokio::test]
async fn default_headers_are_sent() {
    let server = wire::server().await;
    answer_with_users(&server).await;
    let clerk = wire::client(&server);
    clerk.users().list().send().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        wire::header(&req, "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(wire::header(&req, "clerk-api-version"), Some("2026-05-12"));
    assert_eq!(
        wire::header(&req, "user-agent"),
        Some(format!("clerk-backend-rust/{VERSION}").as_str())
    );
    assert_eq!(
        wire::header(&req, "x-clerk-sdk"),
        Some(format!("rust/{VERSION}").as_str())
    );
    assert_eq!(req.headers.get_all("authorization").iter().count(), 1);
    assert_eq!(req.headers.get("content-type"), None, "a GET has no body");
}

#[tokio::test]
async fn api_version_and_user_agent_are_configurable() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(header("clerk-api-version", "2025-11-10"))
        .and(header("user-agent", "my-app/1.2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = Clerk::builder()
        .secret_key(KEY)
        .server_url(format!("{}/", server.uri()))
        .api_version("2025-11-10")
        .user_agent("my-app/1.2")
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    clerk.users().list().send().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.headers.get_all("clerk-api-version").iter().count(), 1);
    // The trailing slash of the server URL does not double up.
    assert_eq!(req.url.path(), "/users");
}

#[tokio::test]
async fn per_call_headers_are_added_and_replace_defaults() {
    let server = wire::server().await;
    answer_with_users(&server).await;
    let clerk = wire::client(&server);
    clerk
        .users()
        .list()
        .with_header(
            HeaderName::from_static("x-request-id"),
            HeaderValue::from_static("req-123"),
        )
        .with_header(
            HeaderName::from_static("clerk-api-version"),
            HeaderValue::from_static("2025-04-10"),
        )
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(wire::header(&req, "x-request-id"), Some("req-123"));
    let versions: Vec<&HeaderValue> = req.headers.get_all("clerk-api-version").iter().collect();
    assert_eq!(versions, [&HeaderValue::from_static("2025-04-10")]);
    // Other defaults stay.
    assert_eq!(
        wire::header(&req, "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

// ---------------------------------------------------------------------------------------
// Bodies

#[tokio::test]
async fn create_user_sends_exactly_the_fields_set() {
    let server = wire::server().await;
    Mock::given(method("POST"))
        .and(path("/users"))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"email_address": ["a@b.co"], "first_name": "Ada"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture_text("user_full.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let user = clerk
        .users()
        .create()
        .email_address(["a@b.co"])
        .first_name("Ada")
        .send()
        .await
        .unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Ada"));
    let req = only_request(&server).await;
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        json!({"email_address": ["a@b.co"], "first_name": "Ada"})
    );
}

#[tokio::test]
async fn patch_sends_null_for_cleared_fields_and_omits_unset_ones() {
    let server = wire::server().await;
    Mock::given(method("PATCH"))
        .and(path("/users/u"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture_text("user_full.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    clerk
        .users()
        .update("u")
        .first_name("Ada")
        .clear_last_name()
        .clear_primary_phone_number_id()
        .send()
        .await
        .unwrap();
    clerk.users().update("u").send().await.unwrap();
    // Setting after clearing wins, and vice versa.
    clerk
        .users()
        .update("u")
        .clear_username()
        .username("ada")
        .locale("en-GB")
        .clear_locale()
        .send()
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 3);
    let bodies: Vec<serde_json::Value> = reqs
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        bodies[0],
        json!({"first_name": "Ada", "last_name": null, "primary_phone_number_id": null})
    );
    assert_eq!(bodies[1], json!({}));
    assert_eq!(bodies[2], json!({"username": "ada", "locale": null}));
}

#[tokio::test]
async fn operation_returning_unit_accepts_204_and_202() {
    let server = wire::server().await;
    Mock::given(method("DELETE"))
        .and(path("/webhooks/svix"))
        .respond_with(ResponseTemplate::new(204))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/webhooks/svix"))
        .respond_with(ResponseTemplate::new(202).set_body_raw("accepted", "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let first = clerk.webhooks().delete_svix_app().send().await;
    assert!(matches!(first, Ok(())), "204: {first:?}");
    let second = clerk.webhooks().delete_svix_app().send().await;
    assert!(matches!(second, Ok(())), "202: {second:?}");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn interstitial_returns_the_html_as_a_string_without_auth() {
    let html = "<!DOCTYPE html><html><head><script src=\"https://clerk.example.com/npm/@clerk/clerk-js@5/dist/clerk.browser.js\"></script></head><body></body></html>";
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/public/interstitial"))
        .and(query_param("frontend_api", "clerk.example.com"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html, "text/html"))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let page: String = clerk
        .miscellaneous()
        .get_public_interstitial()
        .frontend_api("clerk.example.com")
        .publishable_key("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k")
        .send()
        .await
        .unwrap();
    assert_eq!(page, html);
    let req = only_request(&server).await;
    // `frontend_api()` sets the current parameter, not the deprecated `frontendApi`.
    assert_eq!(
        req.url.query(),
        Some("frontend_api=clerk.example.com&publishable_key=pk_test_Y2xlcmsuZXhhbXBsZS5jb20k")
    );
    // The operation has `security: []`: the secret key is not sent.
    assert_eq!(req.headers.get("authorization"), None);
}

#[tokio::test]
async fn the_deprecated_interstitial_parameter_keeps_its_wire_name() {
    let server = wire::server().await;
    answer_everything(&server, 200).await;
    let clerk = wire::client(&server);
    let page = clerk
        .miscellaneous()
        .get_public_interstitial()
        .frontend_api_deprecated("old.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(page, "");
    let req = only_request(&server).await;
    assert_eq!(req.url.query(), Some("frontendApi=old.example.com"));
}

#[tokio::test]
async fn text_response_that_is_not_utf8_is_a_decode_error() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/public/interstitial"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(&b"<html>\xff\xfe</html>"[..], "text/html"),
        )
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk
        .miscellaneous()
        .get_public_interstitial()
        .send()
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!(d.target, "String");
    assert!(d.message.contains("utf-8"), "{}", d.message);
    assert_eq!(&d.body[..], b"<html>\xff\xfe</html>");
}

#[tokio::test]
async fn a_server_url_with_a_path_prefix_keeps_it() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/proxy/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = Clerk::builder()
        .secret_key(KEY)
        .server_url(format!("{}/proxy/v1/", server.uri()))
        .build()
        .unwrap();
    assert_eq!(clerk.server_url(), format!("{}/proxy/v1", server.uri()));
    clerk.users().list().send().await.unwrap();
}

#[tokio::test]
async fn missing_required_body_field_fails_before_any_io() {
    let server = wire::server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk
        .invitations()
        .create()
        .notify(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        invalid_message(&err),
        "invitations.create: required field `email_address` is not set"
    );
    let err = clerk
        .allowlist_identifiers()
        .create()
        .send()
        .await
        .unwrap_err();
    assert!(invalid_message(&err).contains("`identifier`"), "{err}");
    assert!(requests(&server).await.is_empty());
}

// ---------------------------------------------------------------------------------------
// Client configuration and key hygiene

#[tokio::test]
async fn client_without_a_key_refuses_authenticated_operations_before_any_io() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/public/interstitial"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html></html>", "text/html"))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = Clerk::builder()
        .server_url(server.uri())
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    assert!(clerk.secret_key().is_none());
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    let msg = invalid_message(&err);
    assert!(msg.contains("no secret key"), "{msg}");
    assert!(msg.contains("CLERK_SECRET_KEY"), "{msg}");
    // Unauthenticated operations still work.
    let page = clerk
        .miscellaneous()
        .get_public_interstitial()
        .send()
        .await
        .unwrap();
    assert_eq!(page, "<html></html>");
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].url.path(), "/public/interstitial");
}

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[tokio::test]
async fn from_env_reads_key_url_and_version() {
    let server = wire::server().await;
    answer_with_users(&server).await;
    let url = server.uri();
    let clerk = ClerkBuilder::from_lookup(env(&[
        ("CLERK_SECRET_KEY", "sk_test_fromenv"),
        ("CLERK_BEARER_AUTH", "sk_test_bearer_loses"),
        ("CLERK_API_URL", &url),
        ("CLERK_API_VERSION", "2025-04-10"),
    ]))
    .unwrap()
    .retry(RetryConfig::none())
    .build()
    .unwrap();
    assert_eq!(clerk.server_url(), url);
    assert_eq!(clerk.secret_key().unwrap().expose(), "sk_test_fromenv");
    clerk.users().list().send().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        wire::header(&req, "authorization"),
        Some("Bearer sk_test_fromenv")
    );
    assert_eq!(wire::header(&req, "clerk-api-version"), Some("2025-04-10"));
}

#[test]
fn from_env_falls_back_to_bearer_auth_and_the_default_url() {
    let clerk = ClerkBuilder::from_lookup(env(&[
        ("CLERK_SECRET_KEY", "   "),
        ("CLERK_BEARER_AUTH", "sk_live_bearer"),
        ("CLERK_API_URL", ""),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(clerk.secret_key().unwrap().expose(), "sk_live_bearer");
    assert_eq!(clerk.server_url(), "https://api.clerk.com/v1");
}

#[test]
fn from_env_without_a_key_says_which_variables_to_set() {
    let err =
        ClerkBuilder::from_lookup(env(&[("CLERK_API_URL", "http://127.0.0.1:1")])).unwrap_err();
    assert_eq!(
        invalid_message(&err),
        "no secret key: set CLERK_SECRET_KEY (or CLERK_BEARER_AUTH)"
    );
}

#[test]
fn from_env_with_a_bad_url_is_rejected() {
    let err = ClerkBuilder::from_lookup(env(&[
        ("CLERK_SECRET_KEY", "sk_test_x"),
        ("CLERK_API_URL", "api.clerk.com/v1"),
    ]))
    .unwrap()
    .build()
    .unwrap_err();
    assert!(
        invalid_message(&err).contains("invalid server URL"),
        "{err}"
    );
}

/// Runs in a child process with a prepared environment (see the next test); a no-op otherwise.
#[test]
#[ignore = "run by from_env_reads_the_process_environment in a child process"]
fn from_env_child() {
    if std::env::var_os("CLERK_BACKEND_TEST_CHILD").is_none() {
        return;
    }
    let clerk = Clerk::from_env().expect("from_env");
    assert_eq!(clerk.server_url(), "http://127.0.0.1:9/v1");
    assert_eq!(
        clerk.secret_key().unwrap().expose(),
        "sk_test_child_process"
    );
    assert!(!format!("{clerk:?}").contains("child_process"));
    println!("CHILD-OK");
}

#[test]
fn from_env_reads_the_process_environment() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "pipeline::from_env_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CLERK_BACKEND_TEST_CHILD", "1")
        .env_remove("CLERK_BEARER_AUTH")
        .env("CLERK_SECRET_KEY", "sk_test_child_process")
        .env("CLERK_API_URL", "http://127.0.0.1:9/v1/")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("CHILD-OK") && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn malformed_keys_are_rejected_without_echoing_them() {
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        ("   \t", "empty"),
        ("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k", "start with `sk_`"),
        ("Bearer sk_test_abcdef123456", "start with `sk_`"),
        ("sk_test_abc def123456", "whitespace"),
        ("sk_test_abc\ndef123456", "whitespace"),
        ("sk_test_abcdéf123456", "non-ASCII"),
    ];
    for (key, why) in cases {
        let err = Clerk::builder().secret_key(*key).build().unwrap_err();
        let msg = invalid_message(&err).to_owned();
        assert!(msg.contains(why), "{key:?}: {msg}");
        let shown = format!("{err} {err:?}");
        for secret_part in ["Y2xlcmsuZXhhbXBsZS5jb20k", "abcdef123456", "def123456"] {
            assert!(!shown.contains(secret_part), "{key:?} leaked: {shown}");
        }
    }
}

#[tokio::test]
async fn surrounding_whitespace_of_a_key_is_trimmed() {
    let server = wire::server().await;
    answer_with_users(&server).await;
    let clerk = Clerk::builder()
        .secret_key(format!("  {KEY}\n"))
        .server_url(server.uri())
        .build()
        .unwrap();
    clerk.users().list().send().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        wire::header(&req, "authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[test]
fn debug_output_never_contains_the_key() {
    let secret_part = &KEY["sk_test_".len()..];
    let builder = Clerk::builder()
        .secret_key(KEY)
        .server_url("http://127.0.0.1:9");
    for shown in [format!("{builder:?}"), format!("{builder:#?}")] {
        assert!(!shown.contains(secret_part), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
    let clerk = builder.build().unwrap();
    for shown in [
        format!("{clerk:?}"),
        format!("{clerk:#?}"),
        format!("{:?}", clerk.secret_key().unwrap()),
    ] {
        assert!(!shown.contains(secret_part), "{shown}");
        assert!(shown.contains("sk_test_…"), "{shown}");
    }
    let live = Clerk::builder()
        .secret_key("sk_live_0123456789")
        .build()
        .unwrap();
    let shown = format!("{live:?}");
    assert!(
        shown.contains("sk_live_…") && !shown.contains("0123456789"),
        "{shown}"
    );
}

#[tokio::test]
async fn standalone_request_form() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("limit", "10"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("[{}]", fixture_text("user_full.json")),
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let users = clerk_backend::api::users::ListUsers::new()
        .limit(10)
        .send(&clerk)
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].last_name.as_deref(), Some("Lovelace"));
    let user = clerk_backend::api::users::GetUser::new("user_1")
        .send(&clerk)
        .await
        .unwrap_err();
    assert_eq!(user.status().map(|s| s.as_u16()), Some(404));
}

#[test]
fn server_urls_that_would_misroute_are_refused() {
    for (url, why) in [
        ("https://api.clerk.test/v1#x", "fragment"),
        ("https://api.clerk.test/v1/../admin", "`..`"),
        ("https://api.clerk.test/v1/%2E%2E/admin", "`..`"),
        ("https://api.clerk.test/./v1", "`..`"),
        ("https://api.clerk.test/v1?x=1", "query"),
        ("https://user:pw@api.clerk.test/v1", "user info"),
        ("ftp://api.clerk.test/v1", "http(s)"),
    ] {
        let err = Clerk::builder()
            .secret_key(KEY)
            .server_url(url)
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains(why)),
            "{url}: {err}"
        );
    }
    let long = format!("https://api.clerk.test/{}", "a".repeat(40_000));
    let err = Clerk::builder()
        .secret_key(KEY)
        .server_url(long)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("the limit is 32767"), "{err}");
    // fine
    Clerk::builder()
        .secret_key(KEY)
        .server_url("http://127.0.0.1:8080/v1/")
        .build()
        .unwrap();
}

#[tokio::test]
async fn a_url_over_the_limit_names_the_limit_and_its_length() {
    let clerk = Clerk::builder()
        .secret_key(KEY)
        .server_url("http://127.0.0.1:9/v1")
        .build()
        .unwrap();
    let ids: Vec<String> = (0..5000).map(|i| format!("user_{i:020}")).collect();
    let err = clerk.users().list().user_id(ids).send().await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(msg.contains("users.list") && msg.contains("65534"), "{msg}");
    assert!(msg.contains("bytes, over the limit"), "{msg}");
}

#[tokio::test]
async fn with_header_takes_strings_and_refuses_bad_ones_by_name() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .and(header("prefer", "return=minimal"))
        .and(header("x-tag", "a"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = Clerk::builder()
        .secret_key(KEY)
        .server_url(format!("{}/v1", server.uri()))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    clerk
        .users()
        .list()
        .with_header("Prefer", "return=minimal")
        .with_header(String::from("x-tag"), HeaderValue::from_static("a"))
        .send()
        .await
        .unwrap();
    let err = clerk
        .users()
        .list()
        .with_header("x-note", "line\r\nbreak-secretvalue")
        .send()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(
        msg.contains("x-note") && !msg.contains("secretvalue"),
        "{msg}"
    );
    let err = clerk
        .users()
        .list()
        .with_header(HeaderName::from_static("x-ok"), "v")
        .with_header("bad header", "v")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("\"bad header\""), "{err}");
    assert_eq!(
        requests(&server).await.len(),
        1,
        "invalid headers were sent"
    );
}
