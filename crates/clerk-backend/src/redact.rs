//! Redaction of secrets in everything this crate prints: debug log lines, `tracing` fields,
//! error messages and `Debug` output.
//!
//! One set of rules, used everywhere:
//!
//! - **Headers**: `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, any header
//!   whose name mentions a secret, token, key, password, signature or session, and any header
//!   value marked [sensitive](http::HeaderValue::set_sensitive) are shown as `[redacted]`.
//! - **JSON bodies**: the value of every field whose name looks like a secret (`secret`,
//!   `token`, `password`, `private_key`, `client_secret`, `session_token`, `jwt`, `ticket`,
//!   `signature`, `backup_codes`, `api_key`, …, at any depth) is replaced by `"[redacted]"`
//!   when it is a string, array or object (`"password_enabled": true` stays readable).
//! - **Any text** (URLs, non-JSON bodies, error messages, string values inside JSON): values
//!   with a Clerk secret prefix (`sk_…`, `whsec_…`, `ak_…`, `mt_…`, `oat_…`) keep only their
//!   prefix, JWTs (`eyJ….….…`) and `Bearer …` credentials are replaced, and `name=value` /
//!   `"name": "value"` pairs with a secret-looking name have their value replaced.
//!
//! Redaction errs on the side of hiding: a field named `token_type` is hidden too.
//!
//! ```
//! use clerk_backend::redact;
//!
//! let line = r#"{"email":"ada@example.com","password":"hunter2","note":"key sk_test_abc123"}"#;
//! let shown = redact::body(line.as_bytes());
//! assert!(!shown.contains("hunter2") && !shown.contains("abc123"));
//! assert!(shown.contains("ada@example.com"));
//! ```

// The crate-private helpers serve the pipeline; builds without `client-core` only use the public rules.
#![cfg_attr(not(feature = "client-core"), allow(dead_code))]

use std::fmt;

use http::{HeaderName, HeaderValue};

/// What a hidden value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Prefixes of Clerk credentials; what follows them is secret.
const SECRET_PREFIXES: &[&str] = &["sk_", "whsec_", "ak_", "mt_", "oat_"];

/// Substrings of names (lower-cased, without `_`/`-`/`.`) that mark a value as secret.
const SECRET_NAME_PARTS: &[&str] = &[
    "secret",
    "token",
    "password",
    "passwd",
    "privatekey",
    "apikey",
    "authorization",
    "cookie",
    "jwt",
    "ticket",
    "signature",
    "backupcode",
    "credential",
];

/// Whether a field, query parameter or header name looks like it holds a secret.
#[must_use]
pub fn is_sensitive_name(name: &str) -> bool {
    let mut norm = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            norm.push(c.to_ascii_lowercase());
        }
    }
    SECRET_NAME_PARTS.iter().any(|p| norm.contains(p))
}

/// Whether a header's value must never be shown.
#[must_use]
pub fn is_sensitive_header(name: &HeaderName, value: &HeaderValue) -> bool {
    if value.is_sensitive() {
        return true;
    }
    let n = name.as_str();
    matches!(
        n,
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-api-key"
    ) || is_sensitive_name(n)
        || n.contains("session")
        || n.ends_with("-key")
}

/// Whether a header value carries something the text rules would hide (a `Bearer`
/// credential, an `sk_…` key, a JWT).
pub(crate) fn value_looks_secret(value: &HeaderValue) -> bool {
    value.to_str().map_or(true, |s| text(s) != s)
}

/// A header value as it may be shown.
#[must_use]
pub fn header(name: &HeaderName, value: &HeaderValue) -> String {
    if is_sensitive_header(name, value) {
        return REDACTED.to_owned();
    }
    match value.to_str() {
        Ok(s) => text(s),
        Err(_) => format!("<{} non-text bytes>", value.len()),
    }
}

/// A body as it may be shown: JSON with secret fields hidden, else [`text`] of it.
#[must_use]
pub fn body(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        json_value(&mut value);
        return value.to_string();
    }
    text(&String::from_utf8_lossy(bytes))
}

/// Bodies up to this size are parsed as JSON for [`excerpt`]; longer ones get the text rules
/// over their first bytes only, so formatting an error never costs more than a small body.
const EXCERPT_PARSE_LIMIT: usize = 256 * 1024;

