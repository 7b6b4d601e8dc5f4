//! Naming: one rule, and every public name unique across the crate.
//!
//! - **Component schemas** keep their schema's name (`User`, `OrganizationMembership`).
//! - **Request types** are `{Verb}{Resource}{Rest}` ([`request_type_name`]): the operation's
//!   verb, the group's resource noun (plural after `list`, `count`, `bulk_…`, `…_all`), then the
//!   rest of the operation's name — `users.update_metadata` → `UpdateUserMetadata`,
//!   `invitations.bulk_create` → `BulkCreateInvitations`. The noun is left out when the name
//!   already says it (`organization_invitations.get_all` → `GetAllOrganizationInvitations`,
//!   `jwks.get_jwks` → `GetJwks`).
//! - **Inline types** are named after where they appear: the owner's name plus the property
//!   path (`UserPrimaryEmailAddress`, `ListUsersOrderBy`). One that is the response of several
//!   operations of a group, its `get` among them, is that group's resource (`api_keys` →
//!   `ApiKey`). Inline types merged because they were alike take the words all their names
//!   share (`VerificationOtpStatus` + `VerificationWeb3Status` → `VerificationStatus`).
//! - **Webhook payload types** that differ from every API model are `Webhook{Name}`
//!   (`WebhookUser`); those whose shape agrees with a model are that model.
//! - A name still taken after that (rare) gets a number (`Foo2`); the check pass then proves
//!   every name is unique.

use std::collections::{BTreeMap, HashSet};

use crate::ir::{BodyKind, Home, Ir, Output, Ty, TypeId};
use crate::names;

/// The resource noun of a group, as words: `users` → `user`. A group named after a setting
/// rather than a resource names the resource it sets.
fn resource(group: &str) -> Vec<String> {
    match group {
        "instance_settings" | "beta_features" => vec!["instance".into()],
        "miscellaneous" => Vec::new(),
        _ => {
            let mut words = names::words(group);
            if let Some(last) = words.last_mut() {
                *last = names::singular(last);
            }
            words
        }
    }
}

/// `users` + `list` → `ListUsers`, `users` + `update_metadata` → `UpdateUserMetadata`; see the
/// module doc for the rule.
pub fn request_type_name(group: &str, fn_name: &str) -> String {
    let words = names::words(fn_name);
    if words.is_empty() {
        return names::type_name(group);
    }
    let noun = resource(group);
    // The verb: one word, two for `bulk_create` and for `get_all` / `list_pending`.
    let mut verb_len = 1.min(words.len());
    if words.first().is_some_and(|w| w == "bulk")
        || words
            .get(1)
            .is_some_and(|w| matches!(w.as_str(), "all" | "pending"))
    {
        verb_len = 2.min(words.len());
    }
    let (verb, rest) = words.split_at(verb_len);
    let names_it = noun.last().is_some_and(|last| {
        let plural = names::words(group).last().cloned().unwrap_or_default();
        words.iter().any(|w| w == last || *w == plural)
    });
    let mut out: Vec<String> = verb.to_vec();
    if !names_it && !noun.is_empty() {
        let plural = rest.is_empty()
            && (matches!(verb[0].as_str(), "list" | "count" | "bulk") || verb_len == 2);
        if plural && !matches!(group, "instance_settings" | "beta_features") {
            out.extend(names::words(group));
        } else {
            out.extend(noun);
        }
    }
    out.extend_from_slice(rest);
    names::type_name(&out.join("_"))
}

/// Merged types whose members' names share no good name, keyed by the name of one member:
/// the rule would name them after one use, which misleads at the others. Codegen fails when a
/// key names no type, so a stale entry cannot linger.
const OVERRIDES: &[(&str, &str, &str)] = &[
    // (member, name, why)
    (
        "VerificationSamlStatus",
        "SsoVerificationStatus",
        "the status of a SAML or an OAuth verification (`VerificationStatus` plus `transferable`)",
    ),
    (
        "VerificationFromOauthStatus",
        "ProviderVerificationStatus",
        "the status of an identifier verified by a provider: OAuth or Google One Tap",
    ),
    (
        "DeleteUserTotpResponse",
        "DisableUserMfaResponse",
        "deleting a user's TOTP or backup codes disables that factor too",
    ),
    (
        "ListM2mTokensResponseM2mTokensItem",
        "M2mToken",
        "one M2M token, as listed and verified",
    ),
    (
        "CommercePaymentSourceResponseStatus",
        "PaymentMethodStatus",
        "payment sources were renamed payment methods; the words they share drop the noun",
    ),
];

