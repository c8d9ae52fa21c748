//! The test projection: counts events per stream category and records every applied position.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use event_store::{EventFilter, StoredEvent};
use futures_util::future::BoxFuture;
use projector::{Projection, ProjectionError};
use sqlx::AnyConnection;

/// Counts events per stream category and records every applied position (without a unique key,
/// so an event applied twice shows up as a duplicate).
pub(crate) struct Counter {
    pub(crate) name: &'static str,
    pub(crate) version: u32,
    pub(crate) categories: Vec<String>,
    /// Sleep per event, to make runs slow enough to interrupt.
    pub(crate) delay: Duration,
    /// While set, an event whose marker is `poison` cannot be applied.
    pub(crate) poison: Arc<AtomicBool>,
    /// Extra sleep per event in generations other than 0, to keep a rebuild behind the active one
    /// for a while. (Holding a rebuild back indefinitely inside `apply` would hold SQLite's write lock
    /// and stop everything else, so a rebuild is slowed, not parked.)
    pub(crate) rebuild_delay: Duration,
}

impl Counter {
    pub(crate) fn new(name: &'static str) -> Counter {
        Counter {
            name,
            version: 1,
            categories: Vec::new(),
            delay: Duration::ZERO,
            poison: Arc::new(AtomicBool::new(true)),
            rebuild_delay: Duration::ZERO,
        }
    }

    pub(crate) fn arc(self) -> Arc<dyn Projection> {
        Arc::new(self)
    }
}

impl Projection for Counter {
    fn name(&self) -> &'static str {
        self.name
    }

    fn version(&self) -> u32 {
        self.version
    }

    fn filter(&self) -> EventFilter {
        EventFilter {
            categories: self.categories.clone(),
            event_types: Vec::new(),
        }
    }

    fn schema(&self, prefix: &str) -> Vec<String> {
        vec![
            format!("CREATE TABLE {prefix}counts (category TEXT PRIMARY KEY, n BIGINT NOT NULL)"),
            format!("CREATE TABLE {prefix}applied (position BIGINT NOT NULL)"),
            format!("CREATE INDEX {prefix}applied_position ON {prefix}applied (position)"),
        ]
    }

    fn apply<'a>(
        &'a self,
        connection: &'a mut AnyConnection,
        prefix: &'a str,
        event: &'a StoredEvent,
    ) -> BoxFuture<'a, Result<(), ProjectionError>> {
        Box::pin(async move {
            if prefix.contains("_g") && !self.rebuild_delay.is_zero() {
                tokio::time::sleep(self.rebuild_delay).await;
            }
            if !self.delay.is_zero() {
                tokio::time::sleep(self.delay).await;
            }
            if self.poison.load(Ordering::SeqCst) && event.payload.get().contains("\"poison\"") {
                return Err(ProjectionError::Unapplicable {
                    position: event.position,
                    reason: "poison marker".into(),
                });
            }
            let position = i64::try_from(event.position).unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {prefix}counts (category, n) VALUES ($1, 1) \
                 ON CONFLICT (category) DO UPDATE SET n = {prefix}counts.n + 1"
            )))
            .bind(event.category().to_owned())
            .execute(&mut *connection)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {prefix}applied (position) VALUES ($1)"
            )))
            .bind(position)
            .execute(&mut *connection)
            .await?;
            Ok(())
        })
    }
}
