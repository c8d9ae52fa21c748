//! A practitioner's personal data (name, gender, licence number) and its sealed form, the only form
//! that enters the log.
//!
//! The log is append-only and its Merkle leaves commit to the stored bytes, so personal data can be
//! forgotten only if the log never holds it in the clear (PIPL Art. 47; crypto-shredding): every
//! practitioner has a key of their own, kept outside the log, and the log holds the personal fields
//! sealed under that key with XChaCha20-Poly1305. Destroying the key makes every copy of the
//! ciphertext (events, exports, backups of the log) unreadable, while the events, their leaf hashes
//! and every proof stay exactly as they were.
//!
//! The functions here are pure: the key and the nonce are drawn by the caller (`app`), which also
//! keeps the keys. The associated data binds a sealed value to its practitioner's stream, so a
//! ciphertext copied into another practitioner's event does not open.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::Aead as _;
use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use super::ValidationError;
use super::problem::ValueProblem;
use super::text::check_text;

/// The bytes of a practitioner's key.
pub const KEY_LEN: usize = 32;
/// The bytes of a nonce: 192 bits, so that a nonce drawn at random never repeats under one key.
pub const NONCE_LEN: usize = 24;
/// The longest name (`RegisterPractitionerRequest.name`), in characters.
pub const MAX_PRACTITIONER_NAME: usize = 100;
/// The longest national practitioner licence number (医师执业证书编码), in characters.
pub const MAX_LICENCE_NUMBER: usize = 32;
/// The prefix of the sealed text: the format and the version of what is sealed.
const SEALED_PREFIX: &str = "xc20p1.";
/// The plain text is padded to a multiple of this many bytes before sealing, so that the length
/// of the ciphertext tells little about the length of the name.
const PAD_TO: usize = 64;
/// The longest sealed text accepted: the largest personal data, padded, with nonce and tag.
const MAX_SEALED_LEN: usize = 1024;

/// A gender as the practitioner registry (WS/T 790.8, GB/T 2261.1) records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    /// Recorded, but neither of the above (GB/T 2261.1 code 9, 未说明的性别).
    Unstated,
}

/// What is personal about a practitioner: sealed together, erased together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    pub name: String,
    pub gender: Option<Gender>,
    /// The national practitioner licence number (医师执业证书编码), when known.
    pub licence_number: Option<String>,
}

impl PersonalData {
    /// Checks the fields against the limits the API states; `field` prefixes nothing: the fields
    /// are the request's own (`name`, `licence_number`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("name", &self.name, MAX_PRACTITIONER_NAME)?;
        if let Some(number) = &self.licence_number {
            check_text("licence_number", number, MAX_LICENCE_NUMBER)?;
            if let Some((index, found)) = number
                .chars()
                .enumerate()
                .find(|(_, c)| !c.is_ascii_alphanumeric())
            {
                return Err(ValueProblem::InvalidCharacter {
                    position: index + 1,
                    found,
                }
                .at("licence_number"));
            }
        }
        Ok(())
    }

    /// The canonical bytes of the data (its JSON), which are sealed and which a keyed digest covers.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Personal data sealed under its practitioner's key: `xc20p1.` and the URL-safe base64 of the
/// nonce followed by the ciphertext and its tag. Only this form is ever written to the log.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SealedPersonalData(String);

impl SealedPersonalData {
    /// Checks the shape only (prefix, base64, length); whether it opens needs the key.
    pub fn parse(text: &str) -> Result<Self, ValueProblem> {
        let shape = || ValueProblem::OutOfRange {
            detail: "is not sealed personal data (xc20p1.<base64>)".to_owned(),
        };
        if text.len() > MAX_SEALED_LEN {
            return Err(ValueProblem::TooLong {
                max: MAX_SEALED_LEN,
                actual: text.chars().count(),
            });
        }
        let body = text.strip_prefix(SEALED_PREFIX).ok_or_else(shape)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| shape())?;
        if bytes.len() < NONCE_LEN + 16 {
            return Err(shape());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The ciphertext is not secret, but it is not worth printing in logs either.
impl fmt::Debug for SealedPersonalData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedPersonalData({} chars)", self.0.len())
    }
}

