//! `medaid.v1.PairingService` requests to pairing commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;
use domain::aggregates::pairing;

use super::write::{Ids, created_rpcs, plain_rpcs, write_service};
use crate::convert::fields::{credit_codes, divisions, pairing_id};
use api::medaid::v1::pairing_service_server::PairingService;
use domain::StreamCommand;
use domain::aggregates::pairing::PairingCommand;
use domain::values::{PairingId, ProgramId, ValidationError, ValueProblem};

use crate::convert::fields::text_at_most;
use crate::convert::fields::{credit_code, date, uuid};

fn act(id: PairingId, command: PairingCommand) -> AggregateCommand {
    AggregateCommand::Pairing {
        id,
        command: StreamCommand::Act(command),
    }
}

/// `EstablishPairing`: the server assigns the pairing id.
pub fn establish(
    req: &pb::EstablishPairingRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let program_id = ProgramId(uuid("program_id", &req.program_id)?);
    let supporting_orgs = credit_codes("supporting_orgs", &req.supporting_orgs)?;
    let recipient_org = credit_code("recipient_org", &req.recipient_org)?;
    let parent_pairing_id = if req.parent_pairing_id.is_empty() {
        None
    } else {
        Some(pairing_id("parent_pairing_id", &req.parent_pairing_id)?)
    };
    let region_codes = divisions("region_codes", &req.region_codes)?;
    let id = PairingId(ids.derive("pairing"));
    let event = pairing::EstablishPairing {
        pairing_id: id,
        program_id,
        supporting_orgs,
        recipient_org,
        parent_pairing_id,
        region_codes,
        start: date("start", &req.start)?,
    };
    Ok(act(id, PairingCommand::Establish(event)))
}

/// `RestructurePairing`.
pub fn restructure(
    req: &pb::RestructurePairingRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = pairing_id("pairing_id", &req.pairing_id)?;
    Ok(act(
        id,
        PairingCommand::Restructure {
            successor_pairing_id: pairing_id("successor_pairing_id", &req.successor_pairing_id)?,
            reason: text_at_most("reason", &req.reason, 500)?,
            date: date("date", &req.date)?,
        },
    ))
}

/// `EndPairing`.
pub fn end(req: &pb::EndPairingRequest, _: &Ids<'_>) -> Result<AggregateCommand, ValidationError> {
    let id = pairing_id("pairing_id", &req.pairing_id)?;
    Ok(act(
        id,
        PairingCommand::End {
            reason: text_at_most("reason", &req.reason, 500)?,
            date: date("date", &req.date)?,
        },
    ))
}

/// `FormGroup` (the 1+N group of a pairing).
pub fn form_group(
    req: &pb::FormGroupRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = pairing_id("pairing_id", &req.pairing_id)?;
    // "Required, at least one": a group of the lead alone is no 1+N group, whatever the rules.
    if req.assisting_orgs.is_empty() {
        return Err(ValueProblem::Empty.at("assisting_orgs"));
    }
    Ok(act(
        id,
        PairingCommand::FormGroup {
            lead_org: credit_code("lead_org", &req.lead_org)?,
            assisting_orgs: credit_codes("assisting_orgs", &req.assisting_orgs)?,
            formed_on: date("formed_on", &req.formed_on)?,
        },
    ))
}

plain_rpcs! {
    RestructurePairing(pb::RestructurePairingRequest => RestructurePairingResponse) = restructure;
    EndPairing(pb::EndPairingRequest => EndPairingResponse) = end;
    FormGroup(pb::FormGroupRequest => FormGroupResponse) = form_group;
}

created_rpcs! {
    EstablishPairing(pb::EstablishPairingRequest => EstablishPairingResponse.pairing_id) = establish;
}

write_service! {
    /// Pairings between supporting and recipient hospitals.
    PairingService for Pairings {
        establish_pairing => EstablishPairing,
        restructure_pairing => RestructurePairing,
        end_pairing => EndPairing,
        form_group => FormGroup,
    }
}
