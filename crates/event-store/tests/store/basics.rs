//! Appending, reading, expected versions, idempotency, limits and filters.

use event_store::{AppendError, EventFilter, ExpectedVersion, NewEvent, TimePrecision};
use serde_json::json;

use crate::support::{
    Backend, OnDatabase, TestDatabase, assert_log_is_sound, event, events, metadata,
};

crate::backend_tests!(
    appended_events_read_back_with_every_field,
    expected_versions_are_enforced_and_a_refusal_writes_nothing,
    a_repeated_request_id_returns_the_original_result_and_writes_nothing,
    the_request_record_answers_what_an_append_wrote,
    limits_refuse_bad_appends_and_write_nothing,
    reads_filter_by_category_and_event_type,
    the_stored_merkle_root_equals_a_recomputation_at_every_size,
    the_database_refuses_to_change_history,
);

async fn appended_events_read_back_with_every_field(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let result = store
        .append(
            "batch-7",
            ExpectedVersion::NoStream,
            events(3, "a"),
            "req-1",
            metadata(),
        )
        .await
        .unwrap();
    assert_eq!(result.positions(), 0..3);
    assert_eq!(result.stream_version, 3);

    let stream = store.read_stream("batch-7", 1, 100).await.unwrap();
    assert_eq!(stream.len(), 3);
    let first = &stream[0];
    assert_eq!((first.position, first.stream_version), (0, 1));
    assert_eq!(first.event_type, "Happened");
    assert_eq!(first.category(), "batch");
    assert_eq!(first.payload.get(), r#"{"i":0,"marker":"a"}"#);
    assert_eq!(first.occurred.precision, TimePrecision::Day);
    assert_eq!(first.recorded_at_us, result.recorded_at_us);
    assert_eq!(first.event_id.get_version_num(), 7, "event ids are UUIDv7");
    let stored_metadata = first.parsed_metadata().unwrap();
    assert_eq!(stored_metadata.request_id, "req-1");
    assert_eq!(stored_metadata.actor, "recorder:test");
    assert_eq!(
        stored_metadata.trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );

    assert_eq!(store.read_stream("batch-7", 3, 100).await.unwrap().len(), 1);
    assert_eq!(store.get_event(2).await.unwrap().unwrap(), stream[2]);
    assert!(store.get_event(3).await.unwrap().is_none());
    assert_eq!(store.head().await.unwrap().size, 3);
    assert_log_is_sound(&store).await;
}

async fn expected_versions_are_enforced_and_a_refusal_writes_nothing(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let append = |expected, request: &'static str| {
        let store = store.clone();
        async move {
            store
                .append(
                    "pairing-1",
                    expected,
                    events(1, request),
                    request,
                    metadata(),
                )
                .await
        }
    };
    append(ExpectedVersion::NoStream, "r1").await.unwrap();
    let stale = append(ExpectedVersion::NoStream, "r2").await.unwrap_err();
    assert!(
        matches!(stale, AppendError::WrongExpectedVersion { ref stream_id, actual: 1, .. } if stream_id == "pairing-1"),
        "{stale:?}"
    );
    assert_eq!(
        append(ExpectedVersion::Exact(1), "r3")
            .await
            .unwrap()
            .stream_version,
        2
    );
    assert!(matches!(
        append(ExpectedVersion::Exact(1), "r4").await,
        Err(AppendError::WrongExpectedVersion { actual: 2, .. })
    ));
    assert_eq!(
        append(ExpectedVersion::Any, "r5")
            .await
            .unwrap()
            .stream_version,
        3
    );
    assert!(matches!(
        store
            .append(
                "pairing-2",
                ExpectedVersion::Exact(4),
                events(1, "x"),
                "r6",
                metadata()
            )
            .await,
        Err(AppendError::WrongExpectedVersion { actual: 0, .. })
    ));
    // Exact(0) means "no stream" as well.
    store
        .append(
            "pairing-2",
            ExpectedVersion::Exact(0),
            events(1, "y"),
            "r7",
            metadata(),
        )
        .await
        .unwrap();
    let all = assert_log_is_sound(&store).await;
    assert_eq!(all.len(), 4, "refused appends wrote nothing");
}

