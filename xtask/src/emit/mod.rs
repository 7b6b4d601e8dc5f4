//! Printing the [`Ir`] as Rust: every decision was made before; these modules only print.

pub mod api;
pub mod models;
pub mod table;
pub mod types;
pub mod webhooks;

use crate::ir::{Home, Ir, Ty, TypeId};
use crate::names;

/// What is being printed, and from which module: type paths are relative to it.
pub struct Cx<'a> {
    pub ir: &'a Ir,
    /// The module the code is printed into; `None`: outside the crate (tests), full paths.
    pub from: Option<Home>,
}

impl<'a> Cx<'a> {
    pub fn new(ir: &'a Ir, from: Home) -> Self {
        Cx {
            ir,
            from: Some(from),
        }
    }

    /// Code in another crate (the SDK's tests).
    pub fn outside(ir: &'a Ir) -> Self {
        Cx { ir, from: None }
    }

    /// The path of a generated type as seen from here.
    pub fn path(&self, id: TypeId) -> String {
        let def = self.ir.get(id);
        if self.from.as_ref() == Some(&def.home) {
            return def.name.clone();
        }
        let krate = if self.from.is_some() {
            "crate"
        } else {
            "clerk_backend"
        };
        format!("{krate}::{}::{}", module_path(&def.home), def.name)
    }

    /// A Rust type expression in a named type or a response (what is decoded): a free-form
    /// object is a `JsonObject` (kept as text, parsed when read).
    pub fn ty(&self, ty: &Ty) -> String {
        self.ty_as(ty, false)
    }

    /// A Rust type expression in a request's own fields and setters (built by the caller, only
    /// serialized): a free-form object is a `serde_json::Map`.
    pub fn request_ty(&self, ty: &Ty) -> String {
        self.ty_as(ty, true)
    }

    fn ty_as(&self, ty: &Ty, request: bool) -> String {
        match ty {
            Ty::Str => "String".into(),
            Ty::Secret => self.krate("SecretString"),
            Ty::I64 => "i64".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Json => "serde_json::Value".into(),
            Ty::Map if request => "serde_json::Map<String, serde_json::Value>".into(),
            Ty::Map => self.krate("JsonObject"),
            Ty::MapOf(t) => format!(
                "std::collections::BTreeMap<String, {}>",
                self.ty_as(t, request)
            ),
            Ty::Vec(t) => format!("Vec<{}>", self.ty_as(t, request)),
            Ty::Named(id) => self.path(*id),
            Ty::Upload => self.krate("Upload"),
            Ty::Page(t) => format!(
                "{}<{}>",
                self.krate("pagination::Page"),
                self.ty_as(t, request)
            ),
        }
    }

    fn krate(&self, item: &str) -> String {
        if self.from.is_some() {
            format!("crate::{item}")
        } else {
            format!("clerk_backend::{item}")
        }
    }
}

/// The module path of a home, below the crate root.
pub fn module_path(home: &Home) -> String {
    match home {
        Home::Models => "models".into(),
        Home::Group(g) => format!("api::{}", names::field(g)),
        Home::Webhooks => "webhook_events".into(),
    }
}
