//! Operations of a spec → IR operations ([`Op`]), their inline types defined on the way.

use std::collections::HashSet;

use serde_json::Value;

use super::schemas::TypeGen;
use crate::ir::{BodyKind, Home, Op, Output, Param, Ty};
use crate::names;
use crate::passes::naming::request_type_name;
use crate::spec::{Spec, bool_of, short_doc, str_of};

pub const METHODS: &[&str] = &["get", "put", "post", "patch", "delete"];

/// Group and name of an operation: `x-speakeasy-group` / `x-speakeasy-name-override`, or for
/// the few operations without them, names derived from the tag and operationId.
pub fn op_names(op: &Value) -> (String, String) {
    match (
        str_of(op, "x-speakeasy-group"),
        str_of(op, "x-speakeasy-name-override"),
    ) {
        (Some(g), Some(n)) => (names::snake(g), names::field(n)),
        _ => fallback_names(
            op.pointer("/tags/0")
                .and_then(Value::as_str)
                .unwrap_or("Miscellaneous"),
            str_of(op, "operationId").unwrap_or("operation"),
        ),
    }
}

/// Group and name of an operation without `x-speakeasy-group`: from its tag and operationId.
pub fn fallback_names(tag: &str, operation_id: &str) -> (String, String) {
    let group = names::snake(tag);
    let gw: Vec<String> = names::words(&group);
    let singular: Vec<String> = gw.iter().map(|w| names::singular(w)).collect();
    let words = names::words(operation_id);
    // Find the group noun (plural or singular) inside the operationId and drop it.
    let find = |needle: &[String]| words.windows(needle.len()).position(|w| w == needle);
    let (pos, plural) = match find(&gw) {
        Some(p) if !gw.is_empty() => (Some(p), gw.len()),
        _ => (find(&singular).filter(|_| !singular.is_empty()), 0),
    };
    let name = match pos {
        Some(p) => {
            let len = if plural > 0 { plural } else { singular.len() };
            let mut rest: Vec<String> = words[..p].to_vec();
            rest.extend_from_slice(&words[p + len..]);
            if plural > 0 && rest == ["get"] {
                "list".to_owned()
            } else {
                rest.join("_")
            }
        }
        None => words.join("_"),
    };
    (
        group,
        if name.is_empty() {
            names::snake(operation_id)
        } else {
            name
        },
    )
}

/// Build the operation list of `spec`.
pub fn collect(
    spec: &Spec,
    tg: &mut TypeGen,
    removed_in: Option<&str>,
    keep: &dyn Fn(&str, &str) -> bool,
) -> Vec<Op> {
    let mut ops = Vec::new();
    let Some(paths) = spec.doc.get("paths").and_then(Value::as_object) else {
        return ops;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let (g, n) = op_names(op);
            if !keep(&g, &n) {
                continue;
            }
            ops.push(operation(spec, tg, path, method, op, item, removed_in));
        }
    }
    ops
}

#[allow(clippy::too_many_arguments)]
fn operation(
    spec: &Spec,
    tg: &mut TypeGen,
    path: &str,
    method: &str,
    op: &Value,
    item: &Value,
    removed_in: Option<&str>,
) -> Op {
    let operation_id = str_of(op, "operationId").unwrap_or("operation").to_owned();
    let tag = op
        .pointer("/tags/0")
        .and_then(Value::as_str)
        .unwrap_or("Miscellaneous")
        .to_owned();
    let (group, fn_name) = op_names(op);
    let type_name = request_type_name(&group, &fn_name);
    // Local types share the group file's namespace.
    let home = Home::Group(group.clone());
    let saved_home = std::mem::replace(&mut tg.home, home.clone());
    let saved_used = std::mem::take(&mut tg.used);
    tg.used = tg
        .arena
        .types
        .iter()
        .filter(|d| d.home == home)
        .map(|d| d.name.clone())
        .collect();
    tg.used.insert(type_name.clone());

    let mut path_params = Vec::new();
    let mut query = Vec::new();
    let mut seen = HashSet::new();
    let params: Vec<&Value> = item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
        .collect();
    // Rust names of the non-deprecated parameters: when two spellings map to one name
    // (`frontendApi` beside `frontend_api`), the current one keeps it, whatever the order.
    let current: HashSet<String> = params
        .iter()
        .map(|p| spec.deref(p))
        .filter(|p| !bool_of(p, "deprecated"))
        .map(|p| names::field(str_of(p, "name").unwrap_or_default()))
        .collect();
    for p in params {
        let p = spec.deref(p);
        let json = str_of(p, "name").unwrap_or_default().to_owned();
        let location = str_of(p, "in").unwrap_or_default();
        let schema = p.get("schema").cloned().unwrap_or(Value::Null);
        let ty = if is_bool_text(&schema) {
            Ty::Bool
        } else {
            tg.resolve(&schema, &format!("{type_name}{}", names::pascal(&json)))
                .0
        };
        let mut rust = names::field(&json);
        let deprecated = bool_of(p, "deprecated");
        if (deprecated && current.contains(&rust)) || !seen.insert(rust.clone()) {
            // `frontendApi` beside `frontend_api`: the deprecated spelling gets a suffix.
            rust = format!("{rust}_deprecated");
            seen.insert(rust.clone());
        }
        let param = Param {
            json,
            rust,
            ty,
            required: bool_of(p, "required") || location == "path",
            explode: p.get("explode").and_then(Value::as_bool).unwrap_or(true),
            doc: short_doc(str_of(p, "description")),
            deprecated,
            schema,
        };
        match location {
            "path" => path_params.push(param),
            "query" => query.push(param),
            _ => {}
        }
    }
    // Keep the template's order for positional path parameters.
    path_params.sort_by_key(|p| path.find(&format!("{{{}}}", p.json)).unwrap_or(usize::MAX));

    let body = body(spec, tg, op, &type_name);
    let output = output(spec, tg, op, method, &type_name);
    tg.used = saved_used;
    tg.home = saved_home;

    let authenticated = !op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty);
    let deprecated = bool_of(op, "deprecated") || removed_in.is_some();
    Op {
        const_name: format!(
            "{}_{}",
            group.to_uppercase(),
            fn_name.trim_end_matches('_').to_uppercase()
        ),
        group,
        fn_name,
        type_name,
        operation_id,
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: str_of(op, "summary").unwrap_or_default().to_owned(),
        tag,
        deprecated,
        authenticated,
        path_params,
        query,
        body,
        output,
        paging: None,
        removed_in: removed_in.map(str::to_owned),
    }
}

