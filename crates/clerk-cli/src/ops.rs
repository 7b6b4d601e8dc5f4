//! API operations as clap subcommands, built from the generated table, and sent through the SDK.

use std::collections::HashSet;
use std::io::{IsTerminal, Read};

use clap::{Arg, ArgAction, ArgMatches};
use serde_json::{Map, Value};

use crate::fail::{Failure, Result, local};
use crate::generated::commands::COMMANDS;
use crate::output::{Printer, items};
use crate::sdk::{self, ApiRequest, Body as WireBody, Clerk, Upload};
use crate::table::{Body, Command, Kind, Paging, Param};

/// Flags every operation command has; a spec field with one of these names gets a `field-` prefix.
const RESERVED: &[&str] = &[
    "data", "all", "help", "file", "output", "jq", "query", "yes", "dry-run", "profile", "api-url",
];

/// `email_address` → `email-address`.
pub fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

/// Flag id of a param (unique within its command).
fn flag_names(cmd: &Command) -> Vec<(String, &'static Param, bool)> {
    let mut seen: HashSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
    for p in cmd.path_params {
        seen.insert(kebab(p));
    }
    let mut out = Vec::new();
    let fields: &[Param] = match &cmd.body {
        Body::Fields(f) | Body::Multipart { fields: f, .. } => f,
        _ => &[],
    };
    for (p, is_body) in cmd
        .query
        .iter()
        .map(|p| (p, false))
        .chain(fields.iter().map(|p| (p, true)))
    {
        let mut name = kebab(p.name);
        if seen.contains(&name) {
            name = format!("{}-{name}", if is_body { "field" } else { "query" });
        }
        seen.insert(name.clone());
        out.push((name, p, is_body));
    }
    out
}

fn parse_kind(kind: Kind, s: &str) -> std::result::Result<Value, String> {
    match kind {
        Kind::Str | Kind::StrList => Ok(Value::String(s.to_owned())),
        Kind::Int => s
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("{s:?} is not an integer")),
        Kind::Float => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{s:?} is not a number")),
        Kind::Bool => match s {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{s:?} is not true or false")),
        },
        Kind::Json => serde_json::from_str(s).map_err(|e| format!("not valid JSON: {e}")),
        Kind::Value => Ok(serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_owned()))),
    }
}

/// A typed JSON value from text, for flags and CSV cells.
pub fn convert(kind: Kind, s: &str) -> std::result::Result<Value, String> {
    match kind {
        Kind::StrList => s
            .split(';')
            .filter(|x| !x.is_empty())
            .map(|x| parse_kind(kind, x))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(Value::Array),
        _ => parse_kind(kind, s),
    }
}

fn arg_for(id: &str, p: &'static Param) -> Arg {
    let mut help = p.help.to_owned();
    if p.required {
        help.push_str(" [required]");
    }
    if p.nullable {
        help.push_str(" [nullable: `null` sends JSON null]");
    }
    let mut a = Arg::new(id.to_owned()).long(id.to_owned()).help(help);
    // `null` is one more allowed value of a nullable field.
    let null: &[&'static str] = if p.nullable { &["null"] } else { &[] };
    a = match p.kind {
        Kind::Bool => a
            .num_args(0..=1)
            .default_missing_value("true")
            .value_parser(clap::builder::PossibleValuesParser::new(
                ["true", "false"].iter().chain(null).copied(),
            )),
        Kind::StrList => a.action(ArgAction::Append),
        _ => a,
    };
    if !p.values.is_empty() && p.kind != Kind::Bool {
        a = a.value_parser(clap::builder::PossibleValuesParser::new(
            p.values.iter().chain(null).copied(),
        ));
    } else if p.kind != Kind::Bool {
        let (kind, nullable) = (p.kind, p.nullable);
        a = a.value_parser(move |s: &str| {
            if nullable && s == "null" {
                return Ok(s.to_owned());
            }
            parse_kind(kind, s).map(|_| s.to_owned())
        });
    }
    a.value_name(match p.kind {
        Kind::Int | Kind::Float => "N",
        Kind::Json => "JSON",
        _ => "VALUE",
    })
}

/// The clap subcommand of one operation.
pub fn command(cmd: &'static Command) -> clap::Command {
    let mut about = cmd.summary.to_owned();
    if cmd.deprecated {
        about.push_str(" (deprecated)");
    }
    let mut c = clap::Command::new(kebab(cmd.name))
        .about(about)
        .long_about(format!("{}\n\n{} {}", cmd.summary, cmd.method, cmd.path));
    if cmd.name.contains('_') {
        c = c.alias(cmd.name);
    }
    for p in cmd.path_params {
        c = c.arg(Arg::new(*p).required(true).value_name(p.to_uppercase()));
    }
    for (id, p, _) in flag_names(cmd) {
        c = c.arg(arg_for(&id, p));
    }
    match &cmd.body {
        Body::None => {}
        Body::Multipart { file, .. } => {
            c = c.arg(
                Arg::new("file")
                    .long("file")
                    .required(true)
                    .value_name("PATH")
                    .help(format!("The file to upload (form field `{file}`)")),
            );
        }
        Body::Fields(_) | Body::Value { .. } => {
            c = c.arg(
                Arg::new("data")
                    .long("data")
                    .short('d')
                    .value_name("JSON|@FILE|-")
                    .help("Request body: JSON text, @file.json, or - for stdin; field flags override it"),
            );
        }
    }
    if cmd.paging != Paging::None {
        c = c.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Follow pagination: every item of every page"),
        );
    }
    c
}

