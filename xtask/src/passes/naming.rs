//! Naming: the Rust name of every generated type.

use crate::names;

/// `users` + `list` → `ListUsers`; `users` + `get` → `GetUser`; multi-word names stand alone.
pub fn request_type_name(group: &str, fn_name: &str) -> String {
    let words = names::words(fn_name);
    if words.len() > 1 {
        return names::type_name(fn_name);
    }
    let gw = names::words(group);
    let noun = if matches!(fn_name, "list" | "count" | "list_all") {
        gw.join("_")
    } else {
        let mut g = gw.clone();
        if let Some(last) = g.last_mut() {
            *last = names::singular(last);
        }
        g.join("_")
    };
    names::type_name(&format!("{fn_name}_{noun}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_type_names() {
        assert_eq!(request_type_name("users", "list"), "ListUsers");
        assert_eq!(request_type_name("users", "get"), "GetUser");
        assert_eq!(
            request_type_name("users", "get_oauth_access_token"),
            "GetOauthAccessToken"
        );
        assert_eq!(
            request_type_name("waitlist_entries", "create"),
            "CreateWaitlistEntry"
        );
    }
}
