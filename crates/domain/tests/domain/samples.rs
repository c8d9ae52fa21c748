//! One sample of every event type, for the pinned serialized forms and the round trips.

use domain::Event;
use domain::aggregates::alliance::{
    AllianceMember, AllianceMembershipChanged, MembershipChange, Tier,
};
use domain::aggregates::deployment::{
    MemberAppointedToPost, MemberDeparted, MemberTermChanged, Post,
};
use domain::aggregates::mentorship::{
    ApprenticeDeclaredIndependent, ApprenticeMilestoneRecorded, IndependenceScope,
    MentorshipHandedOver, MilestoneKind,
};
use domain::aggregates::pairing::{GroupFormed, PairingEnded, PairingRestructured};
use domain::aggregates::program::ProgramParametersRevised;
use domain::aggregates::study::AdvancedStudyCompleted;
use domain::aggregates::technique::Performer;
use domain::events::{EventCorrected, EventRef, EventRetracted};
use domain::values::{PairingId, ReviewKind};
use time::macros::date;
use uuid::Uuid;

use crate::fixtures::*;

pub(crate) fn every_event_type() -> Vec<Event> {
    let report = crate::study_activity_rules::report(date!(2016 - 04 - 23), date!(2017 - 04 - 22));
    let mentorship = crate::mentorship_rules::paired();
    vec![
        crate::program_rules::defined().into(),
        ProgramParametersRevised {
            program_id: program_id(),
            parameters: parameters(),
            effective_on: date!(2023 - 01 - 01),
        }
        .into(),
        pairing_established().into(),
        PairingRestructured {
            pairing_id: pairing_id(),
            recipient_org: recipient(),
            successor_pairing_id: PairingId(Uuid::from_u128(3)),
            reason: "东西部协作结对关系调整".to_owned(),
            date: date!(2021 - 06 - 01),
        }
        .into(),
        PairingEnded {
            pairing_id: pairing_id(),
            recipient_org: recipient(),
            reason: "帮扶周期结束".to_owned(),
            date: date!(2025 - 12 - 31),
        }
        .into(),
        GroupFormed {
            pairing_id: pairing_id(),
            recipient_org: recipient(),
            lead_org: supporting(),
            assisting_orgs: vec![supporting_b(), org("620000", 4)],
            min_staff_lead: 2,
            min_staff_assisting: 1,
            formed_on: date!(2021 - 07 - 01),
        }
        .into(),
        crate::pairing_rules::visit(2).into(),
        crate::pairing_rules::funding(780_000_000).into(),
        crate::agreement_batch_rules::agreement().into(),
        batch_dispatched(1).into(),
        member_assigned(1, "doc-hu").into(),
        crate::deployment_rules::arrived().into(),
        MemberAppointedToPost {
            deployment_id: deployment_id(1),
            recipient_org: recipient(),
            post: Post::VicePresident,
            department: None,
            from: date!(2024 - 08 - 01),
        }
        .into(),
        MemberTermChanged {
            deployment_id: deployment_id(1),
            recipient_org: recipient(),
            new_end: date!(2025 - 01 - 31),
            reason: Some("工作需要提前召回".to_owned()),
            below_minimum: true,
            decided_on: date!(2024 - 12 - 01),
        }
        .into(),
        MemberDeparted {
            deployment_id: deployment_id(1),
            recipient_org: recipient(),
            departed_on: date!(2025 - 07 - 24),
            on_site_days: 365,
            reason: None,
            below_minimum: false,
        }
        .into(),
        mentorship.clone().into(),
        MentorshipHandedOver {
            mentorship_id: mentorship.mentorship_id,
            recipient_org: recipient(),
            from_mentor: person("doc-hu"),
            to_mentor: person("doc-next"),
            date: date!(2025 - 07 - 10),
        }
        .into(),
        ApprenticeMilestoneRecorded {
            mentorship_id: mentorship.mentorship_id,
            recipient_org: recipient(),
            kind: MilestoneKind::SimulationDrill,
            date: date!(2024 - 10 - 12),
        }
        .into(),
        ApprenticeDeclaredIndependent {
            mentorship_id: mentorship.mentorship_id,
            recipient_org: recipient(),
            apprentice: person("local-wang-1"),
            scope: IndependenceScope::Department(dept("04.05")),
            assessor: person("doc-hu"),
            date: date!(2025 - 06 - 01),
        }
        .into(),
        crate::technique_gap_rules::introduced(Performer::OnSiteMember(person("doc-hu"))).into(),
        crate::technique_gap_rules::claim(crate::technique_gap_rules::prefecture_gap()).into(),
        crate::hospital_alliance_rules::registered_hospital().into(),
        crate::hospital_alliance_rules::line(date!(2024 - 09 - 15)).into(),
        crate::hospital_alliance_rules::stroke(date!(2023 - 05 - 01), Some(date!(2026 - 04 - 30)))
            .into(),
        crate::hospital_alliance_rules::grade(ReviewKind::Rereview, date!(2024 - 01 - 01)).into(),
        crate::hospital_alliance_rules::alliance().into(),
        AllianceMembershipChanged {
            alliance_id: crate::hospital_alliance_rules::alliance().alliance_id,
            member: AllianceMember {
                org: org("520402", 7),
                tier: Some(Tier::Township),
            },
            change: MembershipChange::Joined,
            date: date!(2023 - 06 - 01),
        }
        .into(),
        crate::hospital_alliance_rules::platform(recipient()).into(),
        crate::study_activity_rules::study().into(),
        AdvancedStudyCompleted {
            study_id: crate::study_activity_rules::study().study_id,
            trainee_org: recipient(),
            host_org: supporting(),
            completed_on: date!(2024 - 08 - 31),
        }
        .into(),
        crate::study_activity_rules::training().into(),
        report.clone().into(),
        crate::study_activity_rules::assessment(date!(2025 - 04 - 15)).into(),
        crate::practitioner_rules::registered().into(),
        crate::practitioner_rules::changed().into(),
        crate::practitioner_rules::erased().into(),
        EventCorrected {
            target: EventRef {
                stream: report.ledger.stream_id(),
                version: 1,
            },
            replacement: Box::new(report.clone().into()),
            replacement_schema_version: 3,
            reason: "台次复核".to_owned(),
        }
        .into(),
        EventRetracted {
            target: EventRef {
                stream: report.ledger.stream_id(),
                version: 1,
            },
            target_type: "ClinicalActivityReported".to_owned(),
            target_scope: Event::from(report.clone()).scope(),
            target_occurred_at: Event::from(report).occurred_at(),
            reason: "重复上报".to_owned(),
        }
        .into(),
    ]
}

#[test]
fn the_samples_cover_every_event_type_once() {
    let types: Vec<&str> = every_event_type().iter().map(Event::event_type).collect();
    assert_eq!(types, domain::events::EVENT_TYPES);
}
