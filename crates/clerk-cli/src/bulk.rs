//! `clerk users export` (every page, JSON/NDJSON/CSV) and `clerk users import FILE`: paced to
//! the instance's rate limit, concurrent within it, with an NDJSON outcome log that `--resume`
//! reads so no row is created twice.
//!
//! Log lines: `{"row": N, "status": "started"}` before a row's request, then
//! `{"row": N, "status": "created", "id": …}` or `{"row": N, "status": "failed", "code": …,
//! "reason": …}`. A row that was started but has no outcome (the process died mid-request) is
//! looked up by its identifiers before it is sent again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value, json};
use tokio::sync::{Mutex, Semaphore};

use crate::fail::{Failure, Result, local};
use crate::generated::commands::COMMANDS;
use crate::ops::convert;
use crate::sdk::{self, ApiRequest, Body, Clerk};
use crate::table::Body as TableBody;

/// Add the bulk subcommands to the `users` group.
pub fn commands(g: Command) -> Command {
    g.subcommand(
        Command::new("export")
            .about("Every user, every page, as JSON, NDJSON or CSV")
            .arg(Arg::new("format").long("format").value_parser(["json", "ndjson", "csv"]).default_value("ndjson"))
            .arg(Arg::new("out").long("out").value_name("FILE").help("Write here instead of stdout")),
    )
    .subcommand(
        Command::new("import")
            .about("Create users from a JSON, NDJSON or CSV file (fields of `users create`), paced to the rate limit")
            .arg(Arg::new("file").required(true).value_name("FILE"))
            .arg(Arg::new("format").long("format").value_parser(["json", "ndjson", "csv"]).help("Default: from the file extension"))
            .arg(Arg::new("log").long("log").value_name("FILE").help("NDJSON outcome log (default: FILE.log.ndjson)"))
            .arg(Arg::new("resume").long("resume").value_name("LOG").help("Continue an interrupted import from its log"))
            .arg(Arg::new("rate").long("rate").value_parser(clap::value_parser!(u32)).help("Requests per 10 seconds (default: 100 for sk_test_ keys, 1000 for sk_live_)"))
            .arg(Arg::new("rate-window-ms").long("rate-window-ms").value_parser(clap::value_parser!(u64)).default_value("10000").help("The window --rate counts over"))
            .arg(Arg::new("concurrency").long("concurrency").value_parser(clap::value_parser!(usize)).default_value("8"))
            .arg(Arg::new("max-retries").long("max-retries").value_parser(clap::value_parser!(u32)).default_value("5"))
            .arg(Arg::new("quiet").long("quiet").action(ArgAction::SetTrue)),
    )
}

/// Whether `name` is a bulk subcommand.
pub fn handles(name: &str) -> bool {
    name == "export" || name == "import"
}

/// Run a bulk subcommand.
pub async fn run(top: &ArgMatches, name: &str, m: &ArgMatches) -> Result<()> {
    // Import handles 429 itself (pacing, Retry-After) and counts them; other retries stay.
    let retry = (name == "import").then(crate::sdk::RetryConfig::none);
    let (clerk, settings) = crate::client_with(top, retry)?;
    match name {
        "export" => export(&clerk, m).await,
        _ => import(clerk, settings.secret_key.as_deref().unwrap_or_default(), m).await,
    }
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "external_id",
    "first_name",
    "last_name",
    "username",
    "email_address",
    "phone_number",
    "created_at",
    "last_sign_in_at",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
];

fn csv_row(u: &Value) -> Vec<String> {
    let list = |k: &str, f: &str| {
        u.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get(f).and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default()
    };
    CSV_COLUMNS
        .iter()
        .map(|c| match *c {
            "email_address" => list("email_addresses", "email_address"),
            "phone_number" => list("phone_numbers", "phone_number"),
            k => match u.get(k) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            },
        })
        .collect()
}

