//! Users, with their email addresses and phone numbers.

use crate::error::ApiError;
use crate::request::{Ctx, HandlerResult, Reply};
use crate::resources::{deleted, list_sql, merge_metadata, strip_private};
use crate::store::{self, Row};
use rusqlite::types::Value as Sql;
use serde_json::{Value, json};

pub(crate) const KIND: &str = "user";
pub(crate) const EMAIL: &str = "email_address";
pub(crate) const PHONE: &str = "phone_number";

fn email_valid(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
}

fn phone_valid(p: &str) -> bool {
    p.strip_prefix('+')
        .is_some_and(|d| (7..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

fn check_username(u: &str) -> Result<(), ApiError> {
    if !(4..=64).contains(&u.chars().count()) {
        return Err(ApiError::new(
            422,
            "form_username_invalid_length",
            "Username must be between 4 and 64 characters long.",
            "Username must be between 4 and 64 characters long.",
        )
        .param("username"));
    }
    if !u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ApiError::new(
            422,
            "form_username_invalid_character",
            "Username can only contain letters, numbers and '_' or '-'.",
            "Username can only contain letters, numbers and '_' or '-'.",
        )
        .param("username"));
    }
    Ok(())
}

fn check_password(p: &str) -> Result<(), ApiError> {
    if p.chars().count() < 8 {
        return Err(ApiError::new(
            422,
            "form_password_length_too_short",
            "Passwords must be 8 characters or more.",
            "Passwords must be 8 characters or more.",
        )
        .param("password"));
    }
    Ok(())
}

/// PBKDF2-HMAC-SHA256 with a per-user salt; the hash lives in the stored document only.
fn hash_password(ctx: &Ctx<'_>, password: &str) -> String {
    use base64::Engine as _;
    let salt = ctx.app.ids.bytes32();
    let mut out = [0u8; 32];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        std::num::NonZeroU32::new(1000).expect("non-zero"),
        &salt,
        password.as_bytes(),
        &mut out,
    );
    let b = base64::engine::general_purpose::STANDARD;
    format!("{}${}", b.encode(salt), b.encode(out))
}

fn password_matches(stored: &str, password: &str) -> bool {
    use base64::Engine as _;
    let b = base64::engine::general_purpose::STANDARD;
    let Some((salt, hash)) = stored.split_once('$') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (b.decode(salt), b.decode(hash)) else {
        return false;
    };
    ring::pbkdf2::verify(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        std::num::NonZeroU32::new(1000).expect("non-zero"),
        &salt,
        password.as_bytes(),
        &hash,
    )
    .is_ok()
}

fn verification_admin() -> Value {
    json!({"object": "verification_admin", "status": "verified", "strategy": "admin", "attempts": null, "expire_at": null})
}

/// Add an email address to `user_id` (claims the identifier).
pub(crate) fn add_email(ctx: &Ctx<'_>, user_id: &str, email: &str) -> Result<Value, ApiError> {
    if !email_valid(email) {
        return Err(ApiError::invalid(
            "email_address",
            "must be a valid email address.",
        ));
    }
    let norm = email.to_lowercase();
    if store::owner_of(ctx.tx, "email", &norm)?.is_some()
        || !store::claim(ctx.tx, "email", &norm, user_id)?
    {
        return Err(ApiError::exists("email_address", "email address"));
    }
    let id = ctx.id("idn");
    let doc = json!({
        "id": id, "object": "email_address", "email_address": norm, "reserved": false,
        "verification": verification_admin(), "linked_to": [], "matches_sso_connection": false,
        "created_at": ctx.now, "updated_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: EMAIL,
            id: &id,
            created_at: ctx.now,
            parent: Some(user_id),
            r#ref: None,
        },
        &doc,
    )?;
    Ok(doc)
}

