//! The generic [`Projection`] over a set of fact tables, with corrections and retractions.

use domain::Event;
use event_store::{EventFilter, StoredEvent};
use futures_util::future::BoxFuture;
use projector::{Projection, ProjectionError};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::{Table, Ty, Val};

/// A read model made of fact tables. Each read-model module defines one as a constant.
#[derive(Clone, Copy)]
pub struct FactProjection {
    pub(crate) name: &'static str,
    pub(crate) version: u32,
    pub(crate) tables: &'static [&'static Table],
}

impl FactProjection {
    fn handles(&self, event_type: &str) -> bool {
        self.tables.iter().any(|t| t.types.contains(&event_type))
    }

    async fn apply_event(
        &self,
        connection: &mut AnyConnection,
        prefix: &str,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let decoded = decode(event)?;
        match &decoded {
            Event::EventRetracted(retracted) => {
                self.delete(
                    connection,
                    prefix,
                    &retracted.target.stream,
                    retracted.target.version,
                )
                .await
            }
            Event::EventCorrected(corrected) => {
                let (stream, version) = (&corrected.target.stream, corrected.target.version);
                self.delete(connection, prefix, stream, version).await?;
                self.insert(connection, prefix, stream, version, &corrected.replacement)
                    .await
            }
            fact => {
                self.insert(
                    connection,
                    prefix,
                    &event.stream_id,
                    event.stream_version,
                    fact,
                )
                .await
            }
        }
    }

    async fn delete(
        &self,
        connection: &mut AnyConnection,
        prefix: &str,
        stream: &str,
        version: u64,
    ) -> Result<(), ProjectionError> {
        let version = sql_int(version);
        for table in self.tables {
            let sql = format!(
                "DELETE FROM {prefix}{} WHERE src_stream = $1 AND src_version = $2",
                table.name
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(stream.to_owned())
                .bind(version)
                .execute(&mut *connection)
                .await?;
        }
        Ok(())
    }

    async fn insert(
        &self,
        connection: &mut AnyConnection,
        prefix: &str,
        stream: &str,
        version: u64,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        if !self.handles(event.event_type()) {
            return Ok(());
        }
        let version = sql_int(version);
        for table in self.tables {
            if !table.types.contains(&event.event_type()) {
                continue;
            }
            let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            let placeholders: Vec<String> =
                (1..=columns.len() + 3).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {prefix}{} (src_stream, src_version, seq, {}) VALUES ({})",
                table.name,
                columns.join(", "),
                placeholders.join(", ")
            );
            for (seq, row) in (table.rows)(event).into_iter().enumerate() {
                let mut query = sqlx::query(AssertSqlSafe(sql.clone()))
                    .bind(stream.to_owned())
                    .bind(version)
                    .bind(i64::try_from(seq).unwrap_or(i64::MAX));
                for ((_, ty), value) in table.columns.iter().zip(row) {
                    query = match (value, ty) {
                        (Val::Int(v), _) => query.bind(v),
                        (Val::Text(v), _) => query.bind(v),
                        (Val::Null, Ty::Int) => query.bind(None::<i64>),
                        (Val::Null, Ty::Text) => query.bind(None::<String>),
                    };
                }
                query.execute(&mut *connection).await?;
            }
        }
        Ok(())
    }
}

fn sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Reads a stored row as a domain event (the payload is the event's `data`, upcast on the way).
fn decode(event: &StoredEvent) -> Result<Event, ProjectionError> {
    codec::decode(event).map_err(|e| ProjectionError::Unapplicable {
        position: event.position,
        reason: e.to_string(),
    })
}

impl Projection for FactProjection {
    fn name(&self) -> &'static str {
        self.name
    }

    fn version(&self) -> u32 {
        self.version
    }

    fn filter(&self) -> EventFilter {
        let mut event_types: Vec<String> = vec!["EventCorrected".into(), "EventRetracted".into()];
        for table in self.tables {
            for t in table.types {
                if !event_types.iter().any(|known| known == t) {
                    event_types.push((*t).to_owned());
                }
            }
        }
        EventFilter {
            categories: Vec::new(),
            event_types,
        }
    }

    fn schema(&self, prefix: &str) -> Vec<String> {
        let mut statements: Vec<String> = self.tables.iter().map(|t| t.create(prefix)).collect();
        statements.extend(self.tables.iter().flat_map(|t| t.indexes(prefix)));
        statements
    }

    fn apply<'a>(
        &'a self,
        connection: &'a mut AnyConnection,
        prefix: &'a str,
        event: &'a StoredEvent,
    ) -> BoxFuture<'a, Result<(), ProjectionError>> {
        Box::pin(self.apply_event(connection, prefix, event))
    }
}
