//! The write use case: load, decide, authorize, append, with a bounded retry on concurrent writes.
//!
//! # Idempotency
//!
//! The store already answers a repeated request id with the original result, but only when the
//! repeat carries the same events; a repeat is decided again first, and by then the state may have
//! changed, so `decide` could refuse it or produce other events. So before deciding, `execute`
//! asks the store for the append recorded under the request id (`EventStore::recorded_request`,
//! the request record written in the append's transaction, one primary-key probe) and, when there
//! is one, answers with the original outcome without deciding or writing, provided it is on the
//! same stream and the request's content digest (`CommandRequest::content_digest`, stored in the
//! events' metadata and read from the first of the original's events) is the one the original
//! recorded: the same id with other content, or on another stream, is `RequestIdReused`, so a new
//! fact sent under an old id is refused rather than silently answered with the old one. A repeat
//! decided before its original was committed reaches the store, which answers it with the
//! original's result when the events are the same; the digest of the first event that answer names
//! tells it apart (`check_recorded_digest`).

use domain::aggregates::practitioner::PractitionerCommand;
use domain::{AggregateCommand, CorrectionError, Event, StreamCommand};
use event_store::{
    AppendError, AppendMetadata, AppendResult, Conditions, ExpectedVersion, RecordedRequest,
    StoredEvent,
};

use crate::authorize::{check_write_scope, require_recorder};
use crate::command::{CommandOutcome, CommandRequest};
use crate::contexts::LoadContext;
use crate::error::Error;
use crate::facts::{Guard, facts_of};
use crate::load::{Loaded, decode, load};
use crate::principal::Principal;
use crate::{App, MAX_ATTEMPTS};

impl App {
    /// Decides `request.command` against its stream and the facts of the streams its rules read,
    /// checks the caller's role and scope, and appends the resulting events.
    ///
    /// With `expected_version`, a stream at another version is a `Conflict` and nothing is decided.
    /// Without it, a write that lands between load and append makes the command be decided again,
    /// up to [`MAX_ATTEMPTS`] times, then `Conflict`. A repeated request id returns the original
    /// outcome (`replayed: true`) and writes nothing.
    pub async fn execute(
        &self,
        principal: &Principal,
        request: CommandRequest,
    ) -> Result<CommandOutcome, Error> {
        // An erasure destroys a key before it is recorded, and needs the admin role instead.
        if matches!(
            &request.command,
            AggregateCommand::Practitioner {
                command: StreamCommand::Act(PractitionerCommand::Erase(_)),
                ..
            }
        ) {
            return self.erase_personal_data(principal, request).await;
        }
        require_recorder(principal)?;
        self.dispatch(principal, &request).await
    }

