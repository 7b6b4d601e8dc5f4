//! State in SQLite: one row per object (JSON document plus the columns lists filter and sort on),
//! one row per unique identifier, one row per emitted webhook event.
//!
//! Every request runs in one transaction under one connection lock, so no request sees another's
//! half-applied change. With a file (`--data`) the database runs in WAL mode with
//! `synchronous=FULL`: a write is on disk before its response is sent.

use crate::error::ApiError;
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use serde_json::Value;
use std::path::Path;
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS objects(
    kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, created_at INTEGER NOT NULL,
    parent TEXT, ref TEXT, doc TEXT NOT NULL, PRIMARY KEY(kind, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS objects_created ON objects(kind, created_at, seq);
CREATE INDEX IF NOT EXISTS objects_parent ON objects(kind, parent, seq);
CREATE INDEX IF NOT EXISTS objects_ref ON objects(kind, ref, seq);
CREATE TABLE IF NOT EXISTS idents(
    kind TEXT NOT NULL, value TEXT NOT NULL, owner TEXT NOT NULL, PRIMARY KEY(kind, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idents_owner ON idents(owner);
CREATE TABLE IF NOT EXISTS events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, type TEXT NOT NULL,
    timestamp INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_id ON events(id);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
";

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("database {path}: {source}")]
pub struct StoreError {
    path: String,
    #[source]
    source: rusqlite::Error,
}

pub(crate) struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    pub(crate) fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let name = path.map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
        let err = |source| StoreError {
            path: name.clone(),
            source,
        };
        let conn = match path {
            Some(p) => {
                let c = Connection::open(p).map_err(err)?;
                c.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
                c.pragma_update(None, "synchronous", "FULL").map_err(err)?;
                c
            }
            None => Connection::open_in_memory().map_err(err)?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Run `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub(crate) fn tx<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(ApiError::db)?;
        let out = f(&tx)?;
        tx.commit().map_err(ApiError::db)?;
        Ok(out)
    }

    /// Drop every object, identifier and event (keys and secrets in `meta` stay).
    pub(crate) fn reset(&self) -> Result<(), ApiError> {
        self.tx(|tx| {
            tx.execute_batch(
                "DELETE FROM objects; DELETE FROM idents; DELETE FROM events; DELETE FROM counters;",
            )
            .map_err(ApiError::db)
        })
    }
}

/// Object rows: typed helpers over the `objects` table.
pub(crate) struct Row<'a> {
    pub(crate) kind: &'a str,
    pub(crate) id: &'a str,
    pub(crate) created_at: i64,
    pub(crate) parent: Option<&'a str>,
    pub(crate) r#ref: Option<&'a str>,
}

pub(crate) fn next_seq(tx: &Transaction<'_>) -> Result<i64, ApiError> {
    row(
        tx,
        "INSERT INTO counters(name, value) VALUES('seq', 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
        [],
        |r| r.get(0),
    )
    .map_err(ApiError::db)
}

pub(crate) fn insert(tx: &Transaction<'_>, row: &Row<'_>, doc: &Value) -> Result<(), ApiError> {
    let seq = next_seq(tx)?;
    exec(
        tx,
        "INSERT INTO objects(kind, id, seq, created_at, parent, ref, doc) VALUES(?1,?2,?3,?4,?5,?6,?7)",
        params![row.kind, row.id, seq, row.created_at, row.parent, row.r#ref, doc.to_string()],
    )
    .map_err(ApiError::db)?;
    Ok(())
}

pub(crate) fn get(tx: &Transaction<'_>, kind: &str, id: &str) -> Result<Option<Value>, ApiError> {
    let s: Option<String> = tx
        .query_row(
            "SELECT doc FROM objects WHERE kind = ?1 AND id = ?2",
            params![kind, id],
            |r| r.get(0),
        )
        .optional()
        .map_err(ApiError::db)?;
    s.map(|s| serde_json::from_str(&s).map_err(ApiError::corrupt))
        .transpose()
}

pub(crate) fn put(tx: &Transaction<'_>, kind: &str, id: &str, doc: &Value) -> Result<(), ApiError> {
    exec(
        tx,
        "UPDATE objects SET doc = ?3 WHERE kind = ?1 AND id = ?2",
        params![kind, id, doc.to_string()],
    )
    .map_err(ApiError::db)?;
    Ok(())
}

pub(crate) fn delete(tx: &Transaction<'_>, kind: &str, id: &str) -> Result<bool, ApiError> {
    let n = tx
        .execute(
            "DELETE FROM objects WHERE kind = ?1 AND id = ?2",
            params![kind, id],
        )
        .map_err(ApiError::db)?;
    Ok(n > 0)
}

/// Children of `parent` (e.g. a user's email addresses), oldest first.
pub(crate) fn children(
    tx: &Transaction<'_>,
    kind: &str,
    parent: &str,
) -> Result<Vec<Value>, ApiError> {
    query_docs(
        tx,
        "SELECT doc FROM objects WHERE kind = ?1 AND parent = ?2 ORDER BY seq",
        &[&kind, &parent],
    )
}

/// Objects whose `ref` is `r` (e.g. a user's memberships), oldest first.
pub(crate) fn by_ref(tx: &Transaction<'_>, kind: &str, r: &str) -> Result<Vec<Value>, ApiError> {
    query_docs(
        tx,
        "SELECT doc FROM objects WHERE kind = ?1 AND ref = ?2 ORDER BY seq",
        &[&kind, &r],
    )
}

pub(crate) fn query_docs(
    tx: &Transaction<'_>,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Value>, ApiError> {
    let mut st = tx.prepare_cached(sql).map_err(ApiError::db)?;
    let rows = st
        .query_map(args, |r| r.get::<_, String>(0))
        .map_err(ApiError::db)?;
    let mut out = Vec::new();
    for s in rows {
        let s = s.map_err(ApiError::db)?;
        out.push(serde_json::from_str(&s).map_err(ApiError::corrupt)?);
    }
    Ok(out)
}

pub(crate) fn count(
    tx: &Transaction<'_>,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<i64, ApiError> {
    row(tx, sql, args, |r| r.get(0)).map_err(ApiError::db)
}

/// Claim a unique identifier (`email`, `phone`, `username`, `external_id`, `slug`, …) for
/// `owner`. `Ok(false)` when another owner holds it.
pub(crate) fn claim(
    tx: &Transaction<'_>,
    kind: &str,
    value: &str,
    owner: &str,
) -> Result<bool, ApiError> {
    let holder: Option<String> = tx
        .query_row(
            "SELECT owner FROM idents WHERE kind = ?1 AND value = ?2",
            params![kind, value],
            |r| r.get(0),
        )
        .optional()
        .map_err(ApiError::db)?;
    match holder {
        Some(h) => Ok(h == owner),
        None => {
            exec(
                tx,
                "INSERT INTO idents(kind, value, owner) VALUES(?1, ?2, ?3)",
                params![kind, value, owner],
            )
            .map_err(ApiError::db)?;
            Ok(true)
        }
    }
}

pub(crate) fn owner_of(
    tx: &Transaction<'_>,
    kind: &str,
    value: &str,
) -> Result<Option<String>, ApiError> {
    row(
        tx,
        "SELECT owner FROM idents WHERE kind = ?1 AND value = ?2",
        params![kind, value],
        |r| r.get(0),
    )
    .optional()
    .map_err(ApiError::db)
}

pub(crate) fn release(tx: &Transaction<'_>, kind: &str, value: &str) -> Result<(), ApiError> {
    exec(
        tx,
        "DELETE FROM idents WHERE kind = ?1 AND value = ?2",
        params![kind, value],
    )
    .map_err(ApiError::db)?;
    Ok(())
}

pub(crate) fn release_all(tx: &Transaction<'_>, owner: &str) -> Result<(), ApiError> {
    exec(tx, "DELETE FROM idents WHERE owner = ?1", params![owner]).map_err(ApiError::db)?;
    Ok(())
}

pub(crate) fn meta_get(tx: &Transaction<'_>, key: &str) -> Result<Option<String>, ApiError> {
    row(
        tx,
        "SELECT value FROM meta WHERE key = ?1",
        params![key],
        |r| r.get(0),
    )
    .optional()
    .map_err(ApiError::db)
}

pub(crate) fn meta_set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), ApiError> {
    exec(
        tx,
        "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        params![key, value],
    )
    .map_err(ApiError::db)?;
    Ok(())
}

/// `execute` through the statement cache: the same SQL is parsed once per connection.
fn exec(tx: &Transaction<'_>, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}

/// `query_row` through the statement cache.
fn row<T>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.prepare_cached(sql)?.query_row(params, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sql: &str) -> String {
        let store = Store::open(None).unwrap();
        let conn = store.conn.lock().unwrap();
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = st.query_map([], |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn lists_walk_indexes_instead_of_sorting_every_row() {
        let p = plan(
            "SELECT o.doc FROM objects o WHERE o.kind = 'user' ORDER BY o.created_at DESC, o.seq DESC LIMIT 10 OFFSET 0",
        );
        assert!(
            p.contains("objects_created") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        let p = plan(
            "SELECT doc FROM objects WHERE kind = 'email_address' AND parent = 'u' ORDER BY seq",
        );
        assert!(
            p.contains("objects_parent") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
    }
}
