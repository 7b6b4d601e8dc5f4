//! Arbitrary input never panics and always yields a typed rejection.

use clerk_backend::auth::{
    AuthenticateOptions, RequestState, VerifyOptions, authenticate_headers, verify_token,
};
use clerk_backend::webhooks::Webhook;
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

use crate::auth_common::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// JWT-ish strings: three segments of base64url-ish characters, sometimes valid JSON.
fn jwtish() -> impl Strategy<Value = String> {
    let seg = "[A-Za-z0-9_=+/-]{0,40}";
    (seg, seg, seg, any::<u8>()).prop_map(|(a, b, c, n)| match n % 4 {
        0 => format!("{a}.{b}.{c}"),
        1 => format!(
            "{}.{}.{c}",
            b64(br#"{"alg":"RS256","kid":"x"}"#),
            b64(b.as_bytes())
        ),
        2 => format!(
            "{}.{}.{c}",
            b64(a.as_bytes()),
            b64(br#"{"sub":"user_1","exp":99999999999}"#)
        ),
        _ => format!("{a}.{b}"),
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn auth_prop_token_parser_rejects_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let o = VerifyOptions::new().jwt_key(PEM_A).unwrap();
        let token = String::from_utf8_lossy(&bytes);
        prop_assert!(block_on(verify_token(&token, &o)).is_err());
    }

    #[test]
    fn auth_prop_token_parser_rejects_jwt_shaped_input(token in jwtish()) {
        let o = VerifyOptions::new().jwt_key(PEM_A).unwrap();
        prop_assert!(block_on(verify_token(&token, &o)).is_err());
    }

    #[test]
    fn auth_prop_authenticate_request_signs_out(auth in proptest::collection::vec(any::<u8>(), 0..300),
                                                cookie in proptest::collection::vec(any::<u8>(), 0..300),
                                                token in jwtish()) {
        let o = AuthenticateOptions::new(VerifyOptions::new().jwt_key(PEM_A).unwrap());
        for (a, c) in [
            (auth.clone(), cookie.clone()),
            (format!("Bearer {token}").into_bytes(), format!("__session={token}").into_bytes()),
            (Vec::new(), [b"__session=".as_slice(), &cookie].concat()),
        ] {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_bytes(&a) { h.insert("authorization", v); }
            if let Ok(v) = HeaderValue::from_bytes(&c) { h.insert("cookie", v); }
            let state = block_on(authenticate_headers(&h, &o));
            prop_assert!(matches!(state, RequestState::SignedOut(_)));
        }
    }

    #[test]
    fn auth_prop_webhook_verifier_rejects_arbitrary_input(id in "[ -~]{0,40}", ts in any::<i64>(),
                                                          sig in "[ -~]{0,120}",
                                                          body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let w = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let mut h = HeaderMap::new();
        for (k, v) in [("svix-id", id.clone()), ("svix-timestamp", ts.to_string()), ("svix-signature", sig.clone())] {
            if let Ok(v) = HeaderValue::from_str(&v) { h.insert(k, v); }
        }
        prop_assert!(w.verify(&h, &body).is_err());
        // a genuine signature over arbitrary bytes verifies, then decodes or fails typed
        let now = now_s();
        let mut h = HeaderMap::new();
        h.insert("webhook-id", HeaderValue::from_static("msg_1"));
        h.insert("webhook-timestamp", HeaderValue::from_str(&now.to_string()).unwrap());
        h.insert("webhook-signature", HeaderValue::from_str(&w.sign("msg_1", now, &body)).unwrap());
        prop_assert_eq!(w.verify_raw(&h, &body).unwrap(), &body[..]);
        let _typed = w.verify(&h, &body);
    }
}

/// The DER inside `PEM_A` (SPKI).
fn spki_der() -> Vec<u8> {
    use base64::Engine as _;
    let b64: String = PEM_A.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
}

/// A key parsed from fuzzed DER is either refused, or verifies (and refuses) tokens without
/// panicking.
fn check_der(der: &[u8]) {
    let token = TestKey::a().token(&session_claims(now_s()));
    for label in ["PUBLIC KEY", "RSA PUBLIC KEY"] {
        if let Ok(o) = VerifyOptions::new().jwt_key(&pem(label, der)) {
            let _ = block_on(verify_token(&token, &o));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..config() })]

    /// Arbitrary bytes as DER: the hand-written SPKI / PKCS#1 walk never panics.
    #[test]
    fn auth_proptest_arbitrary_der_never_panics(der in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_der(&der);
    }

    /// The real key, mutated: flipped bytes, truncations, inserted bytes, rewritten lengths.
    #[test]
    fn auth_proptest_mutated_der_never_panics(
        edits in proptest::collection::vec((any::<u16>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let mut der = spki_der();
        for (at, byte, op) in edits {
            let i = usize::from(at) % (der.len() + 1);
            match op {
                0 if i < der.len() => der[i] ^= byte | 1,
                1 => der.truncate(i),
                2 => der.insert(i, byte),
                _ if i < der.len() => der[i] = 0x80 | (byte & 0x0f), // a long-form length
                _ => {}
            }
        }
        check_der(&der);
    }
}

#[test]
fn auth_proptest_der_walk_accepts_only_what_ring_verifies_with() {
    // The unmodified key verifies; its PKCS#1 part (SPKI minus its 24-byte header) too.
    let der = spki_der();
    let token = TestKey::a().token(&session_claims(now_s()));
    for p in [pem("PUBLIC KEY", &der), pem("RSA PUBLIC KEY", &der[24..])] {
        let o = VerifyOptions::new().jwt_key(&p).unwrap();
        assert!(block_on(verify_token(&token, &o)).is_ok());
    }
    // Swapped labels are refused.
    assert!(
        VerifyOptions::new()
            .jwt_key(&pem("RSA PUBLIC KEY", &der))
            .is_err()
    );
    assert!(
        VerifyOptions::new()
            .jwt_key(&pem("PUBLIC KEY", &der[24..]))
            .is_err()
    );
}
