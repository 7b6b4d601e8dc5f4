//! Every example event in the webhooks spec decodes into its typed variant.

use clerk_backend::webhook_events::WebhookEvent;

use crate::prism::spec_path;

#[test]
fn every_spec_example_decodes_into_its_typed_variant() {
    let path = spec_path("CLERK_WEBHOOKS_SPEC", "webhooks-2025-04-15.yml");
    let spec: serde_json::Value =
        serde_norway::from_slice(&std::fs::read(path).unwrap()).expect("webhooks spec parses");
    let hooks = spec["x-webhooks"].as_object().expect("x-webhooks");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (event, item) in hooks {
        let Some(example) = item.pointer("/post/requestBody/content/application~1json/example")
        else {
            continue;
        };
        match serde_json::from_value::<WebhookEvent>(example.clone()) {
            Ok(WebhookEvent::Unknown(_)) => failures.push(format!("{event}: decoded as Unknown")),
            Ok(decoded) => assert_eq!(decoded.event_type(), event),
            Err(e) => failures.push(format!("{event}: {e}")),
        }
        checked += 1;
    }
    println!(
        "webhook examples: {}/{checked} decode",
        checked - failures.len()
    );
    assert!(checked >= 25, "only {checked} examples found");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn an_unknown_event_type_is_kept_raw() {
    let raw = serde_json::json!({
        "type": "galaxy.exploded",
        "object": "event",
        "timestamp": 1,
        "instance_id": "ins_1",
        "data": {"stars": 3}
    });
    let decoded: WebhookEvent = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(decoded.event_type(), "galaxy.exploded");
    match decoded {
        WebhookEvent::Unknown(v) => assert_eq!(v, raw),
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn a_known_event_exposes_typed_data_and_envelope() {
    let raw = serde_json::json!({
        "type": "session.ended",
        "object": "event",
        "timestamp": 1_716_883_200,
        "instance_id": "ins_123",
        "data": {
            "id": "sess_1", "object": "session", "client_id": "client_1", "user_id": "user_1",
            "status": "ended", "last_active_at": 1, "expire_at": 2, "abandon_at": 3,
            "created_at": 4, "updated_at": 5
        }
    });
    let WebhookEvent::SessionEnded(event) = serde_json::from_value(raw).unwrap() else {
        panic!("not a SessionEnded");
    };
    assert_eq!(event.envelope.instance_id.as_deref(), Some("ins_123"));
    assert_eq!(event.envelope.timestamp, Some(1_716_883_200));
    assert_eq!(event.data.id.as_deref(), Some("sess_1"));
    assert_eq!(event.data.user_id.as_deref(), Some("user_1"));
}
