//! The development key pair: generated on first start, kept in the data directory, trusted by the
//! server and used by `medaid dev-token`, so a newcomer can call the service without a token issuer.
//!
//! Production configurations refuse these keys (see `Config::validate`).

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};

use super::jwt::{Claims, TrustedKey};
use crate::config::AuthConfig;

/// The `kid` of tokens signed by the development key.
pub const DEV_KEY_ID: &str = "dev";

const DIR: &str = "dev-keys";
const PRIVATE_FILE: &str = "jwt-ed25519.pem";

/// Why the development key pair could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum DevKeyError {
    #[error("cannot access the development key in {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the development key in {path} is not a PKCS#8 Ed25519 private key; delete it to make a new one"
    )]
    Corrupt { path: PathBuf },
    #[error("cannot encode the development key")]
    Encode,
    #[error("cannot sign the token")]
    Sign(#[source] jsonwebtoken::errors::Error),
}

/// Loads the Ed25519 key `file` from the development key directory of `data_dir`, generating and
/// saving it (PKCS#8 PEM, readable by the owner only) first if it does not exist yet. Used for the
/// token key and the development checkpoint key.
///
/// Safe to race: `medaid serve` and `medaid dev-token` (or two servers) started together on a new
/// data folder all end up with the one key that was saved first. A new key is written to a file of
/// its own and then linked to its name, which fails if the name exists, so the key file is never
/// seen half-written and never replaced; the loser of the link reads the winner's key.
pub fn load_or_create_key(
    data_dir: &Path,
    file: &str,
) -> Result<(SigningKey, PathBuf), DevKeyError> {
    let dir = data_dir.join(DIR);
    let path = dir.join(file);
    if let Some(signing) = read_key(&path)? {
        return Ok((signing, path));
    }
    let signing = SigningKey::generate(&mut rand_core::OsRng);
    let pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| DevKeyError::Encode)?;
    std::fs::create_dir_all(&dir).map_err(|source| DevKeyError::Io {
        path: dir.clone(),
        source,
    })?;
    let draft = dir.join(format!(
        ".{file}.{}-{:016x}.new",
        std::process::id(),
        rand_core::RngCore::next_u64(&mut rand_core::OsRng)
    ));
    write_private(&draft, pem.as_bytes()).map_err(|source| DevKeyError::Io {
        path: draft.clone(),
        source,
    })?;
    let linked = std::fs::hard_link(&draft, &path);
    let _ = std::fs::remove_file(&draft);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "created development key");
            Ok((signing, path))
        }
        // Another process saved its key first: that one is the key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match read_key(&path)? {
            Some(winner) => Ok((winner, path)),
            None => Err(DevKeyError::Io {
                path,
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }),
        },
        // A file system without hard links: save it in place, refusing to replace a key.
        Err(_) => {
            write_private(&path, pem.as_bytes()).map_err(|source| DevKeyError::Io {
                path: path.clone(),
                source,
            })?;
            tracing::info!(path = %path.display(), "created development key");
            Ok((signing, path))
        }
    }
}

/// The key saved at `path`, or `None` if there is no such file.
fn read_key(path: &Path) -> Result<Option<SigningKey>, DevKeyError> {
    match std::fs::read_to_string(path) {
        Ok(pem) => SigningKey::from_pkcs8_pem(&pem)
            .map(Some)
            .map_err(|_| DevKeyError::Corrupt {
                path: path.to_owned(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DevKeyError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The development Ed25519 key pair.
pub struct DevKeyPair {
    signing: SigningKey,
    path: PathBuf,
}

impl DevKeyPair {
    /// Loads the key pair from `data_dir`, generating and saving it first if it does not exist yet.
    pub fn load_or_create(data_dir: &Path) -> Result<DevKeyPair, DevKeyError> {
        let (signing, path) = load_or_create_key(data_dir, PRIVATE_FILE)?;
        Ok(DevKeyPair { signing, path })
    }

    /// Generates a key pair that lives only in memory, for tests that need a second, untrusted key.
    pub fn ephemeral() -> DevKeyPair {
        DevKeyPair {
            signing: SigningKey::generate(&mut rand_core::OsRng),
            path: PathBuf::new(),
        }
    }

    /// Where the private key is stored.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The public half, as a key the token verifier trusts.
    pub fn trusted_key(&self) -> Result<TrustedKey, DevKeyError> {
        let pem = self
            .signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| DevKeyError::Encode)?;
        let key = DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|_| DevKeyError::Encode)?;
        Ok(TrustedKey {
            id: DEV_KEY_ID.to_owned(),
            algorithm: Algorithm::EdDSA,
            key,
        })
    }

    /// Signs `claims` as an EdDSA JWT with `kid = "dev"`.
    pub fn sign(&self, claims: &Claims) -> Result<String, DevKeyError> {
        let pem = self
            .signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| DevKeyError::Encode)?;
        let key = EncodingKey::from_ed_pem(pem.as_bytes()).map_err(DevKeyError::Sign)?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(DEV_KEY_ID.to_owned());
        jsonwebtoken::encode(&header, claims, &key).map_err(DevKeyError::Sign)
    }
}

/// What a development token should say.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub subject: String,
    pub roles: Vec<String>,
    pub scope: Vec<String>,
    pub ttl_secs: u64,
}

/// Builds the claims for a development token, issued now, for the configured issuer and audience.
pub fn claims_for(auth: &AuthConfig, request: &TokenRequest) -> Claims {
    let now = crate::clock::unix_seconds();
    Claims {
        sub: request.subject.clone(),
        iss: auth.issuer.clone(),
        aud: auth.audience.clone(),
        iat: now,
        exp: now.saturating_add(request.ttl_secs),
        roles: request.roles.clone(),
        scope: request.scope.clone(),
    }
}

/// Writes the private key readable by its owner only, so other users of a shared machine cannot mint tokens.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many creators racing on a fresh data folder agree on one key, and none fails.
    #[test]
    fn racing_creators_share_the_first_saved_key() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let keys: Vec<_> = std::thread::scope(|scope| {
                let racers: Vec<_> = (0..8)
                    .map(|_| scope.spawn(|| load_or_create_key(dir.path(), PRIVATE_FILE)))
                    .collect();
                racers
                    .into_iter()
                    .map(|racer| racer.join().unwrap().unwrap().0.to_bytes())
                    .collect()
            });
            assert!(keys.windows(2).all(|pair| pair[0] == pair[1]));
            let saved = load_or_create_key(dir.path(), PRIVATE_FILE).unwrap().0;
            assert_eq!(saved.to_bytes(), keys[0]);
            let files = std::fs::read_dir(dir.path().join(DIR)).unwrap().count();
            assert_eq!(files, 1, "no draft is left behind");
        }
    }
}