/// The operations of `group`.
pub fn in_group(group: &str) -> impl Iterator<Item = &'static Command> {
    COMMANDS.iter().filter(move |c| c.group == group)
}

/// Every group, in first-seen order.
pub fn groups() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in COMMANDS {
        if !out.contains(&c.group) {
            out.push(c.group);
        }
    }
    out
}

/// Read `--data`: inline JSON, `@file`, or `-` (stdin).
pub fn read_data(arg: &str) -> Result<Value> {
    let text = if arg == "-" || arg == "@-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| local("stdin", e))?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| local(path, e))?
    } else {
        arg.to_owned()
    };
    serde_json::from_str(&text).map_err(|e| Failure::Usage(format!("--data: not valid JSON: {e}")))
}

fn encode_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%2E", ".")
        .replace("%5F", "_")
        .replace("%7E", "~")
}

/// The request a command's arguments describe, and its JSON body (for `--dry-run`).
pub struct Built {
    pub request: ApiRequest,
    pub query: Vec<(String, String)>,
    pub json: Option<Value>,
    pub secrets: Vec<&'static str>,
}

/// Build the request from parsed arguments.
pub fn build(cmd: &'static Command, m: &ArgMatches) -> Result<Built> {
    let info = sdk::operation(cmd.group, cmd.name).ok_or_else(|| {
        Failure::Local(format!(
            "the SDK has no operation {}.{}",
            cmd.group, cmd.name
        ))
    })?;
    let mut path = cmd.path.to_owned();
    for p in cmd.path_params {
        let v: &String = m
            .get_one(p)
            .ok_or_else(|| Failure::Usage(format!("missing <{}>", p.to_uppercase())))?;
        path = path.replace(&format!("{{{p}}}"), &encode_segment(v));
    }
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = Map::new();
    let mut text_fields: Vec<(&'static str, String)> = Vec::new();
    let mut secrets = Vec::new();
    let multipart = matches!(cmd.body, Body::Multipart { .. });
    for (id, p, is_body) in flag_names(cmd) {
        if p.secret {
            secrets.push(p.name);
        }
        let Some(raw) = m.get_many::<String>(&id) else {
            continue;
        };
        let raw: Vec<&String> = raw.collect();
        if !is_body {
            for r in raw {
                query.push((p.name.to_owned(), r.clone()));
            }
            continue;
        }
        if multipart {
            text_fields.push((p.name, raw.last().map(|s| (*s).clone()).unwrap_or_default()));
            continue;
        }
        let value = if p.nullable && raw.last().is_some_and(|r| *r == "null") {
            // `--field null` clears a nullable field.
            Value::Null
        } else if p.kind == Kind::StrList {
            Value::Array(
                raw.iter()
                    .map(|r| parse_kind(p.kind, r))
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|e| Failure::Usage(format!("--{id}: {e}")))?,
            )
        } else {
            parse_kind(p.kind, raw[raw.len() - 1])
                .map_err(|e| Failure::Usage(format!("--{id}: {e}")))?
        };
        body.insert(p.name.to_owned(), value);
    }
    // Required query parameters.
    for (id, p, is_body) in flag_names(cmd) {
        if !is_body && p.required && !query.iter().any(|(k, _)| k == p.name) {
            return Err(Failure::Usage(format!("missing required flag --{id}")));
        }
    }
    let data = match m.try_get_one::<String>("data") {
        Ok(Some(d)) => Some(read_data(d)?),
        _ => None,
    };
    let (wire, json) = match &cmd.body {
        Body::None => (WireBody::Empty, None),
        Body::Value { required } => match data {
            Some(v) => (
                WireBody::Json(serde_json::to_vec(&v).map_err(|e| local("body", e))?.into()),
                Some(v),
            ),
            None if *required => {
                return Err(Failure::Usage("missing required body: --data".into()));
            }
            None => (WireBody::Empty, None),
        },
        Body::Fields(fields) => {
            let mut obj = match data {
                Some(Value::Object(o)) => o,
                Some(_) => return Err(Failure::Usage("--data: expected a JSON object".into())),
                None => Map::new(),
            };
            obj.extend(body);
            let names = flag_names(cmd);
            for f in fields.iter() {
                if f.required && !obj.contains_key(f.name) {
                    let id = names
                        .iter()
                        .find(|(_, p, b)| *b && p.name == f.name)
                        .map_or_else(|| kebab(f.name), |(id, _, _)| id.clone());
                    return Err(Failure::Usage(format!(
                        "missing required field --{id} (or `{}` in --data)",
                        f.name
                    )));
                }
            }
            let v = Value::Object(obj);
            (
                WireBody::Json(serde_json::to_vec(&v).map_err(|e| local("body", e))?.into()),
                Some(v),
            )
        }
        Body::Multipart { file, .. } => {
            let path: &String = m
                .get_one("file")
                .ok_or_else(|| Failure::Usage("missing required flag --file".into()))?;
            (
                WireBody::Multipart {
                    field: file,
                    file: Upload::from_path(path),
                    text: text_fields,
                },
                None,
            )
        }
    };
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &query {
        ser.append_pair(k, v);
    }
    let request = ApiRequest::new(info, path)
        .with_query(ser.finish())
        .with_body(wire);
    Ok(Built {
        request,
        query,
        json,
        secrets,
    })
}

