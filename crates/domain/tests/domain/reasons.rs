//! Every reason code is UPPER_SNAKE and refused by at least one test in this binary.

const TEST_SOURCES: &[&str] = &[
    include_str!("program_rules.rs"),
    include_str!("pairing_rules.rs"),
    include_str!("agreement_batch_rules.rs"),
    include_str!("deployment_rules.rs"),
    include_str!("mentorship_rules.rs"),
    include_str!("technique_gap_rules.rs"),
    include_str!("hospital_alliance_rules.rs"),
    include_str!("study_activity_rules.rs"),
    include_str!("correction_rules.rs"),
    include_str!("practitioner_rules.rs"),
];

#[test]
fn reasons_are_upper_snake() {
    let reasons = domain::all_reasons();
    assert!(reasons.len() >= 80, "only {} reasons listed", reasons.len());
    for reason in reasons {
        assert!(
            reason.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
            "{reason}"
        );
    }
}

#[test]
fn every_reason_is_refused_by_a_test() {
    let missing: Vec<_> = domain::all_reasons()
        .into_iter()
        .filter(|reason| {
            !TEST_SOURCES
                .iter()
                .any(|source| source.contains(&format!("then_err(\"{reason}\")")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "reasons without a failing test: {missing:?}"
    );
}
