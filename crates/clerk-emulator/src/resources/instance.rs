//! Instance-level lists and one-off tokens: allowlist/blocklist identifiers, redirect URLs,
//! sign-in tokens, testing tokens and actor tokens.

use crate::error::ApiError;
use crate::request::{Ctx, HandlerResult, Reply};
use crate::resources::{deleted, paged};
use crate::store::{self, Row};
use serde_json::{Value, json};

fn identifier_type(id: &str) -> Result<&'static str, ApiError> {
    if id.contains('@') {
        Ok("email_address")
    } else if id.starts_with('+') && id[1..].bytes().all(|b| b.is_ascii_digit()) && id.len() > 7 {
        Ok("phone_number")
    } else if id.starts_with("0x") && id.len() == 42 {
        Ok("web3_wallet")
    } else {
        Err(ApiError::invalid(
            "identifier",
            "must be an email address, a phone number or a web3 wallet",
        ))
    }
}

fn list_kind(ctx: &Ctx<'_>, kind: &str) -> Result<Vec<Value>, ApiError> {
    store::query_docs(
        ctx.tx,
        "SELECT doc FROM objects WHERE kind = ?1 ORDER BY seq",
        &[&kind],
    )
}

fn page(ctx: &Ctx<'_>, items: Vec<Value>) -> Result<(Vec<Value>, i64), ApiError> {
    let (limit, offset) = ctx.query.page()?;
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let data = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok((data, total))
}

fn create_identifier(
    ctx: &mut Ctx<'_>,
    kind: &'static str,
    object: &str,
) -> Result<Value, ApiError> {
    let ident = ctx.body.required_str("identifier")?.to_lowercase();
    let t = identifier_type(&ident)?;
    let id = ctx.id(if kind == "allowlist" { "alid" } else { "blid" });
    if !store::claim(ctx.tx, kind, &ident, &id)? {
        return Err(ApiError::new(
            422,
            "duplicate_record",
            "duplicate identifier",
            "This identifier is already on the list.",
        )
        .param("identifier"));
    }
    let doc = json!({
        "object": object, "id": id, "identifier": ident, "identifier_type": t,
        "instance_id": "ins_emulator", "created_at": ctx.now, "updated_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind,
            id: &id,
            created_at: ctx.now,
            parent: None,
            r#ref: None,
        },
        &doc,
    )?;
    Ok(doc)
}

fn delete_identifier(ctx: &mut Ctx<'_>, kind: &str, object: &str) -> HandlerResult {
    let id = ctx.param("identifier_id").to_owned();
    let doc = store::get(ctx.tx, kind, &id)?.ok_or_else(ApiError::not_found)?;
    store::release(ctx.tx, kind, doc["identifier"].as_str().unwrap_or_default())?;
    store::delete(ctx.tx, kind, &id)?;
    Ok(Reply::ok(deleted(object, &id)))
}

pub(crate) fn allowlist_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let (data, total) = page(ctx, list_kind(ctx, "allowlist")?)?;
    paged(ctx, data, total)
}
pub(crate) fn allowlist_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    Ok(Reply::ok(create_identifier(
        ctx,
        "allowlist",
        "allowlist_identifier",
    )?))
}
pub(crate) fn allowlist_delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    delete_identifier(ctx, "allowlist", "allowlist_identifier")
}
pub(crate) fn blocklist_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let all = list_kind(ctx, "blocklist")?;
    let total = all.len();
    Ok(Reply::ok(json!({"data": all, "total_count": total})))
}
pub(crate) fn blocklist_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    Ok(Reply::ok(create_identifier(
        ctx,
        "blocklist",
        "blocklist_identifier",
    )?))
}
pub(crate) fn blocklist_delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    delete_identifier(ctx, "blocklist", "blocklist_identifier")
}

pub(crate) fn redirect_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let (data, total) = page(ctx, list_kind(ctx, "redirect_url")?)?;
    paged(ctx, data, total)
}
pub(crate) fn redirect_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let url = ctx.body.required_str("url")?.to_owned();
    if !url.contains("://") {
        return Err(ApiError::invalid("url", "must be a URL with a scheme"));
    }
    let id = ctx.id("ru");
    if !store::claim(ctx.tx, "redirect_url", &url, &id)? {
        return Err(ApiError::new(
            422,
            "duplicate_record",
            "duplicate redirect URL",
            "This redirect URL already exists.",
        )
        .param("url"));
    }
    let doc = json!({"object": "redirect_url", "id": id, "url": url, "created_at": ctx.now, "updated_at": ctx.now});
    store::insert(
        ctx.tx,
        &Row {
            kind: "redirect_url",
            id: &id,
            created_at: ctx.now,
            parent: None,
            r#ref: None,
        },
        &doc,
    )?;
    Ok(Reply::ok(doc))
}
pub(crate) fn redirect_get(ctx: &mut Ctx<'_>) -> HandlerResult {
    Ok(Reply::ok(
        store::get(ctx.tx, "redirect_url", ctx.param("id"))?.ok_or_else(ApiError::not_found)?,
    ))
}
pub(crate) fn redirect_delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    let id = ctx.param("id").to_owned();
    let doc = store::get(ctx.tx, "redirect_url", &id)?.ok_or_else(ApiError::not_found)?;
    store::release(
        ctx.tx,
        "redirect_url",
        doc["url"].as_str().unwrap_or_default(),
    )?;
    store::delete(ctx.tx, "redirect_url", &id)?;
    Ok(Reply::ok(deleted("redirect_url", &id)))
}

