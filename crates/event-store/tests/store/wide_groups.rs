//! A group commit that names more streams than one version query asks about still checks the
//! expected version of every stream in it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use event_store::testing::FaultHook;
use event_store::{AppendError, ExpectedVersion};

use crate::support::{Backend, OnDatabase, TestDatabase, assert_log_is_sound, events, metadata};

crate::backend_tests!(every_stream_of_a_wide_group_has_its_version_checked);

/// More than the store's 200 streams per version query, and more than SQLite's 500 terms in one
/// compound SELECT, so a group can span several queries.
const STREAMS: usize = 600;

/// Holds the first commit of each wave for a moment, so that the rest of the wave queues up and is
/// committed as one wide group, and records the widest group seen.
#[derive(Default)]
struct WideningHook {
    commits: AtomicUsize,
    widest: AtomicUsize,
}

impl FaultHook for WideningHook {
    fn before_commit(&self, request_ids: &[&str]) -> Result<(), String> {
        self.widest.fetch_max(request_ids.len(), Ordering::SeqCst);
        if self
            .commits
            .fetch_add(1, Ordering::SeqCst)
            .is_multiple_of(2)
        {
            std::thread::sleep(Duration::from_millis(300));
        }
        Ok(())
    }
}

async fn append_wave(store: &event_store::EventStore, wave: &str) -> Vec<Result<(), AppendError>> {
    let mut tasks = Vec::new();
    for i in 0..STREAMS {
        let store = store.clone();
        let request_id = format!("{wave}-{i}");
        tasks.push(tokio::spawn(async move {
            store
                .append(
                    &format!("wide-{i}"),
                    ExpectedVersion::NoStream,
                    events(1, &request_id),
                    &request_id,
                    metadata(),
                )
                .await
                .map(|_| ())
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

async fn every_stream_of_a_wide_group_has_its_version_checked(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let hook = Arc::new(WideningHook::default());
    let faults = hook.clone();
    let store = db
        .open_with(|options| {
            options.max_group_requests = STREAMS;
            options.queue_capacity = options.queue_capacity.max(STREAMS * 2);
            options.faults = Some(faults);
        })
        .await;
    // The first wave creates every stream.
    for result in append_wave(&store, "create").await {
        result.unwrap();
    }
    // The second wave expects no stream again: each of its appends must be refused, whichever
    // group and whichever version query its stream landed in.
    for result in append_wave(&store, "again").await {
        assert!(
            matches!(
                result,
                Err(AppendError::WrongExpectedVersion { actual: 1, .. })
            ),
            "{result:?}"
        );
    }
    let all = assert_log_is_sound(&store).await;
    assert_eq!(all.len(), STREAMS);
    // Refused appends never reach a commit, so the widest group is one of the first wave.
    let widest = hook.widest.load(Ordering::SeqCst);
    assert!(widest > 500, "the widest group named only {widest} streams");
}
