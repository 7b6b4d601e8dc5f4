//! Naming: spec identifiers → Rust identifiers.
//!
//! Acronyms count as words (`getOAuthAccessToken` → `get_oauth_access_token`), and a few
//! brand words stay whole so `OAuth`, `JWKS`, `SAML`, `TOTP`, `SMS` don't split letter by letter.

/// Split an identifier into lowercase words.
pub fn words(s: &str) -> Vec<String> {
    // Brand words that heck-style splitting would mangle (`OAuth` → `o_auth`).
    const WHOLE: &[(&str, &str)] = &[("OAuth", "Oauth"), ("oAuth", "oauth"), ("IDs", "Ids")];
    let mut s = s.to_owned();
    for (from, to) in WHOLE {
        s = s.replace(from, to);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if !cur.is_empty() {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let boundary = (c.is_ascii_uppercase()
                && (prev.is_ascii_lowercase() || prev.is_ascii_digit()))
                || (c.is_ascii_uppercase()
                    && prev.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `snake_case`.
pub fn snake(s: &str) -> String {
    words(s).join("_")
}

/// `PascalCase`.
pub fn pascal(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// A field or function name: snake_case, keywords get a trailing `_`, leading digits a `_`.
pub fn field(s: &str) -> String {
    let mut n = snake(s);
    if n.is_empty() {
        n = "value".into();
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n = format!("_{n}");
    }
    if KEYWORDS.contains(&n.as_str()) {
        n.push('_');
    }
    n
}

/// A type name: PascalCase, never empty, never starting with a digit.
pub fn type_name(s: &str) -> String {
    let mut n = pascal(s);
    if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit()) {
        n = format!("T{n}");
    }
    if n == "Self" {
        n = "SelfValue".into();
    }
    n
}

/// An enum variant for a wire value (`""` → `Empty`, `*` → `Wildcard`, `-x` → `NotX`).
pub fn variant(value: &str) -> String {
    match value {
        "" => return "Empty".into(),
        "*" => return "Wildcard".into(),
        _ => {}
    }
    let mut prefix = String::new();
    let mut v = value;
    if let Some(rest) = v.strip_prefix('-') {
        prefix.push_str("Not");
        v = rest;
    } else if let Some(rest) = v.strip_prefix('+') {
        prefix.push_str("Plus");
        v = rest;
    }
    let p = pascal(v);
    let n = format!("{prefix}{p}");
    if n.is_empty() {
        // Punctuation only: spell the bytes.
        let hex: String = value.bytes().map(|b| format!("{b:02X}")).collect();
        return format!("X{hex}");
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("V{n}");
    }
    if n == "Unknown" || n == "Self" {
        return format!("{n}Value");
    }
    n
}

/// Naive English singular for group names (`users` → `user`, `entries` → `entry`).
pub fn singular(w: &str) -> String {
    if let Some(stem) = w.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if w.ends_with("sses") || w.ends_with("xes") {
        return w[..w.len() - 2].to_owned();
    }
    if w.ends_with("ss") || w.ends_with("us") {
        return w.to_owned();
    }
    w.strip_suffix('s').unwrap_or(w).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_name_table() {
        let table = [
            ("getOAuthAccessToken", "get_oauth_access_token"),
            ("verifyTotp", "verify_totp"),
            ("getJWKS", "get_jwks"),
            ("list", "list"),
            ("getPublicInterstitial", "get_public_interstitial"),
            ("disableMFA", "disable_mfa"),
            ("deleteBackupCodes", "delete_backup_codes"),
            ("updateMetadata", "update_metadata"),
            ("setProfileImage", "set_profile_image"),
            ("createSAMLConnection", "create_saml_connection"),
            ("emailSMSTemplates", "email_sms_templates"),
            ("allowlistIdentifiers", "allowlist_identifiers"),
            ("m2m", "m2m"),
            (
                "getOrganizationInvitationList",
                "get_organization_invitation_list",
            ),
            ("createAPIKey", "create_api_key"),
            ("listOAuthApplications", "list_oauth_applications"),
            ("verifyIDs", "verify_ids"),
        ];
        for (input, want) in table {
            assert_eq!(snake(input), want, "{input}");
        }
    }

    #[test]
    fn type_and_variant_names() {
        assert_eq!(type_name("CommercePlan-2"), "CommercePlan2");
        assert_eq!(type_name("verification_oauth"), "VerificationOauth");
        assert_eq!(type_name("JWKS.rsa.PublicKey"), "JwksRsaPublicKey");
        assert_eq!(variant(""), "Empty");
        assert_eq!(variant("*"), "Wildcard");
        assert_eq!(variant("-manual_invitation"), "NotManualInvitation");
        assert_eq!(variant("manual_invitation"), "ManualInvitation");
        assert_eq!(variant("oauth_google"), "OauthGoogle");
        assert_eq!(variant("2fa"), "V2fa");
        assert_eq!(field("type"), "type_");
        assert_eq!(field("self"), "self_");
        assert_eq!(singular("users"), "user");
        assert_eq!(singular("waitlist_entries"), "waitlist_entry");
        assert_eq!(singular("m2m"), "m2m");
    }
}
