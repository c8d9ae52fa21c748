//! Catch-up then live, filters, status and read-your-writes.

use std::time::Duration;

use projector::{ProjectionState, WaitError};

use crate::counter::Counter;
use crate::support::{OnDatabase, TestDatabase, append, backends, expected, tables, within};

#[tokio::test]
async fn events_before_and_after_start_are_applied_exactly_once() {
    for backend in backends() {
        let db = TestDatabase::new(&backend).await;
        let store = db.store().await;
        append(&store, "team-1", 40, "a").await;
        append(&store, "batch-1", 25, "b").await;
        let mut teams = Counter::new("teams");
        teams.categories = vec!["team".into()];
        let projector = db
            .projector(&store, vec![Counter::new("all").arc(), teams.arc()], 7)
            .await;

        append(&store, "team-2", 12, "c").await;
        // The log ends with events the filtered projection does not want: its position must still
        // reach the head.
        let end = append(&store, "batch-2", 9, "d").await;
        for name in ["all", "teams"] {
            let reached = projector.wait_for(name, end, within(20)).await.unwrap();
            assert!(reached >= end, "{name} reached {reached}");
        }

        let all = projector.active("all").unwrap();
        let teams = projector.active("teams").unwrap();
        assert_eq!(all.table_prefix, "rm_all_v1_");
        assert_eq!(
            tables(projector.pool(), &all.table_prefix).await,
            expected(&store, &[], end).await
        );
        assert_eq!(
            tables(projector.pool(), &teams.table_prefix).await,
            expected(&store, &["team"], end).await
        );

        let statuses = projector.status().await.unwrap();
        assert_eq!(statuses.len(), 2);
        for status in statuses {
            assert_eq!(status.position, end, "{status:?}");
            assert_eq!(status.lag_events, 0);
            assert_eq!(status.state, ProjectionState::Live, "{status:?}");
            assert!(status.active && status.failure.is_none());
        }
        projector.shutdown().await;
    }
}

#[tokio::test]
async fn wait_for_returns_when_reached_and_times_out_with_the_reached_position() {
    for backend in backends() {
        let db = TestDatabase::new(&backend).await;
        let store = db.store().await;
        let projector = db
            .projector(&store, vec![Counter::new("all").arc()], 50)
            .await;

        let end = append(&store, "team-1", 5, "a").await;
        let reached = projector.wait_for("all", end, within(20)).await.unwrap();
        assert_eq!(reached, end);
        let t = tables(projector.pool(), "rm_all_v1_").await;
        assert_eq!(t.applied.len(), 5, "read-your-writes: the rows are there");

        let started = tokio::time::Instant::now();
        let deadline = started + Duration::from_millis(300);
        assert_eq!(
            projector.wait_for("all", end + 10, deadline).await,
            Err(WaitError::Timeout { reached: end })
        );
        assert!(started.elapsed() >= Duration::from_millis(290));
        assert!(matches!(
            projector.wait_for("nope", 0, within(1)).await,
            Err(WaitError::Unknown(_))
        ));

        // A wait started before the events exist returns once they are applied.
        let waiter = projector.wait_for("all", end + 3, within(20));
        let (reached, _) = tokio::join!(waiter, append(&store, "team-1", 3, "b"));
        assert_eq!(reached, Ok(end + 3));
        projector.shutdown().await;
    }
}

#[tokio::test]
async fn status_reports_lag_while_catching_up() {
    for backend in backends() {
        let db = TestDatabase::new(&backend).await;
        let store = db.store().await;
        let end = append(&store, "team-1", 60, "a").await;
        let mut slow = Counter::new("slow");
        slow.delay = Duration::from_millis(5);
        let projector = db.projector(&store, vec![slow.arc()], 5).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        let status = projector.status().await.unwrap().remove(0);
        assert_eq!(status.state, ProjectionState::CatchingUp, "{status:?}");
        assert!(status.position < end);
        assert_eq!(status.lag_events, end - status.position);
        assert!(status.lag_seconds >= 0.0);
        projector.wait_for("slow", end, within(20)).await.unwrap();
        projector.shutdown().await;
    }
}

/// A projection whose schema creates a table outside its prefix.
struct Trespasser;

impl projector::Projection for Trespasser {
    fn name(&self) -> &'static str {
        "trespasser"
    }

    fn version(&self) -> u32 {
        1
    }

    fn filter(&self) -> event_store::EventFilter {
        event_store::EventFilter::default()
    }

    fn schema(&self, _prefix: &str) -> Vec<String> {
        vec!["CREATE TABLE events_copy (position BIGINT)".into()]
    }

    fn apply<'a>(
        &'a self,
        _connection: &'a mut sqlx::AnyConnection,
        _prefix: &'a str,
        _event: &'a event_store::StoredEvent,
    ) -> futures_util::future::BoxFuture<'a, Result<(), projector::ProjectionError>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn bad_registrations_are_refused() {
    let db = TestDatabase::new(&crate::support::Backend::Sqlite).await;
    let store = db.store().await;
    let start = |projections| projector::Projector::start(store.clone(), &db.url, projections);
    let error = start(vec![std::sync::Arc::new(Trespasser)])
        .await
        .err()
        .unwrap();
    assert!(
        matches!(error, projector::ProjectorError::Schema { ref table, .. } if table == "events_copy"),
        "{error:?}"
    );
    let error = start(vec![
        Counter::new("twice").arc(),
        Counter::new("twice").arc(),
    ])
    .await
    .err()
    .unwrap();
    assert!(matches!(error, projector::ProjectorError::Duplicate(_)));
    let error = start(vec![Counter::new("Bad-Name").arc()])
        .await
        .err()
        .unwrap();
    assert!(matches!(error, projector::ProjectorError::InvalidName(_)));
    // Nothing was created by the refused schema.
    let pool = db.pool().await;
    assert!(!crate::support::table_exists(&pool, "events_copy").await);
}
