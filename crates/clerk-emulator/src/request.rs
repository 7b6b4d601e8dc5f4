//! What a handler sees: path parameters, query, JSON body, the transaction, the clock.

use crate::app::App;
use crate::error::ApiError;
use rusqlite::Transaction;
use serde_json::{Map, Value};

/// The query string, keeping repeated keys (`email_address=a&email_address=b`, also `key[]=`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(q: Option<&str>) -> Query {
        Query(
            q.map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.trim_end_matches("[]").to_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`; comma-separated values are not split (Clerk repeats the key).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::invalid(name, "must be an integer"))
            })
            .transpose()
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.get(name)
            .map(|v| match v {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(ApiError::invalid(name, "must be true or false")),
            })
            .transpose()
    }

    /// `limit` (1..=500, default 10) and `offset` (>= 0, default 0).
    pub(crate) fn page(&self) -> Result<(i64, i64), ApiError> {
        let limit = self.int("limit")?.unwrap_or(10);
        if !(1..=500).contains(&limit) {
            return Err(ApiError::value_invalid(
                "limit",
                "must be between 1 and 500",
            ));
        }
        let offset = self.int("offset")?.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::value_invalid(
                "offset",
                "must be greater than or equal to 0",
            ));
        }
        Ok((limit, offset))
    }
}

/// A JSON request body (an empty body is `{}`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Body(pub(crate) Map<String, Value>);

impl Body {
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// A field as given, `null` when absent.
    pub(crate) fn value_or_null(&self, name: &str) -> Value {
        self.0.get(name).cloned().unwrap_or(Value::Null)
    }

    /// A string field; `null` counts as absent.
    pub(crate) fn str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::invalid(name, "must be a string")),
        }
    }

    /// A field that may be set to `null` explicitly: `Some(None)` clears it.
    pub(crate) fn nullable_str(&self, name: &str) -> Result<Option<Option<&str>>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s))),
            Some(_) => Err(ApiError::invalid(name, "must be a string")),
        }
    }

    pub(crate) fn required_str(&self, name: &str) -> Result<&str, ApiError> {
        match self.str(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ApiError::missing(name)),
        }
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(name, "must be a boolean")),
        }
    }

    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::invalid(name, "must be an integer")),
            Some(_) => Err(ApiError::invalid(name, "must be an integer")),
        }
    }

    /// A list of strings; a single string counts as a list of one.
    pub(crate) fn strings(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| ApiError::invalid(name, "must be a list of strings"))
                })
                .collect(),
            Some(_) => Err(ApiError::invalid(name, "must be a list of strings")),
        }
    }

    /// An object field (metadata); a JSON string holding an object is accepted too.
    pub(crate) fn object(&self, name: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m.clone())),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(m)) => Ok(Some(m)),
                _ => Err(ApiError::invalid(name, "must be an object")),
            },
            Some(_) => Err(ApiError::invalid(name, "must be an object")),
        }
    }
}

/// A webhook event a handler emitted; sent once its transaction commits.
pub(crate) struct Emitted {
    pub(crate) kind: &'static str,
    pub(crate) data: Value,
}

/// Everything one operation's handler gets.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a App,
    pub(crate) tx: &'a Transaction<'a>,
    pub(crate) params: &'a [(&'static str, String)],
    pub(crate) query: &'a Query,
    pub(crate) body: &'a Body,
    /// Milliseconds since the epoch, on the emulator's clock.
    pub(crate) now: i64,
    pub(crate) events: Vec<Emitted>,
}

impl Ctx<'_> {
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub(crate) fn id(&self, prefix: &str) -> String {
        self.app.ids.id(prefix)
    }

    pub(crate) fn emit(&mut self, kind: &'static str, data: Value) {
        self.events.push(Emitted { kind, data });
    }
}

/// What a handler answers: a status and a JSON body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Reply {
        Reply { status: 200, body }
    }
}

pub(crate) type HandlerResult = Result<Reply, ApiError>;
