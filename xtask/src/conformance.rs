//! The conformance test's call table: one realistic call per operation of a spec, written
//! against the generated API (path parameters, required fields, one query parameter, a body).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::emit::Cx;
use crate::ir::{BodyKind, Ir, Op, Ty};
use crate::names;
use crate::read::operations::{METHODS, op_names};
use crate::spec::{Spec, str_of};

/// A value matching a (small) regular expression, as the spec's patterns use them.
pub fn sample_pattern(pattern: &str) -> String {
    fn atom_end(p: &[char], i: usize) -> usize {
        match p[i] {
            '\\' => i + 2,
            '[' => {
                let mut j = i + 1;
                while j < p.len() && p[j] != ']' {
                    j += if p[j] == '\\' { 2 } else { 1 };
                }
                j + 1
            }
            '(' => {
                let mut depth = 0;
                let mut j = i;
                while j < p.len() {
                    match p[j] {
                        '\\' => j += 1,
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                return j + 1;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                j
            }
            _ => i + 1,
        }
    }
    fn one(atom: &[char]) -> String {
        match atom.first() {
            Some('\\') => match atom.get(1) {
                Some('w' | 'S') => "a".into(),
                Some('d') => "0".into(),
                Some(c) => c.to_string(),
                None => String::new(),
            },
            Some('[') => {
                let inner = &atom[1..atom.len().saturating_sub(1)];
                if inner.first() == Some(&'^') {
                    let banned: HashSet<char> = inner[1..].iter().copied().collect();
                    return ['a', 'b', 'x', '0']
                        .iter()
                        .find(|c| !banned.contains(c))
                        .map_or("a".into(), char::to_string);
                }
                inner.first().map_or(String::new(), char::to_string)
            }
            Some('(') => {
                let inner: String = atom[1..atom.len() - 1].iter().collect();
                let inner = inner.strip_prefix("?:").unwrap_or(&inner).to_owned();
                // First top-level alternative.
                let mut depth = 0;
                let mut end = inner.len();
                for (k, c) in inner.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        '|' if depth == 0 => {
                            end = k;
                            break;
                        }
                        _ => {}
                    }
                }
                sample_pattern(&inner[..end])
            }
            Some('.') => "a".into(),
            Some(c) => c.to_string(),
            None => String::new(),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < p.len() {
        if p[i] == '^' || p[i] == '$' {
            i += 1;
            continue;
        }
        let end = atom_end(&p, i).min(p.len());
        let atom = &p[i..end];
        i = end;
        let mut times = 1;
        if i < p.len() {
            match p[i] {
                '*' | '+' | '?' => i += 1,
                '{' => {
                    let close = p[i..]
                        .iter()
                        .position(|c| *c == '}')
                        .map_or(p.len(), |k| i + k);
                    let spec: String = p[i + 1..close].iter().collect();
                    times = spec
                        .split(',')
                        .next()
                        .and_then(|n| n.trim().parse().ok())
                        .unwrap_or(1);
                    i = close + 1;
                }
                _ => {}
            }
        }
        for _ in 0..times {
            out.push_str(&one(atom));
        }
    }
    out
}

/// An example JSON value for `schema`: its example, enum, default, or one built from its type.
pub fn example(spec: &Spec, schema: &Value, depth: usize) -> Value {
    let s = spec.deref(schema);
    if let Some(e) = s.get("example").filter(|e| !e.is_null()) {
        return e.clone();
    }
    if let Some(first) = s
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    if let Some(d) = s.get("default").filter(|d| !d.is_null()) {
        return d.clone();
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        let mut merged = serde_json::Map::new();
        for p in parts {
            match example(spec, p, depth) {
                Value::Object(m) => merged.extend(m),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        let alt = s.get(key).and_then(Value::as_array).and_then(|alts| {
            alts.iter().find(|a| {
                a.get("$ref").is_some() || a.get("type").is_some() || a.get("properties").is_some()
            })
        });
        if let Some(alt) = alt {
            return example(spec, alt, depth);
        }
    }
    match str_of(s, "type") {
        Some("string") => {
            let v = match (str_of(s, "format"), str_of(s, "pattern")) {
                (Some("email"), _) => "ada@example.com".to_owned(),
                (Some("uri" | "url"), _) => "https://example.com".to_owned(),
                (Some("date-time"), _) => "2025-01-01T00:00:00Z".to_owned(),
                (Some("date"), _) => "2025-01-01".to_owned(),
                (_, Some(p)) => sample_pattern(p),
                _ => "example".to_owned(),
            };
            let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            let max = s
                .get("maxLength")
                .and_then(Value::as_u64)
                .map_or(usize::MAX, |m| m as usize);
            let mut v = v;
            while v.len() < min {
                v.push('x');
            }
            v.truncate(max.max(1).min(v.len()));
            Value::String(v)
        }
        Some("integer") => json!(s.get("minimum").and_then(Value::as_i64).unwrap_or(1).max(1)),
        Some("number") => json!(
            s.get("minimum")
                .and_then(Value::as_f64)
                .unwrap_or(1.0)
                .max(1.0)
        ),
        Some("boolean") => json!(true),
        Some("array") => {
            if depth > 4 {
                return json!([]);
            }
            json!([example(
                spec,
                s.get("items").unwrap_or(&Value::Null),
                depth + 1
            )])
        }
        _ if s.get("properties").is_some() || str_of(s, "type") == Some("object") => {
            let mut m = serde_json::Map::new();
            if depth > 4 {
                return Value::Object(m);
            }
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    if required.contains(&k.as_str()) {
                        m.insert(k.clone(), example(spec, v, depth + 1));
                    }
                }
            }
            Value::Object(m)
        }
        _ => json!("example"),
    }
}

struct Ctx<'a> {
    ir: &'a Ir,
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn raw(s: &str) -> String {
    let mut hashes = String::from("#");
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{s}\"{hashes}")
}

/// A Rust expression for a setter argument of type `ty` holding `v`.
fn arg(ctx: &Ctx, ty: &Ty, v: &Value) -> String {
    let as_text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let is_enum = |t: &Ty| ctx.ir.is_enum(t);
    match ty {
        Ty::Str | Ty::Secret => lit(&as_text(v)),
        Ty::I64 => format!("{}_i64", v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)).unwrap_or(1)),
        Ty::F64 => format!("{:?}_f64", v.as_f64().unwrap_or(1.0)),
        Ty::Bool => v.as_bool().unwrap_or(true).to_string(),
        t if is_enum(t) => lit(&as_text(v)),
        Ty::Vec(inner) if **inner == Ty::Str || is_enum(inner) => {
            let items: Vec<Value> = match v {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            format!("[{}]", items.iter().map(|i| lit(&as_text(i))).collect::<Vec<_>>().join(", "))
        }
        Ty::Upload => "clerk_backend::Upload::from_bytes(&b\"\\x89PNG\\r\\n\\x1a\\n\"[..]).file_name(\"logo.png\")".into(),
        other => {
            // `api::…` and `models::…` are imported: short enough for rustfmt to format.
            let rendered = Cx::outside(ctx.ir)
                .request_ty(other)
                .replace("clerk_backend::api::", "api::")
                .replace("clerk_backend::models::", "models::");
            format!("ex::<{rendered}>({})", raw(&v.to_string()))
        }
    }
}

