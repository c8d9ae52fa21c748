//! Unified social credit code (统一社会信用代码, GB 32100-2015).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::division::DivisionCode;
use super::problem::ValueProblem;

/// The 31 characters allowed by GB 32100, in value order (no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1 to 17 for the check character (3^i mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Weights of the eight body characters of the GB 11714 organisation code (positions 9 to 16).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// An 18-character code whose check character (position 18) and embedded organisation code check
/// character (position 17) are both verified. Positions 3 to 8 must be a GB/T 2260 code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, ValueProblem> {
        let bytes = input.as_bytes();
        let length = input.chars().count();
        if length != 18 || bytes.len() != 18 {
            return Err(ValueProblem::WrongLength {
                expected: 18,
                actual: length,
            });
        }
        let mut values = [0u32; 18];
        for (index, byte) in bytes.iter().enumerate() {
            values[index] = alphabet_value(*byte).ok_or(ValueProblem::InvalidCharacter {
                position: index + 1,
                found: char::from(*byte),
            })?;
        }
        if let Some(index) = bytes[2..8].iter().position(|b| !b.is_ascii_digit()) {
            return Err(ValueProblem::InvalidCharacter {
                position: index + 3,
                found: char::from(bytes[index + 2]),
            });
        }
        DivisionCode::parse(&input[2..8])?;
        let org_expected = organisation_check(&bytes[8..16]);
        if org_expected != char::from(bytes[16]) {
            return Err(ValueProblem::OrganisationCodeCheckMismatch {
                expected: org_expected,
                found: char::from(bytes[16]),
            });
        }
        let expected = check_character(&values[..17]);
        if expected != char::from(bytes[17]) {
            return Err(ValueProblem::CheckCharacterMismatch {
                expected,
                found: char::from(bytes[17]),
            });
        }
        Ok(Self(input.to_owned()))
    }

    /// Completes a 16-character prefix (registering authority, category, division, organisation code
    /// body) with both check characters. Test fixtures and seed scenarios use it to make valid codes.
    pub fn complete(prefix16: &str) -> Result<Self, ValueProblem> {
        let bytes = prefix16.as_bytes();
        if bytes.len() != 16 {
            return Err(ValueProblem::WrongLength {
                expected: 16,
                actual: prefix16.chars().count(),
            });
        }
        let org = organisation_check(&bytes[8..16]);
        let mut values = Vec::with_capacity(17);
        for (index, byte) in bytes
            .iter()
            .chain(std::iter::once(&(org as u8)))
            .enumerate()
        {
            values.push(alphabet_value(*byte).ok_or(ValueProblem::InvalidCharacter {
                position: index + 1,
                found: char::from(*byte),
            })?);
        }
        let check = check_character(&values);
        Self::parse(&format!("{prefix16}{org}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The GB/T 2260 code in positions 3 to 8: the division of the registering authority, which for
    /// public hospitals is where the hospital is. `scope()` derives provinces from it.
    pub fn division(&self) -> Option<DivisionCode> {
        DivisionCode::parse(&self.0[2..8]).ok()
    }
}

fn alphabet_value(byte: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|c| *c == byte)
        .and_then(|v| u32::try_from(v).ok())
}

fn check_character(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let index = (31 - sum % 31) % 31;
    char::from(ALPHABET[index as usize])
}

/// GB 11714: body characters are digits or letters (A = 10 ... Z = 35); check = 11 - (sum mod 11),
/// where 10 is written X and 11 is written 0.
fn organisation_check(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(b, w)| char::from(*b).to_digit(36).unwrap_or(0) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        digit => char::from_digit(digit, 10).unwrap_or('0'),
    }
}

impl TryFrom<String> for CreditCode {
    type Error = ValueProblem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CreditCode> for String {
    fn from(value: CreditCode) -> Self {
        value.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
