//! The planted-secret proof: a unique random secret in every place a secret can reach the
//! request pipeline (error bodies and their `meta`, request and response headers, the URL,
//! JSON and non-JSON bodies, what hooks see), then every public pipeline type and error
//! formatted with `{:?}`, `{:#?}`, `{}` and `pretty()`, with the debug logger on and a TRACE
//! `tracing` subscriber installed. Any planted value, or any 8-character piece of it, in any
//! output fails the test.
//!
//! Other modules reuse [`Planted`] and [`shown`]: plant values into models or request
//! builders, format them, and call [`Planted::check`].

#![allow(dead_code)]

use std::fmt::{Debug, Display};
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clerk_backend::pipeline::{ApiRequest, DebugLogger, RequestOptions};
use clerk_backend::{Clerk, Error, RetryConfig};
use http::HeaderValue;
use serde_json::json;

use crate::logging::Capture;
use crate::support::*;

/// Secrets planted in a run, each a public prefix (`sk_live_`, `Bearer `, …, may be empty)
/// followed by random characters.
#[derive(Default)]
pub(crate) struct Planted {
    values: Vec<(usize, String)>,
}

fn random_chars(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(out.len());
        let mut x = h.finish();
        for _ in 0..8 {
            out.push(ALPHABET[(x % ALPHABET.len() as u64) as usize] as char);
            x /= ALPHABET.len() as u64;
        }
    }
    out.truncate(n);
    out
}

impl Planted {
    pub(crate) fn new() -> Self {
        Planted::default()
    }

    /// A new secret: `prefix` then 24 random characters.
    pub(crate) fn plant(&mut self, prefix: &str) -> String {
        let v = format!("{prefix}{}", random_chars(24));
        self.values.push((prefix.len(), v.clone()));
        v
    }

    /// A new JWT-shaped secret (`eyJ….….…`).
    pub(crate) fn jwt(&mut self) -> String {
        let v = format!(
            "eyJ{}.eyJ{}.{}",
            random_chars(20),
            random_chars(30),
            random_chars(40)
        );
        self.values.push((3, v.clone()));
        v
    }

    /// Every planted value.
    pub(crate) fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(_, v)| v.as_str())
    }

    /// Fail when `shown` holds a planted value or any 8-character piece of one that is not
    /// wholly inside its public prefix.
    pub(crate) fn check(&self, what: &str, shown: &str) {
        for (prefix, value) in &self.values {
            let chars: Vec<char> = value.chars().collect();
            assert!(
                !shown.contains(value.as_str()),
                "{what} shows {value}:\n{shown}"
            );
            for start in 0..chars.len().saturating_sub(7) {
                if start + 8 <= *prefix {
                    continue;
                }
                let piece: String = chars[start..start + 8].iter().collect();
                assert!(
                    !shown.contains(&piece),
                    "{what} shows {piece:?}, a piece of {value}:\n{shown}"
                );
            }
        }
    }
}

/// `{:?}`, `{:#?}` and `{}` of a value, one after another.
pub(crate) fn shown<T: Debug + Display + ?Sized>(value: &T) -> String {
    format!("{value:?}\n{value:#?}\n{value}")
}

/// `{:?}` and `{:#?}` of a value.
pub(crate) fn shown_debug<T: Debug + ?Sized>(value: &T) -> String {
    format!("{value:?}\n{value:#?}")
}

/// Everything one error can show: its formats, its API error's parts, a decode error's
/// `pretty()`.
pub(crate) fn shown_error(err: &Error) -> String {
    let mut out = shown(err);
    if let Some(api) = err.as_api() {
        out.push_str(&shown(api));
        for e in api.errors() {
            out.push_str(&shown_debug(e));
        }
    }
    if let Error::Decode(d) = err {
        out.push_str(&shown(&**d));
        out.push_str(&d.pretty());
    }
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        out.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    out
}

