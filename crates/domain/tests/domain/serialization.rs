//! The stored JSON form of every event type is pinned; round trips, stream ids, scopes and upcasting.

use domain::Event;
use domain::events::{DecodeError, StoredEvent};
use domain::values::{Comparator, Count, is_valid_stream_id};
use expect_test::expect_file;
use serde_json::json;

use crate::samples::every_event_type;

#[test]
fn stored_forms_are_pinned() {
    let stored: Vec<StoredEvent> = every_event_type().iter().map(Event::to_stored).collect();
    let text = serde_json::to_string_pretty(&stored).unwrap();
    expect_file!["snapshots/events.json"].assert_eq(&format!("{text}\n"));
}

#[test]
fn every_event_reads_back_as_itself() {
    for event in every_event_type() {
        let stored = event.to_stored();
        let text = serde_json::to_string(&stored).unwrap();
        let read: StoredEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(
            Event::from_stored(&read).unwrap(),
            event,
            "{}",
            event.event_type()
        );
    }
}

#[test]
fn every_event_names_a_valid_stream_and_a_pascal_case_type() {
    for event in every_event_type() {
        let stream = event.stream_id();
        assert!(is_valid_stream_id(&stream), "{stream}");
        let name = event.event_type();
        assert!(
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{name}"
        );
    }
}

#[test]
fn every_event_hosted_at_a_hospital_is_scoped_to_its_province() {
    for event in every_event_type() {
        let scope = event.scope();
        let expected: &[&str] = match event.event_type() {
            "ProgramDefined" | "ProgramParametersRevised" => &[],
            "AllianceMembershipChanged" => &["520000"],
            _ => &["620000"],
        };
        let provinces: Vec<&str> = scope.provinces.iter().map(|p| p.as_str()).collect();
        assert_eq!(provinces, expected, "{}", event.event_type());
    }
}

#[test]
fn invalid_values_in_stored_json_are_refused() {
    let mut stored = crate::fixtures::pairing_established();
    stored.start = time::macros::date!(2022 - 01 - 01);
    let mut json = Event::from(stored).to_stored();
    json.data["recipient_org"] = json!("12620422000000030X");
    let error = Event::from_stored(&json).unwrap_err();
    assert_eq!(error.reason(), "EVENT_PAYLOAD_MALFORMED");
    assert!(error.to_string().contains("check character"), "{error}");
}

fn v1_report() -> StoredEvent {
    let mut data = Event::from(crate::study_activity_rules::report(
        time::macros::date!(2016 - 04 - 23),
        time::macros::date!(2017 - 04 - 22),
    ))
    .to_stored()
    .data;
    data["surgeries"] = json!(538);
    data["critical_rescues"] = json!(2000);
    data.as_object_mut().unwrap().remove("teleconsults");
    StoredEvent {
        event_type: "ClinicalActivityReported".to_owned(),
        schema_version: 1,
        data,
    }
}

#[test]
fn a_v1_activity_report_is_upcast_to_counts() {
    let Event::ClinicalActivityReported(report) = Event::from_stored(&v1_report()).unwrap() else {
        panic!("wrong type")
    };
    assert_eq!(
        report.surgeries,
        Some(Count {
            value: 538,
            comparator: Comparator::Exact
        })
    );
    assert_eq!(report.critical_rescues, Some(Count::exact(2000)));
    assert_eq!(report.teleconsults, None);
    assert_eq!(report.trainings, None);
    assert_eq!(Event::from(report).to_stored().schema_version, 3);
}

#[test]
fn a_v2_activity_report_reads_without_a_trainings_count() {
    // As written before reports counted trainings: schema 2, no `trainings`.
    let mut data = Event::from(crate::study_activity_rules::report(
        time::macros::date!(2016 - 04 - 23),
        time::macros::date!(2017 - 04 - 22),
    ))
    .to_stored()
    .data;
    data.as_object_mut().unwrap().remove("trainings");
    let v2 = StoredEvent {
        event_type: "ClinicalActivityReported".to_owned(),
        schema_version: 2,
        data,
    };
    let Event::ClinicalActivityReported(report) = Event::from_stored(&v2).unwrap() else {
        panic!("wrong type")
    };
    assert_eq!(report.trainings, None);
    assert_eq!(report.surgeries, Some(Count::exact(538)));
}

#[test]
fn a_v1_funding_commitment_reads_unchanged() {
    let data = Event::from(crate::pairing_rules::funding(100))
        .to_stored()
        .data;
    let v1 = StoredEvent {
        event_type: "FundingCommitted".to_owned(),
        schema_version: 1,
        data,
    };
    let Event::FundingCommitted(funding) = Event::from_stored(&v1).unwrap() else {
        panic!("wrong type")
    };
    assert_eq!(funding, crate::pairing_rules::funding(100));
    assert_eq!(Event::from(funding).to_stored().schema_version, 2);
}

