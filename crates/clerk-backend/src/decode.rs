//! Decoding a 2xx body into its model, and the error that says where it did not fit.
//!
//! The drift policy (what happens when a response leaves out a field the spec calls required):
//! absent or `null` booleans, lists and maps decode as `false` / empty; the constant `object` tag
//! and `deleted` are optional; any other missing or mistyped field fails the whole response with a
//! [`DecodeError`] listing every mismatch. The repository's `docs/decoding.md` says why.

use std::fmt;
use std::fmt::Write as _;

use bytes::Bytes;
use http::StatusCode;

/// A 2xx body that does not fit the generated model.
///
/// It reports every mismatch in the body, not only the first: after one is found, the value at
/// its path is replaced by a placeholder and decoding goes on (only the error path pays for
/// this). `Debug` and [`pretty`](DecodeError::pretty) show the body with secrets
/// [redacted](crate::redact); the `body` field holds it exactly as received.
#[derive(Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// JSON path of the first mismatch, e.g. `data[3].email_addresses[0].verification.status`.
    pub path: String,
    /// What serde said about the first mismatch.
    pub message: String,
    /// Every mismatch found in the body, in the order decoding met them (the first is
    /// [`path`](Self::path) / [`message`](Self::message)).
    pub mismatches: Vec<Mismatch>,
    /// The raw body.
    pub body: Bytes,
    /// The public Rust type we tried to decode into, e.g. `Vec<clerk_backend::models::User>`.
    pub target: String,
}

/// One place where the body does not fit the model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mismatch {
    /// JSON path, e.g. `[2].banned` (`.` for the whole body).
    pub path: String,
    /// What serde said, with secret values hidden.
    pub message: String,
}

/// How many decode passes the error path may spend looking for further mismatches.
const MAX_PASSES: usize = 256;

impl DecodeError {
    /// Decode `body` into `T`; on failure, find every mismatch (only the error path pays).
    // The caller boxes the error straight into `Error::Decode`.
    #[allow(clippy::result_large_err)]
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        status: StatusCode,
        body: Bytes,
    ) -> Result<T, DecodeError> {
        let decoded = match std::str::from_utf8(&body) {
            Ok(text) => from_text::<T>(text),
            Err(e) => {
                let at = e.valid_up_to();
                return Err(Self::new(
                    status,
                    body,
                    public_type_name(std::any::type_name::<T>()),
                    vec![Mismatch {
                        path: ".".to_owned(),
                        message: format!("the body is not UTF-8 (from byte {at})"),
                    }],
                ));
            }
        };
        match decoded {
            Ok(v) => Ok(v),
            Err(first) => {
                let mut mismatches = mismatches::<T>(&body);
                if mismatches.is_empty() {
                    // Not JSON at all (or nothing pinpointed): serde's own message.
                    mismatches.push(Mismatch {
                        path: ".".to_owned(),
                        message: crate::redact::text(&first.to_string()),
                    });
                }
                Err(Self::new(
                    status,
                    body,
                    public_type_name(std::any::type_name::<T>()),
                    mismatches,
                ))
            }
        }
    }

    /// A body that is not text where text was expected.
    pub(crate) fn not_text(status: StatusCode, body: Bytes, message: String) -> DecodeError {
        let m = Mismatch {
            path: ".".to_owned(),
            message,
        };
        Self::new(status, body, "String".to_owned(), vec![m])
    }

    fn new(status: StatusCode, body: Bytes, target: String, mismatches: Vec<Mismatch>) -> Self {
        let (path, message) = mismatches
            .first()
            .map(|m| (m.path.clone(), m.message.clone()))
            .unwrap_or_default();
        DecodeError {
            status,
            path,
            message,
            mismatches,
            body,
            target,
        }
    }

    /// A multi-line rendering: what failed, where, and the body around it.
    #[must_use]
    pub fn pretty(&self) -> String {
        let text = crate::redact::body(&self.body);
        let shown: String = text.chars().take(2000).collect();
        let more = if text.chars().count() > 2000 {
            "\n  …(truncated)"
        } else {
            ""
        };
        let mut out = format!(
            "could not decode {} response into {} ({} mismatch{})",
            self.status,
            self.target,
            self.mismatches.len(),
            if self.mismatches.len() == 1 { "" } else { "es" }
        );
        for m in &self.mismatches {
            let _ = write!(out, "\n  at {}: {}", m.path, m.message);
        }
        let _ = write!(out, "\n  body:\n  {shown}{more}");
        out
    }
}

