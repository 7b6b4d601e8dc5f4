//! Typed session-token claims.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::sync::OnceLock;

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
    // The claims the organization is derived from; every other claim is skipped (validated,
    // not built) and parsed lazily from `payload` when asked for.
    pub(crate) v: Option<f64>,
    pub(crate) o: Option<RawOrg>,
    pub(crate) fea: Option<String>,
    pub(crate) org_id: Option<String>,
    pub(crate) org_slug: Option<String>,
    pub(crate) org_role: Option<String>,
    pub(crate) org_permissions: Option<Value>,
    /// The payload JSON, set by the decoder.
    pub(crate) payload: String,
}

/// Claims with a typed field in [`SessionClaims`].
const TYPED: [&str; 10] = [
    "sub", "sid", "azp", "iss", "exp", "iat", "nbf", "jti", "act", "aud",
];

/// A claim value read without building a `serde_json::Value`: strings and numbers are kept,
/// anything else is skipped.
enum Scalar {
    Str(String),
    Num(f64),
    Null,
    Other,
}

impl Scalar {
    fn string(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v as f64))
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(if v.is_finite() {
                    Scalar::Num(v)
                } else {
                    Scalar::Other
                })
            }
            fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The v2 `o` claim.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawOrg {
    id: Option<String>,
    slg: Option<String>,
    rol: Option<String>,
    per: Option<String>,
    fpm: Option<String>,
}

/// `o` if it is an object, else `None` (never an error).
struct LenientOrg(Option<RawOrg>);