pub(crate) fn add_phone(ctx: &Ctx<'_>, user_id: &str, phone: &str) -> Result<Value, ApiError> {
    if !phone_valid(phone) {
        return Err(ApiError::invalid(
            "phone_number",
            "must be a valid phone number in E.164 format.",
        ));
    }
    if store::owner_of(ctx.tx, "phone", phone)?.is_some()
        || !store::claim(ctx.tx, "phone", phone, user_id)?
    {
        return Err(ApiError::exists("phone_number", "phone number"));
    }
    let id = ctx.id("idn");
    let doc = json!({
        "id": id, "object": "phone_number", "phone_number": phone, "reserved_for_second_factor": false,
        "default_second_factor": false, "reserved": false, "verification": verification_admin(),
        "linked_to": [], "backup_codes": null, "created_at": ctx.now, "updated_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: PHONE,
            id: &id,
            created_at: ctx.now,
            parent: Some(user_id),
            r#ref: None,
        },
        &doc,
    )?;
    Ok(doc)
}

/// The stored user document, or 404.
pub(crate) fn load(ctx: &Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    store::get(ctx.tx, KIND, id)?.ok_or_else(ApiError::not_found)
}

/// The user as the API shows it: the stored document plus its email addresses and phone numbers.
pub(crate) fn render(tx: &rusqlite::Transaction<'_>, mut doc: Value) -> Result<Value, ApiError> {
    let id = doc["id"].as_str().unwrap_or_default().to_owned();
    doc["email_addresses"] = Value::Array(store::children(tx, EMAIL, &id)?);
    doc["phone_numbers"] = Value::Array(store::children(tx, PHONE, &id)?);
    strip_private(&mut doc);
    Ok(doc)
}

fn save(ctx: &mut Ctx<'_>, mut doc: Value, event: Option<&'static str>) -> HandlerResult {
    doc["updated_at"] = json!(ctx.now);
    let id = doc["id"].as_str().unwrap_or_default().to_owned();
    store::put(ctx.tx, KIND, &id, &doc)?;
    let out = render(ctx.tx, doc)?;
    if let Some(e) = event {
        ctx.emit(e, out.clone());
    }
    Ok(Reply::ok(out))
}

fn set_unique(
    ctx: &Ctx<'_>,
    kind: &str,
    param: &str,
    what: &str,
    old: Option<&str>,
    new: Option<&str>,
    owner: &str,
) -> Result<(), ApiError> {
    let norm = |s: &str| {
        if kind == "external_id" {
            s.to_owned()
        } else {
            s.to_lowercase()
        }
    };
    if let Some(n) = new
        && !store::claim(ctx.tx, kind, &norm(n), owner)?
    {
        return Err(ApiError::exists(param, what));
    }
    if let Some(o) = old
        && new.map(norm) != Some(norm(o))
    {
        store::release(ctx.tx, kind, &norm(o))?;
    }
    Ok(())
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let b = ctx.body;
    let id = ctx.id("user");
    let emails = b.strings("email_address")?;
    let phones = b.strings("phone_number")?;
    let username = b.str("username")?;
    if let Some(u) = username {
        check_username(u)?;
    }
    let password = b.str("password")?;
    if let Some(p) = password
        && b.bool("skip_password_checks")? != Some(true)
    {
        check_password(p)?;
    }
    let created_at = b.int("created_at")?.unwrap_or(ctx.now);
    for m in ["public_metadata", "private_metadata", "unsafe_metadata"] {
        b.object(m)?;
    }
    let mut doc = json!({
        "id": id, "object": "user",
        "external_id": b.str("external_id")?, "username": username.map(str::to_lowercase),
        "first_name": b.str("first_name")?, "last_name": b.str("last_name")?, "locale": b.str("locale")?,
        "primary_email_address_id": null, "primary_phone_number_id": null, "primary_web3_wallet_id": null,
        "profile_image_url": "https://img.clerk.com/emulator-default", "image_url": "https://img.clerk.com/emulator-default",
        "has_image": false,
        "public_metadata": b.object("public_metadata")?.unwrap_or_default(),
        "private_metadata": b.object("private_metadata")?.unwrap_or_default(),
        "unsafe_metadata": b.object("unsafe_metadata")?.unwrap_or_default(),
        "email_addresses": [], "phone_numbers": [], "web3_wallets": [], "passkeys": [],
        "password_enabled": password.is_some() || b.str("password_digest")?.is_some(),
        "two_factor_enabled": false, "totp_enabled": false, "backup_code_enabled": false,
        "mfa_enabled_at": null, "mfa_disabled_at": null, "password_last_updated_at": password.map(|_| ctx.now),
        "external_accounts": [], "saml_accounts": [], "enterprise_accounts": [],
        "last_sign_in_at": null, "banned": b.bool("banned")?.unwrap_or(false), "locked": b.bool("locked")?.unwrap_or(false),
        "lockout_expires_in_seconds": null, "verification_attempts_remaining": 100,
        "created_at": created_at, "updated_at": ctx.now,
        "delete_self_enabled": b.bool("delete_self_enabled")?.unwrap_or(true),
        "create_organization_enabled": b.bool("create_organization_enabled")?.unwrap_or(true),
        "create_organizations_limit": b.int("create_organizations_limit")?,
        "last_active_at": null, "legal_accepted_at": b.int("legal_accepted_at")?,
        "bypass_client_trust": b.bool("bypass_client_trust")?.unwrap_or(false),
    });
    if let Some(p) = password {
        doc["__password"] = json!(hash_password(ctx, p));
    }
    set_unique(ctx, "username", "username", "username", None, username, &id)?;
    set_unique(
        ctx,
        "external_id",
        "external_id",
        "external ID",
        None,
        b.str("external_id")?,
        &id,
    )?;
    store::insert(
        ctx.tx,
        &Row {
            kind: KIND,
            id: &id,
            created_at,
            parent: None,
            r#ref: None,
        },
        &doc,
    )?;
    for (i, e) in emails.iter().enumerate() {
        let ea = add_email(ctx, &id, e)?;
        if i == 0 {
            doc["primary_email_address_id"] = ea["id"].clone();
        }
        crate::resources::invitations::accept_for(ctx, &e.to_lowercase())?;
    }
    for (i, p) in phones.iter().enumerate() {
        let pn = add_phone(ctx, &id, p)?;
        if i == 0 {
            doc["primary_phone_number_id"] = pn["id"].clone();
        }
    }
    store::put(ctx.tx, KIND, &id, &doc)?;
    let out = render(ctx.tx, doc)?;
    ctx.emit("user.created", out.clone());
    for e in out["email_addresses"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        ctx.emit("email.created", crate::resources::email_event(&e, &out));
    }
    Ok(Reply::ok(out))
}

