//! Errors in Clerk's `ClerkErrors` shape: `{"errors":[{message,long_message,code,meta}],"clerk_trace_id"}`.

use serde_json::{Value, json};

/// One API error response.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) long_message: String,
    /// Boxed: keeps `Result<_, ApiError>` small.
    pub(crate) meta: Option<Box<Value>>,
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(
        status: u16,
        code: &'static str,
        message: impl Into<String>,
        long: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            long_message: long.into(),
            meta: None,
            retry_after: None,
        }
    }

    pub(crate) fn param(mut self, name: &str) -> Self {
        self.meta = Some(Box::new(json!({"param_name": name})));
        self
    }

    pub(crate) fn not_found() -> Self {
        Self::new(404, "resource_not_found", "not found", "Resource not found")
    }

    pub(crate) fn missing(param: &str) -> Self {
        Self::new(
            422,
            "form_param_missing",
            "missing required parameter",
            format!("{param} is missing"),
        )
        .param(param)
    }

    pub(crate) fn invalid(param: &str, why: impl Into<String>) -> Self {
        let why = why.into();
        Self::new(
            422,
            "form_param_format_invalid",
            "is invalid",
            format!("{param} {why}"),
        )
        .param(param)
    }

    pub(crate) fn value_invalid(param: &str, why: impl Into<String>) -> Self {
        let why = why.into();
        Self::new(
            422,
            "form_param_value_invalid",
            "is invalid",
            format!("{param} {why}"),
        )
        .param(param)
    }

    pub(crate) fn exists(param: &str, what: &str) -> Self {
        Self::new(
            422,
            "form_identifier_exists",
            format!("That {what} is taken. Please try another."),
            format!("That {what} is taken. Please try another."),
        )
        .param(param)
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        let m = message.into();
        Self::new(400, code, m.clone(), m)
    }

    pub(crate) fn db(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "clerk-emulator: database error");
        Self::new(
            500,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            format!("storage error: {e}"),
        )
    }

    pub(crate) fn corrupt(e: serde_json::Error) -> Self {
        Self::new(
            500,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            format!("stored document unreadable: {e}"),
        )
    }

    /// The response body, with `trace_id` as `clerk_trace_id`.
    pub(crate) fn body(&self, trace_id: &str) -> Value {
        let mut e =
            json!({"message": self.message, "long_message": self.long_message, "code": self.code});
        if let Some(m) = &self.meta {
            e["meta"] = (**m).clone();
        }
        json!({"errors": [e], "clerk_trace_id": trace_id})
    }
}
