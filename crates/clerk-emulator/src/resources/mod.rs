//! The stateful operations, one module per resource family, and the table routing to them.

pub(crate) mod instance;
pub(crate) mod invitations;
pub(crate) mod machine;
pub(crate) mod organizations;
pub(crate) mod sessions;
pub(crate) mod users;

use crate::request::{Ctx, HandlerResult, Reply};
use serde_json::{Map, Value, json};

pub(crate) type Handler = fn(&mut Ctx<'_>) -> HandlerResult;

/// Every operation the emulator answers statefully, by the SDK's group and name.
pub(crate) const HANDLERS: &[(&str, &str, Handler)] = &[
    ("jwks", "get_jwks", sessions::jwks),
    ("users", "list", users::list),
    ("users", "create", users::create),
    ("users", "count", users::count),
    ("users", "get", users::get),
    ("users", "update", users::update),
    ("users", "delete", users::delete),
    ("users", "ban", users::ban),
    ("users", "unban", users::unban),
    ("users", "bulk_ban", users::bulk_ban),
    ("users", "bulk_unban", users::bulk_unban),
    ("users", "lock", users::lock),
    ("users", "unlock", users::unlock),
    ("users", "set_profile_image", users::set_profile_image),
    ("users", "delete_profile_image", users::delete_profile_image),
    ("users", "update_metadata", users::update_metadata),
    ("users", "replace_metadata", users::replace_metadata),
    ("users", "remove_password", users::remove_password),
    ("users", "verify_password", users::verify_password),
    (
        "users",
        "get_organization_memberships",
        users::organization_memberships,
    ),
    (
        "users",
        "get_instance_organization_memberships",
        organizations::instance_memberships,
    ),
    ("email_addresses", "create", users::email_addresses::create),
    ("email_addresses", "get", users::email_addresses::get),
    ("email_addresses", "update", users::email_addresses::update),
    ("email_addresses", "delete", users::email_addresses::delete),
    (
        "phone_numbers",
        "create",
        users::email_addresses::create_phone,
    ),
    ("phone_numbers", "get", users::email_addresses::get_phone),
    (
        "phone_numbers",
        "update",
        users::email_addresses::update_phone,
    ),
    (
        "phone_numbers",
        "delete",
        users::email_addresses::delete_phone,
    ),
    ("sessions", "list", sessions::list),
    ("sessions", "create", sessions::create),
    ("sessions", "get", sessions::get),
    ("sessions", "revoke", sessions::revoke),
    ("sessions", "create_token", sessions::create_token),
    (
        "sessions",
        "create_token_from_template",
        sessions::create_token_from_template,
    ),
    ("clients", "get", sessions::client_get),
    ("clients", "list", sessions::client_list),
    ("jwt_templates", "list", sessions::template_list),
    ("jwt_templates", "create", sessions::template_create),
    ("jwt_templates", "get", sessions::template_get),
    ("jwt_templates", "update", sessions::template_update),
    ("jwt_templates", "delete", sessions::template_delete),
    ("organizations", "list", organizations::list),
    ("organizations", "create", organizations::create),
    ("organizations", "get", organizations::get),
    ("organizations", "update", organizations::update),
    ("organizations", "delete", organizations::delete),
    (
        "organizations",
        "merge_metadata",
        organizations::merge_metadata_op,
    ),
    (
        "organizations",
        "replace_metadata",
        organizations::replace_metadata,
    ),
    ("organizations", "upload_logo", organizations::upload_logo),
    ("organizations", "delete_logo", organizations::delete_logo),
    (
        "organization_memberships",
        "create",
        organizations::membership_create,
    ),
    (
        "organization_memberships",
        "list",
        organizations::membership_list,
    ),
    (
        "organization_memberships",
        "update",
        organizations::membership_update,
    ),
    (
        "organization_memberships",
        "delete",
        organizations::membership_delete,
    ),
    (
        "organization_memberships",
        "update_metadata",
        organizations::membership_metadata,
    ),
    (
        "organization_invitations",
        "create",
        organizations::invitation_create,
    ),
    (
        "organization_invitations",
        "bulk_create",
        organizations::invitation_bulk_create,
    ),
    (
        "organization_invitations",
        "list",
        organizations::invitation_list,
    ),
    (
        "organization_invitations",
        "get",
        organizations::invitation_get,
    ),
    (
        "organization_invitations",
        "revoke",
        organizations::invitation_revoke,
    ),
    (
        "organization_invitations",
        "get_all",
        organizations::invitation_list_all,
    ),
    (
        "users",
        "get_organization_invitations",
        organizations::user_invitations,
    ),
    ("invitations", "create", invitations::create),
    ("invitations", "list", invitations::list),
    ("invitations", "bulk_create", invitations::bulk_create),
    ("invitations", "revoke", invitations::revoke),
    ("allowlist_identifiers", "list", instance::allowlist_list),
    (
        "allowlist_identifiers",
        "create",
        instance::allowlist_create,
    ),
    (
        "allowlist_identifiers",
        "delete",
        instance::allowlist_delete,
    ),
    ("blocklist_identifiers", "list", instance::blocklist_list),
    (
        "blocklist_identifiers",
        "create",
        instance::blocklist_create,
    ),
    (
        "blocklist_identifiers",
        "delete",
        instance::blocklist_delete,
    ),
    ("redirect_urls", "list", instance::redirect_list),
    ("redirect_urls", "create", instance::redirect_create),
    ("redirect_urls", "get", instance::redirect_get),
    ("redirect_urls", "delete", instance::redirect_delete),
    ("sign_in_tokens", "create", instance::sign_in_token_create),
    ("sign_in_tokens", "revoke", instance::sign_in_token_revoke),
    ("testing_tokens", "create", instance::testing_token_create),
    ("actor_tokens", "create", instance::actor_token_create),
    ("actor_tokens", "revoke", instance::actor_token_revoke),
    ("api_keys", "list", machine::api_key_list),
    ("api_keys", "create", machine::api_key_create),
    ("api_keys", "get", machine::api_key_get),
    ("api_keys", "update", machine::api_key_update),
    ("api_keys", "delete", machine::api_key_delete),
    ("api_keys", "get_secret", machine::api_key_secret),
    ("api_keys", "revoke", machine::api_key_revoke),
    ("api_keys", "verify", machine::api_key_verify),
    ("m2m", "list_tokens", machine::m2m_list),
    ("m2m", "create_token", machine::m2m_create),
    ("m2m", "revoke_token", machine::m2m_revoke),
    ("m2m", "verify_token", machine::m2m_verify),
];

pub(crate) fn handler(group: &str, name: &str) -> Option<Handler> {
    HANDLERS
        .iter()
        .find(|(g, n, _)| *g == group && *n == name)
        .map(|(_, _, h)| *h)
}

/// `{"object", "id", "deleted": true}`.
pub(crate) fn deleted(object: &str, id: &str) -> Value {
    json!({"object": object, "id": id, "deleted": true})
}

/// Drop the emulator's own bookkeeping fields (`__…`) before a document leaves.
pub(crate) fn strip_private(doc: &mut Value) {
    if let Some(m) = doc.as_object_mut() {
        m.retain(|k, _| !k.starts_with("__"));
    }
}

/// One page of `objects o` matching `filters`, in `order` (`… LIMIT ? OFFSET ?`).
///
/// The page's keys are chosen first, from the index alone where the filters allow, and only
/// those rows' documents are read: SQLite reads every row an `OFFSET` skips, so a plain query
/// would load thousands of documents to show a late page.
pub(crate) fn list_sql(filters: &[String], order: &str) -> String {
    format!(
        "SELECT o.doc FROM (SELECT o.kind AS pk_kind, o.id AS pk_id FROM objects o WHERE {} \
         ORDER BY {order} LIMIT ? OFFSET ?) p \
         JOIN objects o ON o.kind = p.pk_kind AND o.id = p.pk_id ORDER BY {order}",
        filters.join(" AND ")
    )
}

/// A bare array, or `{data, total_count}` when the request says `paginated=true`.
pub(crate) fn paged(ctx: &Ctx<'_>, items: Vec<Value>, total: i64) -> HandlerResult {
    if ctx.query.bool("paginated")?.unwrap_or(false) {
        Ok(Reply::ok(json!({"data": items, "total_count": total})))
    } else {
        Ok(Reply::ok(Value::Array(items)))
    }
}

/// `PATCH …/metadata`: objects merge key by key, recursively; a `null` value deletes its key.
pub(crate) fn merge_metadata(target: &mut Value, patch: Map<String, Value>) {
    if !target.is_object() {
        *target = json!({});
    }
    let Some(t) = target.as_object_mut() else {
        return;
    };
    for (k, v) in patch {
        match v {
            Value::Null => {
                t.remove(&k);
            }
            Value::Object(inner) => {
                let slot = t.entry(k).or_insert_with(|| json!({}));
                merge_metadata(slot, inner);
            }
            other => {
                t.insert(k, other);
            }
        }
    }
}

/// The `email.created` payload for an address added to `user`.
pub(crate) fn email_event(email: &Value, user: &Value) -> Value {
    json!({
        "object": "email", "id": email["id"], "slug": "emulator", "to_email_address": email["email_address"],
        "user_id": user["id"], "email_address_id": email["id"], "status": "queued",
        "subject": "Welcome", "body": "", "body_plain": "", "delivered_by_clerk": false,
        "from_email_name": "notifications", "data": {},
    })
}
