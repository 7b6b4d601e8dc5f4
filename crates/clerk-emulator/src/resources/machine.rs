//! API keys and M2M tokens: opaque secrets (`ak_…`, `mt_…`) stored only as SHA-256 digests,
//! verified by the API's verify operations.

use crate::error::ApiError;
use crate::request::{Ctx, HandlerResult, Reply};
use crate::store::{self, Row};
use serde_json::{Value, json};

const API_KEY: &str = "api_key";
const M2M: &str = "m2m_token";
/// The machine an instance secret key acts as when it mints M2M tokens.
const MACHINE: &str = "mch_emulatormachine000000000000";

fn digest(secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        secret.as_bytes(),
    ))
}

/// `expired` follows the clock; fields the API shows are derived, never stored stale.
fn render(ctx: &Ctx<'_>, mut d: Value) -> Value {
    let expired = d["expiration"].as_i64().is_some_and(|e| e <= ctx.now);
    d["expired"] = json!(expired);
    crate::resources::strip_private(&mut d);
    d
}

fn by_secret(ctx: &Ctx<'_>, kind: &str, secret: &str) -> Result<Option<Value>, ApiError> {
    match store::owner_of(ctx.tx, &format!("{kind}_secret"), &digest(secret))? {
        Some(id) => store::get(ctx.tx, kind, &id),
        None => Ok(None),
    }
}

fn expiration(ctx: &Ctx<'_>, field: &str) -> Result<Option<i64>, ApiError> {
    match ctx.body.0.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            // At most ten years, as for session tokens: keeps the arithmetic in range.
            Some(s) if s > 0.0 && s <= 315_360_000.0 => Ok(Some(ctx.now + (s * 1000.0) as i64)),
            _ => Err(ApiError::value_invalid(
                field,
                "must be between 1 and 315360000 seconds",
            )),
        },
    }
}

