//! Loaders for the technique, gap, hospital, alliance, study and activity aggregates.

use std::collections::BTreeSet;

use domain::aggregates::activity::{ActivityCommand, ActivityContext, ActivityState};
use domain::aggregates::alliance::{AllianceCommand, AllianceContext, AllianceState};
use domain::aggregates::gap::{GapCommand, GapContext, GapKey, GapRegion, GapState};
use domain::aggregates::hospital::{HospitalCommand, HospitalContext, HospitalState};
use domain::aggregates::pairing::{PairingFacts, PairingState};
use domain::aggregates::study::{StudyCommand, StudyContext, StudyState};
use domain::aggregates::technique::{
    Performer, TechniqueCommand, TechniqueContext, TechniqueState,
};
use domain::tags;
use domain::values::{
    AllianceId, CreditCode, HospitalId, PairingId, StudyId, TechniqueAtHospitalId,
};
use domain::{Stream, StreamCommand};
use event_store::EventStore;
use time::Date;

use super::employment::employer_on;
use super::roster_family::stints_of;
use super::{Guard, LoadContext, orgs_of};
use crate::error::Error;
use crate::facts::Facts;
use crate::load::{pairing_facts, registered};

/// The facts of every pairing among the found pairing streams.
fn pairings_of(facts: &Facts) -> Vec<PairingFacts> {
    facts
        .states::<PairingState>(PairingId::CATEGORY)
        .values()
        .filter_map(PairingState::facts)
        .collect()
}

