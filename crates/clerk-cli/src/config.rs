//! Where the secret key and API URL come from: flags, environment, named profiles.
//!
//! The config file is JSON at `$CLERK_CONFIG`, else `$XDG_CONFIG_HOME/clerk/config.json`, else
//! `~/.config/clerk/config.json`: `{"default": "dev", "profiles": {"dev": {"secret_key": …,
//! "api_url": …}}}`, written with mode 0600.
//!
//! Precedence: `--api-url`, then an explicitly chosen profile (`--profile`/`CLERK_PROFILE`),
//! then `CLERK_SECRET_KEY`/`CLERK_API_URL`, then the default profile.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::fail::{Failure, Result, local};

/// Resolved connection settings.
#[derive(Clone)]
pub struct Settings {
    /// Secret key, when one is known.
    pub secret_key: Option<String>,
    /// Server URL including `/v1`.
    pub server_url: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("secret_key", &self.secret_key.as_deref().map(redact))
            .field("server_url", &self.server_url)
            .finish()
    }
}

/// The config file's path.
pub fn path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("CLERK_CONFIG") {
        return Ok(PathBuf::from(p));
    }
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME") {
        return Ok(PathBuf::from(x).join("clerk/config.json"));
    }
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".config/clerk/config.json"))
        .ok_or_else(|| Failure::Local("no config path: set CLERK_CONFIG or HOME".into()))
}

/// The whole config file (empty when absent).
pub fn load() -> Result<Value> {
    let p = path()?;
    match std::fs::read(&p) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| local(p.display(), e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(json!({"profiles": {}})),
        Err(e) => Err(local(p.display(), e)),
    }
}

fn save(doc: &Value) -> Result<()> {
    let p = path()?;
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).map_err(|e| local(dir.display(), e))?;
    }
    let text = serde_json::to_string_pretty(doc).map_err(|e| local("config", e))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    opts.open(&p)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| local(p.display(), e))
}

/// `sk_test_abcd…wxyz` → `sk_test_…wxyz`.
pub fn redact(key: &str) -> String {
    let prefix = ["sk_test_", "sk_live_"]
        .iter()
        .find(|p| key.starts_with(**p))
        .copied()
        .unwrap_or("");
    let tail: String = if key.len() >= prefix.len() + 12 {
        key[key.len() - 4..].to_owned()
    } else {
        String::new()
    };
    format!("{prefix}…{tail}")
}

/// Append `/v1` unless the URL already names the version.
pub fn server_url(api_url: &str) -> String {
    let u = api_url.trim_end_matches('/');
    if u.ends_with("/v1") {
        u.to_owned()
    } else {
        format!("{u}/v1")
    }
}

/// Resolve settings from flags, environment and the config file.
pub fn resolve(profile: Option<&str>, api_url: Option<&str>) -> Result<Settings> {
    let doc = load()?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let explicit = profile.map(str::to_owned).or_else(|| env("CLERK_PROFILE"));
    let chosen = explicit.clone().or_else(|| {
        doc.get("default")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let prof = match &chosen {
        Some(name) => match doc.pointer(&format!("/profiles/{name}")) {
            Some(p) => Some(p.clone()),
            None if explicit.is_some() => {
                return Err(Failure::Usage(format!("no profile named {name:?}")));
            }
            None => None,
        },
        None => None,
    };
    let from_prof = |k: &str| {
        prof.as_ref()
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (key, url) = if explicit.is_some() {
        (
            from_prof("secret_key").or_else(|| env("CLERK_SECRET_KEY")),
            from_prof("api_url").or_else(|| env("CLERK_API_URL")),
        )
    } else {
        (
            env("CLERK_SECRET_KEY").or_else(|| from_prof("secret_key")),
            env("CLERK_API_URL").or_else(|| from_prof("api_url")),
        )
    };
    let url = api_url.map(str::to_owned).or(url);
    Ok(Settings {
        secret_key: key,
        server_url: url.map_or_else(
            || clerk_backend::client::DEFAULT_SERVER_URL.to_owned(),
            |u| server_url(&u),
        ),
    })
}

/// `clerk config set [--profile P] KEY VALUE`.
pub fn set(profile: &str, key: &str, value: &str, make_default: bool) -> Result<()> {
    let allowed = ["secret_key", "api_url"];
    if !allowed.contains(&key) {
        return Err(Failure::Usage(format!(
            "unknown setting {key:?} (expected one of {allowed:?})"
        )));
    }
    let mut doc = load()?;
    let obj = doc
        .as_object_mut()
        .ok_or_else(|| Failure::Local("config file is not a JSON object".into()))?;
    let profiles = obj
        .entry("profiles")
        .or_insert_with(|| Value::Object(Map::new()));
    let p = profiles
        .as_object_mut()
        .ok_or_else(|| Failure::Local("config `profiles` is not an object".into()))?
        .entry(profile)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(p) = p.as_object_mut() {
        p.insert(key.to_owned(), Value::String(value.to_owned()));
    }
    if make_default || !obj.contains_key("default") {
        obj.insert("default".into(), Value::String(profile.to_owned()));
    }
    save(&doc)
}

/// `clerk config show`: the file with every secret key redacted.
pub fn show() -> Result<Value> {
    let mut doc = load()?;
    if let Some(ps) = doc.get_mut("profiles").and_then(Value::as_object_mut) {
        for p in ps.values_mut() {
            if let Some(k) = p.get_mut("secret_key")
                && let Some(s) = k.as_str()
            {
                *k = Value::String(redact(s));
            }
        }
    }
    Ok(doc)
}
