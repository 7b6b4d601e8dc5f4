//! Organizations, memberships, invitations, sessions with organization claims, webhooks,
//! clock and faults.

use crate::api::Api;
use clerk_backend::auth::{VerifyOptions, verify_token};
use clerk_emulator::{Emulator, Fault};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn organizations_memberships_and_org_token_claims() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    let ada = api
        .ok(
            "POST",
            "/users",
            Some(json!({"email_address": ["ada@example.com"], "first_name": "Ada"})),
        )
        .await;
    let bob = api
        .ok(
            "POST",
            "/users",
            Some(json!({"email_address": ["bob@example.com"]})),
        )
        .await;
    let (ada_id, bob_id) = (ada["id"].as_str().unwrap(), bob["id"].as_str().unwrap());
    let org = api.ok("POST", "/organizations", Some(json!({"name": "Acme Inc", "slug": "acme", "created_by": ada_id, "public_metadata": {"tier": 1}}))).await;
    let org_id = org["id"].as_str().unwrap();
    api.err(
        "POST",
        "/organizations",
        Some(json!({"name": "Other", "slug": "acme"})),
        422,
        "form_identifier_exists",
    )
    .await;
    api.err(
        "POST",
        "/organizations",
        Some(json!({})),
        422,
        "form_param_missing",
    )
    .await;
    assert_eq!(
        api.ok("GET", "/organizations/acme", None).await["id"],
        org_id,
        "get by slug"
    );
    let with_count = api
        .ok(
            "GET",
            &format!("/organizations/{org_id}?include_members_count=true"),
            None,
        )
        .await;
    assert_eq!(
        with_count["members_count"], 1,
        "the creator is an admin member"
    );
    let m = api
        .ok(
            "POST",
            &format!("/organizations/{org_id}/memberships"),
            Some(json!({"user_id": bob_id, "role": "org:member"})),
        )
        .await;
    assert_eq!(m["public_user_data"]["identifier"], "bob@example.com");
    api.err(
        "POST",
        &format!("/organizations/{org_id}/memberships"),
        Some(json!({"user_id": bob_id, "role": "org:member"})),
        422,
        "already_a_member_in_organization",
    )
    .await;
    api.err(
        "POST",
        &format!("/organizations/{org_id}/memberships"),
        Some(json!({"user_id": ada_id, "role": "org:boss"})),
        422,
        "form_param_value_invalid",
    )
    .await;
    let list = api
        .ok(
            "GET",
            &format!("/organizations/{org_id}/memberships?role=org:admin"),
            None,
        )
        .await;
    assert_eq!(
        (
            list["total_count"].as_i64(),
            list["data"][0]["public_user_data"]["user_id"].as_str()
        ),
        (Some(1), Some(ada_id))
    );
    let up = api
        .ok(
            "PATCH",
            &format!("/organizations/{org_id}/memberships/{bob_id}"),
            Some(json!({"role": "org:admin"})),
        )
        .await;
    assert_eq!(up["role"], "org:admin");
    let mine = api
        .ok(
            "GET",
            &format!("/users/{bob_id}/organization_memberships"),
            None,
        )
        .await;
    assert_eq!(mine["data"][0]["organization"]["slug"], "acme");
    assert_eq!(
        api.ok("GET", "/organization_memberships", None).await["total_count"],
        2
    );
    let orgs = api
        .ok("GET", &format!("/organizations?user_id={bob_id}"), None)
        .await;
    assert_eq!(orgs["total_count"], 1);
    assert_eq!(
        api.ok("GET", "/organizations?query=acm", None).await["total_count"],
        1
    );
    assert_eq!(
        api.ok("GET", "/organizations?query=zzz", None).await["total_count"],
        0
    );
    let merged = api
        .ok(
            "PATCH",
            &format!("/organizations/{org_id}/metadata"),
            Some(json!({"public_metadata": {"plan": "pro"}})),
        )
        .await;
    assert_eq!(merged["public_metadata"], json!({"tier": 1, "plan": "pro"}));
    let renamed = api
        .ok(
            "PATCH",
            &format!("/organizations/{org_id}"),
            Some(json!({"name": "Acme Corp"})),
        )
        .await;
    assert_eq!(renamed["name"], "Acme Corp");

    // a session in the organization carries v2 organization claims
    let s = api
        .ok(
            "POST",
            "/sessions",
            Some(json!({"user_id": bob_id, "active_organization_id": org_id})),
        )
        .await;
    let t = api
        .ok(
            "POST",
            &format!("/sessions/{}/tokens", s["id"].as_str().unwrap()),
            Some(json!({"expires_in_seconds": 120})),
        )
        .await;
    let claims = verify_token(
        t["jwt"].as_str().unwrap(),
        &VerifyOptions::new().jwks_json(&emu.jwks_json()).unwrap(),
    )
    .await
    .expect("verifies");
    let o = claims.organization.as_ref().expect("organization claims");
    assert_eq!(
        (o.id.as_str(), o.slug.as_deref(), o.role.as_deref()),
        (org_id, Some("acme"), Some("org:admin"))
    );
    assert_eq!(claims.exp - claims.iat.unwrap(), 120);
    assert_eq!(claims.get("v"), Some(&json!(2)));
    let user_memberships = api
        .err(
            "POST",
            "/sessions",
            Some(json!({"user_id": ada_id, "active_organization_id": "org_nope"})),
            422,
            "form_param_value_invalid",
        )
        .await;
    drop(user_memberships);

    let removed = api
        .ok(
            "DELETE",
            &format!("/organizations/{org_id}/memberships/{bob_id}"),
            None,
        )
        .await;
    assert_eq!(removed["role"], "org:admin");
    api.err(
        "DELETE",
        &format!("/organizations/{org_id}/memberships/{bob_id}"),
        None,
        404,
        "resource_not_found",
    )
    .await;
    assert_eq!(
        api.ok("DELETE", &format!("/organizations/{org_id}"), None)
            .await["deleted"],
        true
    );
    api.err(
        "GET",
        "/organizations/acme",
        None,
        404,
        "resource_not_found",
    )
    .await;
    let types: Vec<String> = emu.events().iter().map(|e| e.event_type.clone()).collect();
    for t in [
        "organization.created",
        "organizationMembership.created",
        "organizationMembership.updated",
        "organizationMembership.deleted",
        "organization.updated",
        "organization.deleted",
        "session.created",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} in {types:?}");
    }
}

