//! Techniques, gaps, trainings and clinical activity.

use domain::Event;
use domain::aggregates::gap::GapRegion;
use domain::aggregates::technique::Performer;

use super::{count, day};
use crate::fact::{Table, Ty::Int as I, Ty::Text as T, Val, tag};

pub(crate) static TECHNIQUE: Table = Table {
    name: "technique",
    indexed: &["technique", "hospital"],
    columns: &[
        ("hospital", T),
        ("technique", T),
        ("name", T),
        ("department", T),
        ("first_on", T),
        ("performer_kind", T),
        ("performer", T),
        ("category", T),
    ],
    types: &["TechniqueIntroduced"],
    rows: |e| match e {
        Event::TechniqueIntroduced(t) => {
            let (kind, who) = match &t.performer {
                Performer::OnSiteMember(p) => ("on_site_member", p.to_string()),
                Performer::Local(p) => ("local", p.to_string()),
            };
            vec![vec![
                t.hospital.to_string().into(),
                t.technique.as_str().into(),
                t.name.clone().into(),
                t.department.code().into(),
                day(t.first_performed_on),
                kind.into(),
                who.into(),
                tag(&t.category).into(),
            ]]
        }
        _ => vec![],
    },
};

pub(crate) static GAP: Table = Table {
    name: "gap",
    indexed: &["hospital"],
    columns: &[
        ("level", T),
        ("region", T),
        ("technique", T),
        ("hospital", T),
        ("introduced_on", T),
        ("claimed_on", T),
        ("region_name", T),
    ],
    types: &["GapFilled"],
    rows: |e| match e {
        Event::GapFilled(g) => {
            let region = match &g.gap.region {
                GapRegion::Division(d) => d.as_str().to_owned(),
                GapRegion::Custom(k) => k.as_str().to_owned(),
            };
            vec![vec![
                tag(&g.gap.level).into(),
                region.into(),
                g.gap.technique.as_str().into(),
                g.hospital.to_string().into(),
                day(g.technique_introduced_on),
                day(g.claimed_on),
                g.region_name.clone().map_or(Val::Null, Val::Text),
            ]]
        }
        _ => vec![],
    },
};

pub(crate) static TRAINING: Table = Table {
    name: "training",
    indexed: &["pairing_id", "recipient_org"],
    columns: &[
        ("pairing_id", T),
        ("recipient_org", T),
        ("topic", T),
        ("mode", T),
        ("attendees", I),
        ("attendees_cmp", T),
        ("date_on", T),
    ],
    types: &["TrainingDelivered"],
    rows: |e| match e {
        Event::TrainingDelivered(t) => {
            let [value, cmp] = count(Some(t.attendees));
            vec![vec![
                t.ledger.pairing.to_string().into(),
                t.recipient_org.to_string().into(),
                t.topic.clone().into(),
                tag(&t.mode).into(),
                value,
                cmp,
                day(t.date),
            ]]
        }
        _ => vec![],
    },
};

/// Figures of the activity ledger, each as a value and its comparator (`exact` / `at_least`).
pub(crate) static ACTIVITY: Table = Table {
    name: "activity",
    indexed: &["pairing_id", "recipient_org"],
    columns: &[
        ("pairing_id", T),
        ("recipient_org", T),
        ("period_start", T),
        ("period_end", T),
        ("surgeries", I),
        ("surgeries_cmp", T),
        ("rescues", I),
        ("rescues_cmp", T),
        ("patients", I),
        ("patients_cmp", T),
        ("trainings", I),
        ("trainings_cmp", T),
        ("teleconsults", I),
        ("teleconsults_cmp", T),
    ],
    types: &["ClinicalActivityReported"],
    rows: |e| match e {
        Event::ClinicalActivityReported(a) => {
            let mut row: Vec<Val> = vec![
                a.ledger.pairing.to_string().into(),
                a.recipient_org.to_string().into(),
                day(a.period_start),
                day(a.period_end),
            ];
            row.extend(count(a.surgeries));
            row.extend(count(a.critical_rescues));
            row.extend(count(a.patients_served));
            row.extend(count(a.trainings));
            row.extend(count(a.teleconsults));
            vec![row]
        }
        _ => vec![],
    },
};
