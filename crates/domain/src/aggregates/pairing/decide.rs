//! The rules of the pairing stream (catalog #2, #3, #4, #12, #26).

use std::collections::BTreeSet;

use time::Date;

use super::{
    EstablishPairing, FundingCommitted, GroupFormed, PairingCommand, PairingContext, PairingEnded,
    PairingError, PairingRestructured, PairingState, ShortVisitConducted,
};
use crate::errors::{CommonError, DomainError};
use crate::events::Event;
use crate::values::{CreditCode, ValueProblem, check_multiline_text};

pub(super) fn decide(
    state: &PairingState,
    command: &PairingCommand,
    context: &PairingContext,
) -> Result<Vec<Event>, DomainError> {
    if let PairingCommand::Establish(established) = command {
        return establish(state, established, context);
    }
    let Some(established) = &state.established else {
        return Err(CommonError::NotFound {
            stream: "pairing".to_owned(),
        }
        .into());
    };
    if state.ended_on.is_some() {
        return Err(CommonError::PairingNotActive {
            pairing: established.pairing_id.to_string(),
        }
        .into());
    }
    let not_before_start = |date: Date| -> Result<(), DomainError> {
        if date < established.start {
            return Err(PairingError::DateBeforeStart {
                start: established.start,
                date,
            }
            .into());
        }
        Ok(())
    };
    let pairing_id = established.pairing_id;
    let recipient_org = established.recipient_org.clone();
    match command {
        PairingCommand::Establish(_) => Ok(Vec::new()),
        PairingCommand::Restructure {
            successor_pairing_id,
            reason,
            date,
        } => {
            check_multiline_text("reason", reason, 500)?;
            not_before_start(*date)?;
            no_members_on_site(context, &recipient_org, *date)?;
            let e = PairingRestructured {
                pairing_id,
                recipient_org,
                successor_pairing_id: *successor_pairing_id,
                reason: reason.clone(),
                date: *date,
            };
            Ok(vec![e.into()])
        }
        PairingCommand::End { reason, date } => {
            check_multiline_text("reason", reason, 500)?;
            not_before_start(*date)?;
            no_members_on_site(context, &recipient_org, *date)?;
            Ok(vec![
                PairingEnded {
                    pairing_id,
                    recipient_org,
                    reason: reason.clone(),
                    date: *date,
                }
                .into(),
            ])
        }
        PairingCommand::FormGroup {
            lead_org,
            assisting_orgs,
            formed_on,
        } => {
            not_before_start(*formed_on)?;
            if state.group.is_some() {
                return Err(PairingError::GroupAlreadyFormed.into());
            }
            let rules = established
                .parameters
                .group_rules
                .ok_or(PairingError::GroupRulesMissing)?;
            let size = 1 + assisting_orgs.len();
            let in_range = u32::try_from(size)
                .is_ok_and(|n| (rules.min_hospitals..=rules.max_hospitals).contains(&n));
            if !in_range {
                return Err(PairingError::GroupSizeOutOfRange {
                    min: rules.min_hospitals,
                    max: rules.max_hospitals,
                    actual: size,
                }
                .into());
            }
            let members = std::iter::once(("lead_org".to_owned(), lead_org)).chain(
                assisting_orgs
                    .iter()
                    .enumerate()
                    .map(|(i, org)| (format!("assisting_orgs[{i}]"), org)),
            );
            for (field, org) in members {
                if !established.supporting_orgs.contains(org) {
                    return Err(PairingError::GroupOrgNotSupporting {
                        org: org.to_string(),
                        field,
                    }
                    .into());
                }
            }
            let e = GroupFormed {
                pairing_id,
                recipient_org,
                lead_org: lead_org.clone(),
                assisting_orgs: assisting_orgs.clone(),
                min_staff_lead: rules.min_staff_lead,
                min_staff_assisting: rules.min_staff_assisting,
                formed_on: *formed_on,
            };
            Ok(vec![e.into()])
        }
        PairingCommand::RecordShortVisit(visit) => {
            not_before_start(visit.start)?;
            if visit.delegation.is_empty() {
                return Err(ValueProblem::Empty.at("delegation").into());
            }
            if visit.end < visit.start {
                let (start, end) = (visit.start.to_string(), visit.end.to_string());
                return Err(ValueProblem::PeriodReversed { start, end }.at("end").into());
            }
            let days = (visit.end - visit.start).whole_days() + 1;
            let max_days = established.parameters.short_visit_max_days;
            if days > i64::from(max_days) {
                return Err(PairingError::ShortVisitTooLong { max_days, days }.into());
            }
            let e = ShortVisitConducted {
                pairing_id,
                ..visit.record(recipient_org)
            };
            Ok(vec![e.into()])
        }
        PairingCommand::CommitFunding(funding) => {
            not_before_start(funding.date)?;
            check_multiline_text("purpose", &funding.purpose, 500)?;
            if funding.amount_fen.0 == 0 {
                return Err(PairingError::FundingNotPositive.into());
            }
            Ok(vec![
                FundingCommitted {
                    pairing_id,
                    ..funding.record(recipient_org)
                }
                .into(),
            ])
        }
    }
}

