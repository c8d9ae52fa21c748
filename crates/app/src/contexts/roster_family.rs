//! Loaders for the batch, deployment and mentorship aggregates, which read the on-site roster.

use std::collections::BTreeMap;

use domain::aggregates::batch::{BatchCommand, BatchContext, BatchState, MemberAssigned};
use domain::aggregates::deployment::{DeploymentCommand, DeploymentContext, DeploymentState};
use domain::aggregates::mentorship::{
    IndependenceScope, MentorshipCommand, MentorshipContext, MentorshipState,
};
use domain::aggregates::technique::TechniqueState;
use domain::facts::OnSiteStint;
use domain::tags;
use domain::values::{BatchId, DeploymentId, MentorshipId, PractitionerId, TechniqueAtHospitalId};
use domain::{Stream, StreamCommand};
use event_store::EventStore;
use time::Date;

use super::employment::employer_on;
use super::{Guard, LoadContext};
use crate::error::Error;
use crate::facts::Facts;
use crate::load::pairing_facts;

/// Every on-site stint among the found deployment streams.
pub(crate) fn stints_of(facts: &Facts) -> Vec<OnSiteStint> {
    facts
        .states::<DeploymentState>(DeploymentId::CATEGORY)
        .values()
        .filter_map(DeploymentState::stint)
        .collect()
}

/// Every member assignment among the found batch streams, by deployment id.
pub(crate) fn assignments_of(facts: &Facts) -> BTreeMap<DeploymentId, MemberAssigned> {
    facts
        .states::<BatchState>(BatchId::CATEGORY)
        .into_values()
        .flat_map(|b| b.members)
        .map(|m| (m.deployment_id, m))
        .collect()
}

impl LoadContext for BatchState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        command: &StreamCommand<BatchCommand>,
        _today: Date,
        guard: &mut Guard,
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
            Some(previous) => guard
                .state::<BatchState>(store, &previous.stream_id())
                .await?
                .dispatched
                .is_some(),
            None => false,
        };
        // Planned terms from the member's assignments, replaced by the actual stint once the member
        // arrived: every assignment and stint of the practitioner, found by its tag.
        let practitioner_terms = if let Some(BatchCommand::AssignMember(m)) = command.action() {
            let facts = guard
                .read(store, [tags::practitioner(&m.practitioner)])
                .await?;
            let stints: BTreeMap<DeploymentId, OnSiteStint> = stints_of(&facts)
                .into_iter()
                .map(|s| (s.deployment, s))
                .collect();
            assignments_of(&facts)
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
            pairing: pairing_facts(store, guard, &batch.pairing).await?,
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
        guard: &mut Guard,
    ) -> Result<DeploymentContext, Error> {
        let assignment = match (&stream.state().arrived, command.action()) {
            (Some(arrived), _) => Some(arrived.assignment.clone()),
            (None, Some(DeploymentCommand::Arrive { deployment_id, .. })) => {
                let facts = guard.read(store, [tags::deployment(deployment_id)]).await?;
                assignments_of(&facts).remove(deployment_id)
            }
            (None, _) => None,
        };
        let Some(assignment) = assignment else {
            return Ok(DeploymentContext::default());
        };
        // The member's other stints (overlap on arrival), by the practitioner's tag.
        let practitioner_stints = match command.action() {
            Some(DeploymentCommand::Arrive { .. }) => stints_of(
                &guard
                    .read(store, [tags::practitioner(&assignment.practitioner)])
                    .await?,
            ),
            _ => Vec::new(),
        };
        // Every stint at the hospital (posts held, a 1+N group's staffing), by the hospital's tag.
        let hospital = &assignment.recipient_org;
        let at_hospital = match command.action() {
            Some(DeploymentCommand::AppointToPost { .. } | DeploymentCommand::Depart { .. }) => {
                guard.read(store, [tags::on_site(hospital)]).await?
            }
            _ => Facts::default(),
        };
        let deployments = at_hospital.states::<DeploymentState>(DeploymentId::CATEGORY);
        let hospital_stints = deployments
            .values()
            .filter_map(DeploymentState::stint)
            .filter(|s| &s.hospital == hospital)
            .collect();
        let post_holders = deployments
            .values()
            .flat_map(DeploymentState::post_holdings)
            .filter(|h| &h.hospital == hospital)
            .collect();
        Ok(DeploymentContext {
            pairing: pairing_facts(store, guard, &assignment.batch.pairing).await?,
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
        guard: &mut Guard,
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
        // The mentors involved (the current one and, for a handover, the new one) and the
        // apprentice: their stints, their deployments and their mentorships, by their tags.
        let mut people = vec![mentor.clone(), paired.apprentice.clone()];
        if let Some(MentorshipCommand::HandOver { to_mentor, .. }) = command.action() {
            people.push(to_mentor.clone());
        }
        let facts = guard
            .read(store, people.iter().map(tags::practitioner))
            .await?;
        let deployments = facts.states::<DeploymentState>(DeploymentId::CATEGORY);
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
            Some(id) => pairing_facts(store, guard, &id).await?,
            None => None,
        };
        let board = facts.states::<MentorshipState>(MentorshipId::CATEGORY);
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
                guard
                    .state::<TechniqueState>(store, &id.stream_id())
                    .await?
                    .introduced_on()
            }
            _ => None,
        };
        // Only a pairing reads the apprentice's employer, so only a pairing looks it up. What the log
        // says about the start day stands; where it says nothing, the recording hospital's word that
        // it employs the apprentice does, since a doctor unknown to the log is no contradiction.
        let apprentice_employer = match command.action() {
            Some(MentorshipCommand::Pair(p)) => employer_on(store, guard, &p.apprentice, p.start)
                .await?
                .unwrap_or_else(|| p.recipient_org.clone()),
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
