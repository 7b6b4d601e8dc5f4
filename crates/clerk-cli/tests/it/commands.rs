//! Typed operation commands, output formats, `--all`, `--dry-run`, exit codes, profiles.

use std::time::{Duration, UNIX_EPOCH};

use clerk_emulator::Emulator;
use serde_json::{Value, json};

use crate::{clerk, output, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_per_group_reaches_the_emulator() {
    let emu = Emulator::start().await.unwrap();
    let user = run(
        &emu,
        &[
            "users",
            "create",
            "--email-address",
            "ada@example.com",
            "--first-name",
            "Ada",
            "-o",
            "json",
        ],
    )
    .await
    .ok()
    .json();
    let uid = user["id"].as_str().unwrap();
    assert_eq!(user["first_name"], "Ada");
    let org = run(
        &emu,
        &[
            "organizations",
            "create",
            "--name",
            "Acme",
            "--created-by",
            uid,
            "-o",
            "json",
        ],
    )
    .await
    .ok()
    .json();
    let oid = org["id"].as_str().unwrap();
    assert_eq!(org["name"], "Acme");
    // (args, jq filter, expected)
    let cases: Vec<(Vec<&str>, &str, Value)> = vec![
        (vec!["users", "get", uid], ".first_name", json!("Ada")),
        (
            vec!["users", "list", "--email-address", "ada@example.com"],
            "length",
            json!(1),
        ),
        (
            vec!["users", "list", "--email-address", "nobody@example.com"],
            "length",
            json!(0),
        ),
        (
            vec!["users", "update", uid, "--last-name", "Lovelace"],
            ".last_name",
            json!("Lovelace"),
        ),
        (vec!["organizations", "get", oid], ".name", json!("Acme")),
        (
            vec!["organization-memberships", "list", oid],
            ".total_count",
            json!(1),
        ),
        (
            vec![
                "email-addresses",
                "create",
                "--user-id",
                uid,
                "--email-address",
                "ada2@example.com",
                "--verified",
            ],
            ".email_address",
            json!("ada2@example.com"),
        ),
        (
            vec![
                "jwt-templates",
                "create",
                "--name",
                "t1",
                "--claims",
                r#"{"a":1}"#,
            ],
            ".name",
            json!("t1"),
        ),
        (
            vec![
                "allowlist-identifiers",
                "create",
                "--identifier",
                "x@example.com",
            ],
            ".identifier",
            json!("x@example.com"),
        ),
        (
            vec!["redirect-urls", "create", "--url", "https://example.com/cb"],
            ".url",
            json!("https://example.com/cb"),
        ),
        (
            vec![
                "invitations",
                "create",
                "--email-address",
                "inv@example.com",
            ],
            ".status",
            json!("pending"),
        ),
        (vec!["jwks", "get-jwks"], ".keys | length", json!(1)),
        // The SDK's snake_case name is an alias.
        (
            vec!["organization_memberships", "list", oid],
            ".data[0].role",
            json!("org:admin"),
        ),
    ];
    for (args, jq, want) in cases {
        let mut a = args.clone();
        a.extend(["-o", "json", "--jq", jq]);
        let r = run(&emu, &a).await;
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(r.json(), want, "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_from_data_file_and_stdin_flags_override() {
    let emu = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("org.json");
    std::fs::write(
        &f,
        r#"{"name": "FromFile", "public_metadata": {"tier": 2}}"#,
    )
    .unwrap();
    let at = format!("@{}", f.display());
    let org = run(
        &emu,
        &["organizations", "create", "--data", &at, "-o", "json"],
    )
    .await
    .ok()
    .json();
    assert_eq!(
        (org["name"].clone(), org["public_metadata"]["tier"].clone()),
        (json!("FromFile"), json!(2))
    );
    let org = run(
        &emu,
        &[
            "organizations",
            "create",
            "--data",
            &at,
            "--name",
            "Flag",
            "-o",
            "json",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(org["name"], "Flag");
    let mut c = clerk(Some(&emu), &dir.path().join("c.json"));
    c.args(["organizations", "create", "--data", "-", "-o", "json"])
        .stdin(std::process::Stdio::piped());
    let mut child = c.stdout(std::process::Stdio::piped()).spawn().unwrap();
    use tokio::io::AsyncWriteExt;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(br#"{"name":"FromStdin"}"#).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "FromStdin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_name_the_flag_and_exit_2() {
    let emu = Emulator::start().await.unwrap();
    for (args, needle) in [
        (vec!["users", "list", "--limit", "ten"], "--limit"),
        (vec!["sessions", "list", "--status", "sideways"], "--status"),
        (vec!["organizations", "create"], "--name"),
        (
            vec![
                "jwt-templates",
                "create",
                "--name",
                "t",
                "--claims",
                "{not json",
            ],
            "--claims",
        ),
        (vec!["users", "get"], "USER_ID"),
        (vec!["users", "frobnicate"], "frobnicate"),
    ] {
        let r = run(&emu, &args).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(
            r.stdout.is_empty(),
            "{args:?}: data on stdout: {}",
            r.stdout
        );
    }
    let count = run(
        &emu,
        &[
            "organizations",
            "list",
            "-o",
            "json",
            "--jq",
            ".total_count",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_api_usage_network() {
    let emu = Emulator::start().await.unwrap();
    let r = run(&emu, &["users", "get", "user_missing"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("resource_not_found"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let r = run(&emu, &["users", "delete", "user_missing"]).await;
    assert_eq!(
        r.code, 2,
        "destructive without --yes and no terminal: {}",
        r.stderr
    );
    assert!(r.stderr.contains("--yes"));
    let r = run(&emu, &["users", "delete", "user_missing", "--yes"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let r = run(&emu, &["--api-url", &url, "users", "count"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let r = output({
        let mut c = clerk(None, &dir.path().join("c.json"));
        c.args(["users", "count"]);
        c
    })
    .await;
    assert_eq!(r.code, 2, "no key: {}", r.stderr);
    assert!(r.stderr.contains("CLERK_SECRET_KEY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_request_redacted_and_sends_nothing() {
    let emu = Emulator::start().await.unwrap();
    let r = run(
        &emu,
        &[
            "users",
            "create",
            "--email-address",
            "d@example.com",
            "--password",
            "hunter2hunter2",
            "--dry-run",
            "-o",
            "json",
        ],
    )
    .await
    .ok();
    let v = r.json();
    assert_eq!(v["method"], "POST");
    assert_eq!(v["url"], format!("{}/v1/users", emu.url()));
    assert_eq!(v["body"]["email_address"], json!(["d@example.com"]));
    assert_eq!(v["body"]["password"], "[redacted]");
    assert!(!r.stdout.contains(emu.secret_key()), "secret key printed");
    assert!(!r.stdout.contains("hunter2"), "password printed");
    assert!(
        v["headers"]["authorization"]
            .as_str()
            .unwrap()
            .starts_with("Bearer sk_test_…")
    );
    let r = run(
        &emu,
        &["users", "delete", "user_x", "--dry-run", "-o", "json"],
    )
    .await
    .ok();
    assert_eq!(r.json()["method"], "DELETE");
    let n = run(
        &emu,
        &["users", "count", "-o", "json", "--jq", ".total_count"],
    )
    .await
    .ok()
    .json();
    assert_eq!(n, 0, "a dry run created a user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_follows_pagination_over_thousands_of_users() {
    let emu = Emulator::start().await.unwrap();
    let bodies = (0..2_600).map(|i| {
        let v =
            json!({"email_address": [format!("u{i}@example.com")], "external_id": format!("e{i}")});
        v.as_object().unwrap().clone()
    });
    emu.load_users(bodies).unwrap();
    let r = run(
        &emu,
        &[
            "users",
            "list",
            "--all",
            "-o",
            "json",
            "--jq",
            "map(.external_id) | unique | length",
        ],
    )
    .await
    .ok();
    assert_eq!(r.json(), 2_600);
    let r = run(
        &emu,
        &[
            "users", "list", "--all", "--limit", "333", "-o", "ndjson", "--jq", ".id",
        ],
    )
    .await
    .ok();
    let ids: std::collections::HashSet<&str> = r.stdout.lines().collect();
    assert_eq!((r.stdout.lines().count(), ids.len()), (2_600, 2_600));
    // `{data, total_count}` pages.
    let uid = run(
        &emu,
        &[
            "users", "list", "--limit", "1", "-o", "json", "--jq", ".[0].id",
        ],
    )
    .await
    .ok()
    .json();
    let uid = uid.as_str().unwrap();
    for i in 0..7 {
        run(
            &emu,
            &[
                "organizations",
                "create",
                "--name",
                &format!("org{i}"),
                "--created-by",
                uid,
            ],
        )
        .await
        .ok();
    }
    let r = run(
        &emu,
        &[
            "organizations",
            "list",
            "--all",
            "--limit",
            "3",
            "-o",
            "json",
            "--jq",
            "length",
        ],
    )
    .await
    .ok();
    assert_eq!(r.json(), 7);
}

fn golden(name: &str, got: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(got, want, "{name} differs from its golden file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_output_format_matches_its_golden_file() {
    let emu = Emulator::builder().seed(7).start().await.unwrap();
    emu.set_time(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    for (first, email) in [("Ada", "ada@example.com"), ("Grace", "grace@example.com")] {
        run(
            &emu,
            &[
                "users",
                "create",
                "--first-name",
                first,
                "--email-address",
                email,
                "--external-id",
                first,
            ],
        )
        .await
        .ok();
    }
    // Ids come from the seed; timestamps (the clock runs on from the set time) are left out.
    let jq = "map({id, first_name, external_id, email: .email_addresses[0].email_address, public_metadata})";
    for (fmt, file) in [
        ("json", "users.json"),
        ("ndjson", "users.ndjson"),
        ("table", "users.table"),
        ("yaml", "users.yaml"),
    ] {
        let r = run(
            &emu,
            &[
                "users",
                "list",
                "--order-by",
                "+created_at",
                "-o",
                fmt,
                "--jq",
                jq,
            ],
        )
        .await
        .ok();
        golden(file, &r.stdout);
    }
    let r = run(&emu, &["users", "count", "-o", "table"]).await.ok();
    golden("count.table", &r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_profiles_choose_key_and_url_and_show_redacted() {
    let emu = Emulator::start().await.unwrap();
    let other = Emulator::start().await.unwrap();
    run(
        &other,
        &["users", "create", "--email-address", "o@example.com"],
    )
    .await
    .ok();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.json");
    let cmd = |args: &[&str]| {
        let mut c = clerk(None, &cfg);
        c.args(args);
        c
    };
    for (p, e) in [("main", &emu), ("other", &other)] {
        output(cmd(&[
            "config",
            "set",
            "--profile",
            p,
            "secret_key",
            e.secret_key(),
        ]))
        .await
        .ok();
        output(cmd(&["config", "set", "--profile", p, "api_url", e.url()]))
            .await
            .ok();
    }
    let shown = output(cmd(&["config", "show", "-o", "json"])).await.ok();
    assert!(!shown.stdout.contains(emu.secret_key()), "{}", shown.stdout);
    let v = shown.json();
    assert_eq!(v["default"], "main");
    assert!(
        v["profiles"]["other"]["secret_key"]
            .as_str()
            .unwrap()
            .starts_with("sk_test_…")
    );
    let count = |r: crate::Run| r.ok().json()["total_count"].clone();
    assert_eq!(
        count(output(cmd(&["users", "count", "-o", "json"])).await),
        0
    );
    assert_eq!(
        count(output(cmd(&["--profile", "other", "users", "count", "-o", "json"])).await),
        1
    );
    let mut c = cmd(&["users", "count", "-o", "json"]);
    c.env("CLERK_PROFILE", "other");
    assert_eq!(count(output(c).await), 1);
    let r = output(cmd(&["--profile", "nope", "users", "count"])).await;
    assert_eq!(r.code, 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_has_a_command_with_help() {
    let emu = Emulator::start().await.unwrap();
    let r = run(&emu, &["users", "list", "--help"]).await.ok();
    assert!(r.stdout.contains("--email-address"), "{}", r.stdout);
    assert!(r.stdout.contains("--all"));
    assert!(r.stdout.contains("GET /users"));
    let r = run(&emu, &["organizations", "create", "--help"]).await.ok();
    assert!(
        r.stdout.contains("--name") && r.stdout.contains("[required]"),
        "{}",
        r.stdout
    );
    // Raw passthrough.
    let r = run(&emu, &["api", "GET", "/users?limit=1", "-o", "json"])
        .await
        .ok();
    assert_eq!(r.json(), json!([]));
}
