//! Compact JWS decoding: split, base64url, JSON — without copying more than needed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use std::borrow::Cow;

use super::claims::RawClaims;
use super::error::VerifyError;
use super::keys::Algorithm;

/// Tokens longer than this are rejected before any decoding or crypto.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 16 * 1024;

/// `cat` header value of session tokens (and handshake tokens).
pub(crate) const CAT_SESSION: &str = "cl_B7d4PD111AAA";
/// `cat` header value of M2M JWTs.
pub(crate) const CAT_M2M: &str = "cl_B7d4PD333AAA";
/// `cat` stamped on every class by instances that opted out of categories.
pub(crate) const CAT_IGNORE: &str = "cl_I7d4PD111III";

const MAX_HEADER: usize = 512;
const MAX_SIG: usize = 1024; // RSA-8192

/// A string header parameter: absent, a string, or any other JSON value (`null` included).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum HeaderStr {
    #[default]
    Absent,
    Str(String),
    Other,
}

impl HeaderStr {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            HeaderStr::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for HeaderStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => HeaderStr::Str(s),
            _ => HeaderStr::Other,
        })
    }
}

/// The `cat` header, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cat {
    Absent,
    Session,
    Ignore,
    M2m,
    Other,
}

impl Cat {
    /// Absent, the session category, or the opt-out category: what a session may carry.
    pub(crate) fn is_session(self) -> bool {
        matches!(self, Cat::Absent | Cat::Session | Cat::Ignore)
    }
}

/// The header parameters this crate reads. A header that is JSON but not an object has none
/// (its missing `alg` then fails, as in `@clerk/backend`).
#[derive(Default)]
struct RawHeader {
    alg: HeaderStr,
    kid: HeaderStr,
    typ: HeaderStr,
    cat: HeaderStr,
}

impl<'de> Deserialize<'de> for RawHeader {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<RawHeader>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut h = RawHeader::default();
                // Later duplicates win, as with `JSON.parse`.
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    let slot = match &*key {
                        "alg" => &mut h.alg,
                        "kid" => &mut h.kid,
                        "typ" => &mut h.typ,
                        "cat" => &mut h.cat,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = map.next_value()?;
                }
                Ok(Some(h))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Some(RawHeader::default()))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Some(RawHeader::default()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Some(RawHeader::default()))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Some(RawHeader::default()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Some(RawHeader::default()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Some(RawHeader::default()))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
        }
        d.deserialize_any(V)?
            .ok_or_else(|| de::Error::custom("the JWT header is null"))
    }
}

/// A decoded (not yet verified) token.
pub(crate) struct Decoded<'t> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'t str,
    /// `None` when `alg` is absent or not RS256/384/512.
    pub(crate) alg: Option<Algorithm>,
    pub(crate) kid: Option<String>,
    pub(crate) typ: HeaderStr,
    pub(crate) cat: Cat,
    pub(crate) claims: RawClaims,
    /// Heap, not an inline buffer: a `Decoded` moves through several futures, and copying a
    /// 1 KiB array each time costs more than one small allocation.
    sig: Vec<u8>,
}

impl Decoded<'_> {
    pub(crate) fn signature(&self) -> &[u8] {
        &self.sig
    }
}

