//! Typed session-token claims.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use std::sync::OnceLock;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A claim as found in the payload: absent, of the wrong type, or present.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Claim<T> {
    #[default]
    Absent,
    WrongType,
    Present(T),
}

impl<T> Claim<T> {
    fn from_opt(v: Option<T>) -> Self {
        match v {
            Some(v) => Claim::Present(v),
            None => Claim::WrongType,
        }
    }
    pub(crate) fn present(&self) -> Option<&T> {
        match self {
            Claim::Present(v) => Some(v),
            _ => None,
        }
    }
}

/// The payload as decoded, before any check: registered claims kept apart, the rest in `other`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawClaims {
    pub(crate) sub: Claim<String>,
    pub(crate) sid: Option<String>,
    pub(crate) azp: Option<String>,
    pub(crate) iss: Claim<String>,
    /// Seconds since the epoch (JSON numbers may be fractional).
    pub(crate) exp: Claim<f64>,
    pub(crate) iat: Claim<f64>,
    pub(crate) nbf: Claim<f64>,
    pub(crate) aud: Claim<Vec<String>>,
    pub(crate) jti: Option<String>,
    pub(crate) act: Option<Value>,
    /// Just the claims the organization is derived from (`v`, `o`, `fea`, `org_*`); every
    /// other claim is skipped (validated, not built) and parsed lazily from `payload`.
    pub(crate) org: Map<String, Value>,
    /// The payload JSON, set by the decoder.
    pub(crate) payload: String,
}

/// Claims with a typed field in [`SessionClaims`].
const TYPED: [&str; 10] = ["sub", "sid", "azp", "iss", "exp", "iat", "nbf", "jti", "act", "aud"];

fn number(v: &Value) -> Option<f64> {
    v.as_f64().filter(|f| f.is_finite())
}

impl<'de> Deserialize<'de> for RawClaims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawClaims;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of claims")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawClaims, A::Error> {
                let mut c = RawClaims::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if !TYPED.contains(&&*key) && !ORG_CLAIMS.contains(&&*key) {
                        map.next_value::<de::IgnoredAny>()?;
                        continue;
                    }
                    let value: Value = map.next_value()?;
                    match &*key {
                        "sub" => c.sub = Claim::from_opt(value.as_str().map(str::to_owned)),
                        "sid" => c.sid = value.as_str().map(str::to_owned),
                        "azp" => c.azp = value.as_str().map(str::to_owned),
                        "iss" => c.iss = Claim::from_opt(value.as_str().map(str::to_owned)),
                        "exp" => c.exp = Claim::from_opt(number(&value)),
                        "iat" => c.iat = Claim::from_opt(number(&value)),
                        "nbf" => c.nbf = Claim::from_opt(number(&value)),
                        "jti" => c.jti = value.as_str().map(str::to_owned),
                        "act" => c.act = Some(value).filter(|v| !v.is_null()),
                        "aud" => {
                            c.aud = match value {
                                Value::String(s) => Claim::Present(vec![s]),
                                Value::Array(items) => Claim::from_opt(
                                    items
                                        .into_iter()
                                        .map(|i| match i {
                                            Value::String(s) => Some(s),
                                            _ => None,
                                        })
                                        .collect(),
                                ),
                                Value::Null => Claim::Absent,
                                _ => Claim::WrongType,
                            }
                        }
                        _ => {
                            c.org.insert(key.into_owned(), value);
                        }
                    }
                }
                Ok(c)
            }
        }
        d.deserialize_map(V)
    }
}

/// The active organization of a session, from v1 (`org_id`, `org_slug`, `org_role`,
/// `org_permissions`) or v2 (`o` + `fea`) claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Organization {
    /// Organization id, `org_…`.
    pub id: String,
    /// Organization slug.
    pub slug: Option<String>,
    /// The member's role, e.g. `org:admin` (v2's bare `admin` is prefixed like
    /// `@clerk/backend` does).
    pub role: Option<String>,
    /// The member's permissions, e.g. `org:invoices:read`.
    pub permissions: Vec<String>,
}