pub(crate) fn get(ctx: &mut Ctx<'_>) -> HandlerResult {
    let doc = load(ctx, ctx.param("user_id"))?;
    Ok(Reply::ok(render(ctx.tx, doc)?))
}

pub(crate) fn update(ctx: &mut Ctx<'_>) -> HandlerResult {
    let b = ctx.body;
    let mut doc = load(ctx, ctx.param("user_id"))?;
    let id = doc["id"].as_str().unwrap_or_default().to_owned();
    for f in ["first_name", "last_name", "locale"] {
        if let Some(v) = b.nullable_str(f)? {
            doc[f] = json!(v);
        }
    }
    if let Some(u) = b.nullable_str("username")? {
        if let Some(u) = u {
            check_username(u)?;
        }
        let old = doc["username"].as_str().map(str::to_owned);
        set_unique(
            ctx,
            "username",
            "username",
            "username",
            old.as_deref(),
            u,
            &id,
        )?;
        doc["username"] = json!(u.map(str::to_lowercase));
    }
    if let Some(x) = b.nullable_str("external_id")? {
        let old = doc["external_id"].as_str().map(str::to_owned);
        set_unique(
            ctx,
            "external_id",
            "external_id",
            "external ID",
            old.as_deref(),
            x,
            &id,
        )?;
        doc["external_id"] = json!(x);
    }
    for (field, kind) in [
        ("primary_email_address_id", EMAIL),
        ("primary_phone_number_id", PHONE),
    ] {
        if let Some(pid) = b.str(field)? {
            let owned = store::get(ctx.tx, kind, pid)?.is_some()
                && store::children(ctx.tx, kind, &id)?
                    .iter()
                    .any(|c| c["id"] == pid);
            if !owned {
                return Err(ApiError::invalid(field, "does not belong to this user").param(field));
            }
            doc[field] = json!(pid);
        }
    }
    if let Some(p) = b.str("password")? {
        if b.bool("skip_password_checks")? != Some(true) {
            check_password(p)?;
        }
        doc["__password"] = json!(hash_password(ctx, p));
        doc["password_enabled"] = json!(true);
        doc["password_last_updated_at"] = json!(ctx.now);
    }
    for m in ["public_metadata", "private_metadata", "unsafe_metadata"] {
        if let Some(v) = b.object(m)? {
            doc[m] = Value::Object(v);
        }
    }
    for f in [
        "delete_self_enabled",
        "create_organization_enabled",
        "bypass_client_trust",
    ] {
        if let Some(v) = b.bool(f)? {
            doc[f] = json!(v);
        }
    }
    for f in ["legal_accepted_at", "create_organizations_limit"] {
        if b.has(f) {
            doc[f] = json!(b.int(f)?);
        }
    }
    if let Some(t) = b.int("created_at")? {
        doc["created_at"] = json!(t);
        ctx.tx
            .execute(
                "UPDATE objects SET created_at = ?2 WHERE kind = 'user' AND id = ?1",
                rusqlite::params![id, t],
            )
            .map_err(ApiError::db)?;
    }
    save(ctx, doc, Some("user.updated"))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    let id = ctx.param("user_id").to_owned();
    let doc = load(ctx, &id)?;
    for kind in [EMAIL, PHONE] {
        ctx.tx
            .execute(
                "DELETE FROM objects WHERE kind = ?1 AND parent = ?2",
                rusqlite::params![kind, id],
            )
            .map_err(ApiError::db)?;
    }
    crate::resources::organizations::drop_user_memberships(ctx, &id)?;
    ctx.tx
        .execute(
            "DELETE FROM objects WHERE kind = 'session' AND parent = ?1",
            rusqlite::params![id],
        )
        .map_err(ApiError::db)?;
    store::release_all(ctx.tx, &id)?;
    store::delete(ctx.tx, KIND, &id)?;
    let d = deleted("user", &id);
    let _ = doc;
    ctx.emit("user.deleted", d.clone());
    Ok(Reply::ok(d))
}

