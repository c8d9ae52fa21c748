//! The checkpoint signing key and the trust root built from the configuration.

use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ledger::format::{TrustRoot, TrustedKey};
use ledger::note::{NoteError, NoteSigner};

use crate::auth::dev_keys::{DevKeyError, load_or_create_key};
use crate::config::Config;

/// The file of the development checkpoint key inside the development key directory.
const DEV_CHECKPOINT_KEY: &str = "checkpoint-ed25519.pem";

/// Why the checkpoint key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointKeyError {
    #[error("cannot read the checkpoint signing key {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the checkpoint signing key {path} is not a PKCS#8 PEM Ed25519 private key")]
    NotEd25519 { path: PathBuf },
    #[error(transparent)]
    DevKey(#[from] DevKeyError),
    #[error("audit.origin cannot name a key")]
    Name(#[from] NoteError),
}

/// The signer of this server's checkpoints: the configured key, or the development key.
pub fn checkpoint_signer(config: &Config) -> Result<NoteSigner, CheckpointKeyError> {
    let key = match &config.audit.signing_key_path {
        Some(path) => {
            let pem = std::fs::read_to_string(path).map_err(|source| CheckpointKeyError::Read {
                path: path.clone(),
                source,
            })?;
            SigningKey::from_pkcs8_pem(&pem)
                .map_err(|_| CheckpointKeyError::NotEd25519 { path: path.clone() })?
        }
        None => {
            let (key, path) = load_or_create_key(&config.data_dir, DEV_CHECKPOINT_KEY)?;
            tracing::warn!(path = %path.display(), "signing checkpoints with the development key");
            key
        }
    };
    Ok(NoteSigner::new(&config.audit.origin, key)?)
}

fn micros(rfc3339: &str) -> Option<i64> {
    let parsed =
        time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
            .ok()?;
    i64::try_from(parsed.unix_timestamp_nanos() / 1_000).ok()
}

/// The trust root: the current key and every retired one, under the configured origin.
pub fn trust_root(config: &Config, signer: &NoteSigner) -> TrustRoot {
    let audit = &config.audit;
    let mut keys = vec![TrustedKey {
        name: signer.verifier().name().to_owned(),
        verifier_key: signer.verifier().encode(),
        valid_from_us: audit.signing_key_valid_from.as_deref().and_then(micros),
        valid_until_us: None,
    }];
    for retired in &audit.retired_keys {
        let name = retired
            .verifier_key
            .split('+')
            .next()
            .unwrap_or_default()
            .to_owned();
        keys.push(TrustedKey {
            name,
            verifier_key: retired.verifier_key.clone(),
            valid_from_us: retired.valid_from.as_deref().and_then(micros),
            valid_until_us: micros(&retired.valid_until),
        });
    }
    TrustRoot::new(&audit.origin, keys)
}