fn expiry(ctx: &Ctx<'_>, default_s: i64) -> Result<i64, ApiError> {
    let s = ctx.body.int("expires_in_seconds")?.unwrap_or(default_s);
    if s <= 0 || s > 315_360_000 {
        return Err(ApiError::value_invalid(
            "expires_in_seconds",
            "must be between 1 and 315360000",
        ));
    }
    Ok(s)
}

/// A ticket as Clerk issues them: a signed JWT naming the object it redeems.
fn ticket(ctx: &Ctx<'_>, id: &str, exp_s: i64) -> String {
    let header = json!({"alg": "RS256", "kid": ctx.app.key.kid, "typ": "JWT"});
    let iat = ctx.now / 1000;
    ctx.app.key.sign(&header, &json!({"sid": id, "iat": iat, "exp": iat + exp_s, "iss": ctx.app.issuer, "jti": ctx.app.ids.token(20)}))
}

pub(crate) fn sign_in_token_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let user_id = ctx.body.required_str("user_id")?.to_owned();
    crate::resources::users::load(ctx, &user_id)?;
    let exp = expiry(ctx, 30 * 24 * 3600)?;
    let id = ctx.id("sit");
    let token = ticket(ctx, &id, exp);
    let doc = json!({
        "object": "sign_in_token", "id": id, "status": "pending", "user_id": user_id, "token": token,
        "url": format!("{}/sign-in?__clerk_ticket={token}", ctx.app.issuer), "created_at": ctx.now, "updated_at": ctx.now,
        "__expires_at": ctx.now + exp * 1000,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: "sign_in_token",
            id: &id,
            created_at: ctx.now,
            parent: Some(&user_id),
            r#ref: None,
        },
        &doc,
    )?;
    let mut out = doc;
    crate::resources::strip_private(&mut out);
    Ok(Reply::ok(out))
}

fn revoke_ticket(ctx: &mut Ctx<'_>, kind: &str, param: &str) -> HandlerResult {
    let id = ctx.param(param).to_owned();
    let mut doc = store::get(ctx.tx, kind, &id)?.ok_or_else(ApiError::not_found)?;
    if doc["status"] != "pending" {
        return Err(ApiError::bad_request(
            "token_not_pending",
            "Only pending tokens can be revoked.",
        ));
    }
    doc["status"] = json!("revoked");
    doc["updated_at"] = json!(ctx.now);
    store::put(ctx.tx, kind, &id, &doc)?;
    crate::resources::strip_private(&mut doc);
    if let Some(m) = doc.as_object_mut() {
        m.remove("token");
        m.remove("url");
    }
    Ok(Reply::ok(doc))
}

pub(crate) fn sign_in_token_revoke(ctx: &mut Ctx<'_>) -> HandlerResult {
    revoke_ticket(ctx, "sign_in_token", "sign_in_token_id")
}

pub(crate) fn testing_token_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    // Testing tokens bypass bot protection for an hour.
    Ok(Reply::ok(json!({
        "object": "testing_token",
        "token": format!("{}-{}", ctx.app.ids.token(20), ctx.app.ids.token(10)),
        "expires_at": ctx.now / 1000 + 3600,
    })))
}

pub(crate) fn actor_token_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let user_id = ctx.body.required_str("user_id")?.to_owned();
    crate::resources::users::load(ctx, &user_id)?;
    let actor = ctx
        .body
        .object("actor")?
        .ok_or_else(|| ApiError::missing("actor"))?;
    if !actor.get("sub").is_some_and(Value::is_string) {
        return Err(ApiError::missing("actor.sub").param("actor"));
    }
    let exp = expiry(ctx, 3600)?;
    let id = ctx.id("act");
    let token = ticket(ctx, &id, exp);
    let doc = json!({
        "object": "actor_token", "id": id, "status": "pending", "user_id": user_id, "actor": actor,
        "token": token, "url": format!("{}/sign-in?__clerk_ticket={token}", ctx.app.issuer),
        "created_at": ctx.now, "updated_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: "actor_token",
            id: &id,
            created_at: ctx.now,
            parent: Some(&user_id),
            r#ref: None,
        },
        &doc,
    )?;
    Ok(Reply::ok(doc))
}

pub(crate) fn actor_token_revoke(ctx: &mut Ctx<'_>) -> HandlerResult {
    revoke_ticket(ctx, "actor_token", "actor_token_id")
}
