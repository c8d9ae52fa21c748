//! The collaboration network's answers and filter.

use api::medaid::v1 as pb;
use app::read_models::network::{Alliance, Link, Platform, StudyFlow};

use super::day;
use super::filter::{self, value};
use super::tags::{self, ALLIANCE_TIERS, LINK_KINDS, PLATFORM_KINDS};
use crate::convert::fields::credit_code;

/// The keys `ListPlatformsRequest.filter` accepts.
const KEYS: &[&str] = &["host_org", "kind"];

/// A platform filter: the host and the kind's tag, each optional.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PlatformFilter {
    pub host_org: Option<String>,
    pub kind: Option<&'static str>,
}

/// Parses `ListPlatformsRequest.filter`.
pub fn platform_filter(text: &str) -> Result<PlatformFilter, app::Error> {
    let terms = filter::parse(text, KEYS)?;
    let host_org = value(&terms, "host_org")
        .map(|v| {
            credit_code("filter", v)
                .map(|code| code.to_string())
                .map_err(|e| filter::invalid(format!("host_org = {v:?}: {e}")))
        })
        .transpose()?;
    let kind = value(&terms, "kind")
        .map(|v| {
            tags::tag_for_filter(
                PLATFORM_KINDS,
                "PLATFORM_KIND_",
                pb::PlatformKind::as_str_name,
                v,
            )
            .ok_or_else(|| {
                filter::invalid(format!("kind = {v:?} is not a PlatformKind value name"))
            })
        })
        .transpose()?;
    Ok(PlatformFilter { host_org, kind })
}

/// One alliance with its current members.
pub fn alliance(a: &Alliance) -> pb::Alliance {
    pb::Alliance {
        alliance_id: a.alliance_id.clone(),
        specialty: a.specialty.clone(),
        lead_org: a.lead_org.clone(),
        formed_on: day(a.formed_on),
        plaque_awarded: a.plaque_awarded,
        members: a
            .members
            .iter()
            .map(|(org, tier)| pb::AllianceMember {
                org: org.clone(),
                tier: tags::optional_value(ALLIANCE_TIERS, tier.as_deref()),
            })
            .collect(),
    }
}

/// One platform with its partners.
pub fn platform(p: &Platform) -> pb::Platform {
    pb::Platform {
        platform_id: p.platform_id.clone(),
        pairing_id: p.pairing_id.clone(),
        kind: tags::value(PLATFORM_KINDS, &p.kind),
        name: p.name.clone(),
        host_org: p.host_org.clone(),
        specialty: p.specialty.clone().unwrap_or_default(),
        partners: p.partners.clone(),
        established_on: day(p.established_on),
    }
}

/// One advanced-study flow.
pub fn study_flow(f: &StudyFlow) -> pb::StudyFlow {
    pb::StudyFlow {
        trainee_org: f.trainee_org.clone(),
        host_org: f.host_org.clone(),
        started: f.started,
        completed: f.completed,
    }
}

/// One link of an organisation.
pub fn link(l: &Link) -> pb::OrganisationLink {
    pb::OrganisationLink {
        other_org: l.other.clone(),
        kind: tags::value(LINK_KINDS, &l.kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_filters_name_a_host_and_a_kind() {
        let parsed = platform_filter("kind = PLATFORM_KIND_TELECONSULTATION_CENTER");
        assert_eq!(
            parsed.ok().and_then(|f| f.kind),
            Some("teleconsultation_centre")
        );
        assert!(platform_filter(r#"host_org = "not a code""#).is_err());
        assert!(platform_filter("kind = PLATFORM_KIND_SPACEPORT").is_err());
    }
}
