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
    pub(crate) fea: JsText,
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
    False,
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

/// A text claim as `@clerk/shared` tests it before splitting it: falsy (absent, `null`,
/// `false`, `0`, `""`: skipped), a string, or a truthy non-string (on which its `split`
/// throws).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum JsText {
    #[default]
    Falsy,
    Str(String),
    Truthy,
}

impl From<Scalar> for JsText {
    fn from(s: Scalar) -> Self {
        match s {
            Scalar::Str(s) if s.is_empty() => JsText::Falsy,
            Scalar::Str(s) => JsText::Str(s),
            Scalar::Num(0.0) | Scalar::Null | Scalar::False => JsText::Falsy,
            Scalar::Num(_) | Scalar::Other => JsText::Truthy,
        }
    }
}

impl JsText {
    /// The string to split, `""` when falsy, `None` when its `split` would throw.
    fn text(&self) -> Option<&str> {
        match self {
            JsText::Falsy => Some(""),
            JsText::Str(s) => Some(s),
            JsText::Truthy => None,
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
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(if v { Scalar::Other } else { Scalar::False })
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
    per: JsText,
    fpm: JsText,
}

/// `o` if it is truthy (an object; any other truthy value counts as an empty one, as
/// `@clerk/shared` reads it), else `None`. Never an error.
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
                        "per" => {
                            o.per = map.next_value::<Scalar>()?.into();
                            continue;
                        }
                        "fpm" => {
                            o.fpm = map.next_value::<Scalar>()?.into();
                            continue;
                        }
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
                Ok(LenientOrg(Some(RawOrg::default())))
            }
            fn visit_str<E>(self, v: &str) -> Result<LenientOrg, E> {
                Ok(LenientOrg((!v.is_empty()).then(RawOrg::default)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<LenientOrg, E> {
                Ok(LenientOrg((v != 0).then(RawOrg::default)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<LenientOrg, E> {
                Ok(LenientOrg((v != 0).then(RawOrg::default)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<LenientOrg, E> {
                Ok(LenientOrg((v != 0.0).then(RawOrg::default)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<LenientOrg, E> {
                Ok(LenientOrg(v.then(RawOrg::default)))
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
                            c.fea = map.next_value::<Scalar>()?.into();
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
    ///
    /// # Errors
    /// When the v2 organization claims are malformed (see [`organization`]).
    pub(crate) fn into_session_claims(
        mut self,
        sub: String,
        exp: f64,
    ) -> Result<SessionClaims, &'static str> {
        let organization = organization(&mut self)?;
        Ok(SessionClaims {
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
        })
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// The session's organization. Malformed v2 claims — an `fea` element without a scope, or an
/// `fea`, `per` or `fpm` that is not text — are an error: `@clerk/shared` throws on them while
/// building the auth object, so they never authenticate there either.
fn organization(c: &mut RawClaims) -> Result<Option<Organization>, &'static str> {
    const MALFORMED: &str = "malformed organization claims (fea, o.per, o.fpm)";
    if c.v == Some(2.0) {
        let Some(o) = c.o.as_mut() else {
            return Ok(None);
        };
        let fea = c.fea.text().ok_or(MALFORMED)?;
        let features = org_features(fea).ok_or(MALFORMED)?;
        // `per` and `fpm` are split only when both are truthy.
        let (per, fpm) = if o.per == JsText::Falsy || o.fpm == JsText::Falsy {
            ("", "")
        } else {
            (
                o.per.text().ok_or(MALFORMED)?,
                o.fpm.text().ok_or(MALFORMED)?,
            )
        };
        let Some(id) = non_empty(o.id.take()) else {
            return Ok(None);
        };
        let permissions = org_permissions(&features, per, fpm);
        Ok(Some(Organization {
            id,
            slug: non_empty(o.slg.take()),
            role: non_empty(o.rol.take()).map(|r| format!("org:{r}")),
            permissions,
        }))
    } else {
        let Some(id) = non_empty(c.org_id.take()) else {
            return Ok(None);
        };
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
        Ok(Some(Organization {
            id,
            slug: non_empty(c.org_slug.take()),
            role: non_empty(c.org_role.take()),
            permissions,
        }))
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
/// `None` when an element has no `:`.
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
fn org_permissions(features: &[&str], per: &str, fpm: &str) -> Vec<String> {
    let mut out = Vec::new();
    if per.is_empty() || fpm.is_empty() {
        return out;
    }
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
        raw.into_session_claims("user_1".into(), 10.0).unwrap()
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
        for bad in [
            r#"{"v":2,"fea":"o:a,broken","o":{"id":"org_2"}}"#,
            r#"{"v":2,"fea":5,"o":"org_2"}"#,
            r#"{"v":2,"fea":"o:a","o":{"id":"org_2","per":5,"fpm":"1"}}"#,
            r#"{"v":2,"fea":"o:a","o":{"id":"org_2","per":"a","fpm":[1]}}"#,
        ] {
            let mut raw: RawClaims = serde_json::from_str(bad).unwrap();
            assert!(organization(&mut raw).is_err(), "{bad}");
        }
        // falsy values are skipped, as `per` without `fpm` is
        for fine in [
            r#"{"v":2,"fea":0,"o":{"id":"org_2","per":5}}"#,
            r#"{"v":2,"fea":"x","o":null}"#,
        ] {
            let mut raw: RawClaims = serde_json::from_str(fine).unwrap();
            assert!(organization(&mut raw).is_ok(), "{fine}");
        }
    }

    #[test]
    fn v2_permission_edge_cases() {
        let p = |fea, per, fpm| org_permissions(&org_features(fea).unwrap(), per, fpm);
        // a decimal beyond u64: only its low bits matter
        assert_eq!(p("o:a", "x,y", "18446744073709551617"), ["org:a:x"]);
        // non-digits grant nothing for that feature, but keep the feature's slot
        assert_eq!(p("o:a,o:b", "x", "-1,1"), ["org:b:x"]);
        assert_eq!(p("o:a", "x", " 1 "), ["org:a:x"]);
        // more features than masks, more bits than permissions
        assert_eq!(p("o:a,o:b", "x", "3"), ["org:a:x"]);
        // an element without a scope (an empty one included) is malformed
        assert_eq!(org_features("o:a,broken"), None);
        assert_eq!(org_features("o:a,"), None);
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
