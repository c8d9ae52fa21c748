//! Deciding a group of appends: the pure heart of group commit.
//!
//! The writer locks the head of the log, loads what the group needs to know (the head, the Merkle
//! frontier, the request ids already seen and the current versions of the streams touched), and hands
//! it here. Each request is checked on its own, in queue order, against the state left by the requests
//! before it in the same group, so one refused request never affects the others. The result is the
//! rows to insert and the answer for every request; nothing here touches the database.
//!
//! A request's conditions are decided in two halves: the writer looks up, under the lock, the first
//! stored event matching each condition (`GroupState::conflicts`), and `plan_group` checks the
//! events accepted earlier in the same group, which are not stored yet.

use std::collections::HashMap;

use ledger::{CompletedNode, Frontier, Hash, LeafV1};

use crate::error::AppendError;
use crate::limits::{ValidatedAppend, ValidatedEvent};
use crate::model::{AppendResult, LogHead, TagQuery};

/// A request id seen before, with what its append wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestRecord {
    pub(crate) request_id: String,
    pub(crate) stream_id: String,
    pub(crate) content_hash: [u8; 32],
    pub(crate) result: AppendResult,
}

/// What the writer loaded under the head lock.
#[derive(Debug, Clone)]
pub(crate) struct GroupState {
    pub(crate) head: LogHead,
    pub(crate) frontier: Frontier,
    pub(crate) seen: HashMap<String, RequestRecord>,
    pub(crate) versions: HashMap<String, u64>,
    /// For `(request index in the group, condition index)`, the first stored event at or after the
    /// condition's `from_position` that matches its query; absent when there is none.
    pub(crate) conflicts: HashMap<(usize, usize), u64>,
}

/// One event row to insert.
#[derive(Debug, Clone)]
pub(crate) struct EventRow<'a> {
    pub(crate) position: u64,
    pub(crate) stream_id: &'a str,
    pub(crate) stream_version: u64,
    pub(crate) event: &'a ValidatedEvent,
    pub(crate) metadata_json: &'a str,
    pub(crate) request_id: &'a str,
    pub(crate) recorded_at_us: i64,
    pub(crate) leaf_hash: Hash,
}

/// Everything one group commit writes, and the answer to each request.
#[derive(Debug)]
pub(crate) struct GroupPlan<'a> {
    pub(crate) rows: Vec<EventRow<'a>>,
    pub(crate) new_requests: Vec<RequestRecord>,
    pub(crate) nodes: Vec<CompletedNode>,
    /// The head after the group; equal to the old head when nothing was accepted.
    pub(crate) head: LogHead,
    pub(crate) frontier: Frontier,
    /// One answer per request, in the group's order.
    pub(crate) outcomes: Vec<Result<AppendResult, AppendError>>,
}

impl GroupPlan<'_> {
    /// Whether the group writes anything at all.
    pub(crate) fn writes_anything(&self) -> bool {
        !self.rows.is_empty()
    }
}

