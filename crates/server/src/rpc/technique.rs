//! `medaid.v1.TechniqueService` requests to technique, gap and service-line commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;
use domain::aggregates::gap;

use super::write::{Ids, plain_rpcs, write_service};
use crate::convert::fields::technique_key;
use api::medaid::v1::technique_service_server::TechniqueService;
use domain::StreamCommand;
use domain::aggregates::gap::{GapCommand, GapKey, GapLevel, GapRegion};
use domain::aggregates::hospital::{HospitalCommand, ServiceLineOpened};
use domain::aggregates::technique::{
    Performer, TechniqueCategory, TechniqueCommand, TechniqueIntroduced,
};
use domain::values::{HospitalId, RegionKey, TechniqueAtHospitalId, ValidationError, ValueProblem};

use crate::convert::fields::{at_most_entries, text_at_most};
use crate::convert::fields::{credit_code, date, division, required, required_enum, text};
use crate::convert::fields::{department, practitioner};

/// `IntroduceTechnique`.
pub fn introduce(
    req: &pb::IntroduceTechniqueRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let hospital = credit_code("hospital", &req.hospital)?;
    let technique = technique_key("technique", &req.technique)?;
    let performer = required("performer", req.performer.as_ref())?;
    let performer = match &performer.performer {
        Some(pb::performer::Performer::OnSiteMember(id)) => {
            Performer::OnSiteMember(practitioner("performer.on_site_member", id)?)
        }
        Some(pb::performer::Performer::Local(id)) => {
            Performer::Local(practitioner("performer.local", id)?)
        }
        None => return Err(ValueProblem::Empty.at("performer")),
    };
    let category: pb::TechniqueCategory = required_enum("category", req.category)?;
    let category = match category {
        pb::TechniqueCategory::NewTechnique | pb::TechniqueCategory::Unspecified => {
            TechniqueCategory::NewTechnique
        }
        pb::TechniqueCategory::NewProject => TechniqueCategory::NewProject,
        pb::TechniqueCategory::Grade4Surgery => TechniqueCategory::Grade4Surgery,
    };
    let event = TechniqueIntroduced {
        hospital: hospital.clone(),
        technique: technique.clone(),
        name: text("name", &req.name)?,
        procedure_code: (!req.procedure_code.is_empty())
            .then(|| text("procedure_code", &req.procedure_code))
            .transpose()?,
        department: department("department", &req.department)?,
        first_performed_on: date("first_performed_on", &req.first_performed_on)?,
        performer,
        category,
    };
    Ok(AggregateCommand::Technique {
        id: TechniqueAtHospitalId {
            hospital,
            technique,
        },
        command: StreamCommand::Act(TechniqueCommand::Introduce(event)),
    })
}

fn gap_key(key: &pb::GapKey) -> Result<GapKey, ValidationError> {
    let level: pb::GapLevel = required_enum("gap.level", key.level)?;
    let (level, region) = match level {
        pb::GapLevel::County | pb::GapLevel::Unspecified => (
            GapLevel::County,
            GapRegion::Division(division("gap.region", &key.region)?),
        ),
        pb::GapLevel::Prefecture => (
            GapLevel::Prefecture,
            GapRegion::Division(division("gap.region", &key.region)?),
        ),
        pb::GapLevel::Province => (
            GapLevel::Province,
            GapRegion::Division(division("gap.region", &key.region)?),
        ),
        pb::GapLevel::Custom => (
            GapLevel::Custom,
            GapRegion::Custom(RegionKey::parse(&key.region).map_err(|p| p.at("gap.region"))?),
        ),
    };
    GapKey::new(
        level,
        region,
        technique_key("gap.technique", &key.technique)?,
    )
}

/// `RecordGapFill`: the domain takes the technique's introduction date from its stream.
pub fn fill_gap(
    req: &pb::RecordGapFillRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let key = gap_key(required("gap", req.gap.as_ref())?)?;
    at_most_entries("evidence", &req.evidence, 20)?;
    let evidence = req
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| text_at_most(&format!("evidence[{i}]"), e, 500))
        .collect::<Result<Vec<_>, _>>()?;
    let claimed_on = date("claimed_on", &req.claimed_on)?;
    let event = gap::FillGap {
        gap: key.clone(),
        hospital: credit_code("hospital", &req.hospital)?,
        claimed_on,
        evidence,
        // Recordable text here; the domain checks it against the level and the name recorded
        // with the key's first use.
        region_name: match req.region_name.as_str() {
            "" => None,
            name => Some(text_at_most("region_name", name, gap::MAX_REGION_NAME)?),
        },
    };
    Ok(AggregateCommand::Gap {
        id: key,
        command: StreamCommand::Act(GapCommand::Fill(event)),
    })
}

/// `OpenServiceLine` (recorded on the hospital's stream).
pub fn open_service_line(
    req: &pb::OpenServiceLineRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let hospital = credit_code("hospital", &req.hospital)?;
    let event = ServiceLineOpened {
        hospital: hospital.clone(),
        name: text_at_most("name", &req.name, 100)?,
        department: department("department", &req.department)?,
        opened_on: date("opened_on", &req.opened_on)?,
    };
    Ok(AggregateCommand::Hospital {
        id: HospitalId(hospital),
        command: StreamCommand::Act(HospitalCommand::OpenServiceLine(event)),
    })
}

plain_rpcs! {
    IntroduceTechnique(pb::IntroduceTechniqueRequest => IntroduceTechniqueResponse) = introduce;
    RecordGapFill(pb::RecordGapFillRequest => RecordGapFillResponse) = fill_gap;
    OpenServiceLine(pb::OpenServiceLineRequest => OpenServiceLineResponse) = open_service_line;
}

write_service! {
    /// Techniques introduced, gaps filled and service lines opened.
    TechniqueService for Techniques {
        introduce_technique => IntroduceTechnique,
        record_gap_fill => RecordGapFill,
        open_service_line => OpenServiceLine,
    }
}