fn establish(
    state: &PairingState,
    e: &EstablishPairing,
    context: &PairingContext,
) -> Result<Vec<Event>, DomainError> {
    if state.established.is_some() {
        return Err(CommonError::AlreadyExists {
            stream: e.pairing_id.stream_id(),
        }
        .into());
    }
    let program = context
        .program
        .as_ref()
        .filter(|p| p.program_id == e.program_id)
        .ok_or_else(|| CommonError::ProgramNotFound {
            program: e.program_id.to_string(),
        })?;
    if e.supporting_orgs.is_empty() {
        return Err(ValueProblem::Empty.at("supporting_orgs").into());
    }
    if e.region_codes.is_empty() {
        return Err(ValueProblem::Empty.at("region_codes").into());
    }
    let mut seen = BTreeSet::new();
    for (i, org) in e.supporting_orgs.iter().enumerate() {
        if !seen.insert(org) {
            return Err(ValueProblem::Duplicate {
                value: org.to_string(),
            }
            .at(format!("supporting_orgs[{i}]"))
            .into());
        }
        if org == &e.recipient_org {
            return Err(PairingError::SupportingEqualsRecipient {
                org: org.to_string(),
            }
            .into());
        }
        require_registered(context, org, format!("supporting_orgs[{i}]"))?;
    }
    require_registered(context, &e.recipient_org, "recipient_org".to_owned())?;
    for existing in context
        .active_pairings_in_program
        .iter()
        // A pairing never duplicates itself (a correction re-records it while it is active).
        .filter(|p| p.active && p.program_id == e.program_id && p.pairing_id != e.pairing_id)
    {
        if existing.recipient_org != e.recipient_org {
            continue;
        }
        if let Some(org) = e
            .supporting_orgs
            .iter()
            .find(|org| existing.supporting_orgs.contains(org))
        {
            return Err(PairingError::DuplicateActivePairing {
                supporting: org.to_string(),
                recipient: e.recipient_org.to_string(),
                existing: existing.pairing_id.to_string(),
            }
            .into());
        }
    }
    if let Some(parent_id) = e.parent_pairing_id {
        let parent = context
            .parent
            .as_ref()
            .filter(|p| p.pairing_id == parent_id)
            .ok_or_else(|| CommonError::PairingNotFound {
                pairing: parent_id.to_string(),
            })?;
        if !parent.active {
            return Err(CommonError::PairingNotActive {
                pairing: parent_id.to_string(),
            }
            .into());
        }
        for region in &e.region_codes {
            if !parent
                .region_codes
                .iter()
                .any(|outer| outer.contains(region))
            {
                let parent_regions = parent
                    .region_codes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                return Err(PairingError::RegionOutsideParent {
                    region: region.to_string(),
                    parent_regions,
                }
                .into());
            }
        }
    }
    if let Some(eligible) = &program.parameters.eligible_counties
        && let Some(region) = e.region_codes.iter().find(|r| !eligible.contains(r))
    {
        return Err(PairingError::RecipientCountyNotEligible {
            region: region.to_string(),
        }
        .into());
    }
    let bound = e.record(program.kind, program.parameters.clone());
    Ok(vec![bound.into()])
}

fn require_registered(
    context: &PairingContext,
    org: &CreditCode,
    field: String,
) -> Result<(), DomainError> {
    if context.registered_orgs.contains(org) {
        Ok(())
    } else {
        Err(CommonError::OrgNotRegistered {
            org: org.to_string(),
            field,
        }
        .into())
    }
}

fn no_members_on_site(
    context: &PairingContext,
    recipient: &CreditCode,
    date: Date,
) -> Result<(), DomainError> {
    let still: Vec<String> = context
        .on_site
        .iter()
        // On site on the day and still after it, by the one presence rule (`facts::Term`): a
        // term that ran out without a recorded departure does not hold the pairing open.
        .filter(|s| s.on_site_at(recipient, date) && s.last_day() > date)
        .map(|s| s.deployment.to_string())
        .collect();
    if still.is_empty() {
        Ok(())
    } else {
        Err(PairingError::MembersStillOnSite {
            date,
            deployments: still.join(","),
        }
        .into())
    }
}
