//! The defaults parse, every file in `deploy/` parses, and bad values are refused with a message naming the key.

use std::path::Path;

use figment::providers::{Format, Toml};
use secrecy::ExposeSecret;

use super::*;

fn load(extra: &str) -> Result<Config, ConfigError> {
    Config::from_figment(
        Config::figment(None, None, &Overrides::default()).merge(Toml::string(extra)),
    )
}

fn error(extra: &str) -> String {
    load(extra).unwrap_err().to_string()
}

#[test]
fn the_compiled_in_defaults_are_valid() {
    let config = load("").unwrap();
    assert_eq!(config.environment, Environment::Development);
    assert_eq!(config.listen, "127.0.0.1:50051".parse().unwrap());
    assert_eq!(config.data_dir, Path::new("./medaid-data"));
    assert!(config.database_url.is_none());
    assert!(config.uses_dev_keys());
    assert!(config.server.reflection);
    assert_eq!(config.limits.max_page_size, 1000);
}

#[test]
fn every_toml_file_in_deploy_parses() {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    for entry in std::fs::read_dir(deploy).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            Config::from_figment(Config::figment(Some(&path), None, &Overrides::default()))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

#[test]
fn flags_override_the_file_and_the_file_overrides_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("medaid.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:7000\"\n[limits]\nmax_page_size = 50\ndefault_page_size = 10",
    )
    .unwrap();
    let overrides = Overrides {
        listen: Some("0.0.0.0:6000".parse().unwrap()),
        database_url: Some("postgres://u:p@db/medaid".into()),
        data_dir: None,
    };
    let config = Config::from_figment(Config::figment(Some(&file), None, &overrides)).unwrap();
    assert_eq!(config.listen.port(), 6000);
    assert_eq!(config.limits.max_page_size, 50);
    assert_eq!(
        config.database_url.unwrap().expose_secret(),
        "postgres://u:p@db/medaid"
    );
    let missing = Config::from_figment(Config::figment(
        Some(&dir.path().join("absent.toml")),
        None,
        &overrides,
    ));
    assert!(missing.unwrap_err().to_string().contains("absent.toml"));
}

#[test]
fn the_database_url_is_not_printed() {
    let config = load("database_url = \"postgres://medaid:hunter2@db/medaid\"").unwrap();
    assert!(!format!("{config:?}").contains("hunter2"));
    let message = error("database_url = \"mysql://medaid:hunter2@db/medaid\"");
    assert!(
        message.contains("database_url") && !message.contains("hunter2"),
        "{message}"
    );
}

#[test]
fn bad_configurations_are_refused_with_the_key_named() {
    let cases = [
        ("listen = \"not an address\"", "listen"),
        ("unknown_key = 1", "unknown_key"),
        ("environment = \"staging\"", "environment"),
        ("environment = \"production\"", "development keys"),
        ("[limits]\nmax_page_size = 10", "limits.max_page_size"),
        (
            "[limits]\nrequest_timeout_ms = 0",
            "limits.request_timeout_ms",
        ),
        ("[auth]\nissuer = \"\"", "auth.issuer"),
        (
            "[[auth.keys]]\nid = \"k\"\nalgorithm = \"HS256\"\npublic_key_path = \"k.pem\"",
            "auth.keys.algorithm",
        ),
        ("[tls]\ncert_path = \"server.crt\"", "tls.cert_path"),
        (
            "[tls]\ncert_path = \"a\"\nkey_path = \"b\"\n[[tls.client_identities]]\nidentity = \"cn\"\nsubject = \"s\"\nroles = [\"reader\"]\nscope = [\"62\"]",
            "tls.client_identities",
        ),
        (
            "[tls]\ncert_path = \"a\"\nkey_path = \"b\"\nclient_ca_path = \"c\"\n[[tls.client_identities]]\nidentity = \"cn\"\nsubject = \"s\"\nroles = [\"root\"]\nscope = [\"62\"]",
            "unknown role",
        ),
        (
            "[tls]\ncert_path = \"a\"\nkey_path = \"b\"\nclient_ca_path = \"c\"\n[[tls.client_identities]]\nidentity = \"cn\"\nsubject = \"s\"\nroles = [\"reader\"]\nscope = [\"620000\"]",
            "invalid scope entry",
        ),
        (
            "[telemetry]\nlog_filter = \"info,=[\"",
            "telemetry.log_filter",
        ),
    ];
    for (toml, expected) in cases {
        let message = error(toml);
        assert!(
            message.contains(expected),
            "config {toml:?} gave {message:?}, expected it to mention {expected:?}"
        );
    }
}

#[test]
fn production_with_keys_and_no_dev_keys_is_accepted() {
    let config = load(
        "environment = \"production\"\n[[auth.keys]]\nid = \"k\"\nalgorithm = \"EdDSA\"\npublic_key_path = \"k.pem\"\n[audit]\nsigning_key_path = \"c.pem\"",
    )
    .unwrap();
    assert!(!config.uses_dev_keys());
}

#[test]
fn production_without_a_checkpoint_key_and_bad_origins_are_refused() {
    for (toml, expected) in [
        (
            "environment = \"production\"\n[[auth.keys]]\nid = \"k\"\nalgorithm = \"EdDSA\"\npublic_key_path = \"k.pem\"",
            "audit.signing_key_path",
        ),
        ("[audit]\norigin = \"has space\"", "audit.origin"),
        ("[audit]\norigin = \"a+b\"", "audit.origin"),
        ("[audit]\ncheckpoint_max_events = 0", "audit.checkpoint"),
        (
            "[audit]\nsigning_key_valid_from = \"yesterday\"",
            "RFC 3339",
        ),
    ] {
        let message = error(toml);
        assert!(message.contains(expected), "{toml:?} gave {message:?}");
    }
}

#[test]
#[expect(
    clippy::result_large_err,
    reason = "figment::Jail fixes the closure's error type to figment::Error"
)]
fn environment_variables_that_are_not_keys_pass_by_and_misspelt_keys_are_refused() {
    figment::Jail::expect_with(|jail| {
        // CI exports the test suite's own variable next to the server's; it must not stop the server.
        jail.set_env(
            "MEDAID_TEST_DATABASE_URL",
            "postgres://postgres@127.0.0.1/test",
        );
        jail.set_env("MEDAID_CONFIG", "/nonexistent.toml");
        jail.set_env("MEDAID_LIMITS__REQUEST_TIMEOUT_MS", "4321");
        let figment = Config::figment(None, Some(Config::env()), &Overrides::default());
        let config = Config::from_figment(figment).map_err(|e| e.to_string())?;
        assert_eq!(config.limits.request_timeout_ms, 4321);

        jail.set_env("MEDAID_LIMITS__REQUEST_TIMEOUT", "4321");
        let figment = Config::figment(None, Some(Config::env()), &Overrides::default());
        let refused = Config::from_figment(figment).unwrap_err().to_string();
        assert!(refused.contains("request_timeout"), "{refused}");
        Ok(())
    });
}
