//! `clerk`: every Clerk Backend API operation from the command line.
//!
//! Data goes to stdout, diagnostics to stderr; exit codes are listed in [`fail`].

mod bulk;
mod config;
mod fail;
mod generated;
mod listen;
mod ops;
mod output;
mod sdk;
mod table;
mod tools;

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Value, json};

use crate::fail::{Failure, Result};
use crate::output::{Format, Jq, Printer};
use crate::sdk::{ApiRequest, Clerk};

fn cli() -> Command {
    let mut app = Command::new("clerk")
        .about("Every Clerk Backend API operation from the command line")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(
            "Exit codes: 0 ok, 1 API error, 2 usage error, 3 network error, 4 local failure, 5 verification failed.\n\
             Credentials: CLERK_SECRET_KEY, CLERK_API_URL, or `clerk config set`.",
        )
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_parser(["json", "ndjson", "table", "yaml"])
                .help("Output format (default: table on a terminal, JSON otherwise)"),
        )
        .arg(
            Arg::new("jq")
                .long("jq")
                .visible_alias("query")
                .short('q')
                .global(true)
                .value_name("FILTER")
                .help("Filter the output through a jq expression"),
        )
        .arg(Arg::new("profile").long("profile").global(true).help("Config profile to use"))
        .arg(
            Arg::new("api-url")
                .long("api-url")
                .global(true)
                .value_name("URL")
                .help("API base URL (e.g. the emulator's); `/v1` is added when missing"),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Print the request instead of sending it (secret key redacted)"),
        )
        .arg(
            Arg::new("yes")
                .long("yes")
                .short('y')
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Do not ask before destructive commands"),
        );
    for group in ops::groups() {
        let mut g = Command::new(ops::kebab(group))
            .about(format!("`{group}` operations"))
            .subcommand_required(true)
            .arg_required_else_help(true);
        if group.contains('_') {
            g = g.alias(group);
        }
        for cmd in ops::in_group(group) {
            g = g.subcommand(ops::command(cmd));
        }
        g = match group {
            "users" => bulk::commands(g),
            "webhooks" => tools::webhook_commands(g),
            _ => g,
        };
        app = app.subcommand(g);
    }
    if !ops::groups().contains(&"webhooks") {
        app = app.subcommand(tools::webhook_commands(
            Command::new("webhooks").subcommand_required(true),
        ));
    }
    app.subcommand(
        Command::new("api")
            .about("Send a raw request: clerk api METHOD PATH [--data JSON]")
            .arg(Arg::new("method").required(true))
            .arg(
                Arg::new("path")
                    .required(true)
                    .help("Path under /v1, with its query, e.g. /users?limit=1"),
            )
            .arg(
                Arg::new("data")
                    .long("data")
                    .short('d')
                    .value_name("JSON|@FILE|-"),
            ),
    )
    .subcommand(
        Command::new("config")
            .about("Named profiles (secret key, API URL)")
            .subcommand_required(true)
            .subcommand(
                Command::new("set")
                    .about("Set a profile's secret_key or api_url")
                    .arg(
                        Arg::new("key")
                            .required(true)
                            .value_parser(["secret_key", "api_url"]),
                    )
                    .arg(Arg::new("value").required(true))
                    .arg(
                        Arg::new("default")
                            .long("default")
                            .action(ArgAction::SetTrue)
                            .help("Make this profile the default"),
                    ),
            )
            .subcommand(Command::new("show").about("Show the config, secret keys redacted"))
            .subcommand(Command::new("path").about("Print the config file's path")),
    )
    .subcommand(tools::token_command())
    .subcommand(tools::emulator_command())
}

/// The client for resolved settings.
pub fn client(m: &ArgMatches) -> Result<(Clerk, config::Settings)> {
    // A terminal user waits for no reconnection loop: connection failures end the command.
    client_with(
        m,
        Some(sdk::RetryConfig::default().retry_connection_errors(false)),
    )
}

/// [`client`] with a retry policy of its own.
pub fn client_with(
    m: &ArgMatches,
    retry: Option<sdk::RetryConfig>,
) -> Result<(Clerk, config::Settings)> {
    let settings = config::resolve(
        m.get_one::<String>("profile").map(String::as_str),
        m.get_one::<String>("api-url").map(String::as_str),
    )?;
    let mut b = Clerk::builder().server_url(settings.server_url.clone());
    match &settings.secret_key {
        Some(k) => b = b.secret_key(k.clone()),
        None if m.get_flag("dry-run") => b = b.secret_key("sk_test_dry_run"),
        None => {
            return Err(Failure::Usage(
                "no secret key: set CLERK_SECRET_KEY or `clerk config set secret_key …`".into(),
            ));
        }
    }
    if let Some(r) = retry {
        b = b.retry(r);
    }
    let clerk = b.build().map_err(Failure::from)?;
    Ok((clerk, settings))
}

