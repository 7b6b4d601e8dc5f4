//! What Clerk really sends, beyond the spec: wrapped lists, bodies without their `object` tag,
//! DELETEs answering the full resource, fields the spec leaves out, and required fields that go
//! missing (the drift policy). Every fixture here is shaped like a recorded Clerk response.

use clerk_backend::Error;
use clerk_backend::models::{
    DeletedObject, EnterpriseConnection, ExternalAccountWithVerification, InstanceRestrictions,
    OrganizationSettings, SignInToken, User,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::wire::{self, fixture};

async fn answer(
    route: &str,
    verb: &str,
    body: Value,
) -> (wiremock::MockServer, clerk_backend::Clerk) {
    let server = wire::server().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    (server, clerk)
}

fn oauth_token(provider: &str, n: u32) -> Value {
    json!({
        "object": "oauth_access_token",
        "external_account_id": format!("eac_2ZpRbQ{n}google"),
        "provider_user_id": format!("10834972{n}"),
        "token": format!("ya29.a0AfB_byC{n}"),
        "provider": provider,
        "public_metadata": {},
        "label": null,
        "scopes": ["email", "profile"],
        "expires_at": 1_700_003_600_000_i64
    })
}

#[tokio::test]
async fn paginated_oauth_tokens_decode_bare_and_wrapped() {
    let route = "/users/user_1/oauth_access_tokens/oauth_google";
    let bare = json!([
        oauth_token("oauth_google", 1),
        oauth_token("oauth_google", 2)
    ]);
    let (_s, clerk) = answer(route, "GET", bare).await;
    let page = clerk
        .users()
        .get_oauth_access_token("user_1", "oauth_google")
        .send()
        .await
        .unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page.total_count, None);
    assert_eq!(page[1].provider_user_id, "108349722");

    let wrapped = json!({"data": [oauth_token("oauth_google", 3)], "total_count": 7});
    let (_s, clerk) = answer(route, "GET", wrapped).await;
    let page = clerk
        .users()
        .get_oauth_access_token("user_1", "oauth_google")
        .paginated(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(7));
    assert_eq!(page.data[0].external_account_id, "eac_2ZpRbQ3google");
}

#[test]
fn bodies_without_their_object_tag_decode() {
    let r: InstanceRestrictions = serde_json::from_value(json!({
        "allowlist": true, "blocklist": false, "block_email_subaddresses": true,
        "block_disposable_email_domains": false, "ignore_dots_for_gmail_addresses": true
    }))
    .unwrap();
    assert!(r.allowlist && r.object.is_none());

    let s: OrganizationSettings = serde_json::from_value(json!({
        "enabled": true, "max_allowed_memberships": 5, "max_allowed_roles": 10,
        "max_allowed_permissions": 50, "creator_role": "org:admin",
        "admin_delete_enabled": true, "domains_enabled": false,
        "domains_enrollment_modes": ["manual_invitation"], "domains_default_role": "org:member"
    }))
    .unwrap();
    assert_eq!(s.creator_role, "org:admin");

    let t: SignInToken = serde_json::from_value(json!({
        "id": "sit_2ZpRbQ1", "status": "pending", "user_id": "user_1",
        "token": "eyJhbGciOiJSUzI1NiJ9.sit", "url": "https://accounts.example.com/v1/tickets/accept?ticket=eyJhbG",
        "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_000_000_i64
    }))
    .unwrap();
    assert_eq!(t.id, "sit_2ZpRbQ1");
    assert!(
        !format!("{t:?}").contains("eyJhbG"),
        "token and url stay hidden"
    );

    let k: clerk_backend::api::machines::MachineSecretKeyResponse =
        serde_json::from_value(json!({"secret": "ak_live_9f8e7d6c5b4a"})).unwrap();
    assert_eq!(k.secret.expose_secret(), "ak_live_9f8e7d6c5b4a");
}

#[test]
fn a_deleted_object_without_deleted_or_object_decodes() {
    let d: DeletedObject = serde_json::from_value(json!({"id": "ins_2ZpRbQ"})).unwrap();
    assert_eq!(d.id.as_deref(), Some("ins_2ZpRbQ"));
    assert_eq!(d.deleted, None);
}

fn machine() -> Value {
    json!({
        "object": "machine", "id": "mch_2ZpRbQ1", "name": "billing-worker",
        "instance_id": "ins_2ZpRbQ", "created_at": 1_700_000_000_000_i64,
        "updated_at": 1_700_000_100_000_i64, "scoped_machines": [],
        "default_token_ttl": 3600
    })
}

#[tokio::test]
async fn deletes_that_answer_the_full_resource_decode() {
    let (_s, clerk) = answer("/machines/mch_2ZpRbQ1", "DELETE", machine()).await;
    let gone = clerk.machines().delete("mch_2ZpRbQ1").send().await.unwrap();
    assert_eq!(gone.id, "mch_2ZpRbQ1");
    assert_eq!(gone.object.as_deref(), Some("machine"));

    let (_s, clerk) = answer(
        "/machines/mch_2ZpRbQ1",
        "DELETE",
        json!({"object": "machine", "id": "mch_2ZpRbQ1", "deleted": true}),
    )
    .await;
    let gone = clerk.machines().delete("mch_2ZpRbQ1").send().await.unwrap();
    assert_eq!(gone.deleted, Some(true));

    let connection = enterprise_connection();
    let (_s, clerk) = answer("/enterprise_connections/ec_2ZpRbQ1", "DELETE", connection).await;
    let gone = clerk
        .enterprise_connections()
        .delete("ec_2ZpRbQ1")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.id.as_deref(), Some("ec_2ZpRbQ1"));
}