/// The secrets a hostile server or a careless caller puts in a JSON object.
fn secret_fields(p: &mut Planted) -> serde_json::Value {
    json!({
        "password": p.plant(""),
        "token": p.plant(""),
        "client_secret": p.plant(""),
        "totp_secret": p.plant(""),
        "backup_codes": [p.plant(""), p.plant("")],
        "note": format!("key {} and {}", p.plant("sk_live_"), p.plant("whsec_")),
        "jwt_like": format!("session {}", p.jwt()),
        "auth": p.plant("Bearer "),
        "private_key": {"d": p.plant("")},
    })
}

#[tokio::test]
async fn no_planted_secret_shows_anywhere_in_the_pipeline() {
    let mut p = Planted::new();
    let key = p.plant("sk_live_");
    let error_body = json!({
        "errors": [{
            "code": "form_param_format_invalid",
            "message": format!("bad value {}", p.plant("sk_test_")),
            "long_message": format!("token {} rejected", p.jwt()),
            "meta": secret_fields(&mut p),
        }],
        "meta": secret_fields(&mut p),
        "clerk_trace_id": "trace_1",
    })
    .to_string();
    let ok_body = json!({"id": "thing_1", "fields": secret_fields(&mut p)}).to_string();
    // Not JSON: a proxy page quoting a cut-off body, and a cut-off 2xx.
    let html_body = format!(
        "<html><pre>{{\"backup_codes\":[\"{}\",\"{}\"],\"password\":\"{}\",\"totp_secret\": \"{}\" password={} {} </pre>",
        p.plant(""),
        p.plant(""),
        p.plant(""),
        p.plant(""),
        p.plant(""),
        p.plant("Bearer "),
    );
    let broken_body = format!(
        "{{\"id\":\"x\",\"backup_codes\":[\"{}\"],\"session_token\":\"{}\",\"cut\":",
        p.plant(""),
        p.plant("")
    );
    let cookie = format!("__session={}; Path=/", p.plant(""));
    let session_header = p.plant("");
    let location = format!(
        "https://elsewhere.test/sign-in?__clerk_ticket={}",
        p.plant("")
    );
    let server = {
        let (error_body, ok_body, html_body, broken_body) =
            (error_body.clone(), ok_body, html_body, broken_body);
        let (cookie, session_header, location) = (cookie, session_header, location);
        Server::start(move |req, _| {
            let path = req.path.split('?').next().unwrap_or_default();
            match (req.method.as_str(), path) {
                ("POST", _) | (_, "/v1/things/err422") => json(422, &error_body),
                (_, "/v1/things/html") => {
                    Reply::Bytes(response(500, &[("content-type", "text/html")], &html_body))
                }
                (_, "/v1/things/broken") => Reply::Bytes(response(200, &[], &broken_body)),
                (_, "/v1/things/redirect") => {
                    Reply::Bytes(response(307, &[("location", location.as_str())], ""))
                }
                _ => Reply::Bytes(response(
                    200,
                    &[
                        ("content-type", "application/json"),
                        ("set-cookie", cookie.as_str()),
                        ("x-clerk-session-token", session_header.as_str()),
                    ],
                    &ok_body,
                )),
            }
        })
        .await
    };

    // TRACE subscriber (see logging.rs for why two dispatchers and two rebuilds).
    let capture = Capture::default();
    let dispatch = tracing::Dispatch::new(capture.clone());
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::dispatcher::set_default(&dispatch);
    tracing::callsite::rebuild_interest_cache();
    tokio::time::sleep(Duration::from_millis(10)).await;
    tracing::callsite::rebuild_interest_cache();

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let (before, success, failure, log) = (seen.clone(), seen.clone(), seen.clone(), seen.clone());
    let builder = Clerk::builder()
        .secret_key(&key)
        .server_url(server.url())
        .retry(RetryConfig::none())
        // the logger `CLERK_DEBUG=true` installs, writing to a buffer instead of stderr
        .debug_logger(DebugLogger::new(move |line| {
            log.lock().unwrap().push(line.to_owned())
        }))
        .before_request(move |ctx, req| {
            let mut v = before.lock().unwrap();
            v.push(shown_debug(&*req));
            v.push(shown_debug(req.headers()));
            v.push(shown_debug(req.body()));
            v.push(shown_debug(ctx));
            Ok(())
        })
        .after_success(move |ctx, resp| {
            success
                .lock()
                .unwrap()
                .push(format!("{}{}", shown_debug(resp), shown_debug(ctx)));
        })
        .after_error(move |ctx, err| {
            failure
                .lock()
                .unwrap()
                .push(format!("{}{}", shown_error(err), shown_debug(ctx)));
        });
    let mut outputs = vec![shown_debug(&builder)];
    let clerk = builder.build().unwrap();
    outputs.push(shown_debug(&clerk));
    outputs.push(shown_debug(clerk.secret_key().unwrap()));

    // Per-call headers named like credentials, or carrying one.
    let (bearer, token, in_value, proxy) = (
        p.plant("Bearer "),
        p.plant(""),
        p.plant("sk_live_"),
        p.plant("Basic "),
    );
    let options = || {
        RequestOptions::default()
            .header("authorization", bearer.as_str())
            .header("x-api-token", token.as_str())
            .header("x-forwarded-note", in_value.as_str())
            .header(
                http::header::PROXY_AUTHORIZATION,
                HeaderValue::from_str(&proxy).unwrap(),
            )
    };
    outputs.push(shown_debug(&options()));

    // A 2xx with secrets in its JSON body and headers.
    let mut ok = get("ok");
    ok.options = options();
    let v = clerk.call(ok).await.unwrap();
    assert_eq!(v["id"], "thing_1");
    // Secrets in the URL: query parameters and a path segment.
    let query = format!(
        "__clerk_ticket={}&session_token={}&note={}",
        p.plant(""),
        p.plant(""),
        p.plant("sk_live_")
    );
    let request = ApiRequest::new(&GET_INFO, format!("/things/{}", p.jwt()))
        .with_query(query)
        .with_options(options());
    outputs.push(shown_debug(&request));
    let raw = clerk.execute(request).await.unwrap();
    outputs.push(shown_debug(&raw));
    // Errors: a 422 full of secrets, a proxy's HTML, a body that does not decode, a redirect,
    // a POST whose own body carries secrets.
    for id in ["err422", "html", "broken", "redirect"] {
        let mut call = get(id);
        call.options = options();
        let err = clerk.call(call).await.unwrap_err();
        outputs.push(shown_error(&err));
    }
    let err = clerk.call(create(secret_fields(&mut p))).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    outputs.push(shown_error(&err));
    // A parsed error built by hand from the same body.
    let api = clerk_backend::ApiError::from_response(
        http::StatusCode::UNPROCESSABLE_ENTITY,
        &http::HeaderMap::new(),
        bytes::Bytes::from(error_body),
    );
    outputs.push(shown(&api));
    outputs.push(shown(&Error::from(api)));

    drop(_guard);
    let traced = capture.out.lock().unwrap().clone();
    assert!(
        traced.contains("clerk_backend.call"),
        "the subscriber saw nothing"
    );
    p.check("tracing output", &traced);
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 20, "hooks and logger ran: {}", seen.len());
    for (i, s) in seen.iter().enumerate() {
        p.check(&format!("hook or log line {i}"), s);
    }
    for (i, s) in outputs.iter().enumerate() {
        p.check(&format!("output {i}"), s);
    }
    // The secrets did travel: the proof is not vacuous.
    let sent = server.seen();
    let authorization = sent[0].header("authorization").unwrap_or_default();
    assert_eq!(authorization, bearer);
    assert!(sent.iter().any(|r| r.path.contains("__clerk_ticket=")));
    assert!(p.values().count() > 50);
}

#[test]
fn the_checker_catches_a_piece_of_a_secret() {
    let mut p = Planted::new();
    let v = p.plant("sk_live_");
    p.check("prefix only", "sk_live_[redacted]");
    let piece = &v[8..16];
    let caught = std::panic::catch_unwind(|| p.check("piece", &format!("x {piece} y")));
    assert!(caught.is_err(), "an 8-character piece went unnoticed");
    let caught = std::panic::catch_unwind(|| p.check("whole", &v));
    assert!(caught.is_err());
}
