//! `SecretString`: a string model field that holds a credential.

use std::fmt;

/// A credential returned or accepted by the API (client secrets, tokens, passwords).
///
/// Serializes as a plain string, but `Debug` and `Display` never show it: read it with
/// [`expose_secret`](Self::expose_secret) where you really need it. Its memory is wiped when it
/// is dropped (`zeroize`).
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl Drop for SecretString {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl SecretString {
    /// Wrap a secret.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }
    /// The secret itself.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
    /// Take the secret out (it is then yours to wipe).
    #[must_use]
    pub fn into_inner(mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        SecretString(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_value_and_serde_is_plain() {
        let s = SecretString::new("sk_live_abc");
        assert_eq!(format!("{s:?}"), "\"[redacted]\"");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"sk_live_abc\"");
        let back: SecretString = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(back.expose_secret(), "x");
    }
}
