//! Printing `webhook_events.rs`: `Event<T>`, the `WebhookEvent` union, and the payload types
//! only webhooks use.

use std::fmt::Write as _;

use super::Cx;
use super::types::emit_defs;
use crate::ir::{Home, Ir, TypeId};

/// The whole file; `head` is the `@generated` line of the webhooks spec.
pub fn emit(ir: &Ir, head: &str) -> String {
    let cx = Cx::new(ir, Home::Webhooks);
    let envelope = ir
        .webhook_envelope
        .map_or_else(|| "WebhookEventPayload".to_owned(), |id| cx.path(id));
    let mut out = head.to_owned();
    out.push_str(
        "//! Webhook event payloads: [`WebhookEvent`] has one variant per event type.\n\n",
    );
    let _ = write!(
        out,
        "/// One delivered event: the envelope (type, timestamp, instance) and its typed `data`.\n\
         #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\n\
         pub struct Event<T> {{\n    /// The event's payload.\n    pub data: T,\n    \
         /// Envelope fields shared by every event.\n    #[serde(flatten)]\n    pub envelope: {envelope},\n}}\n\n",
    );
    out.push_str("crate::tagged_union! {\n    /// A webhook event, decoded by its `type`; unknown types are kept as raw JSON.\n    pub enum WebhookEvent tag \"type\" {\n");
    for e in &ir.webhook_events {
        let _ = writeln!(
            out,
            "        /// `{}`\n        {}(Event<{}>) = {:?},",
            e.event,
            e.variant,
            cx.ty(&e.data),
            e.event
        );
    }
    out.push_str("    }\n}\n\nimpl WebhookEvent {\n    /// The event type, e.g. `user.created`.\n    #[must_use]\n    pub fn event_type(&self) -> &str {\n        match self {\n");
    for e in &ir.webhook_events {
        let _ = writeln!(out, "            Self::{}(_) => {:?},", e.variant, e.event);
    }
    out.push_str("            Self::Unknown(v) => v.get(\"type\").and_then(serde_json::Value::as_str).unwrap_or(\"\"),\n        }\n    }\n}\n\n");
    let own: Vec<TypeId> = ir
        .live()
        .into_iter()
        .filter(|&id| ir.get(id).home == Home::Webhooks)
        .collect();
    emit_defs(&cx, &own, &mut out);
    out
}