/// Give every emitted type its name by the rule, unique across the crate. Returns the
/// [`OVERRIDES`] that matched no type.
pub fn assign(ir: &mut Ir) -> Vec<&'static str> {
    let mut taken: HashSet<String> = ["Event", "WebhookEvent"].map(str::to_owned).into();
    for op in &ir.ops {
        taken.insert(op.type_name.clone());
        taken.insert(format!("{}Api", names::type_name(&op.group)));
        if let BodyKind::Json { .. } = op.body {
            taken.insert(format!("{}Body", op.type_name));
        }
    }
    let resources = shared_responses(ir);
    let common = common_names(ir);
    let members = member_names(ir);
    let mut overrides: BTreeMap<TypeId, String> = BTreeMap::new();
    let mut unused = Vec::new();
    for (member, name, _) in OVERRIDES {
        match members
            .iter()
            .find(|(_, names)| names.iter().any(|n| n == member))
        {
            Some((id, _)) => {
                overrides.insert(*id, (*name).to_owned());
            }
            None => unused.push(*member),
        }
    }
    let mut order: Vec<TypeId> = ir.live();
    order.sort_by_key(|id| (ir.get(*id).component.is_none(), id.0));
    for id in order {
        let def = &ir.types[id.0];
        let own = |n: &str| {
            if def.home == Home::Webhooks && !n.starts_with("Webhook") {
                format!("Webhook{n}")
            } else {
                n.to_owned()
            }
        };
        // The rule's name, else the best name of a type merged into this one.
        let candidates: Vec<String> = overrides
            .get(&id)
            .or_else(|| resources.get(&id))
            .or_else(|| common.get(&id))
            .into_iter()
            .chain(members.get(&id).into_iter().flatten())
            .map(|n| own(n))
            .collect();
        let base = candidates
            .iter()
            .find(|n| !taken.contains(*n))
            .cloned()
            .unwrap_or_else(|| own(&def.name));
        let mut name = base.clone();
        let mut i = 2;
        while taken.contains(&name) {
            name = format!("{base}{i}");
            i += 1;
        }
        taken.insert(name.clone());
        ir.types[id.0].name = name;
    }
    unused
}

/// The names of every type merged into each one: API models' names, then webhook payloads',
/// then a group's (which are named after a request), shortest first.
fn member_names(ir: &Ir) -> BTreeMap<TypeId, Vec<String>> {
    let mut out: BTreeMap<TypeId, Vec<(usize, usize, String)>> = BTreeMap::new();
    for (i, def) in ir.types.iter().enumerate() {
        let rep = def.merged_into.unwrap_or(TypeId(i));
        out.entry(rep)
            .or_default()
            .push((origin(def), def.name.len(), def.name.clone()));
    }
    out.into_iter()
        .map(|(id, mut names)| {
            names.sort();
            (id, names.into_iter().map(|n| n.2).collect())
        })
        .collect()
}

/// Where a type was read, best first: a component schema, a type inside one, a webhook
/// payload's, a request's or response's.
fn origin(def: &crate::ir::TypeDef) -> usize {
    match (&def.read_home, &def.component) {
        (Home::Models, Some(_)) => 0,
        (Home::Models, None) => 1,
        (Home::Webhooks, _) => 2,
        (Home::Group(_), _) => 3,
    }
}

/// Group-local types that are the response of the group's `get` and of other operations too:
/// the group's resource, named after it.
fn shared_responses(ir: &Ir) -> BTreeMap<TypeId, String> {
    let mut uses: BTreeMap<TypeId, Vec<&crate::ir::Op>> = BTreeMap::new();
    for op in &ir.ops {
        if let Output::Json(Ty::Named(id)) = &op.output
            && ir.get(*id).home == Home::Group(op.group.clone())
        {
            uses.entry(*id).or_default().push(op);
        }
    }
    uses.into_iter()
        .filter(|(_, ops)| ops.len() > 1 && ops.iter().any(|op| op.fn_name == "get"))
        .map(|(id, ops)| (id, names::type_name(&resource(&ops[0].group).join("_"))))
        .collect()
}

/// Inline types the dedup pass merged: the words all their names share, in order, when they
/// end on the same word (`VerificationOtpStatus` + `VerificationWeb3Status` →
/// `VerificationStatus`, `Create…` + `UpdateSamlConnectionAttributeMapping` →
/// `SamlConnectionAttributeMapping`), so a type used in several places is not named after
/// one of them. Only the names from the best [`origin`] count: a type a model's field has is
/// named for the models that have it, not for the requests that also send it. A repeated word
/// is said once (`Allowlist…` + `BlocklistIdentifierIdentifierType` → `IdentifierType`).
fn common_names(ir: &Ir) -> BTreeMap<TypeId, String> {
    let mut members: BTreeMap<TypeId, Vec<(usize, &str)>> = BTreeMap::new();
    for (i, def) in ir.types.iter().enumerate() {
        let rep = def.merged_into.unwrap_or(TypeId(i));
        members
            .entry(rep)
            .or_default()
            .push((origin(def), def.name.as_str()));
    }
    let mut out = BTreeMap::new();
    for (rep, all) in members {
        if ir.get(rep).component.is_some() {
            continue;
        }
        let best = all.iter().map(|m| m.0).min().unwrap_or_default();
        let of_best: Vec<&str> = all.iter().filter(|m| m.0 == best).map(|m| m.1).collect();
        let pick = if of_best.len() >= 2 {
            of_best
        } else {
            all.iter().map(|m| m.1).collect()
        };
        if let Some(name) = shared_name(&pick) {
            out.insert(rep, name);
        }
    }
    out
}

