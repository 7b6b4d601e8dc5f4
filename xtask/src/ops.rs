//! Operations → request types, group handles and the operations table.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::names;
use crate::spec::{Spec, bool_of, doc_lines, short_doc, str_of};
use crate::types::{Def, Field, Ty, TypeGen, emit_defs};

pub const METHODS: &[&str] = &["get", "put", "post", "patch", "delete"];
const MODELS: &str = "crate::models";

/// One query or path parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub json: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub explode: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub schema: Value,
}

#[derive(Debug, Clone)]
pub enum BodyKind {
    None,
    /// A JSON object; each property is a setter.
    Json {
        fields: Vec<Field>,
    },
    /// A JSON value that is not an object (an array): one `body` setter.
    JsonValue {
        ty: Ty,
        required: bool,
    },
    /// multipart/form-data: one file part plus text fields.
    Multipart {
        file: String,
        fields: Vec<Field>,
    },
}

#[derive(Debug, Clone)]
pub enum Output {
    Json(Ty),
    Empty,
    Text,
}

#[derive(Debug, Clone)]
pub struct Paging {
    pub item: Ty,
    /// `Some((items field, total_count required?))` for `{data, total_count}` pages; `None`
    /// for bare arrays.
    pub data: Option<(String, bool)>,
    /// `total_count` is declared as `number`.
    pub total_is_float: bool,
}

#[derive(Debug, Clone)]
pub struct Op {
    pub group: String,
    pub fn_name: String,
    pub type_name: String,
    pub const_name: String,
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
    pub deprecated: bool,
    pub authenticated: bool,
    pub path_params: Vec<Param>,
    pub query: Vec<Param>,
    pub body: BodyKind,
    pub output: Output,
    pub paging: Option<Paging>,
    /// Removed from the current spec; kept from an older one.
    pub removed_in: Option<String>,
}

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
    local_defs: &mut BTreeMap<String, Vec<Def>>,
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
            ops.push(operation(
                spec, tg, local_defs, path, method, op, item, removed_in,
            ));
        }
    }
    ops
}

#[allow(clippy::too_many_arguments)]
fn operation(
    spec: &Spec,
    tg: &mut TypeGen,
    local_defs: &mut BTreeMap<String, Vec<Def>>,
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
    let defs = local_defs.entry(group.clone()).or_default();
    // Local types share the group file's namespace.
    tg.inline_is_model = false;
    let saved_used = std::mem::take(&mut tg.used);
    tg.used = local_used(defs);
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
        let (ty, _) = tg.resolve(
            &schema,
            &format!("{type_name}{}", names::pascal(&json)),
            defs,
        );
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

    let body = body(spec, tg, defs, op, &type_name);
    let output = output(spec, tg, defs, op, method, &type_name);
    tg.used = saved_used;
    tg.inline_is_model = true;

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

fn local_used(defs: &[Def]) -> HashSet<String> {
    defs.iter().map(|d| d.name().to_owned()).collect()
}

/// `users` + `list` → `ListUsers`; `users` + `get` → `GetUser`; multi-word names stand alone.
pub fn request_type_name(group: &str, fn_name: &str) -> String {
    let words = names::words(fn_name);
    if words.len() > 1 {
        return names::type_name(fn_name);
    }
    let gw = names::words(group);
    let noun = if matches!(fn_name, "list" | "count" | "list_all") {
        gw.join("_")
    } else {
        let mut g = gw.clone();
        if let Some(last) = g.last_mut() {
            *last = names::singular(last);
        }
        g.join("_")
    };
    names::type_name(&format!("{fn_name}_{noun}"))
}

fn body(
    spec: &Spec,
    tg: &mut TypeGen,
    defs: &mut Vec<Def>,
    op: &Value,
    type_name: &str,
) -> BodyKind {
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
        let fields = tg.fields(&schema, type_name, defs);
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
        let fields = tg.fields(&schema, type_name, defs);
        BodyKind::Json { fields }
    } else {
        let (ty, _) = tg.resolve(&schema_ref, &format!("{type_name}Body"), defs);
        BodyKind::JsonValue { ty, required }
    }
}