impl<'de> Deserialize<'de> for LenientOrg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientOrg;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LenientOrg, A::Error> {
                let mut o = RawOrg::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let slot = match &*key {
                        "id" => &mut o.id,
                        "slg" => &mut o.slg,
                        "rol" => &mut o.rol,
                        "per" => &mut o.per,
                        "fpm" => &mut o.fpm,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = map.next_value::<Scalar>()?.string();
                }
                Ok(LenientOrg(Some(o)))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<LenientOrg, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(LenientOrg(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<LenientOrg, E> {
                Ok(LenientOrg(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<LenientOrg, E> {
                Ok(LenientOrg(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<LenientOrg, E> {
                Ok(LenientOrg(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<LenientOrg, E> {
                Ok(LenientOrg(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<LenientOrg, E> {
                Ok(LenientOrg(None))
            }
            fn visit_unit<E>(self) -> Result<LenientOrg, E> {
                Ok(LenientOrg(None))
            }
        }
        d.deserialize_any(V)
    }
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
                    match &*key {
                        "sub" => {
                            c.sub = Claim::from_opt(map.next_value::<Scalar>()?.string());
                            continue;
                        }
                        "sid" => {
                            c.sid = map.next_value::<Scalar>()?.string();
                            continue;
                        }
                        "azp" => {
                            c.azp = map.next_value::<Scalar>()?.string();
                            continue;
                        }
                        "iss" => {
                            c.iss = Claim::from_opt(map.next_value::<Scalar>()?.string());
                            continue;
                        }
                        "exp" | "iat" | "nbf" => {
                            // `null` is a wrong type, not an absent claim.
                            let v = match map.next_value::<Scalar>()? {
                                Scalar::Num(n) => Claim::Present(n),
                                _ => Claim::WrongType,
                            };
                            match &*key {
                                "exp" => c.exp = v,
                                "iat" => c.iat = v,
                                _ => c.nbf = v,
                            }
                            continue;
                        }
                        "v" => {
                            if let Scalar::Num(n) = map.next_value::<Scalar>()? {
                                c.v = Some(n);
                            }
                            continue;
                        }
                        "o" => {
                            c.o = map.next_value::<LenientOrg>()?.0;
                            continue;
                        }
                        "fea" => {
                            c.fea = map.next_value::<Scalar>()?.string();
                            continue;
                        }
                        "org_id" | "org_slug" | "org_role" => {
                            let v = map.next_value::<Scalar>()?.string();
                            match &*key {
                                "org_id" => c.org_id = v,
                                "org_slug" => c.org_slug = v,
                                _ => c.org_role = v,
                            }
                            continue;
                        }
                        "jti" | "act" | "aud" | "org_permissions" => {}
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            continue;
                        }
                    }
                    let value: Value = map.next_value()?;
                    match &*key {
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
                        _ => c.org_permissions = Some(value),
                    }
                }
                Ok(c)
            }
            // A payload that is JSON but not an object has no claims: it fails the claim
            // checks (`token-verification-failed`) after the signature, as it does in
            // `@clerk/backend`, instead of failing to decode.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawClaims, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(RawClaims::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<RawClaims, E> {
                Ok(RawClaims::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<RawClaims, E> {
                Ok(RawClaims::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<RawClaims, E> {
                Ok(RawClaims::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<RawClaims, E> {
                Ok(RawClaims::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<RawClaims, E> {
                Ok(RawClaims::default())
            }
            fn visit_unit<E>(self) -> Result<RawClaims, E> {
                Ok(RawClaims::default())
            }
        }
        d.deserialize_any(V)
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

/// Whole seconds, truncated toward zero (JavaScript's `Date#setUTCSeconds`, which
/// `@clerk/backend` compares with).
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn secs(f: f64) -> i64 {
    f.trunc() as i64
}

impl RawClaims {
    /// Build typed claims once `sub` and `exp` are known to be valid.
    pub(crate) fn into_session_claims(mut self, sub: String, exp: f64) -> SessionClaims {
        let organization = organization(&mut self);
        SessionClaims {
            sub,
            sid: self.sid,
            azp: self.azp,
            iss: match self.iss {
                Claim::Present(i) => Some(i),
                _ => None,
            },
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

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

fn organization(c: &mut RawClaims) -> Option<Organization> {
    if c.v == Some(2.0) {
        let o = c.o.as_mut()?;
        let id = non_empty(o.id.take())?;
        let permissions = org_permissions(
            c.fea.as_deref().unwrap_or(""),
            o.per.as_deref().unwrap_or(""),
            o.fpm.as_deref().unwrap_or(""),
        );
        Some(Organization {
            id,
            slug: non_empty(o.slg.take()),
            role: non_empty(o.rol.take()).map(|r| format!("org:{r}")),
            permissions,
        })
    } else {
        let id = non_empty(c.org_id.take())?;
        let permissions = c
            .org_permissions
            .as_ref()
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
            slug: non_empty(c.org_slug.take()),
            role: non_empty(c.org_role.take()),
            permissions,
        })
    }
}

/// JavaScript's `String#trim` (its whitespace set differs from Rust's `char::is_whitespace`:
/// U+FEFF is trimmed, U+0085 is not).
fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| {
        matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
                ..='\u{200a}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{202f}'
                    | '\u{205f}'
                    | '\u{3000}'
                    | '\u{feff}'
        )
    })
}

/// The organization features of `fea` (`scope:feature,…`): scopes `o`, `ou` and `uo`.
/// `None` when an element has no `:` (`@clerk/shared` throws there; we grant nothing).
fn org_features(fea: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    if fea.is_empty() {
        return Some(out);
    }
    for part in fea.split(',') {
        let (scope, name) = js_trim(part).split_once(':')?;
        if matches!(scope, "o" | "ou" | "uo") {
            out.push(name);
        }
    }
    Some(out)
}

/// The low `n` bits of a decimal string of any length (`None` unless it is ASCII digits):
/// bit `i` is `(bits[i / 64] >> (i % 64)) & 1`. Only the low bits are kept, so a huge
/// decimal costs one multiply-add per digit and 64-bit limb.
fn low_bits(decimal: &str, n: usize) -> Option<Vec<u64>> {
    if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut limbs = vec![0u64; n.div_ceil(64).max(1)];
    for d in decimal.bytes() {
        let mut carry = u128::from(d - b'0');
        for limb in &mut limbs {
            let v = u128::from(*limb) * 10 + carry;
            #[allow(clippy::cast_possible_truncation)]
            {
                *limb = v as u64;
            }
            carry = v >> 64;
        }
    }
    Some(limbs)
}

/// v2 permissions, as `@clerk/shared` builds them: `per` lists permission names; `fpm` has
/// one decimal per organization feature of `fea`, whose bit `i` (least significant first)
/// grants permission `i` of `per`. Each grant becomes `org:<feature>:<permission>`.
fn org_permissions(fea: &str, per: &str, fpm: &str) -> Vec<String> {
    let mut out = Vec::new();
    if per.is_empty() || fpm.is_empty() {
        return out;
    }
    let Some(features) = org_features(fea) else {
        return out;
    };
    let perms: Vec<&str> = per.split(',').map(js_trim).collect();
    for (feature, mask) in features.iter().zip(fpm.split(',')) {
        let Some(bits) = low_bits(js_trim(mask), perms.len()) else {
            continue;
        };
        for (i, perm) in perms.iter().enumerate() {
            if (bits[i / 64] >> (i % 64)) & 1 == 1 {
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
        // Bit 0 of a mask is the first permission of `per`. Features: o:repositories
        // (7 = 0b00111 → read, create, update), u:personal (not an org feature),
        // ou:billing (16 = 0b10000 → revoke).
        let c = claims(
            r#"{"v":2,"fea":"o:repositories,u:personal,ou:billing","o":{"id":"org_2","slg":"beta","rol":"admin","per":"read,create,update,delete,revoke","fpm":"7,16"}}"#,
        );
        let o = c.organization.unwrap();
        assert_eq!(o.id, "org_2");
        assert_eq!(o.role.as_deref(), Some("org:admin"));
        assert_eq!(
            o.permissions,
            [
                "org:repositories:read",
                "org:repositories:create",
                "org:repositories:update",
                "org:billing:revoke"
            ]
        );
        let none = claims(r#"{"v":2}"#);
        assert!(none.organization.is_none());
    }

    #[test]
    fn v2_permission_edge_cases() {
        let p = |fea, per, fpm| org_permissions(fea, per, fpm);
        // a decimal beyond u64: only its low bits matter
        assert_eq!(p("o:a", "x,y", "18446744073709551617"), ["org:a:x"]);
        // non-digits grant nothing for that feature, but keep the feature's slot
        assert_eq!(p("o:a,o:b", "x", "-1,1"), ["org:b:x"]);
        assert_eq!(p("o:a", "x", " 1 "), ["org:a:x"]);
        // more features than masks, more bits than permissions
        assert_eq!(p("o:a,o:b", "x", "3"), ["org:a:x"]);
        // an element without a scope: nothing is granted
        assert!(p("o:a,broken", "x", "1").is_empty());
        assert!(p("", "x", "1").is_empty());
        assert!(p("o:a", "", "1").is_empty());
        assert_eq!(low_bits("0", 3), Some(vec![0]));
        assert_eq!(low_bits("", 3), None);
        assert_eq!(js_trim("\u{feff} a\u{2028}"), "a");
        assert_eq!(js_trim("\u{85}a"), "\u{85}a");
    }

    #[test]
    fn wrong_types_are_recorded() {
        let raw: RawClaims =
            serde_json::from_str(r#"{"sub":1,"exp":"x","aud":["a",2],"iat":1.5}"#).unwrap();
        assert_eq!(raw.sub, Claim::WrongType);
        assert_eq!(raw.exp, Claim::WrongType);
        assert_eq!(raw.aud, Claim::WrongType);
        assert_eq!(raw.iat, Claim::Present(1.5));
        let raw: RawClaims = serde_json::from_str(r#"{"exp":null,"nbf":null}"#).unwrap();
        assert_eq!(raw.exp, Claim::WrongType);
        assert_eq!(raw.nbf, Claim::WrongType);
        assert_eq!(raw.iat, Claim::Absent);
        let raw: RawClaims = serde_json::from_str("[1]").unwrap();
        assert_eq!(raw.sub, Claim::Absent);
        assert_eq!(secs(-4.5), -4);
        assert_eq!(secs(4.9), 4);
    }
}