fn enterprise_connection() -> Value {
    json!({
        "object": "enterprise_connection", "id": "ec_2ZpRbQ1", "name": "Analytical Engines SSO",
        "provider": "saml_okta", "active": true, "domains": ["analytical-engines.example"],
        "authenticatable": true, "disable_jit_provisioning": true,
        "saml_connection": {
            "id": "samlc_2ZpRbQ1", "name": "Okta",
            "idp_entity_id": "http://www.okta.com/exk1", "idp_sso_url": "https://ae.okta.com/sso",
            "idp_certificate": "MIIDpDCCAoygAwIBAgIGAY",
            "idp_certificate_issued_at": 1_690_000_000_000_i64,
            "idp_certificate_expires_at": 1_990_000_000_000_i64
        },
        "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_100_000_i64
    })
}

#[test]
fn fields_the_spec_leaves_out_are_kept() {
    let c: EnterpriseConnection = serde_json::from_value(enterprise_connection()).unwrap();
    assert!(c.authenticatable && c.disable_jit_provisioning);
    let saml = c.saml_connection.unwrap();
    assert_eq!(
        saml.idp_certificate.as_deref(),
        Some("MIIDpDCCAoygAwIBAgIGAY")
    );
    assert_eq!(saml.idp_certificate_issued_at, Some(1_690_000_000_000));
    assert_eq!(saml.idp_certificate_expires_at, Some(1_990_000_000_000));

    let mut account = fixture("user_full.json")["external_accounts"][0].clone();
    account["external_account_id"] = json!("eac_2ZpRbQ7googleAda");
    let a: ExternalAccountWithVerification = serde_json::from_value(account).unwrap();
    assert_eq!(
        a.external_account_id.as_deref(),
        Some("eac_2ZpRbQ7googleAda")
    );
}

fn m2m_token() -> Value {
    json!({
        "object": "machine_to_machine_token", "id": "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e",
        "subject": "mch_2ZpRbQ1", "scopes": ["mch_2ZpRbQ2"], "claims": null,
        "token": "mt_secret_0c1d2e3f4a5b", "revoked": false, "revocation_reason": null,
        "expired": false, "expiration": null, "created_at": 1_700_000_000_000_i64,
        "updated_at": 1_700_000_000_000_i64
    })
}

#[tokio::test]
async fn m2m_token_value_on_verify_and_list() {
    let (_s, clerk) = answer("/m2m_tokens/verify", "POST", m2m_token()).await;
    let v = clerk
        .m2m()
        .verify_token()
        .token("mt_secret_0c1d2e3f4a5b")
        .send()
        .await
        .unwrap();
    assert_eq!(
        v.token.as_ref().map(|t| t.expose_secret()),
        Some("mt_secret_0c1d2e3f4a5b")
    );
    let (_s, clerk) = answer(
        "/m2m_tokens",
        "GET",
        json!({"m2m_tokens": [m2m_token()], "total_count": 1}),
    )
    .await;
    let list = clerk
        .m2m()
        .list_tokens()
        .subject("mch_2ZpRbQ1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        list.m2m_tokens[0].token.as_ref().map(|t| t.expose_secret()),
        Some("mt_secret_0c1d2e3f4a5b")
    );
    assert!(!format!("{list:?}").contains("mt_secret_0c1d"));
}

#[test]
fn missing_or_null_booleans_and_lists_decode_as_empty() {
    let mut user = fixture("user_full.json");
    let map = user.as_object_mut().unwrap();
    map.remove("banned");
    map.insert("locked".into(), Value::Null);
    map.remove("email_addresses");
    map.insert("phone_numbers".into(), Value::Null);
    let u: User = serde_json::from_value(user).unwrap();
    assert!(!u.banned && !u.locked);
    assert!(u.email_addresses.is_empty() && u.phone_numbers.is_empty());
}

#[tokio::test]
async fn a_decode_error_reports_every_mismatch_and_the_public_type() {
    let good = fixture("user_full.json");
    let mut no_id = good.clone();
    no_id.as_object_mut().unwrap().remove("id");
    let mut bad_time = good.clone();
    bad_time["created_at"] = json!("yesterday");
    bad_time["email_addresses"][1]["email_address"] = json!(17);
    let body = json!([good, no_id, good, bad_time]);
    let (_s, clerk) = answer("/users", "GET", body).await;
    let err = clerk.users().list().send().await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!(d.target, "Vec<clerk_backend::models::User>");
    let mut found: Vec<(&str, &str)> = d
        .mismatches
        .iter()
        .map(|m| (m.path.as_str(), m.message.as_str()))
        .collect();
    assert_eq!((d.path.as_str(), d.message.as_str()), found[0]);
    found.sort_unstable();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, "[1]");
    assert!(found[0].1.contains("missing field `id`"), "{found:?}");
    assert_eq!(found[1].0, "[3].created_at");
    assert!(found[1].1.contains("invalid type: string"), "{found:?}");
    assert_eq!(found[2].0, "[3].email_addresses[1].email_address");
    let line = err.to_string();
    assert!(line.contains("clerk_backend::models::User"), "{line}");
    assert!(!line.contains("generated"), "{line}");
    assert!(line.contains("and 2 more mismatches"), "{line}");
    assert!(d.pretty().contains("(3 mismatches)"));
}
