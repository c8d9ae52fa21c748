//! An in-memory log and the context loading an app layer would do, so that seed facts replay as commands.

use std::collections::BTreeMap;

use domain::aggregates::batch::{
    BatchCommand, BatchContext, BatchDispatched, BatchState, MemberAssigned, MemberRole,
};
use domain::aggregates::deployment::{DeploymentCommand, DeploymentContext, DeploymentState};
use domain::aggregates::hospital::{
    HospitalCommand, HospitalContext, HospitalRegistered, HospitalState, OrganisationKind,
};
use domain::aggregates::mentorship::{
    MentorshipCommand, MentorshipContext, MentorshipPaired, MentorshipState,
};
use domain::aggregates::pairing::{
    PairingCommand, PairingContext, PairingEstablished, PairingFacts, PairingState, ProgramSnapshot,
};
use domain::aggregates::program::{ProgramCommand, ProgramDefined, ProgramState};
use domain::aggregates::technique::{
    Performer, TechniqueCategory, TechniqueCommand, TechniqueContext, TechniqueIntroduced,
    TechniqueState,
};
use domain::facts::OnSiteStint;
use domain::values::{
    BatchId, ClinicalDepartment, CreditCode, DeploymentId, HospitalId, MentorshipId, PairingId,
    PractitionerId, ProfessionalTitle, TechniqueAtHospitalId, TechniqueKey,
};
use domain::{Aggregate, Event, Stream, StreamCommand, decide};
use time::Date;
use uuid::Uuid;

use crate::fixtures::division;

#[derive(Default)]
pub(crate) struct World {
    streams: BTreeMap<String, Vec<Event>>,
    next_id: u128,
}

impl World {
    /// A fresh UUID, deterministic so that failures are reproducible.
    pub(crate) fn uuid(&mut self) -> Uuid {
        self.next_id += 1;
        Uuid::from_u128(0x5eed_0000 + self.next_id)
    }

    pub(crate) fn stream<A: Aggregate>(&self, stream_id: &str) -> Stream<A> {
        Stream::from_events(self.streams.get(stream_id).into_iter().flatten())
    }

    /// Decides `command` on `stream_id` and appends the events; every seed fact must be accepted.
    #[track_caller]
    pub(crate) fn run<A: Aggregate>(
        &mut self,
        stream_id: &str,
        command: A::Command,
        context: A::Context,
    ) -> Vec<Event> {
        let stream = self.stream::<A>(stream_id);
        let events = decide(&stream, &StreamCommand::Act(command), &context)
            .unwrap_or_else(|e| panic!("{stream_id}: refused with {}: {e}", e.reason()));
        for event in &events {
            assert_eq!(
                event.stream_id(),
                stream_id,
                "event lands in its own stream"
            );
        }
        self.streams
            .entry(stream_id.to_owned())
            .or_default()
            .extend(events.iter().cloned());
        events
    }

