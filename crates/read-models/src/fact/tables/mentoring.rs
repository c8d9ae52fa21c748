//! Mentorships (师带徒) and advanced study (进修).

use domain::Event;
use domain::aggregates::mentorship::IndependenceScope;

use super::day;
use crate::fact::{Table, Ty::Text as T, tag};

pub(crate) static MENTORSHIP: Table = Table {
    name: "mentorship",
    indexed: &["recipient_org"],
    columns: &[
        ("mentorship_id", T),
        ("mentor", T),
        ("apprentice", T),
        ("recipient_org", T),
        ("department", T),
        ("start_on", T),
    ],
    types: &["MentorshipPaired"],
    rows: |e| match e {
        Event::MentorshipPaired(m) => vec![vec![
            m.mentorship_id.to_string().into(),
            m.mentor.to_string().into(),
            m.apprentice.to_string().into(),
            m.recipient_org.to_string().into(),
            m.department.code().into(),
            day(m.start),
        ]],
        _ => vec![],
    },
};

pub(crate) static HANDOVER: Table = Table {
    name: "handover",
    indexed: &["mentorship_id"],
    columns: &[
        ("mentorship_id", T),
        ("from_mentor", T),
        ("to_mentor", T),
        ("date_on", T),
    ],
    types: &["MentorshipHandedOver"],
    rows: |e| match e {
        Event::MentorshipHandedOver(h) => vec![vec![
            h.mentorship_id.to_string().into(),
            h.from_mentor.to_string().into(),
            h.to_mentor.to_string().into(),
            day(h.date),
        ]],
        _ => vec![],
    },
};

pub(crate) static MILESTONE: Table = Table {
    name: "milestone",
    indexed: &["mentorship_id"],
    columns: &[("mentorship_id", T), ("kind", T), ("date_on", T)],
    types: &["ApprenticeMilestoneRecorded"],
    rows: |e| match e {
        Event::ApprenticeMilestoneRecorded(m) => vec![vec![
            m.mentorship_id.to_string().into(),
            tag(&m.kind).into(),
            day(m.date),
        ]],
        _ => vec![],
    },
};

pub(crate) static INDEPENDENCE: Table = Table {
    name: "independence",
    indexed: &["recipient_org"],
    columns: &[
        ("mentorship_id", T),
        ("recipient_org", T),
        ("apprentice", T),
        ("scope_kind", T),
        ("scope", T),
        ("date_on", T),
    ],
    types: &["ApprenticeDeclaredIndependent"],
    rows: |e| match e {
        Event::ApprenticeDeclaredIndependent(i) => {
            let (kind, scope) = match &i.scope {
                IndependenceScope::Department(d) => ("department", d.code().to_owned()),
                IndependenceScope::Technique(t) => ("technique", t.as_str().to_owned()),
            };
            vec![vec![
                i.mentorship_id.to_string().into(),
                i.recipient_org.to_string().into(),
                i.apprentice.to_string().into(),
                kind.into(),
                scope.into(),
                day(i.date),
            ]]
        }
        _ => vec![],
    },
};

pub(crate) static STUDY: Table = Table {
    name: "study",
    indexed: &["trainee_org"],
    columns: &[
        ("study_id", T),
        ("trainee", T),
        ("trainee_org", T),
        ("host_org", T),
        ("department", T),
        ("start_on", T),
    ],
    types: &["AdvancedStudyStarted"],
    rows: |e| match e {
        Event::AdvancedStudyStarted(s) => vec![vec![
            s.study_id.to_string().into(),
            s.trainee.to_string().into(),
            s.trainee_org.to_string().into(),
            s.host_org.to_string().into(),
            s.department.code().into(),
            day(s.start),
        ]],
        _ => vec![],
    },
};

pub(crate) static STUDY_DONE: Table = Table {
    name: "study_done",
    indexed: &["study_id"],
    columns: &[("study_id", T), ("completed_on", T)],
    types: &["AdvancedStudyCompleted"],
    rows: |e| match e {
        Event::AdvancedStudyCompleted(s) => {
            vec![vec![s.study_id.to_string().into(), day(s.completed_on)]]
        }
        _ => vec![],
    },
};
