//! The OpenAPI spec as JSON Schema: every response a test receives is validated against the
//! schema the spec gives for its operation and status.

use serde_json::{Map, Value, json};
use std::sync::OnceLock;

pub struct Spec {
    doc: Value,
}

/// OpenAPI 3.0 → JSON Schema 2020-12: `nullable: true` becomes `anyOf [.., null]`.
fn convert(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                if k == "nullable" || k == "discriminator" || k == "example" || k.starts_with("x-")
                {
                    continue;
                }
                out.insert(k.clone(), convert(x));
            }
            if m.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::Array(e)) = out.get_mut("enum") {
                    e.push(Value::Null);
                }
                json!({"anyOf": [Value::Object(out), {"type": "null"}]})
            } else {
                Value::Object(out)
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
        other => other.clone(),
    }
}

pub fn spec() -> &'static Spec {
    static S: OnceLock<Spec> = OnceLock::new();
    S.get_or_init(|| {
        let path = std::env::var("CLERK_OPENAPI_SPEC").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/openapi/bapi-2026-05-12.yml"
            )
            .to_owned()
        });
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("the OpenAPI spec is needed at {path} (set CLERK_OPENAPI_SPEC): {e}")
        });
        let doc: Value = serde_norway::from_str(&text).expect("the spec is YAML");
        Spec { doc }
    })
}

impl Spec {
    /// The response schema of `method template` at `status`, with the spec's components.
    fn schema(&self, method: &str, template: &str, status: u16) -> Option<Value> {
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        let responses = op.get("responses")?;
        let mut r = responses
            .get(status.to_string())
            .or_else(|| responses.get(format!("{}XX", status / 100)))
            .or_else(|| responses.get("default"))?
            .clone();
        if let Some(Value::String(rf)) = r.get("$ref") {
            let name = rf.rsplit('/').next().unwrap_or_default();
            r = self.doc["components"]["responses"][name].clone();
        }
        let schema = r["content"]["application/json"]["schema"].clone();
        if schema.is_null() {
            return None;
        }
        Some(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [convert(&schema)],
            "components": convert(&self.doc["components"]),
        }))
    }

    /// Panics with the violations when `body` does not fit the spec's schema; returns whether
    /// the spec had a schema to check against.
    pub fn check(&self, method: &str, template: &str, status: u16, body: &Value) -> bool {
        let Some(schema) = self.schema(method, template, status) else {
            return false;
        };
        let v = jsonschema::draft202012::new(&schema).expect("the spec's schema compiles");
        let errors: Vec<String> = v
            .iter_errors(body)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {template} -> {status}: response violates the spec:\n{}\nbody: {}",
            errors.join("\n"),
            body.to_string().chars().take(1500).collect::<String>()
        );
        true
    }
}
