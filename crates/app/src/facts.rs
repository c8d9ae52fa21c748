//! Context facts by tag query, and the conditions that guard the decision made on them.
//!
//! A cross-stream rule names the tags of its facts (`domain::tags`: a practitioner, a hospital's
//! stints, a program's pairings). [`Guard::read`] asks the store for the events carrying any of
//! them (`read_by_tags`, an index probe per tag: the cost follows the matches, not the log), folds
//! the streams those events belong to (from the matches themselves when they are the stream's first
//! versions, else from the whole stream, so corrections and retractions fold as on any stream),
//! and remembers the query with the position it read up to. The append then carries every
//! remembered query as its condition: "no event with these tags at or after that position". Since
//! every event that changes such a fact carries one of its tags (the contract of `domain::tags`),
//! a fact that moved after it was read refuses the append with `ConditionViolated`, and `execute`
//! decides again on fresh facts.
//!
//! Facts of a stream named by id (a batch's pairing, a pairing's program, a gap's technique) are
//! read through the guard too ([`Guard::state`]): it remembers the stream's version, and the append
//! carries it as a stream condition ("this stream is still at that version"), which the writer
//! checks under the head lock with the target stream's version. So a decision on a pairing that
//! another command ends meanwhile is refused with `StreamMoved` and decided again, like a moved
//! tag query. Why a version and not a `stream:<id>` tag: the writer already reads the versions of
//! the streams a group touches, in one statement, and moves them as it accepts each request, so
//! the check costs one more term in that statement and needs no tag row on every event nor a
//! backfill of the log.
//!
//! A stream read in full may hold events newer than the position read up to; that is harmless:
//! a newer event that matters carries a tag of the query, at or after that position, and breaks
//! the condition.

use std::collections::{BTreeMap, BTreeSet};

use domain::{Aggregate, Event, Stream};
use event_store::{AppendCondition, EventStore, StoredEvent, StreamCondition, TagQuery};

use crate::error::Error;
use crate::load::{decode, load, read_whole_stream};

/// The conditions of one decision: one per tag read, one per stream read by id.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    conditions: Vec<AppendCondition>,
    streams: BTreeMap<String, u64>,
}

impl Guard {
    /// The folded state of the stream `stream_id`, read by id, with a condition that it stays at
    /// the version read (0 when it does not exist, so that its creation breaks it too).
    pub(crate) async fn state<A: Aggregate>(
        &mut self,
        store: &EventStore,
        stream_id: &str,
    ) -> Result<A, Error> {
        let loaded = load::<A>(store, stream_id).await?;
        // Read twice in one decision, the stream keeps the version read first: a later read that
        // found it moved decided on facts newer than the earlier one, and the append must fail.
        self.streams
            .entry(stream_id.to_owned())
            .or_insert(loaded.version());
        Ok(loaded.stream.state().clone())
    }

    /// The streams holding an event tagged with any of `tags`, folded, and a condition on the same
    /// tags from the position read up to. No tag, no read and no condition.
    pub(crate) async fn read(
        &mut self,
        store: &EventStore,
        tags: impl IntoIterator<Item = String>,
    ) -> Result<Facts, Error> {
        let tags: BTreeSet<String> = tags.into_iter().collect();
        if tags.is_empty() {
            return Ok(Facts::default());
        }
        // A query holds at most `MAX_QUERY_ITEMS` alternatives: more tags are read in several
        // queries, each with its own condition.
        let tags: Vec<String> = tags.into_iter().collect();
        let mut found: BTreeMap<String, BTreeMap<u64, StoredEvent>> = BTreeMap::new();
        for chunk in tags.chunks(event_store::limits::MAX_QUERY_ITEMS) {
            let query = chunk.iter().fold(TagQuery::default(), |q, tag| {
                q.or_tags([tag.clone()], [] as [String; 0])
            });
            let tagged = store.read_by_tags(&query, u64::MAX).await?;
            for event in tagged.events {
                found
                    .entry(event.stream_id.clone())
                    .or_default()
                    .insert(event.stream_version, event);
            }
            self.conditions.push(AppendCondition {
                query,
                from_position: tagged.up_to_position,
            });
        }
        let mut streams = BTreeMap::new();
        for (id, matched) in found {
            // A stream whose matches are its first versions without a gap is known up to them
            // (every stream that inherits its tags, such as a deployment, is found whole this
            // way); a later event of it that matters carries a tag of the query and breaks the
            // condition. Any other stream (a batch, where the member is one of many) is read in
            // full, so that its corrections and retractions fold against the right versions. So a
            // stream known by its first versions may lack later facts that no tag of the query
            // names: a loader uses only the facts its tags name.
            let prefix = matched
                .keys()
                .zip(1..)
                .all(|(got, version)| *got == version);
            let events = if prefix {
                matched
                    .values()
                    .map(decode)
                    .collect::<Result<Vec<Event>, _>>()?
            } else {
                read_whole_stream(store, &id)
                    .await?
                    .iter()
                    .map(decode)
                    .collect::<Result<Vec<Event>, _>>()?
            };
            streams.insert(id, events);
        }
        Ok(Facts { streams })
    }

    /// The conditions the append carries: on tag queries, and on streams read by id.
    pub(crate) fn into_conditions(self) -> (Vec<AppendCondition>, Vec<StreamCondition>) {
        let streams = self
            .streams
            .into_iter()
            .map(|(stream_id, version)| StreamCondition { stream_id, version })
            .collect();
        (self.conditions, streams)
    }
}

/// The streams a tag read found, each as far as it is known (see [`Guard::read`]).
#[derive(Debug, Default)]
pub(crate) struct Facts {
    streams: BTreeMap<String, Vec<Event>>,
}

impl Facts {
    /// The folded state of every found stream of `category` (`category-…`), by stream id.
    pub(crate) fn states<A: Aggregate>(&self, category: &str) -> BTreeMap<String, A> {
        self.streams
            .iter()
            .filter(|(id, _)| {
                id.strip_prefix(category)
                    .is_some_and(|rest| rest.starts_with('-'))
            })
            .map(|(id, events)| {
                let stream: Stream<A> = Stream::from_events(events);
                (id.clone(), stream.state().clone())
            })
            .collect()
    }
}

/// The tags of the rule whose condition `condition` is, for the refusal that names them.
pub(crate) fn facts_of(condition: &AppendCondition) -> String {
    condition
        .query
        .items
        .iter()
        .flat_map(|item| item.tags.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}
