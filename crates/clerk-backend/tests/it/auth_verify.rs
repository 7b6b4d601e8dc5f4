//! `verify_token`: valid tokens and hostile tokens, each rejected with the exact reason.

use std::time::Duration;

use clerk_backend::auth::{
    Algorithm, TokenVerificationErrorReason as R, VerifyError, VerifyOptions, verify_token_at,
};
use ring::hmac;
use serde_json::{Value, json};

use crate::auth_common::*;

const NOW: i64 = 1_750_000_000;

fn opts() -> VerifyOptions {
    VerifyOptions::new().jwt_key(PEM_A).unwrap()
}

fn verify(
    token: &str,
    o: &VerifyOptions,
) -> Result<clerk_backend::auth::SessionClaims, VerifyError> {
    block_on(verify_token_at(token, o, at(NOW))).map(std::sync::Arc::unwrap_or_clone)
}

#[track_caller]
fn reason(token: &str, o: &VerifyOptions) -> R {
    let err = verify(token, o).expect_err("token should be rejected");
    let shown = format!("{err} {err:?}");
    assert!(
        token.len() < 20 || !shown.contains(token),
        "error echoes the token: {shown}"
    );
    err.reason()
}

fn claims_with(f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut c = session_claims(NOW);
    f(c.as_object_mut().unwrap());
    c
}

#[test]
fn auth_valid_session_token_with_typed_claims() {
    let key = TestKey::a();
    let c = verify(&key.token(&session_claims(NOW)), &opts()).unwrap();
    assert_eq!(c.sub, "user_2RfWKJREkjKbHZy0Wqa5qrHeAnb");
    assert_eq!(c.session_id(), Some("sess_2Ro7e2IxrffdqBboq8KfB6eGbIy"));
    assert_eq!(c.azp.as_deref(), Some(AZP));
    assert_eq!(c.iss.as_deref(), Some(ISS));
    assert_eq!((c.exp, c.iat, c.nbf), (NOW + 60, Some(NOW), Some(NOW - 10)));
    let org = c.organization.as_ref().unwrap();
    assert_eq!(org.id, "org_1");
    assert_eq!(org.slug.as_deref(), Some("acme"));
    assert_eq!(org.role.as_deref(), Some("org:admin"));
    assert_eq!(org.permissions, ["org:billing:read", "org:billing:manage"]);
    assert_eq!(c.session_status(), Some("active"));
    assert_eq!(c.get("fva"), Some(&json!([0, -1])));
}

#[test]
fn auth_rs384_rs512_and_3072_bit_keys_verify() {
    let key = TestKey::a();
    let mut free = key.jwk();
    free.alg = None;
    let free = VerifyOptions::new().jwks(&[free]).unwrap();
    let pinned = VerifyOptions::new().jwks(&[key.jwk()]).unwrap(); // alg RS256
    for (alg, a) in [("RS384", Algorithm::RS384), ("RS512", Algorithm::RS512)] {
        let t = key.sign(&json!({"alg": alg, "kid": key.kid}), &session_claims(NOW));
        // A PEM key is RS256 unless told otherwise; a JWK with `alg` only verifies that one.
        assert_eq!(reason(&t, &opts()), R::TokenVerificationFailed, "{alg}");
        assert_eq!(reason(&t, &pinned), R::TokenVerificationFailed, "{alg}");
        assert!(verify(&t, &free).is_ok(), "{alg}");
        let o = VerifyOptions::new().jwt_key_for(PEM_A, a).unwrap();
        assert!(verify(&t, &o).is_ok(), "{alg}");
    }
    let c = TestKey::c();
    let o = VerifyOptions::new().jwks(&[c.jwk()]).unwrap();
    assert!(verify(&c.token(&session_claims(NOW)), &o).is_ok());
}

