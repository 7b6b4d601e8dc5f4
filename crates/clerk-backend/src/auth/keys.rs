//! Public keys: parsed once (PEM or JWK → RSA modulus and exponent), verified with `ring`.
//!
//! The PEM/DER walk is ours, deliberately: it reads two DER shapes (SubjectPublicKeyInfo and
//! PKCS#1 RSAPublicKey, four tags in all) into `ring`'s modulus and exponent, and `ring` then
//! validates the key. The RustCrypto equivalent (`pem-rfc7468`, `spki`, `pkcs1`, `der`,
//! `const-oid`, `base64ct`) would add six crates to the verify-only build for these forty
//! lines. It is fuzzed instead (`tests/it/auth_proptest.rs`: arbitrary and mutated DER, no
//! panic, nothing but an error or a key `ring` accepts).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{self, RsaPublicKeyComponents};
use serde::Deserialize;

use super::error::{TokenVerificationErrorReason as Reason, VerifyError};

/// The JWS algorithms a Clerk token may use (the same allow-list as `@clerk/backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
}

impl Algorithm {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::RS256),
            "RS384" => Some(Self::RS384),
            "RS512" => Some(Self::RS512),
            _ => None,
        }
    }

    /// The JOSE name, e.g. `RS256`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
        }
    }

    fn params(self) -> &'static signature::RsaParameters {
        match self {
            Self::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Self::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        }
    }
}

/// One RSA public key, decoded once into the modulus and exponent `ring` verifies with, and
/// pinned to one algorithm when its source says so (RFC 8725 §3.1).
#[derive(Clone)]
pub(crate) struct RsaKey {
    pub(crate) kid: Option<Box<str>>,
    pub(crate) alg: Option<Algorithm>,
    components: RsaPublicKeyComponents<Box<[u8]>>,
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("bits", &(self.components.n.len() * 8))
            .finish()
    }
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[start..]
}

impl RsaKey {
    pub(crate) fn from_components(
        kid: Option<&str>,
        n: &[u8],
        e: &[u8],
    ) -> Result<Self, &'static str> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        if !(256..=1024).contains(&n.len()) {
            return Err("RSA modulus must be 2048 to 8192 bits");
        }
        if e.is_empty() || e.len() > 8 {
            return Err("RSA exponent is malformed");
        }
        Ok(RsaKey {
            kid: kid.map(Box::from),
            alg: None,
            components: RsaPublicKeyComponents {
                n: n.into(),
                e: e.into(),
            },
        })
    }

    /// Pin the key to `alg`.
    pub(crate) fn pinned(mut self, alg: Algorithm) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Verify `signature` over `message`: `Ok(false)` for a wrong signature, an error
    /// (`token-verification-failed`, as WebCrypto's import fails in `@clerk/backend`) when the
    /// key is pinned to another algorithm.
    #[inline]
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, VerifyError> {
        if let Some(pinned) = self.alg
            && pinned != alg
        {
            return Err(VerifyError::new(
                Reason::TokenVerificationFailed,
                format!(
                    "the key is for {} but the token is signed with {}",
                    pinned.as_str(),
                    alg.as_str()
                ),
            ));
        }
        Ok(self
            .components
            .verify(alg.params(), message, signature)
            .is_ok())
    }

    /// Parse a PEM public key: SPKI (`BEGIN PUBLIC KEY`, what the Clerk Dashboard shows as
    /// `CLERK_JWT_KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`). Literal `\n` escapes (as env files
    /// often carry them) and missing line breaks are tolerated.
    pub(crate) fn from_pem(pem: &str) -> Result<Self, &'static str> {
        let pem = pem.replace("\\n", "\n");
        let pem = pem.trim();
        let (body, pkcs1) = if let Some(rest) = pem.strip_prefix("-----BEGIN PUBLIC KEY-----") {
            let body = rest
                .split("-----END PUBLIC KEY-----")
                .next()
                .ok_or("PEM footer missing")?;
            (body, false)
        } else if let Some(rest) = pem.strip_prefix("-----BEGIN RSA PUBLIC KEY-----") {
            let body = rest
                .split("-----END RSA PUBLIC KEY-----")
                .next()
                .ok_or("PEM footer missing")?;
            (body, true)
        } else if pem.starts_with("-----") {
            return Err("unsupported PEM type: expected `PUBLIC KEY` or `RSA PUBLIC KEY`");
        } else {
            // Bare base64 SPKI, as some environments store it.
            (pem, false)
        };
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = STANDARD
            .decode(b64.as_bytes())
            .map_err(|_| "PEM body is not valid base64")?;
        let rsa = if pkcs1 {
            der.as_slice()
        } else {
            spki_rsa_public_key(&der)?
        };
        let (n, e) = pkcs1_components(rsa)?;
        RsaKey::from_components(None, n, e)
    }
}