impl TryFrom<String> for SealedPersonalData {
    type Error = ValueProblem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SealedPersonalData> for String {
    fn from(value: SealedPersonalData) -> Self {
        value.0
    }
}

/// The associated data: the format and the stream of the practitioner the data belongs to.
fn associated_data(subject: &str) -> Vec<u8> {
    let mut aad = b"medaid-personal-v1\0".to_vec();
    aad.extend_from_slice(subject.as_bytes());
    aad
}

/// Seals `data` for the practitioner whose stream is `subject`, under `key` with `nonce` (which must
/// never be used twice with one key: draw it at random).
pub fn seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    subject: &str,
    data: &PersonalData,
) -> SealedPersonalData {
    let mut plain = data.canonical_bytes();
    // JSON ends at its closing brace; the spaces after it are padding that `open` ignores.
    let padded = plain.len().div_ceil(PAD_TO).max(1) * PAD_TO;
    plain.resize(padded, b' ');
    let cipher = XChaCha20Poly1305::new(key.into());
    let aad = associated_data(subject);
    let sealed = cipher
        .encrypt(
            &XNonce::from(*nonce),
            chacha20poly1305::aead::Payload {
                msg: &plain,
                aad: &aad,
            },
        )
        // Encryption fails only for messages of gigabytes.
        .unwrap_or_default();
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    SealedPersonalData(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Opens `sealed` with `key`; `None` when it does not open (another key, another subject, altered
/// bytes). A practitioner whose key was destroyed has no key to try: their data reads as erased.
pub fn open(key: &[u8], subject: &str, sealed: &SealedPersonalData) -> Option<PersonalData> {
    let body = sealed.0.strip_prefix(SEALED_PREFIX)?;
    let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
    let (nonce, ciphertext) = bytes.split_at_checked(NONCE_LEN)?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let cipher = XChaCha20Poly1305::new_from_slice(key).ok()?;
    let aad = associated_data(subject);
    let plain = cipher
        .decrypt(
            &XNonce::from(nonce),
            chacha20poly1305::aead::Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .ok()?;
    serde_json::from_slice(plain.trim_ascii_end()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> PersonalData {
        PersonalData {
            name: "胡文滕".to_owned(),
            gender: Some(Gender::Male),
            licence_number: Some("110620000123456".to_owned()),
        }
    }

    #[test]
    fn sealed_data_opens_only_with_its_key_and_subject() {
        let key = [7u8; KEY_LEN];
        let sealed = seal(&key, &[1u8; NONCE_LEN], "practitioner-p1", &data());
        assert!(!sealed.as_str().contains("胡文滕"));
        assert_eq!(open(&key, "practitioner-p1", &sealed), Some(data()));
        assert_eq!(open(&[8u8; KEY_LEN], "practitioner-p1", &sealed), None);
        assert_eq!(open(&key, "practitioner-p2", &sealed), None);
        assert_eq!(open(&key[..16], "practitioner-p1", &sealed), None);
        assert_eq!(SealedPersonalData::parse(sealed.as_str()), Ok(sealed));
    }

    #[test]
    fn names_of_different_lengths_seal_to_the_same_length() {
        let key = [7u8; KEY_LEN];
        let short = seal(
            &key,
            &[1u8; NONCE_LEN],
            "s",
            &PersonalData {
                name: "陈正".to_owned(),
                gender: None,
                licence_number: None,
            },
        );
        let long = seal(
            &key,
            &[1u8; NONCE_LEN],
            "s",
            &PersonalData {
                name: "欧阳文滕".to_owned(),
                gender: None,
                licence_number: None,
            },
        );
        assert_eq!(short.as_str().len(), long.as_str().len());
    }

    #[test]
    fn text_that_is_not_sealed_is_refused() {
        for text in ["", "胡文滕", "xc20p1.", "xc20p1.!!!", "xc20p1.AAAA"] {
            assert!(SealedPersonalData::parse(text).is_err(), "{text:?}");
        }
    }
}