/// `clerk_backend::generated::models::user::User` → `clerk_backend::models::User`, and std paths
/// shortened (`alloc::vec::Vec` → `Vec`), so messages name what users can write.
fn public_type_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.is_empty() {
            return;
        }
        if let Some(rest) = token.strip_prefix("clerk_backend::generated::models::") {
            out.push_str("clerk_backend::models::");
            out.push_str(rest.rsplit("::").next().unwrap_or(rest));
        } else if let Some(rest) = token.strip_prefix("clerk_backend::generated::") {
            out.push_str("clerk_backend::");
            out.push_str(rest);
        } else if let Some(short) = ["alloc::", "core::", "std::"]
            .iter()
            .find(|p| token.starts_with(**p))
            .and_then(|_| token.rsplit("::").next())
        {
            out.push_str(short);
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in raw.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// One step of a JSON path.
#[derive(Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Placeholders tried, in order, where the body does not fit: the first that the model accepts
/// lets decoding go on to the next mismatch.
fn placeholder(attempt: usize) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match attempt {
        0 => Value::Null,
        1 => Value::Bool(false),
        2 => Value::from(0),
        3 => Value::String(String::new()),
        4 => Value::Array(Vec::new()),
        5 => Value::Object(serde_json::Map::new()),
        _ => return None,
    })
}

/// The one decode of `T` both paths run. From `&str`, not bytes: the body is checked as UTF-8
/// once, in one pass, instead of string by string as `from_slice` does (a fifth of a large
/// page's decode), and a `Deserialize` instantiated for one reader is all a model costs to
/// compile.
fn from_text<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_str::<T>(text)
}

/// Every mismatch of `body` against `T`: decode, note the mismatch, patch its value with a
/// placeholder the model accepts, decode again. Mismatches inside a placeholder are ours and are
/// not reported.
fn mismatches<T: serde::de::DeserializeOwned>(body: &[u8]) -> Vec<Mismatch> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut attempts: Vec<(Vec<Step>, usize)> = Vec::new();
    let mut placed: Vec<Vec<Step>> = Vec::new();
    for pass in 0..MAX_PASSES {
        // The same decode as the fast path (one `Deserialize` instantiation per model, not a
        // second one behind a path-tracking wrapper); the path comes from where serde stopped.
        let text = if pass == 0 {
            body.to_vec()
        } else {
            serde_json::to_vec(&value).unwrap_or_default()
        };
        let Ok(utf8) = std::str::from_utf8(&text) else {
            break;
        };
        let err = match from_text::<T>(utf8) {
            Ok(_) => break,
            Err(e) => e,
        };
        if !err.is_data() {
            found.push(mismatch(".", &err.to_string()));
            break;
        }
        let message = err.to_string();
        let Some(mut steps) =
            offset_of(&text, err.line(), err.column()).map(|at| path_at(&text, at))
        else {
            found.push(mismatch(".", &message));
            break;
        };
        let shown = display(&steps);
        if let Some(field) = missing_field(&message) {
            steps.push(Step::Key(field.to_owned()));
        }
        let ours = placed.iter().any(|p| steps.starts_with(p));
        let slot = match attempts.iter().position(|(p, _)| *p == steps) {
            Some(i) => i,
            None => {
                if !ours {
                    found.push(mismatch(&shown, &message));
                }
                attempts.push((steps.clone(), 0));
                attempts.len() - 1
            }
        };
        let attempt = attempts[slot].1;
        attempts[slot].1 += 1;
        let Some(patch) = placeholder(attempt) else {
            break;
        };
        let nested = patch.is_object() || patch.is_array();
        if !set(&mut value, &steps, patch) {
            break;
        }
        if nested && !placed.contains(&steps) {
            placed.push(steps);
        }
    }
    found
}

fn mismatch(path: &str, message: &str) -> Mismatch {
    Mismatch {
        path: path.to_owned(),
        message: redact_serde_message(path, message),
    }
}

