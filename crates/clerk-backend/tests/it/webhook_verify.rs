//! Webhook signature verification.

use std::time::{Duration, SystemTime};

use clerk_backend::webhooks::{Webhook, WebhookError, WebhookEvent};
use http::{HeaderMap, HeaderValue};

use crate::auth_common::now_s;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BODY: &[u8] = br#"{"data":{"id":"user_29w83sxmDNGwOuEthce5gg56FcC","object":"user"},"event_attributes":{"http_request":{"client_ip":"0.0.0.0","user_agent":"x"}},"instance_id":"ins_123","object":"event","timestamp":1716883200000,"type":"user.created"}"#;

fn headers(prefix: &str, id: &str, ts: i64, sig: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        http::HeaderName::try_from(format!("{prefix}-id")).unwrap(),
        HeaderValue::from_str(id).unwrap(),
    );
    h.insert(
        http::HeaderName::try_from(format!("{prefix}-timestamp")).unwrap(),
        HeaderValue::from_str(&ts.to_string()).unwrap(),
    );
    h.insert(
        http::HeaderName::try_from(format!("{prefix}-signature")).unwrap(),
        HeaderValue::from_str(sig).unwrap(),
    );
    h
}

fn signed(prefix: &str, ts: i64, body: &[u8]) -> HeaderMap {
    let w = Webhook::new(SECRET).unwrap();
    headers(prefix, "msg_2tQ", ts, &w.sign("msg_2tQ", ts, body))
}

#[test]
fn webhook_valid_svix_and_standard_headers() {
    let w = Webhook::new(SECRET).unwrap();
    for prefix in ["svix", "webhook"] {
        let event = w.verify(&signed(prefix, now_s(), BODY), BODY).unwrap();
        assert_eq!(event.event_type(), "user.created");
        let WebhookEvent::UserCreated(e) = event else {
            panic!("expected a typed user.created event");
        };
        assert_eq!(
            e.data.id.as_deref(),
            Some("user_29w83sxmDNGwOuEthce5gg56FcC")
        );
        assert_eq!(e.envelope.object.as_deref(), Some("event"));
        assert_eq!(e.envelope.instance_id.as_deref(), Some("ins_123"));
        assert_eq!(e.envelope.timestamp, Some(1_716_883_200_000));
        let attrs = e.envelope.event_attributes.unwrap().http_request.unwrap();
        assert_eq!(attrs.client_ip.as_deref(), Some("0.0.0.0"));
    }
    assert_eq!(
        w.verify_raw(&signed("svix", now_s(), BODY), BODY).unwrap(),
        BODY
    );
}

#[test]
fn webhook_known_signature_vector() {
    // A fixed message signed with SECRET (computed independently with openssl):
    // printf 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' |
    //   openssl dgst -sha256 -mac HMAC -macopt hexkey:$(echo MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p) -binary | base64
    let w = Webhook::new(SECRET).unwrap();
    let body = br#"{"test": 2432232314}"#;
    assert_eq!(
        w.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    let h = headers(
        "svix",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1_614_265_330,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_614_265_330);
    assert!(w.verify_raw_at(&h, body, now).is_ok());
}

#[test]
fn webhook_tampered_body_and_wrong_secret() {
    let w = Webhook::new(SECRET).unwrap();
    let h = signed("svix", now_s(), BODY);
    let mut tampered = BODY.to_vec();
    tampered[10] ^= 1;
    assert_eq!(
        w.verify(&h, &tampered).unwrap_err(),
        WebhookError::InvalidSignature
    );
    let other = Webhook::new("whsec_c2VjcmV0LW90aGVyLWluc3RhbmNl").unwrap();
    assert_eq!(
        other.verify(&h, BODY).unwrap_err(),
        WebhookError::InvalidSignature
    );
}

#[test]
fn webhook_timestamp_tolerance_both_ways() {
    let w = Webhook::new(SECRET).unwrap();
    let now = now_s();
    assert_eq!(
        w.verify(&signed("svix", now - 301, BODY), BODY)
            .unwrap_err(),
        WebhookError::TimestampTooOld
    );
    assert_eq!(
        w.verify(&signed("svix", now + 301, BODY), BODY)
            .unwrap_err(),
        WebhookError::TimestampTooNew
    );
    assert!(w.verify(&signed("svix", now - 290, BODY), BODY).is_ok());
    assert!(w.verify(&signed("svix", now + 290, BODY), BODY).is_ok());
    let strict = w.clone().tolerance(Duration::from_secs(10));
    assert_eq!(
        strict
            .verify(&signed("svix", now - 60, BODY), BODY)
            .unwrap_err(),
        WebhookError::TimestampTooOld
    );
}

#[test]
fn webhook_multiple_signatures_in_one_header() {
    let w = Webhook::new(SECRET).unwrap();
    let ts = now_s();
    let good = w.sign("msg_1", ts, BODY);
    let bad = Webhook::new("whsec_c2VjcmV0")
        .unwrap()
        .sign("msg_1", ts, BODY);
    for sig in [
        format!("{bad} {good}"),
        format!("{good} {bad}"),
        format!("v1a,AAAA v2,xyz {good}"),
        format!("v1,!!notbase64!! {good}"),
    ] {
        assert!(
            w.verify(&headers("svix", "msg_1", ts, &sig), BODY).is_ok(),
            "{sig}"
        );
    }
    assert_eq!(
        w.verify(
            &headers("svix", "msg_1", ts, &format!("{bad} v1a,{}", &good[3..])),
            BODY
        )
        .unwrap_err(),
        WebhookError::InvalidSignature
    );
}

#[test]
fn webhook_missing_and_malformed_headers() {
    let w = Webhook::new(SECRET).unwrap();
    let full = signed("svix", now_s(), BODY);
    for (name, expected) in [
        ("svix-timestamp", "svix-timestamp"),
        ("svix-signature", "svix-signature"),
    ] {
        let mut h = full.clone();
        h.remove(name);
        assert_eq!(
            w.verify(&h, BODY).unwrap_err(),
            WebhookError::MissingHeader(expected)
        );
    }
    let mut h = full.clone();
    h.remove("svix-id");
    assert_eq!(
        w.verify(&h, BODY).unwrap_err(),
        WebhookError::MissingHeader("webhook-id")
    );
    assert_eq!(
        w.verify(&HeaderMap::new(), BODY).unwrap_err(),
        WebhookError::MissingHeader("webhook-id")
    );
    let mut h = full.clone();
    h.insert("svix-timestamp", HeaderValue::from_static("yesterday"));
    assert_eq!(
        w.verify(&h, BODY).unwrap_err(),
        WebhookError::InvalidHeader("svix-timestamp")
    );
}

#[test]
fn webhook_unknown_event_type_is_not_an_error() {
    let w = Webhook::new(SECRET).unwrap();
    let body = br#"{"type":"something.new","object":"event","data":{"a":[1,2]},"timestamp":1,"instance_id":"ins_1"}"#;
    let e = w.verify(&signed("svix", now_s(), body), body).unwrap();
    assert_eq!(e.event_type(), "something.new");
    let WebhookEvent::Unknown(raw) = e else {
        panic!("expected Unknown");
    };
    assert_eq!(raw["data"]["a"][1], 2);
    let not_json = b"hello";
    assert!(matches!(
        w.verify(&signed("svix", now_s(), not_json), not_json),
        Err(WebhookError::InvalidPayload(_))
    ));
    let d = format!("{w:?}");
    assert!(!d.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "{d}");
}
