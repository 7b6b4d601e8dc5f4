//! `users import` / `users export`: interruption and resume, pacing, failed rows.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use clerk_emulator::Emulator;
use serde_json::{Value, json};

use crate::{clerk, output, run};

fn log_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_10000_rows_interrupted_and_resumed_has_no_duplicate_and_no_loss() {
    const N: usize = 10_000;
    let emu = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.ndjson");
    let rows: String = (0..N)
        .map(|i| format!("{}\n", json!({"email_address": [format!("u{i}@example.com")], "external_id": format!("ext{i}"), "public_metadata": {"row": i}})))
        .collect();
    std::fs::write(&file, rows).unwrap();
    let log = dir.path().join("import.log");
    let cfg = dir.path().join("c.json");
    let args = |extra: &[&str]| {
        let mut c = clerk(Some(&emu), &cfg);
        c.args([
            "users",
            "import",
            file.to_str().unwrap(),
            "--rate",
            "1000000",
            "--concurrency",
            "8",
        ])
        .args(extra);
        c
    };
    let mut child = args(&["--log", log.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL: no cleanup) once about half the rows are in.
    let started = Instant::now();
    loop {
        let created = log_lines(&log)
            .iter()
            .filter(|v| v["status"] == "created")
            .count();
        if created >= N / 2 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "import too slow: {created} rows"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "import finished before it was interrupted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let before = run(
        &emu,
        &["users", "count", "-o", "json", "--jq", ".total_count"],
    )
    .await
    .ok()
    .json();
    let before = before.as_u64().unwrap() as usize;
    assert!((N / 2..N).contains(&before), "interrupted at {before}");
    let r = output(args(&["--resume", log.to_str().unwrap()])).await;
    assert_eq!(r.code, 0, "resume failed: {}", r.stderr);
    let after = run(
        &emu,
        &["users", "count", "-o", "json", "--jq", ".total_count"],
    )
    .await
    .ok()
    .json();
    assert_eq!(after, N as u64, "count on the emulator");
    let ext = run(
        &emu,
        &[
            "users",
            "list",
            "--all",
            "-o",
            "ndjson",
            "--jq",
            ".external_id",
        ],
    )
    .await
    .ok();
    let distinct: HashSet<&str> = ext.stdout.lines().collect();
    assert_eq!(distinct.len(), N, "every row exactly once");
    let lines = log_lines(&log);
    let done: HashSet<u64> = lines
        .iter()
        .filter(|v| v["status"] == "created")
        .filter_map(|v| v["row"].as_u64())
        .collect();
    let missing: Vec<&Value> = lines
        .iter()
        .filter(|v| v["row"].as_u64().is_some_and(|r| !done.contains(&r)))
        .take(10)
        .collect();
    assert_eq!(
        done.len(),
        N,
        "the log has an outcome for every row; lines of rows without one: {missing:?}"
    );
    assert!(
        !lines.iter().any(|v| v["status"] == "failed"),
        "a failed row after resume"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_paced_to_the_emulators_rate_limit_sends_nothing_over_budget() {
    const ROWS: usize = 60;
    let emu = Emulator::start().await.unwrap();
    emu.rate_limit(true); // Clerk's development limit: 100 requests per 10 s.
    let dir = tempfile::tempdir().unwrap();
    let file = email_rows(dir.path(), "p", ROWS);
    let log = dir.path().join("log");
    let cfg = dir.path().join("c.json");
    let mut c = clerk(Some(&emu), &cfg);
    // The emulator's window is 10 s; a 2 s window at 1/5 the budget proves the same pacing faster.
    c.args([
        "users",
        "import",
        file.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
        "--rate",
        "20",
        "--rate-window-ms",
        "2000",
        "--concurrency",
        "16",
    ]);
    let t = Instant::now();
    let r = output(c).await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = log_lines(&log);
    let limited: u64 = lines
        .iter()
        .filter_map(|v| v["rate_limited"].as_u64())
        .sum();
    assert_eq!(limited, 0, "requests answered 429");
    // 20 per 2 s: 60 rows need at least two full windows.
    assert!(secs >= 4.0, "faster than the pace allows: {secs:.1}s");
    eprintln!(
        "paced import: {ROWS} rows in {secs:.2}s = {:.1} rows/s (limit 10/s)",
        ROWS as f64 / secs
    );
    let n = run(
        &emu,
        &["users", "count", "-o", "json", "--jq", ".total_count"],
    )
    .await
    .ok()
    .json();
    assert_eq!(n, ROWS as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_honours_retry_after_and_reports_bad_rows() {
    let emu = Emulator::start().await.unwrap();
    emu.fail_next(
        "users.create",
        clerk_emulator::Fault::RateLimited {
            retry_after: Duration::from_secs(1),
        },
        2,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("u.csv");
    std::fs::write(
        &file,
        "email_address,first_name,external_id,password_digest,password_hasher,public_metadata\n\
         a@example.com;a2@example.com,Ada,x1,$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy,bcrypt,\"{\"\"tier\"\":1}\"\n\
         not-an-email,Bad,x2,,,\n\
         b@example.com,Bob,x3,,,\n",
    )
    .unwrap();
    let log = dir.path().join("log");
    let mut c = clerk(Some(&emu), &dir.path().join("c.json"));
    c.args([
        "users",
        "import",
        file.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
        "--concurrency",
        "1",
    ]);
    let t = Instant::now();
    let r = output(c).await;
    assert_eq!(r.code, 4, "a failed row fails the import: {}", r.stderr);
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert!(r.stderr.contains("row 1"), "{}", r.stderr);
    let lines = log_lines(&log);
    let failed: Vec<&Value> = lines.iter().filter(|v| v["status"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["row"], 1);
    assert!(
        failed[0]["reason"].as_str().unwrap().contains("email"),
        "{:?}",
        failed[0]
    );
    let ada = run(&emu, &["users", "list", "--external-id", "x1", "-o", "json", "--jq", ".[0] | {n: (.email_addresses | length), m: .public_metadata.tier, p: .password_enabled}"]).await.ok().json();
    assert_eq!(ada, json!({"n": 2, "m": 1, "p": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_every_page_as_json_ndjson_and_csv() {
    let emu = Emulator::start().await.unwrap();
    let bodies = (0..1_203).map(|i| {
        json!({"email_address": [format!("e{i}@example.com")], "first_name": format!("N,{i}")})
            .as_object()
            .unwrap()
            .clone()
    });
    emu.load_users(bodies).unwrap();
    let r = run(&emu, &["users", "export", "--format", "ndjson"])
        .await
        .ok();
    assert_eq!(r.stdout.lines().count(), 1_203);
    let r = run(&emu, &["users", "export", "--format", "json"])
        .await
        .ok();
    assert_eq!(r.json().as_array().unwrap().len(), 1_203);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("u.csv");
    run(
        &emu,
        &[
            "users",
            "export",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await
    .ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 1_204);
    assert!(text.contains("\"N,0\""), "commas quoted");
    // An export re-imports.
    let emu2 = Emulator::start().await.unwrap();
    let rows: String = text.lines().take(11).map(|l| format!("{l}\n")).collect();
    let back = dir.path().join("back.csv");
    // id/created_at are not create fields: keep the columns that are.
    let mut rdr = csv_rows(&rows);
    let head = rdr.remove(0);
    let keep: Vec<usize> = head
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            [
                "first_name",
                "email_address",
                "external_id",
                "public_metadata",
            ]
            .contains(&h.as_str())
        })
        .map(|(i, _)| i)
        .collect();
    let mut w = String::new();
    for r in std::iter::once(head).chain(rdr) {
        let cells: Vec<String> = keep
            .iter()
            .map(|i| format!("\"{}\"", r[*i].replace('"', "\"\"")))
            .collect();
        w.push_str(&cells.join(","));
        w.push('\n');
    }
    std::fs::write(&back, w).unwrap();
    run(&emu2, &["users", "import", back.to_str().unwrap()])
        .await
        .ok();
    let n = run(
        &emu2,
        &["users", "count", "-o", "json", "--jq", ".total_count"],
    )
    .await
    .ok()
    .json();
    assert_eq!(n, 10);
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Pacing figures for BENCHMARKS.md: `users import` at the default pace of an `sk_test_` key
/// against the emulator's Clerk rate limit (100 requests per sliding 10 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: cargo test -p clerk-cli --test it -- --ignored import_pacing_figures --nocapture (CLERK_BENCH_ROWS=300)"]
async fn import_pacing_figures() {
    let rows: usize = std::env::var("CLERK_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let emu = Emulator::start().await.unwrap();
    emu.rate_limit(true);
    let dir = tempfile::tempdir().unwrap();
    let file = email_rows(dir.path(), "b", rows);
    let log = dir.path().join("log");
    let mut c = clerk(Some(&emu), &dir.path().join("c.json"));
    c.args([
        "users",
        "import",
        file.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
    ]);
    let t = Instant::now();
    let r = output(c).await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(r.code, 0, "{}", r.stderr);
    emu.rate_limit(false);
    let over_budget: u64 = log_lines(&log)
        .iter()
        .filter_map(|v| v["rate_limited"].as_u64())
        .sum();
    let n = run(
        &emu,
        &["users", "count", "-o", "json", "--jq", ".total_count"],
    )
    .await
    .ok()
    .json();
    assert_eq!(n, rows as u64, "users on the emulator");
    // Under a sliding 100 per 10 s, N rows need at least ceil(N/100)-1 full windows.
    let min_secs = (rows.div_ceil(100).saturating_sub(1) * 10) as f64;
    let best = if min_secs > 0.0 {
        rows as f64 / min_secs
    } else {
        f64::INFINITY
    };
    println!(
        "import pacing: {rows} rows in {secs:.2} s = {:.2} rows/s; the limit allows at most {best:.2} rows/s \
         for {rows} rows ({:.1} %), 10 rows/s sustained; requests answered 429 (over budget): {over_budget}",
        rows as f64 / secs,
        100.0 * (rows as f64 / secs) / best
    );
    assert_eq!(over_budget, 0, "requests over the budget");
}

/// `u.ndjson` in `dir`: `n` rows, each a user with only the address `{prefix}{i}@example.com`.
fn email_rows(dir: &std::path::Path, prefix: &str, n: usize) -> std::path::PathBuf {
    let file = dir.join("u.ndjson");
    let text: String = (0..n)
        .map(|i| {
            format!(
                "{}\n",
                json!({"email_address": [format!("{prefix}{i}@example.com")]})
            )
        })
        .collect();
    std::fs::write(&file, text).unwrap();
    file
}

/// `users import FILE --resume LOG` with `c`'s environment; it must exit 0.
async fn resume(mut c: tokio::process::Command, file: &std::path::Path, log: &std::path::Path) {
    c.args(["users", "import"])
        .arg(file)
        .arg("--resume")
        .arg(log);
    let r = output(c).await;
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

/// The race a resume can meet: the stopped run's last request lands at the server after the
/// resume looked the row up, so the lookup finds nothing and the re-create finds the
/// identifier taken. A scripted server plays it out: the first lookup answers `[]`, the create
/// `form_identifier_exists`, later lookups the user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_counts_a_row_that_landed_after_its_lookup_as_created() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let lookups = Arc::new(AtomicUsize::new(0));
    let creates = Arc::new(AtomicUsize::new(0));
    let (l, c) = (lookups.clone(), creates.clone());
    let app = axum::Router::new().route(
        "/v1/users",
        axum::routing::get(move || {
            let first = l.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                let body = if first {
                    json!([])
                } else {
                    json!([{"id": "user_landed"}])
                };
                ([("content-type", "application/json")], body.to_string())
            }
        })
        .post(move || {
            c.fetch_add(1, Ordering::SeqCst);
            async move {
                let body = json!({"errors": [{"code": "form_identifier_exists",
                    "message": "That email address is taken.",
                    "long_message": "That email address is taken. Please try another."}]});
                (
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    [("content-type", "application/json")],
                    body.to_string(),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let file = email_rows(dir.path(), "late", 1);
    let log = dir.path().join("log");
    std::fs::write(&log, "{\"row\":0,\"status\":\"started\"}\n").unwrap();
    let mut c = clerk(None, &dir.path().join("c.json"));
    c.env("CLERK_SECRET_KEY", "sk_test_scripted")
        .env("CLERK_API_URL", &url);
    resume(c, &file, &log).await;
    assert_eq!(creates.load(Ordering::SeqCst), 1, "one create was tried");
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        2,
        "looked up before and after it"
    );
    let last = log_lines(&log).pop().unwrap();
    assert_eq!(last["status"], "created", "{last}");
    assert_eq!(last["id"], "user_landed");
    assert_eq!(last["recovered"], true);
}

/// A run killed mid-line leaves the log without its last newline; the resumed run's first line
/// must start a line of its own, or it is glued to the fragment and lost to every reader.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_a_torn_last_line_keeps_every_new_line_readable() {
    let emu = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = email_rows(dir.path(), "torn", 2);
    let log = dir.path().join("log");
    std::fs::write(&log, "{\"row\":0,\"status\":\"started\"}\n{\"row\":1,\"sta").unwrap();
    resume(clerk(Some(&emu), &dir.path().join("c.json")), &file, &log).await;
    let text = std::fs::read_to_string(&log).unwrap();
    let unreadable: Vec<&str> = text
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).is_err())
        .collect();
    assert_eq!(
        unreadable,
        ["{\"row\":1,\"sta"],
        "only the torn fragment:\n{text}"
    );
    let created: HashSet<u64> = log_lines(&log)
        .iter()
        .filter(|v| v["status"] == "created")
        .filter_map(|v| v["row"].as_u64())
        .collect();
    assert_eq!(created, HashSet::from([0, 1]), "{text}");
}
