//! Decoding: realistic `User` fixtures (every field, API evolution, nulls), and how error
//! bodies and ill-fitting 2xx bodies surface through a real call.

use std::time::{Duration, SystemTime};

use clerk_backend::Error;
use clerk_backend::models::{
    EmailAddressVerification, EnterpriseAccountProtocol, EnterpriseAccountVerification,
    ExternalAccountWithVerificationObject, ExternalAccountWithVerificationVerification,
    PhoneNumberVerification, ProviderVerificationStatus, SamlAccountVerification,
    SsoVerificationStatus, User, VerificationOtp, VerificationOtpStrategy, VerificationStatus,
    VerificationTicketStatus, VerificationWeb3Strategy, Web3WalletVerification,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::wire::{self, fixture, fixture_text};

/// `components/schemas/User` properties of bapi-2026-05-12.yml, in spec order.
const SPEC_USER_FIELDS: &[&str] = &[
    "id",
    "object",
    "external_id",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_web3_wallet_id",
    "username",
    "first_name",
    "last_name",
    "locale",
    "profile_image_url",
    "image_url",
    "has_image",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "email_addresses",
    "phone_numbers",
    "web3_wallets",
    "passkeys",
    "password_enabled",
    "two_factor_enabled",
    "totp_enabled",
    "backup_code_enabled",
    "mfa_enabled_at",
    "mfa_disabled_at",
    "password_last_updated_at",
    "external_accounts",
    "saml_accounts",
    "enterprise_accounts",
    "organization_memberships",
    "last_sign_in_at",
    "banned",
    "locked",
    "deprovisioned",
    "lockout_expires_in_seconds",
    "verification_attempts_remaining",
    "updated_at",
    "created_at",
    "delete_self_enabled",
    "create_organization_enabled",
    "create_organizations_limit",
    "last_active_at",
    "legal_accepted_at",
    "bypass_client_trust",
    "scim",
];

fn user(name: &str) -> User {
    serde_json::from_str(&fixture_text(name))
        .unwrap_or_else(|e| panic!("{name} does not decode into User: {e}"))
}

/// Drop `"key": null` members (the models skip `None` when serializing), except inside
/// metadata maps, which are free-form and must keep their nulls.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            for (k, v) in map.iter_mut() {
                if !k.ends_with("metadata") {
                    strip_nulls(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

#[test]
fn full_user_fixture_has_every_spec_field() {
    let raw = fixture("user_full.json");
    let keys: Vec<&str> = raw
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for f in SPEC_USER_FIELDS {
        assert!(keys.contains(f), "fixture lacks User.{f}");
    }
    assert_eq!(keys.len(), SPEC_USER_FIELDS.len(), "fixture has extra keys");
}

#[test]
fn full_user_decodes_nested_values() {
    let u = user("user_full.json");
    assert_eq!(u.id, "user_2ZpRbM8Qk3XyLw7vT1aN0cFhJd");
    assert_eq!(u.object.as_deref(), Some("user"));
    assert_eq!(u.external_id.as_deref(), Some("crm-00042"));
    assert_eq!(u.username.as_deref(), Some("ada_l"));
    assert_eq!(u.locale.as_deref(), Some("en-GB"));
    assert!(u.has_image);
    assert_eq!(u.mfa_enabled_at, Some(1_700_000_500_000));
    assert_eq!(u.mfa_disabled_at, None);
    assert_eq!(u.password_last_updated_at, Some(1_700_000_400_000));
    assert_eq!(u.lockout_expires_in_seconds, None);
    assert_eq!(u.verification_attempts_remaining, Some(100));
    assert_eq!(u.create_organizations_limit, Some(3));
    assert_eq!(u.bypass_client_trust, Some(false));
    assert_eq!(u.deprovisioned, Some(false));

    // Email addresses: four verification strategies.
    let emails = &u.email_addresses;
    assert_eq!(emails.len(), 4);
    assert_eq!(emails[0].email_address, "ada@example.com");
    assert_eq!(emails[0].linked_to[0].type_, "oauth_google");
    assert_eq!(emails[0].linked_to[0].id, "idn_2ZpRbQ7googleAda");
    match emails[0].verification.as_ref().unwrap() {
        EmailAddressVerification::VerificationOtp(v) => {
            assert_eq!(v.status, VerificationStatus::Verified);
            assert_eq!(v.strategy, VerificationOtpStrategy::EmailCode);
            assert_eq!(v.attempts, Some(1));
            assert_eq!(v.expire_at, Some(1_700_000_600_000));
            assert_eq!(v.channel.as_deref(), Some("email"));
            assert_eq!(
                v.verified_at_client.as_deref(),
                Some("client_2ZpRbVclient01")
            );
        }
        other => panic!("expected an OTP verification, got {other:?}"),
    }
    match emails[1].verification.as_ref().unwrap() {
        EmailAddressVerification::VerificationFromOauth(v) => {
            assert_eq!(v.status, ProviderVerificationStatus::Verified);
            assert_eq!(v.strategy, "from_oauth_google");
            assert_eq!(v.error, None);
            assert_eq!(v.expire_at, None);
        }
        other => panic!("expected a from-OAuth verification, got {other:?}"),
    }
    match emails[2].verification.as_ref().unwrap() {
        EmailAddressVerification::VerificationSaml(v) => {
            assert_eq!(v.status, SsoVerificationStatus::Verified);
            assert_eq!(v.strategy, "saml");
        }
        other => panic!("expected a SAML verification, got {other:?}"),
    }
    assert_eq!(emails[2].matches_sso_connection, Some(true));
    match emails[3].verification.as_ref().unwrap() {
        EmailAddressVerification::VerificationEmailLink(v) => {
            assert_eq!(v.status, VerificationStatus::Expired);
            assert_eq!(v.attempts, Some(0));
        }
        other => panic!("expected an email-link verification, got {other:?}"),
    }
    assert!(emails[3].reserved);

    // Phone numbers: OTP and admin verifications, backup codes.
    let phones = u.phone_numbers;
    assert_eq!(phones[0].phone_number, "+15555550100");
    assert_eq!(phones[0].default_second_factor, Some(true));
    assert_eq!(
        phones[0]
            .backup_codes
            .as_ref()
            .map(|c| c.iter().map(|s| s.expose_secret()).collect::<Vec<_>>()),
        Some(vec!["a1b2c3d4", "e5f6g7h8"])
    );
    match phones[0].verification.as_ref().unwrap() {
        PhoneNumberVerification::VerificationOtp(v) => {
            assert_eq!(v.strategy, VerificationOtpStrategy::PhoneCode);
            assert_eq!(v.channel.as_deref(), Some("sms"));
            assert_eq!(v.attempts, Some(2));
        }
        other => panic!("expected an OTP verification, got {other:?}"),
    }
    match phones[1].verification.as_ref().unwrap() {
        PhoneNumberVerification::VerificationAdmin(v) => {
            assert_eq!(v.status, "verified");
            assert_eq!(v.strategy, "admin");
        }
        other => panic!("expected an admin verification, got {other:?}"),
    }
    assert_eq!(phones[1].backup_codes, None);

    // Web3 wallet and passkey.
    let wallet = &u.web3_wallets[0];
    assert_eq!(
        wallet.web3_wallet,
        "0x0123456789abcdef0123456789abcdef01234567"
    );
    match wallet.verification.as_ref().unwrap() {
        Web3WalletVerification::VerificationWeb3(v) => {
            assert_eq!(v.status, VerificationStatus::Verified);
            assert_eq!(v.strategy, VerificationWeb3Strategy::Web3MetamaskSignature);
        }
        other => panic!("expected a web3 verification, got {other:?}"),
    }
    let passkey = &u.passkeys[0];
    assert_eq!(passkey.name.as_deref(), Some("MacBook Touch ID"));
    assert_eq!(passkey.last_used_at, Some(1_700_001_000_000));
    let pv = passkey.verification.as_ref().unwrap();
    assert_eq!(
        (pv.status.as_str(), pv.strategy.as_str()),
        ("verified", "passkey")
    );
    assert_eq!(pv.nonce.as_deref(), Some("nonce"));

    // External accounts: OAuth and Google One Tap (with a nested ClerkError).
    let ext = u.external_accounts;
    assert_eq!(
        ext[0].object,
        Some(ExternalAccountWithVerificationObject::ExternalAccount)
    );
    assert_eq!(ext[0].provider, "oauth_google");
    assert_eq!(ext[0].email_address_verified, Some(true));
    assert_eq!(ext[0].public_metadata["locale"], "en");
    match ext[0].verification.as_ref().unwrap() {
        ExternalAccountWithVerificationVerification::VerificationOauth(v) => {
            assert_eq!(v.status, SsoVerificationStatus::Verified);
            assert_eq!(v.strategy, "oauth_google");
            assert_eq!(v.expire_at, 1_700_000_660_000);
        }
        other => panic!("expected an OAuth verification, got {other:?}"),
    }
    assert_eq!(
        ext[1].object,
        Some(ExternalAccountWithVerificationObject::GoogleAccount)
    );
    assert_eq!(ext[1].label.as_deref(), Some("work"));
    match ext[1].verification.as_ref().unwrap() {
        ExternalAccountWithVerificationVerification::VerificationGoogleOneTap(v) => {
            assert_eq!(v.status, ProviderVerificationStatus::Unverified);
            let err = v.error.as_ref().unwrap();
            assert_eq!(err.code, "form_param_value_invalid");
            assert_eq!(err.long_message, "The Google One Tap token is invalid");
            assert_eq!(err.meta.as_ref().unwrap()["param_name"], "token");
        }
        other => panic!("expected a Google One Tap verification, got {other:?}"),
    }

    // SAML and enterprise accounts with their connections.
    let saml = &u.saml_accounts[0];
    assert_eq!(saml.provider, "saml_okta");
    assert_eq!(saml.public_metadata.as_ref().unwrap()["department"], "R&D");
    match saml.verification.as_ref().unwrap() {
        SamlAccountVerification::VerificationSaml(v) => {
            assert_eq!(
                v.external_verification_redirect_url.as_deref(),
                Some("https://acme.okta.example/app/sso/saml")
            );
        }
        other => panic!("expected a SAML verification, got {other:?}"),
    }
    let conn = saml.saml_connection.as_ref().unwrap();
    assert_eq!(conn.domains.as_ref().unwrap()[1], "ae.example");
    assert_eq!(conn.allow_idp_initiated, Some(true));
    let ent = &u.enterprise_accounts.as_ref().unwrap()[0];
    assert_eq!(ent.protocol, Some(EnterpriseAccountProtocol::Saml));
    assert_eq!(ent.public_metadata.as_ref().unwrap()["cost_center"], 4242);
    match ent.verification.as_ref().unwrap() {
        EnterpriseAccountVerification::VerificationTicket(v) => {
            assert_eq!(v.status, VerificationTicketStatus::Verified);
        }
        other => panic!("expected a ticket verification, got {other:?}"),
    }
    let econn = ent.enterprise_connection.as_ref().unwrap();
    assert!(econn.disable_additional_identifications);
    assert_eq!(
        econn.logo_public_url.as_deref(),
        Some("https://img.clerk.com/static/okta.svg")
    );

    // Organization membership with its organization and public user data.
    let m = &u.organization_memberships.as_ref().unwrap()[0];
    assert_eq!(m.role, "org:admin");
    assert_eq!(m.permissions.len(), 2);
    assert_eq!(m.organization.slug, "analytical-engines");
    assert_eq!(m.organization.max_allowed_memberships, 50);
    assert_eq!(
        m.organization.private_metadata.as_ref().unwrap()["billing_id"],
        "acct_77"
    );
    let pud = m.public_user_data.as_ref().unwrap();
    assert_eq!(pud.identifier.as_deref(), Some("ada@example.com"));

    let scim = u.scim.as_ref().unwrap();
    assert_eq!(scim.directory_id, "dir_2ZpRbScim01");
    assert_eq!(scim.external_id.as_deref(), Some("00u1scim42"));
}

#[test]
fn metadata_is_a_free_form_json_map() {
    let u = user("user_full.json");
    let public: &serde_json::Map<String, Value> = &u.public_metadata;
    assert_eq!(public["plan"], "pro");
    assert_eq!(public["seats"], 5);
    assert_eq!(public["ratio"], 0.75);
    assert_eq!(public["flags"]["beta"], true);
    assert_eq!(public["flags"]["regions"][1], "us-east-1");
    assert_eq!(public["tags"], json!(["math", "poetry"]));
    let private = u.private_metadata.as_ref().unwrap();
    // A null inside metadata is a value, not an absent key.
    assert_eq!(private.get("notes"), Some(&Value::Null));
    assert_eq!(private["risk"]["score"], 12);
    assert_eq!(u.unsafe_metadata.as_ref().unwrap()["onboarding_step"], 3);
}

#[test]
fn full_user_round_trips_through_serialize() {
    let u = user("user_full.json");
    let mut expected = fixture("user_full.json");
    strip_nulls(&mut expected);
    let serialized = serde_json::to_value(&u).unwrap();
    assert_eq!(
        serialized, expected,
        "serialize(decode(fixture)) != fixture"
    );
    let again: User = serde_json::from_value(serialized).unwrap();
    assert_eq!(again, u);
}

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    // Extra keys at the top level, in an email address, in a verification, in an external
    // account: none of them fails decoding, and the known values around them are intact.
    let u = user("user_evolved.json");
    assert_eq!(u.id, "user_2b9EvolvedFutureApi");
    assert_eq!(u.first_name.as_deref(), Some("Grace"));
    assert!(u.locked);
    let emails = &u.email_addresses;
    assert_eq!(emails[0].email_address, "grace@example.com");
    assert_eq!(emails[0].created_at, 1_710_000_000_000);
    let ext = &u.external_accounts[0];
    assert_eq!(ext.provider_user_id, "583231");
    // Unknown fields are not carried along: serializing emits only modelled fields.
    let out = serde_json::to_value(&u).unwrap();
    assert!(out.get("passwordless_only").is_none());
    assert!(out.get("risk").is_none());
    assert!(out["email_addresses"][0].get("deliverability").is_none());
    assert!(
        out["external_accounts"][0]
            .get("provider_details")
            .is_none()
    );
}

#[test]
fn new_enum_values_are_kept_as_unknown() {
    let u = user("user_evolved.json");
    let emails = &u.email_addresses;
    let EmailAddressVerification::VerificationOtp(otp) = emails[0].verification.as_ref().unwrap()
    else {
        panic!("expected OTP, got {:?}", emails[0].verification);
    };
    assert_eq!(
        otp.status,
        VerificationStatus::Unknown("pending_review".into())
    );
    assert_eq!(otp.status.as_str(), "pending_review");
    assert_eq!(
        otp.strategy,
        VerificationOtpStrategy::Unknown("email_magic_code".into())
    );
    assert_eq!(otp.strategy.to_string(), "email_magic_code");

    let wallet = &u.web3_wallets[0];
    let Web3WalletVerification::VerificationWeb3(w) = wallet.verification.as_ref().unwrap() else {
        panic!("expected web3, got {:?}", wallet.verification);
    };
    assert_eq!(
        w.strategy,
        VerificationWeb3Strategy::Unknown("web3_phantom_signature".into())
    );

    let ext = &u.external_accounts[0];
    assert_eq!(
        ext.object,
        Some(ExternalAccountWithVerificationObject::Unknown(
            "github_account".into()
        ))
    );
    let ExternalAccountWithVerificationVerification::VerificationOauth(o) =
        ext.verification.as_ref().unwrap()
    else {
        panic!("expected OAuth, got {:?}", ext.verification);
    };
    assert_eq!(
        o.status,
        SsoVerificationStatus::Unknown("revoked_by_provider".into())
    );

    let ent = &u.enterprise_accounts.as_ref().unwrap()[0];
    assert_eq!(
        ent.protocol,
        Some(EnterpriseAccountProtocol::Unknown("oidc".into()))
    );

    // Unknown values serialize back unchanged.
    let out = serde_json::to_value(&u).unwrap();
    assert_eq!(
        out["email_addresses"][0]["verification"]["status"],
        "pending_review"
    );
    assert_eq!(out["external_accounts"][0]["object"], "github_account");
    assert_eq!(out["enterprise_accounts"][0]["protocol"], "oidc");
}

#[test]
fn unknown_verification_object_is_kept_as_raw_json() {
    let raw = fixture("user_evolved.json");
    let u = user("user_evolved.json");
    let emails = &u.email_addresses;
    match emails[1].verification.as_ref().unwrap() {
        EmailAddressVerification::Unknown(v) => {
            assert_eq!(v, &raw["email_addresses"][1]["verification"]);
            assert_eq!(v["object"], "verification_carrier_pigeon");
            assert_eq!(v["bird"]["name"], "Cher Ami");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    // And it serializes back exactly as received.
    let out = serde_json::to_value(&u).unwrap();
    assert_eq!(
        out["email_addresses"][1]["verification"],
        raw["email_addresses"][1]["verification"]
    );
}

#[test]
fn a_union_variant_built_in_code_serializes_its_tag() {
    // The `object` field of a variant's struct is optional; a value built in code (a test
    // double, an emulator) leaves it unset. Serializing must still write the tag, or the
    // value decodes back as `Unknown`.
    let mut otp = VerificationOtp::new(
        VerificationStatus::Verified,
        VerificationOtpStrategy::EmailCode,
    );
    otp.attempts = Some(1);
    let v = EmailAddressVerification::VerificationOtp(otp);
    let out = serde_json::to_value(&v).unwrap();
    assert_eq!(
        out,
        json!({"object": "verification_otp", "status": "verified", "strategy": "email_code", "attempts": 1})
    );
    let back: EmailAddressVerification = serde_json::from_value(out).unwrap();
    let EmailAddressVerification::VerificationOtp(otp) = back else {
        panic!("decoded as {back:?}");
    };
    assert_eq!(otp.object.as_deref(), Some("verification_otp"));
    assert_eq!(otp.attempts, Some(1));
}

#[test]
fn known_tag_with_a_wrong_shape_fails_instead_of_becoming_unknown() {
    // `verification_otp` without its required `status`: a real mismatch must not be hidden
    // in `Unknown`.
    let mut raw = fixture("user_full.json");
    raw["email_addresses"][0]["verification"]
        .as_object_mut()
        .unwrap()
        .remove("status");
    let err = serde_json::from_value::<User>(raw).unwrap_err();
    assert!(err.to_string().contains("status"), "{err}");
}

#[test]
fn nulls_and_missing_optional_fields_decode_to_none() {
    let u = user("user_evolved.json");
    // null
    assert_eq!(u.external_id, None);
    assert_eq!(u.username, None);
    assert_eq!(u.private_metadata, None);
    assert_eq!(u.last_sign_in_at, None);
    assert_eq!(u.scim, None);
    // missing
    assert_eq!(u.locale, None);
    assert_eq!(u.profile_image_url, None);
    assert_eq!(u.password_last_updated_at, None);
    assert_eq!(u.deprovisioned, None);
    assert_eq!(u.bypass_client_trust, None);
    // present but empty
    assert_eq!(u.public_metadata, serde_json::Map::new());
    assert_eq!(u.phone_numbers, Vec::new());
    let emails = &u.email_addresses;
    assert_eq!(emails[2].verification, None);
    assert_eq!(emails[0].matches_sso_connection, None);
    let ent = &u.enterprise_accounts.as_ref().unwrap()[0];
    assert_eq!(ent.first_name, None);
    assert_eq!(ent.enterprise_connection, None);
    assert_eq!(ent.verification, None);
    assert_eq!(ent.last_authenticated_at, None);
    // A field every supported API version requires is plain, and its absence is an error
    // that names it rather than a silent default.
    let err = serde_json::from_value::<User>(json!({"object": "user"})).unwrap_err();
    assert!(err.to_string().contains("missing field `id`"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Through a real call.

#[tokio::test]
async fn user_decodes_over_http() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users/user_2ZpRbM8Qk3XyLw7vT1aN0cFhJd"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture_text("user_full.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let u = clerk
        .users()
        .get("user_2ZpRbM8Qk3XyLw7vT1aN0cFhJd")
        .send()
        .await
        .unwrap();
    assert_eq!(u, user("user_full.json"));
}

#[tokio::test]
async fn clerk_error_body_becomes_api_error() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users/user_1"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw(fixture_text("error_not_found.json"), "application/json")
                .insert_header("x-clerk-trace-id", "header-trace-should-lose"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}")
    };
    assert_eq!(api.status(), http::StatusCode::NOT_FOUND);
    assert!(api.is_not_found());
    assert!(!api.is_rate_limited());
    assert_eq!(api.code(), Some("resource_not_found"));
    assert_eq!(api.message(), Some("not found"));
    assert_eq!(api.errors().len(), 2);
    let first = &api.errors()[0];
    assert_eq!(
        first.long_message.as_deref(),
        Some("No user was found with id user_1")
    );
    assert_eq!(
        first.meta.as_ref().unwrap(),
        &json!({"param_name": "user_id", "resource": "user"})
    );
    assert_eq!(api.errors()[1].code, "request_id_hint");
    assert_eq!(api.errors()[1].meta, None);
    assert_eq!(
        api.meta.as_ref().unwrap()["request"],
        "GET /v1/users/user_1"
    );
    // The body's trace id wins over the header's.
    assert_eq!(api.trace_id(), Some("4f1c1a9e0b6d4c6e9a1d2b3c4d5e6f70"));
    assert_eq!(api.retry_after(), None);
    assert_eq!(api.body_text(), fixture_text("error_not_found.json"));

    let line = err.to_string();
    assert!(!line.contains('\n'), "Display is one line: {line:?}");
    assert_eq!(
        line,
        "Clerk API error 404 Not Found resource_not_found: not found \
         (No user was found with id user_1) (+1 more) [trace 4f1c1a9e0b6d4c6e9a1d2b3c4d5e6f70]"
    );
}

#[tokio::test]
async fn html_502_from_a_proxy_keeps_the_raw_body() {
    let server = wire::server().await;
    let page = fixture_text("proxy_502.html");
    Mock::given(method("GET"))
        .and(path("/users/user_1"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(page.clone(), "text/html"))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status().as_u16(), 502);
    assert!(api.errors().is_empty());
    assert_eq!(api.code(), None);
    assert_eq!(api.trace_id(), None);
    assert_eq!(api.body_text(), page, "raw body kept exactly");
    let line = err.to_string();
    assert!(!line.contains('\n'), "Display is one line: {line:?}");
    assert!(
        line.starts_with("Clerk API error 502 Bad Gateway: <!DOCTYPE html> <html>"),
        "{line}"
    );
    assert!(line.contains("<title>502 Bad Gateway</title>"), "{line}");
    // A snippet, not the whole page.
    assert!(line.chars().count() < 200, "{} chars: {line}", line.len());
    assert!(!line.contains("Ray ID"), "{line}");
}

#[tokio::test]
async fn json_error_body_of_another_shape_is_kept_raw() {
    // A gateway's JSON error: not Clerk's `errors[]`, so nothing is parsed, nothing is lost.
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users/user_1"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "Request blocked by WAF", "id": "waf-9"})),
        )
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    let api = err.as_api().unwrap();
    assert!(api.errors().is_empty());
    assert_eq!(api.code(), None);
    assert_eq!(api.message(), None);
    // One line: the status, then the body (key order depends on serde_json's features).
    let line = err.to_string();
    let body = line
        .strip_prefix("Clerk API error 400 Bad Request: ")
        .unwrap_or_else(|| panic!("unexpected prefix: {line}"));
    let shown: serde_json::Value = serde_json::from_str(body).expect("body shown as JSON");
    assert_eq!(
        shown,
        json!({"message": "Request blocked by WAF", "id": "waf-9"})
    );
}

#[tokio::test]
async fn empty_error_body() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users/user_1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status().as_u16(), 503);
    assert!(api.errors().is_empty());
    assert!(api.body.is_empty());
    assert_eq!(
        err.to_string(),
        "Clerk API error 503 Service Unavailable: empty body"
    );
}

#[tokio::test]
async fn trace_id_comes_from_the_header_when_the_body_has_none() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users/user_1"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"errors": [{
                    "code": "authentication_invalid",
                    "message": "Invalid authentication",
                    "long_message": "Invalid authentication"
                }]}))
                .insert_header("x-clerk-trace-id", "trace-from-header-77"),
        )
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    let api = err.as_api().unwrap();
    assert!(api.is_unauthorized());
    assert_eq!(api.code(), Some("authentication_invalid"));
    assert_eq!(api.trace_id(), Some("trace-from-header-77"));
    // long_message equal to message is not repeated.
    assert_eq!(
        err.to_string(),
        "Clerk API error 401 Unauthorized authentication_invalid: Invalid authentication \
         [trace trace-from-header-77]"
    );
    assert!(!err.to_string().contains(wire::KEY));
}