fn output(
    spec: &Spec,
    tg: &mut TypeGen,
    defs: &mut Vec<Def>,
    op: &Value,
    method: &str,
    type_name: &str,
) -> Output {
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
            let (ty, _) = tg.resolve(schema, &format!("{type_name}Response"), defs);
            Output::Json(ty)
        }
        None if resp.get("content").is_some() => Output::Text,
        // The interstitial is HTML with no declared content: a GET without JSON returns text.
        None if method == "get" && code.as_str() == "200" => Output::Text,
        None => Output::Empty,
    }
}

/// Fill in `paging` for list operations (limit + offset) whose output is a list.
pub fn detect_paging(
    ops: &mut [Op],
    model_defs: &BTreeMap<String, Def>,
    local_defs: &BTreeMap<String, Vec<Def>>,
) {
    for op in ops.iter_mut() {
        // `paginated=true` wraps a bare list in `{data, total_count}`: decode both shapes.
        if !op.query.iter().any(|p| p.json == "paginated") {
            continue;
        }
        let Output::Json(mut ty) = op.output.clone() else {
            continue;
        };
        while let Ty::Model(n) | Ty::Local(n) = &ty {
            let def = model_defs.get(n).cloned().or_else(|| {
                local_defs
                    .get(&op.group)
                    .and_then(|d| d.iter().find(|d| d.name() == n).cloned())
            });
            match def {
                Some(Def::Alias { ty: inner, .. }) => ty = inner,
                _ => break,
            }
        }
        if let Ty::Vec(item) = ty {
            op.output = Output::Json(Ty::Page(item));
        }
    }
    for op in ops {
        let has = |n: &str| op.query.iter().any(|p| p.json == n);
        if !(has("limit") && has("offset")) {
            continue;
        }
        let Output::Json(ty) = &op.output else {
            continue;
        };
        let lookup = |ty: &Ty| -> Option<Def> {
            match ty {
                Ty::Model(n) => model_defs.get(n).cloned(),
                Ty::Local(n) => local_defs
                    .get(&op.group)
                    .and_then(|d| d.iter().find(|d| d.name() == n).cloned()),
                _ => None,
            }
        };
        // Follow aliases (`pub type Directories = Vec<Directory>`).
        let resolve = |ty: &Ty| -> Ty {
            let mut ty = ty.clone();
            while let Some(Def::Alias { ty: inner, .. }) = lookup(&ty) {
                ty = inner;
            }
            ty
        };
        op.paging = match resolve(ty) {
            Ty::Page(item) => Some(Paging {
                item: *item,
                data: Some(("data".into(), false)),
                total_is_float: false,
            }),
            Ty::Vec(item) => Some(Paging {
                item: *item,
                data: None,
                total_is_float: false,
            }),
            page => match lookup(&page) {
                // `{<items>: [...], total_count}`: the one required array field holds the items
                // (`data` almost everywhere, `m2m_tokens` in one place).
                Some(Def::Struct { fields, .. }) => {
                    let total = fields.iter().find(|f| f.json == "total_count");
                    let arrays: Vec<(&Field, Ty)> = fields
                        .iter()
                        .filter(|f| f.required && !f.nullable)
                        .filter_map(|f| match resolve(&f.ty) {
                            Ty::Vec(item) => Some((f, *item)),
                            _ => None,
                        })
                        .collect();
                    match (arrays.as_slice(), total) {
                        ([(field, item)], Some(t)) => Some(Paging {
                            item: item.clone(),
                            data: Some((field.rust.clone(), t.required && !t.nullable)),
                            total_is_float: t.ty == Ty::F64,
                        }),
                        _ => None,
                    }
                }
                _ => None,
            },
        };
    }
}

