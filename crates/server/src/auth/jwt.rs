//! Bearer token verification: a JWT signed by a trusted key becomes a [`Principal`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use app::{Principal, Role, Scope};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::config::AuthConfig;

/// The claims medaid reads and writes. `iss`, `aud`, `exp` and `nbf` are checked by `jsonwebtoken` itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    /// Role names: `recorder`, `reader`, `auditor`, `admin`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Scope entries: two-digit province prefixes, organisation credit codes, or `*`.
    #[serde(default)]
    pub scope: Vec<String>,
}

/// The claims as read back; `aud` may be a string or a list, and the library has checked it already.
#[derive(Debug, Deserialize)]
struct ReadClaims {
    sub: String,
    /// Kept so that a cached verification expires with its token.
    exp: u64,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    scope: Vec<String>,
}

/// Why a token was not accepted. The variants are for logs; clients only learn the reason code.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token has expired")]
    Expired,
    #[error("token is not a well-formed JWT")]
    Malformed,
    #[error("no trusted key matches the token's kid and algorithm")]
    UnknownKey,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token claims are not acceptable: {0}")]
    Claims(String),
}

/// A public key that may sign tokens.
pub struct TrustedKey {
    pub id: String,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// Why a configured key could not be loaded at start-up.
#[derive(Debug, thiserror::Error)]
pub enum KeyLoadError {
    #[error("cannot read public key {id:?} from {path}")]
    Read {
        id: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("public key {id:?} in {path} is not a PEM {algorithm} public key")]
    Parse {
        id: String,
        path: PathBuf,
        algorithm: String,
        source: jsonwebtoken::errors::Error,
    },
    #[error("unsupported algorithm {0:?}")]
    Algorithm(String),
}

impl TrustedKey {
    /// Reads a PEM public key (SubjectPublicKeyInfo for Ed25519, PKCS#1 or SPKI for RSA).
    pub fn load(id: &str, algorithm: &str, path: PathBuf) -> Result<TrustedKey, KeyLoadError> {
        let alg: Algorithm = algorithm
            .parse()
            .map_err(|_| KeyLoadError::Algorithm(algorithm.to_owned()))?;
        let pem = std::fs::read(&path).map_err(|source| KeyLoadError::Read {
            id: id.to_owned(),
            path: path.clone(),
            source,
        })?;
        let key = match alg {
            Algorithm::EdDSA => DecodingKey::from_ed_pem(&pem),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => DecodingKey::from_rsa_pem(&pem),
            _ => return Err(KeyLoadError::Algorithm(algorithm.to_owned())),
        }
        .map_err(|source| KeyLoadError::Parse {
            id: id.to_owned(),
            path,
            algorithm: algorithm.to_owned(),
            source,
        })?;
        Ok(TrustedKey {
            id: id.to_owned(),
            algorithm: alg,
            key,
        })
    }
}

/// How many verified tokens are remembered. A client keeps one token for many calls, so a few
/// thousand cover every caller of a busy server; an evicted token is simply verified again.
const VERIFIED_TOKENS: usize = 4096;

/// Verifies bearer tokens against a fixed set of keys and the configured issuer and audience.
pub struct TokenVerifier {
    keys: Vec<TrustedKey>,
    issuer: String,
    audience: String,
    leeway_secs: u64,
    /// Tokens that verified, by their exact text, with what they proved. The keys, issuer and audience
    /// never change for a verifier's life, so a token that verified once verifies again until it
    /// expires; the signature check (the largest part of a read's CPU) is done once per token, not
    /// once per call. Only the expiry can change the answer, and it is checked on every hit.
    verified: quick_cache::sync::Cache<String, Verified>,
}

/// A token's verified principal and the last second (leeway included) it is accepted.
#[derive(Clone)]
struct Verified {
    principal: Principal,
    accepted_until: u64,
}

impl TokenVerifier {
    pub fn new(auth: &AuthConfig, keys: Vec<TrustedKey>) -> TokenVerifier {
        TokenVerifier {
            keys,
            issuer: auth.issuer.clone(),
            audience: auth.audience.clone(),
            leeway_secs: auth.leeway_secs,
            verified: quick_cache::sync::Cache::new(VERIFIED_TOKENS),
        }
    }

    /// Whether any key is trusted; without one every token is refused.
    pub fn has_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Checks the signature, issuer, audience and lifetime of `token` and reads its principal.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        self.verify_at(token, jsonwebtoken::get_current_timestamp())
    }

    /// [`Self::verify`] at `now` (seconds since the Unix epoch) for a token verified before; a token
    /// seen for the first time is checked in full against the clock.
    fn verify_at(&self, token: &str, now: u64) -> Result<Principal, TokenError> {
        if let Some(known) = self.verified.get(token) {
            // The same rule as `jsonwebtoken`'s: expired once `exp + leeway` has passed.
            if now > known.accepted_until {
                self.verified.remove(token);
                return Err(TokenError::Expired);
            }
            return Ok(known.principal);
        }
        let (principal, exp) = self.verify_in_full(token)?;
        self.verified.insert(
            token.to_owned(),
            Verified {
                principal: principal.clone(),
                accepted_until: exp.saturating_add(self.leeway_secs),
            },
        );
        Ok(principal)
    }

