//! Organizations, memberships and organization invitations.

use crate::error::ApiError;
use crate::request::{Ctx, HandlerResult, Reply};
use crate::resources::{deleted, list_sql, merge_metadata, users};
use crate::store::{self, Row};
use rusqlite::types::Value as Sql;
use serde_json::{Value, json};

pub(crate) const KIND: &str = "organization";
const MEMBERSHIP: &str = "membership";
const INVITATION: &str = "org_invitation";
const INVITATION_DAYS: i64 = 30;

/// The instance's roles and their permissions (Clerk's defaults).
fn role_permissions(role: &str) -> Option<Vec<&'static str>> {
    match role {
        "org:admin" => Some(vec![
            "org:sys_profile:manage",
            "org:sys_profile:delete",
            "org:sys_memberships:read",
            "org:sys_memberships:manage",
            "org:sys_domains:read",
            "org:sys_domains:manage",
        ]),
        "org:member" => Some(vec!["org:sys_memberships:read"]),
        _ => None,
    }
}

fn role_name(role: &str) -> &'static str {
    if role == "org:admin" {
        "Admin"
    } else {
        "Member"
    }
}

fn check_role(role: &str) -> Result<Vec<&'static str>, ApiError> {
    role_permissions(role).ok_or_else(|| {
        ApiError::value_invalid(
            "role",
            format!("'{role}' is not a role of this instance (org:admin, org:member)"),
        )
    })
}

fn slugify(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_owned()
}

fn check_slug(slug: &str) -> Result<(), ApiError> {
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(ApiError::new(
            422,
            "organization_slug_invalid",
            "is invalid",
            "Slugs may contain lowercase letters, numbers, '-' and '_'.",
        )
        .param("slug"));
    }
    Ok(())
}

/// The organization by id or slug.
fn load(ctx: &Ctx<'_>, id_or_slug: &str) -> Result<Value, ApiError> {
    if let Some(o) = store::get(ctx.tx, KIND, id_or_slug)? {
        return Ok(o);
    }
    match store::owner_of(ctx.tx, "slug", id_or_slug)? {
        Some(id) => store::get(ctx.tx, KIND, &id)?.ok_or_else(ApiError::not_found),
        None => Err(ApiError::not_found()),
    }
}

fn members_count(ctx: &Ctx<'_>, org_id: &str) -> Result<i64, ApiError> {
    store::count(
        ctx.tx,
        "SELECT count(*) FROM objects WHERE kind = 'membership' AND parent = ?1",
        &[&org_id],
    )
}

fn render(ctx: &Ctx<'_>, mut o: Value, with_count: bool) -> Result<Value, ApiError> {
    if with_count {
        let id = o["id"].as_str().unwrap_or_default().to_owned();
        o["members_count"] = json!(members_count(ctx, &id)?);
    }
    Ok(o)
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let b = ctx.body;
    let name = b.required_str("name")?.to_owned();
    let slug = match b.str("slug")? {
        Some(s) => s.to_owned(),
        None => {
            let base = slugify(&name);
            let base = if base.is_empty() {
                "org".to_owned()
            } else {
                base
            };
            format!("{base}-{}", ctx.app.ids.token(6).to_lowercase())
        }
    };
    check_slug(&slug)?;
    let created_by = b.str("created_by")?.map(str::to_owned);
    if let Some(u) = &created_by {
        users::load(ctx, u)
            .map_err(|_| ApiError::value_invalid("created_by", "is not an existing user"))?;
    }
    let id = ctx.id("org");
    if !store::claim(ctx.tx, "slug", &slug, &id)? {
        return Err(ApiError::new(
            422,
            "form_identifier_exists",
            "That slug is taken. Please try another.",
            "That slug is taken. Please try another.",
        )
        .param("slug"));
    }
    let created_at = b.int("created_at")?.unwrap_or(ctx.now);
    let org = json!({
        "object": "organization", "id": id, "name": name, "slug": slug,
        "image_url": "https://img.clerk.com/emulator-org-default", "has_image": false,
        "max_allowed_memberships": b.int("max_allowed_memberships")?.unwrap_or(0),
        "admin_delete_enabled": true,
        "public_metadata": b.object("public_metadata")?.unwrap_or_default(),
        "private_metadata": b.object("private_metadata")?.unwrap_or_default(),
        "created_by": created_by.clone().unwrap_or_default(),
        "created_at": created_at, "updated_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: KIND,
            id: &id,
            created_at,
            parent: None,
            r#ref: None,
        },
        &org,
    )?;
    ctx.emit("organization.created", org.clone());
    if let Some(u) = created_by {
        add_member(ctx, &org, &u, "org:admin", json!({}), json!({}))?;
    }
    Ok(Reply::ok(org))
}

