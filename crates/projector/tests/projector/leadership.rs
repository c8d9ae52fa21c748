//! Several replicas on one PostgreSQL database: exactly one runs the projections, the others answer
//! from the checkpoint tables, and when the leader dies another takes over from the checkpoint
//! without applying an event twice.
//!
//! A replica is a store and a projector of their own. The one to be killed lives on a Tokio runtime
//! of its own thread; killing it drops that runtime, which abandons every task where it stands and
//! closes its connections, as a crashed process would (PostgreSQL rolls back its open transaction
//! and releases its advisory lock).

use std::time::Duration;

use event_store::{EventStore, StoreOptions};
use projector::{Projector, ProjectorOptions};
use sqlx::Row;

use crate::counter::Counter;
use crate::support::{
    Backend, OnDatabase, TestDatabase, append, eventually, expected, tables, within,
};

fn postgres() -> Option<Backend> {
    match std::env::var("MEDAID_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
        _ => {
            eprintln!("MEDAID_TEST_DATABASE_URL is not set: PostgreSQL case not run");
            None
        }
    }
}

/// A replica on a runtime of its own, to be killed.
struct Doomed {
    runtime: tokio::runtime::Runtime,
    projector: Option<Projector>,
}

impl Doomed {
    fn start(db: &TestDatabase, slow_ms: u64, batch: usize) -> Doomed {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let url = db.url.clone();
        let projector = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    runtime.block_on(async {
                        let mut options = StoreOptions::new(&url);
                        options.poll_interval = Duration::from_millis(50);
                        let store = EventStore::open(options).await.unwrap();
                        let options = ProjectorOptions {
                            batch_size: batch,
                            idle_checkpoint_interval: Duration::from_millis(20),
                            ..ProjectorOptions::default()
                        };
                        Projector::start_with(store, &url, vec![counter(slow_ms)], options)
                            .await
                            .unwrap()
                    })
                })
                .join()
                .unwrap()
        });
        Doomed {
            runtime,
            projector: Some(projector),
        }
    }

    fn is_leader(&self) -> bool {
        self.projector.as_ref().unwrap().is_leader()
    }

    /// Abandons every task of the replica where it stands and closes its connections.
    fn kill(mut self) {
        let projector = self.projector.take().unwrap();
        // Dropped inside a task, so that the drop does not run any shutdown logic of its own first.
        self.runtime.spawn(async move {
            let _projector = projector;
            std::future::pending::<()>().await;
        });
        self.runtime.shutdown_background();
    }
}

fn counter(slow_ms: u64) -> std::sync::Arc<dyn projector::Projection> {
    let mut counter = Counter::new("count");
    counter.delay = Duration::from_millis(slow_ms);
    counter.arc()
}

async fn stored_position(db: &TestDatabase) -> u64 {
    let pool = db.pool().await;
    let row = sqlx::query("SELECT position FROM projection_checkpoints WHERE name = 'count'")
        .fetch_one(&pool)
        .await
        .unwrap();
    u64::try_from(row.get::<i64, _>(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_replica_runs_the_projections_and_the_others_answer_from_the_tables() {
    let Some(backend) = postgres() else { return };
    let db = TestDatabase::new(&backend).await;
    let store_a = db.store().await;
    let store_b = db.store().await;
    let a = db.projector(&store_a, vec![counter(0)], 50).await;
    let b = db.projector(&store_b, vec![counter(0)], 50).await;
    assert!(a.is_leader(), "the first replica takes the lock");
    assert!(!b.is_leader(), "the second one follows");

    // Writes through the follower's store are projected by the leader, and the follower's
    // read-your-writes wait is answered from the checkpoint table.
    let end = append(&store_b, "team-1", 120, "b").await;
    let reached = b.wait_for("count", end, within(30)).await.unwrap();
    assert!(reached >= end);
    assert!(b.active("count").unwrap().position >= end);
    assert_eq!(
        tables(b.pool(), &b.active("count").unwrap().table_prefix).await,
        expected(&store_b, &[], end).await
    );
    let status = b.status().await.unwrap();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].position, stored_position(&db).await);

    // A rebuild asked of the follower is run by the leader and switches on both.
    let before = b.active("count").unwrap().generation;
    let generation = b.rebuild("count").await.unwrap();
    assert!(generation > before);
    eventually("the rebuild asked of the follower switches", || async {
        a.active("count").unwrap().generation == generation
            && b.active("count").unwrap().generation == generation
    })
    .await;
    assert!(!b.is_leader());

    // A clean shutdown hands over at once.
    a.shutdown().await;
    eventually("the follower takes over after a shutdown", || async {
        b.is_leader()
    })
    .await;
    let end = append(&store_a, "team-2", 10, "c").await;
    b.wait_for("count", end, within(30)).await.unwrap();
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_leader_is_replaced_and_nothing_is_applied_twice() {
    let Some(backend) = postgres() else { return };
    let db = TestDatabase::new(&backend).await;
    let store = db.store().await;
    append(&store, "team-1", 400, "a").await;
    let end = append(&store, "batch-1", 400, "b").await;

    // The doomed leader catches up slowly, a few events a transaction.
    let doomed = Doomed::start(&db, 3, 5);
    assert!(doomed.is_leader());
    let follower = db.projector(&store, vec![counter(0)], 50).await;
    assert!(!follower.is_leader());
    eventually("the leader is mid catch-up", || async {
        stored_position(&db).await >= 50
    })
    .await;
    doomed.kill();
    let killed_at = stored_position(&db).await;
    assert!(
        killed_at < end,
        "killed mid catch-up, at {killed_at} of {end}"
    );

    eventually("the follower takes over", || async { follower.is_leader() }).await;
    follower.wait_for("count", end, within(60)).await.unwrap();
    let active = follower.active("count").unwrap();
    assert_eq!(
        tables(follower.pool(), &active.table_prefix).await,
        expected(&store, &[], end).await,
        "every event applied exactly once across the two leaders"
    );
    follower.shutdown().await;
}
