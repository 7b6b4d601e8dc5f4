//! The generator's intermediate representation: what the specs say, before any Rust is printed.
//!
//! Reading ([`crate::read`]) fills an [`Ir`] from the specs; passes ([`crate::passes`]) merge
//! types of the same shape and name them; emission ([`crate::emit`]) only prints it. Types live
//! in one arena and are referred to by [`TypeId`], never by name, so a pass can merge or rename
//! a type without touching the places that use it.

use serde_json::Value;

impl TypeDef {
    /// The models file this type is printed in (models only): its component's, or one of its
    /// own for a type the dedup pass moved to the models from a group or from webhooks.
    pub fn model_file(&self) -> String {
        self.file.clone().unwrap_or_else(|| self.name.clone())
    }
}

/// Index of a type in [`Ir::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A Rust type expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Str,
    Secret,
    I64,
    F64,
    Bool,
    /// Any JSON.
    Json,
    /// Free-form object.
    Map,
    MapOf(Box<Ty>),
    Vec(Box<Ty>),
    /// A generated type.
    Named(TypeId),
    /// A file part of a multipart body.
    Upload,
    /// A list that comes bare or wrapped in `{data, total_count}` (`paginated=true`).
    Page(Box<Ty>),
}

impl Ty {
    /// Every type this expression names.
    pub fn visit_mut(&mut self, f: &mut dyn FnMut(&mut TypeId)) {
        match self {
            Ty::Named(id) => f(id),
            Ty::MapOf(t) | Ty::Vec(t) | Ty::Page(t) => t.visit_mut(f),
            _ => {}
        }
    }
}

/// One property of an object.
#[derive(Debug, Clone)]
pub struct Field {
    pub json: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub nullable: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
}

/// What a type is.
#[derive(Debug, Clone)]
pub enum Kind {
    Struct {
        fields: Vec<Field>,
    },
    Enum {
        values: Vec<String>,
    },
    /// oneOf/anyOf: with a discriminator property, or tried in order.
    Union {
        variants: Vec<Variant>,
        tag: Option<String>,
    },
    Alias {
        ty: Ty,
    },
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub ty: Ty,
    pub tag_value: Option<String>,
}

/// The module a type is emitted in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Home {
    /// `crate::models`: component schemas and every type more than one module uses.
    Models,
    /// `crate::api::<group>`: inline types of that group's operations only.
    Group(String),
    /// `crate::webhook_events`: types only webhook payloads use.
    Webhooks,
}

/// One generated type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name (final after [`crate::passes::naming`]).
    pub name: String,
    /// Where the type came from, for naming: the component name, or the owner's name plus the
    /// property path (`UserPrimaryEmailAddress`).
    pub hint: String,
    pub doc: Option<String>,
    pub kind: Kind,
    pub home: Home,
    /// The module reading put it in (the dedup pass may move it to the models).
    pub read_home: Home,
    /// The component schema this type is (`Some`) rather than an inline schema.
    pub component: Option<String>,
    /// The component schema whose file holds this type (models only).
    pub file: Option<String>,
    /// Emission order: definitions are printed in the order reading finished them.
    pub seq: usize,
    /// Set by the dedup pass when another type of the same shape replaces this one.
    pub merged_into: Option<TypeId>,
}

/// One query or path parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub json: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub explode: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub schema: Value,
}

#[derive(Debug, Clone)]
pub enum BodyKind {
    None,
    /// A JSON object; each property is a setter.
    Json {
        fields: Vec<Field>,
    },
    /// A JSON value that is not an object (an array): one `body` setter.
    JsonValue {
        ty: Ty,
        required: bool,
    },
    /// multipart/form-data: one file part plus text fields.
    Multipart {
        file: String,
        fields: Vec<Field>,
    },
}

#[derive(Debug, Clone)]
pub enum Output {
    Json(Ty),
    Empty,
    Text,
}

#[derive(Debug, Clone)]
pub struct Paging {
    pub item: Ty,
    /// `Some((items field, total_count required?))` for `{data, total_count}` pages; `None`
    /// for bare arrays.
    pub data: Option<(String, bool)>,
    /// `total_count` is declared as `number`.
    pub total_is_float: bool,
}

#[derive(Debug, Clone)]
pub struct Op {
    pub group: String,
    pub fn_name: String,
    /// The request type's name (see [`crate::passes::naming::request_type_name`]).
    pub type_name: String,
    pub const_name: String,
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
    pub deprecated: bool,
    pub authenticated: bool,
    pub path_params: Vec<Param>,
    pub query: Vec<Param>,
    pub body: BodyKind,
    pub output: Output,
    pub paging: Option<Paging>,
    /// Removed from the current spec; kept from an older one.
    pub removed_in: Option<String>,
}

/// One webhook event type and its payload.
#[derive(Debug, Clone)]
pub struct WebhookEventDef {
    /// The wire name (`user.created`).
    pub event: String,
    /// The variant of `WebhookEvent`.
    pub variant: String,
    pub data: Ty,
}

/// Everything the generator emits.
#[derive(Debug, Default)]
pub struct Ir {
    pub types: Vec<TypeDef>,
    pub ops: Vec<Op>,
    pub webhook_events: Vec<WebhookEventDef>,
    /// The envelope every webhook event shares.
    pub webhook_envelope: Option<TypeId>,
}

impl Ir {
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The types that are emitted (not merged into another), in emission order.
    pub fn live(&self) -> Vec<TypeId> {
        let mut ids: Vec<TypeId> = (0..self.types.len())
            .map(TypeId)
            .filter(|&id| self.get(id).merged_into.is_none())
            .collect();
        ids.sort_by_key(|&id| self.get(id).seq);
        ids
    }

    pub fn is_enum(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Named(id) if matches!(self.get(*id).kind, Kind::Enum { .. }))
    }

    /// Follow type aliases (`pub type Directories = Vec<Directory>`).
    pub fn resolve_alias(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        for _ in 0..16 {
            match &ty {
                Ty::Named(id) => match &self.get(*id).kind {
                    Kind::Alias { ty: inner } => ty = inner.clone(),
                    _ => break,
                },
                _ => break,
            }
        }
        ty
    }

    /// Every type expression of the IR, for passes that rewrite references.
    pub fn visit_tys_mut(&mut self, f: &mut dyn FnMut(&mut Ty)) {
        for def in &mut self.types {
            kind_tys_mut(&mut def.kind, f);
        }
        for op in &mut self.ops {
            for p in op.path_params.iter_mut().chain(op.query.iter_mut()) {
                f(&mut p.ty);
            }
            match &mut op.body {
                BodyKind::Json { fields } | BodyKind::Multipart { fields, .. } => {
                    fields.iter_mut().for_each(|x| f(&mut x.ty));
                }
                BodyKind::JsonValue { ty, .. } => f(ty),
                BodyKind::None => {}
            }
            if let Output::Json(ty) = &mut op.output {
                f(ty);
            }
            if let Some(pg) = &mut op.paging {
                f(&mut pg.item);
            }
        }
        for e in &mut self.webhook_events {
            f(&mut e.data);
        }
    }
}

/// The type expressions inside one definition.
pub fn kind_tys_mut(kind: &mut Kind, f: &mut dyn FnMut(&mut Ty)) {
    match kind {
        Kind::Struct { fields } => fields.iter_mut().for_each(|x| f(&mut x.ty)),
        Kind::Union { variants, .. } => variants.iter_mut().for_each(|v| f(&mut v.ty)),
        Kind::Alias { ty } => f(ty),
        Kind::Enum { .. } => {}
    }
}