/// The words every name has, in order and spelled as the first name spells them, when they
/// all end on the same word and share two; a repeated word is said once.
fn shared_name(names_: &[&str]) -> Option<String> {
    // The words of each name, singular: `Sessions` and `Session` are the same word here.
    let singular: Vec<Vec<String>> = names_
        .iter()
        .map(|n| names::words(n).iter().map(|w| names::singular(w)).collect())
        .collect();
    let first = singular.first()?;
    if names_.len() < 2
        || singular
            .iter()
            .any(|w| w.is_empty() || w.last() != first.last())
    {
        return None;
    }
    let shared = singular[1..]
        .iter()
        .fold(first.clone(), |acc, w| common_subsequence(&acc, w));
    let mut k = 0;
    let mut spelled: Vec<String> = Vec::new();
    for (w, s) in names::words(names_[0]).into_iter().zip(first) {
        if shared.get(k) == Some(s) {
            match spelled.last_mut() {
                Some(last) if names::singular(last) == *s => *last = w,
                _ => spelled.push(w),
            }
            k += 1;
        }
    }
    (spelled.len() >= 2).then(|| names::type_name(&spelled.join("_")))
}

/// The longest sequence of words both `a` and `b` contain in this order.
fn common_subsequence(a: &[String], b: &[String]) -> Vec<String> {
    let mut len = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            len[i][j] = if a[i] == b[j] {
                len[i + 1][j + 1] + 1
            } else {
                len[i + 1][j].max(len[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(a[i].clone());
            i += 1;
            j += 1;
        } else if len[i + 1][j] >= len[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_types_take_the_words_their_names_share() {
        let w = |s: &str| names::words(s);
        assert_eq!(
            common_subsequence(
                &w("VerificationOtpStatus"),
                &w("VerificationEmailLinkStatus")
            ),
            w("VerificationStatus")
        );
        assert_eq!(
            common_subsequence(
                &w("AdjustUserBillingCreditBalanceAction"),
                &w("AdjustCreditBalanceRequestAction")
            ),
            w("AdjustCreditBalanceAction")
        );
        assert!(common_subsequence(&w("UserId"), &w("SessionStatus")).is_empty());
    }

    #[test]
    fn merged_names() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (
                &["VerificationOtpStatus", "VerificationWeb3Status"],
                Some("VerificationStatus"),
            ),
            (
                &[
                    "CreateSamlConnectionAttributeMapping",
                    "UpdateSamlConnectionAttributeMapping",
                ],
                Some("SamlConnectionAttributeMapping"),
            ),
            (
                &[
                    "AllowlistIdentifierIdentifierType",
                    "BlocklistIdentifierIdentifierType",
                ],
                Some("IdentifierType"),
            ),
            (
                &[
                    "ListEmailSmsTemplatesTemplateType",
                    "ToggleTemplateDeliveryTemplateType",
                ],
                Some("TemplateType"),
            ),
            (&["UserId", "SessionStatus"], None),
            (&["ActorTokenStatus", "SessionStatus"], None),
            (
                &[
                    "VerifyM2mTokenResponse",
                    "ListM2mTokensResponseM2mTokensItem",
                ],
                None,
            ),
            (&["OnlyOne"], None),
        ];
        for (names_, want) in cases {
            assert_eq!(shared_name(names_).as_deref(), *want, "{names_:?}");
        }
    }

    #[test]
    fn request_type_names() {
        let table = [
            ("users", "list", "ListUsers"),
            ("users", "get", "GetUser"),
            ("users", "count", "CountUsers"),
            ("users", "update_metadata", "UpdateUserMetadata"),
            ("users", "bulk_ban", "BulkBanUsers"),
            ("users", "get_oauth_access_token", "GetUserOauthAccessToken"),
            ("invitations", "bulk_create", "BulkCreateInvitations"),
            ("waitlist_entries", "create", "CreateWaitlistEntry"),
            (
                "organization_invitations",
                "get_all",
                "GetAllOrganizationInvitations",
            ),
            (
                "organization_invitations",
                "list_pending",
                "ListPendingOrganizationInvitations",
            ),
            (
                "organization_domains",
                "list_all",
                "ListAllOrganizationDomains",
            ),
            (
                "email_addresses",
                "replace_for_user",
                "ReplaceEmailAddressForUser",
            ),
            ("m2m", "create_token", "CreateM2mToken"),
            ("sessions", "create_token", "CreateSessionToken"),
            ("jwks", "get_jwks", "GetJwks"),
            ("instance_settings", "get", "GetInstance"),
            (
                "instance_settings",
                "get_instance_protect",
                "GetInstanceProtect",
            ),
            (
                "beta_features",
                "update_instance_settings",
                "UpdateInstanceSettings",
            ),
            (
                "email_sms_templates",
                "toggle_template_delivery",
                "ToggleTemplateDelivery",
            ),
            (
                "miscellaneous",
                "get_public_interstitial",
                "GetPublicInterstitial",
            ),
            ("api_keys", "get_secret", "GetApiKeySecret"),
        ];
        for (group, name, want) in table {
            assert_eq!(request_type_name(group, name), want, "{group}.{name}");
        }
    }
}