fn printer(m: &ArgMatches) -> Result<Printer> {
    let jq = match m.get_one::<String>("jq") {
        Some(code) => Some(Jq::compile(code)?),
        None => None,
    };
    Ok(Printer {
        format: Format::pick(m.get_one::<String>("output").map(String::as_str)),
        jq,
    })
}

/// `--dry-run`: the request as JSON, with the key and secret fields redacted.
fn dry_run(
    settings: &config::Settings,
    method: &str,
    path: &str,
    query: &str,
    body: Option<Value>,
    secrets: &[&str],
) -> Value {
    let mut body = body;
    if let Some(Value::Object(o)) = body.as_mut() {
        for s in secrets {
            if let Some(v) = o.get_mut(*s) {
                *v = json!("[redacted]");
            }
        }
    }
    let url = if query.is_empty() {
        format!("{}{path}", settings.server_url)
    } else {
        format!("{}{path}?{query}", settings.server_url)
    };
    json!({
        "method": method,
        "url": url,
        "headers": {
            "authorization": format!("Bearer {}", settings.secret_key.as_deref().map_or_else(|| "(none)".to_owned(), config::redact)),
        },
        "body": body,
    })
}

async fn dispatch(m: &ArgMatches) -> Result<()> {
    let (name, sub) = m
        .subcommand()
        .ok_or_else(|| Failure::Usage("no command".into()))?;
    match name {
        "config" => return config_cmd(sub),
        "api" => return raw(m, sub).await,
        "token" => return tools::token(m, sub).await,
        "emulator" => return tools::emulator(sub).await,
        _ => {}
    }
    let (op_name, op_m) = sub
        .subcommand()
        .ok_or_else(|| Failure::Usage("no operation".into()))?;
    let group = name.replace('-', "_");
    if group == "users" && bulk::handles(op_name) {
        return bulk::run(m, op_name, op_m).await;
    }
    if group == "webhooks" && tools::handles_webhook(op_name) {
        return tools::webhooks(m, op_name, op_m).await;
    }
    let op_snake = op_name.replace('-', "_");
    let cmd = ops::in_group(&group)
        .find(|c| c.name == op_snake)
        .ok_or_else(|| Failure::Usage(format!("unknown operation {name} {op_name}")))?;
    let built = ops::build(cmd, op_m)?;
    let (clerk, settings) = client(m)?;
    if m.get_flag("dry-run") {
        let v = dry_run(
            &settings,
            cmd.method,
            &built.request.path,
            &built.request.query,
            built.json.clone(),
            &built.secrets,
        );
        return printer(m)?.print(v);
    }
    if ops::destructive(cmd) && !m.get_flag("yes") {
        ops::confirm(&format!(
            "{} {} {}",
            cmd.group, cmd.name, built.request.path
        ))?;
    }
    let all = op_m
        .try_get_one::<bool>("all")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false);
    let p = printer(m)?;
    ops::run(&clerk, cmd, built, all, &p).await
}

fn config_cmd(m: &ArgMatches) -> Result<()> {
    match m.subcommand() {
        Some(("set", s)) => {
            let profile = s
                .get_one::<String>("profile")
                .cloned()
                .unwrap_or_else(|| "default".into());
            let key: &String = s
                .get_one("key")
                .ok_or_else(|| Failure::Usage("key".into()))?;
            let value: &String = s
                .get_one("value")
                .ok_or_else(|| Failure::Usage("value".into()))?;
            config::set(&profile, key, value, s.get_flag("default"))?;
            eprintln!(
                "saved {key} in profile {profile:?} ({})",
                config::path()?.display()
            );
            Ok(())
        }
        Some(("show", s)) => printer(s)?.print(config::show()?),
        Some(("path", _)) => {
            println!("{}", config::path()?.display());
            Ok(())
        }
        _ => Err(Failure::Usage("config set|show|path".into())),
    }
}

