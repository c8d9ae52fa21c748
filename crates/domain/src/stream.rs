//! `decide` and `evolve` for every aggregate, with corrections and retractions handled once for all.
//!
//! An aggregate implements [`Aggregate`]: its own commands, the facts it needs from other streams
//! (its `Context`), and how each of its facts changes its state. [`Stream`] wraps that state with the
//! stream's history so that a correction or retraction can refold the state from the amended facts.

use crate::errors::{CorrectionError, DomainError};
use crate::events::{Event, EventCorrected, EventRef, EventRetracted};

/// One aggregate type: its state, commands, cross-stream context, decision and fold.
pub trait Aggregate: Default + Clone + std::fmt::Debug {
    type Command;
    /// Facts from other streams that `decide` needs; see each context type for what to load.
    type Context;

    /// The type of the fact `command` records, so that a correction names the wrong type before
    /// any rule of the command is checked (one arm per command: a new one fails to compile).
    fn records(command: &Self::Command) -> &'static str;

    /// Checks the command against the state and the context; returns the new events or the rule broken.
    fn decide(
        &self,
        command: &Self::Command,
        context: &Self::Context,
    ) -> Result<Vec<Event>, DomainError>;

    /// Applies one fact of this stream. Events of other types leave the state as it is.
    fn apply(self, event: &Event) -> Self;

    /// Rules the state does not meet that do not block a write (reported with the write's answer).
    fn warnings(&self) -> Vec<RuleWarning> {
        Vec::new()
    }
}

/// A rule a stream does not meet but that does not refuse the write: a stable reason code and an
/// explanation for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleWarning {
    pub reason: &'static str,
    pub message: String,
}

/// A command to a stream: the aggregate's own command, or an amendment of one of its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamCommand<C> {
    Act(C),
    /// Replace the fact at `version` (1 is the stream's first event) with `replacement` (same type,
    /// same stream).
    Correct {
        version: u64,
        replacement: Box<Event>,
        reason: String,
    },
    /// Withdraw the fact at `version` (1 is the stream's first event).
    Retract {
        version: u64,
        reason: String,
    },
    /// Replace the fact at `version` with the fact that `command` records when decided against the
    /// stream as it stood before that fact: the API's `correction` field. The request names what
    /// the caller knows; the replacement is built by the aggregate exactly as the original was.
    CorrectWith {
        version: u64,
        command: C,
        reason: String,
    },
}

impl<C> StreamCommand<C> {
    /// The aggregate's own command inside, if any: what `Act` does or what `CorrectWith` re-records.
    /// Context loaders read the facts for it alike in both cases.
    pub fn action(&self) -> Option<&C> {
        match self {
            Self::Act(command) | Self::CorrectWith { command, .. } => Some(command),
            Self::Correct { .. } | Self::Retract { .. } => None,
        }
    }
}

/// One event of the stream with its effective form after corrections (`None` once retracted).
#[derive(Debug, Clone)]
struct Entry {
    recorded: Event,
    effective: Option<Event>,
}

/// The state of one stream: the aggregate state plus the history it was folded from.
#[derive(Debug, Clone)]
pub struct Stream<A> {
    state: A,
    stream_id: Option<String>,
    entries: Vec<Entry>,
}

impl<A: Aggregate> Default for Stream<A> {
    fn default() -> Self {
        Self {
            state: A::default(),
            stream_id: None,
            entries: Vec::new(),
        }
    }
}

impl<A: Aggregate> Stream<A> {
    /// Folds a whole stream, oldest event first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        events.into_iter().fold(Self::default(), evolve)
    }

    pub fn state(&self) -> &A {
        &self.state
    }

    /// The stream's version: its number of events. The first event has version 1, so this is also
    /// the version of the last event, and 0 for a stream with no events. The event store uses the
    /// same numbering, so this is the version to pass as the append's expected version.
    pub fn version(&self) -> u64 {
        u64::try_from(self.entries.len()).unwrap_or(u64::MAX)
    }

    /// The stream id, known once the first event was applied.
    pub fn stream_id(&self) -> Option<&str> {
        self.stream_id.as_deref()
    }

    fn refold(&mut self) {
        self.state = self
            .entries
            .iter()
            .filter_map(|e| e.effective.as_ref())
            .fold(A::default(), |s, e| s.apply(e));
    }

    /// The aggregate state folded from the effective facts before `version`, as the stream stood
    /// when the fact at `version` was decided (later amendments of those facts included).
    fn state_before(&self, version: u64) -> A {
        let end = entry_index(version).unwrap_or(0);
        self.entries
            .iter()
            .take(end)
            .filter_map(|e| e.effective.as_ref())
            .fold(A::default(), |s, e| s.apply(e))
    }

    fn fact_at(&self, version: u64) -> Result<&Event, DomainError> {
        let stream = self.stream_id.clone().unwrap_or_default();
        let entry = entry_index(version)
            .and_then(|index| self.entries.get(index))
            .ok_or(CorrectionError::TargetNotFound {
                stream: stream.clone(),
                version,
            })?;
        if !entry.recorded.is_fact() {
            return Err(CorrectionError::TargetNotAFact {
                version,
                found: entry.recorded.event_type().to_owned(),
            }
            .into());
        }
        if !entry.recorded.is_amendable() {
            return Err(CorrectionError::NotAmendable {
                version,
                found: entry.recorded.event_type().to_owned(),
            }
            .into());
        }
        entry
            .effective
            .as_ref()
            .ok_or_else(|| CorrectionError::AlreadyRetracted { stream, version }.into())
    }
}

