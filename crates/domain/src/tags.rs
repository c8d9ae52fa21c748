//! Which tags each event carries: the one place where the domain says how the facts of a
//! cross-stream rule are found in the log.
//!
//! A cross-stream rule reads its facts with a tag query (`practitioner:<id>`, …) and appends on the
//! condition that no event matching the query was written since. That is sound only if **every
//! event that can change those facts carries a tag of the query**. So:
//!
//! - each fact names what it is about ([`tags`], one arm per event type: a new type without a
//!   decision fails to compile);
//! - on the streams whose later facts only name the stream (a deployment, a mentorship, a pairing,
//!   a study, a gap: `MemberDeparted` names its deployment, not the practitioner), every event also
//!   carries the tags of the events before it on its stream ([`Inheritance::Stream`]);
//! - on the streams that hold many independent facts (a batch's members, an alliance's members),
//!   a correction or retraction carries the tags of the fact it amends, in every form that fact
//!   has had, so that it reaches the queries that found the fact ([`Inheritance::Amended`]).
//!
//! Tags are a function of the event and the earlier events of its stream, so they can be computed
//! again from the log at any time (`app::backfill_tags` does it for events recorded before tags
//! existed). Which tags each rule queries is listed in `app::contexts`.

use std::collections::BTreeSet;

use crate::aggregates::gap::GapRegion;
use crate::events::{Event, EventRef};
use crate::values::{CreditCode, DeploymentId, PairingId, PractitionerId, ProgramId};

/// The version of the tagging scheme: raised whenever [`tags`] gives any recorded event another
/// set, so that the events already in the log are tagged again (tags are only ever added).
pub const TAG_SCHEME: &str = "medaid-tags-1";

/// `practitioner:<id>`: assignments, stints, mentorships (mentor and apprentice), study stays.
pub fn practitioner(id: &PractitionerId) -> String {
    format!("practitioner:{id}")
}

/// `deployment:<id>`: the assignment that a deployment's arrival is checked against.
pub fn deployment(id: &DeploymentId) -> String {
    format!("deployment:{id}")
}

/// `on_site:<credit code>`: every deployment stint at a recipient hospital (posts, group staffing).
pub fn on_site(org: &CreditCode) -> String {
    format!("on_site:{org}")
}

/// `pairing:<id>`: the deployments of a pairing's batches (ending a pairing with members on site).
pub fn pairing(id: &PairingId) -> String {
    format!("pairing:{id}")
}

/// `program:<id>`: the pairings of a program (one active pairing per recipient, parameter revisions).
pub fn program(id: &ProgramId) -> String {
    format!("program:{id}")
}

/// `pairing_org:<credit code>`: the pairings an organisation supports, receives or assists in.
pub fn pairing_org(org: &CreditCode) -> String {
    format!("pairing_org:{org}")
}

/// `alliance_org:<credit code>`: the alliances an organisation leads or is a member of.
pub fn alliance_org(org: &CreditCode) -> String {
    format!("alliance_org:{org}")
}

/// `alliance_lead:<credit code>`: the alliances an organisation leads (duplicate names and codes).
pub fn alliance_lead(org: &CreditCode) -> String {
    format!("alliance_lead:{org}")
}

/// `region:<key>`: the gap fills of a custom region (one display name per key).
pub fn custom_region(region: &GapRegion) -> Option<String> {
    match region {
        GapRegion::Custom(key) => Some(format!("region:{key}")),
        GapRegion::Division(_) => None,
    }
}

/// How an event inherits tags from the earlier events of its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inheritance {
    /// No stream-level inheritance: the event's own tags, and for an amendment the tags of the fact
    /// it amends.
    Amended,
    /// Every tag of every earlier event of the stream, besides the event's own.
    Stream,
}

/// The tags of `event`, given the events recorded on its stream before it (oldest first, as
/// recorded: corrections and retractions included). Sorted, without repeats.
pub fn tags(event: &Event, earlier: &[Event]) -> Vec<String> {
    let mut found = BTreeSet::new();
    let inheritance = own_tags(event, &mut found);
    match inheritance {
        Inheritance::Stream => {
            // Each earlier event already carries its own predecessors' tags; its own tags suffice,
            // computed again here so that the result does not depend on what was stored.
            for e in earlier {
                own_tags(e, &mut found);
            }
        }
        Inheritance::Amended => {
            if let Some(target) = amended_target(event) {
                for form in forms_of(target, earlier) {
                    own_tags(form, &mut found);
                }
            }
        }
    }
    found.into_iter().collect()
}

/// The event an amendment points at, if `event` is one.
fn amended_target(event: &Event) -> Option<&EventRef> {
    match event {
        Event::EventCorrected(c) => Some(&c.target),
        Event::EventRetracted(r) => Some(&r.target),
        _ => None,
    }
}

/// Every form the fact at `target` has had among `earlier`: as recorded, and each replacement.
fn forms_of<'a>(target: &EventRef, earlier: &'a [Event]) -> Vec<&'a Event> {
    let index = usize::try_from(target.version.saturating_sub(1)).unwrap_or(usize::MAX);
    let mut forms: Vec<&Event> = earlier.get(index).into_iter().collect();
    forms.extend(earlier.iter().filter_map(|e| match e {
        Event::EventCorrected(c) if c.target == *target => Some(c.replacement.as_ref()),
        _ => None,
    }));
    forms
}

