//! `Clerk::call_as`: an operation's response decoded into the caller's own type, with the
//! request, the pipeline and the errors of `send`.

use serde::Deserialize;
use serde_json::json;
use wiremock::ResponseTemplate;

use clerk_backend::Error;

use crate::wire::{self, fixture, requests};

/// What a hot path that lists users might read: two fields of each.
#[derive(Debug, Deserialize, PartialEq)]
struct Row {
    id: String,
    first_name: Option<String>,
}

#[tokio::test]
async fn call_as_sends_what_send_sends_and_decodes_only_the_declared_fields() {
    let mut second = fixture("user_full.json");
    second["id"] = json!("user_2");
    second["first_name"] = json!(null);
    let body = json!([fixture("user_full.json"), second]);
    let (server, clerk) =
        wire::answering_get("/users", ResponseTemplate::new(200).set_body_json(&body)).await;

    let rows: Vec<Row> = clerk
        .call_as(clerk.users().list().limit(2).order_by("-created_at"))
        .await
        .unwrap();
    let full = clerk
        .users()
        .list()
        .limit(2)
        .order_by("-created_at")
        .send()
        .await
        .unwrap();
    let expected: Vec<Row> = full
        .iter()
        .map(|u| Row {
            id: u.id.clone(),
            first_name: u.first_name.clone(),
        })
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(rows[1].first_name, None);

    // The same request on the wire: method, path, query and headers.
    let seen = requests(&server).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, seen[1].method);
    assert_eq!(seen[0].url, seen[1].url);
    assert_eq!(seen[0].url.query(), Some("limit=2&order_by=-created_at"));
    let headers = |i: usize| {
        let mut h: Vec<(String, String)> = seen[i]
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        h.sort();
        h
    };
    assert_eq!(headers(0), headers(1));
    assert!(
        headers(0)
            .iter()
            .any(|(k, v)| k == "authorization" && v.starts_with("Bearer sk_")),
        "{:?}",
        headers(0)
    );
}

#[tokio::test]
async fn call_as_reports_api_errors_as_send_does() {
    let (_server, clerk) = wire::answering_get(
        "/users/user_missing",
        ResponseTemplate::new(404).set_body_json(json!({
            "errors": [{"code": "resource_not_found", "message": "not found",
                        "long_message": "User not found"}]
        })),
    )
    .await;
    let err = clerk
        .call_as::<_, Row>(clerk.users().get("user_missing"))
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}")
    };
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.errors[0].code, "resource_not_found");
    let same = clerk.users().get("user_missing").send().await.unwrap_err();
    assert_eq!(err.to_string(), same.to_string());
}

#[tokio::test]
async fn call_as_names_the_callers_type_and_every_mismatch() {
    let mut bad = fixture("user_full.json");
    bad["id"] = json!(7);
    let body = json!([fixture("user_full.json"), bad, {"first_name": "no id"}]);
    let (_server, clerk) =
        wire::answering_get("/users", ResponseTemplate::new(200).set_body_json(&body)).await;
    let err = clerk
        .call_as::<_, Vec<Row>>(clerk.users().list())
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert!(d.target.ends_with("projection::Row>"), "{}", d.target);
    let paths: Vec<&str> = d.mismatches.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(paths, ["[1].id", "[2]"], "{}", d.pretty());
    assert!(d.mismatches[1].message.contains("missing field `id`"));
}

#[tokio::test]
async fn call_as_validates_the_request_before_sending() {
    let server = wire::server().await;
    let clerk = wire::client(&server);
    let err = clerk
        .call_as::<_, Vec<Row>>(clerk.users().list().limit(501))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(requests(&server).await.is_empty(), "nothing was sent");
}
