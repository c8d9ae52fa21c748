//! Tags for the events recorded before their tagging scheme existed.
//!
//! A migration cannot compute tags (they are the domain's decision), so [`backfill_tags`] does, at
//! start-up before the server takes writes: it reads the log from the scheme's marker
//! (`EventStore::tags_backfilled_through`) to the head, gives each event the tags
//! `domain::tags::tags` gives it after the earlier events of its stream (exactly as `execute` tags
//! a new event), and stores them with the marker, a page at a time. Inserting a tag that is already
//! there is a no-op, so a crash midway or a second replica doing the same is harmless, and a log
//! already tagged costs one read of the marker. Until it has run, a conditional append would not
//! see the untagged events, so `server` runs it before it serves.

use std::collections::HashMap;

use domain::Event;
use domain::tags::{TAG_SCHEME, tags};
use event_store::{EventFilter, EventStore, MAX_READ_LIMIT};

use crate::error::Error;
use crate::load::decode;

/// Tags every event from the scheme's marker to the head; returns how many events it read.
pub async fn backfill_tags(store: &EventStore) -> Result<u64, Error> {
    let mut from = store.tags_backfilled_through(TAG_SCHEME).await?;
    let head = store.head().await?.size;
    if from >= head {
        return Ok(0);
    }
    tracing::info!(
        from,
        head,
        scheme = TAG_SCHEME,
        "tagging the events recorded before the tag scheme"
    );
    // The earlier events of each stream met so far, for the tags inherited along a stream.
    let mut history: HashMap<String, Vec<Event>> = HashMap::new();
    let mut read = 0;
    while from < head {
        let page = store
            .read_all(from, MAX_READ_LIMIT, &EventFilter::default())
            .await?;
        let mut rows = Vec::with_capacity(page.events.len());
        for stored in page.events.iter().filter(|e| e.position < head) {
            let event = decode(stored)?;
            if !history.contains_key(&stored.stream_id) {
                let earlier = store
                    .read_stream(&stored.stream_id, 1, MAX_READ_LIMIT)
                    .await?;
                let mut events = Vec::new();
                for e in earlier
                    .iter()
                    .filter(|e| e.stream_version < stored.stream_version)
                {
                    events.push(decode(e)?);
                }
                if events.len() + 1 < usize::try_from(stored.stream_version).unwrap_or(usize::MAX) {
                    // A stream longer than one page before this event: read the rest of its prefix.
                    events = crate::load::read_whole_stream(store, &stored.stream_id)
                        .await?
                        .iter()
                        .filter(|e| e.stream_version < stored.stream_version)
                        .map(decode)
                        .collect::<Result<_, _>>()?;
                }
                history.insert(stored.stream_id.clone(), events);
            }
            let earlier = history.entry(stored.stream_id.clone()).or_default();
            let found = tags(&event, earlier);
            earlier.push(event);
            if !found.is_empty() {
                rows.push((stored.position, found));
            }
            read += 1;
        }
        let through = page.next_position.min(head);
        if through <= from {
            break;
        }
        store.backfill_tags(TAG_SCHEME, rows, through).await?;
        from = through;
    }
    tracing::info!(events = read, scheme = TAG_SCHEME, "tags backfilled");
    Ok(read)
}
