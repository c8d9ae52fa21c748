//! Stopping and crashing mid catch-up never applies an event twice or misses one.

use std::time::Duration;

use projector::ProjectionState;
use sqlx::Row;

use crate::counter::Counter;
use crate::support::{
    Backend, OnDatabase, TestDatabase, append, backends, expected, tables, tables_in, within,
};

#[tokio::test]
async fn a_restart_mid_catch_up_ends_equal_to_a_single_run() {
    for backend in backends() {
        let db = TestDatabase::new(&backend).await;
        let store = db.store().await;
        append(&store, "team-1", 70, "a").await;
        let end = append(&store, "batch-1", 50, "b").await;
        let slow = || {
            let mut counter = Counter::new("slow");
            counter.delay = Duration::from_millis(2);
            counter.arc()
        };

        let first = db.projector(&store, vec![slow()], 7).await;
        crate::support::eventually("some batches applied", || async {
            first.status().await.unwrap()[0].position >= 30
        })
        .await;
        first.shutdown().await;
        let pool = db.pool().await;
        let stopped: i64 =
            sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE name = 'slow'")
                .fetch_one(&pool)
                .await
                .unwrap();
        let stopped = u64::try_from(stopped).unwrap();
        assert!(
            stopped >= 30 && stopped < end,
            "stopped mid catch-up at {stopped}"
        );
        assert_eq!(
            tables(&pool, "rm_slow_v1_").await,
            expected(&store, &[], stopped).await,
            "the tables hold exactly the events before the checkpoint"
        );

        let second = db
            .projector(&store, vec![slow(), Counter::new("single").arc()], 7)
            .await;
        assert!(second.status().await.unwrap()[0].position >= stopped);
        for name in ["slow", "single"] {
            second.wait_for(name, end, within(30)).await.unwrap();
        }
        let resumed = tables(second.pool(), "rm_slow_v1_").await;
        assert_eq!(resumed, tables(second.pool(), "rm_single_v1_").await);
        assert_eq!(resumed, expected(&store, &[], end).await);
        second.shutdown().await;
    }
}

/// Kills the whole "process" (its runtime, mid-await wherever it is) at many points of a catch-up,
/// and checks after each kill that the tables hold exactly the events before the checkpoint. A
/// checkpoint committed apart from the rows it accounts for fails this.
#[test]
fn a_crash_at_any_point_leaves_tables_and_checkpoint_agreeing() {
    for backend in backends() {
        crash_repeatedly(&backend);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn crash_repeatedly(backend: &Backend) {
    let setup = runtime();
    let (db, end) = setup.block_on(async {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        append(&store, "team-1", 90, "a").await;
        let end = append(&store, "batch-1", 60, "b").await;
        store.close().await;
        (db, end)
    });
    drop(setup);

    let mut crashes = 0;
    for round in 0..200u64 {
        let process = runtime();
        process.block_on(async {
            let store = db.store().await;
            let mut counter = Counter::new("crashy");
            counter.delay = Duration::from_millis(1);
            let _projector = db.projector(&store, vec![counter.arc()], 4).await;
            tokio::time::sleep(Duration::from_millis(5 + (round * 7) % 23)).await;
        });
        // Every task is dropped at its current await: mid-apply, mid-commit, between commits.
        process.shutdown_background();
        crashes += 1;

        let check = runtime();
        let done = check.block_on(async {
            let store = db.store().await;
            let pool = db.pool().await;
            // One snapshot for the checkpoint and the tables: a commit the killed process had
            // already sent may still land while we look, and must be seen whole or not at all.
            let begin = if db.url.starts_with("sqlite:") {
                "BEGIN"
            } else {
                "BEGIN ISOLATION LEVEL REPEATABLE READ"
            };
            let mut snapshot = pool.begin_with(begin).await.unwrap();
            let row = sqlx::query(
                "SELECT position, state FROM projection_checkpoints WHERE name = 'crashy'",
            )
            .fetch_one(&mut *snapshot)
            .await
            .unwrap();
            let position = u64::try_from(row.get::<i64, _>(0)).unwrap();
            assert_eq!(row.get::<String, _>(1), "running");
            assert_eq!(
                tables_in(&mut snapshot, "rm_crashy_v1_").await,
                expected(&store, &[], position).await,
                "after crash {crashes} at checkpoint {position}"
            );
            snapshot.rollback().await.unwrap();
            pool.close().await;
            position == end
        });
        drop(check);
        if done {
            break;
        }
    }
    assert!(
        crashes >= 5,
        "the run was interrupted several times ({crashes})"
    );

    // A final, uninterrupted run agrees with the log and reports itself live.
    let last = runtime();
    last.block_on(async {
        let store = db.store().await;
        let projector = db
            .projector(&store, vec![Counter::new("crashy").arc()], 4)
            .await;
        projector.wait_for("crashy", end, within(20)).await.unwrap();
        assert_eq!(
            tables(projector.pool(), "rm_crashy_v1_").await,
            expected(&store, &[], end).await
        );
        crate::support::eventually("live", || async {
            projector.status().await.unwrap()[0].state == ProjectionState::Live
        })
        .await;
        projector.shutdown().await;
    });
}