impl Organization {
    /// Whether the member has `permission` (e.g. `org:invoices:read`).
    #[must_use]
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

/// The claims of a verified session token.
///
/// Registered and Clerk claims are typed; every other claim (including custom session claims,
/// and the raw `v`, `o`, `fea`, `org_*`, `sts`, `fva`, `pla` claims) is in [`other`](Self::other).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionClaims {
    /// Subject: the user id (`user_…`), or the machine id (`mch_…`) for an M2M JWT.
    pub sub: String,
    /// Session id (`sess_…`).
    pub sid: Option<String>,
    /// Authorized party: the origin the token was minted for.
    pub azp: Option<String>,
    /// Issuer: the instance's Frontend API URL.
    pub iss: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: Option<i64>,
    /// Not before, seconds since the epoch.
    pub nbf: Option<i64>,
    /// Audiences (`aud`), when present.
    pub aud: Vec<String>,
    /// JWT id.
    pub jti: Option<String>,
    /// Actor claim (impersonation): `{"sub": "user_…", …}`.
    pub act: Option<Value>,
    /// The active organization, if any.
    pub organization: Option<Organization>,
    /// The payload JSON as received.
    payload: String,
    /// Claims without a typed field, parsed from `payload` on first use.
    other: OnceLock<Map<String, Value>>,
}

const ORG_CLAIMS: [&str; 7] = ["v", "o", "fea", "org_id", "org_slug", "org_role", "org_permissions"];

impl PartialEq for SessionClaims {
    fn eq(&self, other: &Self) -> bool {
        self.payload == other.payload
            && self.sub == other.sub
            && self.sid == other.sid
            && self.azp == other.azp
            && self.iss == other.iss
            && self.exp == other.exp
            && self.iat == other.iat
            && self.nbf == other.nbf
            && self.aud == other.aud
            && self.jti == other.jti
            && self.act == other.act
            && self.organization == other.organization
    }
}

/// Serializes as the token's claims object, exactly as received.
impl Serialize for SessionClaims {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v: Value = serde_json::from_str(&self.payload).map_err(serde::ser::Error::custom)?;
        v.serialize(s)
    }
}

impl SessionClaims {
    /// The user id (`sub`).
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.sub
    }

    /// The session id (`sid`).
    #[must_use]
    pub fn session_id(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The active organization's id.
    #[must_use]
    pub fn org_id(&self) -> Option<&str> {
        self.organization.as_ref().map(|o| o.id.as_str())
    }

    /// The actor's `sub` when the session is an impersonation.
    #[must_use]
    pub fn actor_id(&self) -> Option<&str> {
        self.act.as_ref()?.get("sub")?.as_str()
    }

    /// Every claim without a typed field (custom session claims, and the raw `v`, `o`, `fea`,
    /// `org_*`, `sts`, `fva`, `pla` claims). Parsed on first use, so verification does not pay
    /// for claims nobody reads.
    #[must_use]
    pub fn other(&self) -> &Map<String, Value> {
        self.other.get_or_init(|| {
            let mut m: Map<String, Value> = serde_json::from_str(&self.payload).unwrap_or_default();
            for k in TYPED {
                m.remove(k);
            }
            m
        })
    }

    /// The payload JSON exactly as it was in the token.
    #[must_use]
    pub fn raw_json(&self) -> &str {
        &self.payload
    }

    /// The session status (`sts`), when the instance includes it.
    #[must_use]
    pub fn session_status(&self) -> Option<&str> {
        self.other().get("sts")?.as_str()
    }

    /// A custom claim by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.other().get(name)
    }
}

#[allow(clippy::cast_possible_truncation)]
fn secs(f: f64) -> i64 {
    f.floor() as i64
}

impl RawClaims {
    /// Build typed claims once `sub` and `exp` are known to be valid.
    pub(crate) fn into_session_claims(self, sub: String, exp: f64) -> SessionClaims {
        let organization = organization(&self.org);
        SessionClaims {
            sub,
            sid: self.sid,
            azp: self.azp,
            iss: self.iss.present().cloned(),
            exp: secs(exp),
            iat: self.iat.present().copied().map(secs),
            nbf: self.nbf.present().copied().map(secs),
            aud: match self.aud {
                Claim::Present(a) => a,
                _ => Vec::new(),
            },
            jti: self.jti,
            act: self.act,
            organization,
            payload: self.payload,
            other: OnceLock::new(),
        }
    }
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k)?.as_str().filter(|s| !s.is_empty())
}