async fn a_repeated_request_id_returns_the_original_result_and_writes_nothing(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let original = store
        .append(
            "batch-1",
            ExpectedVersion::NoStream,
            events(2, "a"),
            "same-id",
            metadata(),
        )
        .await
        .unwrap();
    store
        .append(
            "batch-1",
            ExpectedVersion::Any,
            events(1, "b"),
            "other-id",
            metadata(),
        )
        .await
        .unwrap();
    // The retry's expectation is stale by now; the original answer comes back all the same.
    let mut retry_metadata = metadata();
    retry_metadata.trace_id = Some("another-trace".into());
    let retry = store
        .append(
            "batch-1",
            ExpectedVersion::NoStream,
            events(2, "a"),
            "same-id",
            retry_metadata,
        )
        .await
        .unwrap();
    assert_eq!(retry, original);

    let reused = store
        .append(
            "batch-1",
            ExpectedVersion::NoStream,
            events(2, "changed"),
            "same-id",
            metadata(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(reused, AppendError::RequestIdReused { ref request_id } if request_id == "same-id")
    );
    assert_eq!(assert_log_is_sound(&store).await.len(), 3);
}

async fn limits_refuse_bad_appends_and_write_nothing(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db
        .open_with(|options| {
            options.limits.max_events_per_append = 5;
            options.limits.max_payload_bytes = 100;
        })
        .await;
    let append = |stream: &str, events: Vec<NewEvent>, request: &str| {
        let (store, stream, request) = (store.clone(), stream.to_owned(), request.to_owned());
        async move {
            store
                .append(&stream, ExpectedVersion::Any, events, &request, metadata())
                .await
        }
    };
    assert!(matches!(
        append("s-1", vec![], "r").await,
        Err(AppendError::EmptyBatch)
    ));
    assert!(matches!(
        append("s-1", events(6, "m"), "r").await,
        Err(AppendError::TooManyEvents { count: 6, max: 5 })
    ));
    let big = event("Happened", json!({ "text": "x".repeat(200) }));
    assert!(matches!(
        append("s-1", vec![event("Happened", json!({})), big], "r").await,
        Err(AppendError::PayloadTooLarge {
            index: 1,
            max: 100,
            ..
        })
    ));
    assert!(matches!(
        append("Not-A-Stream", events(1, "m"), "r").await,
        Err(AppendError::InvalidStreamId { .. })
    ));
    assert!(matches!(
        append("s-1", vec![event("bad type", json!({}))], "r").await,
        Err(AppendError::InvalidEventType { index: 0, .. })
    ));
    assert!(matches!(
        append("s-1", events(1, "m"), "has space").await,
        Err(AppendError::InvalidRequestId { .. })
    ));
    let mut unversioned = event("Happened", json!({}));
    unversioned.schema_version = 0;
    assert!(matches!(
        append("s-1", vec![unversioned], "r").await,
        Err(AppendError::InvalidSchemaVersion { index: 0 })
    ));
    let mut backwards = event("Happened", json!({}));
    backwards.occurred.to_us = backwards.occurred.from_us - 1;
    assert!(matches!(
        append("s-1", vec![backwards], "r").await,
        Err(AppendError::InvalidBusinessTime { index: 0 })
    ));
    let mut anonymous = metadata();
    anonymous.actor.clear();
    assert!(matches!(
        store
            .append("s-1", ExpectedVersion::Any, events(1, "m"), "r", anonymous)
            .await,
        Err(AppendError::InvalidMetadata { field: "actor", .. })
    ));
    assert_eq!(store.head().await.unwrap().size, 0);
    // The request id of a refused append stays free.
    append("s-1", events(1, "m"), "r").await.unwrap();
}

async fn reads_filter_by_category_and_event_type(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let pairs = [
        ("batch-1", "BatchDispatched"),
        ("mentorship-1", "MentorshipPaired"),
        ("batch-2", "BatchDispatched"),
        ("batch-1", "MemberAssigned"),
        ("mentorship-2", "MentorshipPaired"),
    ];
    for (i, (stream, event_type)) in pairs.iter().enumerate() {
        store
            .append(
                stream,
                ExpectedVersion::Any,
                vec![event(event_type, json!({ "i": i }))],
                &format!("r{i}"),
                metadata(),
            )
            .await
            .unwrap();
    }
    let filter = |categories: &[&str], types: &[&str]| EventFilter {
        categories: categories.iter().map(|s| s.to_string()).collect(),
        event_types: types.iter().map(|s| s.to_string()).collect(),
    };
    let positions =
        |page: &event_store::EventPage| page.events.iter().map(|e| e.position).collect::<Vec<_>>();

    let batches = store
        .read_all(0, 100, &filter(&["batch"], &[]))
        .await
        .unwrap();
    assert_eq!(positions(&batches), vec![0, 2, 3]);
    assert_eq!(batches.next_position, 5, "the scan reached the head");

    let dispatched = store
        .read_all(0, 100, &filter(&["batch"], &["BatchDispatched"]))
        .await
        .unwrap();
    assert_eq!(positions(&dispatched), vec![0, 2]);

    let first_page = store
        .read_all(0, 1, &filter(&["mentorship"], &[]))
        .await
        .unwrap();
    assert_eq!(positions(&first_page), vec![1]);
    assert_eq!(first_page.next_position, 2);
    let second_page = store
        .read_all(2, 1, &filter(&["mentorship"], &[]))
        .await
        .unwrap();
    assert_eq!(positions(&second_page), vec![4]);

    let nothing = store
        .read_all(5, 100, &EventFilter::default())
        .await
        .unwrap();
    assert!(nothing.events.is_empty());
    assert_eq!(nothing.next_position, 5);
}

async fn the_stored_merkle_root_equals_a_recomputation_at_every_size(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    assert_eq!(
        store.merkle_root().await.unwrap().root,
        ledger::Hash::empty_root()
    );
    // Appends of uneven sizes cross many subtree boundaries.
    for (i, n) in [1, 2, 3, 1, 5, 8, 13, 1, 1, 30].into_iter().enumerate() {
        store
            .append(
                &format!("s-{}", i % 3),
                ExpectedVersion::Any,
                events(n, "m"),
                &format!("r{i}"),
                metadata(),
            )
            .await
            .unwrap();
        assert_log_is_sound(&store).await;
    }
}

async fn the_database_refuses_to_change_history(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    store
        .append("s-1", ExpectedVersion::Any, events(2, "m"), "r", metadata())
        .await
        .unwrap();
    let statements = [
        "UPDATE events SET payload = '{}' WHERE position = 0",
        "DELETE FROM events WHERE position = 1",
        "DELETE FROM merkle_nodes",
        "DELETE FROM append_requests",
    ];
    for statement in statements {
        let outcome = match &backend {
            Backend::Sqlite => {
                use sqlx::Connection;
                let mut connection = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement)
                    .execute(&mut connection)
                    .await
                    .map(|_| ())
            }
            Backend::Postgres(_) => {
                use sqlx::Connection;
                let mut connection = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement)
                    .execute(&mut connection)
                    .await
                    .map(|_| ())
            }
        };
        let error = outcome.unwrap_err().to_string();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_log_is_sound(&store).await;
}

async fn the_request_record_answers_what_an_append_wrote(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    assert_eq!(store.recorded_request("r-none").await.unwrap(), None);
    store
        .append(
            "hospital-1",
            ExpectedVersion::NoStream,
            events(1, "a"),
            "r-1",
            metadata(),
        )
        .await
        .unwrap();
    let written = store
        .append(
            "hospital-1",
            ExpectedVersion::Exact(1),
            events(2, "b"),
            "r-2",
            metadata(),
        )
        .await
        .unwrap();
    let recorded = store
        .recorded_request("r-2")
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(recorded.stream_id, "hospital-1");
    assert_eq!(
        recorded.result, written,
        "positions, version, time, ids and leaf hashes"
    );
    assert_eq!(store.recorded_request("r-none").await.unwrap(), None);
}