/// Adds the tags `event` itself names and says how its stream inherits tags. One arm per event
/// type, no wildcard: a new event type must decide here.
fn own_tags(event: &Event, found: &mut BTreeSet<String>) -> Inheritance {
    let mut add = |tag: String| {
        found.insert(tag);
    };
    match event {
        // Programs, agreements, platforms, assessments, activities, techniques, hospitals and the
        // practitioner directory are read by stream id where a rule needs them; no rule queries
        // them across streams.
        Event::ProgramDefined(_)
        | Event::PractitionerRegistered(_)
        | Event::PractitionerChanged(_)
        | Event::PersonalDataErased(_)
        | Event::ProgramParametersRevised(_)
        | Event::AgreementSigned(_)
        | Event::PlatformEstablished(_)
        | Event::AssessmentConducted(_)
        | Event::TrainingDelivered(_)
        | Event::ClinicalActivityReported(_)
        | Event::TechniqueIntroduced(_)
        | Event::HospitalRegistered(_)
        | Event::ServiceLineOpened(_)
        | Event::CenterCertified(_)
        | Event::HospitalGradeAssessed(_) => Inheritance::Amended,
        Event::PairingEstablished(e) => {
            add(program(&e.program_id));
            add(pairing_org(&e.recipient_org));
            e.supporting_orgs.iter().for_each(|o| add(pairing_org(o)));
            Inheritance::Stream
        }
        Event::GroupFormed(e) => {
            add(pairing_org(&e.lead_org));
            e.assisting_orgs.iter().for_each(|o| add(pairing_org(o)));
            Inheritance::Stream
        }
        Event::PairingRestructured(_)
        | Event::PairingEnded(_)
        | Event::ShortVisitConducted(_)
        | Event::FundingCommitted(_) => Inheritance::Stream,
        // A batch holds many members: each assignment is found by its own practitioner and
        // deployment; the dispatch itself is read by stream id.
        Event::BatchDispatched(_) => Inheritance::Amended,
        Event::MemberAssigned(e) => {
            add(practitioner(&e.practitioner));
            add(deployment(&e.deployment_id));
            Inheritance::Amended
        }
        Event::MemberArrived(e) => {
            add(practitioner(&e.assignment.practitioner));
            add(on_site(&e.assignment.recipient_org));
            add(pairing(&e.assignment.batch.pairing));
            Inheritance::Stream
        }
        Event::MemberAppointedToPost(_)
        | Event::MemberTermChanged(_)
        | Event::MemberDeparted(_) => Inheritance::Stream,
        Event::MentorshipPaired(e) => {
            add(practitioner(&e.mentor));
            add(practitioner(&e.apprentice));
            Inheritance::Stream
        }
        Event::MentorshipHandedOver(e) => {
            add(practitioner(&e.from_mentor));
            add(practitioner(&e.to_mentor));
            Inheritance::Stream
        }
        Event::ApprenticeMilestoneRecorded(_) | Event::ApprenticeDeclaredIndependent(_) => {
            Inheritance::Stream
        }
        Event::GapFilled(e) => {
            if let Some(tag) = custom_region(&e.gap.region) {
                add(tag);
            }
            Inheritance::Stream
        }
        // An alliance may have hundreds of members: each membership change is found by its own
        // member, and the lead by the founding fact.
        Event::AllianceFormed(e) => {
            add(alliance_lead(&e.lead_org));
            add(alliance_org(&e.lead_org));
            e.members.iter().for_each(|m| add(alliance_org(&m.org)));
            Inheritance::Amended
        }
        Event::AllianceMembershipChanged(e) => {
            add(alliance_org(&e.member.org));
            Inheritance::Amended
        }
        Event::AdvancedStudyStarted(e) => {
            add(practitioner(&e.trainee));
            Inheritance::Stream
        }
        Event::AdvancedStudyCompleted(_) => Inheritance::Stream,
        // An amendment carries the tags its replacement names and, on a stream that inherits, the
        // stream's; the tags of the amended fact are added by `tags`.
        Event::EventCorrected(c) => own_tags(&c.replacement, found),
        Event::EventRetracted(r) => inheritance_of_type(&r.target_type),
    }
}

/// The inheritance of the stream that holds an event of type `event_type` (for a retraction, whose
/// payload names only the retracted event's type). Every type of a stream inherits alike.
fn inheritance_of_type(event_type: &str) -> Inheritance {
    const STREAM: &[&str] = &[
        "PairingEstablished",
        "PairingRestructured",
        "PairingEnded",
        "GroupFormed",
        "ShortVisitConducted",
        "FundingCommitted",
        "MemberArrived",
        "MemberAppointedToPost",
        "MemberTermChanged",
        "MemberDeparted",
        "MentorshipPaired",
        "MentorshipHandedOver",
        "ApprenticeMilestoneRecorded",
        "ApprenticeDeclaredIndependent",
        "GapFilled",
        "AdvancedStudyStarted",
        "AdvancedStudyCompleted",
    ];
    if STREAM.contains(&event_type) {
        Inheritance::Stream
    } else {
        Inheritance::Amended
    }
}

/// The inheritance of an event's stream, as [`tags`] applies it.
pub fn inheritance(event: &Event) -> Inheritance {
    own_tags(event, &mut BTreeSet::new())
}