/// `description` is at most 255 characters; `created_by` is a user id.
fn check_fields(ctx: &Ctx<'_>) -> Result<(), ApiError> {
    if ctx
        .body
        .str("description")?
        .is_some_and(|d| d.chars().count() > 255)
    {
        return Err(ApiError::value_invalid(
            "description",
            "must be at most 255 characters",
        ));
    }
    if let Some(c) = ctx.body.str("created_by")? {
        let ok = c.strip_prefix("user_").is_some_and(|r| {
            r.len() == 27 && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        if !ok {
            return Err(ApiError::value_invalid("created_by", "must be a user id"));
        }
    }
    Ok(())
}

/// API keys belong to a user, an organization or a machine (`user_…`, `org_…`, `mch_…`).
fn check_subject(s: &str) -> Result<(), ApiError> {
    let ok = ["user_", "org_", "mch_"].iter().any(|p| {
        s.strip_prefix(p).is_some_and(|rest| {
            rest.len() == 27 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::value_invalid(
            "subject",
            "must be a user_, org_ or mch_ id",
        ))
    }
}

pub(crate) fn api_key_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let name = ctx.body.required_str("name")?.to_owned();
    let subject = ctx.body.required_str("subject")?.to_owned();
    check_subject(&subject)?;
    check_fields(ctx)?;
    let id = ctx.app.ids.hex_id("ak", 32);
    let secret = format!("ak_{}", ctx.app.ids.token(40));
    let d = json!({
        "object": "api_key", "id": id, "type": ctx.body.str("type")?.unwrap_or("api_key"), "subject": subject,
        "name": name, "description": ctx.body.str("description")?, "claims": ctx.body.object("claims")?,
        "scopes": ctx.body.strings("scopes")?, "revoked": false, "revocation_reason": null, "expired": false,
        "expiration": expiration(ctx, "seconds_until_expiration")?, "created_by": ctx.body.str("created_by")?,
        "last_used_at": null, "created_at": ctx.now, "updated_at": ctx.now, "__secret": secret,
    });
    store::claim(ctx.tx, "api_key_secret", &digest(&secret), &id)?;
    store::insert(
        ctx.tx,
        &Row {
            kind: API_KEY,
            id: &id,
            created_at: ctx.now,
            parent: Some(&subject),
            r#ref: None,
        },
        &d,
    )?;
    let mut out = render(ctx, d);
    out["secret"] = json!(secret);
    Ok(Reply::ok(out))
}

fn api_key_load(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    store::get(ctx.tx, API_KEY, ctx.param("apiKeyID"))?.ok_or_else(ApiError::not_found)
}

pub(crate) fn api_key_get(ctx: &mut Ctx<'_>) -> HandlerResult {
    let d = api_key_load(ctx)?;
    Ok(Reply::ok(render(ctx, d)))
}

pub(crate) fn api_key_secret(ctx: &mut Ctx<'_>) -> HandlerResult {
    let d = api_key_load(ctx)?;
    Ok(Reply::ok(json!({"secret": d["__secret"]})))
}

pub(crate) fn api_key_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let subject = ctx
        .query
        .get("subject")
        .ok_or_else(|| ApiError::missing("subject"))?
        .to_owned();
    let (limit, offset) = ctx.query.page()?;
    let include_invalid = ctx.query.bool("include_invalid")?.unwrap_or(false);
    let q = ctx.query.get("query").map(str::to_lowercase);
    let all: Vec<Value> = store::children(ctx.tx, API_KEY, &subject)?
        .into_iter()
        .rev()
        .map(|d| render(ctx, d))
        .filter(|d| include_invalid || (d["revoked"] == false && d["expired"] == false))
        .filter(|d| {
            q.as_deref().is_none_or(|q| {
                d["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(q)
            })
        })
        .collect();
    let total = all.len();
    let data: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(Reply::ok(json!({"data": data, "total_count": total})))
}

pub(crate) fn api_key_update(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut d = api_key_load(ctx)?;
    check_fields(ctx)?;
    if ctx.body.has("claims") {
        d["claims"] = json!(ctx.body.object("claims")?);
    }
    if ctx.body.has("scopes") {
        d["scopes"] = json!(ctx.body.strings("scopes")?);
    }
    if let Some(x) = ctx.body.nullable_str("description")? {
        d["description"] = json!(x);
    }
    if let Some(s) = ctx.body.str("subject")? {
        check_subject(s)?;
        d["subject"] = json!(s);
    }
    if let Some(e) = expiration(ctx, "seconds_until_expiration")? {
        d["expiration"] = json!(e);
    }
    d["updated_at"] = json!(ctx.now);
    store::put(ctx.tx, API_KEY, d["id"].as_str().unwrap_or_default(), &d)?;
    Ok(Reply::ok(render(ctx, d)))
}

pub(crate) fn api_key_revoke(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut d = api_key_load(ctx)?;
    d["revoked"] = json!(true);
    d["revocation_reason"] = json!(ctx.body.str("revocation_reason")?);
    d["updated_at"] = json!(ctx.now);
    store::put(ctx.tx, API_KEY, d["id"].as_str().unwrap_or_default(), &d)?;
    Ok(Reply::ok(render(ctx, d)))
}

pub(crate) fn api_key_delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    let d = api_key_load(ctx)?;
    let id = d["id"].as_str().unwrap_or_default().to_owned();
    store::release(
        ctx.tx,
        "api_key_secret",
        &digest(d["__secret"].as_str().unwrap_or_default()),
    )?;
    store::delete(ctx.tx, API_KEY, &id)?;
    Ok(Reply::ok(
        json!({"id": id, "object": "api_key", "deleted": true}),
    ))
}

fn touch(ctx: &Ctx<'_>, kind: &str, mut d: Value) -> Result<Value, ApiError> {
    d["last_used_at"] = json!(ctx.now);
    store::put(ctx.tx, kind, d["id"].as_str().unwrap_or_default(), &d)?;
    Ok(d)
}

pub(crate) fn api_key_verify(ctx: &mut Ctx<'_>) -> HandlerResult {
    let secret = ctx.body.required_str("secret")?.to_owned();
    let d = by_secret(ctx, API_KEY, &secret)?.ok_or_else(ApiError::not_found)?;
    let d = touch(ctx, API_KEY, d)?;
    Ok(Reply::ok(render(ctx, d)))
}

pub(crate) fn m2m_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    if let Some(f) = ctx.body.str("token_format")?
        && f != "opaque"
    {
        return Err(ApiError::value_invalid(
            "token_format",
            "only opaque M2M tokens are supported by clerk-emulator",
        ));
    }
    let id = ctx.app.ids.hex_id("mt", 32);
    let token = format!("mt_{}", ctx.app.ids.token(40));
    let exp = expiration(ctx, "seconds_until_expiration")?;
    let d = json!({
        "object": "machine_to_machine_token", "id": id, "subject": MACHINE,
        "claims": ctx.body.value_or_null("claims"), "scopes": [], "revoked": false,
        "revocation_reason": null, "expired": false, "expiration": exp, "last_used_at": null,
        "created_at": ctx.now, "updated_at": ctx.now,
    });
    store::claim(ctx.tx, "m2m_token_secret", &digest(&token), &id)?;
    store::insert(
        ctx.tx,
        &Row {
            kind: M2M,
            id: &id,
            created_at: ctx.now,
            parent: Some(MACHINE),
            r#ref: None,
        },
        &d,
    )?;
    let mut out = render(ctx, d);
    out["token"] = json!(token);
    Ok(Reply {
        status: 201,
        body: out,
    })
}

pub(crate) fn m2m_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let subject = ctx
        .query
        .get("subject")
        .ok_or_else(|| ApiError::missing("subject"))?
        .to_owned();
    let (limit, offset) = ctx.query.page()?;
    let revoked = ctx.query.bool("revoked")?;
    let expired = ctx.query.bool("expired")?;
    let all: Vec<Value> = store::children(ctx.tx, M2M, &subject)?
        .into_iter()
        .rev()
        .map(|d| render(ctx, d))
        .filter(|d| revoked.is_none_or(|r| d["revoked"] == r))
        .filter(|d| expired.is_none_or(|e| d["expired"] == e))
        .collect();
    let total = all.len();
    let data: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(Reply::ok(json!({"m2m_tokens": data, "total_count": total})))
}

pub(crate) fn m2m_revoke(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut d =
        store::get(ctx.tx, M2M, ctx.param("m2m_token_id"))?.ok_or_else(ApiError::not_found)?;
    d["revoked"] = json!(true);
    d["revocation_reason"] = json!(ctx.body.str("revocation_reason")?);
    d["updated_at"] = json!(ctx.now);
    store::put(ctx.tx, M2M, d["id"].as_str().unwrap_or_default(), &d)?;
    Ok(Reply::ok(render(ctx, d)))
}

pub(crate) fn m2m_verify(ctx: &mut Ctx<'_>) -> HandlerResult {
    let token = ctx.body.required_str("token")?.to_owned();
    let d = by_secret(ctx, M2M, &token)?.ok_or_else(ApiError::not_found)?;
    let d = touch(ctx, M2M, d)?;
    Ok(Reply::ok(render(ctx, d)))
}
