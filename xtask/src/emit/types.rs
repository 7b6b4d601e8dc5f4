//! Printing type definitions: structs (with `new(...)`), string enums, unions and aliases.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::Cx;
use crate::ir::{Field, Kind, Ty, TypeId, Variant};
use crate::names;
use crate::spec::doc_lines;

/// Emit the definitions `ids` as Rust source.
pub fn emit_defs(cx: &Cx<'_>, ids: &[TypeId], out: &mut String) {
    for &id in ids {
        let def = cx.ir.get(id);
        let (name, doc) = (&def.name, &def.doc);
        match &def.kind {
            Kind::Struct { fields } => emit_struct(cx, name, doc.as_deref(), fields, out),
            Kind::Enum { values } => emit_enum(name, doc.as_deref(), values, out),
            Kind::Union { variants, tag } => {
                emit_union(cx, name, doc.as_deref(), variants, tag.as_deref(), out);
            }
            Kind::Alias { ty } => {
                doc_lines(
                    out,
                    "",
                    &[doc.clone().unwrap_or_else(|| format!("`{name}`."))],
                );
                let _ = writeln!(out, "pub type {name} = {};\n", cx.ty(ty));
            }
        }
    }
}

/// The field's Rust type in a response model.
pub fn field_type(cx: &Cx<'_>, f: &Field) -> String {
    let t = cx.ty(&f.ty);
    if f.required && !f.nullable {
        t
    } else {
        format!("Option<{t}>")
    }
}

fn emit_struct(cx: &Cx<'_>, name: &str, doc: Option<&str>, fields: &[Field], out: &mut String) {
    doc_lines(
        out,
        "",
        &[doc.map_or_else(|| format!("`{name}`."), str::to_owned)],
    );
    let all_optional = fields.iter().all(|f| !f.required || f.nullable);
    let default = if all_optional { ", Default" } else { "" };
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq{default}, serde::Serialize, serde::Deserialize)]"
    );
    out.push_str("#[non_exhaustive]\n");
    let _ = writeln!(out, "pub struct {name} {{");
    for f in fields {
        let mut lines = Vec::new();
        if let Some(d) = &f.doc {
            lines.push(d.clone());
        }
        if lines.is_empty() {
            lines.push(format!("`{}`.", f.json));
        }
        if f.deprecated {
            lines.push(String::new());
            lines.push("**Deprecated.**".into());
        }
        doc_lines(out, "    ", &lines);
        let ty = field_type(cx, f);
        let mut attrs = Vec::new();
        if f.rust != f.json {
            attrs.push(format!("rename = {:?}", f.json));
        }
        if ty.starts_with("Option<") {
            attrs.push("default".into());
            attrs.push("skip_serializing_if = \"Option::is_none\"".into());
        } else if drifts_to_default(f) {
            attrs.push("default".into());
            attrs.push("deserialize_with = \"crate::macros::__private::null_as_default\"".into());
        }
        if !attrs.is_empty() {
            let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
        }
        let _ = writeln!(out, "    pub {}: {ty},", f.rust);
    }
    out.push_str("}\n\n");
    if !all_optional {
        emit_constructor(cx, name, fields, out);
    }
}

/// The drift policy for a required field a response leaves out or sends as `null`: booleans,
/// lists and maps decode as `false` / empty (what the API means by their absence); every other
/// type fails the decode (a made-up id or timestamp would be silent data corruption).
fn drifts_to_default(f: &Field) -> bool {
    f.required && !f.nullable && matches!(f.ty, Ty::Bool | Ty::Vec(_) | Ty::Map | Ty::MapOf(_))
}

/// `new(required fields…)`: models are `#[non_exhaustive]`, so code outside the crate (tests,
/// mocks) builds them from their required fields and sets the optional ones afterwards.
fn emit_constructor(cx: &Cx<'_>, name: &str, fields: &[Field], out: &mut String) {
    let required: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && !f.nullable)
        .collect();
    let args: Vec<String> = required
        .iter()
        .map(|f| format!("{}: impl Into<{}>", f.rust, cx.ty(&f.ty)))
        .collect();
    let inits: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.required && !f.nullable {
                format!("{0}: {0}.into()", f.rust)
            } else {
                format!("{}: None", f.rust)
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "impl {name} {{\n    /// A value with its required fields; the optional ones start as `None`.\n    #[allow(clippy::too_many_arguments)]\n    pub fn new({}) -> Self {{\n        Self {{ {} }}\n    }}\n}}\n",
        args.join(", "),
        inits.join(", ")
    );
}

fn emit_enum(name: &str, doc: Option<&str>, values: &[String], out: &mut String) {
    out.push_str("crate::string_enum! {\n");
    doc_lines(
        out,
        "    ",
        &[doc.map_or_else(|| format!("`{name}`."), str::to_owned)],
    );
    let _ = writeln!(out, "    pub enum {name} {{");
    let mut taken = HashSet::new();
    for v in values {
        let mut var = names::variant(v);
        while !taken.insert(var.clone()) {
            var.push('_');
        }
        if v.is_empty() {
            out.push_str("        /// The empty string.\n");
        } else {
            let _ = writeln!(out, "        /// `{}`", v.replace('`', "'"));
        }
        let _ = writeln!(out, "        {var} = {v:?},");
    }
    out.push_str("    }\n}\n\n");
}

fn emit_union(
    cx: &Cx<'_>,
    name: &str,
    doc: Option<&str>,
    variants: &[Variant],
    tag: Option<&str>,
    out: &mut String,
) {
    let doc = doc.map_or_else(
        || format!("One of several shapes of `{name}`."),
        str::to_owned,
    );
    match tag {
        Some(tag) => {
            out.push_str("crate::tagged_union! {\n");
            doc_lines(out, "    ", &[doc]);
            let _ = writeln!(out, "    pub enum {name} tag {tag:?} {{");
            for v in variants {
                let value = v.tag_value.clone().unwrap_or_else(|| v.name.clone());
                let _ = writeln!(out, "        /// `{tag}: {value}`");
                let _ = writeln!(out, "        {}({}) = {value:?},", v.name, cx.ty(&v.ty));
            }
            out.push_str("    }\n}\n\n");
        }
        None => {
            doc_lines(
                out,
                "",
                &[
                    doc,
                    String::new(),
                    "Decoded by trying each shape in order; anything else is kept as `Unknown`."
                        .into(),
                ],
            );
            out.push_str("#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\n#[serde(untagged)]\n#[non_exhaustive]\n");
            let _ = writeln!(out, "pub enum {name} {{");
            for v in variants {
                let _ = writeln!(out, "    /// `{}`", v.name);
                let _ = writeln!(out, "    {}({}),", v.name, cx.ty(&v.ty));
            }
            out.push_str("    /// A shape this version of the crate does not know.\n    Unknown(serde_json::Value),\n}\n\n");
        }
    }
}
