//! Loaders for the batch, deployment and mentorship aggregates, which read the on-site roster.

use std::collections::BTreeMap;

use domain::aggregates::batch::{BatchCommand, BatchContext, BatchState};
use domain::aggregates::deployment::{DeploymentCommand, DeploymentContext, DeploymentState};
use domain::aggregates::mentorship::{
    IndependenceScope, MentorshipCommand, MentorshipContext, MentorshipState,
};
use domain::aggregates::technique::TechniqueState;
use domain::facts::OnSiteStint;
use domain::values::{DeploymentId, MentorshipId, PractitionerId, TechniqueAtHospitalId};
use domain::{Stream, StreamCommand};
use event_store::EventStore;
use time::Date;

use super::LoadContext;
use super::employment::employer_on;
use crate::error::Error;
use crate::load::{all_assignments, all_deployments, pairing_facts, scan, state};

impl LoadContext for BatchState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        command: &StreamCommand<BatchCommand>,
        _today: Date,
    ) -> Result<BatchContext, Error> {
        let batch = match command.action() {
            Some(BatchCommand::Dispatch(d)) => Some(d.batch),
            Some(BatchCommand::AssignMember(m)) => Some(m.batch),
            _ => stream.state().dispatched.as_ref().map(|d| d.batch),
        };
        let Some(batch) = batch else {
            return Ok(BatchContext::default());
        };
        let previous_batch_dispatched = match batch.previous() {
            Some(previous) => state::<BatchState>(store, &previous.stream_id())
                .await?
                .dispatched
                .is_some(),
            None => false,
        };
        // Planned terms from assignments, replaced by the actual stint once the member arrived.
        let practitioner_terms = if matches!(command.action(), Some(BatchCommand::AssignMember(_)))
        {
            let stints: BTreeMap<DeploymentId, OnSiteStint> = all_deployments(store)
                .await?
                .values()
                .filter_map(DeploymentState::stint)
                .map(|s| (s.deployment, s))
                .collect();
            all_assignments(store)
                .await?
                .into_values()
                .map(|m| {
                    stints
                        .get(&m.deployment_id)
                        .cloned()
                        .unwrap_or(OnSiteStint {
                            deployment: m.deployment_id,
                            practitioner: m.practitioner,
                            hospital: m.recipient_org,
                            home_org: m.home_org,
                            arrived: m.planned_start,
                            planned_end: m.planned_end,
                            departed: None,
                        })
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(BatchContext {
            pairing: pairing_facts(store, &batch.pairing).await?,
            previous_batch_dispatched,
            practitioner_terms,
        })
    }
}

impl LoadContext for DeploymentState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        command: &StreamCommand<DeploymentCommand>,
        _today: Date,
    ) -> Result<DeploymentContext, Error> {
        let assignment = match (&stream.state().arrived, command.action()) {
            (Some(arrived), _) => Some(arrived.assignment.clone()),
            (None, Some(DeploymentCommand::Arrive { deployment_id, .. })) => {
                all_assignments(store).await?.remove(deployment_id)
            }
            (None, _) => None,
        };
        let Some(assignment) = assignment else {
            return Ok(DeploymentContext::default());
        };
        let deployments = all_deployments(store).await?;
        let hospital = &assignment.recipient_org;
        let practitioner_stints: Vec<OnSiteStint> = deployments
            .values()
            .filter_map(DeploymentState::stint)
            .collect();
        let hospital_stints = practitioner_stints
            .iter()
            .filter(|s| &s.hospital == hospital)
            .cloned()
            .collect();
        let post_holders = deployments
            .values()
            .flat_map(DeploymentState::post_holdings)
            .filter(|h| &h.hospital == hospital)
            .collect();
        Ok(DeploymentContext {
            pairing: pairing_facts(store, &assignment.batch.pairing).await?,
            assignment: Some(assignment),
            practitioner_stints,
            hospital_stints,
            post_holders,
        })
    }
}

impl LoadContext for MentorshipState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        command: &StreamCommand<MentorshipCommand>,
        _today: Date,
    ) -> Result<MentorshipContext, Error> {
        let paired = match command.action() {
            Some(MentorshipCommand::Pair(p)) => Some(p.clone()),
            _ => stream.state().paired.clone(),
        };
        let Some(paired) = paired else {
            return Ok(MentorshipContext::default());
        };
        let mentor: PractitionerId = stream
            .state()
            .mentor
            .clone()
            .unwrap_or(paired.mentor.clone());
        let deployments = all_deployments(store).await?;
        let stints: Vec<OnSiteStint> = deployments
            .values()
            .filter_map(DeploymentState::stint)
            .collect();
        // The mentor's deployment at the recipient hospital names the pairing (for the mentor ratio).
        let pairing_id = deployments.values().find_map(|d| {
            let arrived = d.arrived.as_ref()?;
            (arrived.assignment.practitioner == mentor
                && arrived.assignment.recipient_org == paired.recipient_org)
                .then_some(arrived.assignment.batch.pairing)
        });
        let pairing = match pairing_id {
            Some(id) => pairing_facts(store, &id).await?,
            None => None,
        };
        let board = scan::<MentorshipState>(store, MentorshipId::CATEGORY).await?;
        let active = board.values().filter(|m| m.is_active());
        let mentor_active_apprentices = active
            .clone()
            .filter(|m| m.mentor.as_ref() == Some(&mentor))
            .count();
        let active_mentorship_of_pair = active
            .filter_map(|m| m.paired.as_ref())
            .find(|p| {
                p.apprentice == paired.apprentice
                    && p.mentor == paired.mentor
                    && p.mentorship_id != paired.mentorship_id
            })
            .map(|p| p.mentorship_id);
        let technique_introduced_on = match command.action() {
            Some(MentorshipCommand::DeclareIndependent {
                scope: IndependenceScope::Technique(key),
                ..
            }) => {
                let id = TechniqueAtHospitalId {
                    hospital: paired.recipient_org.clone(),
                    technique: key.clone(),
                };
                state::<TechniqueState>(store, &id.stream_id())
                    .await?
                    .introduced_on()
            }
            _ => None,
        };
        // Only a pairing reads the apprentice's employer, so only a pairing looks it up. What the log
        // says about the start day stands; where it says nothing, the recording hospital's word that
        // it employs the apprentice does, since a doctor unknown to the log is no contradiction.
        let apprentice_employer = match command.action() {
            Some(MentorshipCommand::Pair(p)) => {
                employer_on(store, &p.apprentice, p.start, &stints, &board)
                    .await?
                    .unwrap_or_else(|| p.recipient_org.clone())
            }
            _ => paired.recipient_org.clone(),
        };
        Ok(MentorshipContext {
            stints,
            pairing,
            mentor_active_apprentices: u32::try_from(mentor_active_apprentices).unwrap_or(u32::MAX),
            active_mentorship_of_pair,
            apprentice_employer: Some(apprentice_employer),
            technique_introduced_on,
        })
    }
}