async fn export(clerk: &Clerk, m: &ArgMatches) -> Result<()> {
    let info =
        sdk::operation("users", "list").ok_or_else(|| Failure::Local("no users.list".into()))?;
    let format = m
        .get_one::<String>("format")
        .map_or("ndjson", String::as_str);
    let mut out: Box<dyn Write> = match m.get_one::<String>("out") {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| local(p, e))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut csv = (format == "csv").then(|| csv::Writer::from_writer(Vec::new()));
    if let Some(w) = csv.as_mut() {
        w.write_record(CSV_COLUMNS).map_err(|e| local("csv", e))?;
    }
    let mut all = Vec::new();
    let mut offset = 0usize;
    let limit = 500usize;
    loop {
        let req = ApiRequest::new(info, "/users").with_query(format!(
            "limit={limit}&offset={offset}&order_by=%2Bcreated_at"
        ));
        let resp = clerk.execute(req).await?;
        let page: Vec<Value> =
            serde_json::from_slice(&resp.body).map_err(|e| local("users page", e))?;
        let n = page.len();
        for u in page {
            match format {
                "csv" => {
                    if let Some(w) = csv.as_mut() {
                        w.write_record(csv_row(&u)).map_err(|e| local("csv", e))?;
                    }
                }
                "json" => all.push(u),
                _ => writeln!(out, "{u}").map_err(|e| local("output", e))?,
            }
        }
        if let Some(w) = csv.as_mut() {
            w.flush().map_err(|e| local("csv", e))?;
        }
        offset += n;
        if n < limit {
            break;
        }
    }
    if let Some(w) = csv {
        let bytes = w.into_inner().map_err(|e| local("csv", e))?;
        out.write_all(&bytes).map_err(|e| local("output", e))?;
    }
    if format == "json" {
        let s = serde_json::to_string_pretty(&Value::Array(all)).map_err(|e| local("json", e))?;
        writeln!(out, "{s}").map_err(|e| local("output", e))?;
    }
    out.flush().map_err(|e| local("output", e))
}

/// Rows of an import file as `users create` bodies (or why a row is bad).
fn read_rows(
    path: &str,
    format: &str,
) -> Result<Vec<std::result::Result<Map<String, Value>, String>>> {
    let text = std::fs::read_to_string(path).map_err(|e| local(path, e))?;
    let fields = COMMANDS
        .iter()
        .find(|c| c.group == "users" && c.name == "create")
        .and_then(|c| match c.body {
            TableBody::Fields(f) => Some(f),
            _ => None,
        })
        .ok_or_else(|| Failure::Local("no users.create fields".into()))?;
    let check = |o: Map<String, Value>| -> std::result::Result<Map<String, Value>, String> {
        for k in o.keys() {
            if !fields.iter().any(|f| f.name == k) {
                return Err(format!("unknown field {k:?} (not a `users create` field)"));
            }
        }
        Ok(o)
    };
    let obj = |v: Value| match v {
        Value::Object(o) => check(o),
        _ => Err("not a JSON object".to_owned()),
    };
    Ok(match format {
        "json" => {
            let v: Value = serde_json::from_str(&text).map_err(|e| local(path, e))?;
            match v {
                Value::Array(a) => a.into_iter().map(obj).collect(),
                _ => {
                    return Err(Failure::Local(format!(
                        "{path}: expected a JSON array of users"
                    )));
                }
            }
        }
        "csv" => {
            let mut r = csv::Reader::from_reader(text.as_bytes());
            let head: Vec<String> = r
                .headers()
                .map_err(|e| local(path, e))?
                .iter()
                .map(str::to_owned)
                .collect();
            r.records()
                .map(|rec| {
                    let rec = rec.map_err(|e| e.to_string())?;
                    let mut o = Map::new();
                    for (h, cell) in head.iter().zip(rec.iter()) {
                        if cell.is_empty() {
                            continue;
                        }
                        let f = fields.iter().find(|f| f.name == h).ok_or_else(|| {
                            format!("unknown column {h:?} (not a `users create` field)")
                        })?;
                        o.insert(
                            h.clone(),
                            convert(f.kind, cell).map_err(|e| format!("column {h}: {e}"))?,
                        );
                    }
                    check(o)
                })
                .collect()
        }
        _ => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str::<Value>(l)
                    .map_err(|e| e.to_string())
                    .and_then(obj)
            })
            .collect(),
    })
}

/// At most `max` requests in any `window`.
struct Pacer {
    max: usize,
    window: Duration,
    sent: Mutex<VecDeque<Instant>>,
    not_before: Mutex<Option<Instant>>,
}

impl Pacer {
    async fn wait(&self) {
        loop {
            if let Some(t) = *self.not_before.lock().await
                && t > Instant::now()
            {
                tokio::time::sleep_until(t.into()).await;
            }
            let mut q = self.sent.lock().await;
            let now = Instant::now();
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                q.pop_front();
            }
            if q.len() < self.max {
                q.push_back(now);
                return;
            }
            let wake = q[0] + self.window;
            drop(q);
            tokio::time::sleep_until(wake.into()).await;
        }
    }

    async fn pause(&self, d: Duration) {
        let t = Instant::now() + d;
        let mut nb = self.not_before.lock().await;
        if nb.is_none_or(|x| x < t) {
            *nb = Some(t);
        }
    }
}

