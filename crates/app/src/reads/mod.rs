//! Queries of the read models: who may ask, how fresh the answer must be, and the tables to read.
//!
//! Every query names its projection, checks the caller's role, waits (within [`Freshness::wait`])
//! until the projection reflects [`Freshness::min_position`], and runs the `read-models` query on
//! the tables the projector marks active. The answer carries the position those tables had reached
//! when the query began; they only move forward, so it is a lower bound of what the answer shows.
//!
//! Scope: readers see only their provinces (see `visibility`). A query about one subject (a
//! hospital, a pairing, an agreement) is refused outright when the subject lies outside; a list
//! drops the rows outside, so a page may hold fewer items than asked for, as AIP-158 allows.

mod admin;
mod network;
mod pairing;
mod site;
mod visibility;

use std::sync::Arc;
use std::time::Duration;

use projector::{Projector, WaitError};
use read_models::QueryError;
use sqlx::AnyPool;

use crate::App;
use crate::authorize::require_reader;
use crate::error::Error;
use crate::principal::Principal;

/// How fresh an answer must be: wait up to `wait` until the read model reflects `min_position`
/// (the position a write returned), for read-your-writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Freshness {
    pub min_position: Option<u64>,
    pub wait: Duration,
}

/// The tables of one projection to read, and the log position they reflect.
pub(crate) struct View<'a> {
    pub(crate) pool: &'a AnyPool,
    pub(crate) prefix: String,
    pub(crate) position: u64,
}

impl App {
    /// The use cases with read models served by `projector`, which must run over the same store.
    pub fn with_read_models(store: event_store::EventStore, projector: Projector) -> App {
        App {
            store,
            projector: Some(Arc::new(projector)),
        }
    }

    /// The projector, if this app serves read models (for shutdown and tests).
    pub fn projector(&self) -> Option<&Arc<Projector>> {
        self.projector.as_ref()
    }

    /// The projector, or `ReadModelsUnavailable` when this app serves none.
    pub(crate) fn read_models(&self) -> Result<&Projector, Error> {
        self.projector
            .as_deref()
            .ok_or(Error::ReadModelsUnavailable)
    }

    /// Checks that the caller may read, waits for freshness, and opens the projection's active tables.
    pub(crate) async fn view(
        &self,
        caller: &Principal,
        projection: &str,
        fresh: Freshness,
    ) -> Result<View<'_>, Error> {
        require_reader(caller)?;
        let projector = self.read_models()?;
        if let Some(wanted) = fresh.min_position {
            let head = self.store.head().await?.size;
            // Position p is reflected once the projection has read p, i.e. stands past it.
            if wanted >= head {
                return Err(Error::OutOfRange {
                    position: wanted,
                    head: head.saturating_sub(1),
                });
            }
            let deadline = tokio::time::Instant::now() + fresh.wait;
            projector
                .wait_for(projection, wanted.saturating_add(1), deadline)
                .await
                .map_err(|error| match error {
                    WaitError::Timeout { reached } => Error::ProjectionBehind {
                        projection: projection.to_owned(),
                        reached,
                        wanted,
                    },
                    WaitError::Unknown(name) => unknown_projection(&name),
                })?;
        }
        let active = projector
            .active(projection)
            .ok_or_else(|| unknown_projection(projection))?;
        Ok(View {
            pool: projector.pool(),
            prefix: active.table_prefix,
            position: active.position,
        })
    }
}

pub(super) fn unknown_projection(name: &str) -> Error {
    Error::NotFound {
        reason: "PROJECTION_NOT_FOUND",
        what: format!("projection {name}"),
    }
}

impl From<QueryError> for Error {
    fn from(error: QueryError) -> Error {
        match error {
            QueryError::InvalidCursor => Error::InvalidArgument {
                field: "page_token".to_owned(),
                reason: "INVALID_PAGE_TOKEN",
                message: "the page token does not belong to this query".to_owned(),
            },
            QueryError::Database(source) => Error::internal(source),
            QueryError::Corrupt(detail) => Error::internal(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// The server's services are `Send` futures; a query future that is not would not compile there.
    #[allow(dead_code)]
    async fn queries_are_send(app: App, caller: Principal) {
        let page = read_models::PageRequest::first(10);
        let filter = read_models::roster::RosterFilter::default();
        let date = time::macros::date!(2024 - 09 - 15);
        let fresh = Freshness::default();
        assert_send(&app.roster_on_site(&caller, fresh, "x", date, &filter, &page));
        assert_send(&app.scoreboard(&caller, fresh, "x"));
        assert_send(&app.technique_gap_counts(&caller, fresh));
        assert_send(&app.projection_status(&caller));
        assert_send(&app.rebuild_projection(&caller, "x"));
    }
}