#[tokio::test]
async fn retry_after_is_parsed_in_both_forms() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users/seconds"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"errors": [{"code": "too_many_requests", "message": "Too many requests"}]}))
                .insert_header("retry-after", "7"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
    Mock::given(method("GET"))
        .and(path("/users/date"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", when.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);

    let err = clerk.users().get("seconds").send().await.unwrap_err();
    let api = err.as_api().unwrap();
    assert!(api.is_rate_limited());
    assert_eq!(api.code(), Some("too_many_requests"));
    assert_eq!(api.retry_after(), Some(Duration::from_secs(7)));

    let err = clerk.users().get("date").send().await.unwrap_err();
    let wait = err
        .as_api()
        .unwrap()
        .retry_after()
        .expect("an HTTP-date Retry-After");
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
}

#[tokio::test]
async fn empty_2xx_body_is_a_decode_error() {
    let (_server, clerk) = wire::answering_get("/users/user_1", ResponseTemplate::new(200)).await;
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!(d.status.as_u16(), 200);
    assert!(d.body.is_empty());
    assert!(d.message.contains("EOF"), "{}", d.message);
    assert!(d.target.ends_with("User"), "{}", d.target);
}

#[tokio::test]
async fn mismatched_2xx_body_reports_the_json_path() {
    // Four users; the fourth's first email address has a numeric id.
    let good = fixture("user_full.json");
    let mut bad = good.clone();
    bad["email_addresses"][0]["id"] = json!(42);
    let body = json!([good, good, good, bad]);
    let (_server, clerk) =
        wire::answering_get("/users", ResponseTemplate::new(200).set_body_json(&body)).await;
    let err = clerk.users().list().send().await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::OK));
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!(d.path, "[3].email_addresses[0].id");
    assert!(
        d.message.contains("invalid type: integer `42`"),
        "{}",
        d.message
    );
    assert_eq!(d.body, serde_json::to_vec(&body).unwrap());
    let line = err.to_string();
    assert!(!line.contains('\n'));
    assert!(line.contains("at `[3].email_addresses[0].id`"), "{line}");
    let pretty = d.pretty();
    assert!(
        pretty.contains("into Vec<clerk_backend::models::User> (1 mismatch)"),
        "{pretty}"
    );
    assert!(
        pretty.contains("\n  at [3].email_addresses[0].id: invalid type: integer `42`"),
        "{pretty}"
    );
    assert!(pretty.contains("body:\n  [{"), "{pretty}");
    // The body is long: pretty() shows a bounded excerpt.
    assert!(pretty.ends_with("…(truncated)"), "{pretty}");
}