/// The byte serde's error position (1-based line, 1-based column of the byte it stopped at)
/// points to.
fn offset_of(text: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += text.get(start..)?.iter().position(|&b| b == b'\n')? + 1;
    }
    Some((start + column.saturating_sub(1)).min(text.len().saturating_sub(1)))
}

/// The path of the innermost value of the JSON `text` that holds byte `at`.
fn path_at(text: &[u8], at: usize) -> Vec<Step> {
    let mut path = Vec::new();
    let mut i = skip_ws(text, 0);
    loop {
        let open = text.get(i).copied();
        if !matches!(open, Some(b'{' | b'[')) {
            return path;
        }
        let start = i;
        i += 1;
        let mut index = 0;
        let child = loop {
            i = skip_ws(text, i);
            if matches!(text.get(i), None | Some(b'}' | b']')) {
                return path;
            }
            // Where the bytes that belong to this entry begin: the `:` after its key; in an
            // array, everything up to an element is in front of it.
            let (key, entry) = if open == Some(b'{') {
                let end = value_end(text, i);
                let key: String = serde_json::from_slice(&text[i..end]).unwrap_or_default();
                i = skip_ws(text, end) + 1; // the `:`
                i = skip_ws(text, i);
                (Some(key), end)
            } else {
                (None, start + 1)
            };
            let end = value_end(text, i);
            if at + 1 < entry {
                // On a key (or before it): the container itself.
                return path;
            }
            if at < i {
                // Serde stops *before* an object or array it refuses by its first byte (it
                // peeks it), so the last byte it read is the `:`, `,` or `[` in front of it:
                // the mismatch is that value's.
                path.push(key.map_or(Step::Index(index), Step::Key));
                return path;
            }
            if at < end {
                break key.map_or(Step::Index(index), Step::Key);
            }
            index += 1;
            i = skip_ws(text, end);
            if text.get(i) == Some(&b',') {
                i += 1;
            }
        };
        path.push(child);
    }
}

fn skip_ws(text: &[u8], mut i: usize) -> usize {
    while text.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Where the JSON value starting at `start` ends (exclusive).
fn value_end(text: &[u8], start: usize) -> usize {
    let mut i = start;
    match text.get(start) {
        Some(b'"' | b'{' | b'[') => {
            let mut depth = 0usize;
            let mut in_string = false;
            while let Some(&b) = text.get(i) {
                i += 1;
                match (in_string, b) {
                    (true, b'\\') => i += 1,
                    (true, b'"') => in_string = false,
                    (true, _) => continue,
                    (false, b'"') => in_string = true,
                    (false, b'{' | b'[') => depth += 1,
                    (false, b'}' | b']') => depth = depth.saturating_sub(1),
                    (false, _) => {}
                }
                if depth == 0 && !in_string {
                    return i;
                }
            }
            text.len()
        }
        _ => {
            while text.get(i).is_some_and(|b| {
                !matches!(b, b',' | b':' | b'}' | b']') && !b.is_ascii_whitespace()
            }) {
                i += 1;
            }
            i
        }
    }
}

/// `[3].email_addresses[0].id`, or `.` for the whole body.
fn display(steps: &[Step]) -> String {
    if steps.is_empty() {
        return ".".to_owned();
    }
    let mut out = String::new();
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
            Step::Key(k) => {
                if n > 0 {
                    out.push('.');
                }
                out.push_str(k);
            }
        }
    }
    out
}