pub(crate) fn get(ctx: &mut Ctx<'_>) -> HandlerResult {
    let o = load(ctx, ctx.param("organization_id"))?;
    Ok(Reply::ok(render(
        ctx,
        o,
        ctx.query.bool("include_members_count")?.unwrap_or(false),
    )?))
}

fn save(ctx: &mut Ctx<'_>, mut o: Value) -> HandlerResult {
    o["updated_at"] = json!(ctx.now);
    let id = o["id"].as_str().unwrap_or_default().to_owned();
    store::put(ctx.tx, KIND, &id, &o)?;
    ctx.emit("organization.updated", o.clone());
    Ok(Reply::ok(o))
}

pub(crate) fn update(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut o = load(ctx, ctx.param("organization_id"))?;
    let b = ctx.body;
    let id = o["id"].as_str().unwrap_or_default().to_owned();
    if let Some(n) = b.str("name")? {
        if n.is_empty() {
            return Err(ApiError::missing("name"));
        }
        o["name"] = json!(n);
    }
    if let Some(s) = b.str("slug")? {
        check_slug(s)?;
        let old = o["slug"].as_str().unwrap_or_default().to_owned();
        if s != old {
            if !store::claim(ctx.tx, "slug", s, &id)? {
                return Err(ApiError::new(
                    422,
                    "form_identifier_exists",
                    "That slug is taken. Please try another.",
                    "That slug is taken. Please try another.",
                )
                .param("slug"));
            }
            store::release(ctx.tx, "slug", &old)?;
            o["slug"] = json!(s);
        }
    }
    if let Some(m) = b.int("max_allowed_memberships")? {
        o["max_allowed_memberships"] = json!(m);
    }
    if let Some(v) = b.bool("admin_delete_enabled")? {
        o["admin_delete_enabled"] = json!(v);
    }
    for m in ["public_metadata", "private_metadata"] {
        if let Some(v) = b.object(m)? {
            o[m] = Value::Object(v);
        }
    }
    save(ctx, o)
}

fn metadata(ctx: &mut Ctx<'_>, merge: bool) -> HandlerResult {
    let mut o = load(ctx, ctx.param("organization_id"))?;
    for m in ["public_metadata", "private_metadata"] {
        if let Some(v) = ctx.body.object(m)? {
            if merge {
                merge_metadata(&mut o[m], v);
            } else {
                o[m] = Value::Object(v);
            }
        } else if !merge && ctx.body.has(m) {
            o[m] = json!({});
        }
    }
    save(ctx, o)
}
pub(crate) fn merge_metadata_op(ctx: &mut Ctx<'_>) -> HandlerResult {
    metadata(ctx, true)
}
pub(crate) fn replace_metadata(ctx: &mut Ctx<'_>) -> HandlerResult {
    metadata(ctx, false)
}

pub(crate) fn upload_logo(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut o = load(ctx, ctx.param("organization_id"))?;
    if !ctx.body.has("__upload") {
        return Err(ApiError::missing("file"));
    }
    o["image_url"] = json!(format!(
        "https://img.clerk.com/emulator/{}",
        ctx.app.ids.token(20)
    ));
    o["has_image"] = json!(true);
    save(ctx, o)
}

pub(crate) fn delete_logo(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut o = load(ctx, ctx.param("organization_id"))?;
    o["image_url"] = json!("https://img.clerk.com/emulator-org-default");
    o["has_image"] = json!(false);
    save(ctx, o)
}