/// Decides every request of a group against the loaded state.
pub(crate) fn plan_group<'a>(
    state: GroupState,
    group: &[&'a ValidatedAppend],
    now_us: i64,
) -> GroupPlan<'a> {
    let GroupState {
        head,
        mut frontier,
        mut seen,
        mut versions,
        conflicts,
    } = state;
    // Record time never goes backwards, even if the clock does.
    let recorded_at_us = now_us.max(head.last_recorded_at_us);
    let mut next_position = head.size;
    let mut rows = Vec::new();
    let mut new_requests = Vec::new();
    let mut nodes = Vec::new();
    let mut outcomes = Vec::with_capacity(group.len());
    // The tags of the events accepted so far in this group, by tag (row indexes, in position
    // order); kept only when some request of the group has a condition to check against them.
    let index_tags = group.iter().any(|r| !r.conditions.is_empty());
    let mut group_tags: HashMap<&'a str, Vec<usize>> = HashMap::new();

    for (index, request) in group.iter().enumerate() {
        if let Some(record) = seen.get(&request.request_id) {
            outcomes.push(if record.content_hash == request.content_hash {
                Ok(record.result.clone())
            } else {
                Err(AppendError::RequestIdReused {
                    request_id: request.request_id.clone(),
                })
            });
            continue;
        }
        let actual = versions.get(&request.stream_id).copied().unwrap_or(0);
        if !request.expected.admits(actual) {
            outcomes.push(Err(AppendError::WrongExpectedVersion {
                stream_id: request.stream_id.clone(),
                expected: request.expected,
                actual,
            }));
            continue;
        }
        if let Some(violation) = violated_condition(request, index, &conflicts, &rows, &group_tags)
        {
            outcomes.push(Err(violation));
            continue;
        }
        // `versions` holds the stored versions moved by the requests accepted before this one.
        if let Some((index, moved, actual)) =
            request.streams.iter().enumerate().find_map(|(i, c)| {
                let actual = versions.get(&c.stream_id).copied().unwrap_or(0);
                (actual != c.version).then_some((i, c, actual))
            })
        {
            outcomes.push(Err(AppendError::StreamMoved {
                index,
                stream_id: moved.stream_id.clone(),
                read: moved.version,
                actual,
            }));
            continue;
        }

        let first_position = next_position;
        let mut stream_version = actual;
        let mut leaf_hashes = Vec::with_capacity(request.events.len());
        let mut event_ids = Vec::with_capacity(request.events.len());
        for event in &request.events {
            stream_version += 1;
            let leaf_hash = LeafV1 {
                position: next_position,
                event_id: *event.event_id.as_bytes(),
                recorded_at_us,
                stream_id: &request.stream_id,
                stream_version,
                event_type: &event.event_type,
                schema_version: event.schema_version,
                occurred_from_us: event.occurred.from_us,
                occurred_to_us: event.occurred.to_us,
                time_precision: event.occurred.precision.code(),
                actor: &request.actor,
                payload: event.payload_json.as_bytes(),
                metadata: request.metadata_json.as_bytes(),
            }
            .hash();
            nodes.extend(frontier.push(leaf_hash));
            leaf_hashes.push(leaf_hash);
            event_ids.push(event.event_id);
            if index_tags {
                for tag in &event.tags {
                    group_tags.entry(tag.as_str()).or_default().push(rows.len());
                }
            }
            rows.push(EventRow {
                position: next_position,
                stream_id: &request.stream_id,
                stream_version,
                event,
                metadata_json: &request.metadata_json,
                request_id: &request.request_id,
                recorded_at_us,
                leaf_hash,
            });
            next_position += 1;
        }
        versions.insert(request.stream_id.clone(), stream_version);

        let result = AppendResult {
            first_position,
            // Limits cap an append far below u32::MAX events.
            event_count: u32::try_from(request.events.len()).unwrap_or(u32::MAX),
            stream_version,
            recorded_at_us,
            leaf_hashes,
            event_ids,
        };
        let record = RequestRecord {
            request_id: request.request_id.clone(),
            stream_id: request.stream_id.clone(),
            content_hash: request.content_hash,
            result: result.clone(),
        };
        seen.insert(record.request_id.clone(), record.clone());
        new_requests.push(record);
        outcomes.push(Ok(result));
    }

    let head = if rows.is_empty() {
        head
    } else {
        LogHead {
            size: next_position,
            last_recorded_at_us: recorded_at_us,
        }
    };
    GroupPlan {
        rows,
        new_requests,
        nodes,
        head,
        frontier,
        outcomes,
    }
}

