//! Two replicas on one PostgreSQL database: the one running the read models is killed in the middle
//! of rebuilding them; the other takes over, resumes from the checkpoints, and ends with every
//! read-model table equal to the one built in a single run. An event applied twice, or skipped, at
//! the hand-over would change a row.
//!
//! The killed replica lives on a Tokio runtime of its own thread; killing it drops that runtime,
//! which abandons its tasks where they stand and closes its connections, as a crashed process
//! would: PostgreSQL rolls back its open transactions and releases its advisory lock.

use std::time::Duration;

use event_store::{EventStore, StoreOptions};
use projector::{Projector, ProjectorOptions};

use crate::rebuild_and_restart::{dump_active, generations, wait_for_switch};
use crate::support::Env;

/// A replica on a runtime of its own, to be killed.
struct Doomed {
    runtime: tokio::runtime::Runtime,
    projector: Option<Projector>,
}

impl Doomed {
    fn start(url: &str, options: ProjectorOptions) -> Doomed {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let projector = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    runtime.block_on(async {
                        let store = EventStore::open(StoreOptions::new(url)).await.unwrap();
                        Projector::start_with(store, url, read_models::all(), options)
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

    /// Abandons every task of the replica where it stands and closes its connections.
    fn kill(mut self) {
        let projector = self.projector.take().unwrap();
        self.runtime.spawn(async move {
            let _projector = projector;
            std::future::pending::<()>().await;
        });
        self.runtime.shutdown_background();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_killed_mid_rebuild_is_replaced_and_the_models_equal_a_single_run() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    let end = env.append(crate::seed_002_facts::scenario()).await;
    let single_run = dump_active(&env).await;
    // One event per transaction keeps the rebuild slow enough to kill it in the middle.
    let slow = ProjectorOptions {
        batch_size: 1,
        follow_interval: Duration::from_millis(20),
        ..ProjectorOptions::default()
    };
    let (env, doomed) = env
        .follow(|url| Doomed::start(url, slow.clone()), slow.clone())
        .await;
    assert!(doomed.projector.as_ref().unwrap().is_leader());
    assert!(!env.projector.is_leader());

    // Asked of the follower, run by the leader.
    let before = generations(&env);
    for projection in read_models::all() {
        env.projector.rebuild(projection.name()).await.unwrap();
    }
    let mut progress = None;
    for _ in 0..4000 {
        let status = env.projector.status().await.unwrap();
        let rebuilding: Vec<u64> = status
            .iter()
            .filter(|s| !s.active && s.generation > before[&s.name])
            .map(|s| s.position)
            .collect();
        if rebuilding.iter().any(|&p| p >= 20) {
            progress = Some(rebuilding);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let progress = progress.expect("the leader never got the rebuild going");
    assert!(!env.projector.is_leader(), "the follower ran nothing");
    doomed.kill();
    assert!(
        progress.iter().any(|&p| p < end),
        "every rebuild finished before the kill: {progress:?}"
    );

    for _ in 0..600 {
        if env.projector.is_leader() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        env.projector.is_leader(),
        "the follower did not take over within 30 s"
    );
    wait_for_switch(&env, &before, end).await;
    assert_eq!(dump_active(&env).await, single_run);
}
