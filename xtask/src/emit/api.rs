//! Printing one group file: the group handle, each operation's request type (setters, `send`,
//! paging) and the group's own inline types.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::Value;

use super::Cx;
use super::types::emit_defs;
use crate::ir::{BodyKind, Field, Home, Ir, Op, Output, Paging, Param, Ty, TypeId};
use crate::names;
use crate::spec::doc_lines;

/// The Rust argument type and conversion of a setter for `ty`.
fn setter_arg(cx: &Cx<'_>, ty: &Ty) -> (String, &'static str) {
    match ty {
        Ty::Str => ("impl Into<String>".into(), ".into()"),
        Ty::Secret => ("impl Into<crate::SecretString>".into(), ".into()"),
        Ty::Named(_) if cx.ir.is_enum(ty) => (format!("impl Into<{}>", cx.ty(ty)), ".into()"),
        Ty::Vec(inner) => match &**inner {
            Ty::Str => (
                "impl IntoIterator<Item = impl Into<String>>".into(),
                ".into_iter().map(Into::into).collect()",
            ),
            Ty::Secret => (
                "impl IntoIterator<Item = impl Into<crate::SecretString>>".into(),
                ".into_iter().map(Into::into).collect()",
            ),
            Ty::Named(_) if cx.ir.is_enum(inner) => (
                format!("impl IntoIterator<Item = impl Into<{}>>", cx.ty(inner)),
                ".into_iter().map(Into::into).collect()",
            ),
            other => (
                format!("impl IntoIterator<Item = {}>", cx.request_ty(other)),
                ".into_iter().collect()",
            ),
        },
        other => (cx.request_ty(other), ""),
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
pub fn emit_group(ir: &Ir, group: &str, ops: &[&Op], out: &mut String) {
    let home = Home::Group(group.to_owned());
    let cx = Cx::new(ir, home.clone());
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
        emit_request(&cx, op, out);
    }
    let local: Vec<TypeId> = ir
        .live()
        .into_iter()
        .filter(|&id| ir.get(id).home == home)
        .collect();
    emit_defs(&cx, &local, out);
}

fn body_field_type(cx: &Cx<'_>, f: &Field) -> String {
    let t = cx.request_ty(&f.ty);
    if f.nullable {
        format!("Option<Option<{t}>>")
    } else {
        format!("Option<{t}>")
    }
}

fn emit_request(cx: &Cx<'_>, op: &Op, out: &mut String) {
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
                body_field_type(cx, f)
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
        let _ = writeln!(out, "    {}: Option<{}>,", p.rust, cx.request_ty(&p.ty));
    }
    match &op.body {
        BodyKind::None => {}
        BodyKind::Json { .. } => {
            let _ = writeln!(out, "    body: {body_struct},");
        }
        BodyKind::JsonValue { ty, .. } => {
            let _ = writeln!(out, "    body: Option<{}>,", cx.request_ty(ty));
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
        Output::Json(ty) => cx.ty(ty),
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
        let item = cx.ty(&pg.item);
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
        let item = cx.ty(&pg.item);
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
            cx,
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
                    cx,
                    "body.",
                );
            }
            moves.push("body: self.body".into());
        }
        BodyKind::JsonValue { ty, .. } => {
            let (arg, conv) = setter_arg(cx, ty);
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
                    cx,
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
        emit_paginated(cx, op, pg, out);
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
    cx: &Cx<'_>,
    prefix: &str,
) {
    let (arg, conv) = setter_arg(cx, ty);
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

fn emit_paginated(cx: &Cx<'_>, op: &Op, pg: &Paging, out: &mut String) {
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
        cx.ty(&pg.item)
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
