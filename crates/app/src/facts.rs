//! Context facts by tag query, and the conditions that guard the decision made on them.
//!
//! A cross-stream rule names the tags of its facts (`domain::tags`: a practitioner, a hospital's
//! stints, a program's pairings). [`Guard::read`] asks the store for the events carrying any of
//! them (`read_by_tags`, an index probe per tag: the cost follows the matches, not the log), loads
//! the streams those events belong to in full (so corrections and retractions fold as on any
//! stream), and remembers the query with the position it read up to. The append then carries every
//! remembered query as its condition: "no event with these tags at or after that position". Since
//! every event that changes such a fact carries one of its tags (the contract of `domain::tags`),
//! a fact that moved after it was read refuses the append with `ConditionViolated`, and `execute`
//! decides again on fresh facts.
//!
//! A stream loaded here may hold events newer than the position read up to; that is harmless:
//! a newer event that matters carries a tag of the query, at or after that position, and breaks
//! the condition.

use std::collections::{BTreeMap, BTreeSet};

use domain::{Aggregate, Event, Stream};
use event_store::{AppendCondition, EventStore, TagQuery};

use crate::error::Error;
use crate::load::{decode, read_whole_stream};

/// The conditions of one decision: one per tag read.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    conditions: Vec<AppendCondition>,
}

impl Guard {
    /// The streams holding an event tagged with any of `tags`, loaded in full, and a condition on
    /// the same tags from the position read up to. No tag, no read and no condition.
    pub(crate) async fn read(
        &mut self,
        store: &EventStore,
        tags: impl IntoIterator<Item = String>,
    ) -> Result<Facts, Error> {
        let tags: BTreeSet<String> = tags.into_iter().collect();
        if tags.is_empty() {
            return Ok(Facts::default());
        }
        let query = tags.into_iter().fold(TagQuery::default(), |q, tag| {
            q.or_tags([tag], [] as [String; 0])
        });
        let tagged = store.read_by_tags(&query, u64::MAX).await?;
        let stream_ids: BTreeSet<&str> =
            tagged.events.iter().map(|e| e.stream_id.as_str()).collect();
        let mut streams = BTreeMap::new();
        for id in stream_ids {
            let events = read_whole_stream(store, id)
                .await?
                .iter()
                .map(decode)
                .collect::<Result<Vec<Event>, _>>()?;
            streams.insert(id.to_owned(), events);
        }
        self.conditions.push(AppendCondition {
            query,
            from_position: tagged.up_to_position,
        });
        Ok(Facts { streams })
    }

    /// The conditions the append carries.
    pub(crate) fn into_conditions(self) -> Vec<AppendCondition> {
        self.conditions
    }
}

/// The streams a tag read found, each in full.
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