struct Log(std::sync::Mutex<std::fs::File>);

impl Log {
    fn write(&self, v: &Value) -> Result<()> {
        let mut f = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // One write per line: a run killed mid-line leaves at most one torn line, never a
        // line split across several writes.
        let mut line = v.to_string();
        line.push('\n');
        f.write_all(line.as_bytes())
            .and_then(|()| f.flush())
            .map_err(|e| local("log", e))
    }
}

/// Whether the log's last line lacks its newline (the run that wrote it was killed mid-line).
fn torn_tail(path: &str) -> Result<bool> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| local(path, e))?;
    if f.metadata().map_err(|e| local(path, e))?.len() == 0 {
        return Ok(false);
    }
    let mut last = [0u8];
    f.seek(SeekFrom::End(-1))
        .and_then(|_| f.read_exact(&mut last))
        .map_err(|e| local(path, e))?;
    Ok(last[0] != b'\n')
}

/// Look up a user the row would have created (a request cut off mid-flight).
async fn existing(clerk: &Clerk, row: &Map<String, Value>) -> Result<Option<String>> {
    let info =
        sdk::operation("users", "list").ok_or_else(|| Failure::Local("no users.list".into()))?;
    let (query, any) = {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        let mut any = false;
        for (k, q) in [
            ("external_id", "external_id"),
            ("email_address", "email_address"),
            ("username", "username"),
            ("phone_number", "phone_number"),
        ] {
            match row.get(k) {
                Some(Value::String(s)) => {
                    ser.append_pair(q, s);
                    any = true;
                }
                Some(Value::Array(a)) => {
                    for s in a.iter().filter_map(Value::as_str) {
                        ser.append_pair(q, s);
                        any = true;
                    }
                }
                _ => {}
            }
        }
        (ser.finish(), any)
    };
    if !any {
        return Ok(None);
    }
    let resp = clerk
        .execute(ApiRequest::new(info, "/users").with_query(query))
        .await?;
    let users: Vec<Value> = serde_json::from_slice(&resp.body).map_err(|e| local("users", e))?;
    Ok(users
        .first()
        .and_then(|u| u.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned))
}

