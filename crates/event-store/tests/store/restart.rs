//! Guarantee 3: closing and reopening the store loses nothing and continues where it stopped.

use event_store::ExpectedVersion;

use crate::support::{Backend, OnDatabase, TestDatabase, assert_log_is_sound, events, metadata};

crate::backend_tests!(a_reopened_store_continues_positions_roots_and_idempotency);

async fn a_reopened_store_continues_positions_roots_and_idempotency(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let mut results = Vec::new();
    for i in 0..7 {
        let result = store
            .append(
                &format!("s-{}", i % 2),
                ExpectedVersion::Any,
                events(i + 1, &format!("a{i}")),
                &format!("r{i}"),
                metadata(),
            )
            .await
            .unwrap();
        results.push(result);
    }
    let root_before = store.merkle_root().await.unwrap();
    let events_before = assert_log_is_sound(&store).await;
    store.close().await;
    assert!(
        store
            .append(
                "s-0",
                ExpectedVersion::Any,
                events(1, "late"),
                "late",
                metadata()
            )
            .await
            .is_err(),
        "a closed store refuses appends"
    );
    drop(store);

    let store = db.open().await;
    assert_eq!(store.merkle_root().await.unwrap(), root_before);
    assert_eq!(assert_log_is_sound(&store).await, events_before);
    // A repeated request id still answers with its original result.
    let repeat = store
        .append(
            "s-1",
            ExpectedVersion::Any,
            events(4, "a3"),
            "r3",
            metadata(),
        )
        .await
        .unwrap();
    assert_eq!(repeat, results[3]);
    // New appends continue the positions and the stream versions.
    let next = store
        .append(
            "s-0",
            ExpectedVersion::Exact(16),
            events(2, "b"),
            "after-reopen",
            metadata(),
        )
        .await
        .unwrap();
    assert_eq!(next.first_position, root_before.size);
    assert_eq!(next.stream_version, 18);
    assert_eq!(
        assert_log_is_sound(&store).await.len() as u64,
        root_before.size + 2
    );
}
