//! Loaders for the program, pairing, agreement, platform and assessment aggregates.

use std::collections::BTreeSet;

use domain::aggregates::agreement::{AgreementCommand, AgreementContext, AgreementState};
use domain::aggregates::assessment::{AssessmentCommand, AssessmentContext, AssessmentState};
use domain::aggregates::deployment::DeploymentState;
use domain::aggregates::pairing::{
    PairingCommand, PairingContext, PairingFacts, PairingState, ProgramSnapshot,
};
use domain::aggregates::platform::{PlatformCommand, PlatformContext, PlatformState};
use domain::aggregates::program::{ProgramCommand, ProgramContext, ProgramState};
use domain::tags;
use domain::values::{CreditCode, DeploymentId, PairingId, ProgramId};
use domain::{Stream, StreamCommand};
use event_store::EventStore;
use time::Date;

use super::{Guard, LoadContext};
use crate::error::Error;
use crate::load::{pairing_facts, registered};

/// The facts of every pairing of `program`, by the program's tag.
async fn pairings_in(
    store: &EventStore,
    guard: &mut Guard,
    program: &ProgramId,
) -> Result<Vec<PairingFacts>, Error> {
    Ok(guard
        .read(store, [tags::program(program)])
        .await?
        .states::<PairingState>(PairingId::CATEGORY)
        .values()
        .filter_map(PairingState::facts)
        .filter(|p| p.program_id == *program)
        .collect())
}

impl LoadContext for ProgramState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        _command: &StreamCommand<ProgramCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<ProgramContext, Error> {
        let Some(defined) = &stream.state().defined else {
            return Ok(ProgramContext::default());
        };
        let current = stream.state().parameters.as_ref().map(|p| p.version);
        let count = pairings_in(store, guard, &defined.program_id)
            .await?
            .iter()
            .filter(|p| Some(p.parameters.version) == current)
            .count();
        Ok(ProgramContext {
            pairings_on_current_version: u32::try_from(count).unwrap_or(u32::MAX),
        })
    }
}

async fn program_snapshot(
    store: &EventStore,
    guard: &mut Guard,
    id: &ProgramId,
) -> Result<Option<ProgramSnapshot>, Error> {
    let program = guard.state::<ProgramState>(store, &id.stream_id()).await?;
    Ok(program.defined.map(|d| ProgramSnapshot {
        program_id: d.program_id,
        kind: d.kind,
        parameters: program.parameters.unwrap_or(d.parameters),
    }))
}

impl LoadContext for PairingState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        command: &StreamCommand<PairingCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<PairingContext, Error> {
        let established = stream.state().established.as_ref();
        let (program_id, parent, mut named) = match command.action() {
            Some(PairingCommand::Establish(e)) => (
                Some(e.program_id),
                e.parent_pairing_id,
                e.supporting_orgs
                    .iter()
                    .chain([&e.recipient_org])
                    .cloned()
                    .collect(),
            ),
            Some(PairingCommand::FormGroup {
                lead_org,
                assisting_orgs,
                ..
            }) => {
                let mut named: Vec<CreditCode> = assisting_orgs.clone();
                named.push(lead_org.clone());
                (established.map(|e| e.program_id), None, named)
            }
            Some(PairingCommand::RecordShortVisit(v)) => (
                established.map(|e| e.program_id),
                None,
                v.delegation.iter().map(|d| d.home_org.clone()).collect(),
            ),
            _ => (established.map(|e| e.program_id), None, Vec::new()),
        };
        if let Some(e) = established {
            named.extend(e.supporting_orgs.iter().cloned());
            named.push(e.recipient_org.clone());
        }
        let program = match &program_id {
            Some(id) => program_snapshot(store, guard, id).await?,
            None => None,
        };
        let active_pairings_in_program = match &program_id {
            Some(id) => pairings_in(store, guard, id)
                .await?
                .into_iter()
                .filter(|p| p.active)
                .collect(),
            None => Vec::new(),
        };
        let parent = match parent {
            Some(id) => pairing_facts(store, guard, &id).await?,
            None => None,
        };
        // Ending or restructuring needs the members still on site in this pairing's batches.
        let on_site = match (command.action(), established) {
            (Some(PairingCommand::End { .. } | PairingCommand::Restructure { .. }), Some(e)) => {
                guard
                    .read(store, [tags::pairing(&e.pairing_id)])
                    .await?
                    .states::<DeploymentState>(DeploymentId::CATEGORY)
                    .values()
                    .filter(|d| {
                        d.arrived
                            .as_ref()
                            .is_some_and(|a| a.assignment.batch.pairing == e.pairing_id)
                    })
                    .filter_map(|d| d.stint())
                    .collect()
            }
            _ => Vec::new(),
        };
        let unique: BTreeSet<CreditCode> = named.into_iter().collect();
        Ok(PairingContext {
            program,
            registered_orgs: registered(store, guard, &unique).await?,
            active_pairings_in_program,
            parent,
            on_site,
        })
    }
}

impl LoadContext for AgreementState {
    async fn load_context(
        store: &EventStore,
        _stream: &Stream<Self>,
        command: &StreamCommand<AgreementCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<AgreementContext, Error> {
        let pairing = match command.action() {
            Some(AgreementCommand::Sign(s)) => pairing_facts(store, guard, &s.pairing_id).await?,
            _ => None,
        };
        Ok(AgreementContext { pairing })
    }
}

impl LoadContext for PlatformState {
    async fn load_context(
        store: &EventStore,
        _stream: &Stream<Self>,
        command: &StreamCommand<PlatformCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<PlatformContext, Error> {
        let pairing = match command.action() {
            Some(PlatformCommand::Establish(p)) => {
                pairing_facts(store, guard, &p.pairing_id).await?
            }
            _ => None,
        };
        Ok(PlatformContext { pairing })
    }
}

impl LoadContext for AssessmentState {
    async fn load_context(
        store: &EventStore,
        _stream: &Stream<Self>,
        command: &StreamCommand<AssessmentCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<AssessmentContext, Error> {
        let agreement = match command.action() {
            Some(AssessmentCommand::Conduct(a)) => {
                guard
                    .state::<AgreementState>(store, &a.agreement_id.stream_id())
                    .await?
                    .signed
            }
            _ => None,
        };
        Ok(AssessmentContext { agreement })
    }
}
