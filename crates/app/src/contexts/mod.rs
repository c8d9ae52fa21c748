//! One context loader per aggregate: the cross-stream facts `decide` needs, read from the log.
//!
//! Each loader follows the rustdoc of its aggregate's `Context` type. Facts of other streams named
//! by id (a pairing, a program, a hospital) are read by id, and facts found across streams by tag
//! query, both through the decision's [`Guard`], whose conditions the append carries (the version
//! of each stream read by id, the position of each tag query), so a decision whose facts changed
//! meanwhile is refused and decided again. No loader scans a stream category.
//!
//! The cross-stream rules and the tags their facts are read by (`domain::tags`):
//!
//! | rule (reason) | command | tags read |
//! |---|---|---|
//! | `OVERLAPPING_ASSIGNMENT` | AssignMember | `practitioner:` the member |
//! | `OVERLAPPING_DEPLOYMENT`, `MEMBER_NOT_ASSIGNED` | RecordArrival | `deployment:` the deployment, `practitioner:` the member |
//! | `POST_ALREADY_HELD`, `GROUP_STAFFING_BELOW_MINIMUM` | AppointToPost, RecordDeparture | `on_site:` the recipient |
//! | `MENTOR_RATIO_EXCEEDED`, `DUPLICATE_ACTIVE_MENTORSHIP`, mentor on site | PairMentorship, HandOver | `practitioner:` mentor(s) and apprentice |
//! | apprentice's employer (`employment`) | PairMentorship | `practitioner:` the apprentice, then its mentors |
//! | performer on site / privileged | IntroduceTechnique | `practitioner:` the performer, then its mentors |
//! | a custom region's one display name | FillGap | `region:` the key |
//! | `ALLIANCE_LEAD_NOT_SUPPORTING`, `DUPLICATE_ALLIANCE` | FormAlliance | `pairing_org:`, `alliance_lead:` the lead |
//! | host linked to the trainee's hospital, no overlapping study | StartAdvancedStudy | `pairing_org:`/`alliance_org:` trainee's and host's hospitals, `practitioner:` the trainee |
//! | one active pairing per recipient in a program, revision while pairings use the parameters | EstablishPairing, ReviseProgramParameters | `program:` the program |
//! | members still on site when a pairing ends | EndPairing, RestructurePairing | `pairing:` the pairing |
//!
//! The gap registry needs no tag for "filled once": the gap's key is its stream, so the stream's
//! version guards it. Facts kept outside the log
//! (the provincial personnel registry, hospitals' privileging records) have no integration yet.
//! Where the log itself can contradict such a fact (an apprentice's or a local performer's employer,
//! see `employment`), the loader reads it from the log; where the log is silent, the fact is taken as
//! attested by the recording caller, whose scope already limits it to its own hospitals.

mod employment;
mod hospital_family;
mod pairing_family;
mod practitioner;
mod roster_family;

use std::future::Future;

use domain::values::CreditCode;
use domain::{Aggregate, Stream, StreamCommand};
use event_store::EventStore;
use time::Date;

use crate::error::Error;
pub(crate) use crate::facts::Guard;

/// Loads the context of an aggregate for one command; the tag reads it makes go through `guard`.
pub(crate) trait LoadContext: Aggregate + Send + Sync
where
    Self::Command: Sync,
{
    fn load_context<'a>(
        store: &'a EventStore,
        stream: &'a Stream<Self>,
        command: &'a StreamCommand<Self::Command>,
        today: Date,
        guard: &'a mut Guard,
    ) -> impl Future<Output = Result<Self::Context, Error>> + Send + 'a;
}

/// Every credit code found in a JSON value: the organisations a payload names, whatever its shape.
///
/// Used for "the organisations the command names" without a hand-kept list per payload type; a
/// string is taken only when it is a valid credit code (check characters included).
pub(crate) fn named_orgs(value: &serde_json::Value, found: &mut Vec<CreditCode>) {
    match value {
        serde_json::Value::String(s) if s.len() == 18 => {
            if let Ok(code) = CreditCode::parse(s) {
                found.push(code);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| named_orgs(v, found)),
        serde_json::Value::Object(map) => map.values().for_each(|v| named_orgs(v, found)),
        _ => {}
    }
}

/// The organisations named by a domain event's payload.
pub(crate) fn orgs_of(event: &domain::Event) -> Vec<CreditCode> {
    let mut found = Vec::new();
    named_orgs(&event.to_stored().data, &mut found);
    found
}
