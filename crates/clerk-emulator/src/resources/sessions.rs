//! Sessions, clients, session tokens, JWT templates and the JWKS.

use crate::error::ApiError;
use crate::request::{Ctx, HandlerResult, Reply};
use crate::resources::{deleted, list_sql, paged};
use crate::store::{self, Row};
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value, json};

const KIND: &str = "session";
const CLIENT: &str = "client";
const TEMPLATE: &str = "jwt_template";
/// Session lifetime (Clerk's default: 7 days) and inactivity abandon time (30 days).
const EXPIRE_MS: i64 = 7 * 24 * 3600 * 1000;
const ABANDON_MS: i64 = 30 * 24 * 3600 * 1000;
/// Default session-token lifetime.
const TOKEN_SECONDS: i64 = 60;

/// The session as shown: `active` turns `expired` once the clock passes `expire_at`.
fn render(now: i64, mut s: Value) -> Value {
    if s["status"] == "active" && s["expire_at"].as_i64().is_some_and(|e| e <= now) {
        s["status"] = json!("expired");
    }
    s
}

fn load(ctx: &Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    store::get(ctx.tx, KIND, id)?
        .map(|s| render(ctx.now, s))
        .ok_or_else(ApiError::not_found)
}

pub(crate) fn jwks(ctx: &mut Ctx<'_>) -> HandlerResult {
    Ok(Reply::ok(ctx.app.key.jwks()))
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let user_id = ctx.body.required_str("user_id")?.to_owned();
    let user = crate::resources::users::load(ctx, &user_id)?;
    if user["banned"] == true {
        return Err(ApiError::new(
            403,
            "user_banned",
            "user is banned",
            "This user is banned and cannot sign in.",
        ));
    }
    let org = ctx.body.str("active_organization_id")?.map(str::to_owned);
    if let Some(o) = &org
        && crate::resources::organizations::membership(ctx, o, &user_id)?.is_none()
    {
        return Err(ApiError::value_invalid(
            "active_organization_id",
            "is not an organization this user is a member of",
        ));
    }
    let client_id = ctx.id("client");
    let id = ctx.id("sess");
    let session = json!({
        "object": "session", "id": id, "user_id": user_id, "client_id": client_id, "actor": null,
        "status": "active", "last_active_organization_id": org, "last_active_at": ctx.now,
        "expire_at": ctx.now + EXPIRE_MS, "abandon_at": ctx.now + ABANDON_MS,
        "updated_at": ctx.now, "created_at": ctx.now, "tasks": null,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: KIND,
            id: &id,
            created_at: ctx.now,
            parent: Some(&user_id),
            r#ref: Some(&client_id),
        },
        &session,
    )?;
    let client = json!({
        "object": "client", "id": client_id, "session_ids": [id], "sessions": [], "sign_in_id": null,
        "sign_up_id": null, "last_active_session_id": id, "last_authentication_strategy": null, "updated_at": ctx.now, "created_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: CLIENT,
            id: &client_id,
            created_at: ctx.now,
            parent: Some(&user_id),
            r#ref: None,
        },
        &client,
    )?;
    let mut u = user;
    u["last_active_at"] = json!(ctx.now);
    u["last_sign_in_at"] = json!(ctx.now);
    store::put(ctx.tx, crate::resources::users::KIND, &user_id, &u)?;
    ctx.emit("session.created", session.clone());
    Ok(Reply::ok(session))
}

