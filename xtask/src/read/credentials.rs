//! Which properties hold credentials: those become `SecretString`, so `Debug` never shows them.

use crate::ir::{Field, Ty};
use crate::names;

/// Whether a string property holds a credential, judged from its name (and, for a bare
/// `code`, its description): kept in `SecretString` so `Debug` never shows it.
///
/// The last word of the name decides: `…token`, `…secret`, `…password`, `…ticket`, `jwt`,
/// `…verifier`, `backup_codes`, `private_key`/`secret_key`; a `code` described as a
/// verification, TOTP or backup code. Ids, counts and types of those (`token_id`,
/// `token_type`) end in another word and stay plain.
pub fn is_credential(json: &str, description: Option<&str>) -> bool {
    let words: Vec<String> = names::words(json);
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    let prev = words.len().checked_sub(2).map(|i| words[i].as_str());
    match last {
        "token" | "tokens" | "secret" | "secrets" | "password" | "ticket" | "jwt" | "verifier"
        | "digest" => true,
        "codes" => prev == Some("backup"),
        "key" => matches!(prev, Some("private" | "secret")),
        "code" => description.is_some_and(|d| {
            let d = d.to_ascii_lowercase();
            ["verification code", "totp", "backup code", "one-time"]
                .iter()
                .any(|w| d.contains(w))
        }),
        _ => false,
    }
}

/// The `url` of an object that holds a token or ticket embeds it (a sign-in token's `url` carries
/// `__clerk_ticket=<token>`): such a URL is a credential too. Other URLs beside a client secret
/// (an OAuth app's endpoints) are not.
pub fn is_credential_url(json: &str, siblings: &[Field]) -> bool {
    json == "url"
        && siblings.iter().any(|f| {
            f.ty == Ty::Secret
                && names::words(&f.json)
                    .last()
                    .is_some_and(|w| w == "token" || w == "ticket")
        })
}

/// Make a string (or list of strings) a secret.
pub fn secret_of(ty: &Ty) -> Option<Ty> {
    match ty {
        Ty::Str => Some(Ty::Secret),
        Ty::Vec(inner) if **inner == Ty::Str => Some(Ty::Vec(Box::new(Ty::Secret))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::is_credential;

    #[test]
    fn the_credential_rule() {
        for name in [
            "token",
            "session_token",
            "id_token",
            "client_secret",
            "totp_secret",
            "password",
            "jwt",
            "ticket",
            "backup_codes",
            "private_key",
            "secret_key",
            "code_verifier",
            "password_digest",
        ] {
            assert!(is_credential(name, None), "{name} is a credential");
        }
        for name in [
            "token_id",
            "token_type",
            "tokens_count",
            "public_key",
            "password_enabled",
            "code",
            "object",
            "url",
        ] {
            assert!(!is_credential(name, None), "{name} is not a credential");
        }
        assert!(is_credential(
            "code",
            Some("The TOTP or backup code to verify")
        ));
        assert!(!is_credential(
            "code",
            Some("A machine-readable error code")
        ));
    }
}