fn flag(ctx: &mut Ctx<'_>, field: &str, value: bool) -> HandlerResult {
    let mut doc = load(ctx, ctx.param("user_id"))?;
    doc[field] = json!(value);
    if field == "locked" {
        doc["lockout_expires_in_seconds"] = Value::Null;
    }
    if field == "banned" && value {
        crate::resources::sessions::revoke_all_for_user(
            ctx,
            doc["id"].as_str().unwrap_or_default(),
        )?;
    }
    save(ctx, doc, Some("user.updated"))
}

pub(crate) fn ban(ctx: &mut Ctx<'_>) -> HandlerResult {
    flag(ctx, "banned", true)
}
pub(crate) fn unban(ctx: &mut Ctx<'_>) -> HandlerResult {
    flag(ctx, "banned", false)
}
pub(crate) fn lock(ctx: &mut Ctx<'_>) -> HandlerResult {
    flag(ctx, "locked", true)
}
pub(crate) fn unlock(ctx: &mut Ctx<'_>) -> HandlerResult {
    flag(ctx, "locked", false)
}

fn bulk(ctx: &mut Ctx<'_>, value: bool) -> HandlerResult {
    let ids = ctx.body.strings("user_ids")?;
    if ids.is_empty() {
        return Err(ApiError::missing("user_ids"));
    }
    if ids.len() > 100 {
        return Err(ApiError::value_invalid(
            "user_ids",
            "must contain at most 100 ids",
        ));
    }
    let mut out = Vec::new();
    for id in ids {
        let mut doc = load(ctx, &id)?;
        doc["banned"] = json!(value);
        if value {
            crate::resources::sessions::revoke_all_for_user(ctx, &id)?;
        }
        let Reply { body, .. } = save(ctx, doc, Some("user.updated"))?;
        out.push(body);
    }
    Ok(Reply::ok(Value::Array(out)))
}
pub(crate) fn bulk_ban(ctx: &mut Ctx<'_>) -> HandlerResult {
    bulk(ctx, true)
}
pub(crate) fn bulk_unban(ctx: &mut Ctx<'_>) -> HandlerResult {
    bulk(ctx, false)
}

