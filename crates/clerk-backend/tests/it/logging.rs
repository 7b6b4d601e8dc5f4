//! Logging and redaction: everything printed during a run with debug logging on — `tracing`
//! events and spans, the debug logger's lines, errors' `Display` and `Debug` — and the `Debug`
//! of every public config type must not contain a secret.

use std::fmt::{Debug, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use clerk_backend::pipeline::{ApiRequest, DebugLogger, RequestOptions};
use clerk_backend::transport::{Body, RawResponse};
use clerk_backend::{ApiError, Clerk, Error, RetryConfig, SecretKey};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use crate::support::*;

const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyX0pXVFBBWUxPQUQifQ.SIGNATUREJWTVALUE";

/// Every secret value the run below sends or receives.
const SECRETS: &[&str] = &[
    SECRET,
    "TOPSECRETvalue",
    "SESSIONTOKENVALUE",
    "CLIENTSECRETVALUE",
    "eyJzdWIiOiJ1c2VyX0pXVFBBWUxPQUQifQ",
    "SIGNATUREJWTVALUE",
    "TICKETVALUE",
    "WEBHOOKSECRETVALUE",
    "PASSWORDVALUE",
    "HOOKTOKENVALUE",
    "COOKIEVALUE",
    "SIGNINGSECRETVALUE",
    "ACTORTOKENVALUE",
];

fn assert_no_secret(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s}:\n{text}");
    }
}

