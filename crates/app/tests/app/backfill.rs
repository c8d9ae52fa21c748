//! Events recorded before tags existed: `app::backfill_tags` gives them the tags a new event would
//! get, so the cross-stream rules find them.

use domain::tags;
use domain::values::DeploymentId;
use event_store::{AppendMetadata, EventFilter, ExpectedVersion, MAX_READ_LIMIT, TagQuery};
use time::macros::date;
use uuid::Uuid;

use crate::support::*;
use crate::world::{World, assign};

#[tokio::test]
async fn events_recorded_before_tags_are_tagged_once_and_found_by_the_rules() {
    // Given a log recorded with tags, copied event by event into a store without them (as a log
    // written before tags existed),
    let backend = Backend::postgres().unwrap_or(Backend::Sqlite);
    let world = World::new(&backend, 2).await;
    let first = DeploymentId(Uuid::from_u128(0x501));
    world
        .ok(assign(
            1,
            first,
            "doc-old",
            date!(2024 - 07 - 01),
            date!(2025 - 06 - 30),
        ))
        .await;
    let original = world
        .t
        .app
        .store()
        .read_all(0, MAX_READ_LIMIT, &EventFilter::default())
        .await
        .unwrap();
    let old = World::empty(&backend).await;
    let store = old.t.app.store();
    for stored in &original.events {
        let event = codec::decode(stored).unwrap();
        let row = codec::encode(&event);
        assert!(row.tags.is_empty(), "codec writes no tags");
        let metadata = AppendMetadata {
            actor: "copy".to_owned(),
            ..AppendMetadata::default()
        };
        store
            .append(
                &stored.stream_id,
                ExpectedVersion::Exact(stored.stream_version - 1),
                vec![row],
                &Uuid::new_v4().to_string(),
                metadata,
            )
            .await
            .unwrap();
    }
    let by_practitioner = TagQuery::tag(tags::practitioner(&person("doc-old")));
    assert!(
        store
            .read_by_tags(&by_practitioner, u64::MAX)
            .await
            .unwrap()
            .events
            .is_empty()
    );
    // when the backfill runs (as the server does at start-up),
    let head = store.head().await.unwrap().size;
    assert_eq!(app::backfill_tags(store).await.unwrap(), head);
    // then the old assignment is found by its practitioner, and an overlapping one is refused;
    let found = store
        .read_by_tags(&by_practitioner, u64::MAX)
        .await
        .unwrap();
    assert_eq!(found.events.len(), 1);
    assert_eq!(found.events[0].event_type, "MemberAssigned");
    let second = DeploymentId(Uuid::from_u128(0x502));
    let error = old
        .run(assign(
            2,
            second,
            "doc-old",
            date!(2025 - 01 - 01),
            date!(2025 - 12 - 31),
        ))
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "OVERLAPPING_ASSIGNMENT", "{error:?}");
    // and a second run reads nothing (the marker is at the head).
    assert_eq!(app::backfill_tags(store).await.unwrap(), 0);
}
