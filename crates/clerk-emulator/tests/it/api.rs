//! A raw JSON client for the emulator that validates every response against the spec.

use clerk_backend::operations::OPERATIONS;
use serde_json::Value;

pub struct Api {
    pub base: String,
    pub key: String,
    http: reqwest::Client,
}

/// The spec's path template for a concrete path (`/users/user_1` → `/users/{user_id}`).
pub fn template(method: &str, path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path
        .split('?')
        .next()?
        .trim_matches('/')
        .split('/')
        .collect();
    let mut best: Option<(usize, &'static str)> = None;
    for o in OPERATIONS {
        if !o.method.eq_ignore_ascii_case(method) {
            continue;
        }
        let segs: Vec<&str> = o.path.trim_matches('/').split('/').collect();
        if segs.len() != parts.len() {
            continue;
        }
        let ok = segs
            .iter()
            .zip(&parts)
            .all(|(s, p)| s.starts_with('{') || s == p);
        let lits = segs.iter().filter(|s| !s.starts_with('{')).count();
        if ok && best.is_none_or(|(b, _)| lits > b) {
            best = Some((lits, o.path));
        }
    }
    best.map(|(_, p)| p)
}

impl Api {
    pub fn new(emu: &clerk_emulator::Emulator) -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Api {
            base: emu.api_url(),
            key: emu.secret_key().to_owned(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(m, format!("{}{}", self.base, path))
            .bearer_auth(&self.key);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("the emulator answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"));
        let t = template(method, path).unwrap_or_else(|| panic!("{method} {path} is no operation"));
        if status == 200 && path.contains("paginated=true") {
            // The spec describes the bare array; `paginated=true` wraps it as {data, total_count}.
            assert!(json["total_count"].is_i64(), "{method} {path}: {json}");
            crate::spec::spec().check(method, t, status, &json["data"]);
        } else if status != 501 {
            crate::spec::spec().check(method, t, status, &json);
        }
        (status, json)
    }

    pub async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (s, v) = self.call(method, path, body).await;
        assert_eq!(s, 200, "{method} {path}: {v}");
        v
    }

    /// Expect an error with `status` and `code`.
    pub async fn err(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
        code: &str,
    ) -> Value {
        let (s, v) = self.call(method, path, body).await;
        assert_eq!(
            (s, v["errors"][0]["code"].as_str()),
            (status, Some(code)),
            "{method} {path}: {v}"
        );
        assert!(
            v["clerk_trace_id"].as_str().is_some_and(|t| !t.is_empty()),
            "trace id in {v}"
        );
        v
    }
}