/// Whether a command destroys or revokes something (asks unless `--yes`).
pub fn destructive(cmd: &Command) -> bool {
    cmd.method == "DELETE"
        || ["delete", "revoke", "ban", "lock"]
            .iter()
            .any(|w| cmd.name.split('_').next() == Some(*w))
}

/// Ask on the terminal; without one, refuse.
pub fn confirm(what: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "{what}: destructive; pass --yes to run it without a terminal"
        )));
    }
    eprint!("{what}? [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| local("stdin", e))?;
    if matches!(line.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::Usage("cancelled".into()))
    }
}

/// Decode a response body: JSON, else a JSON string of the text, else null.
pub fn body_value(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// Send and print; with `--all`, every page.
pub async fn run(
    clerk: &Clerk,
    cmd: &'static Command,
    built: Built,
    all: bool,
    printer: &Printer,
) -> Result<()> {
    if !all {
        let resp = clerk.execute(built.request).await?;
        return printer.print(body_value(&resp.body));
    }
    let page_size: i64 = built
        .query
        .iter()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(500);
    let mut offset: i64 = built
        .query
        .iter()
        .find(|(k, _)| k == "offset")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let base: Vec<(String, String)> = built
        .query
        .iter()
        .filter(|(k, _)| k != "limit" && k != "offset")
        .cloned()
        .collect();
    let stream = printer.format == crate::output::Format::Ndjson;
    let progress = std::io::stderr().is_terminal();
    let mut collected: Vec<Value> = Vec::new();
    let mut fetched: usize = 0;
    loop {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &base {
            ser.append_pair(k, v);
        }
        ser.append_pair("limit", &page_size.to_string());
        ser.append_pair("offset", &offset.to_string());
        let req = ApiRequest::new(built.request.info, built.request.path.clone())
            .with_query(ser.finish());
        let resp = clerk.execute(req).await?;
        let page = body_value(&resp.body);
        let total = page.get("total_count").and_then(Value::as_i64);
        let page_items: Vec<Value> = match (cmd.paging, &page) {
            (Paging::Data, Value::Object(o)) => o
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .ok_or_else(|| Failure::Local("page without `data`".into()))?,
            (_, Value::Array(a)) => a.clone(),
            _ => items(&page).into_iter().cloned().collect(),
        };
        let n = page_items.len();
        fetched += n;
        offset += n as i64;
        if stream {
            for it in &page_items {
                printer.print_line(it)?;
            }
        } else {
            collected.extend(page_items);
        }
        if progress {
            match total {
                Some(t) => eprint!("\rfetched {fetched}/{t}"),
                None => eprint!("\rfetched {fetched}"),
            }
        }
        let done = n == 0 || (n as i64) < page_size || total.is_some_and(|t| offset >= t);
        if done {
            break;
        }
    }
    if progress {
        eprintln!();
    }
    if stream {
        Ok(())
    } else {
        printer.print(Value::Array(collected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_fields(c: &Command) -> &'static [Param] {
        match c.body {
            Body::Fields(f) => f,
            _ => &[],
        }
    }

    /// The first JSON-body command with a field matching `pick`, and that field's flag.
    fn find(pick: impl Fn(&Param) -> bool) -> (&'static Command, String) {
        COMMANDS
            .iter()
            .find_map(|c| {
                let (id, _, _) = flag_names(c)
                    .into_iter()
                    .find(|(_, p, is_body)| *is_body && pick(p))?;
                matches!(c.body, Body::Fields(_)).then_some((c, id))
            })
            .expect("the table has such a field")
    }

    /// Arguments that satisfy every required path parameter and field of `c`.
    fn required_args(c: &Command) -> Vec<String> {
        let mut args = vec![c.name.to_owned()];
        args.extend(c.path_params.iter().map(|_| "x".to_owned()));
        for (id, p, _) in flag_names(c) {
            if p.required {
                args.push(format!("--{id}"));
                args.push(match p.kind {
                    Kind::Int | Kind::Float => "1".into(),
                    Kind::Bool => "true".into(),
                    Kind::Json => "{}".into(),
                    _ => p.values.first().map_or("x", |v| v).to_owned(),
                });
            }
        }
        args
    }

    #[test]
    fn null_clears_a_nullable_field_and_help_says_so() {
        for kind in [Kind::Bool, Kind::Str] {
            let (c, id) = find(|p| p.nullable && !p.required && p.kind == kind);
            let mut args = required_args(c);
            args.extend([format!("--{id}"), "null".into()]);
            let m = command(c).try_get_matches_from(&args).unwrap();
            let built = build(c, &m).unwrap();
            let name = flag_names(c)
                .into_iter()
                .find(|(i, _, _)| *i == id)
                .map(|(_, p, _)| p.name)
                .unwrap();
            assert_eq!(
                built.json.as_ref().and_then(|j| j.get(name)),
                Some(&Value::Null),
                "{}.{} --{id} null",
                c.group,
                c.name
            );
            let help = command(c).render_long_help().to_string();
            assert!(help.contains("`null` sends JSON null"), "{help}");
        }
    }

    #[test]
    fn null_is_refused_where_the_field_is_not_nullable() {
        for kind in [Kind::Bool, Kind::Int] {
            let (c, id) = find(|p| !p.nullable && !p.required && p.kind == kind);
            let mut args = required_args(c);
            args.extend([format!("--{id}"), "null".into()]);
            let err = command(c).try_get_matches_from(&args).unwrap_err();
            assert!(err.to_string().contains(&format!("--{id}")), "{err}");
        }
    }

    #[test]
    fn every_table_body_is_reachable_from_flags() {
        // Every required field has a flag, so a command can always be built without --data.
        for c in COMMANDS.iter().filter(|c| !body_fields(c).is_empty()) {
            let m = command(c).try_get_matches_from(required_args(c));
            let m = m.unwrap_or_else(|e| panic!("{}.{}: {e}", c.group, c.name));
            build(c, &m).unwrap_or_else(|e| panic!("{}.{}: {e}", c.group, c.name));
        }
    }
}
