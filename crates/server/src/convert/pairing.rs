//! `medaid.v1.PairingService` requests to pairing commands.

use api::medaid::v1 as pb;
use app::DomainCommand;
use domain::StreamCommand;
use domain::aggregates::pairing::{PairingCommand, PairingEstablished};
use domain::aggregates::program::{IndicatorSet, ProgramKind, ProgramParameters};
use domain::values::{CreditCode, DivisionCode, PairingId, ProgramId, ValidationError};

use super::fields::{credit_code, date, derived_uuid, division, text, uuid};

fn act(id: PairingId, command: PairingCommand) -> DomainCommand {
    DomainCommand::Pairing {
        id,
        command: StreamCommand::Act(command),
    }
}

/// A list of credit codes, each named by its index (`supporting_orgs[1]`).
pub fn credit_codes(field: &str, values: &[String]) -> Result<Vec<CreditCode>, ValidationError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| credit_code(&format!("{field}[{i}]"), v))
        .collect()
}

/// A list of division codes, each named by its index.
pub fn divisions(field: &str, values: &[String]) -> Result<Vec<DivisionCode>, ValidationError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| division(&format!("{field}[{i}]"), v))
        .collect()
}

/// The pairing id an RPC names.
pub fn pairing_id(field: &str, value: &str) -> Result<PairingId, ValidationError> {
    uuid(field, value).map(PairingId)
}

/// Placeholder program terms: the domain binds the program's kind and current parameters when it
/// decides, so the request does not carry them.
fn unbound_parameters() -> ProgramParameters {
    ProgramParameters {
        version: 0,
        min_term_months: 0,
        min_team_size: 0,
        min_senior_members: 0,
        mentor_ratio_max: 0,
        short_visit_max_days: 0,
        indicator_set: IndicatorSet {
            version: String::new(),
            indicators: Vec::new(),
        },
        group_rules: None,
        eligible_counties: None,
    }
}

/// `EstablishPairing`: the server assigns the pairing id.
pub fn establish(req: &pb::EstablishPairingRequest) -> Result<DomainCommand, ValidationError> {
    let program_id = ProgramId(uuid("program_id", &req.program_id)?);
    let supporting_orgs = credit_codes("supporting_orgs", &req.supporting_orgs)?;
    let recipient_org = credit_code("recipient_org", &req.recipient_org)?;
    let parent_pairing_id = if req.parent_pairing_id.is_empty() {
        None
    } else {
        Some(pairing_id("parent_pairing_id", &req.parent_pairing_id)?)
    };
    let region_codes = divisions("region_codes", &req.region_codes)?;
    let id = PairingId(derived_uuid("pairing", &req.request_id));
    let event = PairingEstablished {
        pairing_id: id,
        program_id,
        program_kind: ProgramKind::KeyCountyGroupAid,
        parameters: unbound_parameters(),
        supporting_orgs,
        recipient_org,
        parent_pairing_id,
        region_codes,
        start: date("start", &req.start)?,
    };
    Ok(act(id, PairingCommand::Establish(event)))
}

/// `RestructurePairing`.
pub fn restructure(req: &pb::RestructurePairingRequest) -> Result<DomainCommand, ValidationError> {
    let id = pairing_id("pairing_id", &req.pairing_id)?;
    Ok(act(
        id,
        PairingCommand::Restructure {
            successor_pairing_id: pairing_id("successor_pairing_id", &req.successor_pairing_id)?,
            reason: text("reason", &req.reason)?,
            date: date("date", &req.date)?,
        },
    ))
}

/// `EndPairing`.
pub fn end(req: &pb::EndPairingRequest) -> Result<DomainCommand, ValidationError> {
    let id = pairing_id("pairing_id", &req.pairing_id)?;
    Ok(act(
        id,
        PairingCommand::End {
            reason: text("reason", &req.reason)?,
            date: date("date", &req.date)?,
        },
    ))
}

/// `FormGroup` (the 1+N group of a pairing).
pub fn form_group(req: &pb::FormGroupRequest) -> Result<DomainCommand, ValidationError> {
    let id = pairing_id("pairing_id", &req.pairing_id)?;
    Ok(act(
        id,
        PairingCommand::FormGroup {
            lead_org: credit_code("lead_org", &req.lead_org)?,
            assisting_orgs: credit_codes("assisting_orgs", &req.assisting_orgs)?,
            formed_on: date("formed_on", &req.formed_on)?,
        },
    ))
}
