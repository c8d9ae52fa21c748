//! `medaid.v1.ProgramService` requests to program commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;

use super::write::{Ids, created_rpcs, plain_rpcs, write_service};
use api::medaid::v1::program_service_server::ProgramService;
use domain::StreamCommand;
use domain::aggregates::program::{
    GroupRules, IndicatorSet, ProgramCommand, ProgramDefined, ProgramKind, ProgramParameters,
};
use domain::values::{IndicatorCode, ProgramId, ValidationError};

use crate::convert::fields::{at_most_entries, text_at_most};
use crate::convert::fields::{date, division, required, required_enum, text, uuid};

fn act(id: ProgramId, command: ProgramCommand) -> AggregateCommand {
    AggregateCommand::Program {
        id,
        command: StreamCommand::Act(command),
    }
}

fn parameters(
    field: &str,
    p: &pb::ProgramParameters,
) -> Result<ProgramParameters, ValidationError> {
    let set = required(&format!("{field}.indicator_set"), p.indicator_set.as_ref())?;
    let indicators = set
        .indicators
        .iter()
        .enumerate()
        .map(|(i, code)| {
            IndicatorCode::parse(code)
                .map_err(|e| e.at(format!("{field}.indicator_set.indicators[{i}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let eligible = p
        .eligible_counties
        .iter()
        .enumerate()
        .map(|(i, code)| division(&format!("{field}.eligible_counties[{i}]"), code))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ProgramParameters {
        version: p.version,
        min_term_months: p.min_term_months,
        min_team_size: p.min_team_size,
        min_senior_members: p.min_senior_members,
        mentor_ratio_max: p.mentor_ratio_max,
        short_visit_max_days: p.short_visit_max_days,
        indicator_set: IndicatorSet {
            version: set.version.clone(),
            indicators,
        },
        group_rules: p.group_rules.as_ref().map(|g| GroupRules {
            min_hospitals: g.min_hospitals,
            max_hospitals: g.max_hospitals,
            min_staff_lead: g.min_staff_lead,
            min_staff_assisting: g.min_staff_assisting,
        }),
        eligible_counties: (!eligible.is_empty()).then_some(eligible),
    })
}

/// `DefineProgram`: the server assigns the program id.
pub fn define(
    req: &pb::DefineProgramRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let kind: pb::ProgramKind = required_enum("kind", req.kind)?;
    let kind = match kind {
        pb::ProgramKind::KeyCountyGroupAid | pb::ProgramKind::Unspecified => {
            ProgramKind::KeyCountyGroupAid
        }
        pb::ProgramKind::EastWestCooperation => ProgramKind::EastWestCooperation,
        pb::ProgramKind::XinjiangGroupAid => ProgramKind::XinjiangGroupAid,
        pb::ProgramKind::TibetGroupAid => ProgramKind::TibetGroupAid,
        pb::ProgramKind::CounterpartAid => ProgramKind::CounterpartAid,
    };
    let id = ProgramId(ids.derive("program"));
    at_most_entries("policy_refs", &req.policy_refs, 20)?;
    let policy_refs = req
        .policy_refs
        .iter()
        .enumerate()
        .map(|(i, r)| text(&format!("policy_refs[{i}]"), r))
        .collect::<Result<Vec<_>, _>>()?;
    let event = ProgramDefined {
        program_id: id,
        kind,
        name: text_at_most("name", &req.name, 100)?,
        policy_refs,
        parameters: parameters(
            "parameters",
            required("parameters", req.parameters.as_ref())?,
        )?,
        defined_on: date("defined_on", &req.defined_on)?,
    };
    Ok(act(id, ProgramCommand::Define(event)))
}

/// `ReviseProgramParameters`.
pub fn revise(
    req: &pb::ReviseProgramParametersRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = ProgramId(uuid("program_id", &req.program_id)?);
    Ok(act(
        id,
        ProgramCommand::ReviseParameters {
            parameters: parameters(
                "parameters",
                required("parameters", req.parameters.as_ref())?,
            )?,
            effective_on: date("effective_on", &req.effective_on)?,
        },
    ))
}

plain_rpcs! {
    ReviseProgramParameters(pb::ReviseProgramParametersRequest => ReviseProgramParametersResponse) = revise;
}

created_rpcs! {
    DefineProgram(pb::DefineProgramRequest => DefineProgramResponse.program_id) = define;
}

write_service! {
    /// Aid programs and their parameters.
    ProgramService for Programs {
        define_program => DefineProgram,
        revise_program_parameters => ReviseProgramParameters,
    }
}