    /// Like `run`, but expects a refusal and returns its reason.
    pub(crate) fn refused<A: Aggregate>(
        &self,
        stream_id: &str,
        command: A::Command,
        context: A::Context,
    ) -> &'static str {
        let stream = self.stream::<A>(stream_id);
        decide(&stream, &StreamCommand::Act(command), &context)
            .expect_err("the command should be refused")
            .reason()
    }

    pub(crate) fn events_of(&self, event_type: &str) -> Vec<&Event> {
        self.streams
            .values()
            .flatten()
            .filter(|e| e.event_type() == event_type)
            .collect()
    }

    pub(crate) fn register(&mut self, hospital: &CreditCode, name: &str, region: &str, on: Date) {
        self.register_as(hospital, name, region, OrganisationKind::Hospital, on);
    }

    /// Registers an organisation of any kind; a hospital gets category A100.
    pub(crate) fn register_as(
        &mut self,
        hospital: &CreditCode,
        name: &str,
        region: &str,
        kind: OrganisationKind,
        on: Date,
    ) {
        let registered = HospitalRegistered {
            hospital: hospital.clone(),
            name: name.to_owned(),
            division: division(region),
            kind,
            category: (kind == OrganisationKind::Hospital).then(|| "A100".to_owned()),
            registered_on: on,
        };
        let id = HospitalId(hospital.clone()).stream_id();
        self.run::<HospitalState>(
            &id,
            HospitalCommand::Register(registered),
            HospitalContext { today: on },
        );
    }

    pub(crate) fn hospital(&self, hospital: &CreditCode) -> HospitalState {
        self.stream::<HospitalState>(&HospitalId(hospital.clone()).stream_id())
            .state()
            .clone()
    }

    pub(crate) fn define(&mut self, program: ProgramDefined) {
        let id = program.program_id.stream_id();
        self.run::<ProgramState>(&id, ProgramCommand::Define(program), Default::default());
    }

    fn registered_orgs(&self) -> std::collections::BTreeSet<CreditCode> {
        self.events_of("HospitalRegistered")
            .into_iter()
            .filter_map(|e| match e {
                Event::HospitalRegistered(r) => Some(r.hospital.clone()),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn establish(&mut self, pairing: PairingEstablished) {
        let program_stream = self.stream::<ProgramState>(&pairing.program_id.stream_id());
        let program = program_stream
            .state()
            .defined
            .as_ref()
            .map(|d| ProgramSnapshot {
                program_id: d.program_id,
                kind: d.kind,
                parameters: program_stream
                    .state()
                    .parameters
                    .clone()
                    .unwrap_or_else(|| d.parameters.clone()),
            });
        let active_pairings_in_program = self
            .pairings()
            .into_iter()
            .filter(|p| p.program_id == pairing.program_id && p.active)
            .collect();
        let parent = pairing.parent_pairing_id.map(|id| self.pairing(id));
        let context = PairingContext {
            program,
            registered_orgs: self.registered_orgs(),
            active_pairings_in_program,
            parent,
            on_site: vec![],
        };
        let id = pairing.pairing_id.stream_id();
        self.run::<PairingState>(&id, PairingCommand::Establish(pairing.into()), context);
    }

    pub(crate) fn pairing(&self, id: PairingId) -> PairingFacts {
        self.stream::<PairingState>(&id.stream_id())
            .state()
            .facts()
            .expect("pairing established")
    }

    fn pairings(&self) -> Vec<PairingFacts> {
        self.streams
            .keys()
            .filter(|k| k.starts_with("pairing-"))
            .filter_map(|k| self.stream::<PairingState>(k).state().facts())
            .collect()
    }

    pub(crate) fn pairing_command(&mut self, id: PairingId, command: PairingCommand) -> Vec<Event> {
        let on_site = self.stints();
        let context = PairingContext {
            on_site,
            ..PairingContext::default()
        };
        self.run::<PairingState>(&id.stream_id(), command, context)
    }

    pub(crate) fn dispatch(
        &mut self,
        pairing: PairingId,
        number: u32,
        start: Date,
        end: Date,
    ) -> BatchId {
        let batch = BatchId { pairing, number };
        let previous_batch_dispatched = batch
            .previous()
            .is_some_and(|p| self.streams.contains_key(&p.stream_id()));
        let context = BatchContext {
            pairing: Some(self.pairing(pairing)),
            previous_batch_dispatched,
            practitioner_terms: vec![],
        };
        let dispatched = BatchDispatched {
            batch,
            recipient_org: self.pairing(pairing).recipient_org,
            leader: None,
            planned_start: start,
            planned_end: end,
            min_team_size: 0,
            min_senior_members: 0,
        };
        self.run::<BatchState>(
            &batch.stream_id(),
            BatchCommand::Dispatch(dispatched.into()),
            context,
        );
        batch
    }

    /// Assigns a member to a batch and records the arrival; returns the deployment.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn send(
        &mut self,
        batch: BatchId,
        who: &PractitionerId,
        home_org: &CreditCode,
        title: ProfessionalTitle,
        specialty: &ClinicalDepartment,
        role: MemberRole,
        arrived_on: Date,
    ) -> DeploymentId {
        let deployment_id = DeploymentId(self.uuid());
        let batch_state = self.stream::<BatchState>(&batch.stream_id());
        let dispatched = batch_state
            .state()
            .dispatched
            .clone()
            .expect("batch dispatched");
        let assigned = MemberAssigned {
            batch,
            deployment_id,
            recipient_org: dispatched.recipient_org.clone(),
            practitioner: who.clone(),
            home_org: home_org.clone(),
            title,
            specialty: specialty.clone(),
            role,
            planned_start: dispatched.planned_start,
            planned_end: dispatched.planned_end,
        };
        let practitioner_terms = self
            .stints()
            .into_iter()
            .filter(|s| &s.practitioner == who)
            .collect();
        let context = BatchContext {
            pairing: Some(self.pairing(batch.pairing)),
            previous_batch_dispatched: true,
            practitioner_terms,
        };
        self.run::<BatchState>(
            &batch.stream_id(),
            BatchCommand::AssignMember(assigned.clone().into()),
            context,
        );
        let arrive = DeploymentCommand::Arrive {
            deployment_id,
            recipient_org: assigned.recipient_org.clone(),
            arrived_on,
        };
        self.deployment(deployment_id, arrive, Some(assigned));
        deployment_id
    }

    pub(crate) fn deployment(
        &mut self,
        id: DeploymentId,
        command: DeploymentCommand,
        assignment: Option<MemberAssigned>,
    ) -> Vec<Event> {
        let stream = self.stream::<DeploymentState>(&id.stream_id());
        let assignment = assignment.or_else(|| {
            stream
                .state()
                .arrived
                .as_ref()
                .map(|a| a.assignment.clone())
        });
        let pairing = assignment.as_ref().map(|a| self.pairing(a.batch.pairing));
        let practitioner = assignment.as_ref().map(|a| a.practitioner.clone());
        let stints = self.stints();
        let context = DeploymentContext {
            practitioner_stints: stints
                .iter()
                .filter(|s| Some(&s.practitioner) == practitioner.as_ref())
                .cloned()
                .collect(),
            hospital_stints: stints,
            assignment,
            pairing,
            post_holders: self.post_holders(),
        };
        self.run::<DeploymentState>(&id.stream_id(), command, context)
    }

    fn post_holders(&self) -> Vec<domain::aggregates::deployment::PostHolding> {
        self.streams
            .keys()
            .filter(|k| k.starts_with("deployment-"))
            .flat_map(|k| self.stream::<DeploymentState>(k).state().post_holdings())
            .collect()
    }

    /// Every on-site stint in the log (the roster read model).
    pub(crate) fn stints(&self) -> Vec<OnSiteStint> {
        self.streams
            .keys()
            .filter(|k| k.starts_with("deployment-"))
            .filter_map(|k| self.stream::<DeploymentState>(k).state().stint())
            .collect()
    }

    pub(crate) fn mentor(&mut self, paired: MentorshipPaired, pairing: PairingId) -> MentorshipId {
        let id = paired.mentorship_id;
        let mentor_active_apprentices = u32::try_from(
            self.mentorships()
                .iter()
                .filter(|m| m.is_active() && m.mentor.as_ref() == Some(&paired.mentor))
                .count(),
        )
        .unwrap();
        let context = MentorshipContext {
            stints: self.stints(),
            pairing: Some(self.pairing(pairing)),
            mentor_active_apprentices,
            active_mentorship_of_pair: None,
            apprentice_employer: Some(paired.recipient_org.clone()),
            technique_introduced_on: None,
        };
        self.run::<MentorshipState>(&id.stream_id(), MentorshipCommand::Pair(paired), context);
        id
    }

    pub(crate) fn mentorship_command(
        &mut self,
        id: MentorshipId,
        command: MentorshipCommand,
        technique_introduced_on: Option<Date>,
    ) {
        let context = MentorshipContext {
            stints: self.stints(),
            technique_introduced_on,
            ..MentorshipContext::default()
        };
        self.run::<MentorshipState>(&id.stream_id(), command, context);
    }

    pub(crate) fn mentorships(&self) -> Vec<MentorshipState> {
        self.streams
            .keys()
            .filter(|k| k.starts_with("mentorship-"))
            .map(|k| self.stream::<MentorshipState>(k).state().clone())
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn introduce(
        &mut self,
        hospital: &CreditCode,
        key: &str,
        name: &str,
        department: &ClinicalDepartment,
        on: Date,
        performer: &PractitionerId,
        category: TechniqueCategory,
    ) -> TechniqueAtHospitalId {
        let introduced = TechniqueIntroduced {
            hospital: hospital.clone(),
            technique: TechniqueKey::parse(key).unwrap(),
            name: name.to_owned(),
            procedure_code: None,
            department: department.clone(),
            first_performed_on: on,
            performer: Performer::OnSiteMember(performer.clone()),
            category,
        };
        let id = introduced.id();
        let context = TechniqueContext {
            performer_stints: self.stints(),
            local_performer_privileged: false,
        };
        self.run::<TechniqueState>(
            &id.stream_id(),
            TechniqueCommand::Introduce(introduced),
            context,
        );
        id
    }

    pub(crate) fn introduced_on(&self, id: &TechniqueAtHospitalId) -> Option<Date> {
        self.stream::<TechniqueState>(&id.stream_id())
            .state()
            .introduced_on()
    }
}