/// The first condition of `request` that an event breaks: a stored one the writer found, or one
/// accepted earlier in this group (`rows`, found through `group_tags`), at or after the
/// condition's position.
fn violated_condition(
    request: &ValidatedAppend,
    index: usize,
    conflicts: &HashMap<(usize, usize), u64>,
    rows: &[EventRow<'_>],
    group_tags: &HashMap<&str, Vec<usize>>,
) -> Option<AppendError> {
    request
        .conditions
        .iter()
        .enumerate()
        .find_map(|(condition_index, condition)| {
            let position = conflicts
                .get(&(index, condition_index))
                .copied()
                .or_else(|| {
                    first_in_group(&condition.query, condition.from_position, rows, group_tags)
                })?;
            Some(AppendError::ConditionViolated {
                index: condition_index,
                position,
            })
        })
}

/// The first event accepted so far in the group at or after `from` that matches `query`: like the
/// stored lookup, driven by each alternative's first tag.
fn first_in_group(
    query: &TagQuery,
    from: u64,
    rows: &[EventRow<'_>],
    group_tags: &HashMap<&str, Vec<usize>>,
) -> Option<u64> {
    query
        .items
        .iter()
        .filter_map(|item| {
            let (first, others) = item.tags.split_first()?;
            group_tags
                .get(first.as_str())?
                .iter()
                .filter_map(|&row| rows.get(row))
                .filter(|row| row.position >= from)
                .find(|row| {
                    others
                        .iter()
                        .all(|tag| row.event.tags.binary_search(tag).is_ok())
                        && (item.event_types.is_empty()
                            || item.event_types.contains(&row.event.event_type))
                })
                .map(|row| row.position)
        })
        .min()
}

#[cfg(test)]
mod tests {
    use ledger::root_from_leaves;
    use serde_json::json;

    use super::*;
    use crate::limits::Limits;
    use crate::model::{AppendCondition, AppendMetadata, BusinessTime, ExpectedVersion, NewEvent};

    fn append(
        stream: &str,
        expected: ExpectedVersion,
        n: usize,
        request_id: &str,
    ) -> ValidatedAppend {
        tagged(stream, expected, n, request_id, &[], Vec::new())
    }

    /// `n` events, each tagged `tags`, appended under `conditions`.
    fn tagged(
        stream: &str,
        expected: ExpectedVersion,
        n: usize,
        request_id: &str,
        tags: &[&str],
        conditions: Vec<AppendCondition>,
    ) -> ValidatedAppend {
        let events = (0..n)
            .map(|i| NewEvent {
                event_type: "Happened".into(),
                schema_version: 1,
                payload: json!({ "i": i }),
                occurred: BusinessTime::instant(0),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            })
            .collect();
        let metadata = AppendMetadata {
            actor: "tester".into(),
            ..AppendMetadata::default()
        };
        ValidatedAppend::new(
            &Limits::default(),
            stream,
            expected,
            crate::model::Conditions {
                tags: conditions,
                streams: Vec::new(),
            },
            events,
            request_id,
            metadata,
        )
        .unwrap()
    }

    fn empty_state() -> GroupState {
        GroupState {
            head: LogHead {
                size: 0,
                last_recorded_at_us: 0,
            },
            frontier: Frontier::new(),
            seen: HashMap::new(),
            versions: HashMap::new(),
            conflicts: HashMap::new(),
        }
    }

    fn unless(tag: &str, from_position: u64) -> Vec<AppendCondition> {
        vec![AppendCondition {
            query: crate::limits::check_tag_query(&TagQuery::tag(tag)).unwrap(),
            from_position,
        }]
    }

    #[test]
    fn a_condition_is_decided_against_the_requests_before_it_in_the_group() {
        let first = tagged("s-1", ExpectedVersion::Any, 2, "r1", &["p:1"], Vec::new());
        let racing = tagged(
            "s-2",
            ExpectedVersion::Any,
            1,
            "r2",
            &["p:1"],
            unless("p:1", 0),
        );
        let unrelated = tagged(
            "s-3",
            ExpectedVersion::Any,
            1,
            "r3",
            &["p:2"],
            unless("p:3", 0),
        );
        let plan = plan_group(empty_state(), &[&first, &racing, &unrelated], 10);

        assert!(plan.outcomes[0].is_ok());
        assert!(matches!(
            plan.outcomes[1],
            Err(AppendError::ConditionViolated {
                index: 0,
                position: 0
            })
        ));
        assert_eq!(plan.outcomes[2].as_ref().unwrap().first_position, 2);
        assert_eq!(plan.rows.len(), 3);
    }

    #[test]
    fn a_stream_condition_is_decided_against_stored_versions_and_the_group_before_it() {
        let mut state = empty_state();
        state.versions.insert("read-1".into(), 2);
        let guarded = |request_id: &str, stream: &str, version: u64| {
            let mut append = tagged("s-9", ExpectedVersion::Any, 1, request_id, &[], Vec::new());
            append.streams = vec![crate::model::StreamCondition {
                stream_id: stream.into(),
                version,
            }];
            append
        };
        let current = guarded("r1", "read-1", 2);
        let stale = guarded("r2", "read-1", 1);
        let absent = guarded("r3", "read-2", 0);
        // Moves `read-2` to version 1, so a decision that read it empty is stale after it.
        let mover = tagged("read-2", ExpectedVersion::Any, 1, "r4", &[], Vec::new());
        let behind_mover = guarded("r5", "read-2", 0);
        let plan = plan_group(
            state,
            &[&current, &stale, &absent, &mover, &behind_mover],
            10,
        );

        assert!(plan.outcomes[0].is_ok());
        assert!(matches!(
            &plan.outcomes[1],
            Err(AppendError::StreamMoved { index: 0, stream_id, read: 1, actual: 2 })
                if stream_id == "read-1"
        ));
        assert!(plan.outcomes[2].is_ok());
        assert!(plan.outcomes[3].is_ok());
        assert!(matches!(
            &plan.outcomes[4],
            Err(AppendError::StreamMoved {
                read: 0,
                actual: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_refused_request_breaks_no_condition_and_an_earlier_position_is_outside_it() {
        let mut state = empty_state();
        state.versions.insert("s-1".into(), 1);
        // Refused for its version: it writes nothing, so it breaks no later condition.
        let stale = tagged(
            "s-1",
            ExpectedVersion::NoStream,
            1,
            "r1",
            &["p:1"],
            Vec::new(),
        );
        let decided = tagged(
            "s-2",
            ExpectedVersion::Any,
            1,
            "r2",
            &["p:1"],
            unless("p:1", 0),
        );
        // Decided on facts read after the event of r2 was written: r2 is no news to it.
        let later = tagged("s-3", ExpectedVersion::Any, 1, "r3", &[], unless("p:1", 1));
        let plan = plan_group(state, &[&stale, &decided, &later], 10);

        assert!(plan.outcomes[0].is_err());
        assert_eq!(plan.outcomes[1].as_ref().unwrap().first_position, 0);
        assert_eq!(plan.outcomes[2].as_ref().unwrap().first_position, 1);
    }

    #[test]
    fn a_stored_conflict_refuses_only_its_request() {
        let mut state = empty_state();
        state.head.size = 10;
        state.conflicts.insert((0, 0), 7);
        let refused = tagged("s-1", ExpectedVersion::Any, 1, "r1", &[], unless("p:1", 5));
        let fine = tagged("s-2", ExpectedVersion::Any, 1, "r2", &[], unless("p:1", 8));
        let plan = plan_group(state, &[&refused, &fine], 10);

        assert!(matches!(
            plan.outcomes[0],
            Err(AppendError::ConditionViolated {
                index: 0,
                position: 7
            })
        ));
        let result = plan.outcomes[1].as_ref().unwrap();
        assert_eq!(result.first_position, 10);
        assert_eq!(result.event_ids, vec![fine.events[0].event_id]);
    }

    #[test]
    fn a_refused_request_does_not_affect_the_others_in_its_group() {
        let a = append("s-1", ExpectedVersion::NoStream, 2, "r1");
        let stale = append("s-1", ExpectedVersion::NoStream, 1, "r2");
        let b = append("s-1", ExpectedVersion::Exact(2), 1, "r3");
        let plan = plan_group(empty_state(), &[&a, &stale, &b], 10);

        assert_eq!(plan.outcomes[0].as_ref().unwrap().positions(), 0..2);
        assert!(matches!(
            plan.outcomes[1],
            Err(AppendError::WrongExpectedVersion { actual: 2, .. })
        ));
        let third = plan.outcomes[2].as_ref().unwrap();
        assert_eq!((third.first_position, third.stream_version), (2, 3));
        let positions: Vec<u64> = plan.rows.iter().map(|r| r.position).collect();
        assert_eq!(positions, vec![0, 1, 2]);
        assert_eq!(plan.head.size, 3);
    }

    #[test]
    fn a_repeated_request_id_answers_the_original_result_and_a_changed_one_is_refused() {
        let first = append("s-1", ExpectedVersion::Any, 1, "same");
        let retry = append("s-1", ExpectedVersion::Any, 1, "same");
        let reuse = append("s-2", ExpectedVersion::Any, 1, "same");
        let plan = plan_group(empty_state(), &[&first, &retry, &reuse], 10);

        assert_eq!(
            plan.outcomes[0].as_ref().unwrap(),
            plan.outcomes[1].as_ref().unwrap()
        );
        assert!(matches!(
            plan.outcomes[2],
            Err(AppendError::RequestIdReused { .. })
        ));
        assert_eq!(plan.rows.len(), 1);
        assert_eq!(plan.new_requests.len(), 1);
    }

    #[test]
    fn record_time_never_goes_backwards_and_the_frontier_tracks_every_leaf() {
        let mut state = empty_state();
        state.head.last_recorded_at_us = 500;
        let a = append("s-1", ExpectedVersion::Any, 5, "r1");
        let plan = plan_group(state, &[&a], 100);

        assert!(plan.rows.iter().all(|r| r.recorded_at_us == 500));
        let leaves: Vec<Hash> = plan.rows.iter().map(|r| r.leaf_hash).collect();
        assert_eq!(plan.frontier.root(), root_from_leaves(&leaves));
        // The answer carries the very hashes the rows commit, in position order.
        assert_eq!(plan.outcomes[0].as_ref().unwrap().leaf_hashes, leaves);
        // Five leaves complete the nodes (1,0), (1,1) and (2,0).
        assert_eq!(plan.nodes.len(), 3);
    }

    #[test]
    fn a_group_that_writes_nothing_keeps_the_head() {
        let mut state = empty_state();
        state.head = LogHead {
            size: 7,
            last_recorded_at_us: 9,
        };
        state.versions.insert("s-1".into(), 3);
        let stale = append("s-1", ExpectedVersion::Exact(2), 1, "r1");
        let plan = plan_group(state, &[&stale], 100);
        assert!(!plan.writes_anything());
        assert_eq!(
            plan.head,
            LogHead {
                size: 7,
                last_recorded_at_us: 9
            }
        );
    }
}
