//! Agreements, their targets, and assessments.

use domain::Event;
use domain::aggregates::assessment::AssessmentSubject;

use super::{count, day};
use crate::fact::{Table, Ty::Int as I, Ty::Text as T, Val, tag};

pub(crate) static AGREEMENT: Table = Table {
    name: "agreement",
    indexed: &["agreement_id", "recipient_org"],
    columns: &[
        ("agreement_id", T),
        ("pairing_id", T),
        ("recipient_org", T),
        ("kind", T),
        ("title", T),
        ("start_on", T),
        ("end_on", T),
    ],
    types: &["AgreementSigned"],
    rows: |e| match e {
        Event::AgreementSigned(a) => vec![vec![
            a.agreement_id.to_string().into(),
            a.pairing_id.to_string().into(),
            a.recipient_org.to_string().into(),
            tag(&a.kind).into(),
            a.title.clone().into(),
            day(a.start),
            a.end.map_or(Val::Null, day),
        ]],
        _ => vec![],
    },
};

pub(crate) static TARGET: Table = Table {
    name: "target",
    indexed: &["agreement_id"],
    columns: &[
        ("agreement_id", T),
        ("indicator", T),
        ("target_value", I),
        ("target_cmp", T),
        ("due", T),
    ],
    types: &["AgreementSigned"],
    rows: |e| match e {
        Event::AgreementSigned(a) => a
            .targets
            .iter()
            .map(|t| {
                let [value, cmp] = count(Some(t.target));
                vec![
                    a.agreement_id.to_string().into(),
                    t.indicator.as_str().into(),
                    value,
                    cmp,
                    day(t.due),
                ]
            })
            .collect(),
        _ => vec![],
    },
};

pub(crate) static ASSESSMENT: Table = Table {
    name: "assessment",
    indexed: &["agreement_id"],
    columns: &[
        ("assessment_id", T),
        ("agreement_id", T),
        ("recipient_org", T),
        ("subject_kind", T),
        ("subject", T),
        ("period_start", T),
        ("period_end", T),
        ("score", I),
        ("result", T),
    ],
    types: &["AssessmentConducted"],
    rows: |e| match e {
        Event::AssessmentConducted(a) => {
            let (kind, subject) = match &a.subject {
                AssessmentSubject::Member(id) => ("member", id.to_string()),
                AssessmentSubject::Batch(b) => ("batch", format!("{}.{}", b.pairing, b.number)),
                AssessmentSubject::Pairing(id) => ("pairing", id.to_string()),
            };
            vec![vec![
                a.assessment_id.to_string().into(),
                a.agreement_id.to_string().into(),
                a.recipient_org.to_string().into(),
                kind.into(),
                subject.into(),
                day(a.period_start),
                day(a.period_end),
                a.score.into(),
                tag(&a.result).into(),
            ]]
        }
        _ => vec![],
    },
};