    /// The signature, claims and lifetime checks; the principal and the token's `exp`.
    fn verify_in_full(&self, token: &str) -> Result<(Principal, u64), TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        // A `kid` pins the key; without one, every key of the token's algorithm is tried.
        let candidates = self
            .keys
            .iter()
            .filter(|k| k.algorithm == header.alg)
            .filter(|k| header.kid.as_deref().is_none_or(|kid| kid == k.id));
        let mut last = TokenError::UnknownKey;
        for key in candidates {
            match jsonwebtoken::decode::<ReadClaims>(
                token,
                &key.key,
                &self.validation(key.algorithm),
            ) {
                Ok(data) => {
                    let exp = data.claims.exp;
                    return principal_from(data.claims).map(|principal| (principal, exp));
                }
                Err(e) => match e.kind() {
                    ErrorKind::InvalidSignature => last = TokenError::BadSignature,
                    ErrorKind::ExpiredSignature => return Err(TokenError::Expired),
                    ErrorKind::InvalidToken
                    | ErrorKind::Base64(_)
                    | ErrorKind::Json(_)
                    | ErrorKind::Utf8(_) => {
                        return Err(TokenError::Malformed);
                    }
                    other => return Err(TokenError::Claims(format!("{other:?}"))),
                },
            }
        }
        Err(last)
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut v = Validation::new(algorithm);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        v.leeway = self.leeway_secs;
        v.validate_nbf = true;
        v
    }
}

fn principal_from(claims: ReadClaims) -> Result<Principal, TokenError> {
    if claims.sub.trim().is_empty() {
        return Err(TokenError::Claims("empty subject".into()));
    }
    if claims.roles.is_empty() {
        return Err(TokenError::Claims("no roles".into()));
    }
    let roles = claims
        .roles
        .iter()
        .map(|r| r.parse::<Role>())
        .collect::<Result<BTreeSet<_>, _>>()
        .map_err(|e| TokenError::Claims(e.to_string()))?;
    let scope =
        Scope::from_entries(&claims.scope).map_err(|e| TokenError::Claims(e.to_string()))?;
    Ok(Principal {
        subject: claims.sub,
        roles,
        scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dev_keys::{DevKeyPair, TokenRequest, claims_for};

    fn auth() -> AuthConfig {
        AuthConfig {
            issuer: "medaid-test".into(),
            audience: "medaid".into(),
            leeway_secs: 30,
            dev_keys: true,
            keys: Vec::new(),
        }
    }

    fn token(keys: &DevKeyPair, subject: &str, ttl_secs: u64) -> String {
        let request = TokenRequest {
            subject: subject.into(),
            roles: vec!["auditor".into()],
            scope: vec!["*".into()],
            ttl_secs,
        };
        keys.sign(&claims_for(&auth(), &request)).unwrap()
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let keys = DevKeyPair::ephemeral();
        let verifier = TokenVerifier::new(&auth(), vec![keys.trusted_key().unwrap()]);
        let token = token(&keys, "auditor-1", 60);
        let now = jsonwebtoken::get_current_timestamp();
        assert_eq!(
            verifier.verify_at(&token, now).unwrap().subject,
            "auditor-1"
        );
        // Remembered: accepted again up to exp + leeway, refused one second later.
        let last = now + 60 + 30;
        assert!(verifier.verify_at(&token, last - 2).is_ok());
        assert!(matches!(
            verifier.verify_at(&token, last + 2),
            Err(TokenError::Expired)
        ));
    }

    #[test]
    fn each_token_keeps_its_own_principal_and_bad_ones_are_never_remembered() {
        let trusted = DevKeyPair::ephemeral();
        let stranger = DevKeyPair::ephemeral();
        let verifier = TokenVerifier::new(&auth(), vec![trusted.trusted_key().unwrap()]);
        let first = token(&trusted, "first", 600);
        let second = token(&trusted, "second", 600);
        assert_eq!(verifier.verify(&first).unwrap().subject, "first");
        assert_eq!(verifier.verify(&second).unwrap().subject, "second");
        assert_eq!(verifier.verify(&first).unwrap().subject, "first");
        let forged = token(&stranger, "first", 600);
        for _ in 0..2 {
            assert!(matches!(
                verifier.verify(&forged),
                Err(TokenError::BadSignature)
            ));
        }
        // A token altered after verification is a different text, checked in full.
        let mut altered = first.clone();
        altered.push('A');
        assert!(verifier.verify(&altered).is_err());
    }
}