pub(crate) fn delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    let o = load(ctx, ctx.param("organization_id"))?;
    let id = o["id"].as_str().unwrap_or_default().to_owned();
    for kind in [MEMBERSHIP, INVITATION] {
        ctx.tx
            .execute(
                "DELETE FROM objects WHERE kind = ?1 AND parent = ?2",
                rusqlite::params![kind, id],
            )
            .map_err(ApiError::db)?;
    }
    store::release_all(ctx.tx, &id)?;
    store::delete(ctx.tx, KIND, &id)?;
    let d = deleted("organization", &id);
    ctx.emit("organization.deleted", d.clone());
    Ok(Reply::ok(d))
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let q = ctx.query;
    let (limit, offset) = q.page()?;
    let mut w = vec!["o.kind = 'organization'".to_owned()];
    let mut a: Vec<Sql> = Vec::new();
    if let Some(s) = q.get("query").filter(|s| !s.is_empty()) {
        let n = format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        w.push("(json_extract(o.doc, '$.name') LIKE ? ESCAPE '\\' OR json_extract(o.doc, '$.slug') LIKE ? ESCAPE '\\' OR o.id = ?)".into());
        a.extend([Sql::Text(n.clone()), Sql::Text(n), Sql::Text(s.to_owned())]);
    }
    let ids: Vec<String> = q
        .all("organization_id")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !ids.is_empty() {
        w.push(format!("o.id IN ({})", vec!["?"; ids.len()].join(",")));
        a.extend(ids.into_iter().map(Sql::Text));
    }
    let users: Vec<String> = q.all("user_id").into_iter().map(str::to_owned).collect();
    if !users.is_empty() {
        w.push(format!(
            "o.id IN (SELECT parent FROM objects INDEXED BY objects_ref WHERE kind = 'membership' AND ref IN ({}))",
            vec!["?"; users.len()].join(",")
        ));
        a.extend(users.into_iter().map(Sql::Text));
    }
    let order = org_order(q.get("order_by").unwrap_or("-created_at"))?;
    let total = {
        let sql = format!("SELECT count(*) FROM objects o WHERE {}", w.join(" AND "));
        let p: Vec<&dyn rusqlite::ToSql> = a.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
        store::count(ctx.tx, &sql, &p)?
    };
    a.push(Sql::Integer(limit));
    a.push(Sql::Integer(offset));
    let p: Vec<&dyn rusqlite::ToSql> = a.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    let with_count = q.bool("include_members_count")?.unwrap_or(false);
    let data = store::query_docs(ctx.tx, &list_sql(&w, &order), &p)?
        .into_iter()
        .map(|o| render(ctx, o, with_count))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::ok(json!({"data": data, "total_count": total})))
}

fn org_order(s: &str) -> Result<String, ApiError> {
    let (dir, field) = match s.as_bytes().first() {
        Some(b'-') => ("DESC", &s[1..]),
        Some(b'+') => ("ASC", &s[1..]),
        _ => ("ASC", s),
    };
    let expr = match field {
        "created_at" => "o.created_at".to_owned(),
        "name" => "json_extract(o.doc, '$.name')".to_owned(),
        "members_count" => {
            "(SELECT count(*) FROM objects m WHERE m.kind = 'membership' AND m.parent = o.id)"
                .to_owned()
        }
        _ => {
            return Err(ApiError::value_invalid(
                "order_by",
                format!("'{field}' is not a valid field to order by"),
            ));
        }
    };
    Ok(format!("{expr} {dir}, o.seq {dir}"))
}

// ---- memberships ----

fn public_user_data(user: &Value) -> Value {
    let identifier = user["email_addresses"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|e| e["email_address"].as_str())
        .map(str::to_owned)
        .or_else(|| user["username"].as_str().map(str::to_owned));
    json!({
        "user_id": user["id"], "first_name": user["first_name"], "last_name": user["last_name"],
        "profile_image_url": user["profile_image_url"], "image_url": user["image_url"],
        "has_image": user["has_image"], "identifier": identifier, "username": user["username"],
        "banned": user["banned"],
    })
}

/// The membership as shown: with the organization and the member's public data as they are now.
fn render_membership(ctx: &Ctx<'_>, mut m: Value) -> Result<Value, ApiError> {
    if let Some(o) = store::get(ctx.tx, KIND, m["__org"].as_str().unwrap_or_default())? {
        m["organization"] = o;
    }
    if let Some(u) = store::get(
        ctx.tx,
        users::KIND,
        m["__user"].as_str().unwrap_or_default(),
    )? {
        m["public_user_data"] = public_user_data(&users::render(ctx.tx, u)?);
    }
    crate::resources::strip_private(&mut m);
    Ok(m)
}