/// A `tracing` subscriber that writes every span and event, with all fields, into a string.
#[derive(Clone, Default)]
pub(crate) struct Capture {
    pub(crate) out: Arc<Mutex<String>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = format!(
            "SPAN {} {}",
            span.metadata().target(),
            span.metadata().name()
        );
        span.record(&mut Fields(&mut line));
        line.push('\n');
        self.out.lock().unwrap().push_str(&line);
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = String::from("RECORD");
        values.record(&mut Fields(&mut line));
        line.push('\n');
        self.out.lock().unwrap().push_str(&line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let m = event.metadata();
        let mut line = format!("EVENT {} {} {}", m.level(), m.target(), m.name());
        event.record(&mut Fields(&mut line));
        line.push('\n');
        self.out.lock().unwrap().push_str(&line);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// The scripted run: failures, retries and successes whose bodies are full of secrets.
async fn run_with_secrets(log: DebugLogger) -> Vec<String> {
    let server = Server::start(|req, i| {
        if req.method == "POST" {
            // echo the secrets back in an error body, as a badly behaved server might
            return json(
                422,
                &format!(
                    r#"{{"errors":[{{"code":"form_param_format_invalid","message":"bad {}"}}],"received":{}}}"#,
                    "sk_test_TOPSECRETvalue0123456789abcdef",
                    req.body_text()
                ),
            );
        }
        match i {
            0 => json(
                503,
                r#"{"errors":[{"code":"unavailable","message":"down"}],"session_token":"SESSIONTOKENVALUE"}"#,
            ),
            1 => Reply::Reset(vec![]),
            2 => Reply::Bytes(response(
                429,
                &[("retry-after", "0"), ("set-cookie", "__session=COOKIEVALUE; Path=/")],
                "",
            )),
            3 => json(
                200,
                &format!(
                    r#"{{"id":"oauth_1","client_secret":"CLIENTSECRETVALUE","jwt":"{JWT}","url":"https://acc.test/sign-in?__clerk_ticket=TICKETVALUE","note":"whsec_WEBHOOKSECRETVALUE","signing_secret":"SIGNINGSECRETVALUE","token":"ACTORTOKENVALUE"}}"#
                ),
            ),
            // a 2xx that does not decode, with secrets in it
            _ => Reply::Bytes(response(
                200,
                &[("content-type", "application/json")],
                r#"{"id":"x","session_token":"SESSIONTOKENVALUE","cut":"#,
            )),
        }
    })
    .await;
    let clerk = builder(&server.url())
        .retry(fast())
        .debug_logger(log)
        .before_request(|_, req| {
            req.headers_mut().insert(
                "x-session-token",
                HeaderValue::from_static("HOOKTOKENVALUE"),
            );
            req.headers_mut()
                .insert("cookie", HeaderValue::from_static("__session=COOKIEVALUE"));
            Ok(())
        })
        .build()
        .unwrap();
    let mut outputs = Vec::new();
    let v = clerk
        .call(get("oauth_1"))
        .await
        .expect("retried to success");
    assert_eq!(v["id"], "oauth_1");
    let err = clerk
        .call(create(json!({
            "email_address": ["ada@example.com"],
            "password": "PASSWORDVALUE",
            "nested": {"client_secret": "CLIENTSECRETVALUE"},
            "note": "key sk_test_TOPSECRETvalue0123456789abcdef",
        })))
        .await
        .unwrap_err();
    outputs.push(err.to_string());
    outputs.push(format!("{err:?}"));
    let err = clerk.call(get("broken")).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    outputs.push(err.to_string());
    outputs.push(format!("{err:?}"));
    if let Error::Decode(d) = &err {
        outputs.push(d.pretty());
    }
    outputs
}

#[tokio::test]
async fn no_secret_in_any_log_output_of_a_run_with_failures_and_retries() {
    let capture = Capture::default();
    let dispatch = tracing::Dispatch::new(capture.clone());
    // Other tests run on other threads with no subscriber. With a single registered dispatcher
    // tracing computes a callsite's interest from the default of whichever thread hits it
    // first, so one first hit elsewhere would be cached as "never". A second registered
    // dispatcher makes interest the combination of all of them, whatever the thread.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::dispatcher::set_default(&dispatch);
    tracing::callsite::rebuild_interest_cache();
    // …and once more, after any registration that was in flight meanwhile has finished.
    tokio::time::sleep(Duration::from_millis(10)).await;
    tracing::callsite::rebuild_interest_cache();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let outputs = run_with_secrets(DebugLogger::new(move |l| {
        sink.lock().unwrap().push(l.to_owned())
    }))
    .await;

    let traced = capture.out.lock().unwrap().clone();
    let debug_lines = lines.lock().unwrap().join("\n");
    assert_no_secret("tracing output", &traced);
    assert_no_secret("debug logger", &debug_lines);
    for o in &outputs {
        assert_no_secret("error output", o);
    }

    // The logs are there and say what happened (so the checks above are not vacuous).
    for expected in [
        "SPAN clerk_backend clerk_backend.call",
        "operation=get",
        "retrying Clerk API call",
        "reason=server error (503)",
        "reason=connection lost",
        "reason=rate limited (429)",
        "status=200",
        "attempt=4",
        "url=http://127.0.0.1",
    ] {
        assert!(
            traced.contains(expected),
            "tracing lacks {expected:?}:\n{traced}"
        );
    }
    for expected in [
        "clerk_backend --> things.get attempt 1: GET http://127.0.0.1",
        "authorization: [redacted]",
        "x-session-token: [redacted]",
        "cookie: [redacted]",
        "set-cookie: [redacted]",
        "clerk_backend <-- things.get attempt 1: 503",
        "retrying in",
        "\"client_secret\":\"[redacted]\"",
        "\"password\":\"[redacted]\"",
        "\"email_address\":[\"ada@example.com\"]",
        "__clerk_ticket=[redacted]",
        "whsec_[redacted]",
        "giving up",
    ] {
        assert!(
            debug_lines.contains(expected),
            "debug log lacks {expected:?}:\n{debug_lines}"
        );
    }
}

#[tokio::test]
async fn debug_logger_truncates_long_bodies() {
    let long = format!(r#"{{"id":"x","data":"{}"}}"#, "a".repeat(10_000));
    let server = Server::start(move |_, _| json(200, &long)).await;
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let clerk = builder(&server.url())
        .debug_logger(
            DebugLogger::new(move |l| sink.lock().unwrap().push(l.to_owned())).max_body_bytes(100),
        )
        .build()
        .unwrap();
    clerk.call(get("x")).await.unwrap();
    let lines = lines.lock().unwrap();
    let response = lines.iter().find(|l| l.contains("<--")).unwrap();
    assert!(response.len() < 1000, "{} bytes", response.len());
    assert!(response.contains("truncated"));
}

/// Run by `clerk_debug_env_prints_redacted_lines_to_stderr` in a child process.
#[tokio::test]
#[ignore = "run as a child process with CLERK_DEBUG=true"]
async fn clerk_debug_env_child() {
    if std::env::var("CLERK_DEBUG_CHILD").is_err() {
        return;
    }
    let server = Server::start(|_, i| if i == 0 { clerk_error(503) } else { ok() }).await;
    let clerk = client(&server, fast());
    clerk.call(get("x")).await.unwrap();
}

#[test]
fn clerk_debug_env_prints_redacted_lines_to_stderr() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "logging::clerk_debug_env_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CLERK_DEBUG", "true")
        .env("CLERK_DEBUG_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(
        stderr.contains("clerk_backend --> things.get attempt 1: GET"),
        "{stderr}"
    );
    assert!(
        stderr.contains("clerk_backend <-- things.get attempt 2: 200 OK"),
        "{stderr}"
    );
    assert!(stderr.contains("authorization: [redacted]"), "{stderr}");
    assert_no_secret("stderr", &stderr);
    assert_no_secret("stdout", &String::from_utf8_lossy(&out.stdout));
}

#[test]
fn debug_of_every_public_config_type_hides_secrets() {
    let mut shown = Vec::new();
    let builder = Clerk::builder()
        .secret_key(SECRET)
        .retry(RetryConfig::default())
        .debug_logger(DebugLogger::new(|_| {}))
        .before_request(|_, _| Ok(()))
        .after_error(|_, _| {});
    shown.push(format!("{builder:?}"));
    let clerk = builder.build().unwrap();
    shown.push(format!("{clerk:?}"));
    shown.push(format!("{:?}", SecretKey::new(SECRET).unwrap()));
    shown.push(format!("{:?}", clerk.secret_key()));
    shown.push(format!("{:?}", RetryConfig::default()));
    shown.push(format!("{:?}", DebugLogger::stderr()));

    let mut options = RequestOptions::default();
    options.headers.push((
        http::header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {SECRET}")).unwrap(),
    ));
    options.headers.push((
        "x-session-token".parse().unwrap(),
        HeaderValue::from_static("SESSIONTOKENVALUE"),
    ));
    options.timeout = Some(Duration::from_secs(1));
    shown.push(format!("{options:?}"));
    let body = br#"{"password":"PASSWORDVALUE","client_secret":"CLIENTSECRETVALUE","url":"https://a.test/?__clerk_ticket=TICKETVALUE"}"#;
    let request = ApiRequest::new(&POST_INFO, "/things")
        .with_body(Body::Json(Bytes::from_static(body)))
        .with_options(options);
    shown.push(format!("{request:?}"));

    let mut headers = HeaderMap::new();
    headers.insert(
        "set-cookie",
        HeaderValue::from_static("__session=COOKIEVALUE"),
    );
    headers.insert("retry-after", HeaderValue::from_static("3"));
    let response = RawResponse::new(StatusCode::OK, headers.clone(), Bytes::from_static(body));
    shown.push(format!("{response:?}"));

    let api = ApiError::from_response(
        StatusCode::BAD_REQUEST,
        &headers,
        Bytes::from_static(
            b"<html>whsec_WEBHOOKSECRETVALUE session_token=SESSIONTOKENVALUE</html>",
        ),
    );
    shown.push(format!("{api:?}"));
    shown.push(api.to_string());
    let err = Error::from(api);
    shown.push(format!("{err:?}"));
    shown.push(err.to_string());

    let all = shown.join("\n");
    assert_no_secret("Debug output", &all);
    assert!(
        all.contains("sk_test_…") && all.contains("[redacted]"),
        "{all}"
    );
    assert!(all.contains("retry_after: Some(3s)"), "{all}");
}

#[test]
fn secret_key_errors_never_echo_the_key() {
    for bad in [
        "sk_test_has space",
        "pk_test_NOTSECRETbutwrong",
        "sk_test_\u{7f}",
    ] {
        let err = SecretKey::new(bad).unwrap_err().to_string();
        assert!(!err.contains(&bad[3..]), "{err}");
    }
}