fn metadata(ctx: &mut Ctx<'_>, merge: bool) -> HandlerResult {
    let mut doc = load(ctx, ctx.param("user_id"))?;
    for m in ["public_metadata", "private_metadata", "unsafe_metadata"] {
        if let Some(v) = ctx.body.object(m)? {
            if merge {
                merge_metadata(&mut doc[m], v);
            } else {
                doc[m] = Value::Object(v);
            }
        } else if !merge && ctx.body.has(m) {
            doc[m] = json!({});
        }
    }
    save(ctx, doc, Some("user.updated"))
}
pub(crate) fn update_metadata(ctx: &mut Ctx<'_>) -> HandlerResult {
    metadata(ctx, true)
}
pub(crate) fn replace_metadata(ctx: &mut Ctx<'_>) -> HandlerResult {
    metadata(ctx, false)
}

pub(crate) fn set_profile_image(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut doc = load(ctx, ctx.param("user_id"))?;
    if !ctx.body.has("__upload") {
        return Err(ApiError::missing("file"));
    }
    let url = format!("https://img.clerk.com/emulator/{}", ctx.app.ids.token(20));
    doc["image_url"] = json!(url);
    doc["profile_image_url"] = json!(url);
    doc["has_image"] = json!(true);
    save(ctx, doc, Some("user.updated"))
}

pub(crate) fn delete_profile_image(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut doc = load(ctx, ctx.param("user_id"))?;
    doc["image_url"] = json!("https://img.clerk.com/emulator-default");
    doc["profile_image_url"] = json!("https://img.clerk.com/emulator-default");
    doc["has_image"] = json!(false);
    save(ctx, doc, Some("user.updated"))
}

pub(crate) fn remove_password(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut doc = load(ctx, ctx.param("user_id"))?;
    if let Some(m) = doc.as_object_mut() {
        m.remove("__password");
    }
    doc["password_enabled"] = json!(false);
    save(ctx, doc, Some("user.updated"))
}

pub(crate) fn verify_password(ctx: &mut Ctx<'_>) -> HandlerResult {
    let doc = load(ctx, ctx.param("user_id"))?;
    let password = ctx.body.required_str("password")?;
    let Some(stored) = doc["__password"].as_str() else {
        return Err(ApiError::new(
            422,
            "password_not_set",
            "password not set",
            "This user has no password set.",
        )
        .param("password"));
    };
    if password_matches(stored, password) {
        Ok(Reply::ok(json!({"verified": true})))
    } else {
        Err(ApiError::new(
            422,
            "incorrect_password",
            "Password is incorrect.",
            "Password is incorrect. Try again, or use another method.",
        )
        .param("password"))
    }
}

