//! The planted-credential test (`tests/it/secrets_models.rs`), generated from the same rule that
//! makes fields `SecretString`: every model field and request setter the generator marks as a
//! credential gets a unique value, and `Debug` of its type must not show any 8-character piece.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::emit::Cx;
use crate::emit::api::example_id;
use crate::ir::{BodyKind, Home, Ir, Kind, Ty, TypeId};
use crate::names;

/// A value unique to `owner.field`, with no 8-character piece shared with other output.
fn planted(owner: &str, field: &str) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(format!("{owner}.{field}").as_bytes());
    let hex: String = hash.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("Pl4nt{hex}")
}

fn is_secret(ty: &Ty) -> bool {
    matches!(ty, Ty::Secret) || matches!(ty, Ty::Vec(inner) if **inner == Ty::Secret)
}

fn plant(ty: &Ty, value: &str) -> Value {
    if matches!(ty, Ty::Vec(_)) {
        Value::Array(vec![Value::from(value)])
    } else {
        Value::from(value)
    }
}

/// The smallest JSON the type accepts.
fn sample(ty: &Ty, ir: &Ir, depth: usize) -> Value {
    match ty {
        Ty::Str | Ty::Secret => Value::from("x"),
        Ty::I64 | Ty::F64 => Value::from(0),
        Ty::Bool => Value::Bool(false),
        Ty::Json | Ty::Map | Ty::MapOf(_) => Value::Object(Map::new()),
        Ty::Vec(_) | Ty::Page(_) => Value::Array(Vec::new()),
        Ty::Upload => Value::Null,
        Ty::Named(id) => match &ir.get(*id).kind {
            _ if depth > 12 => Value::Object(Map::new()),
            Kind::Struct { fields } => Value::Object(
                fields
                    .iter()
                    .filter(|f| f.required && !f.nullable)
                    .map(|f| (f.json.clone(), sample(&f.ty, ir, depth + 1)))
                    .collect(),
            ),
            Kind::Enum { values } => Value::from(values.first().cloned().unwrap_or_default()),
            Kind::Alias { ty } => sample(ty, ir, depth + 1),
            // Unions keep any shape they do not know.
            Kind::Union { .. } => Value::Object(Map::new()),
        },
    }
}

/// The whole test module.
///
/// # Errors
/// When the rule finds no credential model field or setter (the rule itself is broken).
pub fn emit(head: &str, ir: &Ir) -> Result<String, String> {
    let mut out = format!(
        "{head}//! Every field the generator marks as a credential, planted with a unique value: `Debug` of its\n\
         //! model or request never shows any 8-character piece of it.\n\n\
         /// Fails when any 8-character piece of `planted` appears in `shown`.\n\
         fn assert_hidden(shown: &str, planted: &str, what: &str) {{\n\
             let chars: Vec<char> = planted.chars().collect();\n\
             for w in chars.windows(8) {{\n\
                 let piece: String = w.iter().collect();\n\
                 assert!(!shown.contains(&piece), \"{{what}}: `{{piece}}` of the planted value shows in {{shown}}\");\n\
             }}\n\
         }}\n\n"
    );
    let mut model_cases = String::new();
    let mut count = 0;
    let cx = Cx::outside(ir);
    for id in in_test_order(ir) {
        let def = ir.get(id);
        let Kind::Struct { fields } = &def.kind else {
            continue;
        };
        let name = &def.name;
        for f in fields.iter().filter(|f| is_secret(&f.ty)) {
            let value = planted(name, &f.json);
            let Value::Object(mut json) = sample(&Ty::Named(id), ir, 0) else {
                continue;
            };
            json.insert(f.json.clone(), plant(&f.ty, &value));
            let text = Value::Object(json).to_string();
            let _ = writeln!(
                model_cases,
                "    let m: {} = serde_json::from_str(r#\"{text}\"#).expect(\"sample fits {name}\");\n    assert_hidden(&format!(\"{{m:?}}\"), \"{value}\", \"{name}.{}\");",
                cx.path(id),
                f.json
            );
            count += 1;
        }
    }
    let _ = writeln!(
        out,
        "#[test]\nfn model_credentials_never_show_in_debug() {{\n{model_cases}}}\n"
    );
    let mut req_cases = String::new();
    let mut requests = 0;
    for op in &ir.ops {
        let BodyKind::Json { fields } = &op.body else {
            continue;
        };
        let taken: Vec<&str> = op.query.iter().map(|p| p.rust.as_str()).collect();
        for f in fields.iter().filter(|f| is_secret(&f.ty)) {
            let setter = if taken.contains(&f.rust.as_str()) {
                format!("body_{}", f.rust)
            } else {
                f.rust.clone()
            };
            let value = planted(&op.type_name, &f.json);
            let arg = if matches!(f.ty, Ty::Vec(_)) {
                format!("[\"{value}\"]")
            } else {
                format!("\"{value}\"")
            };
            let args: Vec<String> = op
                .path_params
                .iter()
                .map(|p| format!("{:?}", example_id(p)))
                .collect();
            let allow = if op.deprecated {
                "    #[allow(deprecated)]\n"
            } else {
                ""
            };
            let _ = writeln!(
                req_cases,
                "{allow}    let r = clerk_backend::api::{}::{}::new({}).{setter}({arg});\n    assert_hidden(&format!(\"{{r:?}}\"), \"{value}\", \"{}.{}\");",
                names::field(&op.group),
                op.type_name,
                args.join(", "),
                op.type_name,
                f.json
            );
            requests += 1;
        }
    }
    let _ = writeln!(
        out,
        "#[test]\nfn request_credentials_never_show_in_debug() {{\n{req_cases}}}"
    );
    if count == 0 || requests == 0 {
        return Err(format!(
            "the credential rule found {count} model fields and {requests} request setters"
        ));
    }
    Ok(out)
}

/// Models by name, then each group's types and the webhook payloads in definition order.
fn in_test_order(ir: &Ir) -> Vec<TypeId> {
    let mut ids = ir.live();
    ids.sort_by(|a, b| {
        let (a, b) = (ir.get(*a), ir.get(*b));
        let key = |d: &crate::ir::TypeDef| match &d.home {
            Home::Models => (0, String::new(), d.name.clone(), 0),
            Home::Group(g) => (1, g.clone(), String::new(), d.seq),
            Home::Webhooks => (2, String::new(), String::new(), d.seq),
        };
        key(a).cmp(&key(b))
    });
    ids
}