/// The Rust argument type and conversion of a setter for `ty`.
fn setter_arg(ty: &Ty, enums: &HashSet<String>) -> (String, &'static str) {
    match ty {
        Ty::Str => ("impl Into<String>".into(), ".into()"),
        Ty::Secret => ("impl Into<crate::SecretString>".into(), ".into()"),
        Ty::Model(n) | Ty::Local(n) if enums.contains(n) => {
            (format!("impl Into<{}>", ty.render(MODELS)), ".into()")
        }
        Ty::Vec(inner) => match &**inner {
            Ty::Str => (
                "impl IntoIterator<Item = impl Into<String>>".into(),
                ".into_iter().map(Into::into).collect()",
            ),
            Ty::Secret => (
                "impl IntoIterator<Item = impl Into<crate::SecretString>>".into(),
                ".into_iter().map(Into::into).collect()",
            ),
            Ty::Model(n) | Ty::Local(n) if enums.contains(n) => (
                format!(
                    "impl IntoIterator<Item = impl Into<{}>>",
                    inner.render(MODELS)
                ),
                ".into_iter().map(Into::into).collect()",
            ),
            other => (
                format!("impl IntoIterator<Item = {}>", other.render(MODELS)),
                ".into_iter().collect()",
            ),
        },
        other => (other.render(MODELS), ""),
    }
}

fn op_doc(op: &Op) -> Vec<String> {
    let mut lines = vec![
        if op.summary.is_empty() {
            op.operation_id.clone()
        } else {
            op.summary.clone()
        },
        String::new(),
    ];
    let tag = op.tag.replace(' ', "%20");
    lines.push(format!(
        "`{} {}` — [Clerk reference](https://clerk.com/docs/reference/backend-api/tag/{tag}#operation/{})",
        op.method, op.path, op.operation_id
    ));
    if let Some(v) = &op.removed_in {
        lines.push(String::new());
        lines.push(format!(
            "Removed from the API in version {v}; kept for compatibility."
        ));
    }
    lines
}

fn deprecated_attr(op: &Op) -> Option<String> {
    if !op.deprecated {
        return None;
    }
    Some(match &op.removed_in {
        Some(v) => {
            format!("#[deprecated(note = \"removed from Clerk's Backend API in version {v}\")]")
        }
        None => "#[deprecated(note = \"deprecated by Clerk's Backend API\")]".to_owned(),
    })
}

/// Emit one group file.
pub fn emit_group(
    group: &str,
    ops: &[Op],
    defs: &[Def],
    enums: &HashSet<String>,
    out: &mut String,
) {
    let handle = format!("{}Api", names::type_name(group));
    let _ = writeln!(
        out,
        "//! Operations of the `{group}` group: [`Clerk::{}`](crate::Clerk::{}).\n",
        names::field(group),
        names::field(group)
    );
    out.push_str("use crate::Clerk;\nuse crate::rt::{ApiRequest, Detached, Operation, OperationInfo, PathBuilder, RawResponse};\n\n");

    // Group handle.
    let _ = writeln!(
        out,
        "/// The `{group}` operations, borrowed from a [`Clerk`]: `clerk.{}()`.",
        names::field(group)
    );
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, Copy)]\npub struct {handle}<'c> {{\n    pub(crate) clerk: &'c Clerk,\n}}\n"
    );
    let _ = writeln!(out, "impl<'c> {handle}<'c> {{");
    for op in ops {
        let mut doc = op_doc(op);
        doc.truncate(3);
        doc_lines(out, "    ", &doc);
        if let Some(d) = deprecated_attr(op) {
            let _ = writeln!(out, "    {d}");
        }
        let args: Vec<String> = op
            .path_params
            .iter()
            .map(|p| format!("{}: impl Into<String>", p.rust))
            .collect();
        let names_: Vec<&str> = op.path_params.iter().map(|p| p.rust.as_str()).collect();
        let _ = writeln!(
            out,
            "    pub fn {}(self, {}) -> {}<&'c Clerk> {{\n        #[allow(deprecated)]\n        {}::new({}).rebind(self.clerk)\n    }}\n",
            op.fn_name,
            args.join(", "),
            op.type_name,
            op.type_name,
            names_.join(", ")
        );
    }
    out.push_str("}\n\n");

    for op in ops {
        emit_request(op, enums, out);
    }
    emit_defs(defs, MODELS, out);
}

