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
/// `cat` header value of JWT-template tokens.
#[allow(dead_code)]
pub(crate) const CAT_JWT_TEMPLATE: &str = "cl_B7d4PD222AAA";
/// `cat` header value of M2M JWTs.
pub(crate) const CAT_M2M: &str = "cl_B7d4PD333AAA";
/// `cat` stamped on every class by instances that opted out of categories.
pub(crate) const CAT_IGNORE: &str = "cl_I7d4PD111III";

const MAX_HEADER: usize = 512;
const MAX_SIG: usize = 1024; // RSA-8192

/// The `typ` header, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Typ {
    Absent,
    Jwt,
    AtJwt,
    Other,
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

#[derive(Deserialize)]
struct RawHeader<'a> {
    #[serde(borrow, default)]
    alg: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    typ: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    cat: Option<Cow<'a, str>>,
}

/// A decoded (not yet verified) token.
pub(crate) struct Decoded<'t> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'t str,
    /// `None` when `alg` is absent or not RS256/384/512.
    pub(crate) alg: Option<Algorithm>,
    pub(crate) kid: Option<String>,
    pub(crate) typ: Typ,
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

/// Decode a compact JWS: exactly three segments, each valid base64url, header and payload
/// JSON objects. Every failure is `token-invalid`.
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
    let header: RawHeader<'_> = serde_json::from_slice(&hbuf[..hlen])
        .map_err(|_| VerifyError::invalid("JWT header is not a valid JSON object"))?;

    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64.as_bytes())
        .map_err(|_| VerifyError::invalid("JWT payload is not valid base64url"))?;
    let payload = String::from_utf8(payload)
        .map_err(|_| VerifyError::invalid("JWT payload is not valid UTF-8"))?;
    let mut claims: RawClaims = serde_json::from_str(&payload)
        .map_err(|_| VerifyError::invalid("JWT payload is not a valid JSON object"))?;
    claims.payload = payload;

    if sig_b64.len() > MAX_SIG / 3 * 4 + 2 {
        return Err(VerifyError::invalid("JWT signature is too large"));
    }
    let sig = URL_SAFE_NO_PAD
        .decode(sig_b64.as_bytes())
        .map_err(|_| VerifyError::invalid("JWT signature is not valid base64url"))?;

    let typ = match header.typ.as_deref() {
        None => Typ::Absent,
        Some("JWT") => Typ::Jwt,
        Some("at+jwt" | "application/at+jwt") => Typ::AtJwt,
        Some(_) => Typ::Other,
    };
    let cat = match header.cat.as_deref() {
        None => Cat::Absent,
        Some(CAT_SESSION) => Cat::Session,
        Some(CAT_IGNORE) => Cat::Ignore,
        Some(CAT_M2M) => Cat::M2m,
        Some(_) => Cat::Other,
    };
    Ok(Decoded {
        signing_input,
        alg: header.alg.as_deref().and_then(Algorithm::from_name),
        kid: header.kid.map(Cow::into_owned),
        typ,
        cat,
        claims,
        sig,
    })
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
            format!("{}.{p}.AAAA", b64("[1]")),
            format!("{h}.{}.AAAA", b64("not json")),
            format!("{h}.{p}.A"),
        ] {
            let e = decode(&bad, DEFAULT_MAX_TOKEN_LEN).err().unwrap();
            assert_eq!(e.reason(), R::TokenInvalid, "{bad}");
        }
        assert!(decode(&ok, 10).is_err());
    }
}