impl LoadContext for TechniqueState {
    async fn load_context(
        store: &EventStore,
        _stream: &Stream<Self>,
        command: &StreamCommand<TechniqueCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<TechniqueContext, Error> {
        // Corrections and retractions are decided without the context.
        let Some(TechniqueCommand::Introduce(t)) = command.action() else {
            return Ok(TechniqueContext::default());
        };
        let performer = match &t.performer {
            Performer::OnSiteMember(who) | Performer::Local(who) => who,
        };
        let performer_stints =
            stints_of(&guard.read(store, [tags::practitioner(performer)]).await?);
        let local_performer_privileged = match &t.performer {
            // Not read for an on-site member, whose stints are checked instead.
            Performer::OnSiteMember(_) => false,
            // Privileges (手术分级授权) are granted in hospitals' own records, which are not
            // integrated, and the log holds nothing that grants or withholds them. An apprentice's
            // independence would be evidence for them, but its absence is none against them: most
            // local performers were never apprentices in the program. What the log can contradict
            // is that the performer is local: when it places them with another employer on that
            // day, they hold no privileges here (a dispatched member is recorded as an on-site
            // member, and checked against the roster). Otherwise the recording hospital's word
            // that its own doctor is privileged stands.
            Performer::Local(who) => employer_on(store, guard, who, t.first_performed_on)
                .await?
                .is_none_or(|employer| employer == t.hospital),
        };
        Ok(TechniqueContext {
            performer_stints,
            local_performer_privileged,
        })
    }
}

impl LoadContext for GapState {
    async fn load_context(
        store: &EventStore,
        _stream: &Stream<Self>,
        command: &StreamCommand<GapCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<GapContext, Error> {
        let Some(GapCommand::Fill(fill)) = command.action() else {
            return Ok(GapContext::default());
        };
        let technique = TechniqueAtHospitalId {
            hospital: fill.hospital.clone(),
            technique: fill.gap.technique.clone(),
        };
        let hospital = HospitalId(fill.hospital.clone()).stream_id();
        Ok(GapContext {
            technique_introduced_on: guard
                .state::<TechniqueState>(store, &technique.stream_id())
                .await?
                .introduced_on(),
            hospital_division: guard
                .state::<HospitalState>(store, &hospital)
                .await?
                .registered
                .map(|r| r.division),
            region_name: custom_region_name(store, guard, &fill.gap.region).await?,
        })
    }
}

/// The display name recorded for a custom region key by the fills already in the log (every named
/// fill of a key carries the name of its first use, so any of them tells it); `None` for a division
/// or a key not used yet. Read by the key's tag, only for custom regions.
async fn custom_region_name(
    store: &EventStore,
    guard: &mut Guard,
    region: &GapRegion,
) -> Result<Option<String>, Error> {
    let Some(tag) = tags::custom_region(region) else {
        return Ok(None);
    };
    let fills = guard
        .read(store, [tag])
        .await?
        .states::<GapState>(GapKey::CATEGORY);
    Ok(fills
        .into_values()
        .filter_map(|state| state.filled)
        .find(|filled| &filled.gap.region == region && filled.region_name.is_some())
        .and_then(|filled| filled.region_name))
}

impl LoadContext for HospitalState {
    async fn load_context(
        _store: &EventStore,
        _stream: &Stream<Self>,
        _command: &StreamCommand<HospitalCommand>,
        today: Date,
        _guard: &mut Guard,
    ) -> Result<HospitalContext, Error> {
        Ok(HospitalContext { today })
    }
}

impl LoadContext for AllianceState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        command: &StreamCommand<AllianceCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<AllianceContext, Error> {
        let mut named: BTreeSet<CreditCode> = BTreeSet::new();
        match command.action() {
            Some(AllianceCommand::Form(f)) => {
                named.extend(orgs_of(&f.clone().into()));
            }
            Some(AllianceCommand::ChangeMembership { member, .. }) => {
                named.insert(member.org.clone());
            }
            _ => {}
        }
        if let Some(formed) = &stream.state().formed {
            named.insert(formed.lead_org.clone());
        }
        // Only a formation reads the lead's pairings and alliances (is it supporting, is the
        // alliance a duplicate), by the lead's tags.
        let (supporting_orgs, existing_alliances) = match command.action() {
            Some(AllianceCommand::Form(f)) => {
                let pairings = guard.read(store, [tags::pairing_org(&f.lead_org)]).await?;
                let supporting = pairings_of(&pairings)
                    .into_iter()
                    .filter(|p| p.active)
                    .flat_map(|p| p.supporting_orgs)
                    .collect();
                let alliances = guard
                    .read(store, [tags::alliance_lead(&f.lead_org)])
                    .await?;
                let existing = alliances
                    .states::<AllianceState>(AllianceId::CATEGORY)
                    .into_values()
                    .filter_map(|a| a.formed)
                    .map(|f| f.key())
                    .collect();
                (supporting, existing)
            }
            _ => Default::default(),
        };
        Ok(AllianceContext {
            supporting_orgs,
            registered_orgs: registered(store, guard, &named).await?,
            existing_alliances,
        })
    }
}

impl LoadContext for StudyState {
    async fn load_context(
        store: &EventStore,
        stream: &Stream<Self>,
        command: &StreamCommand<StudyCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<StudyContext, Error> {
        let started = match command.action() {
            Some(StudyCommand::Start(s)) => Some(s.clone()),
            _ => stream.state().started.clone(),
        };
        let Some(started) = started else {
            return Ok(StudyContext::default());
        };
        let trainee_org = &started.trainee_org;
        // The pairings and alliances of the trainee's and the host's hospitals (a change to either
        // side's links reaches the query), and the trainee's other stays.
        let facts = guard
            .read(
                store,
                [
                    tags::pairing_org(trainee_org),
                    tags::alliance_org(trainee_org),
                    tags::pairing_org(&started.host_org),
                    tags::alliance_org(&started.host_org),
                    tags::practitioner(&started.trainee),
                ],
            )
            .await?;
        let mut linked_hosts: BTreeSet<CreditCode> = pairings_of(&facts)
            .into_iter()
            .filter(|p| &p.recipient_org == trainee_org)
            .flat_map(|p| {
                let group = p.group.iter().flat_map(|g| {
                    std::iter::once(g.lead_org.clone()).chain(g.assisting_orgs.iter().cloned())
                });
                p.supporting_orgs
                    .clone()
                    .into_iter()
                    .chain(group.collect::<Vec<_>>())
            })
            .collect();
        for alliance in facts
            .states::<AllianceState>(AllianceId::CATEGORY)
            .into_values()
        {
            let Some(formed) = &alliance.formed else {
                continue;
            };
            let mut members: BTreeSet<CreditCode> =
                alliance.members.iter().map(|m| m.org.clone()).collect();
            members.insert(formed.lead_org.clone());
            if members.contains(trainee_org) {
                linked_hosts.extend(members.into_iter().filter(|m| m != trainee_org));
            }
        }
        let trainee_studies = facts
            .states::<StudyState>(StudyId::CATEGORY)
            .into_values()
            .filter_map(|s| {
                let start = s.started?;
                (start.trainee == started.trainee).then(|| {
                    let end = s.completed_on.unwrap_or(start.planned_end);
                    (start.study_id, start.start, end)
                })
            })
            .collect();
        Ok(StudyContext {
            linked_hosts,
            trainee_studies,
        })
    }
}

impl LoadContext for ActivityState {
    async fn load_context(
        store: &EventStore,
        _stream: &Stream<Self>,
        command: &StreamCommand<ActivityCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<ActivityContext, Error> {
        let pairing = match command.action() {
            Some(ActivityCommand::DeliverTraining(t)) => Some(t.ledger.pairing),
            Some(ActivityCommand::ReportClinicalActivity(r)) => Some(r.ledger.pairing),
            _ => None,
        };
        let pairing = match pairing {
            Some(id) => pairing_facts(store, guard, &id).await?,
            None => None,
        };
        // Trainers are recorded as named: see `ActivityContext` for why nothing checks them.
        Ok(ActivityContext { pairing })
    }
}