/// The field named by serde's "missing field `x`".
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Put `patch` at `steps` (inserting the last key when absent). `false` when the path does not
/// lead into the value.
fn set(value: &mut serde_json::Value, steps: &[Step], patch: serde_json::Value) -> bool {
    let Some((last, parents)) = steps.split_last() else {
        *value = patch;
        return true;
    };
    let mut node = value;
    for step in parents {
        let next = match step {
            Step::Key(k) => node.get_mut(k.as_str()),
            Step::Index(i) => node.get_mut(*i),
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match (last, node) {
        (Step::Key(k), serde_json::Value::Object(map)) => {
            map.insert(k.clone(), patch);
            true
        }
        (Step::Index(i), serde_json::Value::Array(items)) if *i < items.len() => {
            items[*i] = patch;
            true
        }
        _ => false,
    }
}

/// serde quotes the offending value (`invalid type: string "…"`): hide it when the field's
/// name looks secret, and scrub known secret shapes otherwise.
fn redact_serde_message(path: &str, message: &str) -> String {
    let last = path
        .rsplit(['.', '['])
        .next()
        .unwrap_or(path)
        .trim_end_matches(']');
    if crate::redact::is_sensitive_name(last) {
        let mut out = String::with_capacity(message.len());
        let mut inside = false;
        for c in message.chars() {
            if c == '"' {
                if !inside {
                    out.push_str("\"[redacted]\"");
                }
                inside = !inside;
            } else if !inside {
                out.push(c);
            }
        }
        out
    } else {
        crate::redact::text(message)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode {} response into {} at `{}`: {}",
            self.status, self.target, self.path, self.message
        )?;
        if self.mismatches.len() > 1 {
            write!(f, " (and {} more mismatches)", self.mismatches.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("mismatches", &self.mismatches)
            .field("target", &self.target)
            .field(
                "body",
                &crate::redact::truncate(&crate::redact::body(&self.body), 1024),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str, needle: &str) -> String {
        let at = text.find(needle).expect("needle in text");
        display(&path_at(text.as_bytes(), at))
    }

    #[test]
    fn path_at_names_the_innermost_value() {
        let t = r#" [ {"a": 1, "b": {"c": [true, "x,]}", null]}}, [], {"d": "\"}"} ] "#;
        assert_eq!(path(t, "1,"), "[0].a");
        assert_eq!(path(t, "true"), "[0].b.c[0]");
        assert_eq!(path(t, "x,]"), "[0].b.c[1]");
        assert_eq!(path(t, "null"), "[0].b.c[2]");
        assert_eq!(path(t, "\"b\""), "[0]");
        assert_eq!(path(t, "[]"), "[1]");
        assert_eq!(path(t, r#""\"}""#), "[2].d");
        assert_eq!(path(t, " ["), ".");
        assert_eq!(path(r#"{"k": 7}"#, "}"), ".");
        // On the `:` or `,` in front of a value: that value (serde peeked it and stopped).
        assert_eq!(path(t, r#": {"c""#), "[0].b");
        assert_eq!(path(t, ", []"), "[1]");
    }

    #[test]
    fn a_refused_object_or_array_is_named_not_its_container() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            tags: Vec<String>,
            meta: crate::JsonObject,
            grid: Vec<Vec<u8>>,
        }
        let body = r#"[{"tags": {"a": 1}, "meta": {}, "grid": []},
                       {"tags": [], "meta": [1], "grid": [[1], {"x": 2}]}]"#;
        let found = mismatches::<Vec<Inner>>(body.as_bytes());
        let mut shown: Vec<_> = found.iter().map(|m| m.path.as_str()).collect();
        // Later passes read the patched body re-serialized, whose key order depends on
        // serde_json's `preserve_order` feature: compare as a set.
        shown.sort_unstable();
        assert_eq!(shown, ["[0].tags", "[1].grid[1]", "[1].meta"], "{found:?}");
    }

    #[test]
    fn serde_positions_map_to_the_failing_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            id: String,
            n: u32,
        }
        let body = "[\n {\"id\": \"a\", \"n\": 1},\n {\"id\": null, \"n\": 2},\n {\"n\": 3}\n]";
        let found = mismatches::<Vec<Inner>>(body.as_bytes());
        let shown: Vec<_> = found.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(shown, ["[1].id", "[2]"], "{found:?}");
        assert!(found[1].message.contains("missing field `id`"), "{found:?}");
    }

    #[test]
    fn a_body_that_is_not_utf8_is_a_decode_error_that_says_where() {
        let body = Bytes::from_static(b"{\"id\": \"ab\xff\"}");
        let err = DecodeError::decode::<serde_json::Value>(StatusCode::OK, body).unwrap_err();
        assert_eq!(err.path, ".");
        assert!(err.message.contains("not UTF-8 (from byte 10)"), "{err:?}");
        // Valid text still decodes, strings with escapes and all.
        let ok: Vec<String> =
            DecodeError::decode(StatusCode::OK, Bytes::from_static(br#"["\u00e9\n", "x"]"#))
                .unwrap();
        assert_eq!(ok, ["\u{e9}\n", "x"]);
    }
}
