//! Reading the specs into the [`Ir`]: component schemas, operations (plus those only the seed
//! spec still has) and webhook events. Nothing here prints Rust.

mod credentials;
pub mod operations;
mod schemas;

use std::collections::HashSet;

use serde_json::Value;

use schemas::{Arena, TypeGen};

use crate::ir::{Home, Ir, WebhookEventDef};
use crate::names;
use crate::spec::Spec;

/// The specs one generation run reads.
pub struct Specs<'s> {
    pub main: &'s Spec,
    /// An older API version: its operations the main spec dropped are kept (deprecated), and
    /// the models also decode its responses.
    pub seed: Option<&'s Spec>,
    pub webhooks: Option<&'s Spec>,
}

/// Read everything into one IR.
///
/// # Errors
/// A webhooks spec without the events it should describe.
pub fn read(specs: &Specs<'_>) -> Result<Ir, String> {
    let mut arena = Arena::default();
    let main = specs.main;
    let mut tg = TypeGen::new(main, &mut arena, Home::Models);
    if let Some(seed) = specs.seed {
        tg.add_compat(seed);
    }
    tg.components();
    let mut ops = operations::collect(main, &mut tg, None, &|_, _| true);
    let component_ids = tg.component_ids.clone();
    if let Some(seed) = specs.seed {
        let present: HashSet<(String, String)> = ops
            .iter()
            .map(|o| (o.group.clone(), o.fn_name.clone()))
            .collect();
        let version = main
            .doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("current")
            .to_owned();
        let mut seed_tg = TypeGen::sharing(seed, &mut arena, component_ids);
        ops.extend(operations::collect(
            seed,
            &mut seed_tg,
            Some(&version),
            &|g, n| !present.contains(&(g.to_owned(), n.to_owned())),
        ));
    }
    let mut ir = Ir {
        ops,
        ..Ir::default()
    };
    if let Some(hooks) = specs.webhooks {
        read_webhooks(hooks, &mut arena, &mut ir)?;
    }
    ir.types = arena.types;
    Ok(ir)
}

/// Every `x-webhooks` entry: its payload type (the `data` of the event).
fn read_webhooks(spec: &Spec, arena: &mut Arena, ir: &mut Ir) -> Result<(), String> {
    // The spec's own examples omit properties its schemas call required (6 of 27 examples
    // measured), and a webhook handler must not drop an event over a missing field: every
    // payload field is optional.
    let mut tg = TypeGen::new(spec, arena, Home::Webhooks);
    tg.lenient = true;
    tg.components();
    ir.webhook_envelope = tg.component_ids.get("WebhookEventPayload").copied();
    let hooks = spec
        .doc
        .get("x-webhooks")
        .and_then(Value::as_object)
        .ok_or("webhooks spec has no x-webhooks")?;
    for (event, item) in hooks {
        let schema = item
            .pointer("/post/requestBody/content/application~1json/schema")
            .ok_or_else(|| format!("webhook {event} has no JSON body"))?;
        let data = schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find_map(|part| part.pointer("/properties/data"))
            .ok_or_else(|| format!("webhook {event} has no data property"))?;
        let variant = names::type_name(event);
        let (ty, _) = tg.resolve(data, &format!("{variant}Data"));
        ir.webhook_events.push(WebhookEventDef {
            event: event.clone(),
            variant,
            data: ty,
        });
    }
    Ok(())
}