/// The `WHERE` clause for `GET /users` and `GET /users/count`.
fn filters(ctx: &Ctx<'_>) -> Result<(Vec<String>, Vec<Sql>), ApiError> {
    let q = ctx.query;
    let mut w = vec!["o.kind = 'user'".to_owned()];
    let mut a: Vec<Sql> = Vec::new();
    let in_list = |w: &mut Vec<String>, a: &mut Vec<Sql>, sql: &str, vals: Vec<String>| {
        let marks = vec!["?"; vals.len()].join(",");
        w.push(sql.replace("(?)", &format!("({marks})")));
        a.extend(vals.into_iter().map(Sql::Text));
    };
    let list = |n: &str| q.all(n).into_iter().map(str::to_owned).collect::<Vec<_>>();
    let lower = |n: &str| {
        q.all(n)
            .into_iter()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    for (param, kind, vals) in [
        ("email_address", "email", lower("email_address")),
        ("phone_number", "phone", list("phone_number")),
        ("username", "username", lower("username")),
        ("external_id", "external_id", list("external_id")),
    ] {
        let _ = param;
        if !vals.is_empty() {
            in_list(
                &mut w,
                &mut a,
                &format!(
                    "o.id IN (SELECT owner FROM idents WHERE kind = '{kind}' AND value IN (?))"
                ),
                vals,
            );
        }
    }
    let ids = list("user_id");
    if !ids.is_empty() {
        in_list(&mut w, &mut a, "o.id IN (?)", ids);
    }
    let orgs = list("organization_id");
    if !orgs.is_empty() {
        in_list(
            &mut w,
            &mut a,
            "o.id IN (SELECT ref FROM objects INDEXED BY objects_parent WHERE kind = 'membership' AND parent IN (?))",
            orgs,
        );
    }
    if !q.all("web3_wallet").is_empty()
        || q.get("provider").is_some()
        || q.get("provider_user_id").is_some()
    {
        // No user has web3 wallets or external accounts in the emulator.
        w.push("0".to_owned());
    }
    let like = |s: &str| {
        format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    };
    let ident_like = |kinds: &str| {
        format!(
            "o.id IN (SELECT owner FROM idents WHERE kind IN ({kinds}) AND value LIKE ? ESCAPE '\\')"
        )
    };
    let name_like = "(json_extract(o.doc, '$.first_name') LIKE ?1x ESCAPE '\\' OR json_extract(o.doc, '$.last_name') LIKE ?1x ESCAPE '\\' OR (coalesce(json_extract(o.doc, '$.first_name'), '') || ' ' || coalesce(json_extract(o.doc, '$.last_name'), '')) LIKE ?1x ESCAPE '\\')";
    if let Some(s) = q.get("query").filter(|s| !s.is_empty()) {
        let n = like(s);
        w.push(format!(
            "({} OR {} OR o.id = ?)",
            ident_like("'email','phone','username','external_id'"),
            name_like.replace("?1x", "?")
        ));
        a.push(Sql::Text(n.clone()));
        for _ in 0..3 {
            a.push(Sql::Text(n.clone()));
        }
        a.push(Sql::Text(s.to_owned()));
    }
    for (p, kinds) in [
        ("email_address_query", "'email'"),
        ("phone_number_query", "'phone'"),
        ("username_query", "'username'"),
    ] {
        if let Some(s) = q.get(p).filter(|s| !s.is_empty()) {
            w.push(ident_like(kinds));
            a.push(Sql::Text(like(s)));
        }
    }
    if let Some(s) = q.get("name_query").filter(|s| !s.is_empty()) {
        w.push(name_like.replace("?1x", "?"));
        for _ in 0..3 {
            a.push(Sql::Text(like(s)));
        }
    }
    if let Some(b) = q.bool("banned")? {
        w.push(format!(
            "json_extract(o.doc, '$.banned') = {}",
            i32::from(b)
        ));
    }
    for (p, field, op) in [
        ("last_active_at_before", "last_active_at", "<"),
        ("last_active_at_after", "last_active_at", ">"),
        ("last_active_at_since", "last_active_at", ">="),
        ("created_at_before", "created_at", "<"),
        ("created_at_after", "created_at", ">"),
        ("last_sign_in_at_before", "last_sign_in_at", "<"),
        ("last_sign_in_at_after", "last_sign_in_at", ">"),
    ] {
        if let Some(t) = q.int(p)? {
            if field == "created_at" {
                w.push(format!("o.created_at {op} ?"));
            } else {
                w.push(format!("json_extract(o.doc, '$.{field}') {op} ?"));
            }
            a.push(Sql::Integer(t));
        }
    }
    Ok((w, a))
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let (limit, offset) = ctx.query.page()?;
    let (mut w, mut a) = filters(ctx)?;
    let order_param = ctx.query.get("order_by").unwrap_or("-created_at");
    let order = order_by(order_param)?;
    if let Some(cursor) = ctx.query.get("starting_after") {
        // Cursor pagination is defined over created_at only (unique with seq, immutable).
        let desc = match order_param {
            "-created_at" => true,
            "created_at" | "+created_at" => false,
            _ => {
                return Err(ApiError::value_invalid(
                    "order_by",
                    "must order by created_at when starting_after is given",
                ));
            }
        };
        if offset != 0 {
            return Err(ApiError::value_invalid(
                "offset",
                "cannot be combined with starting_after",
            ));
        }
        let (c, seq): (i64, i64) = ctx
            .tx
            .query_row(
                "SELECT created_at, seq FROM objects WHERE kind = 'user' AND id = ?1",
                [cursor],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|_| ApiError::value_invalid("starting_after", "is not the id of a user"))?;
        w.push(format!(
            "(o.created_at, o.seq) {} (?, ?)",
            if desc { "<" } else { ">" }
        ));
        a.push(Sql::Integer(c));
        a.push(Sql::Integer(seq));
    }
    // With a selective filter (ids, identifiers, organizations), drive the query from it and
    // sort the few matches; otherwise walk the created_at index. (`+` keeps SQLite's planner
    // from scanning every user in index order to find a handful.)
    let selective = [
        "email_address",
        "phone_number",
        "username",
        "external_id",
        "user_id",
        "organization_id",
    ]
    .iter()
    .any(|p| ctx.query.get(p).is_some());
    let order = if selective {
        order
            .replace("o.created_at", "+o.created_at")
            .replace("o.seq", "+o.seq")
    } else {
        order
    };
    let sql = list_sql(&w, &order);
    a.push(Sql::Integer(limit));
    a.push(Sql::Integer(offset));
    let params: Vec<&dyn rusqlite::ToSql> = a.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    let docs = store::query_docs(ctx.tx, &sql, &params)?;
    let out = docs
        .into_iter()
        .map(|d| render(ctx.tx, d))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::ok(Value::Array(out)))
}

