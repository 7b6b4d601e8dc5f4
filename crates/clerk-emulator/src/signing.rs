//! The instance's RS256 signing key: generated once per process (or per seed), served as JWKS.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use ring::signature::RsaKeyPair;
use rsa::pkcs8::EncodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// An RSA key pair with its key id, ready to sign JWTs.
pub(crate) struct SigningKey {
    pub(crate) kid: String,
    pair: RsaKeyPair,
    n: String,
    e: String,
    pem: String,
    /// PKCS#8 DER of the private key, persisted in `--data` mode.
    der: Vec<u8>,
}

impl SigningKey {
    /// The key for `seed`: the same seed gives the same key; no seed gives one key per process.
    /// Generation costs ~100 ms–1 s, so keys are cached and later starts take none of it.
    pub(crate) fn for_seed(seed: Option<u64>) -> Arc<SigningKey> {
        static CACHE: OnceLock<Mutex<HashMap<Option<u64>, Arc<SigningKey>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut cache = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .entry(seed)
            .or_insert_with(|| Arc::new(SigningKey::generate(seed)))
            .clone()
    }

    fn generate(seed: Option<u64>) -> SigningKey {
        let mut rng = match seed {
            Some(s) => ChaCha20Rng::seed_from_u64(s ^ 0x6b65_7973),
            None => ChaCha20Rng::from_seed(crate::ids::os_seed()),
        };
        let key = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("2048-bit RSA key generation");
        let der = key.to_pkcs8_der().expect("PKCS#8 encoding of a fresh key");
        let pair =
            RsaKeyPair::from_pkcs8(der.as_bytes()).expect("ring accepts the key it was given");
        SigningKey::assemble(&key, der.as_bytes().to_vec(), pair)
    }

    /// The key stored as PKCS#8 DER (a `--data` database's own key).
    pub(crate) fn from_pkcs8(der: &[u8]) -> Option<SigningKey> {
        use rsa::pkcs8::DecodePrivateKey as _;
        let key = rsa::RsaPrivateKey::from_pkcs8_der(der).ok()?;
        let pair = RsaKeyPair::from_pkcs8(der).ok()?;
        Some(SigningKey::assemble(&key, der.to_vec(), pair))
    }

    pub(crate) fn pkcs8(&self) -> &[u8] {
        &self.der
    }

    fn assemble(key: &rsa::RsaPrivateKey, der: Vec<u8>, pair: RsaKeyPair) -> SigningKey {
        let public = key.to_public_key();
        let n = URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(public.e().to_bytes_be());
        let pem = {
            use rsa::pkcs8::EncodePublicKey as _;
            public
                .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
                .expect("PEM encoding of a public key")
        };
        let kid = format!("ins_{}", n[..27].replace(['-', '_'], "x"));
        SigningKey {
            kid,
            pair,
            n,
            e,
            pem,
            der,
        }
    }

    /// The JWKS document (`GET /v1/jwks`).
    pub(crate) fn jwks(&self) -> Value {
        json!({"keys": [{
            "use": "sig", "kty": "RSA", "kid": self.kid, "alg": "RS256",
            "n": self.n, "e": self.e,
        }]})
    }

    /// The public key as PEM (for `jwt_key` / `CLERK_JWT_KEY`).
    pub(crate) fn public_pem(&self) -> &str {
        &self.pem
    }

    /// `header.payload.signature`, RS256.
    pub(crate) fn sign(&self, header: &Value, claims: &Value) -> String {
        let mut out = String::with_capacity(1024);
        out.push_str(&URL_SAFE_NO_PAD.encode(header.to_string()));
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut sig = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                out.as_bytes(),
                &mut sig,
            )
            .expect("RSA signing with a valid key");
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(sig));
        out
    }
}
