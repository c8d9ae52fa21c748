//! The read-model queries through the use cases: read-your-writes, scope, validation, admin.

use std::time::Duration;

use app::{Error, Freshness, Role};
use domain::StreamCommand;
use domain::aggregates::hospital::{HospitalCommand, HospitalGradeAssessed};
use domain::values::{GradeClass, GradeLevel, HospitalGrade, HospitalId, ReviewKind};
use read_models::PageRequest;
use read_models::capability::{CapabilityCard, ExpiringGrades};
use read_models::network::Alliances;
use read_models::scoreboard::PairingScoreboard;
use time::macros::date;

use crate::support::*;
use crate::{register, request};

fn fresh_after(position: u64) -> Freshness {
    Freshness {
        min_position: Some(position),
        wait: Duration::from_secs(10),
    }
}

fn card_of(hospital: &str, date: time::Date) -> CapabilityCard {
    CapabilityCard {
        hospital: hospital.to_owned(),
        date,
    }
}

fn scoreboard(pairing_id: &str) -> PairingScoreboard {
    PairingScoreboard {
        pairing_id: pairing_id.to_owned(),
    }
}

fn grade(code: domain::values::CreditCode) -> domain::AggregateCommand {
    domain::AggregateCommand::Hospital {
        id: HospitalId(code.clone()),
        command: StreamCommand::Act(HospitalCommand::AssessGrade(HospitalGradeAssessed {
            hospital: code,
            grade: HospitalGrade::new(
                GradeLevel::Two,
                Some(GradeClass::A),
                ReviewKind::Initial,
                date!(2020 - 01 - 01),
                Some(date!(2024 - 12 - 31)),
            )
            .unwrap(),
        })),
    }
}