async fn raw(top: &ArgMatches, m: &ArgMatches) -> Result<()> {
    let method = m
        .get_one::<String>("method")
        .map(|s| s.to_uppercase())
        .unwrap_or_default();
    let target: &String = m
        .get_one("path")
        .ok_or_else(|| Failure::Usage("PATH".into()))?;
    let target = target.strip_prefix("/v1").unwrap_or(target);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let info = raw_info(&method)?;
    let body = match m.get_one::<String>("data") {
        Some(d) => Some(ops::read_data(d)?),
        None => None,
    };
    let (clerk, settings) = client(top)?;
    if top.get_flag("dry-run") {
        return printer(top)?.print(dry_run(&settings, &method, &path, query, body, &[]));
    }
    if method == "DELETE" && !top.get_flag("yes") {
        ops::confirm(&format!("DELETE {path}"))?;
    }
    let mut req = ApiRequest::new(info, path).with_query(query.to_owned());
    if let Some(b) = body {
        req = req.with_body(sdk::Body::Json(
            serde_json::to_vec(&b)
                .map_err(|e| fail::local("body", e))?
                .into(),
        ));
    }
    let resp = clerk.execute(req).await?;
    printer(top)?.print(ops::body_value(&resp.body))
}

/// An operation descriptor for a raw request of `method`.
fn raw_info(method: &str) -> Result<&'static sdk::OperationInfo> {
    static RAW: [sdk::OperationInfo; 5] = [
        sdk::OperationInfo::new("api", "raw", "raw", "GET", "/"),
        sdk::OperationInfo::new("api", "raw", "raw", "POST", "/"),
        sdk::OperationInfo::new("api", "raw", "raw", "PUT", "/"),
        sdk::OperationInfo::new("api", "raw", "raw", "PATCH", "/"),
        sdk::OperationInfo::new("api", "raw", "raw", "DELETE", "/"),
    ];
    RAW.iter().find(|i| i.method == method).ok_or_else(|| {
        Failure::Usage(format!(
            "METHOD must be GET, POST, PUT, PATCH or DELETE, not {method:?}"
        ))
    })
}

fn main() -> ExitCode {
    let matches = match cli().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("clerk: cannot start the runtime: {e}");
            return ExitCode::from(4);
        }
    };
    match rt.block_on(dispatch(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("clerk: {f}");
            ExitCode::from(f.code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_tree_is_valid() {
        cli().debug_assert();
    }

    #[test]
    fn every_sdk_operation_has_exactly_one_command() {
        use crate::generated::commands::COMMANDS;
        assert_eq!(COMMANDS.len(), sdk::OPERATIONS.len());
        for op in sdk::OPERATIONS {
            let n = COMMANDS
                .iter()
                .filter(|c| {
                    c.group == op.group
                        && c.name == op.name
                        && c.method == op.method
                        && c.path == op.path
                })
                .count();
            assert_eq!(n, 1, "{}.{}", op.group, op.name);
        }
    }

    /// A spec file: `$var`, else `default` relative to the repository root; missing is a failure.
    fn spec(var: &str, default: &str) -> serde_json::Value {
        let path = std::env::var_os(var).map_or_else(
            || {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../..")
                    .join(default)
            },
            std::path::PathBuf::from,
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{var}: cannot read the OpenAPI spec {}: {e}",
                path.display()
            )
        });
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// `(METHOD, path)` of every operation of a spec.
    fn spec_operations(doc: &serde_json::Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for method in ["get", "put", "post", "delete", "patch"] {
                if item.get(method).is_some() {
                    out.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn every_spec_operation_has_exactly_one_command() {
        use crate::generated::commands::COMMANDS;
        let main = spec_operations(&spec(
            "CLERK_OPENAPI_SPEC",
            "../shared/openapi/bapi-2026-05-12.yml",
        ));
        let seed = spec_operations(&spec(
            "CLERK_OPENAPI_SEED_SPEC",
            "../shared/openapi/bapi-2025-03-12-seed.yml",
        ));
        // The current spec's operations, then those only the older one still has.
        let mut all = main.clone();
        all.extend(seed.into_iter().filter(|o| !main.contains(o)));
        assert_eq!(all.len(), 250, "operations in the two specs");
        for (method, path) in &all {
            let n = COMMANDS
                .iter()
                .filter(|c| c.method == method && c.path == path)
                .count();
            assert_eq!(n, 1, "{method} {path}");
        }
        assert_eq!(
            COMMANDS.len(),
            all.len(),
            "commands without a spec operation"
        );
    }
}
