//! Path and query encoding, following the spec's parameter styles.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::error::{Error, Result};

/// Characters escaped in a path segment: everything but RFC 3986 unreserved and a few sub-delims.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// Characters escaped in a query key or value (form style; `+` and `&` and `=` must be escaped).
const QUERY: &AsciiSet = &SEGMENT.add(b'&').add(b'=').add(b'+').add(b';').add(b'\'');

/// Builds a request path from a template's literal parts and parameters.
#[derive(Debug, Default)]
pub struct PathBuilder {
    path: String,
}

impl PathBuilder {
    /// Start a path.
    #[must_use]
    pub fn new() -> Self {
        PathBuilder {
            path: String::with_capacity(64),
        }
    }

    /// Append a literal part of the template.
    #[must_use]
    pub fn lit(mut self, s: &str) -> Self {
        self.path.push_str(s);
        self
    }

    /// Append a path parameter, percent-encoded as one segment.
    ///
    /// # Errors
    /// An empty value would change which endpoint is hit, so it is rejected.
    pub fn param(mut self, name: &str, value: &str) -> Result<Self> {
        if value.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "path parameter `{name}` must not be empty"
            )));
        }
        if value == "." || value == ".." {
            return Err(Error::InvalidRequest(format!(
                "path parameter `{name}` must not be `.` or `..`"
            )));
        }
        let _ = write!(self.path, "{}", utf8_percent_encode(value, SEGMENT));
        Ok(self)
    }

    /// The finished path.
    #[must_use]
    pub fn finish(self) -> String {
        self.path
    }
}

/// Writes a `form`-style query string.
#[derive(Debug, Default)]
pub struct QueryWriter {
    query: String,
}

impl QueryWriter {
    /// Start an empty query.
    #[must_use]
    pub fn new() -> Self {
        QueryWriter::default()
    }

    fn pair(&mut self, key: &str, value: &str) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        let _ = write!(
            self.query,
            "{}={}",
            utf8_percent_encode(key, QUERY),
            utf8_percent_encode(value, QUERY)
        );
    }

    /// One scalar value, if set.
    pub fn scalar<T: QueryValue + ?Sized>(&mut self, key: &str, value: Option<&T>) {
        if let Some(v) = value {
            v.with_str(|s| self.pair(key, s));
        }
    }

    /// An array with `explode: true` (the default): `key=a&key=b`.
    pub fn exploded<T: QueryValue>(&mut self, key: &str, values: Option<&[T]>) {
        for v in values.unwrap_or_default() {
            v.with_str(|s| self.pair(key, s));
        }
    }

    /// An array with `explode: false`: `key=a,b`.
    pub fn joined<T: QueryValue>(&mut self, key: &str, values: Option<&[T]>) {
        let Some(values) = values else { return };
        if values.is_empty() {
            return;
        }
        let mut joined = String::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                joined.push(',');
            }
            v.with_str(|s| joined.push_str(s));
        }
        self.pair(key, &joined);
    }

    /// The encoded query string (no leading `?`).
    #[must_use]
    pub fn finish(self) -> String {
        self.query
    }
}

/// A value that can appear in a query string.
pub trait QueryValue {
    /// Call `f` with the value's textual form.
    fn with_str(&self, f: impl FnOnce(&str));
}

impl QueryValue for str {
    fn with_str(&self, f: impl FnOnce(&str)) {
        f(self);
    }
}
impl QueryValue for String {
    fn with_str(&self, f: impl FnOnce(&str)) {
        f(self);
    }
}
impl QueryValue for bool {
    fn with_str(&self, f: impl FnOnce(&str)) {
        f(if *self { "true" } else { "false" });
    }
}
impl QueryValue for i64 {
    fn with_str(&self, f: impl FnOnce(&str)) {
        f(&self.to_string());
    }
}
impl QueryValue for f64 {
    fn with_str(&self, f: impl FnOnce(&str)) {
        f(&self.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_escaped() {
        let p = PathBuilder::new()
            .lit("/users/")
            .param("user_id", "a/b?c#d e%")
            .unwrap()
            .lit("/x")
            .finish();
        assert_eq!(p, "/users/a%2Fb%3Fc%23d%20e%25/x");
        assert!(PathBuilder::new().param("id", "").is_err());
        assert!(PathBuilder::new().param("id", "..").is_err());
    }

    #[test]
    fn query_styles() {
        let mut q = QueryWriter::new();
        q.scalar("limit", Some(&10_i64));
        q.exploded(
            "email_address",
            Some(&["a+b@x.com".to_owned(), "c&d".to_owned()][..]),
        );
        q.joined("ids", Some(&["1".to_owned(), "2".to_owned()][..]));
        q.scalar::<str>("absent", None);
        assert_eq!(
            q.finish(),
            "limit=10&email_address=a%2Bb@x.com&email_address=c%26d&ids=1,2"
        );
    }
}
