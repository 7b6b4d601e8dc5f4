//! Printing data on stdout: JSON, NDJSON, a table or YAML, optionally through a jq filter.

use std::io::{IsTerminal, Write};

use serde_json::Value;

use crate::fail::{Failure, Result, local};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    Table,
    Yaml,
}

impl Format {
    /// From `--output`, or table on a terminal and JSON otherwise.
    pub fn pick(flag: Option<&str>) -> Format {
        match flag {
            Some("ndjson") => Format::Ndjson,
            Some("table") => Format::Table,
            Some("yaml") => Format::Yaml,
            Some(_) => Format::Json,
            None if std::io::stdout().is_terminal() => Format::Table,
            None => Format::Json,
        }
    }
}

/// A compiled `--jq` filter.
pub struct Jq {
    filter: jaq_core::Filter<jaq_core::Native<jaq_json::Val>>,
}

impl Jq {
    /// Compile `code`; errors are usage errors that quote the filter.
    pub fn compile(code: &str) -> Result<Jq> {
        use jaq_core::load::{Arena, File, Loader};
        let loader = Loader::new(jaq_std::defs().chain(jaq_json::defs()));
        let arena = Arena::default();
        let modules = loader
            .load(&arena, File { code, path: () })
            .map_err(|errs| {
                Failure::Usage(format!(
                    "--jq {code:?}: cannot parse ({} errors)",
                    errs.len()
                ))
            })?;
        let filter = jaq_core::Compiler::default()
            .with_funs(jaq_std::funs().chain(jaq_json::funs()))
            .compile(modules)
            .map_err(|errs| {
                let names: Vec<String> = errs
                    .into_iter()
                    .flat_map(|(_, es)| es.into_iter().map(|(name, _)| name.to_string()))
                    .collect();
                Failure::Usage(format!("--jq {code:?}: undefined {}", names.join(", ")))
            })?;
        Ok(Jq { filter })
    }

    /// Every output of the filter on `input`.
    pub fn run(&self, input: Value) -> Result<Vec<Value>> {
        use jaq_core::{Ctx, RcIter};
        let inputs = RcIter::new(core::iter::empty());
        let mut out = Vec::new();
        for r in self
            .filter
            .run((Ctx::new([], &inputs), jaq_json::Val::from(input)))
        {
            match r {
                Ok(v) => out.push(Value::from(v)),
                Err(e) => return Err(Failure::Local(format!("--jq: {e}"))),
            }
        }
        Ok(out)
    }
}

/// Where printed data goes, with the format and filter chosen once.
pub struct Printer {
    pub format: Format,
    pub jq: Option<Jq>,
}

impl Printer {
    /// Print one response value.
    pub fn print(&self, value: Value) -> Result<()> {
        let values = match &self.jq {
            Some(jq) => jq.run(value)?,
            None => vec![value],
        };
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let text = match self.format {
            Format::Json => {
                let mut s = String::new();
                for v in &values {
                    s.push_str(&serde_json::to_string_pretty(v).map_err(|e| local("json", e))?);
                    s.push('\n');
                }
                s
            }
            Format::Ndjson => {
                let mut s = String::new();
                for v in &values {
                    for item in items(v) {
                        s.push_str(&serde_json::to_string(item).map_err(|e| local("json", e))?);
                        s.push('\n');
                    }
                }
                s
            }
            Format::Yaml => {
                let v = single(values);
                serde_norway::to_string(&v).map_err(|e| local("yaml", e))?
            }
            Format::Table => table(&single(values)),
        };
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| local("stdout", e))
    }

    /// Print one item of a stream (`--all` with NDJSON).
    pub fn print_line(&self, item: &Value) -> Result<()> {
        let values = match &self.jq {
            Some(jq) => jq.run(item.clone())?,
            None => vec![item.clone()],
        };
        let mut s = String::new();
        for v in &values {
            s.push_str(&serde_json::to_string(v).map_err(|e| local("json", e))?);
            s.push('\n');
        }
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        out.write_all(s.as_bytes()).map_err(|e| local("stdout", e))
    }
}

fn single(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.remove(0)
    } else {
        Value::Array(values)
    }
}

/// The items of a list response (`[…]` or `{data: […]}`), else the value itself.
pub fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(a)) if o.contains_key("total_count") => a.iter().collect(),
            _ => vec![v],
        },
        _ => vec![v],
    }
}

fn cell(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Object(o) => o
                    .get("email_address")
                    .or_else(|| o.get("phone_number"))
                    .or_else(|| o.get("id"))
                    .map_or_else(|| x.to_string(), cell),
                other => cell(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    };
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    if s.chars().count() > 40 {
        let mut t: String = s.chars().take(39).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// Columns shown for a list: the first item's keys, preferring identifiers, at most eight.
fn columns(rows: &[&Value]) -> Vec<String> {
    const PREFERRED: &[&str] = &[
        "id",
        "name",
        "slug",
        "first_name",
        "last_name",
        "username",
        "email_addresses",
        "email_address",
        "phone_numbers",
        "identifier",
        "status",
        "role",
        "external_id",
        "created_at",
    ];
    let Some(Value::Object(first)) = rows.first() else {
        return Vec::new();
    };
    let mut cols: Vec<String> = PREFERRED
        .iter()
        .filter(|k| first.contains_key(**k))
        .map(|k| (*k).to_owned())
        .collect();
    for (k, v) in first {
        if cols.len() >= 8 {
            break;
        }
        if !cols.contains(k) && !v.is_object() && !v.is_array() && k != "object" {
            cols.push(k.clone());
        }
    }
    cols.truncate(8);
    cols
}

fn render(head: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count()));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(head);
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// A human table: one row per item of a list, or field/value rows for an object.
pub fn table(v: &Value) -> String {
    let rows = items(v);
    let is_list = v.is_array() || rows.len() != 1 || !std::ptr::eq(rows[0], v);
    if is_list && rows.iter().all(|r| r.is_object()) {
        if rows.is_empty() {
            return "(no items)\n".into();
        }
        let cols = columns(&rows);
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| cols.iter().map(|c| cell(&r[c.as_str()])).collect())
            .collect();
        let head: Vec<String> = cols.iter().map(|c| c.to_uppercase()).collect();
        return render(&head, &body);
    }
    match v {
        Value::Object(o) => {
            let body: Vec<Vec<String>> = o.iter().map(|(k, v)| vec![k.clone(), cell(v)]).collect();
            render(&["FIELD".into(), "VALUE".into()], &body)
        }
        Value::Array(a) => {
            let body: Vec<Vec<String>> = a.iter().map(|x| vec![cell(x)]).collect();
            render(&["VALUE".into()], &body)
        }
        other => format!("{}\n", cell(other)),
    }
}