#[test]
fn a_correction_embedding_a_v1_report_is_upcast_too() {
    let v1 = v1_report();
    let stored = StoredEvent {
        event_type: "EventCorrected".to_owned(),
        schema_version: 1,
        data: json!({
            "target": { "stream": "activity-x", "version": 0 },
            "replacement": { "type": v1.event_type, "data": v1.data },
            "replacement_schema_version": 1,
            "reason": "台次复核",
        }),
    };
    let Event::EventCorrected(correction) = Event::from_stored(&stored).unwrap() else {
        panic!("wrong type")
    };
    assert_eq!(correction.replacement_schema_version, 3);
    let Event::ClinicalActivityReported(report) = *correction.replacement else {
        panic!("wrong replacement")
    };
    assert_eq!(report.surgeries, Some(Count::exact(538)));
}

#[test]
fn unknown_types_and_versions_are_refused() {
    let unknown = StoredEvent {
        event_type: "Nope".to_owned(),
        schema_version: 1,
        data: json!({}),
    };
    assert!(matches!(
        Event::from_stored(&unknown),
        Err(DecodeError::UnknownType(_))
    ));
    let future = StoredEvent {
        schema_version: 4,
        ..v1_report()
    };
    assert_eq!(
        Event::from_stored(&future).unwrap_err().reason(),
        "EVENT_SCHEMA_VERSION_UNKNOWN"
    );
    let bad = StoredEvent {
        schema_version: 0,
        ..v1_report()
    };
    assert_eq!(
        Event::from_stored(&bad).unwrap_err().reason(),
        "EVENT_SCHEMA_VERSION_UNKNOWN"
    );
}

#[test]
fn absent_optional_dates_read_back_as_absent() {
    // Each pointer names an optional date; the samples all carry one, so null it and read back.
    let optional_dates = [
        ("CenterCertified", "/data/valid_until"),
        ("HospitalGradeAssessed", "/data/grade/valid_until"),
        ("AgreementSigned", "/data/end"),
    ];
    for (event_type, pointer) in optional_dates {
        let event = every_event_type()
            .into_iter()
            .find(|e| e.event_type() == event_type)
            .unwrap();
        let mut stored = serde_json::to_value(event.to_stored()).unwrap();
        *stored.pointer_mut(pointer).unwrap() = serde_json::Value::Null;
        let read: StoredEvent = serde_json::from_value(stored).unwrap();
        let decoded = Event::from_stored(&read)
            .unwrap_or_else(|e| panic!("{event_type} without {pointer}: {e}"));
        let again = serde_json::to_value(decoded.to_stored()).unwrap();
        assert_eq!(
            again.pointer(pointer),
            Some(&serde_json::Value::Null),
            "{event_type}"
        );
    }
}

#[test]
fn a_v1_alliance_reads_as_named_after_its_department() {
    // As written before alliances had names: schema 1, without the two fields.
    let mut data = Event::from(crate::hospital_alliance_rules::alliance())
        .to_stored()
        .data;
    let object = data.as_object_mut().unwrap();
    object.remove("specialty_name");
    object.remove("specialty_sub_code");
    let v1 = StoredEvent {
        event_type: "AllianceFormed".to_owned(),
        schema_version: 1,
        data,
    };
    let Event::AllianceFormed(alliance) = Event::from_stored(&v1).unwrap() else {
        panic!("wrong type")
    };
    assert_eq!(
        (&alliance.specialty_name, &alliance.specialty_sub_code),
        (&None, &None)
    );
    assert_eq!(alliance.name(), alliance.specialty.name());
    assert_eq!(Event::from(alliance).to_stored().schema_version, 2);
    // A version this server does not know is refused, never read with fields dropped.
    let future = StoredEvent {
        schema_version: 4,
        ..v1
    };
    assert_eq!(
        Event::from_stored(&future).unwrap_err().reason(),
        "EVENT_SCHEMA_VERSION_UNKNOWN"
    );
}

#[test]
fn a_v1_registration_reads_as_a_hospital_with_its_category() {
    // As written before organisations had kinds: schema 1, a category string and no kind.
    let mut data = Event::from(crate::hospital_alliance_rules::registered_hospital())
        .to_stored()
        .data;
    data.as_object_mut().unwrap().remove("kind");
    let v1 = StoredEvent {
        event_type: "HospitalRegistered".to_owned(),
        schema_version: 1,
        data,
    };
    let Event::HospitalRegistered(registered) = Event::from_stored(&v1).unwrap() else {
        panic!("wrong type")
    };
    assert_eq!(
        registered.kind,
        domain::aggregates::hospital::OrganisationKind::Hospital
    );
    assert_eq!(registered.category.as_deref(), Some("A100"));
    assert_eq!(Event::from(registered).to_stored().schema_version, 2);
}
