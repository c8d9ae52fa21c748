//! The medaid domain: value types, commands, events and the rules of team-based medical aid
//! (组团式医疗帮扶), as pure `decide` and `evolve` functions.
//!
//! # What this crate owns, and what it must not do
//!
//! It owns every identifier and value type (validated on construction), every event type and its
//! stable JSON form, every command and every rule with its reason code. It does no IO, reads no
//! clock (dates come with the command; "today" comes in a context), stores nothing, and knows no
//! protobuf, tonic, SQL or async runtime.
//!
//! # How to call it
//!
//! Each aggregate is a state type implementing [`Aggregate`] (e.g. [`aggregates::pairing::PairingState`]).
//! Fold a stream with [`evolve`] (or [`Stream::from_events`]), then call
//! [`decide`]`(&stream, &StreamCommand::Act(command), &context)`; append the returned events.
//! [`StreamCommand::Correct`] and [`StreamCommand::Retract`] work on every stream.
//! Errors are [`DomainError`]; [`DomainError::reason`] is the stable code, [`all_reasons`] lists them.
//!
//! # Streams
//!
//! Stream id = `category-id` (see [`values::is_valid_stream_id`]); each id type has `stream_id()`:
//! `program-<uuid>`, `pairing-<uuid>`, `agreement-<uuid>`, `batch-<pairing uuid>.<n>`,
//! `deployment-<uuid>`, `mentorship-<uuid>`, `technique-<credit code>.<technique>`,
//! `gap-<level>.<region>.<technique>`, `hospital-<credit code>`, `alliance-<uuid>`,
//! `platform-<uuid>`, `study-<uuid>`, `activity-<pairing uuid>.<period>`, `assessment-<uuid>`.
//! [`Event::stream_id`] says which stream an event belongs to; [`Event::scope`] gives the provinces
//! (of the recipient or host hospital, from positions 3-8 of its credit code) and the organisations.
//!
//! # Cross-stream rules and contexts
//!
//! Rules that span streams are decided from facts in the aggregate's `Context` type; each context's
//! rustdoc names the streams the app layer reads to fill it. Facts found across streams are read by
//! the tags [`tags::tags`] gives every event, and the app appends on the condition that no event
//! with those tags was written since it read them, so two decisions on different streams cannot
//! together break a rule each checked alone (the gap registry is its own uniqueness stream).
//! Shared fact shapes: [`aggregates::pairing::PairingFacts`] (from `PairingState::facts`) and
//! [`facts::OnSiteStint`] (from `DeploymentState::stint`).
//!
//! # Merge and split decisions against the catalog (domain.md section 3)
//!
//! - #3 is split into `PairingRestructured` (names a successor) and `PairingEnded`; #21 is one
//!   `AllianceMembershipChanged` with `joined`/`left`; #23 is split into `AdvancedStudyStarted` and
//!   `AdvancedStudyCompleted`: each has different rules.
//! - `HospitalRegistered` is added: "orgs are registered" (#2, #21) needs a fact to check against,
//!   and it carries the hospital's GB/T 2260 division for region rules.
//! - `ProgramParametersRevised` is added for #1's "changes create a new version".
//! - Corrections and retractions are two generic events, `EventCorrected` (carries a full
//!   replacement of the same type and stream) and `EventRetracted`, instead of a pair per type:
//!   one mechanism, one rule set, and every fact becomes correctable. The stream refolds its state
//!   from the amended facts. A correction is not re-checked against the aggregate's rules.
//! - Batch numbering lives in the stream id (`batch-<pairing>.<n>`): "previous + 1" is "stream n-1
//!   exists and stream n does not", which the log can guard without a counter stream.
//! - `BatchDispatched` and `MemberAssigned` share the batch stream; arrival, posts, term changes
//!   and departure form one deployment stream per member term.
//! - Team-composition rules of #7 (size, senior members) are warnings (`BatchState::team_warnings`).
//!
//! # Privacy
//!
//! No patient data exists in any type. Practitioners are opaque registry ids; no names are stored.

pub mod aggregates;
mod errors;
pub mod events;
pub mod facts;
mod stream;
pub mod tags;
pub mod values;

pub use aggregates::registry::AggregateCommand;
pub use errors::{
    ALREADY_RECORDED, CommonError, CorrectionError, DomainError, FIELD_RULES, NOT_FOUND,
    all_reasons, rule_field,
};
pub use events::{Event, EventScope, StoredEvent};
pub use stream::{Aggregate, RuleWarning, Stream, StreamCommand, decide, evolve};
