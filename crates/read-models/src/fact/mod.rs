//! The shared machinery: every read model is a set of *fact tables*, one row (or a few) per source
//! event, keyed by the event's `(stream, version)`.
//!
//! Aggregates are never stored; queries compute them from the fact rows. That makes corrections and
//! retractions exact: `EventRetracted` deletes the rows of its target from every table of the model,
//! and `EventCorrected` deletes them and inserts the rows of the replacement under the same key.

mod apply;
pub(crate) mod tables;

pub use apply::FactProjection;

use domain::Event;

/// The SQL type of a fact column (portable: `TEXT` or `BIGINT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Text,
}

/// One cell of a fact row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
    Null,
}

impl From<&str> for Val {
    fn from(value: &str) -> Val {
        Val::Text(value.to_owned())
    }
}

impl From<String> for Val {
    fn from(value: String) -> Val {
        Val::Text(value)
    }
}

impl From<i64> for Val {
    fn from(value: i64) -> Val {
        Val::Int(value)
    }
}

impl From<u32> for Val {
    fn from(value: u32) -> Val {
        Val::Int(i64::from(value))
    }
}

impl From<bool> for Val {
    fn from(value: bool) -> Val {
        Val::Int(i64::from(value))
    }
}

impl From<u64> for Val {
    fn from(value: u64) -> Val {
        // Counts and fen amounts above i64::MAX do not occur; saturate rather than wrap.
        Val::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(value: Option<T>) -> Val {
        value.map_or(Val::Null, Into::into)
    }
}

/// A fact table: its name (after the prefix), its columns, the event types it reads, and how an
/// event becomes rows. Every table also has `src_stream`, `src_version` and `seq` (the row's index
/// among the rows of its source event) as primary key.
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [(&'static str, Ty)],
    pub(crate) types: &'static [&'static str],
    /// Columns the queries look rows up by; each gets an index named with the prefix.
    pub(crate) indexed: &'static [&'static str],
    pub(crate) rows: fn(&Event) -> Vec<Vec<Val>>,
}

impl Table {
    /// The `CREATE TABLE` statement for this table under `prefix`.
    pub(crate) fn create(&self, prefix: &str) -> String {
        let mut sql = format!(
            "CREATE TABLE IF NOT EXISTS {prefix}{} (src_stream TEXT NOT NULL, src_version BIGINT NOT NULL, seq BIGINT NOT NULL",
            self.name
        );
        for (column, ty) in self.columns {
            let ty = match ty {
                Ty::Int => "BIGINT",
                Ty::Text => "TEXT",
            };
            sql.push_str(&format!(", {column} {ty}"));
        }
        sql.push_str(", PRIMARY KEY (src_stream, src_version, seq))");
        sql
    }

    /// The `CREATE INDEX` statements for the looked-up columns under `prefix`.
    pub(crate) fn indexes(&self, prefix: &str) -> Vec<String> {
        self.indexed
            .iter()
            .map(|column| {
                format!(
                    "CREATE INDEX IF NOT EXISTS {prefix}{table}_by_{column} ON {prefix}{table} ({column})",
                    table = self.name
                )
            })
            .collect()
    }
}

/// The stable snake_case name of a serde enum value (`"co_built_department"`), or its JSON text.
pub(crate) fn tag<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}