/// Emit `pub async fn call_<suffix>(clerk, group, name)` and `pub const OPS_<SUFFIX>`.
pub fn emit_calls(spec: &Spec, ir: &Ir, suffix: &str, out: &mut String) -> Result<usize, String> {
    let by_name: BTreeMap<(&str, &str), &Op> = ir
        .ops
        .iter()
        .map(|o| ((o.group.as_str(), o.fn_name.as_str()), o))
        .collect();
    let ctx = Ctx { ir };
    let mut arms = Vec::new();
    let paths = spec
        .doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("spec has no paths")?;
    for (path, item) in paths {
        for method in METHODS {
            let Some(sop) = item.get(*method) else {
                continue;
            };
            let (g, n) = op_names(sop);
            let op = by_name.get(&(g.as_str(), n.as_str())).ok_or_else(|| {
                format!("{suffix}: {method} {path} ({g}.{n}) has no generated operation")
            })?;
            arms.push((g.clone(), n.clone(), call_expr(spec, &ctx, op, item, sop)));
        }
    }
    let upper = suffix.to_uppercase();
    let _ = writeln!(
        out,
        "/// Every operation of the `{suffix}` spec, as (group, name).\npub const OPS_{upper}: &[(&str, &str)] = &["
    );
    for (g, n, _) in &arms {
        let _ = writeln!(out, "    ({g:?}, {n:?}),");
    }
    out.push_str("];\n\n");
    let _ = writeln!(
        out,
        "/// Call one operation of the `{suffix}` spec with realistic arguments.\npub async fn call_{suffix}(clerk: &Clerk, group: &str, name: &str) -> Option<Result<(), Error>> {{\n    Some(match (group, name) {{"
    );
    for (g, n, expr) in &arms {
        let _ = writeln!(out, "        ({g:?}, {n:?}) => {expr},");
    }
    out.push_str("        _ => return None,\n    })\n}\n\n");
    Ok(arms.len())
}

