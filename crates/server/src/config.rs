//! The typed configuration and how it is assembled.
//!
//! Sources are merged in a fixed order, each overriding the one before: the defaults compiled in from
//! `deploy/config.default.toml`, an optional TOML file, `MEDAID_*` environment variables, then flags.
//! figment does the merging so that every error names the key and the source it came from.
//! The result is checked once by [`Config::validate`] and then passed down as a plain value.

#[cfg(test)]
mod tests;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub use validate::ConfigError;

/// The defaults, which also document every key.
pub const DEFAULT_TOML: &str = include_str!("../../../deploy/config.default.toml");

/// The prefix of environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "MEDAID_";

/// The top-level keys of [`Config`], in the order of its fields.
const TOP_LEVEL_KEYS: [&str; 12] = [
    "environment",
    "listen",
    "data_dir",
    "database_url",
    "auth",
    "tls",
    "limits",
    "telemetry",
    "server",
    "audit",
    "metrics",
    "relay",
];

/// Everything the server needs to know at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub environment: Environment,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// A PostgreSQL URL; `None` selects the embedded SQLite database in `data_dir`.
    /// It may hold a password, so it is a secret and never shows in `Debug`.
    pub database_url: Option<SecretString>,
    pub auth: AuthConfig,
    pub tls: TlsConfig,
    pub limits: LimitsConfig,
    pub telemetry: TelemetryConfig,
    pub server: ServerConfig,
    pub audit: AuditConfig,
    pub metrics: MetricsConfig,
    pub relay: RelayConfig,
}

/// Whether this is a development or a production deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub issuer: String,
    pub audience: String,
    pub leeway_secs: u64,
    pub dev_keys: bool,
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
}

/// A public key trusted to sign bearer tokens.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    pub id: String,
    pub algorithm: String,
    pub public_key_path: PathBuf,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub cert_path: Option<PathBuf>,
    pub key_path: Option<PathBuf>,
    pub client_ca_path: Option<PathBuf>,
    #[serde(default)]
    pub client_identities: Vec<ClientIdentityConfig>,
}

/// A client certificate identity and the principal it stands for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientIdentityConfig {
    /// A URI subject alternative name or a subject common name.
    pub identity: String,
    pub subject: String,
    pub roles: Vec<String>,
    pub scope: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    pub max_request_bytes: usize,
    pub request_timeout_ms: u64,
    pub store_timeout_ms: u64,
    pub max_in_flight: usize,
    pub max_queued: usize,
    pub queue_timeout_ms: u64,
    pub max_concurrent_streams: u32,
    pub default_page_size: u32,
    pub max_page_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    pub log_filter: String,
    pub service_name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub reflection: bool,
    pub health_probe_interval_ms: u64,
    pub drain_delay_ms: u64,
    pub grace_period_ms: u64,
}

/// Signed checkpoints: the log's origin, its signing key, and how often it signs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The checkpoint origin line and key name, such as `medaid.example.cn/log`.
    pub origin: String,
    /// A PKCS#8 PEM Ed25519 private key; unset uses the development key in `data_dir`.
    pub signing_key_path: Option<PathBuf>,
    /// When the current key started signing (RFC 3339), for the trust root; optional.
    pub signing_key_valid_from: Option<String>,
    pub checkpoint_interval_ms: u64,
    pub checkpoint_max_events: u64,
    /// Memory for the upper levels of the Merkle tree (MiB), which proofs read without a query.
    pub tree_cache_mib: u64,
    /// Keys that signed earlier checkpoints, kept in the trust root so old checkpoints still verify.
    #[serde(default)]
    pub retired_keys: Vec<RetiredKeyConfig>,
}

/// A checkpoint key no longer in use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredKeyConfig {
    /// The C2SP verifier key, `name+hexid+base64(0x01 ‖ key)`.
    pub verifier_key: String,
    /// RFC 3339 times.
    pub valid_from: Option<String>,
    pub valid_until: String,
}

/// Metrics: a Prometheus scrape endpoint and OTLP export (see `crate::metrics`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Where `GET /metrics` is served, on a port of its own; `None` serves no endpoint.
    pub listen: Option<SocketAddr>,
    /// How often metrics are pushed over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
    pub otlp_interval_ms: u64,
}

/// `medaid relay`: the NATS JetStream relay (crate `relay`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayConfig {
    pub nats_url: String,
    pub stream: String,
    pub subject_prefix: String,
    pub batch_size: usize,
    pub max_pending_acks: usize,
    pub duplicate_window_secs: u64,
}

impl RelayConfig {
    /// The relay crate's configuration.
    pub fn to_relay(&self) -> relay::RelayConfig {
        relay::RelayConfig {
            nats_url: self.nats_url.clone(),
            stream: self.stream.clone(),
            subject_prefix: self.subject_prefix.clone(),
            batch_size: self.batch_size,
            max_pending_acks: self.max_pending_acks,
            duplicate_window: Duration::from_secs(self.duplicate_window_secs),
            max_retry_backoff: Duration::from_secs(5),
        }
    }
}

/// Values given as command-line flags; they win over every other source.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    /// Loads the configuration from every source, reading the process environment, and validates it.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        Config::from_figment(Config::figment(file, Some(Config::env()), overrides))
    }

    /// The `MEDAID_*` environment variables that name configuration keys.
    ///
    /// Other variables share the prefix without being keys: `MEDAID_CONFIG` names the file itself
    /// (a clap flag) and `MEDAID_TEST_DATABASE_URL` belongs to the test suite. Only variables whose
    /// first segment is a top-level key are taken, so those pass by, while a misspelt nested key
    /// (`MEDAID_LIMITS__REQUEST_TIMEOUT`) is still refused by `deny_unknown_fields`.
    pub fn env() -> Env {
        Env::prefixed(ENV_PREFIX).split("__").filter(|key| {
            let top = key.as_str().split('.').next().unwrap_or_default();
            TOP_LEVEL_KEYS
                .iter()
                .any(|known| known.eq_ignore_ascii_case(top))
        })
    }

    /// The merged sources, before extraction; `env` is `None` in tests that must not see the process environment.
    pub fn figment(file: Option<&Path>, env: Option<Env>, overrides: &Overrides) -> Figment {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            // `Toml::file` silently skips a missing file; a named file that is absent is a mistake.
            figment = figment.merge(Toml::file_exact(path));
        }
        if let Some(env) = env {
            figment = figment.merge(env);
        }
        figment.merge(Serialized::globals(overrides))
    }

    /// Extracts and validates a configuration.
    pub fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Load(Box::new(e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Whether the server generates and trusts a development key pair in `data_dir`.
    pub fn uses_dev_keys(&self) -> bool {
        self.auth.keys.is_empty() && self.auth.dev_keys
    }
}

impl LimitsConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// How long a request waits for a database connection.
    pub fn store_timeout(&self) -> Duration {
        Duration::from_millis(self.store_timeout_ms)
    }
}

impl ServerConfig {
    pub fn health_probe_interval(&self) -> Duration {
        Duration::from_millis(self.health_probe_interval_ms)
    }

    pub fn drain_delay(&self) -> Duration {
        Duration::from_millis(self.drain_delay_ms)
    }

    pub fn grace_period(&self) -> Duration {
        Duration::from_millis(self.grace_period_ms)
    }
}