fn body(spec: &Spec, tg: &mut TypeGen, op: &Value, type_name: &str) -> BodyKind {
    let Some(rb) = op.get("requestBody") else {
        return BodyKind::None;
    };
    let rb = spec.deref(rb);
    let required = bool_of(rb, "required");
    let Some(content) = rb.get("content").and_then(Value::as_object) else {
        return BodyKind::None;
    };
    if let Some(mp) = content.get("multipart/form-data") {
        let schema = spec.deref(mp.get("schema").unwrap_or(&Value::Null)).clone();
        let fields = tg.fields(&schema, type_name);
        let file = fields
            .iter()
            .find(|f| f.ty == Ty::Upload)
            .map_or_else(|| "file".to_owned(), |f| f.json.clone());
        let fields = fields.into_iter().filter(|f| f.ty != Ty::Upload).collect();
        return BodyKind::Multipart { file, fields };
    }
    let Some(json) = content.get("application/json") else {
        return BodyKind::None;
    };
    let schema_ref = json.get("schema").cloned().unwrap_or(Value::Null);
    let schema = spec.deref(&schema_ref).clone();
    let is_object = schema.get("properties").is_some() || str_of(&schema, "type") == Some("object");
    if is_object && schema.get("properties").is_some() {
        // Credential fields (`password`, `totp_secret`, `backup_codes`) are `SecretString`s
        // here as in models, so the request's `Debug` never shows them.
        let fields = tg.fields(&schema, type_name);
        BodyKind::Json { fields }
    } else {
        let (ty, _) = tg.resolve(&schema_ref, &format!("{type_name}Body"));
        BodyKind::JsonValue { ty, required }
    }
}

fn output(spec: &Spec, tg: &mut TypeGen, op: &Value, method: &str, type_name: &str) -> Output {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return Output::Empty;
    };
    let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
    codes.sort();
    let Some(code) = codes.first() else {
        return Output::Empty;
    };
    let resp = spec.deref(&responses[*code]);
    match resp.pointer("/content/application~1json/schema") {
        Some(schema) => {
            let (ty, _) = tg.resolve(schema, &format!("{type_name}Response"));
            Output::Json(ty)
        }
        None if resp.get("content").is_some() => Output::Text,
        // The interstitial is HTML with no declared content: a GET without JSON returns text.
        None if method == "get" && code.as_str() == "200" => Output::Text,
        None => Output::Empty,
    }
}

/// A string parameter whose only values are `"true"` and `"false"` is a boolean: a query
/// string spells both the same way, and a `bool` is what a caller means.
fn is_bool_text(schema: &Value) -> bool {
    let mut values: Vec<&str> = schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    values.sort_unstable();
    str_of(schema, "type") == Some("string") && values == ["false", "true"]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ungrouped_operations_get_names_from_tag_and_id() {
        let table = [
            ("API Keys", "createApiKey", "api_keys", "create"),
            ("API Keys", "getApiKeys", "api_keys", "list"),
            ("API Keys", "getApiKeySecret", "api_keys", "get_secret"),
            ("API Keys", "verifyApiKey", "api_keys", "verify"),
            (
                "Admin Portal Link Tokens",
                "revokeAdminPortalLinkToken",
                "admin_portal_link_tokens",
                "revoke",
            ),
            (
                "Instance Settings",
                "GetInstanceProtect",
                "instance_settings",
                "get_instance_protect",
            ),
        ];
        for (tag, id, g, n) in table {
            assert_eq!(
                fallback_names(tag, id),
                (g.to_owned(), n.to_owned()),
                "{id}"
            );
        }
    }

    #[test]
    fn true_false_strings_are_booleans() {
        let yes = serde_json::json!({"type": "string", "enum": ["true", "false"]});
        let other = serde_json::json!({"type": "string", "enum": ["true", "false", "maybe"]});
        let plain = serde_json::json!({"type": "string"});
        assert!(is_bool_text(&yes));
        assert!(!is_bool_text(&other));
        assert!(!is_bool_text(&plain));
    }
}
