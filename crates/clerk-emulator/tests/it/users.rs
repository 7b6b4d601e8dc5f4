//! Users, email addresses, phone numbers: every filter, order and error of the API.

use crate::api::Api;
use clerk_emulator::Emulator;
use serde_json::{Value, json};

async fn setup() -> (Emulator, Api) {
    let emu = Emulator::start().await.expect("start");
    let api = Api::new(&emu);
    (emu, api)
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|u| u["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn create_get_update_delete() {
    let (emu, api) = setup().await;
    let u = api
        .ok("POST", "/users", Some(json!({
            "email_address": ["Ada@Example.com"], "phone_number": ["+15555550100"], "username": "ada_l",
            "first_name": "Ada", "last_name": "Lovelace", "external_id": "ext-1", "password": "correct horse battery",
            "public_metadata": {"plan": "pro"}, "private_metadata": {"k": 1}, "unsafe_metadata": {"u": true},
        })))
        .await;
    let id = u["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("user_"));
    assert_eq!(u["email_addresses"][0]["email_address"], "ada@example.com");
    assert_eq!(u["primary_email_address_id"], u["email_addresses"][0]["id"]);
    assert_eq!(u["primary_phone_number_id"], u["phone_numbers"][0]["id"]);
    assert_eq!(u["password_enabled"], true);
    assert!(
        u.get("__password").is_none(),
        "the password hash never leaves"
    );
    assert_eq!(api.ok("GET", &format!("/users/{id}"), None).await, u);

    let up = api
        .ok(
            "PATCH",
            &format!("/users/{id}"),
            Some(json!({"first_name": "Augusta", "last_name": null, "username": "augusta"})),
        )
        .await;
    assert_eq!(
        (
            up["first_name"].as_str(),
            up["last_name"].as_str(),
            up["username"].as_str()
        ),
        (Some("Augusta"), None, Some("augusta"))
    );
    // the old username is free again, the new one is taken
    let other = api
        .ok("POST", "/users", Some(json!({"username": "ada_l"})))
        .await;
    api.err(
        "PATCH",
        &format!("/users/{}", other["id"].as_str().unwrap()),
        Some(json!({"username": "augusta"})),
        422,
        "form_identifier_exists",
    )
    .await;

    let d = api.ok("DELETE", &format!("/users/{id}"), None).await;
    assert_eq!(d, json!({"object": "user", "id": id, "deleted": true}));
    api.err(
        "GET",
        &format!("/users/{id}"),
        None,
        404,
        "resource_not_found",
    )
    .await;
    // identifiers are released with the user
    api.ok(
        "POST",
        "/users",
        Some(json!({"email_address": ["ada@example.com"]})),
    )
    .await;
    let types: Vec<String> = emu.events().iter().map(|e| e.event_type.clone()).collect();
    assert_eq!(
        &types[..4],
        [
            "user.created",
            "email.created",
            "user.updated",
            "user.created"
        ]
    );
    assert!(types.contains(&"user.deleted".to_owned()));
}

#[tokio::test]
async fn validation_and_uniqueness_errors() {
    let (_emu, api) = setup().await;
    api.ok("POST", "/users", Some(json!({"email_address": ["a@example.com"], "username": "alpha", "external_id": "x1", "phone_number": ["+15555550101"]}))).await;
    let e = api
        .err(
            "POST",
            "/users",
            Some(json!({"email_address": ["A@example.com"]})),
            422,
            "form_identifier_exists",
        )
        .await;
    assert_eq!(e["errors"][0]["meta"]["param_name"], "email_address");
    api.err(
        "POST",
        "/users",
        Some(json!({"username": "ALPHA"})),
        422,
        "form_identifier_exists",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"external_id": "x1"})),
        422,
        "form_identifier_exists",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"phone_number": ["+15555550101"]})),
        422,
        "form_identifier_exists",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"email_address": ["not-an-email"]})),
        422,
        "form_param_format_invalid",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"phone_number": ["555"]})),
        422,
        "form_param_format_invalid",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"password": "short"})),
        422,
        "form_password_length_too_short",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"username": "ab"})),
        422,
        "form_username_invalid_length",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"username": "a b c d"})),
        422,
        "form_username_invalid_character",
    )
    .await;
    api.err(
        "POST",
        "/users",
        Some(json!({"first_name": 5})),
        422,
        "form_param_format_invalid",
    )
    .await;
    api.err(
        "GET",
        "/users?limit=501",
        None,
        422,
        "form_param_value_invalid",
    )
    .await;
    api.err(
        "GET",
        "/users?limit=abc",
        None,
        422,
        "form_param_format_invalid",
    )
    .await;
    api.err(
        "GET",
        "/users?order_by=-password",
        None,
        422,
        "form_param_value_invalid",
    )
    .await;
    api.err(
        "GET",
        "/users/user_missing",
        None,
        404,
        "resource_not_found",
    )
    .await;
    // a rejected request leaves nothing behind: the address of a failed create stays free
    api.err(
        "POST",
        "/users",
        Some(json!({"email_address": ["fresh@example.com"], "username": "alpha"})),
        422,
        "form_identifier_exists",
    )
    .await;
    api.ok(
        "POST",
        "/users",
        Some(json!({"email_address": ["fresh@example.com"]})),
    )
    .await;
    let c = api.ok("GET", "/users/count", None).await;
    assert_eq!(c["total_count"], 2);
}

