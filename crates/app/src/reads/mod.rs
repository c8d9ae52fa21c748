//! Queries of the read models: who may ask, how fresh the answer must be, and the tables to read.
//!
//! One use case runs them all: [`App::query`] takes any [`read_models::Query`], authorizes its
//! [`Subject`] and the caller's role, waits (within [`Freshness::wait`]) until the query's
//! projection reflects [`Freshness::min_position`], and runs it on the tables the projector marks
//! active. The answer carries the position those tables had reached
//! when the query began; they only move forward, so it is a lower bound of what the answer shows.
//!
//! Scope: readers see only their provinces (see `visibility`). A query about one subject (a
//! hospital, a pairing, an agreement) is refused outright when the subject lies outside; a list
//! drops the rows outside, so a page may hold fewer items than asked for, as AIP-158 allows.

mod admin;
mod visibility;

use std::sync::Arc;
use std::time::Duration;

use projector::{Projection, Projector, WaitError};
use read_models::{Query, QueryError, Subject, View, Visible};

use crate::App;
use crate::authorize::{reads_everything, require_reader};
use crate::error::Error;
use crate::principal::Principal;
use visibility::{may_see_org, parse_uuid, require_org};

/// How fresh an answer must be: wait up to `wait` until the read model reflects `min_position`
/// (the position a write returned), for read-your-writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Freshness {
    pub min_position: Option<u64>,
    pub wait: Duration,
}

/// The active tables of one projection: their prefix and the log position they reflect.
struct Active<'a> {
    projector: &'a Projector,
    prefix: String,
    position: u64,
}

impl Active<'_> {
    fn view(&self) -> View<'_> {
        View {
            pool: self.projector.pool(),
            prefix: &self.prefix,
            position: self.position,
        }
    }
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

    /// Answers one read-model query for `caller`: the subject first (a malformed or hidden one is
    /// refused before anything is read), then the reader role and freshness, then the query on the
    /// active tables, keeping only the rows the caller may see.
    pub async fn query<Q: Query>(
        &self,
        caller: &Principal,
        fresh: Freshness,
        query: &Q,
    ) -> Result<Q::Answer, Error> {
        self.authorize(caller, query.subject()).await?;
        let active = self.active(caller, Q::PROJECTION.name(), fresh).await?;
        let may_see = |org: &str| may_see_org(caller, org);
        let visible = if reads_everything(caller) {
            Visible::All
        } else {
            Visible::Only(&may_see)
        };
        Ok(query.run(active.view(), visible).await?)
    }

    /// Refuses a subject the caller may not see (see `visibility`).
    async fn authorize(&self, caller: &Principal, subject: Subject<'_>) -> Result<(), Error> {
        match subject {
            Subject::Org { field, org } => require_org(caller, field, org),
            Subject::Pairing(id) => self.require_pairing(caller, id).await,
            Subject::Mentorship(id) => self.require_mentorship(caller, id).await,
            Subject::Agreement(id) => parse_uuid("agreement_id", id).map(drop),
            Subject::Rows => Ok(()),
        }
    }

    /// Checks that the caller may read, waits for freshness, and finds the projection's active tables.
    async fn active(
        &self,
        caller: &Principal,
        projection: &str,
        fresh: Freshness,
    ) -> Result<Active<'_>, Error> {
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
            // A failed model will not get there: say so now instead of after the wait, and never
            // as the retryable PROJECTION_BEHIND.
            let failed = |projection: &str| {
                projector
                    .active_failure(projection)
                    .filter(|failure| failure.position <= wanted)
                    .map(|failure| Error::ProjectionFailed {
                        projection: projection.to_owned(),
                        failed_position: failure.position,
                    })
            };
            if let Some(error) = failed(projection) {
                return Err(error);
            }
            let deadline = tokio::time::Instant::now() + fresh.wait;
            projector
                .wait_for(projection, wanted.saturating_add(1), deadline)
                .await
                .map_err(|error| match error {
                    WaitError::Timeout { reached } => {
                        failed(projection).unwrap_or(Error::ProjectionBehind {
                            projection: projection.to_owned(),
                            reached,
                            wanted,
                        })
                    }
                    WaitError::Unknown(name) => unknown_projection(&name),
                })?;
        }
        let active = projector
            .active(projection)
            .ok_or_else(|| unknown_projection(projection))?;
        Ok(Active {
            projector,
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
            QueryError::NotFound { reason, what } => Error::NotFound { reason, what },
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
        let members = read_models::roster::OnSiteMembers {
            hospital: "x".to_owned(),
            date: time::macros::date!(2024 - 09 - 15),
            filter: read_models::roster::RosterFilter::default(),
            page: read_models::PageRequest::first(10),
        };
        let board = read_models::scoreboard::PairingScoreboard {
            pairing_id: "x".to_owned(),
        };
        let fresh = Freshness::default();
        assert_send(&app.query(&caller, fresh, &members));
        assert_send(&app.query(&caller, fresh, &board));
        assert_send(&app.query(&caller, fresh, &read_models::technique_diffusion::GapCounts));
        assert_send(&app.projection_status(&caller));
        assert_send(&app.rebuild_projection(&caller, "x"));
    }
}
