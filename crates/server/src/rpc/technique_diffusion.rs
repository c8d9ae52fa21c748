//! `medaid.v1.TechniqueDiffusionService` (`technique_diffusion_service.proto`): techniques by
//! hospital and hospitals by technique, and the gap registry.

use api::medaid::v1 as pb;
use api::medaid::v1::list_technique_hospitals_request::Subject;
use api::medaid::v1::technique_diffusion_service_server::TechniqueDiffusionService;
use domain::aggregates::gap::GapLevel;
use domain::values::TechniqueKey;
use read_models::technique_diffusion::{
    self, GapCount, GapRow, IntroducedBy, PerformedBy, Sustainability, TechniqueAtHospital,
};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::enums::{ProtoEnum, filter_value};
use super::read::answer::{day, day_or_today};
use super::read::filter::{self, value};
use super::read::{GetRpc, ListRpc, read_service};
use crate::convert::fields;
use crate::status::{from_app_error, invalid_field};

read_service!(TechniqueDiffusionService {
    list_technique_hospitals: list ListTechniqueHospitals(ListTechniqueHospitalsRequest) -> ListTechniqueHospitalsResponse;
    list_gap_fills: list ListGapFills(ListGapFillsRequest) -> ListGapFillsResponse;
    get_gap_counts: get GetGapCounts(GetGapCountsRequest) -> GetGapCountsResponse;
});

impl ListRpc for ListTechniqueHospitals {
    type Item = TechniqueAtHospital;
    type Query = technique_diffusion::TechniqueHospitals;

    fn token_key(req: &pb::ListTechniqueHospitalsRequest) -> Vec<&str> {
        // The subject's kind is part of the parameters, so a token of one kind of list is refused
        // by the other even for the same text.
        let (kind, value) = match &req.subject {
            Some(Subject::Technique(technique)) => ("technique", technique.as_str()),
            Some(Subject::Hospital(hospital)) => ("hospital", hospital.as_str()),
            None => ("", ""),
        };
        vec![kind, value, &req.date]
    }

    fn query(
        req: &pb::ListTechniqueHospitalsRequest,
        page: PageRequest,
    ) -> Result<Self::Query, Status> {
        let subject =
            fields::required("technique", req.subject.as_ref()).map_err(|e| invalid_field(&e))?;
        let date = day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?;
        let subject = match subject {
            Subject::Technique(technique) => {
                TechniqueKey::parse(technique)
                    .map_err(|problem| invalid_field(&problem.at("technique")))?;
                PerformedBy::Technique(technique.clone())
            }
            Subject::Hospital(hospital) => PerformedBy::Hospital(hospital.clone()),
        };
        Ok(technique_diffusion::TechniqueHospitals {
            subject,
            date,
            page,
        })
    }

    fn respond(
        entries: Vec<TechniqueAtHospital>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListTechniqueHospitalsResponse {
        pb::ListTechniqueHospitalsResponse {
            entries: entries.iter().map(technique_at_hospital).collect(),
            next_page_token,
            position,
        }
    }
}

impl ListRpc for ListGapFills {
    type Item = GapRow;
    type Query = technique_diffusion::GapFills;

    fn token_key(req: &pb::ListGapFillsRequest) -> Vec<&str> {
        vec![&req.filter]
    }

    fn query(req: &pb::ListGapFillsRequest, page: PageRequest) -> Result<Self::Query, Status> {
        let filter = gap_filter(&req.filter).map_err(from_app_error)?;
        Ok(technique_diffusion::GapFills {
            level: filter.level,
            region: filter.region,
            page,
        })
    }

    fn respond(
        gap_fills: Vec<GapRow>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListGapFillsResponse {
        pb::ListGapFillsResponse {
            gap_fills: gap_fills.iter().map(gap_fill).collect(),
            next_page_token,
            position,
        }
    }
}

impl GetRpc for GetGapCounts {
    type Query = technique_diffusion::GapCounts;

    fn query(_: &pb::GetGapCountsRequest) -> Result<Self::Query, Status> {
        Ok(technique_diffusion::GapCounts)
    }

    fn respond(answer: Answer<Vec<GapCount>>) -> pb::GetGapCountsResponse {
        pb::GetGapCountsResponse {
            counts: answer.value.iter().map(gap_count).collect(),
            position: answer.position,
        }
    }
}

/// The keys `ListGapFillsRequest.filter` accepts.
const KEYS: &[&str] = &["level", "region"];

/// A gap filter: the level and the region, each optional.
#[derive(Debug, Default, PartialEq, Eq)]
struct GapFilter {
    level: Option<GapLevel>,
    region: Option<String>,
}

/// Parses `ListGapFillsRequest.filter`.
fn gap_filter(text: &str) -> Result<GapFilter, app::Error> {
    let terms = filter::parse(text, KEYS)?;
    let level = value(&terms, "level")
        .map(|v| {
            filter_value(v).ok_or_else(|| {
                filter::invalid(format!("level = {v:?} is not a GapLevel value name"))
            })
        })
        .transpose()?;
    Ok(GapFilter {
        level,
        region: value(&terms, "region").map(str::to_owned),
    })
}

/// Who performed a technique first.
fn performer(introduced_by: &IntroducedBy) -> pb::Performer {
    use pb::performer::Performer;
    let who = match introduced_by {
        IntroducedBy::OnSiteMember(id) => Performer::OnSiteMember(id.clone()),
        IntroducedBy::Local(id) => Performer::Local(id.clone()),
    };
    pb::Performer {
        performer: Some(who),
    }
}

/// One technique at one hospital.
fn technique_at_hospital(t: &TechniqueAtHospital) -> pb::TechniqueAtHospital {
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
        introduced_by: Some(performer(&t.introduced_by)),
        category: t.category.to_wire(),
        sustainability: sustainability.into(),
        local_practitioners,
        hospital_name: t.hospital_name.clone(),
        department_name: t.department_name.to_owned(),
    }
}

/// One filled gap.
fn gap_fill(g: &GapRow) -> pb::GapFill {
    pb::GapFill {
        gap: Some(pb::GapKey {
            level: g.level.to_wire(),
            region: g.region.clone(),
            technique: g.technique.clone(),
        }),
        hospital: g.hospital.clone(),
        introduced_on: day(g.introduced_on),
        claimed_on: day(g.claimed_on),
        region_name: g.region_name.clone().unwrap_or_default(),
        hospital_name: g.hospital_name.clone(),
    }
}

/// The number of gaps filled at one level and region.
fn gap_count(c: &GapCount) -> pb::GapCount {
    pb::GapCount {
        level: c.level.to_wire(),
        region: c.region.clone(),
        filled: c.filled,
        region_name: c.region_name.clone().unwrap_or_default(),
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
                level: Some(GapLevel::County),
                region: Some("620422".to_owned()),
            })
        );
        assert!(gap_filter("level = GAP_LEVEL_GALAXY").is_err());
        assert!(gap_filter("technique = x").is_err());
    }
}