#[tokio::test]
async fn list_filters_order_and_count() {
    let (emu, api) = setup().await;
    let mut made = Vec::new();
    for (i, (first, last)) in [
        ("Ada", "Lovelace"),
        ("Grace", "Hopper"),
        ("Alan", "Turing"),
        ("Edsger", "Dijkstra"),
    ]
    .iter()
    .enumerate()
    {
        let u = api
            .ok("POST", "/users", Some(json!({
                "first_name": first, "last_name": last, "email_address": [format!("{}@example.com", first.to_lowercase())],
                "username": format!("{}_{i}", first.to_lowercase()), "external_id": format!("ext{i}"),
                "phone_number": [format!("+1555555020{i}")],
            })))
            .await;
        made.push(u["id"].as_str().unwrap().to_owned());
        emu.advance(std::time::Duration::from_secs(1));
    }
    let all = api.ok("GET", "/users", None).await;
    assert_eq!(
        ids(&all),
        made.iter().rev().cloned().collect::<Vec<_>>(),
        "default order is -created_at"
    );
    assert_eq!(
        ids(&api.ok("GET", "/users?order_by=%2Bcreated_at", None).await),
        made
    );
    assert_eq!(
        ids(&api.ok("GET", "/users?order_by=first_name", None).await),
        vec![
            made[0].clone(),
            made[2].clone(),
            made[3].clone(),
            made[1].clone()
        ]
    );
    assert_eq!(
        ids(&api.ok("GET", "/users?order_by=-last_name", None).await),
        vec![
            made[2].clone(),
            made[0].clone(),
            made[1].clone(),
            made[3].clone()
        ]
    );
    assert_eq!(
        ids(&api.ok("GET", "/users?order_by=email_address", None).await)[0],
        made[0]
    );
    assert_eq!(
        ids(&api.ok("GET", "/users?limit=2&offset=1", None).await),
        vec![made[2].clone(), made[1].clone()]
    );
    for (q, want) in [
        ("email_address=grace@example.com", vec![1]),
        (
            "email_address=GRACE@example.com&email_address=alan@example.com",
            vec![2, 1],
        ),
        ("phone_number=%2B15555550203", vec![3]),
        ("username=ada_0", vec![0]),
        ("external_id=ext2&external_id=ext3", vec![3, 2]),
        ("query=hop", vec![1]),
        ("query=example.com", vec![3, 2, 1, 0]),
        ("email_address_query=ali", vec![]),
        ("email_address_query=ala", vec![2]),
        ("phone_number_query=0201", vec![1]),
        ("username_query=edsg", vec![3]),
        ("name_query=grace%20hop", vec![1]),
        ("name_query=ur", vec![2]),
        ("banned=false", vec![3, 2, 1, 0]),
        ("banned=true", vec![]),
        ("provider=oauth_google", vec![]),
    ] {
        let want: Vec<String> = want.iter().map(|i: &usize| made[*i].clone()).collect();
        assert_eq!(
            ids(&api.ok("GET", &format!("/users?{q}"), None).await),
            want,
            "GET /users?{q}"
        );
        let c = api.ok("GET", &format!("/users/count?{q}"), None).await;
        assert_eq!(
            c["total_count"].as_u64(),
            Some(want.len() as u64),
            "count ?{q}"
        );
    }
    // cursor pagination over created_at
    assert_eq!(
        ids(&api
            .ok(
                "GET",
                &format!("/users?limit=2&starting_after={}", made[3]),
                None
            )
            .await),
        vec![made[2].clone(), made[1].clone()]
    );
    assert_eq!(
        ids(&api
            .ok(
                "GET",
                &format!("/users?order_by=%2Bcreated_at&starting_after={}", made[1]),
                None
            )
            .await),
        vec![made[2].clone(), made[3].clone()]
    );
    api.err(
        "GET",
        &format!("/users?order_by=first_name&starting_after={}", made[1]),
        None,
        422,
        "form_param_value_invalid",
    )
    .await;
    api.err(
        "GET",
        &format!("/users?offset=1&starting_after={}", made[1]),
        None,
        422,
        "form_param_value_invalid",
    )
    .await;
    api.err(
        "GET",
        "/users?starting_after=user_nope",
        None,
        422,
        "form_param_value_invalid",
    )
    .await;
    let q = format!("user_id={}&user_id={}", made[0], made[3]);
    assert_eq!(
        ids(&api.ok("GET", &format!("/users?{q}"), None).await),
        vec![made[3].clone(), made[0].clone()]
    );
    let second = api.ok("GET", &format!("/users/{}", made[1]), None).await;
    let t = second["created_at"].as_i64().unwrap();
    assert_eq!(
        ids(&api
            .ok("GET", &format!("/users?created_at_before={t}"), None)
            .await),
        vec![made[0].clone()]
    );
    assert_eq!(
        ids(&api
            .ok("GET", &format!("/users?created_at_after={t}"), None)
            .await),
        vec![made[3].clone(), made[2].clone()]
    );
    // last_active_at is set by a session
    api.ok("POST", "/sessions", Some(json!({"user_id": made[2]})))
        .await;
    let active = api.ok("GET", &format!("/users/{}", made[2]), None).await["last_active_at"]
        .as_i64()
        .unwrap();
    assert_eq!(
        ids(&api
            .ok(
                "GET",
                &format!("/users?last_active_at_after={}", active - 1),
                None
            )
            .await),
        vec![made[2].clone()]
    );
    assert_eq!(
        ids(&api
            .ok(
                "GET",
                &format!("/users?last_active_at_before={}", active + 1),
                None
            )
            .await),
        vec![made[2].clone()]
    );
    assert_eq!(
        ids(&api
            .ok(
                "GET",
                &format!("/users?last_sign_in_at_after={}", active - 1),
                None
            )
            .await),
        vec![made[2].clone()]
    );
    // organization_id
    let org = api
        .ok(
            "POST",
            "/organizations",
            Some(json!({"name": "Acme", "created_by": made[1]})),
        )
        .await;
    assert_eq!(
        ids(&api
            .ok(
                "GET",
                &format!("/users?organization_id={}", org["id"].as_str().unwrap()),
                None
            )
            .await),
        vec![made[1].clone()]
    );
}