/// `user_id`'s membership in `org_id`, rendered.
pub(crate) fn membership(
    ctx: &Ctx<'_>,
    org_id: &str,
    user_id: &str,
) -> Result<Option<Value>, ApiError> {
    let found = store::query_docs(
        ctx.tx,
        "SELECT doc FROM objects WHERE kind = 'membership' AND parent = ?1 AND ref = ?2",
        &[&org_id, &user_id],
    )?;
    found
        .into_iter()
        .next()
        .map(|m| render_membership(ctx, m))
        .transpose()
}

fn add_member(
    ctx: &mut Ctx<'_>,
    org: &Value,
    user_id: &str,
    role: &str,
    public: Value,
    private: Value,
) -> Result<Value, ApiError> {
    let perms = check_role(role)?;
    let org_id = org["id"].as_str().unwrap_or_default().to_owned();
    users::load(ctx, user_id)?;
    if membership(ctx, &org_id, user_id)?.is_some() {
        return Err(ApiError::new(
            422,
            "already_a_member_in_organization",
            "already a member",
            "User is already a member of the organization.",
        )
        .param("user_id"));
    }
    let max = org["max_allowed_memberships"].as_i64().unwrap_or(0);
    if max > 0 && members_count(ctx, &org_id)? >= max {
        return Err(ApiError::new(
            403,
            "organization_membership_quota_exceeded",
            "membership quota exceeded",
            "The organization has reached its maximum number of memberships.",
        ));
    }
    let id = ctx.id("orgmem");
    let m = json!({
        "id": id, "object": "organization_membership", "role": role, "role_name": role_name(role),
        "permissions": perms, "public_metadata": public, "private_metadata": private,
        "organization": org, "created_at": ctx.now, "updated_at": ctx.now,
        "__org": org_id, "__user": user_id,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: MEMBERSHIP,
            id: &id,
            created_at: ctx.now,
            parent: Some(&org_id),
            r#ref: Some(user_id),
        },
        &m,
    )?;
    let out = render_membership(ctx, m)?;
    ctx.emit("organizationMembership.created", out.clone());
    Ok(out)
}

fn load_membership(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let org = load(ctx, ctx.param("organization_id"))?;
    let found = store::query_docs(
        ctx.tx,
        "SELECT doc FROM objects WHERE kind = 'membership' AND parent = ?1 AND ref = ?2",
        &[
            &org["id"].as_str().unwrap_or_default(),
            &ctx.param("user_id"),
        ],
    )?;
    found.into_iter().next().ok_or_else(ApiError::not_found)
}

pub(crate) fn membership_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let org = load(ctx, ctx.param("organization_id"))?;
    let user_id = ctx.body.required_str("user_id")?.to_owned();
    let role = ctx.body.required_str("role")?.to_owned();
    let public = Value::Object(ctx.body.object("public_metadata")?.unwrap_or_default());
    let private = Value::Object(ctx.body.object("private_metadata")?.unwrap_or_default());
    Ok(Reply::ok(add_member(
        ctx, &org, &user_id, &role, public, private,
    )?))
}

fn membership_save(ctx: &mut Ctx<'_>, mut m: Value) -> HandlerResult {
    m["updated_at"] = json!(ctx.now);
    let id = m["id"].as_str().unwrap_or_default().to_owned();
    store::put(ctx.tx, MEMBERSHIP, &id, &m)?;
    let out = render_membership(ctx, m)?;
    ctx.emit("organizationMembership.updated", out.clone());
    Ok(Reply::ok(out))
}

pub(crate) fn membership_update(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut m = load_membership(ctx)?;
    let role = ctx.body.required_str("role")?.to_owned();
    m["permissions"] = json!(check_role(&role)?);
    m["role_name"] = json!(role_name(&role));
    m["role"] = json!(role);
    membership_save(ctx, m)
}

pub(crate) fn membership_metadata(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut m = load_membership(ctx)?;
    for f in ["public_metadata", "private_metadata"] {
        if let Some(v) = ctx.body.object(f)? {
            merge_metadata(&mut m[f], v);
        }
    }
    membership_save(ctx, m)
}

pub(crate) fn membership_delete(ctx: &mut Ctx<'_>) -> HandlerResult {
    let m = load_membership(ctx)?;
    let id = m["id"].as_str().unwrap_or_default().to_owned();
    let out = render_membership(ctx, m)?;
    store::delete(ctx.tx, MEMBERSHIP, &id)?;
    ctx.emit("organizationMembership.deleted", out.clone());
    Ok(Reply::ok(out))
}