/// Decode a compact JWS: exactly three segments, each valid unpadded base64url, header and
/// payload JSON. Every failure is `token-invalid`.
pub(crate) fn decode(token: &str, max_len: usize) -> Result<Decoded<'_>, VerifyError> {
    if token.len() > max_len {
        return Err(VerifyError::invalid(
            "token is larger than the maximum accepted size",
        ));
    }
    let Some((signing_input, sig_b64)) = token.rsplit_once('.') else {
        return Err(VerifyError::invalid(
            "invalid JWT form: a JWT consists of three parts separated by dots",
        ));
    };
    let Some((header_b64, payload_b64)) = signing_input.split_once('.') else {
        return Err(VerifyError::invalid(
            "invalid JWT form: a JWT consists of three parts separated by dots",
        ));
    };
    if payload_b64.contains('.') {
        return Err(VerifyError::invalid(
            "invalid JWT form: a JWT consists of three parts separated by dots",
        ));
    }

    let mut hbuf = [0u8; MAX_HEADER];
    if header_b64.len() > MAX_HEADER / 3 * 4 {
        return Err(VerifyError::invalid("JWT header is too large"));
    }
    let hlen = URL_SAFE_NO_PAD
        .decode_slice(header_b64.as_bytes(), &mut hbuf)
        .map_err(|_| VerifyError::invalid("JWT header is not valid base64url"))?;
    // A leading BOM is dropped, as `TextDecoder` does.
    let hbytes = hbuf[..hlen]
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&hbuf[..hlen]);
    let header: RawHeader = serde_json::from_slice(hbytes)
        .map_err(|_| VerifyError::invalid("JWT header is not valid JSON"))?;

    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64.as_bytes())
        .map_err(|_| VerifyError::invalid("JWT payload is not valid base64url"))?;
    let mut payload = String::from_utf8(payload)
        .map_err(|_| VerifyError::invalid("JWT payload is not valid UTF-8"))?;
    if payload.starts_with('\u{feff}') {
        payload.drain(..3);
    }
    let mut claims: RawClaims = serde_json::from_str(&payload)
        .map_err(|_| VerifyError::invalid("JWT payload is not valid JSON"))?;
    claims.payload = payload;

    if sig_b64.len() > MAX_SIG / 3 * 4 + 2 {
        return Err(VerifyError::invalid("JWT signature is too large"));
    }
    let sig = URL_SAFE_NO_PAD
        .decode(sig_b64.as_bytes())
        .map_err(|_| VerifyError::invalid("JWT signature is not valid base64url"))?;

    let cat = match &header.cat {
        HeaderStr::Absent => Cat::Absent,
        HeaderStr::Str(c) if c == CAT_SESSION => Cat::Session,
        HeaderStr::Str(c) if c == CAT_IGNORE => Cat::Ignore,
        HeaderStr::Str(c) if c == CAT_M2M => Cat::M2m,
        _ => Cat::Other,
    };
    Ok(Decoded {
        signing_input,
        alg: header.alg.as_str().and_then(Algorithm::from_name),
        kid: match header.kid {
            HeaderStr::Str(k) => Some(k),
            _ => None,
        },
        typ: header.typ,
        cat,
        claims,
        sig,
    })
}

impl Decoded<'_> {
    /// `typ` is an OAuth access token's (`at+jwt`, `application/at+jwt`).
    pub(crate) fn is_at_jwt(&self) -> bool {
        matches!(self.typ.as_str(), Some("at+jwt" | "application/at+jwt"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::error::TokenVerificationErrorReason as R;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn decode_rejects_malformed() {
        let h = b64(r#"{"alg":"RS256","kid":"k"}"#);
        let p = b64(r#"{"sub":"user_1","exp":1}"#);
        let ok = format!("{h}.{p}.AAAA");
        let d = decode(&ok, DEFAULT_MAX_TOKEN_LEN).unwrap();
        assert_eq!(d.alg, Some(Algorithm::RS256));
        assert_eq!(d.kid.as_deref(), Some("k"));
        assert_eq!(d.signature(), &[0, 0, 0]);
        for bad in [
            String::new(),
            "a.b".to_owned(),
            format!("{h}.{p}.AAAA.AAAA"),
            format!("{h}.{p}"),
            format!("{h}.!!!.AAAA"),
            format!("{}.{p}.AAAA", b64("null")),
            format!("{h}.{}.AAAA", b64("not json")),
            format!("{h}=.{p}.AAAA"),
            format!("{h}.{p}.A"),
        ] {
            let e = decode(&bad, DEFAULT_MAX_TOKEN_LEN).err().unwrap();
            assert_eq!(e.reason(), R::TokenInvalid, "{bad}");
        }
        assert!(decode(&ok, 10).is_err());
        // JSON that is not an object: no header parameters, no claims (checked later).
        let t = format!("{}.{}.AAAA", b64("[1]"), b64("\"hello\""));
        let d = decode(&t, 100).unwrap();
        assert_eq!(d.alg, None);
        assert_eq!(d.claims.sub, crate::auth::claims::Claim::Absent);
        let t = format!(
            "{}.{p}.AAAA",
            b64(r#"{"typ":null,"kid":5,"alg":"RS256","alg":"RS512"}"#)
        );
        let d = decode(&t, 200).unwrap();
        assert_eq!(d.typ, HeaderStr::Other);
        assert_eq!(d.kid, None);
        assert_eq!(d.alg, Some(Algorithm::RS512));
    }
}
