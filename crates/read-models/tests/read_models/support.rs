//! The test environment (a real store and the real projector on SQLite, or on PostgreSQL when
//! `MEDAID_TEST_DATABASE_URL` is set) and builders for domain events.

use std::time::Duration;

use domain::Event;
use domain::aggregates::batch::{BatchDispatched, MemberAssigned, MemberRole};
use domain::aggregates::deployment::{MemberArrived, MemberDeparted};
use domain::aggregates::hospital::HospitalRegistered;
pub(crate) use domain::aggregates::hospital::OrganisationKind;
use domain::aggregates::pairing::PairingEstablished;
use domain::aggregates::program::{IndicatorSet, ProgramKind, ProgramParameters};
use domain::values::{
    BatchId, CreditCode, DeploymentId, DivisionCode, PairingId, ProfessionalTitle, ProgramId,
};
use event_store::{AppendMetadata, EventStore, ExpectedVersion, NewEvent, StoreOptions};
use projector::Projector;
use time::Date;
use uuid::Uuid;

/// A store, the projector running every read model over it, and the database behind both.
pub(crate) struct Env {
    pub(crate) store: EventStore,
    pub(crate) projector: Projector,
    database: TestDatabase,
}

impl Env {
    pub(crate) async fn sqlite() -> Env {
        Env::open(TestDatabase::sqlite().await).await
    }

    /// A fresh database on the PostgreSQL server of `MEDAID_TEST_DATABASE_URL`, if set.
    pub(crate) async fn postgres() -> Option<Env> {
        let backend = Backend::postgres()?;
        Some(Env::open(TestDatabase::new(&backend).await).await)
    }

    async fn open(database: TestDatabase) -> Env {
        let store = EventStore::open(StoreOptions::new(&database.url))
            .await
            .unwrap();
        let projector = Projector::start(store.clone(), &database.url, read_models::all())
            .await
            .unwrap();
        Env {
            store,
            projector,
            database,
        }
    }

    /// Stops the projector after its current transactions and starts a new one over the same
    /// database with `options`, as a process restart would.
    pub(crate) async fn restart_projector(self, options: projector::ProjectorOptions) -> Env {
        let Env {
            store,
            projector,
            database,
        } = self;
        projector.shutdown().await;
        let projector =
            Projector::start_with(store.clone(), &database.url, read_models::all(), options)
                .await
                .unwrap();
        Env {
            store,
            projector,
            database,
        }
    }

    /// Stops the projector, lets `between` start another replica on the database (it gets the
    /// projection leadership, being first), then starts this replica's projector again with
    /// `options`, as a follower.
    pub(crate) async fn follow<T>(
        self,
        between: impl FnOnce(&str) -> T,
        options: projector::ProjectorOptions,
    ) -> (Env, T) {
        let Env {
            store,
            projector,
            database,
        } = self;
        projector.shutdown().await;
        let other = between(&database.url);
        let projector =
            Projector::start_with(store.clone(), &database.url, read_models::all(), options)
                .await
                .unwrap();
        let env = Env {
            store,
            projector,
            database,
        };
        (env, other)
    }

    /// Appends events (one append per stream run, in order) and waits until every read model
    /// reflects them.
    pub(crate) async fn append(&self, events: Vec<Event>) -> u64 {
        let mut end = 0;
        let mut runs: Vec<(String, Vec<NewEvent>)> = Vec::new();
        for event in events {
            let stream = event.stream_id();
            let new = codec::encode(&event);
            match runs.last_mut() {
                Some((s, run)) if *s == stream && run.len() < 1000 => run.push(new),
                _ => runs.push((stream, vec![new])),
            }
        }
        for (stream, run) in runs {
            let result = self
                .store
                .append(
                    &stream,
                    ExpectedVersion::Any,
                    run,
                    &Uuid::new_v4().to_string(),
                    AppendMetadata {
                        actor: "recorder:test".into(),
                        ..AppendMetadata::default()
                    },
                )
                .await
                .unwrap();
            end = result.positions().end;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        for projection in read_models::all() {
            self.projector
                .wait_for(projection.name(), end, deadline)
                .await
                .unwrap();
        }
        end
    }

    /// The active table prefix and position of a read model.
    pub(crate) fn active(&self, name: &str) -> (String, u64) {
        let active = self.projector.active(name).unwrap();
        (active.table_prefix, active.position)
    }

    pub(crate) fn pool(&self) -> &sqlx::AnyPool {
        self.projector.pool()
    }
}

/// Runs a scenario on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::support::Env::sqlite().await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(env) = crate::support::Env::postgres().await {
                    super::$name(env).await;
                }
            }
        }
    };
}
pub(crate) use on_both;