pub(crate) fn drop_user_memberships(ctx: &mut Ctx<'_>, user_id: &str) -> Result<(), ApiError> {
    for m in store::by_ref(ctx.tx, MEMBERSHIP, user_id)? {
        let out = render_membership(ctx, m.clone())?;
        store::delete(ctx.tx, MEMBERSHIP, m["id"].as_str().unwrap_or_default())?;
        ctx.emit("organizationMembership.deleted", out);
    }
    Ok(())
}

/// One page of memberships matching `filter` (over `objects o`), as `{data, total_count}`.
pub(crate) fn memberships_page(
    ctx: &mut Ctx<'_>,
    filter: &str,
    mut args: Vec<Sql>,
) -> HandlerResult {
    let q = ctx.query;
    let (limit, offset) = q.page()?;
    let mut w = vec![filter.to_owned()];
    let roles: Vec<String> = q.all("role").into_iter().map(str::to_owned).collect();
    if !roles.is_empty() {
        w.push(format!(
            "json_extract(o.doc, '$.role') IN ({})",
            vec!["?"; roles.len()].join(",")
        ));
        args.extend(roles.into_iter().map(Sql::Text));
    }
    let users: Vec<String> = q.all("user_id").into_iter().map(str::to_owned).collect();
    if !users.is_empty() && !filter.contains("o.ref = ?") {
        w.push(format!("o.ref IN ({})", vec!["?"; users.len()].join(",")));
        args.extend(users.into_iter().map(Sql::Text));
    }
    for (p, kind) in [
        ("email_address", "email"),
        ("phone_number", "phone"),
        ("username", "username"),
    ] {
        let vals: Vec<String> = q
            .all(p)
            .into_iter()
            .map(|v| {
                if kind == "phone" {
                    v.to_owned()
                } else {
                    v.to_lowercase()
                }
            })
            .collect();
        if !vals.is_empty() {
            w.push(format!(
                "o.ref IN (SELECT owner FROM idents WHERE kind = '{kind}' AND value IN ({}))",
                vec!["?"; vals.len()].join(",")
            ));
            args.extend(vals.into_iter().map(Sql::Text));
        }
    }
    if let Some(s) = q.get("query").filter(|s| !s.is_empty()) {
        let n = format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        w.push("(o.ref IN (SELECT owner FROM idents WHERE kind IN ('email','phone','username') AND value LIKE ? ESCAPE '\\') OR o.ref IN (SELECT id FROM objects WHERE kind = 'user' AND (json_extract(doc, '$.first_name') LIKE ? ESCAPE '\\' OR json_extract(doc, '$.last_name') LIKE ? ESCAPE '\\')) OR o.ref = ?)".into());
        args.extend([
            Sql::Text(n.clone()),
            Sql::Text(n.clone()),
            Sql::Text(n),
            Sql::Text(s.to_owned()),
        ]);
    }
    for (p, op) in [("created_at_before", "<"), ("created_at_after", ">")] {
        if let Some(t) = q.int(p)? {
            w.push(format!("o.created_at {op} ?"));
            args.push(Sql::Integer(t));
        }
    }
    let order = match q.get("order_by").unwrap_or("-created_at") {
        "created_at" | "+created_at" => "o.created_at ASC, o.seq ASC",
        "-created_at" => "o.created_at DESC, o.seq DESC",
        "role" | "+role" => "json_extract(o.doc, '$.role') ASC, o.seq ASC",
        "-role" => "json_extract(o.doc, '$.role') DESC, o.seq DESC",
        other => {
            let f = other.trim_start_matches(['+', '-']);
            if [
                "first_name",
                "last_name",
                "email_address",
                "phone_number",
                "username",
            ]
            .contains(&f)
            {
                "o.seq ASC"
            } else {
                return Err(ApiError::value_invalid(
                    "order_by",
                    format!("'{f}' is not a valid field to order by"),
                ));
            }
        }
    };
    let total = {
        let sql = format!("SELECT count(*) FROM objects o WHERE {}", w.join(" AND "));
        let p: Vec<&dyn rusqlite::ToSql> = args.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
        store::count(ctx.tx, &sql, &p)?
    };
    args.push(Sql::Integer(limit));
    args.push(Sql::Integer(offset));
    let p: Vec<&dyn rusqlite::ToSql> = args.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    let data = store::query_docs(ctx.tx, &list_sql(&w, order), &p)?
        .into_iter()
        .map(|m| render_membership(ctx, m))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::ok(json!({"data": data, "total_count": total})))
}