fn call_expr(spec: &Spec, ctx: &Ctx, op: &Op, item: &Value, sop: &Value) -> String {
    let g = &op.group;
    let params: Vec<&Value> = [item, sop]
        .iter()
        .flat_map(|v| {
            v.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .map(|p| spec.deref(p))
        .collect();
    let find_param = |json: &str| {
        params
            .iter()
            .find(|p| str_of(p, "name") == Some(json))
            .copied()
    };
    // Path parameters, positional.
    let mut args = Vec::new();
    for p in &op.path_params {
        let schema = find_param(&p.json)
            .and_then(|sp| sp.get("schema"))
            .cloned()
            .unwrap_or(Value::Null);
        let v = match example(spec, &schema, 0) {
            Value::String(s) if s != "example" => s,
            _ => crate::emit::api::example_id(p),
        };
        args.push(lit(&v));
    }
    let mut expr = format!(
        "clerk.{}().{}({})",
        names::field(g),
        op.fn_name,
        args.join(", ")
    );
    // Query: every required one plus the first optional one.
    let mut picked_optional = false;
    for q in &op.query {
        let Some(sp) = find_param(&q.json) else {
            continue;
        };
        let required = sp.get("required").and_then(Value::as_bool).unwrap_or(false);
        if !required && (picked_optional || q.deprecated) {
            continue;
        }
        let v = example(spec, sp.get("schema").unwrap_or(&Value::Null), 0);
        let _ = write!(expr, ".{}({})", q.rust, arg(ctx, &q.ty, &v));
        picked_optional |= !required;
    }
    // Body.
    let body_schema = sop
        .pointer("/requestBody/content/application~1json/schema")
        .or_else(|| sop.pointer("/requestBody/content/multipart~1form-data/schema"))
        .map(|s| spec.deref(s).clone());
    match (&op.body, body_schema) {
        (BodyKind::Json { fields }, Some(schema)) => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = schema
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let taken: HashSet<&str> = op.query.iter().map(|p| p.rust.as_str()).collect();
            let mut chosen: Vec<&str> = required
                .iter()
                .copied()
                .filter(|r| props.contains_key(*r))
                .collect();
            // `anyOf` of `required` lists: satisfy the first alternative.
            if let Some(first) = schema
                .pointer("/anyOf/0/required")
                .and_then(Value::as_array)
            {
                chosen.extend(
                    first
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|r| props.contains_key(*r)),
                );
            }
            if chosen.is_empty() {
                // No required field: send one simple field so the body is not empty.
                if let Some(f) = fields.iter().find(|f| {
                    props.contains_key(&f.json)
                        && !f.deprecated
                        && matches!(f.ty, Ty::Str | Ty::Bool | Ty::I64)
                }) {
                    chosen.push(&f.json);
                }
            }
            for json in chosen {
                let Some(f) = fields.iter().find(|f| f.json == json) else {
                    continue;
                };
                let v = example(spec, &props[json], 0);
                let setter = if taken.contains(f.rust.as_str()) {
                    format!("body_{}", f.rust)
                } else {
                    f.rust.clone()
                };
                let _ = write!(expr, ".{setter}({})", arg(ctx, &f.ty, &v));
            }
        }
        (BodyKind::JsonValue { ty, .. }, Some(schema)) => {
            let v = example(spec, &schema, 0);
            let _ = write!(expr, ".body({})", arg(ctx, ty, &v));
        }
        (BodyKind::Multipart { fields, .. }, Some(schema)) => {
            expr.push_str(".file(clerk_backend::Upload::from_bytes(&b\"\\x89PNG\\r\\n\\x1a\\n\"[..]).file_name(\"logo.png\"))");
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for f in fields
                .iter()
                .filter(|f| required.contains(&f.json.as_str()))
            {
                let _ = write!(expr, ".{}(\"user_123\")", f.rust);
            }
        }
        _ => {}
    }
    expr.push_str(".send().await.map(drop)");
    expr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_from_the_spec_sample_to_matching_values() {
        assert_eq!(
            sample_pattern("^ak_[0-9A-Fa-f]{32}$"),
            format!("ak_{}", "0".repeat(32))
        );
        assert_eq!(
            sample_pattern("^(user|org|mch)_\\w{27}$"),
            format!("user_{}", "a".repeat(27))
        );
        assert_eq!(sample_pattern("^[A-Z]{2}$"), "AA");
        assert_eq!(sample_pattern("^[^_][A-Za-z0-9_-]*$"), "aA");
        assert_eq!(sample_pattern("^(\\S(.*\\S)?)?$"), "aaa");
    }
}