pub(crate) fn count(ctx: &mut Ctx<'_>) -> HandlerResult {
    let (w, a) = filters(ctx)?;
    let sql = format!("SELECT count(*) FROM objects o WHERE {}", w.join(" AND "));
    let params: Vec<&dyn rusqlite::ToSql> = a.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    let n = store::count(ctx.tx, &sql, &params)?;
    Ok(Reply::ok(
        json!({"object": "total_count", "total_count": n}),
    ))
}

/// `order_by` of `GET /users`: `[+-]field`, default descending `created_at`.
fn order_by(s: &str) -> Result<String, ApiError> {
    let (dir, field) = match s.as_bytes().first() {
        Some(b'-') => ("DESC", &s[1..]),
        Some(b'+') => ("ASC", &s[1..]),
        _ => ("ASC", s),
    };
    let expr = match field {
        "created_at" => "o.created_at".to_owned(),
        "updated_at" | "first_name" | "last_name" | "username" | "last_active_at"
        | "last_sign_in_at" => {
            format!("json_extract(o.doc, '$.{field}')")
        }
        "email_address" => {
            "(SELECT min(value) FROM idents i WHERE i.owner = o.id AND i.kind = 'email')".to_owned()
        }
        "phone_number" => {
            "(SELECT min(value) FROM idents i WHERE i.owner = o.id AND i.kind = 'phone')".to_owned()
        }
        "web3wallet" => "o.seq".to_owned(),
        _ => {
            return Err(ApiError::value_invalid(
                "order_by",
                format!("'{field}' is not a valid field to order by"),
            ));
        }
    };
    Ok(format!("{expr} {dir}, o.seq {dir}"))
}

/// `GET /users/{id}/organization_memberships`.
pub(crate) fn organization_memberships(ctx: &mut Ctx<'_>) -> HandlerResult {
    let id = ctx.param("user_id").to_owned();
    load(ctx, &id)?;
    crate::resources::organizations::memberships_page(
        ctx,
        "o.kind = 'membership' AND o.ref = ?",
        vec![Sql::Text(id)],
    )
}

/// Email addresses: `POST/GET/PATCH/DELETE /email_addresses…`.
pub(crate) mod email_addresses {
    use super::*;

    fn owner(ctx: &Ctx<'_>, kind: &str, id: &str) -> Result<(Value, String), ApiError> {
        let doc = store::get(ctx.tx, kind, id)?.ok_or_else(ApiError::not_found)?;
        let parent: String = ctx
            .tx
            .query_row(
                "SELECT parent FROM objects WHERE kind = ?1 AND id = ?2",
                rusqlite::params![kind, id],
                |r| r.get(0),
            )
            .map_err(ApiError::db)?;
        Ok((doc, parent))
    }