fn body_field_type(f: &Field) -> String {
    let t = f.ty.render(MODELS);
    if f.nullable {
        format!("Option<Option<{t}>>")
    } else {
        format!("Option<{t}>")
    }
}

fn emit_request(op: &Op, enums: &HashSet<String>, out: &mut String) {
    let t = &op.type_name;
    let body_struct = format!("{t}Body");
    // Body struct (private): every field optional, nullable ones tri-state.
    if let BodyKind::Json { fields } = &op.body {
        let _ = writeln!(
            out,
            "#[derive(Debug, Clone, Default, serde::Serialize)]\nstruct {body_struct} {{"
        );
        for f in fields {
            let mut attrs = vec!["skip_serializing_if = \"Option::is_none\"".to_owned()];
            if f.rust != f.json {
                attrs.insert(0, format!("rename = {:?}", f.json));
            }
            let _ = writeln!(
                out,
                "    #[serde({})]\n    {}: {},",
                attrs.join(", "),
                f.rust,
                body_field_type(f)
            );
        }
        out.push_str("}\n\n");
    }

    let mut doc = op_doc(op);
    doc.push(String::new());
    let ctor_args: Vec<String> = op
        .path_params
        .iter()
        .map(|p| format!("\"{}\"", example_id(p)))
        .collect();
    doc.push(format!(
        "Build it with [`{t}::new`] and send it with `.send(&clerk)`, or start from `clerk.{}().{}({})`.",
        names::field(&op.group),
        op.fn_name,
        ctor_args.join(", ")
    ));
    doc_lines(out, "", &doc);
    if let Some(d) = deprecated_attr(op) {
        let _ = writeln!(out, "{d}");
    }
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, Default)]\n#[must_use = \"a request does nothing until it is sent\"]\npub struct {t}<B = Detached> {{"
    );
    out.push_str("    client: B,\n    options: crate::rt::RequestOptions,\n");
    for p in &op.path_params {
        let _ = writeln!(out, "    {}: String,", p.rust);
    }
    for p in &op.query {
        let _ = writeln!(out, "    {}: Option<{}>,", p.rust, p.ty.render(MODELS));
    }
    match &op.body {
        BodyKind::None => {}
        BodyKind::Json { .. } => {
            let _ = writeln!(out, "    body: {body_struct},");
        }
        BodyKind::JsonValue { ty, .. } => {
            let _ = writeln!(out, "    body: Option<{}>,", ty.render(MODELS));
        }
        BodyKind::Multipart { fields, .. } => {
            out.push_str("    file: Option<crate::Upload>,\n");
            for f in fields {
                let _ = writeln!(out, "    {}: Option<String>,", f.rust);
            }
        }
    }
    out.push_str("}\n\n");

    // Constructor, send, rebind.
    let output_ty = match &op.output {
        Output::Json(ty) => ty.render(MODELS),
        Output::Empty => "()".into(),
        Output::Text => "String".into(),
    };
    let allow = if op.deprecated {
        "#[allow(deprecated)]\n"
    } else {
        ""
    };
    let _ = writeln!(out, "{allow}impl {t} {{");
    let _ = writeln!(
        out,
        "    /// A request with its path parameters; set the rest with the setters."
    );
    if let Some(d) = deprecated_attr(op) {
        let _ = writeln!(out, "    {d}");
    }
    let args: Vec<String> = op
        .path_params
        .iter()
        .map(|p| format!("{}: impl Into<String>", p.rust))
        .collect();
    let inits: Vec<String> = op
        .path_params
        .iter()
        .map(|p| format!("{}: {}.into(), ", p.rust, p.rust))
        .collect();
    let _ = writeln!(
        out,
        "    pub fn new({}) -> Self {{\n        Self {{ {}..Default::default() }}\n    }}\n",
        args.join(", "),
        inits.concat()
    );
    let _ = writeln!(
        out,
        "    /// Send the request.\n    ///\n    /// # Errors\n    /// See [`crate::Error`].\n    pub async fn send(self, clerk: &Clerk) -> crate::Result<{output_ty}> {{\n        clerk.call(self).await\n    }}"
    );
    if let Some(pg) = &op.paging {
        let item = pg.item.render(MODELS);
        let _ = writeln!(
            out,
            "\n    /// Every item of every page, fetched as the stream is polled.\n    pub fn into_stream(self, clerk: &Clerk) -> impl crate::pagination::Stream<Item = crate::Result<{item}>> + Unpin + Send + 'static + use<> {{\n        crate::pagination::items(clerk.clone(), self)\n    }}\n\n    /// Every page, each with the list's `total_count` when the API reports it.\n    pub fn into_pages(self, clerk: &Clerk) -> impl crate::pagination::Stream<Item = crate::Result<crate::pagination::Page<{item}>>> + Unpin + Send + 'static + use<> {{\n        crate::pagination::pages(clerk.clone(), self)\n    }}"
        );
    }
    out.push_str("}\n\n");

    let _ = writeln!(out, "{allow}impl {t}<&Clerk> {{");
    let _ = writeln!(
        out,
        "    /// Send the request with the client it was created from.\n    ///\n    /// # Errors\n    /// See [`crate::Error`].\n    pub async fn send(self) -> crate::Result<{output_ty}> {{\n        let clerk = self.client;\n        clerk.call(self.rebind(Detached)).await\n    }}"
    );
    if let Some(pg) = &op.paging {
        let item = pg.item.render(MODELS);
        let _ = writeln!(
            out,
            "\n    /// Every item of every page, fetched as the stream is polled.\n    pub fn into_stream(self) -> impl crate::pagination::Stream<Item = crate::Result<{item}>> + Unpin + Send + 'static + use<> {{\n        let clerk = self.client.clone();\n        crate::pagination::items(clerk, self.rebind(Detached))\n    }}\n\n    /// Every page, each with the list's `total_count` when the API reports it.\n    pub fn into_pages(self) -> impl crate::pagination::Stream<Item = crate::Result<crate::pagination::Page<{item}>>> + Unpin + Send + 'static + use<> {{\n        let clerk = self.client.clone();\n        crate::pagination::pages(clerk, self.rebind(Detached))\n    }}"
        );
    }
    out.push_str("}\n\n");

    // Setters (any binding).
    let _ = writeln!(out, "{allow}impl<B> {t}<B> {{");
    let mut moves: Vec<String> = vec!["client".into(), "options: self.options".into()];
    for p in &op.path_params {
        moves.push(format!("{0}: self.{0}", p.rust));
    }
    for p in &op.query {
        emit_setter(
            out,
            &p.rust,
            &p.rust,
            &p.ty,
            p.doc.as_deref(),
            p.deprecated,
            false,
            enums,
            "",
        );
        moves.push(format!("{0}: self.{0}", p.rust));
    }
    match &op.body {
        BodyKind::Json { fields } => {
            let taken: HashSet<&str> = op.query.iter().map(|p| p.rust.as_str()).collect();
            for f in fields {
                let name = if taken.contains(f.rust.as_str()) {
                    format!("body_{}", f.rust)
                } else {
                    f.rust.clone()
                };
                emit_setter(
                    out,
                    &name,
                    &f.rust,
                    &f.ty,
                    f.doc.as_deref(),
                    f.deprecated,
                    f.nullable,
                    enums,
                    "body.",
                );
            }
            moves.push("body: self.body".into());
        }
        BodyKind::JsonValue { ty, .. } => {
            let (arg, conv) = setter_arg(ty, enums);
            let _ = writeln!(
                out,
                "    /// The request body.\n    pub fn body(mut self, value: {arg}) -> Self {{\n        self.body = Some(value{conv});\n        self\n    }}\n"
            );
            moves.push("body: self.body".into());
        }
        BodyKind::Multipart { file, fields } => {
            let _ = writeln!(
                out,
                "    /// The file to upload (form field `{file}`): from a path (streamed), bytes or a stream.\n    pub fn file(mut self, file: crate::Upload) -> Self {{\n        self.file = Some(file);\n        self\n    }}\n"
            );
            moves.push("file: self.file".into());
            for f in fields {
                emit_setter(
                    out,
                    &f.rust,
                    &f.rust,
                    &Ty::Str,
                    f.doc.as_deref(),
                    f.deprecated,
                    false,
                    enums,
                    "",
                );
                moves.push(format!("{0}: self.{0}", f.rust));
            }
        }
        BodyKind::None => {}
    }
    out.push_str("    crate::rt::request_options!();\n\n");
    let _ = writeln!(
        out,
        "    fn rebind<C>(self, client: C) -> {t}<C> {{\n        {t} {{ {} }}\n    }}",
        moves.join(", ")
    );
    out.push_str("}\n\n");

    emit_operation_impl(op, &output_ty, out);
    if let Some(pg) = &op.paging {
        emit_paginated(op, pg, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn emit_setter(
    out: &mut String,
    name: &str,
    field: &str,
    ty: &Ty,
    doc: Option<&str>,
    deprecated: bool,
    nullable: bool,
    enums: &HashSet<String>,
    prefix: &str,
) {
    let (arg, conv) = setter_arg(ty, enums);
    let mut lines = vec![doc.map_or_else(|| format!("Set `{field}`."), str::to_owned)];
    if deprecated {
        lines.push(String::new());
        lines.push("**Deprecated** by the API.".into());
    }
    doc_lines(out, "    ", &lines);
    let value = if nullable {
        format!("Some(Some(value{conv}))")
    } else {
        format!("Some(value{conv})")
    };
    let _ = writeln!(
        out,
        "    pub fn {name}(mut self, value: {arg}) -> Self {{\n        self.{prefix}{field} = {value};\n        self\n    }}\n"
    );
    if nullable {
        let _ = writeln!(
            out,
            "    /// Send `{field}: null`, clearing the stored value (leaving the setter unused keeps it).\n    pub fn clear_{name}(mut self) -> Self {{\n        self.{prefix}{field} = Some(None);\n        self\n    }}\n"
        );
    }
}

fn emit_operation_impl(op: &Op, output_ty: &str, out: &mut String) {
    let t = &op.type_name;
    let allow = if op.deprecated {
        "#[allow(deprecated)]\n"
    } else {
        ""
    };
    let _ = writeln!(out, "{allow}impl<B: Send> Operation for {t}<B> {{");
    let _ = writeln!(out, "    type Output = {output_ty};");
    let _ = writeln!(
        out,
        "    const INFO: &'static OperationInfo = &crate::generated::operations::{};\n",
        op.const_name
    );
    out.push_str(
        "    fn build(self) -> crate::Result<ApiRequest> {\n        let info = Self::INFO;\n",
    );
    // Path.
    let mut path_expr = String::from("PathBuilder::new()");
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        let lit = &rest[..start];
        let name = &rest[start + 1..end];
        if !lit.is_empty() {
            let _ = write!(path_expr, ".lit({lit:?})");
        }
        let rust = op
            .path_params
            .iter()
            .find(|p| p.json == name)
            .map_or_else(|| names::field(name), |p| p.rust.clone());
        let _ = write!(path_expr, ".param({name:?}, &self.{rust})?");
        rest = &rest[(end + 1).min(rest.len())..];
    }
    if !rest.is_empty() {
        let _ = write!(path_expr, ".lit({rest:?})");
    }
    let _ = writeln!(out, "        let path = {path_expr}.finish();");
    // Required fields.
    for p in op.query.iter().filter(|p| p.required) {
        let _ = writeln!(
            out,
            "        if self.{}.is_none() {{\n            return Err(crate::rt::missing(info, {:?}));\n        }}",
            p.rust, p.json
        );
    }
    // Bounds the spec declares (`limit` ≤ 500, `offset` ≥ 0): an error before any I/O.
    for p in op.query.iter().filter(|p| p.ty == Ty::I64) {
        let bound = |k: &str| p.schema.get(k).and_then(Value::as_i64);
        let (min, max) = (bound("minimum"), bound("maximum"));
        if min.is_some() || max.is_some() {
            let _ = writeln!(
                out,
                "        crate::pagination::check_range(info, {:?}, self.{}, {min:?}, {max:?})?;",
                p.json, p.rust
            );
        }
    }
    // Query.
    if op.query.is_empty() {
        out.push_str("        let query = String::new();\n");
    } else {
        out.push_str("        let mut q = crate::rt::QueryWriter::new();\n");
        for p in &op.query {
            match (&p.ty, p.explode) {
                (Ty::Vec(_), true) => {
                    let _ = writeln!(
                        out,
                        "        q.exploded({:?}, self.{}.as_deref());",
                        p.json, p.rust
                    );
                }
                (Ty::Vec(_), false) => {
                    let _ = writeln!(
                        out,
                        "        q.joined({:?}, self.{}.as_deref());",
                        p.json, p.rust
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "        q.scalar({:?}, self.{}.as_ref());",
                        p.json, p.rust
                    );
                }
            }
        }
        out.push_str("        let query = q.finish();\n");
    }
    // Body.
    match &op.body {
        BodyKind::None => out.push_str("        let body = crate::rt::Body::Empty;\n"),
        BodyKind::Json { fields } => {
            for f in fields.iter().filter(|f| f.required) {
                let _ = writeln!(
                    out,
                    "        if self.body.{}.is_none() {{\n            return Err(crate::rt::missing(info, {:?}));\n        }}",
                    f.rust, f.json
                );
            }
            out.push_str("        let body = crate::rt::json_body(&self.body)?;\n");
        }
        BodyKind::JsonValue { required, .. } => {
            if *required {
                out.push_str("        let Some(value) = &self.body else {\n            return Err(crate::rt::missing(info, \"body\"));\n        };\n        let body = crate::rt::json_body(value)?;\n");
            } else {
                out.push_str("        let body = match &self.body {\n            Some(value) => crate::rt::json_body(value)?,\n            None => crate::rt::Body::Empty,\n        };\n");
            }
        }
        BodyKind::Multipart { file, fields } => {
            let _ = writeln!(
                out,
                "        let Some(file) = self.file else {{\n            return Err(crate::rt::missing(info, {file:?}));\n        }};"
            );
            let texts: Vec<String> = fields
                .iter()
                .map(|f| format!("self.{}.map(|v| ({:?}, v))", f.rust, f.json))
                .collect();
            let text = if texts.is_empty() {
                "Vec::new()".to_owned()
            } else {
                format!("[{}].into_iter().flatten().collect()", texts.join(", "))
            };
            let _ = writeln!(
                out,
                "        let text: Vec<(&'static str, String)> = {text};\n        let body = crate::rt::Body::Multipart {{ field: {file:?}, file, text }};"
            );
        }
    }
    out.push_str(
        "        Ok(ApiRequest { info, path, query, body, options: self.options })\n    }\n\n",
    );
    let decode = match &op.output {
        Output::Json(_) => "crate::rt::decode_json(response)",
        Output::Empty => "crate::rt::decode_empty(response)",
        Output::Text => "crate::rt::decode_text(response)",
    };
    let _ = writeln!(
        out,
        "    fn decode(response: RawResponse) -> crate::Result<Self::Output> {{\n        {decode}\n    }}\n}}\n"
    );
}

fn emit_paginated(op: &Op, pg: &Paging, out: &mut String) {
    let t = &op.type_name;
    let limit_default = op
        .query
        .iter()
        .find(|p| p.json == "limit")
        .and_then(|p| p.schema.get("default").and_then(Value::as_i64))
        .unwrap_or(10);
    // Some list operations declare `limit`/`offset`/`total_count` as `number`.
    let is_float = |name: &str| op.query.iter().any(|p| p.json == name && p.ty == Ty::F64);
    let (get_off, set_off) = if is_float("offset") {
        ("self.offset.map_or(0, |v| v as i64)", "Some(offset as f64)")
    } else {
        ("self.offset.unwrap_or(0)", "Some(offset)")
    };
    let get_limit = if is_float("limit") {
        format!("self.limit.map_or({limit_default}, |v| v as i64)")
    } else {
        format!("self.limit.unwrap_or({limit_default})")
    };
    let total = if pg.total_is_float {
        "output.total_count as i64"
    } else {
        "output.total_count"
    };
    let items = match &pg.data {
        None => "(output, None)".to_owned(),
        Some((field, true)) => format!("(output.{field}, Some({total}))"),
        Some((field, false)) if pg.total_is_float => {
            format!("(output.{field}, output.total_count.map(|t| t as i64))")
        }
        Some((field, false)) => format!("(output.{field}, output.total_count)"),
    };
    let allow = if op.deprecated {
        "#[allow(deprecated)]\n"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{allow}impl crate::pagination::Paginated for {t} {{\n    type Item = {};\n    fn offset(&self) -> i64 {{\n        {get_off}\n    }}\n    fn set_offset(&mut self, offset: i64) {{\n        self.offset = {set_off};\n    }}\n    fn limit(&self) -> i64 {{\n        {get_limit}\n    }}\n    fn into_items(output: Self::Output) -> (Vec<Self::Item>, Option<i64>) {{\n        {items}\n    }}\n}}\n",
        pg.item.render(MODELS)
    );
}

/// Example value for a path parameter (used in docs and conformance tests).
pub fn example_id(p: &Param) -> String {
    if let Some(e) = p.schema.get("example").and_then(Value::as_str) {
        return e.to_owned();
    }
    let base = p
        .json
        .trim_end_matches("_id")
        .trim_end_matches("ID")
        .trim_end_matches("Id");
    format!("{}_123", names::snake(base))
}

/// Emit the operations table.
pub fn emit_table(ops: &[Op], out: &mut String) {
    out.push_str("//! Every operation of the API: group, name, method, path.\n\nuse crate::rt::OperationInfo;\n\n");
    for op in ops {
        let _ = writeln!(
            out,
            "/// `{} {}` ({}.{}).\npub const {}: OperationInfo = OperationInfo {{ group: {:?}, name: {:?}, operation_id: {:?}, method: {:?}, path: {:?}, deprecated: {}, authenticated: {} }};",
            op.method,
            op.path,
            op.group,
            op.fn_name,
            op.const_name,
            op.group,
            op.fn_name,
            op.operation_id,
            op.method,
            op.path,
            op.deprecated,
            op.authenticated
        );
    }
    out.push_str(
        "\n/// All operations, in spec order.\npub static OPERATIONS: &[OperationInfo] = &[\n",
    );
    for op in ops {
        let _ = writeln!(out, "    {},", op.const_name);
    }
    out.push_str("];\n");
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
    fn request_type_names() {
        assert_eq!(request_type_name("users", "list"), "ListUsers");
        assert_eq!(request_type_name("users", "get"), "GetUser");
        assert_eq!(
            request_type_name("users", "get_oauth_access_token"),
            "GetOauthAccessToken"
        );
        assert_eq!(
            request_type_name("waitlist_entries", "create"),
            "CreateWaitlistEntry"
        );
    }
}