fn organization(other: &Map<String, Value>) -> Option<Organization> {
    if other.get("v").and_then(Value::as_i64) == Some(2) {
        let o = other.get("o")?.as_object()?;
        let id = str_of(o, "id")?.to_owned();
        let org_features = other
            .get("fea")
            .and_then(Value::as_str)
            .map(org_features)
            .unwrap_or_default();
        let permissions = org_permissions(
            &org_features,
            str_of(o, "per").unwrap_or(""),
            str_of(o, "fpm").unwrap_or(""),
        );
        Some(Organization {
            id,
            slug: str_of(o, "slg").map(str::to_owned),
            role: str_of(o, "rol").map(|r| format!("org:{r}")),
            permissions,
        })
    } else {
        let id = str_of(other, "org_id")?.to_owned();
        let permissions = other
            .get("org_permissions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Some(Organization {
            id,
            slug: str_of(other, "org_slug").map(str::to_owned),
            role: str_of(other, "org_role").map(str::to_owned),
            permissions,
        })
    }
}

/// `fea` is `scope:feature,…`; features whose scope contains `o` are organization features.
fn org_features(fea: &str) -> Vec<&str> {
    fea.split(',')
        .map(str::trim)
        .filter_map(|f| {
            let (scope, name) = f.split_once(':')?;
            scope.contains('o').then_some(name)
        })
        .collect()
}

/// v2 permissions: `per` lists permission names; `fpm` has one integer per org feature whose
/// bits (most significant first, padded to the number of permissions) select the permissions
/// that feature grants. Each selected pair becomes `org:<feature>:<permission>`.
fn org_permissions(features: &[&str], per: &str, fpm: &str) -> Vec<String> {
    let perms: Vec<&str> = if per.is_empty() {
        Vec::new()
    } else {
        per.split(',').map(str::trim).collect()
    };
    let mut out = Vec::new();
    if fpm.is_empty() || perms.is_empty() {
        return out;
    }
    for (feature, mask) in features.iter().zip(fpm.split(',')) {
        let Ok(mask) = mask.trim().parse::<u64>() else {
            continue;
        };
        let width = perms.len().max(64 - mask.leading_zeros() as usize);
        for (i, perm) in perms.iter().enumerate() {
            // bit for permission i, counting from the most significant of `width` bits
            let shift = width - 1 - i;
            if shift < 64 && (mask >> shift) & 1 == 1 {
                out.push(format!("org:{feature}:{perm}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> SessionClaims {
        let mut raw: RawClaims = serde_json::from_str(json).unwrap();
        raw.payload = json.to_owned();
        raw.into_session_claims("user_1".into(), 10.0)
    }

    #[test]
    fn v1_organization() {
        let c = claims(
            r#"{"org_id":"org_1","org_slug":"acme","org_role":"org:admin","org_permissions":["org:a:read"],"x":1}"#,
        );
        let o = c.organization.clone().unwrap();
        assert_eq!(o.id, "org_1");
        assert_eq!(o.slug.as_deref(), Some("acme"));
        assert_eq!(o.role.as_deref(), Some("org:admin"));
        assert!(o.has_permission("org:a:read"));
        assert_eq!(c.get("x"), Some(&Value::from(1)));
    }

    #[test]
    fn v2_organization_with_feature_permissions() {
        // permissions: manage, read, delete; features: o:dashboard (fpm 6 = 110 → manage, read),
        // u:personal (not an org feature), o:billing (fpm 1 = 001 → delete)
        let c = claims(
            r#"{"v":2,"fea":"o:dashboard,u:personal,o:billing","o":{"id":"org_2","slg":"beta","rol":"admin","per":"manage,read,delete","fpm":"6,1"}}"#,
        );
        let o = c.organization.unwrap();
        assert_eq!(o.id, "org_2");
        assert_eq!(o.role.as_deref(), Some("org:admin"));
        assert_eq!(
            o.permissions,
            ["org:dashboard:manage", "org:dashboard:read", "org:billing:delete"]
        );
        let none = claims(r#"{"v":2}"#);
        assert!(none.organization.is_none());
    }

    #[test]
    fn wrong_types_are_recorded() {
        let raw: RawClaims =
            serde_json::from_str(r#"{"sub":1,"exp":"x","aud":["a",2],"iat":1.5}"#).unwrap();
        assert_eq!(raw.sub, Claim::WrongType);
        assert_eq!(raw.exp, Claim::WrongType);
        assert_eq!(raw.aud, Claim::WrongType);
        assert_eq!(raw.iat, Claim::Present(1.5));
        assert!(serde_json::from_str::<RawClaims>("[1]").is_err());
    }
}
