//! Test keys and token minting shared by the auth tests (and the benchmark).
#![allow(dead_code)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clerk_backend::auth::Jwk;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};

pub const PEM_A: &str = include_str!("../fixtures/auth/rsa_a.pub.pem");
pub const PEM_B: &str = include_str!("../fixtures/auth/rsa_b.pub.pem");
const DER_A: &[u8] = include_bytes!("../fixtures/auth/rsa_a.pkcs1.der");
const DER_B: &[u8] = include_bytes!("../fixtures/auth/rsa_b.pkcs1.der");
const DER_C: &[u8] = include_bytes!("../fixtures/auth/rsa_c3072.pkcs1.der");

pub const AZP: &str = "https://app.example.com";
pub const ISS: &str = "https://clerk.example.com";

/// A test signing key with a `kid`.
pub struct TestKey {
    pair: RsaKeyPair,
    pub pem: &'static str,
    pub kid: String,
}

impl TestKey {
    fn load(der: &[u8], pem: &'static str, kid: &str) -> Self {
        TestKey {
            pair: RsaKeyPair::from_der(der).expect("test key"),
            pem,
            kid: kid.to_owned(),
        }
    }
    pub fn a() -> Self {
        Self::load(DER_A, PEM_A, "ins_a_1")
    }
    pub fn b() -> Self {
        Self::load(DER_B, PEM_B, "ins_b_1")
    }
    /// A 3072-bit key (no PEM fixture).
    pub fn c() -> Self {
        Self::load(DER_C, "", "ins_c_1")
    }
    pub fn with_kid(mut self, kid: &str) -> Self {
        self.kid = kid.to_owned();
        self
    }

    pub fn jwk(&self) -> Jwk {
        let c: RsaPublicKeyComponents<Vec<u8>> = self.pair.public().into();
        Jwk::rsa(
            &self.kid,
            URL_SAFE_NO_PAD.encode(&c.n),
            URL_SAFE_NO_PAD.encode(&c.e),
        )
    }

    pub fn jwks_json(keys: &[&TestKey]) -> Value {
        json!({ "keys": keys.iter().map(|k| serde_json::to_value(k.jwk()).unwrap()).collect::<Vec<_>>() })
    }

    /// Sign `header.payload` with the algorithm named in `header.alg` (RS256 if absent).
    pub fn sign_raw(&self, header: &Value, payload_json: &[u8]) -> String {
        let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap());
        let p = URL_SAFE_NO_PAD.encode(payload_json);
        let input = format!("{h}.{p}");
        let pad: &'static dyn signature::RsaEncoding = match header["alg"].as_str() {
            Some("RS384") => &signature::RSA_PKCS1_SHA384,
            Some("RS512") => &signature::RSA_PKCS1_SHA512,
            _ => &signature::RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(pad, &SystemRandom::new(), input.as_bytes(), &mut sig)
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// Sign `header_b64.payload_b64` (segments given verbatim) with RS256.
    pub fn sign_segments(&self, header_b64: &str, payload_b64: &str) -> String {
        let input = format!("{header_b64}.{payload_b64}");
        let mut sig = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    pub fn sign(&self, header: &Value, payload: &Value) -> String {
        self.sign_raw(header, &serde_json::to_vec(payload).unwrap())
    }

    pub fn header(&self) -> Value {
        json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"})
    }

    /// A session token with the default header.
    pub fn token(&self, claims: &Value) -> String {
        self.sign(&self.header(), claims)
    }
}

pub fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn at(secs: i64) -> SystemTime {
    UNIX_EPOCH + std::time::Duration::from_secs(secs as u64)
}

/// Typical Clerk session claims, valid around `now`.
pub fn session_claims(now: i64) -> Value {
    json!({
        "sub": "user_2RfWKJREkjKbHZy0Wqa5qrHeAnb",
        "sid": "sess_2Ro7e2IxrffdqBboq8KfB6eGbIy",
        "azp": AZP,
        "iss": ISS,
        "exp": now + 60,
        "iat": now,
        "nbf": now - 10,
        "v": 2,
        "fva": [0, -1],
        "sts": "active",
        "o": {"id": "org_1", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "3"},
        "fea": "o:billing",
    })
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Poll a future that never waits (offline verification) to completion.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("offline verification should never wait"),
    }
}

/// A `GET /jwks` responder whose key set can be swapped and whose hits are counted.
#[derive(Clone)]
pub struct JwksServer {
    pub body: Arc<Mutex<Value>>,
    pub hits: Arc<AtomicUsize>,
    pub delay: Arc<Mutex<std::time::Duration>>,
}

impl JwksServer {
    pub fn new(body: Value) -> Self {
        JwksServer {
            body: Arc::new(Mutex::new(body)),
            hits: Arc::new(AtomicUsize::new(0)),
            delay: Arc::new(Mutex::new(std::time::Duration::ZERO)),
        }
    }
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
    /// Delay every later response by `d`.
    pub fn set_delay(&self, d: std::time::Duration) {
        *self.delay.lock().unwrap() = d;
    }
    pub fn set(&self, body: Value) {
        *self.body.lock().unwrap() = body;
    }
    /// Start a mock server serving this JWKS at `/jwks`; returns it and a client for it.
    pub async fn start(&self, secret: &str) -> (wiremock::MockServer, clerk_backend::Clerk) {
        // Not from the pool: a pooled server outlives the test and would serve the next one at
        // the same URL (= the same JWKS cache).
        let server = wiremock::MockServer::builder().start().await;
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path("/jwks"))
            .respond_with(self.clone())
            .mount(&server)
            .await;
        let clerk = clerk_backend::Clerk::builder()
            .secret_key(secret)
            .server_url(server.uri())
            .build()
            .unwrap();
        (server, clerk)
    }
}

impl wiremock::Respond for JwksServer {
    fn respond(&self, _req: &wiremock::Request) -> wiremock::ResponseTemplate {
        self.hits.fetch_add(1, Ordering::SeqCst);
        wiremock::ResponseTemplate::new(200)
            .set_body_json(self.body.lock().unwrap().clone())
            .set_delay(*self.delay.lock().unwrap())
    }
}