pub(crate) fn get(ctx: &mut Ctx<'_>) -> HandlerResult {
    Ok(Reply::ok(load(ctx, ctx.param("session_id"))?))
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let q = ctx.query;
    let (limit, offset) = q.page()?;
    let mut w = vec!["o.kind = 'session'".to_owned()];
    let mut a = Vec::new();
    let client = q.get("client_id");
    let user = q.get("user_id");
    if client.is_none() && user.is_none() {
        return Err(ApiError::missing("user_id").param("user_id"));
    }
    if let Some(c) = client {
        w.push("o.ref = ?".into());
        a.push(Sql::Text(c.to_owned()));
    }
    if let Some(u) = user {
        w.push("o.parent = ?".into());
        a.push(Sql::Text(u.to_owned()));
    }
    let status = q.get("status").map(str::to_owned);
    const STATUSES: [&str; 8] = [
        "abandoned",
        "active",
        "ended",
        "expired",
        "removed",
        "replaced",
        "revoked",
        "pending",
    ];
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::value_invalid(
            "status",
            "is not a valid session status",
        ));
    }
    let sql = format!(
        "SELECT doc FROM objects o WHERE {} ORDER BY o.created_at DESC, o.seq DESC",
        w.join(" AND ")
    );
    let params: Vec<&dyn rusqlite::ToSql> = a.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    let now = ctx.now;
    let all: Vec<Value> = store::query_docs(ctx.tx, &sql, &params)?
        .into_iter()
        .map(|s| render(now, s))
        .filter(|s| status.as_deref().is_none_or(|st| s["status"] == st))
        .collect();
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    paged(ctx, page, i64::try_from(total).unwrap_or(i64::MAX))
}

fn end(ctx: &mut Ctx<'_>, id: &str, status: &str, event: &'static str) -> Result<Value, ApiError> {
    let mut s = load(ctx, id)?;
    if s["status"] != "active" {
        return Ok(s);
    }
    s["status"] = json!(status);
    s["updated_at"] = json!(ctx.now);
    store::put(ctx.tx, KIND, id, &s)?;
    ctx.emit(event, s.clone());
    Ok(s)
}

pub(crate) fn revoke(ctx: &mut Ctx<'_>) -> HandlerResult {
    let id = ctx.param("session_id").to_owned();
    Ok(Reply::ok(end(ctx, &id, "revoked", "session.revoked")?))
}

pub(crate) fn revoke_all_for_user(ctx: &mut Ctx<'_>, user_id: &str) -> Result<(), ApiError> {
    let ids: Vec<String> = store::children(ctx.tx, KIND, user_id)?
        .iter()
        .filter(|s| s["status"] == "active")
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    for id in ids {
        end(ctx, &id, "revoked", "session.revoked")?;
    }
    Ok(())
}

fn active(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let s = load(ctx, ctx.param("session_id"))?;
    if s["status"] != "active" {
        return Err(ApiError::new(
            404,
            "resource_not_found",
            "not found",
            format!(
                "Session is {}; tokens are minted for active sessions only",
                s["status"].as_str().unwrap_or("inactive")
            ),
        ));
    }
    Ok(s)
}

fn lifetime(ctx: &Ctx<'_>, default: i64) -> Result<i64, ApiError> {
    match ctx.body.int("expires_in_seconds")? {
        Some(s) if !(30..=315_360_000).contains(&s) => Err(ApiError::value_invalid(
            "expires_in_seconds",
            "must be between 30 and 315360000",
        )),
        Some(s) => Ok(s),
        None => Ok(default),
    }
}

