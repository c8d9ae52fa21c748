//! The practitioner directory: registrations (with the sealed personal data, never the plain
//! text), changes of title, department or employer, and erasures.

use domain::Event;

use super::day;
use crate::fact::{Table, Ty::Int as I, Ty::Text as T};

pub(crate) static PRACTITIONER: Table = Table {
    name: "practitioner",
    indexed: &["practitioner_id", "employer"],
    columns: &[
        ("practitioner_id", T),
        ("sealed", T),
        ("title", I),
        ("department", T),
        ("employer", T),
        ("registered_on", T),
    ],
    types: &["PractitionerRegistered"],
    rows: |e| match e {
        Event::PractitionerRegistered(r) => vec![vec![
            r.practitioner.to_string().into(),
            r.personal.as_str().into(),
            u32::from(r.title.code()).into(),
            r.department.code().into(),
            r.employer.to_string().into(),
            day(r.registered_on),
        ]],
        _ => vec![],
    },
};

pub(crate) static PRACTITIONER_CHANGE: Table = Table {
    name: "practitioner_change",
    indexed: &["practitioner_id", "employer"],
    columns: &[
        ("practitioner_id", T),
        ("title", I),
        ("department", T),
        ("employer", T),
    ],
    types: &["PractitionerChanged"],
    rows: |e| match e {
        Event::PractitionerChanged(c) => vec![vec![
            c.practitioner.to_string().into(),
            c.title.map(|t| u32::from(t.code())).into(),
            c.department.as_ref().map(|d| d.code().to_owned()).into(),
            c.employer.as_ref().map(ToString::to_string).into(),
        ]],
        _ => vec![],
    },
};

pub(crate) static PERSONAL_ERASURE: Table = Table {
    name: "personal_erasure",
    indexed: &["practitioner_id"],
    columns: &[("practitioner_id", T), ("erased_on", T)],
    types: &["PersonalDataErased"],
    rows: |e| match e {
        Event::PersonalDataErased(x) => {
            vec![vec![x.practitioner.to_string().into(), day(x.erased_on)]]
        }
        _ => vec![],
    },
};
