//! Start-up checks that the types alone cannot express, each with a message that names the key.

use std::collections::BTreeSet;

use app::{Role, Scope};
use secrecy::ExposeSecret;

use super::{Config, Environment};

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A source could not be read or a value has the wrong type; figment names the key and the source.
    #[error("cannot load configuration: {0}")]
    Load(#[source] Box<figment::Error>),
    /// A value is well-typed but not acceptable.
    #[error("invalid configuration: `{key}` {message}")]
    Invalid { key: &'static str, message: String },
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

/// The algorithms accepted for `[[auth.keys]]`: asymmetric only, so the server never holds a signing secret.
pub(crate) const KEY_ALGORITHMS: [&str; 7] = [
    "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
];

impl Config {
    /// Checks the values together; called once by [`Config::from_figment`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_database()?;
        self.validate_auth()?;
        self.validate_tls()?;
        self.validate_limits()?;
        self.validate_audit()?;
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty"));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(&self.telemetry.log_filter) {
            return Err(invalid(
                "telemetry.log_filter",
                format!("is not a valid filter: {e}"),
            ));
        }
        if self.telemetry.service_name.trim().is_empty() {
            return Err(invalid("telemetry.service_name", "must not be empty"));
        }
        self.validate_metrics_and_relay()?;
        if self.server.health_probe_interval_ms == 0 {
            return Err(invalid(
                "server.health_probe_interval_ms",
                "must be greater than 0",
            ));
        }
        Ok(())
    }

    fn validate_audit(&self) -> Result<(), ConfigError> {
        let audit = &self.audit;
        let origin = &audit.origin;
        if origin.is_empty() || origin.contains('+') || origin.chars().any(char::is_whitespace) {
            return Err(invalid(
                "audit.origin",
                "must be non-empty, without whitespace or '+' (it is also the key name)",
            ));
        }
        if self.environment == Environment::Production && audit.signing_key_path.is_none() {
            return Err(invalid(
                "audit.signing_key_path",
                "must be set in production; the development checkpoint key is refused",
            ));
        }
        if audit.checkpoint_interval_ms == 0 || audit.checkpoint_max_events == 0 {
            return Err(invalid(
                "audit.checkpoint_interval_ms",
                "and audit.checkpoint_max_events must be greater than 0",
            ));
        }
        let times = audit
            .signing_key_valid_from
            .iter()
            .chain(audit.retired_keys.iter().flat_map(|k| k.valid_from.iter()))
            .chain(audit.retired_keys.iter().map(|k| &k.valid_until));
        for value in times {
            if time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
                .is_err()
            {
                return Err(invalid(
                    "audit",
                    format!("key validity {value:?} is not an RFC 3339 time"),
                ));
            }
        }
        for key in &audit.retired_keys {
            if ledger::note::NoteVerifier::parse(&key.verifier_key).is_err() {
                return Err(invalid(
                    "audit.retired_keys",
                    format!("{:?} is not a C2SP verifier key", key.verifier_key),
                ));
            }
        }
        Ok(())
    }

    fn validate_metrics_and_relay(&self) -> Result<(), ConfigError> {
        if self.metrics.otlp_interval_ms == 0 {
            return Err(invalid(
                "metrics.otlp_interval_ms",
                "must be greater than 0",
            ));
        }
        let relay = &self.relay;
        let name_ok = !relay.stream.is_empty()
            && relay
                .stream
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(invalid(
                "relay.stream",
                "must be ASCII letters, digits, `_` or `-` (a JetStream stream name)",
            ));
        }
        let prefix_ok = !relay.subject_prefix.is_empty()
            && relay.subject_prefix.split('.').all(|token| {
                !token.is_empty()
                    && token
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        if !prefix_ok {
            return Err(invalid(
                "relay.subject_prefix",
                "must be dot-separated tokens of ASCII letters, digits, `_` or `-`, without wildcards",
            ));
        }
        if relay.batch_size == 0 || relay.batch_size > 10_000 {
            return Err(invalid("relay.batch_size", "must be between 1 and 10000"));
        }
        if relay.max_pending_acks == 0 || relay.max_pending_acks > 100_000 {
            return Err(invalid(
                "relay.max_pending_acks",
                "must be between 1 and 100000",
            ));
        }
        if relay.duplicate_window_secs == 0 {
            return Err(invalid(
                "relay.duplicate_window_secs",
                "must be greater than 0",
            ));
        }
        Ok(())
    }

    fn validate_database(&self) -> Result<(), ConfigError> {
        let Some(url) = &self.database_url else {
            return Ok(());
        };
        // The URL may carry a password, so the message never repeats it.
        let url = url.expose_secret();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(invalid(
                "database_url",
                "must be a postgres:// or postgresql:// URL; leave it unset for embedded SQLite",
            ));
        }
        Ok(())
    }

    fn validate_auth(&self) -> Result<(), ConfigError> {
        let auth = &self.auth;
        if auth.issuer.trim().is_empty() {
            return Err(invalid("auth.issuer", "must not be empty"));
        }
        if auth.audience.trim().is_empty() {
            return Err(invalid("auth.audience", "must not be empty"));
        }
        let mut ids = BTreeSet::new();
        for key in &auth.keys {
            if key.id.trim().is_empty() {
                return Err(invalid("auth.keys.id", "must not be empty"));
            }
            if !ids.insert(key.id.as_str()) {
                return Err(invalid(
                    "auth.keys.id",
                    format!("{:?} is used by more than one key", key.id),
                ));
            }
            if !KEY_ALGORITHMS.contains(&key.algorithm.as_str()) {
                return Err(invalid(
                    "auth.keys.algorithm",
                    format!(
                        "{:?} of key {:?} is not one of {}",
                        key.algorithm,
                        key.id,
                        KEY_ALGORITHMS.join(", ")
                    ),
                ));
            }
        }
        if self.environment == Environment::Production && self.uses_dev_keys() {
            return Err(invalid(
                "auth.dev_keys",
                "environment = \"production\" refuses development keys: configure [[auth.keys]] \
                 (or set auth.dev_keys = false to accept client certificates only)",
            ));
        }
        Ok(())
    }

    fn validate_tls(&self) -> Result<(), ConfigError> {
        let tls = &self.tls;
        if tls.cert_path.is_some() != tls.key_path.is_some() {
            return Err(invalid(
                "tls.cert_path",
                "and tls.key_path must be set together",
            ));
        }
        if tls.client_ca_path.is_some() && tls.cert_path.is_none() {
            return Err(invalid(
                "tls.client_ca_path",
                "needs tls.cert_path and tls.key_path (mTLS runs over TLS)",
            ));
        }
        if !tls.client_identities.is_empty() && tls.client_ca_path.is_none() {
            return Err(invalid(
                "tls.client_identities",
                "needs tls.client_ca_path, or no client certificate could ever be presented",
            ));
        }
        let mut seen = BTreeSet::new();
        for entry in &tls.client_identities {
            if entry.identity.trim().is_empty() || entry.subject.trim().is_empty() {
                return Err(invalid(
                    "tls.client_identities",
                    "identity and subject must not be empty",
                ));
            }
            if !seen.insert(entry.identity.as_str()) {
                return Err(invalid(
                    "tls.client_identities.identity",
                    format!("{:?} is listed more than once", entry.identity),
                ));
            }
            if entry.roles.is_empty() {
                return Err(invalid(
                    "tls.client_identities.roles",
                    format!("of {:?} must not be empty", entry.identity),
                ));
            }
            for role in &entry.roles {
                role.parse::<Role>().map_err(|e| {
                    invalid(
                        "tls.client_identities.roles",
                        format!("of {:?}: {e}", entry.identity),
                    )
                })?;
            }
            Scope::from_entries(&entry.scope).map_err(|e| {
                invalid(
                    "tls.client_identities.scope",
                    format!("of {:?}: {e}", entry.identity),
                )
            })?;
        }
        Ok(())
    }

    fn validate_limits(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        let positive: [(&'static str, u64); 6] = [
            ("limits.max_request_bytes", l.max_request_bytes as u64),
            ("limits.request_timeout_ms", l.request_timeout_ms),
            ("limits.store_timeout_ms", l.store_timeout_ms),
            ("limits.max_in_flight", l.max_in_flight as u64),
            (
                "limits.max_concurrent_streams",
                u64::from(l.max_concurrent_streams),
            ),
            ("limits.default_page_size", u64::from(l.default_page_size)),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(invalid(key, "must be greater than 0"));
        }
        if l.max_page_size < l.default_page_size {
            return Err(invalid(
                "limits.max_page_size",
                format!(
                    "({}) must be at least limits.default_page_size ({})",
                    l.max_page_size, l.default_page_size
                ),
            ));
        }
        Ok(())
    }
}
