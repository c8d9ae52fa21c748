//! The `medaid` binary itself: `dev-token` reads the environment and prints only the token.

use std::process::Command;

use server::auth::dev_keys::DevKeyPair;
use server::auth::jwt::TokenVerifier;

#[test]
fn dev_token_prints_a_token_for_the_configured_audience() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_medaid"))
        .args([
            "dev-token",
            "--role",
            "recorder",
            "--scope",
            "62",
            "--subject",
            "newcomer",
            "--ttl",
            "5m",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("MEDAID_AUTH__AUDIENCE", "medaid-test")
        .env_remove("MEDAID_CONFIG")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.trim_end();
    assert_eq!(
        token.lines().count(),
        1,
        "only the token is printed: {stdout:?}"
    );

    let mut config = crate::common::test_config(dir.path());
    config.auth.audience = "medaid-test".into();
    let key = DevKeyPair::load_or_create(dir.path())
        .unwrap()
        .trusted_key()
        .unwrap();
    let principal = TokenVerifier::new(&config.auth, vec![key])
        .verify(token)
        .unwrap();
    assert_eq!(principal.subject, "newcomer");
    assert!(principal.has_role(app::Role::Recorder));
    assert!(principal.may_touch_province("620102"));

    // The default audience no longer matches, which shows the environment variable was read.
    config.auth.audience = "medaid".into();
    let key = DevKeyPair::load_or_create(dir.path())
        .unwrap()
        .trusted_key()
        .unwrap();
    assert!(
        TokenVerifier::new(&config.auth, vec![key])
            .verify(token)
            .is_err()
    );
}

#[test]
fn dev_token_refuses_production_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_medaid"))
        .args(["dev-token", "--role", "admin"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("MEDAID_ENVIRONMENT", "production")
        .env_remove("MEDAID_CONFIG")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("production") && stderr.contains("development keys"),
        "{stderr}"
    );
}
