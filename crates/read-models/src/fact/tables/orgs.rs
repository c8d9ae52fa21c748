//! Hospitals, alliances, platforms and funding.

use domain::Event;

use super::day;
use crate::fact::{Table, Ty::Int as I, Ty::Text as T, Val, tag};

pub(crate) static HOSPITAL: Table = Table {
    name: "hospital",
    indexed: &["hospital"],
    columns: &[
        ("hospital", T),
        ("name", T),
        ("division", T),
        ("category", T),
    ],
    types: &["HospitalRegistered"],
    rows: |e| match e {
        Event::HospitalRegistered(h) => vec![vec![
            h.hospital.to_string().into(),
            h.name.clone().into(),
            h.division.as_str().into(),
            // Null for an organisation that is not a hospital (a health commission has none).
            h.category.clone().map_or(Val::Null, Val::Text),
        ]],
        _ => vec![],
    },
};

pub(crate) static GRADE: Table = Table {
    name: "grade",
    indexed: &["hospital"],
    columns: &[
        ("hospital", T),
        ("level", T),
        ("class", T),
        ("review", T),
        ("assessed_on", T),
        ("valid_until", T),
    ],
    types: &["HospitalGradeAssessed"],
    rows: |e| match e {
        Event::HospitalGradeAssessed(g) => vec![vec![
            g.hospital.to_string().into(),
            tag(&g.grade.level()).into(),
            g.grade.class().map(|c| tag(&c)).into(),
            tag(&g.grade.review()).into(),
            day(g.grade.assessed_on()),
            g.grade.valid_until().map_or(Val::Null, day),
        ]],
        _ => vec![],
    },
};

pub(crate) static CENTER: Table = Table {
    name: "center",
    indexed: &["hospital"],
    columns: &[
        ("hospital", T),
        ("center", T),
        ("certifier", T),
        ("certified_on", T),
        ("valid_until", T),
    ],
    types: &["CenterCertified"],
    rows: |e| match e {
        Event::CenterCertified(c) => vec![vec![
            c.hospital.to_string().into(),
            tag(&c.center).into(),
            c.certifier.clone().into(),
            day(c.certified_on),
            c.valid_until.map_or(Val::Null, day),
        ]],
        _ => vec![],
    },
};

pub(crate) static SERVICE_LINE: Table = Table {
    name: "service_line",
    indexed: &["hospital"],
    columns: &[
        ("hospital", T),
        ("name", T),
        ("department", T),
        ("opened_on", T),
    ],
    types: &["ServiceLineOpened"],
    rows: |e| match e {
        Event::ServiceLineOpened(s) => vec![vec![
            s.hospital.to_string().into(),
            s.name.clone().into(),
            s.department.code().into(),
            day(s.opened_on),
        ]],
        _ => vec![],
    },
};

pub(crate) static ALLIANCE: Table = Table {
    name: "alliance",
    indexed: &["alliance_id"],
    columns: &[
        ("alliance_id", T),
        ("specialty", T),
        // The alliance's own specialty name, or its department's when it has none.
        ("specialty_name", T),
        ("sub_code", T),
        ("lead_org", T),
        ("formed_on", T),
        ("plaque", I),
    ],
    types: &["AllianceFormed"],
    rows: |e| match e {
        Event::AllianceFormed(a) => vec![vec![
            a.alliance_id.to_string().into(),
            a.specialty.code().into(),
            a.name().into(),
            a.specialty_sub_code.clone().into(),
            a.lead_org.to_string().into(),
            day(a.formed_on),
            a.plaque_awarded.into(),
        ]],
        _ => vec![],
    },
};

/// Membership changes; the founding members of `AllianceFormed` are `joined` rows on the formation day.
pub(crate) static ALLIANCE_MEMBER: Table = Table {
    name: "alliance_member",
    indexed: &["alliance_id"],
    columns: &[
        ("alliance_id", T),
        ("org", T),
        ("tier", T),
        ("change", T),
        ("date_on", T),
    ],
    types: &["AllianceFormed", "AllianceMembershipChanged"],
    rows: |e| match e {
        Event::AllianceFormed(a) => a
            .members
            .iter()
            .map(|m| {
                vec![
                    a.alliance_id.to_string().into(),
                    m.org.to_string().into(),
                    m.tier.map(|t| tag(&t)).into(),
                    "joined".into(),
                    day(a.formed_on),
                ]
            })
            .collect(),
        Event::AllianceMembershipChanged(c) => vec![vec![
            c.alliance_id.to_string().into(),
            c.member.org.to_string().into(),
            c.member.tier.map(|t| tag(&t)).into(),
            tag(&c.change).into(),
            day(c.date),
        ]],
        _ => vec![],
    },
};

pub(crate) static PLATFORM: Table = Table {
    name: "platform",
    indexed: &["host_org"],
    columns: &[
        ("platform_id", T),
        ("pairing_id", T),
        ("kind", T),
        ("name", T),
        ("host_org", T),
        ("specialty", T),
        ("established_on", T),
    ],
    types: &["PlatformEstablished"],
    rows: |e| match e {
        Event::PlatformEstablished(p) => vec![vec![
            p.platform_id.to_string().into(),
            p.pairing_id.to_string().into(),
            tag(&p.kind).into(),
            p.name.clone().into(),
            p.host_org.to_string().into(),
            p.specialty.as_ref().map(|s| s.code().to_owned()).into(),
            day(p.established_on),
        ]],
        _ => vec![],
    },
};

pub(crate) static PLATFORM_PARTNER: Table = Table {
    name: "platform_partner",
    indexed: &["platform_id"],
    columns: &[("platform_id", T), ("org", T)],
    types: &["PlatformEstablished"],
    rows: |e| match e {
        Event::PlatformEstablished(p) => p
            .partners
            .iter()
            .map(|o| vec![p.platform_id.to_string().into(), o.to_string().into()])
            .collect(),
        _ => vec![],
    },
};

pub(crate) static FUNDING: Table = Table {
    name: "funding",
    indexed: &["pairing_id"],
    columns: &[
        ("pairing_id", T),
        ("recipient_org", T),
        ("amount_fen", I),
        ("source", T),
        ("date_on", T),
    ],
    types: &["FundingCommitted"],
    rows: |e| match e {
        Event::FundingCommitted(f) => vec![vec![
            f.pairing_id.to_string().into(),
            f.recipient_org.to_string().into(),
            f.amount_fen.0.into(),
            tag(&f.source).into(),
            day(f.date),
        ]],
        _ => vec![],
    },
};