/// At most about `max` bytes of a body as it may be shown: [`body`] for small bodies, the
/// [`text`] rules over a prefix for large ones (the work is bounded by `max`, not the body).
#[must_use]
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    if bytes.len() <= EXCERPT_PARSE_LIMIT {
        return truncate(&body(bytes), max);
    }
    let prefix = String::from_utf8_lossy(&bytes[..max.min(bytes.len())]);
    // A credential cut in two would escape the patterns that need its whole shape.
    let prefix = prefix.trim_end_matches(|c: char| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '.' | '~' | '+' | '/' | '=' | '\u{fffd}')
    });
    format!("{}…(truncated, {} bytes in all)", text(prefix), bytes.len())
}

/// Hide secrets inside a JSON value, in place.
pub fn json_value(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                // Booleans, numbers and null stay visible (`"password_enabled": true`).
                if is_sensitive_name(k) && (v.is_string() || v.is_array() || v.is_object()) {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    json_value(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json_value),
        Value::String(s) if needs_scrub(s) => *s = text(s),
        _ => {}
    }
}

/// Cheap pre-check: could [`text`] change anything?
fn needs_scrub(s: &str) -> bool {
    s.contains('_')
        || s.contains('=')
        || s.contains('"')
        || s.contains("eyJ")
        || s.contains("earer")
        || s.contains("EARER")
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Hide secrets in free text (URLs, error messages, non-JSON bodies, log lines).
#[must_use]
pub fn text(input: &str) -> String {
    let b = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    // `copied` is the start of the not-yet-copied input; everything is copied in slices at
    // char boundaries (all patterns are ASCII, so every match position is a boundary).
    let mut copied = 0;
    while i < b.len() {
        let boundary = i == 0 || !is_word_byte(b[i - 1]);
        // 1. Prefixed credentials: sk_…, whsec_…, …
        if boundary {
            if let Some(p) = SECRET_PREFIXES
                .iter()
                .find(|p| b[i..].starts_with(p.as_bytes()))
            {
                let start = i + p.len();
                let end = scan(b, start, is_token_byte);
                if end - start >= 4 {
                    out.push_str(&input[copied..start]);
                    out.push_str(REDACTED);
                    i = end;
                    copied = end;
                    continue;
                }
            }
            // 2. JWTs: eyJ<b64>.<b64>.<b64>
            if b[i..].starts_with(b"eyJ") {
                let end = scan(b, i, |c| is_token_byte(c) || c == b'.');
                if input[i..end].matches('.').count() >= 2 && end - i >= 16 {
                    out.push_str(&input[copied..i]);
                    out.push_str(REDACTED);
                    i = end;
                    copied = end;
                    continue;
                }
            }
            // 3. `Bearer <credential>` / `Basic <credential>`
            if let Some(scheme) = ["bearer ", "basic "].iter().find(|scheme| {
                b.len() >= i + scheme.len()
                    && b[i..i + scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
            }) {
                let start = i + scheme.len();
                let end = scan(b, start, |c| {
                    is_token_byte(c) || matches!(c, b'.' | b'~' | b'+' | b'/' | b'=')
                });
                if end > start {
                    out.push_str(&input[copied..start]);
                    out.push_str(REDACTED);
                    i = end;
                    copied = end;
                    continue;
                }
            }
            // 4. name=value (query strings, form bodies, cookies) with a secret-looking name
            if is_word_byte(b[i]) {
                let end_name = scan(b, i, |c| is_token_byte(c) || c == b'.');
                if end_name < b.len()
                    && b[end_name] == b'='
                    && is_sensitive_name(&input[i..end_name])
                {
                    let start = end_name + 1;
                    let end = scan(b, start, |c| {
                        !matches!(c, b'&' | b'#' | b';' | b',' | b'"' | b'\'' | b'<' | b'>')
                            && !c.is_ascii_whitespace()
                    });
                    out.push_str(&input[copied..start]);
                    if end > start {
                        out.push_str(REDACTED);
                    }
                    i = end;
                    copied = end;
                    continue;
                }
            }
        }
        // 5. "name": "value" / [..] / {..} in text that is not valid JSON (truncated bodies)
        if b[i] == b'"'
            && let Some((name_end, value_start)) = json_pair_at(b, i)
            && is_sensitive_name(&input[i + 1..name_end])
        {
            let (keep_until, value_end) = if b[value_start - 1] == b'"' {
                (value_start, json_string_end(b, value_start))
            } else {
                (value_start - 1, json_nested_end(b, value_start - 1))
            };
            out.push_str(&input[copied..keep_until]);
            out.push_str(REDACTED);
            i = value_end;
            copied = value_end;
            continue;
        }
        i += 1;
    }
    out.push_str(&input[copied..]);
    out
}

/// First index at or after `from` where `keep` is false.
fn scan(b: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut j = from;
    while j < b.len() && keep(b[j]) {
        j += 1;
    }
    j
}

/// At a `"`: if this is `"name" : "`, return (index of the name's closing quote, index just
/// after the value's opening quote).
fn json_pair_at(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let name_end = at + 1 + b[at + 1..].iter().position(|&c| c == b'"')?;
    if name_end - at > 64 {
        return None;
    }
    let mut j = name_end + 1;
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    if b.get(j) != Some(&b':') {
        return None;
    }
    j += 1;
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    matches!(b.get(j), Some(b'"' | b'[' | b'{')).then_some((name_end, j + 1))
}

/// Index just past the `]`/`}` closing the array or object that opens at `at` (or the end).
fn json_nested_end(b: &[u8], at: usize) -> usize {
    let mut depth = 0usize;
    let mut j = at;
    while j < b.len() {
        match b[j] {
            b'"' => j = json_string_end(b, j + 1),
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

/// Index of the closing quote of a JSON string whose content starts at `from` (or the end).
fn json_string_end(b: &[u8], from: usize) -> usize {
    let mut j = from;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j,
            _ => j += 1,
        }
    }
    b.len()
}

/// Cut `s` to at most `max` bytes at a char boundary, saying how much was left out.
#[must_use]
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…(truncated, {} bytes in all)", &s[..cut], s.len())
}

/// Shows a value through [`text`] when formatted (for `tracing` fields: no work unless logged).
pub(crate) struct Redacted<T>(pub(crate) T);

impl<T: fmt::Display> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text(&self.0.to_string()))
    }
}