async fn import(clerk: Clerk, key: &str, m: &ArgMatches) -> Result<()> {
    let file: &String = m
        .get_one("file")
        .ok_or_else(|| Failure::Usage("FILE".into()))?;
    let format = m.get_one::<String>("format").cloned().unwrap_or_else(|| {
        match std::path::Path::new(file)
            .extension()
            .and_then(|e| e.to_str())
        {
            Some("csv") => "csv".into(),
            Some("json") => "json".into(),
            _ => "ndjson".into(),
        }
    });
    let rows = read_rows(file, &format)?;
    let resume = m.get_one::<String>("resume");
    let log_path = resume
        .cloned()
        .or_else(|| m.get_one::<String>("log").cloned())
        .unwrap_or_else(|| format!("{file}.log.ndjson"));
    // What the log already says.
    let mut done: HashSet<usize> = HashSet::new();
    let mut in_flight: HashSet<usize> = HashSet::new();
    if resume.is_some() {
        let text = std::fs::read_to_string(&log_path).map_err(|e| local(&log_path, e))?;
        let mut last: HashMap<usize, String> = HashMap::new();
        for l in text.lines() {
            // A torn last line (killed mid-write) is ignored: that row counts as started.
            let Ok(v) = serde_json::from_str::<Value>(l) else {
                continue;
            };
            if let (Some(r), Some(s)) = (v["row"].as_u64(), v["status"].as_str()) {
                let r = usize::try_from(r).unwrap_or(usize::MAX);
                if s != "started" || !last.contains_key(&r) {
                    last.insert(r, s.to_owned());
                }
            }
        }
        for (r, s) in last {
            match s.as_str() {
                "created" => {
                    done.insert(r);
                }
                "started" => {
                    in_flight.insert(r);
                }
                _ => {}
            }
        }
    }
    let mut log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| local(&log_path, e))?;
    if torn_tail(&log_path)? {
        // End the torn line, so the first line of this run is not glued to it (and lost).
        log_file.write_all(b"\n").map_err(|e| local(&log_path, e))?;
    }
    let log = Arc::new(Log(std::sync::Mutex::new(log_file)));
    let per_10s = m
        .get_one::<u32>("rate")
        .copied()
        .unwrap_or(if key.starts_with("sk_live_") {
            1000
        } else {
            100
        });
    let pacer = Arc::new(Pacer {
        max: per_10s.max(1) as usize,
        // A margin for arrival jitter: the server counts arrivals, we count departures.
        window: Duration::from_millis(
            m.get_one::<u64>("rate-window-ms")
                .copied()
                .unwrap_or(10_000),
        ) * 21
            / 20
            + Duration::from_millis(20),
        sent: Mutex::new(VecDeque::new()),
        not_before: Mutex::new(None),
    });
    let conc = m
        .get_one::<usize>("concurrency")
        .copied()
        .unwrap_or(8)
        .max(1);
    let max_retries = m.get_one::<u32>("max-retries").copied().unwrap_or(5);
    let sem = Arc::new(Semaphore::new(conc));
    let info = sdk::operation("users", "create")
        .ok_or_else(|| Failure::Local("no users.create".into()))?;
    let mut tasks = tokio::task::JoinSet::new();
    let mut failed = 0usize;
    let mut skipped = 0usize;
    let mut created = 0usize;
    for (i, row) in rows.into_iter().enumerate() {
        if done.contains(&i) {
            skipped += 1;
            continue;
        }
        let row = match row {
            Ok(r) => r,
            Err(reason) => {
                log.write(
                    &json!({"row": i, "status": "failed", "code": "invalid_row", "reason": reason}),
                )?;
                eprintln!("row {i}: {reason}");
                failed += 1;
                continue;
            }
        };
        let permit = sem
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| local("import", e))?;
        let (clerk, pacer, log) = (clerk.clone(), pacer.clone(), log.clone());
        let was_in_flight = in_flight.contains(&i);
        tasks.spawn(async move {
            let _permit = permit;
            if was_in_flight {
                pacer.wait().await;
                if let Some(id) = existing(&clerk, &row).await? {
                    log.write(&json!({"row": i, "status": "created", "id": id, "recovered": true}))?;
                    return Ok::<bool, Failure>(true);
                }
            }
            let body = serde_json::to_vec(&row).map_err(|e| local("row", e))?;
            log.write(&json!({"row": i, "status": "started"}))?;
            let mut attempt = 0;
            loop {
                pacer.wait().await;
                let req = ApiRequest::new(info, "/users").with_body(Body::Json(body.clone().into()));
                match clerk.execute(req).await {
                    Ok(resp) => {
                        let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
                        log.write(&json!({"row": i, "status": "created", "id": v["id"], "rate_limited": attempt}))?;
                        return Ok(true);
                    }
                    Err(e) if e.as_api().is_some_and(|a| a.is_rate_limited()) && attempt < max_retries => {
                        attempt += 1;
                        pacer.pause(e.retry_after().unwrap_or(Duration::from_secs(1))).await;
                    }
                    Err(e) => {
                        // A row in flight when the last run stopped can land after the lookup
                        // above (the server finished the request the stopped run sent): its
                        // identifier then exists, and the row is in, not failed.
                        if was_in_flight
                            && e.as_api().is_some_and(|a| a.code() == Some("form_identifier_exists"))
                            && let Some(id) = existing(&clerk, &row).await?
                        {
                            log.write(&json!({"row": i, "status": "created", "id": id, "recovered": true}))?;
                            return Ok(true);
                        }
                        let (code, reason) = match e.as_api() {
                            Some(a) => (a.code().unwrap_or("api_error").to_owned(), a.errors().first().and_then(|x| x.long_message.clone()).or_else(|| a.message().map(str::to_owned)).unwrap_or_else(|| a.status().to_string())),
                            None => ("request_failed".to_owned(), e.to_string()),
                        };
                        log.write(&json!({"row": i, "status": "failed", "code": code, "reason": reason}))?;
                        eprintln!("row {i}: {code}: {reason}");
                        return Ok(false);
                    }
                }
            }
        });
        while let Some(r) = tasks.try_join_next() {
            if r.map_err(|e| local("import", e))?? {
                created += 1;
            } else {
                failed += 1;
            }
        }
    }
    while let Some(r) = tasks.join_next().await {
        if r.map_err(|e| local("import", e))?? {
            created += 1;
        } else {
            failed += 1;
        }
    }
    if !m.get_flag("quiet") {
        eprintln!("imported {created}, already done {skipped}, failed {failed} (log: {log_path})");
    }
    if failed > 0 {
        return Err(Failure::Local(format!(
            "{failed} rows were not imported; see {log_path}"
        )));
    }
    Ok(())
}
