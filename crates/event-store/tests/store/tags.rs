//! Tags: stored with their events, read back by query in position order, through the tag index.

use event_store::testing::{TagBind, TagSql};
use event_store::{EventStore, ExpectedVersion, NewEvent, StoreError, TagQuery};
use serde_json::json;
use sqlx::Connection;

use crate::audit::raw;
use crate::support::{Backend, OnDatabase, TestDatabase, assert_log_is_sound, event, metadata};

crate::backend_tests!(
    tags_are_stored_and_read_back_in_position_order,
    tag_reads_and_condition_probes_use_the_tag_index,
    a_backfill_adds_missing_tags_and_raises_its_marker,
);

fn tagged(event_type: &str, marker: &str, tags: &[&str]) -> NewEvent {
    NewEvent {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..event(event_type, json!({ "marker": marker }))
    }
}

/// The markers of the events a query finds below `up_to`, and the bound the read covered.
async fn markers(store: &EventStore, query: &TagQuery, up_to: u64) -> (Vec<String>, u64) {
    let found = store.read_by_tags(query, up_to).await.unwrap();
    let positions: Vec<u64> = found.events.iter().map(|e| e.position).collect();
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(positions, sorted, "in position order, each once");
    let markers = found
        .events
        .iter()
        .map(|e| {
            let payload: serde_json::Value = serde_json::from_str(e.payload.get()).unwrap();
            payload["marker"].as_str().unwrap().to_owned()
        })
        .collect();
    (markers, found.up_to_position)
}

async fn tags_are_stored_and_read_back_in_position_order(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    // Three streams written in turns, so one tag's events are interleaved with others.
    let appends: [(&str, Vec<NewEvent>); 4] = [
        (
            "batch-1",
            vec![
                tagged("Assigned", "a", &["practitioner:P1", "batch:1"]),
                tagged("Assigned", "b", &["practitioner:P2", "batch:1"]),
            ],
        ),
        (
            "batch-2",
            vec![tagged("Assigned", "c", &["practitioner:P1", "batch:2"])],
        ),
        (
            "hospital-9",
            vec![event("Registered", json!({ "marker": "untagged" }))],
        ),
        (
            "batch-1",
            vec![
                // Repeated tags are one tag; order does not matter.
                tagged("Released", "d", &["batch:1", "practitioner:P1", "batch:1"]),
                tagged("Assigned", "e", &["gap:county/620422/vats"]),
            ],
        ),
    ];
    for (i, (stream, events)) in appends.into_iter().enumerate() {
        store
            .append(
                stream,
                ExpectedVersion::Any,
                events,
                &format!("r{i}"),
                metadata(),
            )
            .await
            .unwrap();
    }
    let head = store.head().await.unwrap().size;
    assert_eq!(head, 6);

    let p1 = TagQuery::tag("practitioner:P1");
    assert_eq!(
        markers(&store, &p1, u64::MAX).await,
        (vec!["a".into(), "c".into(), "d".into()], 6)
    );
    // The bound is exclusive: the read covers positions below it.
    assert_eq!(
        markers(&store, &p1, 4).await,
        (vec!["a".into(), "c".into()], 4)
    );
    assert_eq!(markers(&store, &p1, 0).await, (vec![], 0));
    // All tags of an alternative, and its types.
    let both = TagQuery::default().or_tags(["practitioner:P1", "batch:1"], [] as [&str; 0]);
    assert_eq!(markers(&store, &both, u64::MAX).await.0, ["a", "d"]);
    let assigned = TagQuery::default().or_tags(["practitioner:P1"], ["Assigned"]);
    assert_eq!(markers(&store, &assigned, u64::MAX).await.0, ["a", "c"]);
    // Any alternative; an event matching two is returned once.
    let either = TagQuery::tag("gap:county/620422/vats")
        .or_tags(["batch:1"], [] as [&str; 0])
        .or_tags(["practitioner:P2"], [] as [&str; 0]);
    assert_eq!(
        markers(&store, &either, u64::MAX).await.0,
        ["a", "b", "d", "e"]
    );
    assert_eq!(
        markers(&store, &TagQuery::tag("practitioner:P3"), u64::MAX)
            .await
            .0,
        Vec::<String>::new()
    );
    // A tag is a whole string, never a prefix.
    assert!(
        markers(&store, &TagQuery::tag("practitioner:P"), u64::MAX)
            .await
            .0
            .is_empty()
    );
    assert!(matches!(
        store.read_by_tags(&TagQuery::tag("no colon"), 6).await,
        Err(StoreError::InvalidQuery(_))
    ));
    assert!(matches!(
        store.read_by_tags(&TagQuery::default(), 6).await,
        Err(StoreError::InvalidQuery(_))
    ));
    // Tags live outside the leaf: the log, its leaves and its root are as without them.
    assert_eq!(assert_log_is_sound(&store).await.len(), 6);
}

