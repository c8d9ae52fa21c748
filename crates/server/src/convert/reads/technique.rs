//! The technique diffusion and gap registry's answers and filter.

use api::medaid::v1 as pb;
use app::read_models::technique::{GapCount, GapRow, Sustainability, TechniqueAtHospital};

use super::day;
use super::filter::{self, value};
use super::tags::{self, GAP_LEVELS, TECHNIQUE_CATEGORIES};

/// The keys `ListGapFillsRequest.filter` accepts.
const KEYS: &[&str] = &["level", "region"];

/// A gap filter: the level's tag and the region, each optional.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct GapFilter {
    pub level: Option<&'static str>,
    pub region: Option<String>,
}

/// Parses `ListGapFillsRequest.filter`.
pub fn gap_filter(text: &str) -> Result<GapFilter, app::Error> {
    let terms = filter::parse(text, KEYS)?;
    let level = value(&terms, "level")
        .map(|v| {
            tags::tag_for_filter(GAP_LEVELS, "GAP_LEVEL_", pb::GapLevel::as_str_name, v).ok_or_else(
                || filter::invalid(format!("level = {v:?} is not a GapLevel value name")),
            )
        })
        .transpose()?;
    Ok(GapFilter {
        level,
        region: value(&terms, "region").map(str::to_owned),
    })
}

/// Who performed a technique first, from the read model's kind tag.
fn performer(kind: &str, practitioner: &str) -> pb::Performer {
    use pb::performer::Performer;
    let who = match kind {
        "on_site_member" => Some(Performer::OnSiteMember(practitioner.to_owned())),
        "local" => Some(Performer::Local(practitioner.to_owned())),
        _ => None,
    };
    pb::Performer { performer: who }
}

/// One technique at one hospital.
pub fn technique_at_hospital(t: &TechniqueAtHospital) -> pb::TechniqueAtHospital {
    let (sustainability, local_practitioners) = match &t.sustainability {
        Sustainability::LocalFromStart => (pb::Sustainability::LocalFromStart, Vec::new()),
        Sustainability::IntroducerOnSite => (pb::Sustainability::IntroducerOnSite, Vec::new()),
        Sustainability::Sustained {
            local_practitioners,
        } => (pb::Sustainability::Sustained, local_practitioners.clone()),
        Sustainability::AtRisk => (pb::Sustainability::AtRisk, Vec::new()),
    };
    pb::TechniqueAtHospital {
        hospital: t.hospital.clone(),
        technique: t.technique.clone(),
        name: t.name.clone(),
        department: t.department.clone(),
        since: day(t.since),
        introduced_by: Some(performer(&t.performer_kind, &t.introduced_by)),
        category: tags::value(TECHNIQUE_CATEGORIES, &t.category),
        sustainability: sustainability.into(),
        local_practitioners,
    }
}

/// One filled gap.
pub fn gap_fill(g: &GapRow) -> pb::GapFill {
    pb::GapFill {
        gap: Some(pb::GapKey {
            level: tags::value(GAP_LEVELS, &g.level),
            region: g.region.clone(),
            technique: g.technique.clone(),
        }),
        hospital: g.hospital.clone(),
        introduced_on: day(g.introduced_on),
        claimed_on: day(g.claimed_on),
    }
}

/// The number of gaps filled at one level and region.
pub fn gap_count(c: &GapCount) -> pb::GapCount {
    pb::GapCount {
        level: tags::value(GAP_LEVELS, &c.level),
        region: c.region.clone(),
        filled: c.filled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_filters_name_a_level_and_a_region() {
        let parsed = gap_filter(r#"level = GAP_LEVEL_COUNTY AND region = "620422""#);
        assert_eq!(
            parsed.ok(),
            Some(GapFilter {
                level: Some("county"),
                region: Some("620422".to_owned()),
            })
        );
        assert!(gap_filter("level = GAP_LEVEL_GALAXY").is_err());
        assert!(gap_filter("technique = x").is_err());
    }
}
