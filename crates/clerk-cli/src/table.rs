//! The shape of the generated command table: one [`Command`] per API operation.

/// One operation as a command.
#[derive(Debug)]
pub struct Command {
    /// Group, e.g. `users` (the SDK's `clerk.users()`).
    pub group: &'static str,
    /// Name within the group, e.g. `list`.
    pub name: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, e.g. `/users/{user_id}`.
    pub path: &'static str,
    /// One-line summary from the spec.
    pub summary: &'static str,
    /// Deprecated in the spec (or only in the older spec).
    pub deprecated: bool,
    /// Path parameters in template order (positional arguments).
    pub path_params: &'static [&'static str],
    /// Query parameters.
    pub query: &'static [Param],
    /// Request body.
    pub body: Body,
    /// How a list operation pages.
    pub paging: Paging,
}

/// A query parameter or body field.
#[derive(Debug)]
pub struct Param {
    /// Wire name.
    pub name: &'static str,
    /// How its flag's text becomes JSON.
    pub kind: Kind,
    /// Required by the spec.
    pub required: bool,
    /// May be sent as `null`.
    pub nullable: bool,
    /// A credential (password, secret): redacted in `--dry-run`.
    pub secret: bool,
    /// Allowed values, when the spec lists them.
    pub values: &'static [&'static str],
    /// First sentence of the spec's description.
    pub help: &'static str,
}

/// How a flag's text becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string, as given.
    Str,
    /// An integer.
    Int,
    /// A number.
    Float,
    /// `true` / `false`.
    Bool,
    /// Any JSON text (objects, arrays of objects).
    Json,
    /// A model: JSON when the text parses as JSON, else a string (enums).
    Value,
    /// Repeatable strings (`;`-separated in CSV cells).
    StrList,
}

/// A request body.
#[derive(Debug)]
pub enum Body {
    /// None.
    None,
    /// A JSON object: one flag per field.
    Fields(&'static [Param]),
    /// A JSON value that is not an object: only `--data`.
    Value {
        /// The spec requires it.
        required: bool,
    },
    /// `multipart/form-data`: a file part (`--file PATH`) and text fields.
    Multipart {
        /// Form field name of the file part.
        file: &'static str,
        /// Text fields.
        fields: &'static [Param],
    },
}

/// How `--all` follows a list operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Not a list operation.
    None,
    /// `limit`/`offset`, the response is a bare array.
    Bare,
    /// `limit`/`offset`, the response is `{data, total_count}`.
    Data,
}