/// A tag read and a condition probe visit only the matching entries of the tag index and the
/// matching events by primary key; neither scans a table, so their cost does not grow with the log.
/// Checked with `EXPLAIN` on a log of 20,000 events with fresh statistics, for a query of two
/// alternatives, one with a second tag and a type.
async fn tag_reads_and_condition_probes_use_the_tag_index(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    for i in 0..20u64 {
        let events = (0..1_000u64)
            .map(|n| {
                let k = i * 1_000 + n;
                tagged(
                    "Happened",
                    &format!("{k}"),
                    &[&format!("group:{}", k % 100), &format!("n:{k}")],
                )
            })
            .collect();
        store
            .append(
                &format!("big-{}", i % 5),
                ExpectedVersion::Any,
                events,
                &format!("big{i}"),
                metadata(),
            )
            .await
            .unwrap();
    }
    raw(&db, &["ANALYZE"], false).await.unwrap();
    let query = TagQuery::tag("group:7").or_tags(["group:8", "n:1208"], ["Happened"]);
    let (found, _) = markers(&store, &query, u64::MAX).await;
    assert_eq!(found.len(), 201);
    let read = event_store::testing::tag_read_query(store.backend(), &query, 20_000).unwrap();
    let probe = event_store::testing::condition_probe_query(&query, 12_000).unwrap();
    for (sql, reads_events) in [(read, true), (probe, false)] {
        let plan = explain(&db, &sql).await;
        let plan_text = plan.join("\n");
        match &backend {
            Backend::Postgres(_) => {
                assert!(!plan_text.contains("Seq Scan"), "{plan_text}");
                assert!(plan_text.contains("event_tags_pkey"), "{plan_text}");
                // The read fetches each match by position; the probe checks a type through
                // either index of `events`, by position.
                assert!(
                    !reads_events || plan_text.contains("events_pkey"),
                    "{plan_text}"
                );
            }
            Backend::Sqlite => {
                // SQLite says SCAN for a full table scan and SEARCH for an index probe.
                let scans: Vec<&String> = plan
                    .iter()
                    .filter(|line| line.contains("SCAN") && !line.contains("CONSTANT ROW"))
                    .collect();
                assert!(scans.is_empty(), "{plan_text}");
                assert!(
                    plan_text.contains("SEARCH t USING PRIMARY KEY (tag=? AND position"),
                    "{plan_text}"
                );
                assert!(
                    plan_text.contains("SEARCH o EXISTS USING PRIMARY KEY (tag=? AND position=?)"),
                    "{plan_text}"
                );
                assert!(
                    !reads_events
                        || plan_text.contains("SEARCH events USING INTEGER PRIMARY KEY (rowid=?)"),
                    "{plan_text}"
                );
            }
        }
    }
}

/// The plan of a tag query with its values bound: PostgreSQL's `EXPLAIN` lines, SQLite's
/// `EXPLAIN QUERY PLAN` details.
async fn explain(db: &TestDatabase, query: &TagSql) -> Vec<String> {
    if db.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let sql = format!("EXPLAIN QUERY PLAN {}", query.sql);
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(sql));
        for bind in &query.binds {
            q = match bind {
                TagBind::Text(text) => q.bind(text.clone()),
                TagBind::Int(int) => q.bind(*int),
            };
        }
        let rows = q.fetch_all(&mut conn).await.unwrap();
        rows.into_iter().map(|(_, _, _, detail)| detail).collect()
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let sql = format!("EXPLAIN {}", query.sql);
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
        for bind in &query.binds {
            q = match bind {
                TagBind::Text(text) => q.bind(text.clone()),
                TagBind::Int(int) => q.bind(*int),
            };
        }
        q.fetch_all(&mut conn).await.unwrap()
    }
}

async fn a_backfill_adds_missing_tags_and_raises_its_marker(backend: Backend) {
    // Given events recorded without tags (and one with a tag already),
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let events = vec![
        event("Assigned", json!({ "marker": "old-a" })),
        tagged("Assigned", "new-b", &["practitioner:P1"]),
        event("Assigned", json!({ "marker": "old-c" })),
    ];
    store
        .append("batch-1", ExpectedVersion::Any, events, "r0", metadata())
        .await
        .unwrap();
    assert_eq!(store.tags_backfilled_through("s1").await.unwrap(), 0);
    // when they are backfilled (the tagged one again, as a restart would),
    let rows = vec![
        (0, vec!["practitioner:P1".to_owned()]),
        (1, vec!["practitioner:P1".to_owned()]),
        (
            2,
            vec!["practitioner:P2".to_owned(), "practitioner:P1".to_owned()],
        ),
    ];
    store.backfill_tags("s1", rows.clone(), 3).await.unwrap();
    // then a query finds them, each once, and the marker says how far the scheme reaches;
    let p1 = TagQuery::tag("practitioner:P1");
    assert_eq!(
        markers(&store, &p1, u64::MAX).await,
        (vec!["old-a".into(), "new-b".into(), "old-c".into()], 3)
    );
    assert_eq!(store.tags_backfilled_through("s1").await.unwrap(), 3);
    // a repeat changes nothing and a lower marker does not move it back;
    store.backfill_tags("s1", rows, 2).await.unwrap();
    assert_eq!(markers(&store, &p1, u64::MAX).await.0.len(), 3);
    assert_eq!(store.tags_backfilled_through("s1").await.unwrap(), 3);
    // another scheme has its own marker, and a malformed tag is refused before anything is written.
    assert_eq!(store.tags_backfilled_through("s2").await.unwrap(), 0);
    let bad = store
        .backfill_tags("s2", vec![(0, vec!["no colon".to_owned()])], 3)
        .await;
    assert!(matches!(bad, Err(StoreError::Corrupt(_))), "{bad:?}");
    assert_eq!(store.tags_backfilled_through("s2").await.unwrap(), 0);
    assert_log_is_sound(&store).await;
}