#[tokio::test]
async fn invitations_move_through_their_states() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    let inv = api
        .ok(
            "POST",
            "/invitations",
            Some(json!({"email_address": "new@example.com"})),
        )
        .await;
    assert_eq!(inv["status"], "pending");
    api.err(
        "POST",
        "/invitations",
        Some(json!({"email_address": "new@example.com"})),
        422,
        "duplicate_record",
    )
    .await;
    api.ok(
        "POST",
        "/users",
        Some(json!({"email_address": ["new@example.com"]})),
    )
    .await;
    let l = api.ok("GET", "/invitations?status=accepted", None).await;
    assert_eq!(l[0]["id"], inv["id"], "signing up accepts the invitation");
    api.err(
        "POST",
        "/invitations",
        Some(json!({"email_address": "new@example.com"})),
        422,
        "form_identifier_exists",
    )
    .await;
    let r = api
        .ok(
            "POST",
            "/invitations",
            Some(json!({"email_address": "later@example.com", "expires_in_days": 1})),
        )
        .await;
    let revoked = api
        .ok(
            "POST",
            &format!("/invitations/{}/revoke", r["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        (revoked["status"].as_str(), revoked["revoked"].as_bool()),
        (Some("revoked"), Some(true))
    );
    api.ok(
        "POST",
        "/invitations",
        Some(json!({"email_address": "exp@example.com", "expires_in_days": 1})),
    )
    .await;
    emu.advance(Duration::from_secs(2 * 86_400));
    assert_eq!(
        api.ok("GET", "/invitations?status=expired", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let page = api
        .ok("GET", "/invitations?paginated=true&limit=2", None)
        .await;
    assert_eq!(
        (
            page["total_count"].as_i64(),
            page["data"].as_array().map(Vec::len)
        ),
        (Some(3), Some(2))
    );

    let org = api
        .ok("POST", "/organizations", Some(json!({"name": "Acme"})))
        .await;
    let oid = org["id"].as_str().unwrap();
    let oi = api
        .ok(
            "POST",
            &format!("/organizations/{oid}/invitations"),
            Some(json!({"email_address": "x@example.com", "role": "org:member"})),
        )
        .await;
    api.err(
        "POST",
        &format!("/organizations/{oid}/invitations"),
        Some(json!({"email_address": "x@example.com", "role": "org:member"})),
        422,
        "duplicate_record",
    )
    .await;
    let oiid = oi["id"].as_str().unwrap();
    assert_eq!(
        api.ok(
            "GET",
            &format!("/organizations/{oid}/invitations/{oiid}"),
            None
        )
        .await["status"],
        "pending"
    );
    assert_eq!(
        api.ok(
            "POST",
            &format!("/organizations/{oid}/invitations/{oiid}/revoke"),
            Some(json!({}))
        )
        .await["status"],
        "revoked"
    );
    assert_eq!(
        api.ok(
            "GET",
            &format!("/organizations/{oid}/invitations?status=revoked"),
            None
        )
        .await["total_count"],
        1
    );
    api.ok(
        "POST",
        &format!("/organizations/{oid}/invitations"),
        Some(json!({"email_address": "new@example.com", "role": "org:admin"})),
    )
    .await;
    let all = api
        .ok("GET", "/organization_invitations?status=pending", None)
        .await;
    assert_eq!(
        (
            all["total_count"].as_i64(),
            all["data"][0]["public_organization_data"]["id"].as_str()
        ),
        (Some(1), Some(oid))
    );
    let invited = api
        .ok("GET", "/users?email_address=new@example.com", None)
        .await;
    let mine = api
        .ok(
            "GET",
            &format!(
                "/users/{}/organization_invitations",
                invited[0]["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(
        (
            mine["total_count"].as_i64(),
            mine["data"][0]["email_address"].as_str()
        ),
        (Some(1), Some("new@example.com"))
    );
}

#[tokio::test]
async fn sessions_expire_on_the_clock_and_tokens_need_an_active_session() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    let u = api.ok("POST", "/users", Some(json!({}))).await;
    let uid = u["id"].as_str().unwrap();
    let s = api
        .ok("POST", "/sessions", Some(json!({"user_id": uid})))
        .await;
    let sid = s["id"].as_str().unwrap();
    let listed = api
        .ok(
            "GET",
            &format!("/sessions?user_id={uid}&status=active"),
            None,
        )
        .await;
    assert_eq!(listed[0]["id"], sid);
    api.err("GET", "/sessions", None, 422, "form_param_missing")
        .await;
    let c = api
        .ok(
            "GET",
            &format!("/clients/{}", s["client_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(c["sessions"][0]["id"], sid);
    assert_eq!(api.ok("GET", "/clients", None).await[0]["id"], c["id"]);
    assert_eq!(
        api.ok("GET", "/clients?paginated=true", None).await["total_count"],
        1
    );
    api.ok("POST", "/jwt_templates", Some(json!({"name": "hasura", "claims": {"uid": "{{user.id}}", "role": "app", "greeting": "hi {{user.first_name}}"}, "lifetime": 300}))).await;
    api.err(
        "POST",
        "/jwt_templates",
        Some(json!({"name": "hasura", "claims": {}})),
        422,
        "form_identifier_exists",
    )
    .await;
    let t = api
        .ok("POST", &format!("/sessions/{sid}/tokens/hasura"), None)
        .await;
    let claims = verify_token(
        t["jwt"].as_str().unwrap(),
        &VerifyOptions::new().jwks_json(&emu.jwks_json()).unwrap(),
    )
    .await
    .expect("verifies");
    assert_eq!(
        (claims.get("uid"), claims.get("role")),
        (Some(&json!(uid)), Some(&json!("app")))
    );
    assert_eq!(claims.exp - claims.iat.unwrap(), 300);
    api.err(
        "POST",
        &format!("/sessions/{sid}/tokens/nope"),
        None,
        404,
        "resource_not_found",
    )
    .await;
    emu.advance(Duration::from_secs(8 * 86_400));
    assert_eq!(
        api.ok("GET", &format!("/sessions/{sid}"), None).await["status"],
        "expired"
    );
    api.err(
        "POST",
        &format!("/sessions/{sid}/tokens"),
        None,
        404,
        "resource_not_found",
    )
    .await;
    let s2 = api
        .ok("POST", "/sessions", Some(json!({"user_id": uid})))
        .await;
    let r = api
        .ok(
            "POST",
            &format!("/sessions/{}/revoke", s2["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(r["status"], "revoked");
}

#[tokio::test]
async fn faults_rate_limit_and_reset() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    emu.fail_next(
        "users.list",
        Fault::RateLimited {
            retry_after: Duration::from_secs(3),
        },
        1,
    )
    .unwrap();
    emu.fail_next("users.count", Fault::Unavailable, 1).unwrap();
    assert!(emu.fail_next("users.nope", Fault::Unavailable, 1).is_err());
    let (s, v) = api.call("GET", "/users", None).await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (429, Some("too_many_requests"))
    );
    api.ok("GET", "/users", None).await;
    let (s, _) = api.call("GET", "/users/count", None).await;
    assert_eq!(s, 503);
    // the SDK sees Retry-After
    emu.fail_next(
        "users.get",
        Fault::RateLimited {
            retry_after: Duration::from_secs(7),
        },
        5,
    )
    .unwrap();
    let clerk = clerk_backend::Clerk::builder()
        .secret_key(emu.secret_key())
        .server_url(emu.api_url())
        .retry(clerk_backend::RetryConfig::none())
        .build()
        .unwrap();
    match clerk.users().get("user_x").send().await {
        Err(clerk_backend::Error::Api(e)) => {
            assert_eq!(e.retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("{other:?}"),
    }
    emu.fail_next("users.count", Fault::Reset, 1).unwrap();
    assert!(
        clerk.users().count().send().await.is_err(),
        "a reset connection is an error"
    );
    // Clerk's limit itself is unit-tested on explicit timestamps (faults.rs); here: on, then off.
    emu.rate_limit(true);
    assert_eq!(api.call("GET", "/jwks", None).await.0, 200);
    emu.rate_limit(false);
    api.ok("POST", "/users", Some(json!({}))).await;
    emu.reset();
    assert_eq!(api.ok("GET", "/users/count", None).await["total_count"], 0);
    assert!(emu.events().is_empty());
}

#[tokio::test]
async fn webhook_events_are_signed_as_svix_signs() {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    api.ok("POST", "/users", Some(json!({"first_name": "Ada"})))
        .await;
    let ev = emu.events().into_iter().next().expect("an event");
    let mut headers = http::HeaderMap::new();
    for (k, v) in emu.webhook_headers(&ev) {
        headers.insert(k, v.parse().unwrap());
    }
    let wh = clerk_backend::webhooks::Webhook::new(emu.webhook_secret()).expect("secret");
    let verified = wh
        .verify(&headers, ev.body.as_bytes())
        .expect("our verifier accepts the signature");
    assert_eq!(verified.event_type(), "user.created");
    assert!(
        wh.verify(&headers, b"{}").is_err(),
        "a changed body is refused"
    );
}