#[test]
fn auth_v1_org_claims_and_actor() {
    let key = TestKey::a();
    let c = verify(
        &key.token(&claims_with(|m| {
            m.remove("v");
            m.remove("o");
            m.insert("org_id".into(), json!("org_9"));
            m.insert("org_role".into(), json!("org:member"));
            m.insert("org_slug".into(), json!("nine"));
            m.insert("org_permissions".into(), json!(["org:x:read"]));
            m.insert("act".into(), json!({"sub": "user_admin"}));
        })),
        &opts(),
    )
    .unwrap();
    let org = c.organization.unwrap();
    assert_eq!(
        (org.id.as_str(), org.role.as_deref()),
        ("org_9", Some("org:member"))
    );
    assert!(org.has_permission("org:x:read"));
    assert_eq!(c.act.unwrap()["sub"], "user_admin");
}

#[test]
fn auth_alg_none_is_rejected() {
    let h = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let p = b64(&serde_json::to_vec(&session_claims(NOW)).unwrap());
    assert_eq!(
        reason(&format!("{h}.{p}."), &opts()),
        R::TokenInvalidAlgorithm
    );
    assert_eq!(
        reason(&format!("{h}.{p}.AAAA"), &opts()),
        R::TokenInvalidAlgorithm
    );
    let no_alg = b64(br#"{"typ":"JWT"}"#);
    assert_eq!(
        reason(&format!("{no_alg}.{p}.AAAA"), &opts()),
        R::TokenInvalidAlgorithm
    );
}

#[test]
fn auth_hs256_signed_with_the_public_key_is_rejected() {
    let h = b64(br#"{"alg":"HS256","typ":"JWT","kid":"ins_a_1"}"#);
    let p = b64(&serde_json::to_vec(&session_claims(NOW)).unwrap());
    let input = format!("{h}.{p}");
    let key = hmac::Key::new(hmac::HMAC_SHA256, PEM_A.as_bytes());
    let sig = b64(hmac::sign(&key, input.as_bytes()).as_ref());
    assert_eq!(
        reason(&format!("{input}.{sig}"), &opts()),
        R::TokenInvalidAlgorithm
    );
}

#[test]
fn auth_unknown_kid_and_other_instance_key() {
    let a = TestKey::a();
    let b = TestKey::b();
    let jwks = VerifyOptions::new().jwks(&[a.jwk()]).unwrap();
    // unknown kid
    assert_eq!(
        reason(&b.token(&session_claims(NOW)), &jwks),
        R::JwkKidMismatch
    );
    // missing kid
    let t = a.sign(&json!({"alg": "RS256"}), &session_claims(NOW));
    assert_eq!(reason(&t, &jwks), R::JwkKidMismatch);
    // another instance's key, presenting our kid
    let forged = TestKey::b().with_kid(&a.kid).token(&session_claims(NOW));
    assert_eq!(reason(&forged, &jwks), R::TokenInvalidSignature);
    // another instance's key against our PEM
    assert_eq!(
        reason(&b.token(&session_claims(NOW)), &opts()),
        R::TokenInvalidSignature
    );
}

#[test]
fn auth_time_claims_at_exactly_plus_minus_skew() {
    let key = TestKey::a();
    let skew = 5;
    let o = opts(); // default skew: 5 s
    let tok = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| key.token(&claims_with(|m| f(m)));
    // exp: expired when exp <= now - skew
    assert_eq!(
        reason(
            &tok(&|m| {
                m.insert("exp".into(), json!(NOW - skew));
            }),
            &o
        ),
        R::TokenExpired
    );
    assert!(
        verify(
            &tok(&|m| {
                m.insert("exp".into(), json!(NOW - skew + 1));
            }),
            &o
        )
        .is_ok()
    );
    // nbf: not active when nbf > now + skew
    assert!(
        verify(
            &tok(&|m| {
                m.insert("nbf".into(), json!(NOW + skew));
            }),
            &o
        )
        .is_ok()
    );
    assert_eq!(
        reason(
            &tok(&|m| {
                m.insert("nbf".into(), json!(NOW + skew + 1));
            }),
            &o
        ),
        R::TokenNotActiveYet
    );
    // iat: in the future when iat > now + skew
    assert!(
        verify(
            &tok(&|m| {
                m.insert("iat".into(), json!(NOW + skew));
            }),
            &o
        )
        .is_ok()
    );
    assert_eq!(
        reason(
            &tok(&|m| {
                m.insert("iat".into(), json!(NOW + skew + 1));
            }),
            &o
        ),
        R::TokenIatInTheFuture
    );
    // skew 0 means 0
    let zero = opts().clock_skew(Duration::ZERO);
    assert_eq!(
        reason(
            &tok(&|m| {
                m.insert("exp".into(), json!(NOW));
            }),
            &zero
        ),
        R::TokenExpired
    );
    assert!(
        verify(
            &tok(&|m| {
                m.insert("exp".into(), json!(NOW + 1));
            }),
            &zero
        )
        .is_ok()
    );
    assert_eq!(
        reason(
            &tok(&|m| {
                m.insert("nbf".into(), json!(NOW + 1));
            }),
            &zero
        ),
        R::TokenNotActiveYet
    );
    assert_eq!(
        reason(
            &tok(&|m| {
                m.insert("iat".into(), json!(NOW + 1));
            }),
            &zero
        ),
        R::TokenIatInTheFuture
    );
}

#[test]
fn auth_tampered_payload_fails_signature() {
    let key = TestKey::a();
    let t = key.token(&session_claims(NOW));
    let parts: Vec<&str> = t.split('.').collect();
    let evil = b64(&serde_json::to_vec(&claims_with(|m| {
        m.insert("sub".into(), json!("user_admin"));
    }))
    .unwrap());
    assert_eq!(
        reason(&format!("{}.{evil}.{}", parts[0], parts[2]), &opts()),
        R::TokenInvalidSignature
    );
    // flipped signature bit
    let mut sig = parts[2].to_owned();
    let last = if sig.ends_with('A') { 'B' } else { 'A' };
    sig.pop();
    sig.push(last);
    assert_eq!(
        reason(&format!("{}.{}.{sig}", parts[0], parts[1]), &opts()),
        R::TokenInvalidSignature
    );
}

#[test]
fn auth_malformed_tokens_are_token_invalid() {
    let key = TestKey::a();
    let t = key.token(&session_claims(NOW));
    let parts: Vec<&str> = t.split('.').collect();
    let cases = [
        format!("{}.{}", parts[0], parts[1]),
        format!("{t}.{}", parts[2]),
        format!("{}!.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}*.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}%", parts[0], parts[1], parts[2]),
        // bad JSON, correctly signed
        key.sign_raw(&key.header(), b"{not json"),
        // padded base64url (RFC 7515 forbids it)
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        String::new(),
        "garbage".to_owned(),
    ];
    for c in &cases {
        assert_eq!(reason(c, &opts()), R::TokenInvalid, "{c}");
    }
    // JSON that is not an object, correctly signed: no claims, so the claim checks fail
    for payload in [&b"[1,2]"[..], b"\"hello\"", b"7", b"null"] {
        let c = key.sign_raw(&key.header(), payload);
        assert_eq!(reason(&c, &opts()), R::TokenVerificationFailed);
    }
}

#[test]
fn auth_oversize_token_rejected_before_crypto() {
    let key = TestKey::a();
    let big = key.token(&claims_with(|m| {
        m.insert("pad".into(), json!("x".repeat(20_000)));
    }));
    let err = verify(&big, &opts()).unwrap_err();
    assert_eq!(err.reason(), R::TokenInvalid);
    assert!(err.message().contains("maximum"), "{err}");
    // the same token passes with a larger limit: the size check alone rejected it
    assert!(verify(&big, &opts().max_token_len(64 * 1024)).is_ok());
}

#[test]
fn auth_azp_issuer_audience_sub_exp_rules() {
    let key = TestKey::a();
    let parties = opts().authorized_parties([AZP, "https://other.example.com"]);
    assert!(verify(&key.token(&session_claims(NOW)), &parties).is_ok());
    let wrong = key.token(&claims_with(|m| {
        m.insert("azp".into(), json!("https://evil.example.com"));
    }));
    assert_eq!(reason(&wrong, &parties), R::TokenInvalidAuthorizedParties);
    let missing = key.token(&claims_with(|m| {
        m.remove("azp");
    }));
    assert_eq!(reason(&missing, &parties), R::TokenInvalidAuthorizedParties);
    assert!(
        verify(&missing, &opts()).is_ok(),
        "no parties configured: azp not required"
    );

    let iss = opts().issuer(ISS);
    assert!(verify(&key.token(&session_claims(NOW)), &iss).is_ok());
    let bad_iss = key.token(&claims_with(|m| {
        m.insert("iss".into(), json!("https://evil.example"));
    }));
    assert_eq!(reason(&bad_iss, &iss), R::TokenInvalidIssuer);

    let aud = opts().audience(["api"]);
    let with_aud = key.token(&claims_with(|m| {
        m.insert("aud".into(), json!(["x", "api"]));
    }));
    assert!(verify(&with_aud, &aud).is_ok());
    let other_aud = key.token(&claims_with(|m| {
        m.insert("aud".into(), json!("web"));
    }));
    assert_eq!(reason(&other_aud, &aud), R::TokenVerificationFailed);

    let no_sub = key.token(&claims_with(|m| {
        m.remove("sub");
    }));
    assert_eq!(reason(&no_sub, &opts()), R::TokenVerificationFailed);
    let num_sub = key.token(&claims_with(|m| {
        m.insert("sub".into(), json!(42));
    }));
    assert_eq!(reason(&num_sub, &opts()), R::TokenVerificationFailed);
    let no_exp = key.token(&claims_with(|m| {
        m.remove("exp");
    }));
    assert_eq!(reason(&no_exp, &opts()), R::TokenVerificationFailed);
}

#[test]
fn auth_header_type_and_category() {
    let key = TestKey::a();
    let m2m_cat = key.sign(
        &json!({"alg": "RS256", "kid": key.kid, "typ": "JWT", "cat": "cl_B7d4PD333AAA"}),
        &session_claims(NOW),
    );
    assert_eq!(reason(&m2m_cat, &opts()), R::TokenInvalid);
    let session_cat = key.sign(
        &json!({"alg": "RS256", "kid": key.kid, "cat": "cl_B7d4PD111AAA"}),
        &session_claims(NOW),
    );
    assert!(verify(&session_cat, &opts()).is_ok());
    let at_jwt = key.sign(
        &json!({"alg": "RS256", "typ": "at+jwt"}),
        &session_claims(NOW),
    );
    assert_eq!(reason(&at_jwt, &opts()), R::TokenInvalid);
}

#[test]
fn auth_key_source_errors() {
    let key = TestKey::a();
    assert_eq!(
        reason(&key.token(&session_claims(NOW)), &VerifyOptions::new()),
        R::JwkFailedToResolve
    );
    let e = VerifyOptions::new()
        .jwt_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
        .unwrap_err();
    assert_eq!(e.reason(), R::JwkFailedToResolve);
    assert_eq!(R::TokenExpired.to_string(), "token-expired");
    assert_eq!(R::RemoteJwkMissing.as_str(), "jwk-remote-missing");
}

#[test]
fn auth_token_cache_hits_recheck_time_and_reset_on_option_change() {
    let key = TestKey::a();
    let o = opts().token_cache(100);
    let t = key.token(&session_claims(NOW));
    let first = verify(&t, &o).unwrap();
    assert_eq!(o.token_cache_ref().unwrap().len(), 1);
    assert_eq!(verify(&t, &o).unwrap(), first);
    // time claims are re-checked on a hit
    let later = block_on(verify_token_at(&t, &o, at(NOW + 65))).unwrap_err();
    assert_eq!(later.reason(), R::TokenExpired);
    assert_eq!(
        o.token_cache_ref().unwrap().len(),
        0,
        "failed entry is evicted"
    );
    // a cached token is not served under stricter options
    verify(&t, &o).unwrap();
    let strict = o
        .clone()
        .authorized_parties(["https://elsewhere.example.com"]);
    assert_eq!(reason(&t, &strict), R::TokenInvalidAuthorizedParties);
    // a different token never hits another's entry
    let other = key.token(&claims_with(|m| {
        m.insert("sub".into(), json!("user_other"));
    }));
    assert_eq!(verify(&other, &o).unwrap().sub, "user_other");
    // bounded
    let small = opts().token_cache(8);
    for i in 0..50 {
        let t = key.token(&claims_with(|m| {
            m.insert("sid".into(), json!(format!("sess_{i}")));
        }));
        verify(&t, &small).unwrap();
    }
    assert!(small.token_cache_ref().unwrap().len() <= 8);
}

#[test]
fn auth_header_type_option() {
    let key = TestKey::a();
    let with_typ = |typ: Value| {
        let mut h = key.header();
        match typ {
            Value::Null => {
                h.as_object_mut().unwrap().remove("typ");
            }
            t => h["typ"] = t,
        }
        key.sign(&h, &session_claims(NOW))
    };
    let (jwt, custom, absent, null) = (
        with_typ(json!("JWT")),
        with_typ(json!("custom")),
        with_typ(Value::Null),
        {
            let mut h = key.header();
            h["typ"] = Value::Null;
            key.sign(&h, &session_claims(NOW))
        },
    );
    // Default: `JWT` or absent.
    assert!(verify(&jwt, &opts()).is_ok());
    assert!(verify(&absent, &opts()).is_ok());
    assert_eq!(reason(&custom, &opts()), R::TokenInvalid);
    assert_eq!(
        reason(&null, &opts()),
        R::TokenInvalid,
        "null is not absent"
    );
    // Configured: only those values, and a missing typ fails.
    let o = opts().header_type(["JWT", "custom"]);
    assert!(verify(&jwt, &o).is_ok());
    assert!(verify(&custom, &o).is_ok());
    assert_eq!(reason(&absent, &o), R::TokenInvalid);
    let o = opts().header_type(["custom"]);
    assert_eq!(reason(&jwt, &o), R::TokenInvalid);
}

#[test]
fn auth_time_claims_null_strings_and_fractions() {
    let key = TestKey::a();
    let t = |patch: Value| {
        let mut c = session_claims(NOW);
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        key.token(&c)
    };
    for bad in [
        json!({"exp": null}),
        json!({"nbf": null}),
        json!({"iat": null}),
        json!({"exp": "1750000060"}),
        json!({"nbf": "0"}),
        json!({"iat": true}),
    ] {
        assert_eq!(
            reason(&t(bad.clone()), &opts()),
            R::TokenVerificationFailed,
            "{bad}"
        );
    }
    // Truncated to whole seconds before the 5 s skew: exp = now − 4.5 s is read as now − 5 s,
    // which is expired (compared exactly, it would still be live).
    assert_eq!(
        reason(&t(json!({"exp": NOW as f64 - 4.5})), &opts()),
        R::TokenExpired
    );
    assert!(verify(&t(json!({"exp": NOW - 4})), &opts()).is_ok());
    assert_eq!(
        reason(&t(json!({"nbf": NOW as f64 + 6.9})), &opts()),
        R::TokenNotActiveYet
    );
    assert!(verify(&t(json!({"nbf": NOW as f64 + 5.9})), &opts()).is_ok());
    let c = verify(&t(json!({"exp": NOW as f64 + 60.7})), &opts()).unwrap();
    assert_eq!(c.exp, NOW + 60);
}