/// Clerk's v2 session claims: `o` (`id`, `slg`, `rol`, `per`, `fpm`) and `fea` for the active
/// organization. System permissions (`org:sys_*`) are left out, as Clerk does.
fn org_claims(
    ctx: &Ctx<'_>,
    session: &Value,
    claims: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let Some(org_id) = session["last_active_organization_id"].as_str() else {
        return Ok(());
    };
    let Some(m) = crate::resources::organizations::membership(
        ctx,
        org_id,
        session["user_id"].as_str().unwrap_or_default(),
    )?
    else {
        return Ok(());
    };
    let mut features: Vec<String> = Vec::new();
    let mut perms: Vec<String> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for p in m["permissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let mut parts = p.splitn(3, ':');
        let (Some("org"), Some(f), Some(perm)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if f.starts_with("sys_") {
            continue;
        }
        if !features.iter().any(|x| x == f) {
            features.push(f.to_owned());
        }
        if !perms.iter().any(|x| x == perm) {
            perms.push(perm.to_owned());
        }
        pairs.push((f.to_owned(), perm.to_owned()));
    }
    let width = perms.len();
    let fpm: Vec<String> = features
        .iter()
        .map(|f| {
            let mut mask: u64 = 0;
            for (i, p) in perms.iter().enumerate() {
                if i < 64 && pairs.iter().any(|(pf, pp)| pf == f && pp == p) {
                    mask |= 1 << (width - 1 - i);
                }
            }
            mask.to_string()
        })
        .collect();
    let role = m["role"].as_str().unwrap_or_default();
    let mut o = json!({
        "id": org_id,
        "slg": m["organization"]["slug"],
        "rol": role.strip_prefix("org:").unwrap_or(role),
    });
    if !perms.is_empty() {
        o["per"] = json!(perms.join(","));
        o["fpm"] = json!(fpm.join(","));
    }
    claims.insert("o".into(), o);
    if !features.is_empty() {
        claims.insert(
            "fea".into(),
            json!(
                features
                    .iter()
                    .map(|f| format!("o:{f}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        );
    }
    Ok(())
}

fn base_claims(ctx: &Ctx<'_>, session: &Value, lifetime_s: i64) -> Map<String, Value> {
    let iat = ctx.now / 1000;
    let mut c = Map::new();
    c.insert("azp".into(), json!(ctx.app.authorized_party()));
    c.insert("exp".into(), json!(iat + lifetime_s));
    c.insert("iat".into(), json!(iat));
    c.insert("iss".into(), json!(ctx.app.issuer));
    c.insert("jti".into(), json!(ctx.app.ids.token(20)));
    c.insert("nbf".into(), json!(iat - 10));
    c.insert("sid".into(), session["id"].clone());
    c.insert("sub".into(), session["user_id"].clone());
    c
}

fn sign(ctx: &Ctx<'_>, claims: Map<String, Value>) -> Value {
    let header =
        json!({"alg": "RS256", "cat": "cl_B7d4PD111AAA", "kid": ctx.app.key.kid, "typ": "JWT"});
    json!({"object": "token", "jwt": ctx.app.key.sign(&header, &Value::Object(claims))})
}

pub(crate) fn create_token(ctx: &mut Ctx<'_>) -> HandlerResult {
    let s = active(ctx)?;
    let life = lifetime(ctx, TOKEN_SECONDS)?;
    let mut c = base_claims(ctx, &s, life);
    c.insert(
        "fva".into(),
        json!([
            (ctx.now - s["created_at"].as_i64().unwrap_or(ctx.now)) / 60_000,
            -1
        ]),
    );
    c.insert("sts".into(), json!("active"));
    c.insert("v".into(), json!(2));
    org_claims(ctx, &s, &mut c)?;
    if let Some(a) = s.get("actor").filter(|a| !a.is_null()) {
        c.insert("act".into(), a.clone());
    }
    Ok(Reply::ok(sign(ctx, c)))
}

/// Replace `{{user.x}}` / `{{org.x}}` shortcodes (whole-string values) with the user's or
/// active organization's fields; strings with a shortcode inside are interpolated.
fn expand(v: &Value, user: &Value, org: &Value) -> Value {
    match v {
        Value::String(s) => {
            let lookup = |path: &str| -> Option<Value> {
                let (root, rest) = path.split_once('.')?;
                let base = match root {
                    "user" => user,
                    "org" => org,
                    _ => return None,
                };
                let mut cur = base;
                for part in rest.split('.') {
                    cur = cur.get(part)?;
                }
                Some(cur.clone())
            };
            let t = s.trim();
            if let Some(inner) = t.strip_prefix("{{").and_then(|x| x.strip_suffix("}}"))
                && !inner.contains("{{")
            {
                return lookup(inner.trim()).unwrap_or(Value::Null);
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(i) = rest.find("{{") {
                out.push_str(&rest[..i]);
                let Some(j) = rest[i..].find("}}") else { break };
                let key = rest[i + 2..i + j].trim();
                match lookup(key) {
                    Some(Value::String(x)) => out.push_str(&x),
                    Some(Value::Null) | None => {}
                    Some(other) => out.push_str(&other.to_string()),
                }
                rest = &rest[i + j + 2..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| expand(x, user, org)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), expand(x, user, org)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub(crate) fn create_token_from_template(ctx: &mut Ctx<'_>) -> HandlerResult {
    let s = active(ctx)?;
    let name = ctx.param("template_name").to_owned();
    let t = store::owner_of(ctx.tx, "jwt_template_name", &name)?
        .and_then(|id| store::get(ctx.tx, TEMPLATE, &id).transpose())
        .transpose()?
        .ok_or_else(ApiError::not_found)?;
    let life = lifetime(ctx, t["lifetime"].as_i64().unwrap_or(TOKEN_SECONDS))?;
    let user = crate::resources::users::render(
        ctx.tx,
        crate::resources::users::load(ctx, s["user_id"].as_str().unwrap_or_default())?,
    )?;
    let org = match s["last_active_organization_id"].as_str() {
        Some(o) => {
            store::get(ctx.tx, crate::resources::organizations::KIND, o)?.unwrap_or(Value::Null)
        }
        None => Value::Null,
    };
    let mut c = base_claims(ctx, &s, life);
    if let Value::Object(custom) = expand(&t["claims"], &user, &org) {
        for (k, v) in custom {
            // Registered claims stay the emulator's, as Clerk reserves them.
            if !["azp", "exp", "iat", "iss", "jti", "nbf", "sub", "sid"].contains(&k.as_str()) {
                c.insert(k, v);
            }
        }
    }
    Ok(Reply::ok(sign(ctx, c)))
}

fn template_fields(ctx: &Ctx<'_>, t: &mut Value, creating: bool) -> Result<(), ApiError> {
    let b = ctx.body;
    if creating || b.has("name") {
        t["name"] = json!(b.required_str("name")?);
    }
    if creating || b.has("claims") {
        t["claims"] = Value::Object(
            b.object("claims")?
                .ok_or_else(|| ApiError::missing("claims"))?,
        );
    }
    if let Some(l) = b.int("lifetime")? {
        if !(30..=315_360_000).contains(&l) {
            return Err(ApiError::value_invalid(
                "lifetime",
                "must be between 30 and 315360000",
            ));
        }
        t["lifetime"] = json!(l);
    }
    if let Some(s) = b.int("allowed_clock_skew")? {
        if !(0..=300).contains(&s) {
            return Err(ApiError::value_invalid(
                "allowed_clock_skew",
                "must be between 0 and 300",
            ));
        }
        t["allowed_clock_skew"] = json!(s);
    }
    if b.bool("custom_signing_key")? == Some(true) {
        return Err(ApiError::value_invalid(
            "custom_signing_key",
            "custom signing keys are not supported by clerk-emulator",
        ));
    }
    if let Some(a) = b.str("signing_algorithm")?
        && a != "RS256"
    {
        return Err(ApiError::value_invalid(
            "signing_algorithm",
            "only RS256 is supported by clerk-emulator",
        ));
    }
    Ok(())
}

pub(crate) fn template_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let id = ctx.id("jtmp");
    let mut t = json!({
        "object": "jwt_template", "id": id, "name": "", "claims": {}, "lifetime": TOKEN_SECONDS,
        "allowed_clock_skew": 5, "custom_signing_key": false, "signing_algorithm": "RS256",
        "created_at": ctx.now, "updated_at": ctx.now,
    });
    template_fields(ctx, &mut t, true)?;
    if !store::claim(
        ctx.tx,
        "jwt_template_name",
        t["name"].as_str().unwrap_or_default(),
        &id,
    )? {
        return Err(ApiError::exists("name", "name"));
    }
    store::insert(
        ctx.tx,
        &Row {
            kind: TEMPLATE,
            id: &id,
            created_at: ctx.now,
            parent: None,
            r#ref: None,
        },
        &t,
    )?;
    Ok(Reply::ok(t))
}

pub(crate) fn template_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let (limit, offset) = ctx.query.page()?;
    let w = vec!["o.kind = 'jwt_template'".to_owned()];
    let docs = store::query_docs(ctx.tx, &list_sql(&w, "o.seq ASC"), &[&limit, &offset])?;
    let total = store::count(
        ctx.tx,
        "SELECT count(*) FROM objects WHERE kind = 'jwt_template'",
        &[],
    )?;
    paged(ctx, docs, total)
}

fn template_load(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    store::get(ctx.tx, TEMPLATE, ctx.param("template_id"))?.ok_or_else(ApiError::not_found)
}

pub(crate) fn template_get(ctx: &mut Ctx<'_>) -> HandlerResult {
    Ok(Reply::ok(template_load(ctx)?))
}

pub(crate) fn template_update(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut t = template_load(ctx)?;
    let old = t["name"].as_str().unwrap_or_default().to_owned();
    template_fields(ctx, &mut t, false)?;
    let id = t["id"].as_str().unwrap_or_default().to_owned();
    let new = t["name"].as_str().unwrap_or_default().to_owned();
    if new != old {
        if !store::claim(ctx.tx, "jwt_template_name", &new, &id)? {
            return Err(ApiError::exists("name", "name"));
        }
        store::release(ctx.tx, "jwt_template_name", &old)?;
    }
    t["updated_at"] = json!(ctx.now);
    store::put(ctx.tx, TEMPLATE, &id, &t)?;
    Ok(Reply::ok(t))
}

pub(crate) fn template_delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    let t = template_load(ctx)?;
    let id = t["id"].as_str().unwrap_or_default().to_owned();
    store::release(
        ctx.tx,
        "jwt_template_name",
        t["name"].as_str().unwrap_or_default(),
    )?;
    store::delete(ctx.tx, TEMPLATE, &id)?;
    Ok(Reply::ok(deleted("jwt_template", &id)))
}

/// `GET /clients` (deprecated upstream): every client, newest first, with its sessions.
pub(crate) fn client_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let (limit, offset) = ctx.query.page()?;
    let total = store::count(
        ctx.tx,
        "SELECT count(*) FROM objects WHERE kind = 'client'",
        &[],
    )?;
    let w = vec!["o.kind = 'client'".to_owned()];
    let docs = store::query_docs(
        ctx.tx,
        &list_sql(&w, "o.created_at DESC, o.seq DESC"),
        &[&limit, &offset],
    )?;
    let now = ctx.now;
    let mut out = Vec::with_capacity(docs.len());
    for mut c in docs {
        let id = c["id"].as_str().unwrap_or_default().to_owned();
        c["sessions"] = Value::Array(
            store::by_ref(ctx.tx, KIND, &id)?
                .into_iter()
                .map(|s| render(now, s))
                .collect(),
        );
        out.push(c);
    }
    paged(ctx, out, total)
}

pub(crate) fn client_get(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut c =
        store::get(ctx.tx, CLIENT, ctx.param("client_id"))?.ok_or_else(ApiError::not_found)?;
    let id = c["id"].as_str().unwrap_or_default().to_owned();
    let now = ctx.now;
    let sessions: Vec<Value> = store::by_ref(ctx.tx, KIND, &id)?
        .into_iter()
        .map(|s| render(now, s))
        .collect();
    c["sessions"] = Value::Array(sessions);
    Ok(Reply::ok(c))
}
