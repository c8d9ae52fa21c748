//! An event a projection cannot apply stops that projection, visibly and durably, and only it.

use std::sync::atomic::Ordering;

use projector::ProjectionState;
use sqlx::Row;

use crate::counter::Counter;
use crate::support::{
    OnDatabase, TestDatabase, append, backends, eventually, expected, tables, within,
};

/// A counter that applies the poison event like any other.
fn steady() -> std::sync::Arc<dyn projector::Projection> {
    let counter = Counter::new("steady");
    counter.poison.store(false, Ordering::SeqCst);
    counter.arc()
}

#[tokio::test]
async fn a_failing_event_stops_only_its_projection_and_stays_failed_across_restarts() {
    for backend in backends() {
        let db = TestDatabase::new(&backend).await;
        let store = db.store().await;
        append(&store, "team-1", 20, "fine").await;
        let poison_at = append(&store, "team-1", 1, "poison").await - 1;
        let end = append(&store, "team-1", 10, "fine").await;
        let fragile = Counter::new("fragile");
        let poison = fragile.poison.clone();
        let projector = db.projector(&store, vec![fragile.arc(), steady()], 8).await;

        projector.wait_for("steady", end, within(20)).await.unwrap();
        eventually("fragile fails", || async {
            projector.status().await.unwrap()[0].state == ProjectionState::Failed
        })
        .await;
        let status = projector.status().await.unwrap().remove(0);
        let failure = status.failure.clone().unwrap();
        assert_eq!(failure.position, poison_at);
        assert!(failure.reason.contains("poison marker"), "{failure:?}");
        // The batch holding the poison ([16, 24) with batch size 8) is rolled back whole.
        assert_eq!(status.position, 16);
        assert_eq!(
            tables(projector.pool(), "rm_fragile_v1_").await,
            expected(&store, &[], 16).await
        );
        let row = sqlx::query(
            "SELECT state, error_position, error_reason, position FROM projection_checkpoints \
             WHERE name = 'fragile'",
        )
        .fetch_one(projector.pool())
        .await
        .unwrap();
        assert_eq!(row.get::<String, _>(0), "failed");
        assert_eq!(
            row.get::<Option<i64>, _>(1),
            Some(i64::try_from(poison_at).unwrap())
        );
        assert!(
            row.get::<Option<String>, _>(2)
                .unwrap()
                .contains("poison marker")
        );
        assert_eq!(row.get::<i64, _>(3), 16);
        projector.shutdown().await;

        // After a restart it is still failed and does not move, while the other one keeps going.
        let fragile = Counter::new("fragile");
        fragile.poison.store(true, Ordering::SeqCst);
        let poison_again = fragile.poison.clone();
        let projector = db.projector(&store, vec![fragile.arc(), steady()], 8).await;
        let more = append(&store, "team-2", 5, "fine").await;
        projector
            .wait_for("steady", more, within(20))
            .await
            .unwrap();
        let status = projector.status().await.unwrap().remove(0);
        assert_eq!(status.state, ProjectionState::Failed);
        assert_eq!(status.position, 16);
        assert_eq!(status.failure.unwrap().position, poison_at);
        assert_eq!(status.lag_events, more - 16);

        // Once the cause is fixed, an explicit retry resumes from the checkpoint.
        poison.store(false, Ordering::SeqCst);
        poison_again.store(false, Ordering::SeqCst);
        assert_eq!(projector.retry("fragile").await.unwrap(), 1);
        projector
            .wait_for("fragile", more, within(20))
            .await
            .unwrap();
        assert_eq!(
            tables(projector.pool(), "rm_fragile_v1_").await,
            expected(&store, &[], more).await
        );
        assert_eq!(
            projector.status().await.unwrap()[0].failure,
            None,
            "the failure is cleared"
        );
        projector.shutdown().await;
    }
}

#[tokio::test]
async fn a_rebuild_replaces_a_failed_projection() {
    for backend in backends() {
        let db = TestDatabase::new(&backend).await;
        let store = db.store().await;
        append(&store, "team-1", 10, "fine").await;
        let poison_at = append(&store, "team-1", 1, "poison").await - 1;
        let end = append(&store, "team-1", 10, "fine").await;
        let fragile = Counter::new("fragile");
        let poison = fragile.poison.clone();
        let projector = db.projector(&store, vec![fragile.arc()], 4).await;
        eventually("fragile fails", || async {
            projector.status().await.unwrap()[0].state == ProjectionState::Failed
        })
        .await;
        let failed = projector.active("fragile").unwrap();
        assert_eq!(failed.position, 8);
        assert_eq!(
            projector.status().await.unwrap()[0]
                .failure
                .as_ref()
                .unwrap()
                .position,
            poison_at
        );

        // The fixed code builds a new generation; queries move to it once it has caught up.
        poison.store(false, Ordering::SeqCst);
        assert_eq!(projector.rebuild("fragile").await.unwrap(), 1);
        let reached = projector
            .wait_for("fragile", end, within(20))
            .await
            .unwrap();
        assert!(reached >= end);
        let active = projector.active("fragile").unwrap();
        assert_eq!(active.generation, 1);
        assert_eq!(
            tables(projector.pool(), &active.table_prefix).await,
            expected(&store, &[], end).await
        );
        eventually("the failed generation is gone", || async {
            projector.status().await.unwrap().len() == 1
        })
        .await;
        assert_eq!(projector.status().await.unwrap()[0].failure, None);
        projector.shutdown().await;
    }
}