#[tokio::test]
async fn metadata_merge_and_replace() {
    let (_emu, api) = setup().await;
    let u = api.ok("POST", "/users", Some(json!({"public_metadata": {"a": 1, "nested": {"x": 1, "y": 2}}, "private_metadata": {"keep": true}}))).await;
    let id = u["id"].as_str().unwrap();
    let m = api
        .ok(
            "PATCH",
            &format!("/users/{id}/metadata"),
            Some(json!({"public_metadata": {"b": 2, "nested": {"y": null, "z": 3}, "a": null}})),
        )
        .await;
    assert_eq!(
        m["public_metadata"],
        json!({"b": 2, "nested": {"x": 1, "z": 3}})
    );
    assert_eq!(
        m["private_metadata"],
        json!({"keep": true}),
        "fields not sent are untouched"
    );
    let r = api
        .ok(
            "PUT",
            &format!("/users/{id}/metadata"),
            Some(json!({"public_metadata": {"only": 1}})),
        )
        .await;
    assert_eq!(r["public_metadata"], json!({"only": 1}));
    let p = api
        .ok(
            "PATCH",
            &format!("/users/{id}"),
            Some(json!({"unsafe_metadata": {"u": 1}})),
        )
        .await;
    assert_eq!(p["unsafe_metadata"], json!({"u": 1}));
}