    fn create_for(ctx: &mut Ctx<'_>, kind: &str) -> HandlerResult {
        let user_id = ctx.body.required_str("user_id")?.to_owned();
        let mut user = load(ctx, &user_id)?;
        let (field, primary_field) = if kind == EMAIL {
            ("email_address", "primary_email_address_id")
        } else {
            ("phone_number", "primary_phone_number_id")
        };
        let value = ctx.body.required_str(field)?.to_owned();
        let doc = if kind == EMAIL {
            add_email(ctx, &user_id, &value)?
        } else {
            add_phone(ctx, &user_id, &value)?
        };
        if ctx.body.bool("primary")? == Some(true) || user[primary_field].is_null() {
            user[primary_field] = doc["id"].clone();
        }
        let Reply { body: u, .. } = save(ctx, user, Some("user.updated"))?;
        if kind == EMAIL {
            crate::resources::invitations::accept_for(ctx, &value.to_lowercase())?;
            ctx.emit("email.created", crate::resources::email_event(&doc, &u));
        }
        Ok(Reply::ok(doc))
    }

    fn get_of(ctx: &mut Ctx<'_>, kind: &str, param: &str) -> HandlerResult {
        Ok(Reply::ok(owner(ctx, kind, ctx.param(param))?.0))
    }

    fn update_of(ctx: &mut Ctx<'_>, kind: &str, param: &str) -> HandlerResult {
        let id = ctx.param(param).to_owned();
        let (mut doc, user_id) = owner(ctx, kind, &id)?;
        if kind == PHONE {
            for f in ["reserved_for_second_factor", "default_second_factor"] {
                if let Some(v) = ctx.body.bool(f)? {
                    doc[f] = json!(v);
                }
            }
        }
        doc["updated_at"] = json!(ctx.now);
        store::put(ctx.tx, kind, &id, &doc)?;
        let primary_field = if kind == EMAIL {
            "primary_email_address_id"
        } else {
            "primary_phone_number_id"
        };
        if ctx.body.bool("primary")? == Some(true) {
            let mut user = load(ctx, &user_id)?;
            user[primary_field] = json!(id);
            save(ctx, user, Some("user.updated"))?;
        }
        Ok(Reply::ok(doc))
    }

    fn delete_of(ctx: &mut Ctx<'_>, kind: &str, param: &str, object: &str) -> HandlerResult {
        let id = ctx.param(param).to_owned();
        let (doc, user_id) = owner(ctx, kind, &id)?;
        let (ident_kind, field, primary_field) = if kind == EMAIL {
            ("email", "email_address", "primary_email_address_id")
        } else {
            ("phone", "phone_number", "primary_phone_number_id")
        };
        store::release(ctx.tx, ident_kind, doc[field].as_str().unwrap_or_default())?;
        store::delete(ctx.tx, kind, &id)?;
        let mut user = load(ctx, &user_id)?;
        if user[primary_field] == json!(id) {
            let rest = store::children(ctx.tx, kind, &user_id)?;
            user[primary_field] = rest.first().map_or(Value::Null, |d| d["id"].clone());
        }
        save(ctx, user, Some("user.updated"))?;
        Ok(Reply::ok(deleted(object, &id)))
    }

    pub(crate) fn create(ctx: &mut Ctx<'_>) -> HandlerResult {
        create_for(ctx, EMAIL)
    }
    pub(crate) fn get(ctx: &mut Ctx<'_>) -> HandlerResult {
        get_of(ctx, EMAIL, "email_address_id")
    }
    pub(crate) fn update(ctx: &mut Ctx<'_>) -> HandlerResult {
        update_of(ctx, EMAIL, "email_address_id")
    }
    pub(crate) fn delete(ctx: &mut Ctx<'_>) -> HandlerResult {
        delete_of(ctx, EMAIL, "email_address_id", "email_address")
    }
    pub(crate) fn create_phone(ctx: &mut Ctx<'_>) -> HandlerResult {
        create_for(ctx, PHONE)
    }
    pub(crate) fn get_phone(ctx: &mut Ctx<'_>) -> HandlerResult {
        get_of(ctx, PHONE, "phone_number_id")
    }
    pub(crate) fn update_phone(ctx: &mut Ctx<'_>) -> HandlerResult {
        update_of(ctx, PHONE, "phone_number_id")
    }
    pub(crate) fn delete_phone(ctx: &mut Ctx<'_>) -> HandlerResult {
        delete_of(ctx, PHONE, "phone_number_id", "phone_number")
    }
}