#[tokio::test]
async fn a_reader_sees_its_own_write_and_only_its_provinces() {
    let t = test_app_with_read_models().await;
    let everywhere = principal("recorder", &[Role::Recorder], &["*"]);
    let guangdong = org("440300", 7);
    for (i, command) in [
        register(recipient(), "620422"),
        grade(recipient()),
        register(guangdong.clone(), "440300"),
        grade(guangdong.clone()),
    ]
    .into_iter()
    .enumerate()
    {
        t.app
            .execute(&everywhere, request(command, &format!("r-{i}")))
            .await
            .unwrap();
    }
    let last = t.app.store().head().await.unwrap().size - 1;

    let gansu = principal("reader-gs", &[Role::Reader], &["62"]);
    let card = t
        .app
        .query(
            &gansu,
            fresh_after(last),
            &card_of(recipient().as_str(), date!(2024 - 09 - 01)),
        )
        .await
        .unwrap();
    assert!(
        card.position > last,
        "the answer reflects the write it waited for"
    );
    assert_eq!(card.value.name.as_deref(), Some("会宁县人民医院"));
    assert_eq!(card.value.grades.len(), 1);

    // A hospital outside the reader's provinces is refused; list rows outside it are dropped.
    let denied = t
        .app
        .query(
            &gansu,
            fresh_after(last),
            &card_of(guangdong.as_str(), date!(2024 - 09 - 01)),
        )
        .await;
    assert!(
        matches!(denied, Err(Error::PermissionDenied { .. })),
        "{denied:?}"
    );
    let expiring = t
        .app
        .query(
            &gansu,
            fresh_after(last),
            &ExpiringGrades {
                by: date!(2025 - 01 - 01),
                page: PageRequest::first(10),
            },
        )
        .await
        .unwrap();
    let hospitals: Vec<&str> = expiring.items.iter().map(|g| g.hospital.as_str()).collect();
    assert_eq!(hospitals, vec![recipient().as_str()]);
    let auditor = principal("auditor", &[Role::Auditor], &[]);
    let all = t
        .app
        .query(
            &auditor,
            fresh_after(last),
            &ExpiringGrades {
                by: date!(2025 - 01 - 01),
                page: PageRequest::first(10),
            },
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
}

#[tokio::test]
async fn bad_arguments_roles_and_positions_are_refused() {
    let t = test_app_with_read_models().await;
    let everywhere = principal("recorder", &[Role::Recorder], &["*"]);
    t.app
        .execute(&everywhere, request(register(recipient(), "620422"), "r-1"))
        .await
        .unwrap();
    let reader = principal("reader", &[Role::Reader], &["*"]);
    let day = date!(2024 - 09 - 01);

    let malformed = t
        .app
        .query(
            &reader,
            Freshness::default(),
            &card_of("12620422000000035X", day),
        )
        .await;
    assert!(
        matches!(&malformed, Err(Error::InvalidArgument { field, .. }) if field == "hospital"),
        "{malformed:?}"
    );
    let not_uuid = t
        .app
        .query(&reader, Freshness::default(), &scoreboard("pairing-1"))
        .await;
    assert!(
        matches!(&not_uuid, Err(Error::InvalidArgument { field, .. }) if field == "pairing_id"),
        "{not_uuid:?}"
    );
    let unknown = t
        .app
        .query(
            &reader,
            Freshness::default(),
            &scoreboard("00000000-0000-0000-0000-0000000000ff"),
        )
        .await;
    assert!(
        matches!(
            unknown,
            Err(Error::NotFound {
                reason: "PAIRING_NOT_FOUND",
                ..
            })
        ),
        "{unknown:?}"
    );
    let beyond = t
        .app
        .query(
            &reader,
            fresh_after(99),
            &card_of(recipient().as_str(), day),
        )
        .await;
    assert!(
        matches!(beyond, Err(Error::OutOfRange { position: 99, .. })),
        "{beyond:?}"
    );
    let recorder_only = principal("rec", &[Role::Recorder], &["*"]);
    let no_role = t
        .app
        .query(
            &recorder_only,
            Freshness::default(),
            &card_of(recipient().as_str(), day),
        )
        .await;
    assert!(
        matches!(no_role, Err(Error::PermissionDenied { .. })),
        "{no_role:?}"
    );
    let bad_cursor = t
        .app
        .query(
            &reader,
            Freshness::default(),
            &Alliances {
                filter: Default::default(),
                page: PageRequest {
                    page_size: 10,
                    cursor: Some("not a cursor".to_owned()),
                },
            },
        )
        .await;
    assert!(
        matches!(&bad_cursor, Err(Error::InvalidArgument { field, .. }) if field == "page_token"),
        "{bad_cursor:?}"
    );
}

#[tokio::test]
async fn only_admins_operate_projections_and_a_rebuild_switches_over() {
    let t = test_app_with_read_models().await;
    let everywhere = principal("recorder", &[Role::Recorder], &["*"]);
    t.app
        .execute(&everywhere, request(register(recipient(), "620422"), "r-1"))
        .await
        .unwrap();
    let reader = principal("reader", &[Role::Reader], &["*"]);
    assert!(matches!(
        t.app.projection_status(&reader).await,
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        t.app
            .rebuild_projection(&reader, "hospital_capability")
            .await,
        Err(Error::PermissionDenied { .. })
    ));
    let admin = principal("admin", &[Role::Admin], &["*"]);
    let status = t.app.projection_status(&admin).await.unwrap();
    let mut names: Vec<&str> = status.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(matches!(
        t.app.rebuild_projection(&admin, "no_such_model").await,
        Err(Error::NotFound {
            reason: "PROJECTION_NOT_FOUND",
            ..
        })
    ));

    let generation = t
        .app
        .rebuild_projection(&admin, "hospital_capability")
        .await
        .unwrap();
    assert!(generation >= 1);
    // The new generation becomes the active one once it has caught up, and answers the same.
    let mut switched = false;
    for _ in 0..200 {
        let status = t.app.projection_status(&admin).await.unwrap();
        if status
            .iter()
            .any(|s| s.name == "hospital_capability" && s.active && s.generation == generation)
        {
            switched = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(switched, "the rebuilt generation never became active");
    let card = t
        .app
        .query(
            &reader,
            fresh_after(0),
            &card_of(recipient().as_str(), date!(2024 - 09 - 01)),
        )
        .await
        .unwrap();
    assert_eq!(card.value.name.as_deref(), Some("会宁县人民医院"));
}

/// A read model stopped at an event it cannot apply will not reach a later position by waiting:
/// the caller is told it needs an operator (FAILED_PRECONDITION, PROJECTION_FAILED), not the
/// retryable PROJECTION_BEHIND it would retry for ever.
#[tokio::test]
async fn waiting_on_a_failed_read_model_is_projection_failed_not_behind() {
    use event_store::{AppendMetadata, BusinessTime, ExpectedVersion, NewEvent, TimePrecision};

    let t = test_app_with_read_models().await;
    let bad = t
        .app
        .store()
        .append(
            "hospital-bogus",
            ExpectedVersion::Any,
            vec![NewEvent {
                event_type: "HospitalRegistered".into(),
                schema_version: 1,
                payload: serde_json::json!({"not": "a hospital"}),
                occurred: BusinessTime {
                    from_us: 0,
                    to_us: 0,
                    precision: TimePrecision::Day,
                },
                tags: Vec::new(),
            }],
            &uuid::Uuid::new_v4().to_string(),
            AppendMetadata {
                actor: "recorder:test".into(),
                ..AppendMetadata::default()
            },
        )
        .await
        .unwrap()
        .first_position;
    let reader = principal("reader", &[Role::Reader], &["*"]);
    let error = t
        .app
        .query(
            &reader,
            fresh_after(bad),
            &card_of(recipient().as_str(), date!(2024 - 09 - 01)),
        )
        .await
        .unwrap_err();
    match &error {
        Error::ProjectionFailed {
            projection,
            failed_position,
        } => {
            assert_eq!(projection, "hospital_capability");
            assert_eq!(*failed_position, bad);
        }
        other => panic!("expected PROJECTION_FAILED, got {other:?}"),
    }
    assert_eq!(error.reason(), "PROJECTION_FAILED");
    assert!(!error.is_retryable(), "an operator must act first");
}
