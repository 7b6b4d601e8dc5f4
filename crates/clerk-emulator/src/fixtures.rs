//! `--fixtures FILE`: users, organizations and memberships to start with.
//!
//! ```json
//! {
//!   "users": [{"email_address": ["ada@example.com"], "first_name": "Ada", "username": "ada"}],
//!   "organizations": [{"name": "Acme", "slug": "acme"}],
//!   "memberships": [{"organization": "acme", "user": "ada@example.com", "role": "org:admin"}]
//! }
//! ```
//!
//! Users and organizations take the bodies of `POST /v1/users` and `POST /v1/organizations` and
//! are validated exactly as those requests are. A membership names its organization by slug or id
//! and its user by email address, username, external id or id. All of it is applied in one
//! transaction: one bad entry and nothing is loaded.

use crate::app::App;
use crate::error::ApiError;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Why fixtures were refused, naming the entry (`users[2]: …`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// The file is not the expected JSON.
    #[error("fixtures: {0}")]
    Parse(String),
    /// An entry was rejected as the API would reject it.
    #[error("fixtures: {entry}: {code}: {message}")]
    Entry {
        /// Which entry, e.g. `users[2]` or `memberships[0]`.
        entry: String,
        /// Clerk's error code, e.g. `form_identifier_exists`.
        code: String,
        /// The long message.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    users: Vec<Map<String, Value>>,
    #[serde(default)]
    organizations: Vec<Map<String, Value>>,
    #[serde(default)]
    memberships: Vec<Membership>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Membership {
    organization: String,
    user: String,
    #[serde(default = "member")]
    role: String,
}

fn member() -> String {
    "org:member".to_owned()
}

pub(crate) fn load(app: &App, json: &str) -> Result<(), FixtureError> {
    let file: File = serde_json::from_str(json).map_err(|e| FixtureError::Parse(e.to_string()))?;
    let entry = |name: String| {
        move |e: ApiError| FixtureError::Entry {
            entry: name,
            code: e.code.to_owned(),
            message: e.long_message,
        }
    };
    let mut err: Option<FixtureError> = None;
    let r = app.store.tx(|tx| {
        let mut run = |group: &str,
                       name: &str,
                       params: Vec<(&'static str, String)>,
                       body: Map<String, Value>,
                       label: String|
         -> Result<Value, ApiError> {
            let mut body = body;
            // `__`-keys are the emulator's own markers, never an entry's.
            body.retain(|k, _| !k.starts_with("__"));
            app.invoke_in(tx, group, name, params, body)
                .inspect_err(|e| {
                    err = Some(entry(label)(e.clone()));
                })
        };
        for (i, u) in file.users.iter().enumerate() {
            run("users", "create", vec![], u.clone(), format!("users[{i}]"))?;
        }
        for (i, o) in file.organizations.iter().enumerate() {
            run(
                "organizations",
                "create",
                vec![],
                o.clone(),
                format!("organizations[{i}]"),
            )?;
        }
        for (i, m) in file.memberships.iter().enumerate() {
            let label = format!("memberships[{i}]");
            let user = ["email", "username", "external_id"]
                .iter()
                .find_map(|k| {
                    crate::store::owner_of(tx, k, &m.user.to_lowercase())
                        .ok()
                        .flatten()
                        .or_else(|| crate::store::owner_of(tx, k, &m.user).ok().flatten())
                })
                .unwrap_or_else(|| m.user.clone());
            let mut body = Map::new();
            body.insert("user_id".into(), Value::String(user));
            body.insert("role".into(), Value::String(m.role.clone()));
            run(
                "organization_memberships",
                "create",
                vec![("organization_id", m.organization.clone())],
                body,
                label,
            )?;
        }
        Ok(())
    });
    match (r, err) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(entry("fixtures".into())(e)),
    }
}