pub(crate) use test_support::world::{dept, org, person};
use test_support::{Backend, TestDatabase};

pub(crate) fn params(min_term_months: u32, mentor_ratio_max: u32) -> ProgramParameters {
    ProgramParameters {
        version: 1,
        min_term_months,
        min_team_size: 1,
        min_senior_members: 0,
        mentor_ratio_max,
        short_visit_max_days: 30,
        indicator_set: IndicatorSet {
            version: "2022".into(),
            indicators: vec![],
        },
        group_rules: None,
        eligible_counties: None,
    }
}

/// `org` registered as a general hospital (A100) named `name`, in the division its credit code
/// names.
pub(crate) fn hospital(org: &CreditCode, name: &str) -> Event {
    registered(org, name, OrganisationKind::Hospital)
}

/// `org` registered as an organisation of `kind` named `name` (a hospital is a general one, A100).
pub(crate) fn registered(org: &CreditCode, name: &str, kind: OrganisationKind) -> Event {
    let code = org.to_string();
    HospitalRegistered {
        hospital: org.clone(),
        name: name.into(),
        division: DivisionCode::parse(&code[2..8]).unwrap(),
        category: (kind == OrganisationKind::Hospital).then(|| "A100".into()),
        kind,
        registered_on: Date::from_calendar_date(2000, time::Month::January, 1).unwrap(),
    }
    .into()
}

pub(crate) fn pairing_id(n: u128) -> PairingId {
    PairingId(Uuid::from_u128(n))
}

pub(crate) fn pairing(
    id: u128,
    supporting: Vec<CreditCode>,
    recipient: &CreditCode,
    parent: Option<u128>,
    start: Date,
) -> Event {
    PairingEstablished {
        pairing_id: pairing_id(id),
        program_id: ProgramId(Uuid::from_u128(1)),
        program_kind: ProgramKind::KeyCountyGroupAid,
        parameters: params(12, 2),
        supporting_orgs: supporting,
        recipient_org: recipient.clone(),
        parent_pairing_id: parent.map(pairing_id),
        region_codes: vec![],
        start,
    }
    .into()
}

pub(crate) fn batch(
    pairing: u128,
    number: u32,
    recipient: &CreditCode,
    start: Date,
    end: Date,
) -> Event {
    BatchDispatched {
        batch: BatchId {
            pairing: pairing_id(pairing),
            number,
        },
        recipient_org: recipient.clone(),
        leader: None,
        planned_start: start,
        planned_end: end,
        min_team_size: 1,
        min_senior_members: 0,
    }
    .into()
}

/// A member assignment; the deployment id is derived from `deployment`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn assignment(
    pairing: u128,
    number: u32,
    deployment: u128,
    recipient: &CreditCode,
    who: &str,
    home: &CreditCode,
    title: u16,
    specialty: &str,
    start: Date,
    end: Date,
) -> MemberAssigned {
    MemberAssigned {
        batch: BatchId {
            pairing: pairing_id(pairing),
            number,
        },
        deployment_id: DeploymentId(Uuid::from_u128(deployment)),
        recipient_org: recipient.clone(),
        practitioner: person(who),
        home_org: home.clone(),
        title: ProfessionalTitle::from_code(title).unwrap(),
        specialty: dept(specialty),
        role: MemberRole::Clinical,
        planned_start: start,
        planned_end: end,
    }
}

/// The assignment, and the member's arrival on its planned start.
pub(crate) fn arrive(assignment: &MemberAssigned, on: Date) -> Vec<Event> {
    vec![
        assignment.clone().into(),
        MemberArrived {
            deployment_id: assignment.deployment_id,
            assignment: assignment.clone(),
            arrived_on: on,
        }
        .into(),
    ]
}

pub(crate) fn depart(assignment: &MemberAssigned, on: Date, below_minimum: bool) -> Event {
    MemberDeparted {
        deployment_id: assignment.deployment_id,
        recipient_org: assignment.recipient_org.clone(),
        departed_on: on,
        on_site_days: 0,
        reason: None,
        below_minimum,
    }
    .into()
}