#[tokio::test]
async fn ban_lock_password_profile_image() {
    let (_emu, api) = setup().await;
    let u = api
        .ok(
            "POST",
            "/users",
            Some(json!({"password": "correct horse battery"})),
        )
        .await;
    let id = u["id"].as_str().unwrap();
    let s = api
        .ok("POST", "/sessions", Some(json!({"user_id": id})))
        .await;
    assert_eq!(
        api.ok("POST", &format!("/users/{id}/ban"), None).await["banned"],
        true
    );
    assert_eq!(
        api.ok(
            "GET",
            &format!("/sessions/{}", s["id"].as_str().unwrap()),
            None
        )
        .await["status"],
        "revoked",
        "banning revokes sessions"
    );
    api.err(
        "POST",
        "/sessions",
        Some(json!({"user_id": id})),
        403,
        "user_banned",
    )
    .await;
    assert_eq!(
        ids(&api.ok("GET", "/users?banned=true", None).await),
        vec![id.to_owned()]
    );
    assert_eq!(
        api.ok("POST", &format!("/users/{id}/unban"), None).await["banned"],
        false
    );
    let bulk = api
        .ok("POST", "/users/ban", Some(json!({"user_ids": [id]})))
        .await;
    assert_eq!(bulk[0]["banned"], true);
    assert_eq!(
        api.ok("POST", "/users/unban", Some(json!({"user_ids": [id]})))
            .await[0]["banned"],
        false
    );
    api.err(
        "POST",
        "/users/ban",
        Some(json!({"user_ids": []})),
        422,
        "form_param_missing",
    )
    .await;
    assert_eq!(
        api.ok("POST", &format!("/users/{id}/lock"), None).await["locked"],
        true
    );
    assert_eq!(
        api.ok("POST", &format!("/users/{id}/unlock"), None).await["locked"],
        false
    );
    assert_eq!(
        api.ok(
            "POST",
            &format!("/users/{id}/verify_password"),
            Some(json!({"password": "correct horse battery"}))
        )
        .await,
        json!({"verified": true})
    );
    api.err(
        "POST",
        &format!("/users/{id}/verify_password"),
        Some(json!({"password": "wrong"})),
        422,
        "incorrect_password",
    )
    .await;
    api.err(
        "POST",
        &format!("/users/{id}/verify_password"),
        None,
        422,
        "form_param_missing",
    )
    .await;
    assert_eq!(
        api.ok("POST", &format!("/users/{id}/remove_password"), None)
            .await["password_enabled"],
        false
    );
    api.err(
        "POST",
        &format!("/users/{id}/verify_password"),
        Some(json!({"password": "correct horse battery"})),
        422,
        "password_not_set",
    )
    .await;
    assert_eq!(
        api.ok("DELETE", &format!("/users/{id}/profile_image"), None)
            .await["has_image"],
        false
    );
}

#[tokio::test]
async fn email_addresses_and_phone_numbers() {
    let (_emu, api) = setup().await;
    let u = api
        .ok(
            "POST",
            "/users",
            Some(json!({"email_address": ["one@example.com"]})),
        )
        .await;
    let id = u["id"].as_str().unwrap();
    let e = api
        .ok(
            "POST",
            "/email_addresses",
            Some(json!({"user_id": id, "email_address": "two@example.com", "primary": true})),
        )
        .await;
    let eid = e["id"].as_str().unwrap();
    let user = api.ok("GET", &format!("/users/{id}"), None).await;
    assert_eq!(user["primary_email_address_id"], eid);
    assert_eq!(user["email_addresses"].as_array().unwrap().len(), 2);
    assert_eq!(
        api.ok("GET", &format!("/email_addresses/{eid}"), None)
            .await,
        e
    );
    api.err(
        "POST",
        "/email_addresses",
        Some(json!({"user_id": id, "email_address": "one@example.com"})),
        422,
        "form_identifier_exists",
    )
    .await;
    api.err(
        "POST",
        "/email_addresses",
        Some(json!({"email_address": "x@example.com"})),
        422,
        "form_param_missing",
    )
    .await;
    api.err(
        "POST",
        "/email_addresses",
        Some(json!({"user_id": "user_nope", "email_address": "x@example.com"})),
        404,
        "resource_not_found",
    )
    .await;
    assert_eq!(
        api.ok("DELETE", &format!("/email_addresses/{eid}"), None)
            .await["deleted"],
        true
    );
    let user = api.ok("GET", &format!("/users/{id}"), None).await;
    assert_eq!(
        user["primary_email_address_id"], user["email_addresses"][0]["id"],
        "primary falls back to the remaining address"
    );
    api.err(
        "GET",
        &format!("/email_addresses/{eid}"),
        None,
        404,
        "resource_not_found",
    )
    .await;
    let p = api
        .ok(
            "POST",
            "/phone_numbers",
            Some(json!({"user_id": id, "phone_number": "+15555550300"})),
        )
        .await;
    let pid = p["id"].as_str().unwrap();
    assert_eq!(
        api.ok("GET", &format!("/users/{id}"), None).await["primary_phone_number_id"],
        pid
    );
    let up = api
        .ok(
            "PATCH",
            &format!("/phone_numbers/{pid}"),
            Some(json!({"reserved_for_second_factor": true})),
        )
        .await;
    assert_eq!(up["reserved_for_second_factor"], true);
    assert_eq!(
        api.ok("DELETE", &format!("/phone_numbers/{pid}"), None)
            .await["deleted"],
        true
    );
    assert!(
        api.ok("GET", &format!("/users/{id}"), None).await["primary_phone_number_id"].is_null()
    );
}

#[tokio::test]
async fn unimplemented_operations_answer_501_by_name() {
    let (_emu, api) = setup().await;
    let (s, v) = api.call("GET", "/billing/plans", None).await;
    assert_eq!(s, 501);
    assert_eq!(v["errors"][0]["code"], "emulator_not_implemented");
    assert!(
        v["errors"][0]["long_message"]
            .as_str()
            .unwrap()
            .contains("billing.list_plans"),
        "{v}"
    );
}