pub(crate) fn membership_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let org = load(ctx, ctx.param("organization_id"))?;
    memberships_page(
        ctx,
        "o.kind = 'membership' AND o.parent = ?",
        vec![Sql::Text(org["id"].as_str().unwrap_or_default().to_owned())],
    )
}

pub(crate) fn instance_memberships(ctx: &mut Ctx<'_>) -> HandlerResult {
    memberships_page(ctx, "o.kind = 'membership'", Vec::new())
}

// ---- organization invitations ----

fn render_invitation(now: i64, mut i: Value) -> Value {
    if i["status"] == "pending" && i["expires_at"].as_i64().is_some_and(|e| e <= now) {
        i["status"] = json!("expired");
    }
    crate::resources::strip_private(&mut i);
    i
}

fn new_invitation(
    ctx: &mut Ctx<'_>,
    org: &Value,
    b: &crate::request::Body,
) -> Result<Value, ApiError> {
    let email = b.required_str("email_address")?.to_lowercase();
    if !email.contains('@') {
        return Err(ApiError::invalid(
            "email_address",
            "must be a valid email address.",
        ));
    }
    let role = b.required_str("role")?.to_owned();
    check_role(&role)?;
    let org_id = org["id"].as_str().unwrap_or_default().to_owned();
    let pending = store::query_docs(
        ctx.tx,
        "SELECT doc FROM objects WHERE kind = 'org_invitation' AND parent = ?1",
        &[&org_id],
    )?;
    if pending
        .into_iter()
        .map(|i| render_invitation(ctx.now, i))
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
    let inviter = b.str("inviter_user_id")?.map(str::to_owned);
    let inviter_data = match &inviter {
        Some(u) => public_user_data(&users::render(
            ctx.tx,
            users::load(ctx, u).map_err(|_| {
                ApiError::value_invalid("inviter_user_id", "is not an existing user")
            })?,
        )?),
        None => Value::Null,
    };
    let days = b.int("expires_in_days")?.unwrap_or(INVITATION_DAYS);
    if !(1..=365).contains(&days) {
        return Err(ApiError::value_invalid(
            "expires_in_days",
            "must be between 1 and 365",
        ));
    }
    let id = ctx.id("orginv");
    let inv = json!({
        "object": "organization_invitation", "id": id, "email_address": email, "role": role,
        "role_name": role_name(&role), "organization_id": org_id, "inviter_id": inviter,
        "public_inviter_data": inviter_data, "status": "pending",
        "public_metadata": b.object("public_metadata")?.unwrap_or_default(),
        "private_metadata": b.object("private_metadata")?.unwrap_or_default(),
        "url": b.str("redirect_url")?.map(|r| format!("{r}?__clerk_ticket={}", ctx.app.ids.token(24))),
        "expires_at": ctx.now + days * 86_400_000, "created_at": ctx.now, "updated_at": ctx.now,
    });
    store::insert(
        ctx.tx,
        &Row {
            kind: INVITATION,
            id: &id,
            created_at: ctx.now,
            parent: Some(&org_id),
            r#ref: None,
        },
        &inv,
    )?;
    let out = render_invitation(ctx.now, inv);
    ctx.emit("organizationInvitation.created", out.clone());
    Ok(out)
}

pub(crate) fn invitation_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let org = load(ctx, ctx.param("organization_id"))?;
    let body = ctx.body.clone();
    Ok(Reply::ok(new_invitation(ctx, &org, &body)?))
}

pub(crate) fn invitation_bulk_create(ctx: &mut Ctx<'_>) -> HandlerResult {
    let org = load(ctx, ctx.param("organization_id"))?;
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
        out.push(new_invitation(ctx, &org, &crate::request::Body(m))?);
    }
    Ok(Reply::ok(json!({"data": out, "total_count": out.len()})))
}

fn load_invitation(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let org = load(ctx, ctx.param("organization_id"))?;
    let inv = store::get(ctx.tx, INVITATION, ctx.param("invitation_id"))?
        .ok_or_else(ApiError::not_found)?;
    if inv["organization_id"] != org["id"] {
        return Err(ApiError::not_found());
    }
    Ok(inv)
}

