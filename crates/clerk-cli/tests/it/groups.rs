//! Every group of the command table has a command run against the emulator: a stateful one
//! where the emulator has one, else the clean `501 emulator_not_implemented` API error.

use std::collections::BTreeSet;

use clerk_emulator::Emulator;
use serde_json::{Map, Value, json};

use crate::generated_commands::COMMANDS;
use crate::run;
use crate::table::{Body, Command, Kind, Param};

/// `group.name` of every operation the emulator implements, from its coverage table.
fn stateful() -> BTreeSet<String> {
    include_str!("../../../clerk-emulator/SUPPORTED.md")
        .lines()
        .filter(|l| l.trim_end().ends_with("| stateful |"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect()
}

fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

/// A value of `p`'s kind that passes the CLI's own checks.
fn dummy(p: &Param) -> Value {
    match p.kind {
        Kind::Int | Kind::Float => json!(1),
        Kind::Bool => json!(true),
        Kind::Json => json!({}),
        Kind::StrList => json!(["x"]),
        Kind::Str | Kind::Value => json!(p.values.first().copied().unwrap_or("x")),
    }
}

/// Arguments for `c` with every required input filled in (body fields through `--data`).
fn args_for(c: &Command) -> Vec<String> {
    let mut args = vec![kebab(c.group), kebab(c.name)];
    args.extend(c.path_params.iter().map(|p| format!("{p}_emulator")));
    for p in c.query.iter().filter(|p| p.required) {
        args.push(format!("--{}", kebab(p.name)));
        args.push(
            dummy(p)
                .as_str()
                .map_or_else(|| dummy(p).to_string(), str::to_owned),
        );
    }
    match c.body {
        Body::Fields(fields) => {
            let obj: Map<String, Value> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| (f.name.to_owned(), dummy(f)))
                .collect();
            args.extend(["--data".into(), Value::Object(obj).to_string()]);
        }
        Body::Value { .. } => args.extend(["--data".into(), "{}".into()]),
        Body::None | Body::Multipart { .. } => {}
    }
    args.extend(["--yes".into(), "-o".into(), "json".into()]);
    args
}

/// An operation of `group` the emulator does not implement, easiest to call first.
fn unimplemented_op<'a>(group: &str, stateful: &BTreeSet<String>) -> Option<&'a Command> {
    let mut ops: Vec<&Command> = COMMANDS
        .iter()
        .filter(|c| c.group == group && !stateful.contains(&format!("{}.{}", c.group, c.name)))
        .filter(|c| !matches!(c.body, Body::Multipart { .. }))
        .collect();
    ops.sort_by_key(|c| c.query.iter().filter(|p| p.required).count());
    ops.first().copied()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_runs_a_command_against_the_emulator() {
    let emu = Emulator::start().await.unwrap();
    let stateful = stateful();
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
    let uid = user["id"].as_str().unwrap().to_owned();
    let org = run(
        &emu,
        &[
            "organizations",
            "create",
            "--name",
            "Acme",
            "--created-by",
            &uid,
            "-o",
            "json",
        ],
    )
    .await
    .ok()
    .json();
    let oid = org["id"].as_str().unwrap().to_owned();
    let (uid, oid) = (uid.as_str(), oid.as_str());
    // Stateful groups: (group, args, a jq predicate that must print `true`).
    let cases: Vec<(&str, Vec<&str>, String)> = vec![
        (
            "users",
            vec!["users", "get", uid],
            r#".first_name == "Ada""#.into(),
        ),
        (
            "organizations",
            vec!["organizations", "get", oid],
            r#".name == "Acme""#.into(),
        ),
        (
            "organization_memberships",
            vec!["organization-memberships", "list", oid],
            format!(r#".data[0].public_user_data.user_id == "{uid}""#),
        ),
        (
            "organization_invitations",
            vec!["organization-invitations", "list", oid],
            ".total_count == 0".into(),
        ),
        (
            "email_addresses",
            vec![
                "email-addresses",
                "create",
                "--user-id",
                uid,
                "--email-address",
                "ada2@example.com",
            ],
            r#".email_address == "ada2@example.com" and .id != null"#.into(),
        ),
        (
            "phone_numbers",
            vec![
                "phone-numbers",
                "create",
                "--user-id",
                uid,
                "--phone-number",
                "+15555550100",
            ],
            r#".phone_number == "+15555550100""#.into(),
        ),
        (
            "sessions",
            vec!["sessions", "create", "--user-id", uid],
            format!(r#".user_id == "{uid}" and .status == "active""#),
        ),
        ("clients", vec!["clients", "list"], "length >= 1".into()),
        (
            "invitations",
            vec![
                "invitations",
                "create",
                "--email-address",
                "inv@example.com",
            ],
            r#".status == "pending""#.into(),
        ),
        (
            "allowlist_identifiers",
            vec![
                "allowlist-identifiers",
                "create",
                "--identifier",
                "x@example.com",
            ],
            r#".identifier == "x@example.com""#.into(),
        ),
        (
            "blocklist_identifiers",
            vec![
                "blocklist-identifiers",
                "create",
                "--identifier",
                "bad@example.com",
            ],
            r#".identifier == "bad@example.com""#.into(),
        ),
        (
            "actor_tokens",
            vec![
                "actor-tokens",
                "create",
                "--user-id",
                uid,
                "--actor",
                r#"{"sub":"user_support"}"#,
            ],
            format!(r#".user_id == "{uid}""#),
        ),
        (
            "jwt_templates",
            vec![
                "jwt-templates",
                "create",
                "--name",
                "t1",
                "--claims",
                r#"{"a":1}"#,
            ],
            r#".name == "t1""#.into(),
        ),
        (
            "redirect_urls",
            vec!["redirect-urls", "create", "--url", "https://example.com/cb"],
            r#".url == "https://example.com/cb""#.into(),
        ),
        (
            "sign_in_tokens",
            vec!["sign-in-tokens", "create", "--user-id", uid],
            format!(r#".user_id == "{uid}""#),
        ),
        (
            "testing_tokens",
            vec!["testing-tokens", "create"],
            ".token != null".into(),
        ),
        (
            "api_keys",
            vec!["api-keys", "create", "--name", "ci", "--subject", uid],
            format!(r#".name == "ci" and .subject == "{uid}""#),
        ),
        (
            "m2m",
            vec!["m2m", "create-token"],
            r#".object == "machine_to_machine_token" and .id != null"#.into(),
        ),
        (
            "jwks",
            vec!["jwks", "get-jwks"],
            ".keys | length == 1".into(),
        ),
    ];
    let groups: BTreeSet<&str> = COMMANDS.iter().map(|c| c.group).collect();
    let has_stateful = |g: &str| stateful.iter().any(|s| s.split('.').next() == Some(g));
    // In the listed order: a case may need what an earlier one created (a session's client).
    for (group, args, pred) in &cases {
        assert!(
            groups.contains(group),
            "case for a group that no longer exists: {group}"
        );
        assert!(
            has_stateful(group),
            "{group}: the emulator implements none of it"
        );
        let mut a = args.clone();
        a.extend(["-o", "json", "--jq", pred]);
        let r = run(&emu, &a).await;
        assert_eq!(r.code, 0, "{args:?}:\n{}\n{}", r.stdout, r.stderr);
        assert_eq!(r.json(), json!(true), "{args:?}: {pred}");
    }
    let mut missing = Vec::new();
    for group in &groups {
        if has_stateful(group) {
            if !cases.iter().any(|(g, _, _)| g == group) {
                missing.push(format!("{group}: stateful, but no case"));
            }
            continue;
        }
        let Some(c) = unimplemented_op(group, &stateful) else {
            missing.push(format!("{group}: no operation to call"));
            continue;
        };
        let args = args_for(c);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&emu, &a).await;
        assert_eq!(
            r.code, 1,
            "{args:?}: want the API-error exit code\n{}",
            r.stderr
        );
        let op = format!("{}.{}", c.group, c.name);
        assert!(
            r.stderr.contains("emulator_not_implemented") && r.stderr.contains(&op),
            "{args:?}: stderr should name {op}:\n{}",
            r.stderr
        );
        assert!(
            r.stdout.is_empty(),
            "{args:?}: data on stdout: {}",
            r.stdout
        );
    }
    assert!(
        missing.is_empty(),
        "groups without a command test: {missing:#?}"
    );
}