// --- a minimal DER walk: just enough for SubjectPublicKeyInfo / RSAPublicKey ---

fn der_read<'a>(input: &mut &'a [u8], tag: u8) -> Result<&'a [u8], &'static str> {
    const BAD: &str = "public key is not valid DER";
    let (&t, rest) = input.split_first().ok_or(BAD)?;
    if t != tag {
        return Err(BAD);
    }
    let (&l0, mut rest) = rest.split_first().ok_or(BAD)?;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return Err(BAD);
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return Err(BAD);
    }
    let (value, after) = rest.split_at(len);
    *input = after;
    Ok(value)
}

const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// SPKI → the RSAPublicKey DER inside its BIT STRING.
fn spki_rsa_public_key(der: &[u8]) -> Result<&[u8], &'static str> {
    let mut input = der;
    let mut spki = der_read(&mut input, 0x30)?;
    if !input.is_empty() {
        return Err("public key is not valid DER");
    }
    let mut alg = der_read(&mut spki, 0x30)?;
    let oid = der_read(&mut alg, 0x06)?;
    if oid != RSA_ENCRYPTION_OID {
        return Err("public key is not an RSA key");
    }
    let bits = der_read(&mut spki, 0x03)?;
    match bits.split_first() {
        Some((0, key)) => Ok(key),
        _ => Err("public key is not valid DER"),
    }
}

/// RSAPublicKey DER → (n, e).
fn pkcs1_components(der: &[u8]) -> Result<(&[u8], &[u8]), &'static str> {
    let mut input = der;
    let mut seq = der_read(&mut input, 0x30)?;
    let n = der_read(&mut seq, 0x02)?;
    let e = der_read(&mut seq, 0x02)?;
    if !input.is_empty() || !seq.is_empty() {
        return Err("public key is not valid DER");
    }
    Ok((n, e))
}

// --- key sets ---

static NEXT_KEYSET_ID: AtomicU64 = AtomicU64::new(1);

/// A process-unique key-set id, so caches of verified tokens can tell when the keys changed.
pub(crate) fn next_keyset_id() -> u64 {
    NEXT_KEYSET_ID.fetch_add(1, Ordering::Relaxed)
}

/// One key of a JWKS: usable, or kept with the reason it cannot verify (a token naming its
/// `kid` then fails `token-verification-failed`, as WebCrypto's import fails in
/// `@clerk/backend`, instead of looking like an unknown `kid`).
#[derive(Debug)]
pub(crate) struct JwksKey {
    kid: Option<Box<str>>,
    key: Result<RsaKey, &'static str>,
}

impl JwksKey {
    /// Verify with this key (see [`RsaKey::verify`]).
    #[inline]
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, VerifyError> {
        match &self.key {
            Ok(k) => k.verify(alg, message, signature),
            Err(why) => Err(VerifyError::new(
                Reason::TokenVerificationFailed,
                format!("the JWK matching the token's kid cannot verify it: {why}"),
            )),
        }
    }
}

/// An immutable set of parsed keys with a process-unique id.
#[derive(Debug)]
pub(crate) struct KeySet {
    pub(crate) id: u64,
    pub(crate) keys: Vec<JwksKey>,
}

impl KeySet {
    fn new(keys: Vec<JwksKey>) -> Self {
        KeySet {
            id: next_keyset_id(),
            keys,
        }
    }

    /// The key with this `kid`.
    #[inline]
    pub(crate) fn find(&self, kid: Option<&str>) -> Option<&JwksKey> {
        let kid = kid?;
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }

    /// Parse the JWKS document `GET /jwks` returned (`{"keys": [...]}`).
    ///
    /// # Errors
    /// `jwk-remote-invalid` when it is not JSON, `jwk-remote-failed-to-load` when it holds no
    /// key at all.
    pub(crate) fn from_jwks_json(json: &[u8]) -> Result<Self, VerifyError> {
        let doc: JwksDoc = serde_json::from_slice(json).map_err(|_| {
            VerifyError::new(Reason::RemoteJwkInvalid, "the JWKS is not valid JSON")
        })?;
        if doc.keys.is_empty() {
            return Err(VerifyError::new(
                Reason::RemoteJwkFailedToLoad,
                "the JWKS endpoint did not contain any signing keys",
            ));
        }
        Ok(Self::from_jwks(&doc.keys))
    }

    /// Keys as given; the unusable ones are kept (see [`JwksKey`]).
    pub(crate) fn from_jwks(keys: &[Jwk]) -> Self {
        KeySet::new(keys.iter().map(Jwk::to_key).collect())
    }
}

/// A JWKS document as `GET /jwks` returns it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct JwksDoc {
    #[serde(default)]
    pub(crate) keys: Vec<Jwk>,
}