pub(crate) fn invitation_get(ctx: &mut Ctx<'_>) -> HandlerResult {
    Ok(Reply::ok(render_invitation(ctx.now, load_invitation(ctx)?)))
}

pub(crate) fn invitation_revoke(ctx: &mut Ctx<'_>) -> HandlerResult {
    let mut inv = load_invitation(ctx)?;
    if render_invitation(ctx.now, inv.clone())["status"] != "pending" {
        return Err(ApiError::bad_request(
            "organization_invitation_not_pending",
            "Only pending invitations can be revoked.",
        ));
    }
    inv["status"] = json!("revoked");
    inv["updated_at"] = json!(ctx.now);
    store::put(
        ctx.tx,
        INVITATION,
        inv["id"].as_str().unwrap_or_default(),
        &inv,
    )?;
    let out = render_invitation(ctx.now, inv);
    ctx.emit("organizationInvitation.revoked", out.clone());
    Ok(Reply::ok(out))
}

/// Which organization invitations a list shows.
enum InvitationScope {
    Org(String),
    All,
    Emails(Vec<String>),
}

fn invitation_page(ctx: &mut Ctx<'_>, scope: InvitationScope) -> HandlerResult {
    let (limit, offset) = ctx.query.page()?;
    let statuses: Vec<String> = ctx
        .query
        .all("status")
        .into_iter()
        .map(str::to_owned)
        .collect();
    for s in &statuses {
        if !["pending", "accepted", "revoked", "expired"].contains(&s.as_str()) {
            return Err(ApiError::value_invalid(
                "status",
                "is not a valid invitation status",
            ));
        }
    }
    let email = ctx.query.get("email_address").map(str::to_lowercase);
    let with_org = !matches!(scope, InvitationScope::Org(_));
    let docs = match &scope {
        InvitationScope::Org(o) => store::query_docs(
            ctx.tx,
            "SELECT doc FROM objects WHERE kind = 'org_invitation' AND parent = ?1 ORDER BY created_at DESC, seq DESC",
            &[o],
        )?,
        _ => store::query_docs(
            ctx.tx,
            "SELECT doc FROM objects WHERE kind = 'org_invitation' ORDER BY created_at DESC, seq DESC",
            &[],
        )?,
    };
    let all: Vec<Value> = docs
        .into_iter()
        .map(|i| render_invitation(ctx.now, i))
        .filter(|i| statuses.is_empty() || statuses.iter().any(|s| i["status"] == s.as_str()))
        .filter(|i| email.as_deref().is_none_or(|e| i["email_address"] == e))
        .filter(|i| match &scope {
            InvitationScope::Emails(es) => es.iter().any(|e| i["email_address"] == e.as_str()),
            _ => true,
        })
        .collect();
    let total = all.len();
    let mut data: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    if with_org {
        for i in &mut data {
            if let Some(o) = store::get(
                ctx.tx,
                KIND,
                i["organization_id"].as_str().unwrap_or_default(),
            )? {
                i["public_organization_data"] = json!({
                    "id": o["id"], "name": o["name"], "slug": o["slug"], "image_url": o["image_url"], "has_image": o["has_image"],
                });
            }
        }
    }
    Ok(Reply::ok(json!({"data": data, "total_count": total})))
}

pub(crate) fn invitation_list(ctx: &mut Ctx<'_>) -> HandlerResult {
    let org = load(ctx, ctx.param("organization_id"))?;
    invitation_page(
        ctx,
        InvitationScope::Org(org["id"].as_str().unwrap_or_default().to_owned()),
    )
}

pub(crate) fn invitation_list_all(ctx: &mut Ctx<'_>) -> HandlerResult {
    invitation_page(ctx, InvitationScope::All)
}

/// `GET /users/{id}/organization_invitations`: invitations to the user's email addresses.
pub(crate) fn user_invitations(ctx: &mut Ctx<'_>) -> HandlerResult {
    let user = users::render(ctx.tx, users::load(ctx, ctx.param("user_id"))?)?;
    let emails = user["email_addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["email_address"].as_str().map(str::to_owned))
        .collect();
    invitation_page(ctx, InvitationScope::Emails(emails))
}