/// Decides a command against a stream: `Act` goes to the aggregate, amendments are checked here.
pub fn decide<A: Aggregate>(
    stream: &Stream<A>,
    command: &StreamCommand<A::Command>,
    context: &A::Context,
) -> Result<Vec<Event>, DomainError> {
    match command {
        StreamCommand::Act(command) => stream.state.decide(command, context),
        StreamCommand::Correct {
            version,
            replacement,
            reason,
        } => {
            require_reason(reason)?;
            let target = stream.fact_at(*version)?;
            if target.event_type() != replacement.event_type() {
                return Err(CorrectionError::TypeMismatch {
                    version: *version,
                    expected: target.event_type().to_owned(),
                    found: replacement.event_type().to_owned(),
                }
                .into());
            }
            let expected = target.stream_id();
            if replacement.stream_id() != expected {
                return Err(CorrectionError::ChangesStream {
                    expected,
                    found: replacement.stream_id(),
                }
                .into());
            }
            Ok(vec![Event::EventCorrected(EventCorrected {
                target: EventRef {
                    stream: expected,
                    version: *version,
                },
                replacement_schema_version: replacement.schema_version(),
                replacement: replacement.clone(),
                reason: reason.clone(),
            })])
        }
        StreamCommand::CorrectWith {
            version,
            command,
            reason,
        } => {
            require_reason(reason)?;
            let target_type = stream.fact_at(*version)?.event_type();
            if A::records(command) != target_type {
                return Err(CorrectionError::TypeMismatch {
                    version: *version,
                    expected: target_type.to_owned(),
                    found: A::records(command).to_owned(),
                }
                .into());
            }
            let recorded = stream.state_before(*version).decide(command, context)?;
            let replacement = match <[Event; 1]>::try_from(recorded) {
                Ok([one]) => one,
                Err(several) => {
                    return Err(CorrectionError::TypeMismatch {
                        version: *version,
                        expected: target_type.to_owned(),
                        found: several
                            .iter()
                            .map(Event::event_type)
                            .collect::<Vec<_>>()
                            .join("+"),
                    }
                    .into());
                }
            };
            let correct = StreamCommand::Correct {
                version: *version,
                replacement: Box::new(replacement),
                reason: reason.clone(),
            };
            decide(stream, &correct, context)
        }
        StreamCommand::Retract { version, reason } => {
            require_reason(reason)?;
            let target = stream.fact_at(*version)?;
            Ok(vec![Event::EventRetracted(EventRetracted {
                target: EventRef {
                    stream: target.stream_id(),
                    version: *version,
                },
                target_type: target.event_type().to_owned(),
                target_scope: target.scope(),
                target_occurred_at: target.occurred_at(),
                reason: reason.clone(),
            })])
        }
    }
}

/// The index in `entries` of the event at a 1-based stream version; version 0 names no event.
fn entry_index(version: u64) -> Option<usize> {
    version
        .checked_sub(1)
        .and_then(|index| usize::try_from(index).ok())
}

fn require_reason(reason: &str) -> Result<(), DomainError> {
    if reason.trim().is_empty() {
        Err(CorrectionError::ReasonMissing.into())
    } else {
        Ok(())
    }
}

/// Applies one event of the stream. Corrections and retractions refold the state from the amended facts.
pub fn evolve<A: Aggregate>(mut stream: Stream<A>, event: &Event) -> Stream<A> {
    if stream.stream_id.is_none() {
        stream.stream_id = Some(event.stream_id());
    }
    let target_index = |target: &EventRef| entry_index(target.version);
    match event {
        Event::EventCorrected(correction) => {
            if let Some(entry) =
                target_index(&correction.target).and_then(|i| stream.entries.get_mut(i))
            {
                entry.effective = Some((*correction.replacement).clone());
            }
            stream.entries.push(Entry {
                recorded: event.clone(),
                effective: None,
            });
            stream.refold();
        }
        Event::EventRetracted(retraction) => {
            if let Some(entry) =
                target_index(&retraction.target).and_then(|i| stream.entries.get_mut(i))
            {
                entry.effective = None;
            }
            stream.entries.push(Entry {
                recorded: event.clone(),
                effective: None,
            });
            stream.refold();
        }
        fact => {
            stream.state = stream.state.apply(fact);
            stream.entries.push(Entry {
                recorded: fact.clone(),
                effective: Some(fact.clone()),
            });
        }
    }
    stream
}
