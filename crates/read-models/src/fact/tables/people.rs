//! Pairings, groups, batches and deployments.

use domain::Event;

use super::day;
use crate::fact::{Table, Ty::Int as I, Ty::Text as T, Val, tag};
use crate::roster::GroupRole;

pub(crate) static PAIRING: Table = Table {
    name: "pairing",
    indexed: &["pairing_id", "recipient_org"],
    columns: &[
        ("pairing_id", T),
        ("program_id", T),
        ("parent_id", T),
        ("recipient_org", T),
        ("start_on", T),
        ("min_term_months", I),
        ("mentor_ratio_max", I),
    ],
    types: &["PairingEstablished"],
    rows: |e| match e {
        Event::PairingEstablished(p) => vec![vec![
            p.pairing_id.to_string().into(),
            p.program_id.to_string().into(),
            p.parent_pairing_id.map(|id| id.to_string()).into(),
            p.recipient_org.to_string().into(),
            day(p.start),
            p.parameters.min_term_months.into(),
            p.parameters.mentor_ratio_max.into(),
        ]],
        _ => vec![],
    },
};

pub(crate) static PAIRING_ORG: Table = Table {
    name: "pairing_org",
    indexed: &["pairing_id"],
    columns: &[("pairing_id", T), ("org", T)],
    types: &["PairingEstablished"],
    rows: |e| match e {
        Event::PairingEstablished(p) => p
            .supporting_orgs
            .iter()
            .map(|org| vec![p.pairing_id.to_string().into(), org.to_string().into()])
            .collect(),
        _ => vec![],
    },
};

pub(crate) static GROUP_ORG: Table = Table {
    name: "group_org",
    indexed: &["recipient_org"],
    columns: &[
        ("pairing_id", T),
        ("recipient_org", T),
        ("lead_org", T),
        ("org", T),
        ("role", T),
        ("min_staff", I),
    ],
    types: &["GroupFormed"],
    rows: |e| match e {
        Event::GroupFormed(g) => {
            let row = |org: &domain::values::CreditCode, role: GroupRole, min: u32| -> Vec<Val> {
                vec![
                    g.pairing_id.to_string().into(),
                    g.recipient_org.to_string().into(),
                    g.lead_org.to_string().into(),
                    org.to_string().into(),
                    tag(&role).into(),
                    min.into(),
                ]
            };
            let mut rows = vec![row(&g.lead_org, GroupRole::Lead, g.min_staff_lead)];
            rows.extend(
                g.assisting_orgs
                    .iter()
                    .map(|org| row(org, GroupRole::Assisting, g.min_staff_assisting)),
            );
            rows
        }
        _ => vec![],
    },
};

pub(crate) static BATCH: Table = Table {
    name: "batch",
    indexed: &["pairing_id"],
    columns: &[
        ("pairing_id", T),
        ("number", I),
        ("recipient_org", T),
        ("planned_start", T),
        ("planned_end", T),
        ("leader", T),
    ],
    types: &["BatchDispatched"],
    rows: |e| match e {
        Event::BatchDispatched(b) => vec![vec![
            b.batch.pairing.to_string().into(),
            b.batch.number.into(),
            b.recipient_org.to_string().into(),
            day(b.planned_start),
            day(b.planned_end),
            b.leader.as_ref().map(ToString::to_string).into(),
        ]],
        _ => vec![],
    },
};

/// Member columns shared by `assignment` (MemberAssigned) and `arrival` (MemberArrived).
const MEMBER_COLUMNS: [(&str, crate::fact::Ty); 11] = [
    ("deployment_id", T),
    ("pairing_id", T),
    ("batch_number", I),
    ("recipient_org", T),
    ("practitioner", T),
    ("home_org", T),
    ("title", I),
    ("specialty", T),
    ("role", T),
    ("start_on", T),
    ("planned_end", T),
];

fn member_row(a: &domain::aggregates::batch::MemberAssigned, start: time::Date) -> Vec<Val> {
    vec![
        a.deployment_id.to_string().into(),
        a.batch.pairing.to_string().into(),
        a.batch.number.into(),
        a.recipient_org.to_string().into(),
        a.practitioner.to_string().into(),
        a.home_org.to_string().into(),
        u32::from(a.title.code()).into(),
        a.specialty.code().into(),
        tag(&a.role).into(),
        day(start),
        day(a.planned_end),
    ]
}

/// Planned assignments: `start_on` is the planned start.
pub(crate) static ASSIGNMENT: Table = Table {
    name: "assignment",
    indexed: &["pairing_id"],
    columns: &MEMBER_COLUMNS,
    types: &["MemberAssigned"],
    rows: |e| match e {
        Event::MemberAssigned(a) => vec![member_row(a, a.planned_start)],
        _ => vec![],
    },
};

/// Arrivals on site: `start_on` is the arrival day.
pub(crate) static ARRIVAL: Table = Table {
    name: "arrival",
    indexed: &["recipient_org", "deployment_id"],
    columns: &MEMBER_COLUMNS,
    types: &["MemberArrived"],
    rows: |e| match e {
        Event::MemberArrived(a) => vec![member_row(&a.assignment, a.arrived_on)],
        _ => vec![],
    },
};

pub(crate) static POST: Table = Table {
    name: "post",
    indexed: &["recipient_org"],
    columns: &[
        ("deployment_id", T),
        ("recipient_org", T),
        ("post", T),
        ("department", T),
        ("from_on", T),
    ],
    types: &["MemberAppointedToPost"],
    rows: |e| match e {
        Event::MemberAppointedToPost(p) => vec![vec![
            p.deployment_id.to_string().into(),
            p.recipient_org.to_string().into(),
            tag(&p.post).into(),
            p.department.as_ref().map(|d| d.code().to_owned()).into(),
            day(p.from),
        ]],
        _ => vec![],
    },
};

pub(crate) static TERM_CHANGE: Table = Table {
    name: "term_change",
    indexed: &["deployment_id"],
    columns: &[("deployment_id", T), ("new_end", T), ("below_minimum", I)],
    types: &["MemberTermChanged"],
    rows: |e| match e {
        Event::MemberTermChanged(t) => vec![vec![
            t.deployment_id.to_string().into(),
            day(t.new_end),
            t.below_minimum.into(),
        ]],
        _ => vec![],
    },
};

pub(crate) static DEPARTURE: Table = Table {
    name: "departure",
    indexed: &["deployment_id"],
    columns: &[
        ("deployment_id", T),
        ("departed_on", T),
        ("below_minimum", I),
    ],
    types: &["MemberDeparted"],
    rows: |e| match e {
        Event::MemberDeparted(d) => vec![vec![
            d.deployment_id.to_string().into(),
            day(d.departed_on),
            d.below_minimum.into(),
        ]],
        _ => vec![],
    },
};