#[tokio::test]
async fn mismatch_inside_a_known_union_variant_names_the_full_path() {
    // A union variant is decoded straight from the input, so the path reaches inside it.
    let mut bad = fixture("user_full.json");
    bad["phone_numbers"][1]["verification"]["status"] = json!(false);
    let (_server, clerk) = wire::answering_get(
        "/users/user_1",
        ResponseTemplate::new(200).set_body_json(&bad),
    )
    .await;
    let err = clerk.users().get("user_1").send().await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!(d.path, "phone_numbers[1].verification.status");
    assert!(
        d.message.contains("invalid type: boolean `false`"),
        "{}",
        d.message
    );
}

#[tokio::test]
async fn bad_metadata_is_reported_where_a_map_decode_would_stop() {
    // Metadata is kept as text (`JsonObject`), but a body a `Map` would refuse is refused, with
    // every mismatch at its path.
    let good = fixture("user_full.json");
    let (mut first, mut second) = (good.clone(), good);
    first["private_metadata"] = json!("text");
    second["public_metadata"] = json!([1, 2]);
    let body = json!([first, second]);
    let (_server, clerk) =
        wire::answering_get("/users", ResponseTemplate::new(200).set_body_json(&body)).await;
    let Error::Decode(d) = clerk.users().list().send().await.unwrap_err() else {
        panic!("expected Error::Decode")
    };
    let found: Vec<(&str, &str)> = d
        .mismatches
        .iter()
        .map(|m| (m.path.as_str(), m.message.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "[0].private_metadata");
    assert!(found[0].1.contains("expected a JSON object"), "{found:?}");
    assert_eq!(found[1].0, "[1].public_metadata", "{found:?}");
    assert!(found[1].1.contains("expected a JSON object"), "{found:?}");

    // A number a `Map` cannot hold, deep inside: refused (the body is then not JSON that any
    // `Value` holds either, so serde's message stands for the whole body).
    let text = serde_json::to_string(&json!([fixture("user_full.json")]))
        .unwrap()
        .replacen(r#""score":12"#, r#""score":1e400"#, 1);
    let (_server, clerk) =
        wire::answering_get("/users", ResponseTemplate::new(200).set_body_string(text)).await;
    let Error::Decode(d) = clerk.users().list().send().await.unwrap_err() else {
        panic!("expected Error::Decode")
    };
    assert!(d.message.contains("number out of range"), "{}", d.message);
}