/// The fields of one JWK this crate needs (others are ignored).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Jwk {
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Key type; only `RSA` keys are used.
    #[serde(default)]
    pub kty: String,
    /// Modulus, base64url.
    #[serde(default)]
    pub n: Option<String>,
    /// Exponent, base64url.
    #[serde(default)]
    pub e: Option<String>,
    /// Algorithm the key is for: once set, the key verifies only tokens of this algorithm.
    #[serde(default)]
    pub alg: Option<String>,
    /// Intended use; a key whose `use` is not `sig` verifies nothing.
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
}

impl Jwk {
    /// An RSA JWK from its parts.
    #[must_use]
    pub fn rsa(
        kid: impl Into<String>,
        n_b64url: impl Into<String>,
        e_b64url: impl Into<String>,
    ) -> Self {
        Jwk {
            kid: Some(kid.into()),
            kty: "RSA".to_owned(),
            n: Some(n_b64url.into()),
            e: Some(e_b64url.into()),
            alg: Some("RS256".to_owned()),
            use_: Some("sig".to_owned()),
        }
    }

    fn to_key(&self) -> JwksKey {
        JwksKey {
            kid: self.kid.as_deref().map(Box::from),
            key: self.to_rsa_key(),
        }
    }

    fn to_rsa_key(&self) -> Result<RsaKey, &'static str> {
        if self.kty != "RSA" {
            return Err("not an RSA key");
        }
        if self.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err("its use is not `sig`");
        }
        let alg = match self.alg.as_deref() {
            None => None,
            Some(a) => Some(Algorithm::from_name(a).ok_or("its alg is not RS256, RS384 or RS512")?),
        };
        let n = b64url_lenient(self.n.as_deref().ok_or("no modulus")?).ok_or("bad modulus")?;
        let e = b64url_lenient(self.e.as_deref().ok_or("no exponent")?).ok_or("bad exponent")?;
        let key = RsaKey::from_components(self.kid.as_deref(), &n, &e)?;
        Ok(match alg {
            Some(a) => key.pinned(a),
            None => key,
        })
    }
}

fn b64url_lenient(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../../tests/fixtures/auth/rsa_a.pub.pem");

    #[test]
    fn pem_spki_parses_in_all_spellings() {
        let k = RsaKey::from_pem(PEM).unwrap();
        assert_eq!(k.components.n.len(), 256);
        assert_eq!(&*k.components.e, &[1, 0, 1]);
        let escaped = PEM.replace('\n', "\\n");
        assert!(RsaKey::from_pem(&escaped).is_ok());
        let one_line = PEM.replace('\n', "");
        assert!(RsaKey::from_pem(&one_line).is_ok());
        let bare: String = PEM.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(RsaKey::from_pem(&bare).is_ok());
    }

    #[test]
    fn bad_pems_are_rejected() {
        assert!(RsaKey::from_pem("").is_err());
        assert!(
            RsaKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
        assert!(
            RsaKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----").is_err()
        );
        assert!(
            RsaKey::from_pem("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----").is_err()
        );
        let truncated: String = PEM.chars().take(120).collect();
        assert!(RsaKey::from_pem(&truncated).is_err());
    }

    #[test]
    fn jwks_keeps_unusable_keys_as_failures() {
        let json = br#"{"keys":[{"kty":"EC","kid":"x"},{"kty":"RSA","kid":"short","n":"AQAB","e":"AQAB"}]}"#;
        let set = KeySet::from_jwks_json(json).unwrap();
        let err = set
            .find(Some("x"))
            .unwrap()
            .verify(Algorithm::RS256, b"m", b"s");
        assert_eq!(err.unwrap_err().reason(), Reason::TokenVerificationFailed);
        assert!(
            set.find(Some("short"))
                .unwrap()
                .verify(Algorithm::RS256, b"m", b"s")
                .is_err()
        );
        assert!(set.find(Some("nope")).is_none());
        assert_eq!(
            KeySet::from_jwks_json(br#"{"keys":[]}"#)
                .unwrap_err()
                .reason(),
            Reason::RemoteJwkFailedToLoad
        );
        assert_eq!(
            KeySet::from_jwks_json(b"nope").unwrap_err().reason(),
            Reason::RemoteJwkInvalid
        );
    }

    #[test]
    fn pinned_keys_refuse_other_algorithms() {
        let k = RsaKey::from_pem(PEM).unwrap().pinned(Algorithm::RS256);
        assert_eq!(k.verify(Algorithm::RS256, b"m", b"s").ok(), Some(false));
        let e = k.verify(Algorithm::RS384, b"m", b"s").unwrap_err();
        assert_eq!(e.reason(), Reason::TokenVerificationFailed);
        let free = RsaKey::from_pem(PEM).unwrap();
        assert_eq!(free.verify(Algorithm::RS512, b"m", b"s").ok(), Some(false));
    }
}
