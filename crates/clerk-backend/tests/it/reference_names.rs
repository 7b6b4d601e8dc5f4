//! The reference SDK's 130 operations all exist here under their own (snake_cased) names, with
//! their deprecations.

use std::path::PathBuf;

use clerk_backend::operations::OPERATIONS;

/// `getOAuthAccessToken` → `get_oauth_access_token` (acronyms as words).
fn snake(s: &str) -> String {
    let s = s.replace("OAuth", "Oauth");
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn seed_readme() -> String {
    let dir = std::env::var_os("CLERK_SEED_README_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed"),
        PathBuf::from,
    );
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "reference README dir {} missing ({e}); set CLERK_SEED_README_DIR",
            dir.display()
        )
    });
    let mut text = String::new();
    for e in entries.flatten() {
        text.push_str(&std::fs::read_to_string(e.path()).unwrap());
    }
    text
}

#[test]
fn every_reference_operation_exists_with_its_name_and_deprecation() {
    let readme = seed_readme();
    let section = readme
        .split("## Available Resources and Operations")
        .nth(1)
        .and_then(|s| s.split("<!-- End Available Resources").next())
        .expect("operations section");
    let mut group = String::new();
    let mut checked = Vec::new();
    for line in section.lines() {
        if let Some(rest) = line.strip_prefix("### [") {
            // A deprecated group is struck through too: `### [~~emailAndSmsTemplates~~]`.
            group = snake(rest.split(']').next().unwrap().trim_matches('~'));
        } else if let Some(rest) = line.strip_prefix("* [") {
            let raw = rest.split(']').next().unwrap();
            let deprecated = raw.starts_with("~~");
            let name = snake(raw.trim_matches('~'));
            let op = OPERATIONS
                .iter()
                .find(|o| o.group == group && o.name == name)
                .unwrap_or_else(|| panic!("reference operation {group}.{name} is missing"));
            // Deprecated there → deprecated here (2026-05-12 deprecates a few more).
            assert!(
                op.deprecated || !deprecated,
                "{group}.{name} should be deprecated"
            );
            checked.push(format!("{group}.{name}"));
        }
    }
    assert_eq!(
        checked.len(),
        130,
        "expected the reference's 130 operations"
    );
    // sessions.verify is gone from the 2026 spec but kept, deprecated.
    let verify = OPERATIONS
        .iter()
        .find(|o| o.group == "sessions" && o.name == "verify")
        .unwrap();
    assert!(verify.deprecated);
    assert_eq!(OPERATIONS.len(), 250);
}

#[test]
fn snake_case_table() {
    for (input, want) in [
        ("getOAuthAccessToken", "get_oauth_access_token"),
        ("verifyTotp", "verify_totp"),
        ("getJWKS", "get_jwks"),
        ("emailSMSTemplates", "email_sms_templates"),
        ("generateSvixAuthURL", "generate_svix_auth_url"),
    ] {
        assert_eq!(snake(input), want);
    }
}
