//! Instance invitations: `pending` → `accepted` (a user signs up with the address), `revoked`,
//! or `expired` (the clock passes `expires_at`). The webhooks spec has no instance-invitation
//! events, so none are emitted.

use crate::error::ApiError;
use crate::request::{Body, Ctx, HandlerResult, Reply};
use crate::resources::paged;
use crate::store::{self, Row};
use serde_json::{Value, json};

const KIND: &str = "invitation";

fn render(now: i64, mut i: Value) -> Value {
    if i["status"] == "pending" && i["expires_at"].as_i64().is_some_and(|e| e <= now) {
        i["status"] = json!("expired");
    }
    i
}

fn all(ctx: &Ctx<'_>) -> Result<Vec<Value>, ApiError> {
    Ok(store::query_docs(
        ctx.tx,
        "SELECT doc FROM objects WHERE kind = 'invitation' ORDER BY created_at DESC, seq DESC",
        &[],
    )?
    .into_iter()
    .map(|i| render(ctx.now, i))
    .collect())
}

fn new(ctx: &mut Ctx<'_>, b: &Body) -> Result<Value, ApiError> {
    let email = b.required_str("email_address")?.to_lowercase();
    if !email.contains('@') {
        return Err(ApiError::invalid(
            "email_address",
            "must be a valid email address.",
        ));
    }
    if b.bool("ignore_existing")? != Some(true) {
        if store::owner_of(ctx.tx, "email", &email)?.is_some() {
            return Err(ApiError::exists("email_address", "email address"));
        }
        if all(ctx)?
            .iter()
            .any(|i| i["status"] == "pending" && i["email_address"] == email.as_str())
        {
            return Err(ApiError::new(
                422,
                "duplicate_record",
                "duplicate invitation",
                "There is already a pending invitation for this email address.",
            )
            .param("email_address"));
        }
    }
    let days = b.int("expires_in_days")?.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(ApiError::value_invalid(
            "expires_in_days",
            "must be between 1 and 365",
        ));
    }
    let id = ctx.id("inv");
    let url = b
        .str("redirect_url")?
        .unwrap_or("https://accounts.emulator.local/sign-up");
    let inv = json!({
        "object": "invitation", "id": id, "email_address": email,
        "public_metadata": b.object("public_metadata")?.unwrap_or_default(), "revoked": false,
        "status": "pending", "url": format!("{url}?__clerk_ticket={}", ctx.app.ids.token(24)),
        "expires_at": ctx.now + days * 86_400_000, "created_at": ctx.now, "updated_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: KIND,
            id: &id,
            created_at: ctx.now,
            parent: None,
            r#ref: Some(&email),
        },
        &inv,
    )?;
    Ok(inv)
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let b = ctx.body.clone();
    Ok(Reply::ok(new(ctx, &b)?))
}

pub(crate) fn bulk_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let Some(Value::Array(items)) = ctx.body.0.get("__array").cloned() else {
        return Err(ApiError::bad_request(
            "request_body_invalid",
            "The request body must be a JSON array of invitations",
        ));
    };
    let mut out = Vec::new();
    for item in items {
        let Value::Object(m) = item else {
            return Err(ApiError::bad_request(
                "request_body_invalid",
                "Each invitation must be a JSON object",
            ));
        };
        out.push(new(ctx, &Body(m))?);
    }
    Ok(Reply::ok(Value::Array(out)))
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let (limit, offset) = ctx.query.page()?;
    let status = ctx.query.get("status").map(str::to_owned);
    if let Some(s) = &status
        && !["pending", "accepted", "revoked", "expired"].contains(&s.as_str())
    {
        return Err(ApiError::value_invalid(
            "status",
            "is not a valid invitation status",
        ));
    }
    let query = ctx.query.get("query").map(str::to_lowercase);
    let mut items: Vec<Value> = all(ctx)?
        .into_iter()
        .filter(|i| status.as_deref().is_none_or(|s| i["status"] == s))
        .filter(|i| {
            query
                .as_deref()
                .is_none_or(|q| i["email_address"].as_str().unwrap_or_default().contains(q))
        })
        .collect();
    match ctx.query.get("order_by").unwrap_or("-created_at") {
        "-created_at" => {}
        "created_at" | "+created_at" => items.reverse(),
        "email_address" | "+email_address" => items.sort_by(|a, b| {
            a["email_address"]
                .as_str()
                .cmp(&b["email_address"].as_str())
        }),
        "-email_address" => items.sort_by(|a, b| {
            b["email_address"]
                .as_str()
                .cmp(&a["email_address"].as_str())
        }),
        o => {
            return Err(ApiError::value_invalid(
                "order_by",
                format!("'{o}' is not a valid field to order by"),
            ));
        }
    }
    let total = items.len();
    let page = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    paged(ctx, page, i64::try_from(total).unwrap_or(i64::MAX))
}

pub(crate) fn revoke(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut inv = store::get(ctx.tx, KIND, ctx.param("invitation_id"))?
        .map(|i| render(ctx.now, i))
        .ok_or_else(ApiError::not_found)?;
    if inv["status"] != "pending" {
        return Err(ApiError::bad_request(
            "invitation_not_pending",
            "Only pending invitations can be revoked.",
        ));
    }
    inv["status"] = json!("revoked");
    inv["revoked"] = json!(true);
    inv["updated_at"] = json!(ctx.now);
    store::put(ctx.tx, KIND, inv["id"].as_str().unwrap_or_default(), &inv)?;
    Ok(Reply::ok(inv))
}

/// A user now owns `email`: its pending invitations are accepted.
pub(crate) fn accept_for(ctx: &mut Ctx<'_>, email: &str) -> Result<(), ApiError> {
    let pending: Vec<Value> = store::by_ref(ctx.tx, KIND, email)?
        .into_iter()
        .map(|i| render(ctx.now, i))
        .filter(|i| i["status"] == "pending")
        .collect();
    for mut inv in pending {
        inv["status"] = json!("accepted");
        inv["updated_at"] = json!(ctx.now);
        store::put(ctx.tx, KIND, inv["id"].as_str().unwrap_or_default(), &inv)?;
    }
    Ok(())
}