    /// Decides and appends one command; the caller has checked the role. Also the erasure's path.
    pub(crate) async fn run<A>(
        &self,
        principal: &Principal,
        request: &CommandRequest,
        command: &StreamCommand<A::Command>,
    ) -> Result<CommandOutcome, Error>
    where
        A: LoadContext,
        A::Command: Sync,
    {
        let stream_id = request.command.stream_id();
        let metadata = AppendMetadata {
            actor: principal.subject.clone(),
            // The API promises that an empty correlation id groups the write under its request id.
            correlation_id: Some(
                request
                    .correlation_id
                    .clone()
                    .unwrap_or_else(|| request.request_id.clone()),
            ),
            causation_id: request.causation_id.clone(),
            trace_id: request.trace_id.clone(),
            actor_org: principal.organisation().map(str::to_owned),
            source: request.provenance.source.clone(),
            evidence: request.provenance.evidence.clone(),
            request_digest: request.content_digest.clone(),
        };
        let mut attempt = 1;
        loop {
            let loaded: Loaded<A> = load(&self.store, &stream_id).await?;
            // The request record after the stream: a repeat whose original committed in between
            // finds it here (and then reads the stream again, which holds the original's events,
            // committed with the record), rather than being decided against the original's effect.
            let recorded = self.store.recorded_request(&request.request_id).await?;
            if recorded.as_ref().is_some_and(|r| {
                r.stream_id == stream_id && r.result.stream_version > loaded.version()
            }) {
                continue;
            }
            if let Some(outcome) = replay(recorded, &loaded, request, &stream_id)? {
                // A repeat answers only a caller who may write what the original wrote.
                let scopes: Vec<_> = outcome.events.iter().map(Event::scope).collect();
                check_write_scope(principal, &scopes)?;
                return Ok(outcome);
            }
            let version = loaded.version();
            if let Some(expected) = request.expected_version
                && expected != version
            {
                return Err(Error::Conflict {
                    stream_id,
                    expected,
                    actual: version,
                });
            }
            let mut guard = Guard::default();
            let context = A::load_context(
                &self.store,
                &loaded.stream,
                command,
                request.today,
                &mut guard,
            )
            .await?;
            let (conditions, streams) = guard.into_conditions();
            let events = match domain::decide(&loaded.stream, command, &context) {
                Ok(events) => events,
                Err(refusal) => {
                    // A refusal describes the stream; only a caller who may write to it learns it.
                    check_stream_scope(principal, &loaded.stored)?;
                    return Err(Error::from_domain(&refusal, &stream_id));
                }
            };
            check_target(&events, &stream_id)?;
            check_recordable(&events)?;
            let scopes: Vec<_> = events.iter().map(Event::scope).collect();
            check_write_scope(principal, &scopes)?;
            let appended = self
                .store
                .append_decided(
                    &stream_id,
                    ExpectedVersion::Exact(version),
                    Conditions {
                        tags: conditions.clone(),
                        streams,
                    },
                    encode_tagged(&loaded.events, &events),
                    &request.request_id,
                    metadata.clone(),
                )
                .await;
            match appended {
                Ok(result) => {
                    self.check_recorded_digest(&result, request).await?;
                    let after = events.iter().fold(loaded.stream, domain::evolve);
                    let written = Written {
                        result,
                        created: version == 0,
                        events,
                        warnings: after.state().warnings(),
                    };
                    return Ok(Self::outcome(&stream_id, written, &request.command));
                }
                Err(AppendError::WrongExpectedVersion { .. })
                    if request.expected_version.is_none() && attempt < MAX_ATTEMPTS =>
                {
                    tracing::debug!(%stream_id, attempt, "stream moved while deciding; deciding again");
                    attempt += 1;
                }
                // Another decision changed the facts this one read from other streams: decide
                // again on fresh facts, like a stream conflict, whatever `expected_version` says
                // (it names this stream, which did not move).
                Err(AppendError::ConditionViolated { index, position }) => {
                    let facts = conditions.get(index).map(facts_of).unwrap_or_default();
                    if attempt < MAX_ATTEMPTS {
                        tracing::debug!(%stream_id, attempt, %facts, position, "facts moved while deciding; deciding again");
                        attempt += 1;
                    } else {
                        return Err(Error::ConcurrentDecision {
                            stream_id,
                            facts,
                            position,
                        });
                    }
                }
                // A stream this decision read by id moved: the same, for a fact named by id.
                Err(AppendError::StreamMoved {
                    stream_id: moved,
                    read,
                    ..
                }) => {
                    if attempt < MAX_ATTEMPTS {
                        tracing::debug!(%stream_id, attempt, %moved, read, "a stream read by id moved while deciding; deciding again");
                        attempt += 1;
                    } else {
                        // The event that moved it: the first after the version read.
                        let position = self
                            .store
                            .read_stream(&moved, read + 1, 1)
                            .await?
                            .first()
                            .map_or(0, |e| e.position);
                        return Err(Error::ConcurrentDecision {
                            stream_id,
                            facts: format!("stream:{moved}"),
                            position,
                        });
                    }
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Refuses an append answer that is another request's: the store answers a request id it has
    /// seen with the original result when the appended events are the same, without comparing
    /// metadata, so two requests with one id that differ only in their context (or that were both
    /// decided on the same version and raced, even into one group commit) would both answer OK
    /// and the second one's content would be dropped without a word. The first event the answer
    /// names must carry this request's content digest, or it is `RequestIdReused`. One read by
    /// position (a primary-key probe), whatever the size of the log or the stream.
    async fn check_recorded_digest(
        &self,
        result: &AppendResult,
        request: &CommandRequest,
    ) -> Result<(), Error> {
        let Some(given) = &request.content_digest else {
            return Ok(());
        };
        if result.event_count == 0 {
            return Ok(());
        }
        let recorded = self
            .store
            .get_event(result.first_position)
            .await?
            .and_then(|e| e.parsed_metadata().ok())
            .and_then(|m| m.request_digest);
        if recorded.as_ref() == Some(given) {
            Ok(())
        } else {
            Err(Error::RequestIdReused {
                request_id: request.request_id.clone(),
            })
        }
    }

    /// The answer to a write, from what the append answered: its ids, positions and leaf hashes.
    fn outcome(stream_id: &str, written: Written, command: &AggregateCommand) -> CommandOutcome {
        let Written {
            result,
            created,
            events,
            warnings,
        } = written;
        CommandOutcome {
            stream_id: stream_id.to_owned(),
            stream_version: result.stream_version,
            positions: result.positions(),
            event_ids: result.event_ids,
            leaf_hashes: result.leaf_hashes,
            recorded_at_us: result.recorded_at_us,
            created_id: created.then(|| command.entity_id()),
            replayed: false,
            events,
            warnings,
        }
    }

    /// The request id that recorded the event at `version` of `stream_id`, which a correction of
    /// that event derives the ids of its fact from: the corrected fact keeps the stream and the ids
    /// of the fact it replaces. No such event is `CORRECTION_TARGET_NOT_FOUND`.
    pub async fn correction_seed(&self, stream_id: &str, version: u64) -> Result<String, Error> {
        let found = if event_store::limits::check_stream_id(stream_id).is_ok() {
            self.store.read_stream(stream_id, version, 1).await?
        } else {
            Vec::new()
        };
        found
            .first()
            .filter(|e| e.stream_version == version)
            .and_then(|e| e.parsed_metadata().ok())
            .map(|m| m.request_id)
            .ok_or_else(|| {
                let missing = CorrectionError::TargetNotFound {
                    stream: stream_id.to_owned(),
                    version,
                };
                Error::from_domain(&missing.into(), stream_id)
            })
    }
}

/// `App::dispatch`: one arm per aggregate, generated from the registry so none can be missed.
macro_rules! dispatch {
    ($( $variant:ident($id:ty, $state:ty, $command:ty) ),* $(,)?) => {
        impl App {
            /// Runs the command with its aggregate's state, context loader and decision.
            async fn dispatch(
                &self,
                principal: &Principal,
                request: &CommandRequest,
            ) -> Result<CommandOutcome, Error> {
                match &request.command {
                    $( AggregateCommand::$variant { command, .. } => {
                        self.run::<$state>(principal, request, command).await
                    } )*
                }
            }
        }
    };
}
domain::for_each_aggregate!(dispatch);

/// What an append wrote.
struct Written {
    result: AppendResult,
    created: bool,
    events: Vec<Event>,
    warnings: Vec<domain::RuleWarning>,
}

/// The original outcome of the request's id if the store has recorded an append under it (its
/// request record, one primary-key probe): the same id on another stream, or with another
/// content digest, is `RequestIdReused`. The original's events are read by their versions.
fn replay<A: domain::Aggregate>(
    recorded: Option<RecordedRequest>,
    loaded: &Loaded<A>,
    request: &CommandRequest,
    stream_id: &str,
) -> Result<Option<CommandOutcome>, Error> {
    let request_id = request.request_id.as_str();
    let Some(recorded) = recorded else {
        return Ok(None);
    };
    let reused = || Error::RequestIdReused {
        request_id: request_id.to_owned(),
    };
    if recorded.stream_id != stream_id {
        return Err(reused());
    }
    let result = recorded.result;
    let count = u64::from(result.event_count);
    let first_version = result.stream_version + 1 - count.min(result.stream_version + 1);
    let mine: Vec<&StoredEvent> = loaded
        .stored
        .iter()
        .filter(|e| e.stream_version >= first_version && e.stream_version <= result.stream_version)
        .collect();
    if mine.len() as u64 != count {
        return Err(Error::internal(format!(
            "request {request_id} recorded {count} events on {stream_id}, {} are there",
            mine.len()
        )));
    }
    // Events recorded before the digest was stored carry none: for them a repeat is told by its
    // request id alone, as it was then.
    let recorded_digest = mine
        .first()
        .and_then(|e| e.parsed_metadata().ok())
        .and_then(|m| m.request_digest);
    if let (Some(recorded), Some(given)) = (&recorded_digest, &request.content_digest)
        && recorded != given
    {
        return Err(reused());
    }
    Ok(Some(CommandOutcome {
        stream_id: stream_id.to_owned(),
        stream_version: result.stream_version,
        positions: result.positions(),
        event_ids: result.event_ids,
        leaf_hashes: result.leaf_hashes,
        recorded_at_us: result.recorded_at_us,
        created_id: (first_version == 1).then(|| request.command.entity_id()),
        replayed: true,
        events: mine.iter().map(|e| decode(e)).collect::<Result<_, _>>()?,
        warnings: loaded.stream.state().warnings(),
    }))
}

/// The rows of `events`, each with the tags the domain gives it after the stream's `earlier`
/// events and the events before it in this append.
fn encode_tagged(earlier: &[Event], events: &[Event]) -> Vec<event_store::NewEvent> {
    let mut history = earlier.to_vec();
    events
        .iter()
        .map(|event| {
            let mut row = codec::encode(event);
            row.tags = domain::tags::tags(event, &history);
            history.push(event.clone());
            row
        })
        .collect()
}

/// Whether the caller may write to the stream as it stands: every event already on it lies within
/// the caller's scope. Checked before a domain refusal is answered, so that a recorder of another
/// province gets PERMISSION_DENIED, not the state of a stream it may not touch (a new stream has no
/// events and tells nothing). `load` has decoded every event already, so decoding cannot fail here.
pub(crate) fn check_stream_scope(
    principal: &Principal,
    stored: &[StoredEvent],
) -> Result<(), Error> {
    let events: Vec<Event> = stored.iter().map(decode).collect::<Result<_, _>>()?;
    let scopes: Vec<_> = events.iter().map(Event::scope).collect();
    check_write_scope(principal, &scopes)
}

/// Every event must land on the stream the request targets; a payload naming another id is a bad
/// request (the server assigns the id of a new stream and must put the same id in the payload).
fn check_target(events: &[Event], stream_id: &str) -> Result<(), Error> {
    match events.iter().find(|e| e.stream_id() != stream_id) {
        None => Ok(()),
        Some(event) => Err(Error::InvalidArgument {
            field: "command".to_owned(),
            reason: "INVALID_FIELD",
            message: format!(
                "the command targets stream {stream_id}, but its {} belongs to {}",
                event.event_type(),
                event.stream_id()
            ),
        }),
    }
}

/// Nothing reaches the log that a projection could fail to store or a client fail to decode: no
/// control or bidi character in any string, no business time outside the business dates. The value
/// types refuse these at the request's fields; this catches any field that escaped them.
fn check_recordable(events: &[Event]) -> Result<(), Error> {
    events.iter().try_for_each(|event| {
        domain::values::check_recordable(&event.to_stored().data, &event.occurred_at()).map_err(
            |error| Error::InvalidArgument {
                field: error.field.clone(),
                reason: error.reason(),
                message: error.to_string(),
            },
        )
    })
}