impl<T: fmt::Display> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Shows a JSON value with secret fields hidden (for `Debug` of error details).
pub(crate) struct JsonShown<'a>(pub(crate) &'a serde_json::Value);

impl fmt::Debug for JsonShown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = self.0.clone();
        json_value(&mut v);
        write!(f, "{v}")
    }
}

/// `Debug` of a header list with sensitive values hidden.
pub(crate) struct Headers<'a>(Vec<(&'a str, String)>);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(n, v)| (n, v)))
            .finish()
    }
}

pub(crate) fn headers_debug<'a>(
    iter: impl Iterator<Item = (&'a HeaderName, &'a HeaderValue)>,
) -> Headers<'a> {
    Headers(iter.map(|(n, v)| (n.as_str(), header(n, v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_secrets_keep_only_the_prefix() {
        assert_eq!(text("key sk_test_abcdef123"), "key sk_[redacted]");
        assert_eq!(
            text("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            "whsec_[redacted]"
        );
        assert_eq!(text("(sk_live_xyz1234)"), "(sk_[redacted])");
        // not at a word boundary, or too short: left alone
        assert_eq!(text("desk_lamp"), "desk_lamp");
        assert_eq!(text("sk_ab"), "sk_ab");
    }

    #[test]
    fn jwts_and_bearer_credentials() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl";
        assert_eq!(text(&format!("token {jwt} end")), "token [redacted] end");
        assert_eq!(
            text("Authorization: Bearer abc.def/ghi=="),
            "Authorization: Bearer [redacted]"
        );
        assert_eq!(text("basic dXNlcjpwYXNz"), "basic [redacted]");
    }

    #[test]
    fn query_and_cookie_pairs() {
        assert_eq!(
            text("https://x.test/v1/a?limit=10&session_token=abc&b=2"),
            "https://x.test/v1/a?limit=10&session_token=[redacted]&b=2"
        );
        assert_eq!(
            text("https://acc.test/sign-in?__clerk_ticket=tkt_123#x"),
            "https://acc.test/sign-in?__clerk_ticket=[redacted]#x"
        );
        assert_eq!(text("__session=abc; other=1"), "__session=abc; other=1");
        assert_eq!(
            text("client_secret=shh; x=1"),
            "client_secret=[redacted]; x=1"
        );
    }

    #[test]
    fn truncated_json_pairs() {
        let t = r#"{"id":"u_1","session_token":"abc\"def","password": "hun"#;
        let r = text(t);
        assert!(!r.contains("abc") && !r.contains("hun"), "{r}");
        assert!(r.contains(r#""id":"u_1""#));
    }

    #[test]
    fn arrays_and_objects_in_text_that_is_not_json() {
        let t = r#"<p>{"backup_codes":["c0de-one","c0de-two"],"id":"u_1","private_key":{"d":"k3y"},"totp_secret": "t0tp"#;
        let r = text(t);
        for secret in ["c0de-one", "c0de-two", "k3y", "t0tp"] {
            assert!(!r.contains(secret), "{secret} in {r}");
        }
        assert!(r.contains(r#""id":"u_1""#), "{r}");
        // an array cut off before it closes is hidden to the end
        let r = text(r#"x {"backup_codes":["aaaa","bbbb"#);
        assert!(!r.contains("aaaa") && !r.contains("bbbb"), "{r}");
        // nested brackets and quoted brackets do not end the value early
        let r = text(r#"{"tokens":[["x]"],{"k":"zzzz"}],"after":1} trailing"#);
        assert!(!r.contains("zzzz") && r.contains(r#""after":1"#), "{r}");
    }

    #[test]
    fn excerpts_are_bounded_and_redacted() {
        let mut big = String::from("<html>");
        big.push_str(r#"{"password":"hunter22"} sk_live_abcdefgh "#);
        big.push_str(&"x".repeat(EXCERPT_PARSE_LIMIT));
        let e = excerpt(big.as_bytes(), 100);
        assert!(e.len() < 200, "{e}");
        assert!(!e.contains("hunter22") && !e.contains("abcdefgh"), "{e}");
        assert!(e.contains("bytes in all"), "{e}");
        // a credential cut at the excerpt's edge is dropped, not shown in part
        let mut cut = "a ".repeat(EXCERPT_PARSE_LIMIT);
        cut.insert_str(40, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln");
        let e = excerpt(cut.as_bytes(), 60);
        assert!(!e.contains("eyJhbGci"), "{e}");
        // small bodies keep the JSON rules
        assert_eq!(
            excerpt(br#"{"token":"t"}"#, 100),
            r#"{"token":"[redacted]"}"#
        );
    }

    #[test]
    fn json_fields_at_any_depth() {
        let body = br#"{"data":[{"client_secret":"cs_1","name":"app","tokens":["a"],"url":"https://a.test/?__clerk_ticket=t1","n":null,"password_enabled":true}],"private_key":{"d":"x"}}"#;
        let r = body_str(body);
        for secret in ["cs_1", "\"a\"", "t1", "\"x\""] {
            assert!(!r.contains(secret), "{secret} in {r}");
        }
        assert!(r.contains("\"name\":\"app\"") && r.contains("\"n\":null"));
        assert!(r.contains("\"password_enabled\":true"), "{r}");
    }

    fn body_str(b: &[u8]) -> String {
        body(b)
    }

    #[test]
    fn headers() {
        let v = HeaderValue::from_static("Bearer sk_test_123456");
        assert_eq!(header(&http::header::AUTHORIZATION, &v), REDACTED);
        let n = HeaderName::from_static("x-session-token");
        assert_eq!(header(&n, &HeaderValue::from_static("abc")), REDACTED);
        let n = HeaderName::from_static("x-trace");
        assert_eq!(header(&n, &HeaderValue::from_static("abc")), "abc");
        let mut s = HeaderValue::from_static("abc");
        s.set_sensitive(true);
        assert_eq!(header(&n, &s), REDACTED);
        assert_eq!(
            header(&n, &HeaderValue::from_static("sk_test_123456")),
            "sk_[redacted]"
        );
    }

    #[test]
    fn non_ascii_and_truncation_are_safe() {
        assert_eq!(text("héllo wörld"), "héllo wörld");
        assert_eq!(truncate("héllo", 2), "h…(truncated, 6 bytes in all)");
        assert_eq!(truncate("abc", 10), "abc");
        // odd inputs never panic
        for s in [
            "\"",
            "\"a\":",
            "\"token\": \"",
            "a=",
            "sk_",
            "eyJ",
            "Bearer ",
            "\"\\",
        ] {
            let _ = text(s);
        }
    }
}
