//! Test databases, principals and ready-made facts.

use app::{App, Principal, Role, Scope};
use domain::aggregates::batch::{BatchDispatched, MemberAssigned, MemberRole};
use domain::aggregates::hospital::HospitalRegistered;
use domain::aggregates::pairing::PairingEstablished;
use domain::aggregates::program::{GroupRules, IndicatorSet, ProgramKind, ProgramParameters};
use domain::values::{
    BatchId, CreditCode, DeploymentId, DivisionCode, IndicatorCode, PairingId, ProfessionalTitle,
    ProgramId,
};
use event_store::{EventStore, StoreOptions};
pub(crate) use test_support::{Backend, TestDatabase};
use time::macros::date;
use uuid::Uuid;

/// A fresh store on SQLite, or on PostgreSQL when `MEDAID_TEST_DATABASE_URL` names a server (each
/// test then creates its own database there).
pub(crate) struct TestApp {
    pub(crate) app: App,
    _database: TestDatabase,
}

pub(crate) async fn test_app() -> TestApp {
    let (store, database) = test_store().await;
    TestApp {
        app: App::new(store),
        _database: database,
    }
}

/// A fresh store and the database that holds it.
async fn test_store() -> (EventStore, TestDatabase) {
    test_store_on(&Backend::postgres().unwrap_or(Backend::Sqlite)).await
}

/// A fresh store on `backend` and the database that holds it.
pub(crate) async fn test_store_on(backend: &Backend) -> (EventStore, TestDatabase) {
    let database = TestDatabase::new(backend).await;
    let store = EventStore::open(StoreOptions::new(database.url.clone()))
        .await
        .unwrap();
    (store, database)
}

/// A fresh app on `backend`.
pub(crate) async fn test_app_on(backend: &Backend) -> TestApp {
    let (store, database) = test_store_on(backend).await;
    TestApp {
        app: App::new(store),
        _database: database,
    }
}

/// A fresh store with the projector of every read model running over it.
pub(crate) async fn test_app_with_read_models() -> TestApp {
    let (store, database) = test_store().await;
    let projector = projector::Projector::start(store.clone(), &database.url, read_models::all())
        .await
        .unwrap();
    TestApp {
        app: App::with_read_models(store, projector),
        _database: database,
    }
}

pub(crate) fn principal(subject: &str, roles: &[Role], scope: &[&str]) -> Principal {
    Principal {
        subject: subject.to_owned(),
        roles: roles.iter().copied().collect(),
        scope: Scope::from_entries(scope).unwrap(),
    }
}

/// A recorder for Gansu (62).
pub(crate) fn gansu_recorder() -> Principal {
    principal("recorder-gansu", &[Role::Recorder], &["62"])
}

pub(crate) use test_support::world::{dept, org, person};
pub(crate) fn supporting() -> CreditCode {
    org("620000", 1)
}
pub(crate) fn supporting_b() -> CreditCode {
    org("620000", 2)
}
pub(crate) fn recipient() -> CreditCode {
    org("620422", 3)
}
pub(crate) fn program_id() -> ProgramId {
    ProgramId(Uuid::from_u128(1))
}
pub(crate) fn pairing_id() -> PairingId {
    PairingId(Uuid::from_u128(2))
}
pub(crate) fn deployment_id() -> DeploymentId {
    DeploymentId(Uuid::from_u128(0x101))
}
pub(crate) fn batch_id() -> BatchId {
    BatchId {
        pairing: pairing_id(),
        number: 1,
    }
}

pub(crate) fn hospital(code: CreditCode, division: &str) -> HospitalRegistered {
    HospitalRegistered {
        hospital: code,
        name: "会宁县人民医院".to_owned(),
        division: DivisionCode::parse(division).unwrap(),
        kind: domain::aggregates::hospital::OrganisationKind::Hospital,
        category: Some("A100".to_owned()),
        registered_on: date!(2021 - 12 - 01),
    }
}

pub(crate) fn parameters() -> ProgramParameters {
    ProgramParameters {
        version: 1,
        min_term_months: 12,
        min_team_size: 5,
        min_senior_members: 1,
        mentor_ratio_max: 2,
        short_visit_max_days: 14,
        indicator_set: IndicatorSet {
            version: "2022.1".to_owned(),
            indicators: vec![IndicatorCode::parse("new_techniques").unwrap()],
        },
        group_rules: Some(GroupRules {
            min_hospitals: 3,
            max_hospitals: 4,
            min_staff_lead: 2,
            min_staff_assisting: 1,
        }),
        eligible_counties: None,
    }
}

pub(crate) fn pairing() -> PairingEstablished {
    PairingEstablished {
        pairing_id: pairing_id(),
        program_id: program_id(),
        program_kind: ProgramKind::KeyCountyGroupAid,
        parameters: parameters(),
        supporting_orgs: vec![supporting(), supporting_b()],
        recipient_org: recipient(),
        parent_pairing_id: None,
        region_codes: vec![DivisionCode::parse("620422").unwrap()],
        start: date!(2022 - 01 - 01),
    }
}

pub(crate) fn batch() -> BatchDispatched {
    BatchDispatched {
        batch: batch_id(),
        recipient_org: recipient(),
        leader: Some(person("doc-mentor")),
        planned_start: date!(2024 - 07 - 01),
        planned_end: date!(2025 - 06 - 30),
        min_team_size: 5,
        min_senior_members: 1,
    }
}

pub(crate) fn assignment() -> MemberAssigned {
    MemberAssigned {
        batch: batch_id(),
        deployment_id: deployment_id(),
        recipient_org: recipient(),
        practitioner: person("doc-mentor"),
        home_org: supporting(),
        title: ProfessionalTitle::ATTENDING_PHYSICIAN,
        specialty: dept("04.05"),
        role: MemberRole::Clinical,
        planned_start: date!(2024 - 07 - 01),
        planned_end: date!(2025 - 06 - 30),
    }
}
