//! Command-line interface: `medaid serve`, `medaid dev-token` and `medaid relay` (the same flags
//! as `serve`: it reads the same database).

use std::net::SocketAddr;
use std::path::PathBuf;

use app::{Role, Scope};
use clap::{Args, Parser, Subcommand};

use crate::auth::dev_keys::{DevKeyError, DevKeyPair, TokenRequest, claims_for};
use crate::config::{Config, ConfigError, Environment, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "medaid",
    version,
    about = "The record service for China's team-based medical aid"
)]
pub struct Cli {
    /// A TOML file overriding the defaults (see deploy/config.default.toml).
    #[arg(long, global = true, env = "MEDAID_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve gRPC (embedded SQLite in the data directory unless a PostgreSQL URL is given).
    Serve(ServeArgs),
    /// Print a token signed by the development key, for local calls.
    DevToken(DevTokenArgs),
    /// Publish every event of the log, in order, to the NATS JetStream stream of `[relay]`.
    Relay(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on [default: 127.0.0.1:50051].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Where the SQLite database and development keys live [default: ./medaid-data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A postgres:// URL selects PostgreSQL (also MEDAID_DATABASE_URL).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

impl ServeArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct DevTokenArgs {
    /// A role to grant: recorder, reader, auditor or admin. Repeat or separate with commas.
    #[arg(long = "role", required = true, value_delimiter = ',')]
    pub roles: Vec<String>,
    /// Scope entries: "*", two-digit province prefixes such as 62, or credit codes. Repeat or separate with commas.
    #[arg(long, value_delimiter = ',', default_value = "*")]
    pub scope: Vec<String>,
    /// The token's subject.
    #[arg(long, default_value = "developer")]
    pub subject: String,
    /// How long the token is valid: seconds, or a number with s, m, h or d.
    #[arg(long, default_value = "12h", value_parser = parse_ttl)]
    pub ttl: u64,
    /// The data directory holding the development key [default: ./medaid-data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DevTokenArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            ..Overrides::default()
        }
    }
}

/// Why `medaid dev-token` could not mint a token.
#[derive(Debug, thiserror::Error)]
pub enum DevTokenError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("development tokens are refused when environment = \"production\"")]
    Production,
    #[error(
        "the server trusts [[auth.keys]], not the development key, so a development token would be refused"
    )]
    KeysConfigured,
    #[error("development keys are disabled (auth.dev_keys = false)")]
    Disabled,
    #[error(transparent)]
    Role(#[from] app::UnknownRole),
    #[error(transparent)]
    Scope(#[from] app::ScopeError),
    #[error(transparent)]
    Key(#[from] DevKeyError),
}

/// Mints a development token for `config`, creating the key pair if the server has not yet.
pub fn dev_token(config: &Config, args: &DevTokenArgs) -> Result<String, DevTokenError> {
    if config.environment == Environment::Production {
        return Err(DevTokenError::Production);
    }
    if !config.auth.keys.is_empty() {
        return Err(DevTokenError::KeysConfigured);
    }
    if !config.uses_dev_keys() {
        return Err(DevTokenError::Disabled);
    }
    // Checking here gives a clear message now instead of a bare TOKEN_INVALID from the server later.
    for role in &args.roles {
        role.parse::<Role>()?;
    }
    Scope::from_entries(&args.scope)?;
    let pair = DevKeyPair::load_or_create(&config.data_dir)?;
    let request = TokenRequest {
        subject: args.subject.clone(),
        roles: args.roles.clone(),
        scope: args.scope.clone(),
        ttl_secs: args.ttl,
    };
    Ok(pair.sign(&claims_for(&config.auth, &request))?)
}

/// Parses "90", "90s", "15m", "12h" or "7d" into seconds.
pub fn parse_ttl(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90s, 15m, 12h or 7d"))?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "unknown unit {unit:?} in {text:?}: use s, m, h or d"
            ));
        }
    };
    match value.checked_mul(factor) {
        Some(0) | None => Err(format!(
            "{text:?} must be a positive duration of reasonable length"
        )),
        Some(secs) => Ok(secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("90"), Ok(90));
        assert_eq!(parse_ttl("15m"), Ok(900));
        assert_eq!(parse_ttl("12h"), Ok(43_200));
        assert_eq!(parse_ttl("7d"), Ok(604_800));
        assert!(parse_ttl("0s").is_err());
        assert!(parse_ttl("1w").is_err());
        assert!(parse_ttl("h").is_err());
    }

    #[test]
    fn cli_parses_both_subcommands() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::parse_from([
            "medaid",
            "dev-token",
            "--role",
            "recorder,reader",
            "--scope",
            "62",
        ]);
        let Command::DevToken(args) = cli.command else {
            panic!("expected dev-token")
        };
        assert_eq!(args.roles, ["recorder", "reader"]);
        assert_eq!(args.ttl, 43_200);
    }
}
