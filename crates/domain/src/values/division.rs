//! Administrative division code (行政区划代码, GB/T 2260).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::problem::ValueProblem;

/// Province-level prefixes in use (mainland provinces, autonomous regions, municipalities, HK, MO, TW).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// The level a six-digit code designates: `620000` a province, `620400` a prefecture, `620422` a county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    Province,
    Prefecture,
    County,
}

impl fmt::Display for DivisionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Province => "province",
            Self::Prefecture => "prefecture",
            Self::County => "county",
        })
    }
}

/// A six-digit GB/T 2260 code. Codes change over time (民政部 revises them), so callers that need the
/// meaning at a date keep the date next to the code; the type only checks the form and the province.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(input: &str) -> Result<Self, ValueProblem> {
        let length = input.chars().count();
        if length != 6 || input.len() != 6 {
            return Err(ValueProblem::WrongLength {
                expected: 6,
                actual: length,
            });
        }
        if let Some((position, found)) =
            input.chars().enumerate().find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(ValueProblem::InvalidCharacter {
                position: position + 1,
                found,
            });
        }
        if !PROVINCES.contains(&&input[..2]) {
            return Err(ValueProblem::UnknownProvince {
                code: input.to_owned(),
            });
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> DivisionLevel {
        if &self.0[2..] == "0000" {
            DivisionLevel::Province
        } else if &self.0[4..] == "00" {
            DivisionLevel::Prefecture
        } else {
            DivisionLevel::County
        }
    }

    pub fn province(&self) -> DivisionCode {
        Self(format!("{}0000", &self.0[..2]))
    }

    /// The prefecture containing this code; `None` for a province code.
    pub fn prefecture(&self) -> Option<DivisionCode> {
        match self.level() {
            DivisionLevel::Province => None,
            DivisionLevel::Prefecture | DivisionLevel::County => {
                Some(Self(format!("{}00", &self.0[..4])))
            }
        }
    }

    /// The county itself when this is a county-level code.
    pub fn county(&self) -> Option<DivisionCode> {
        (self.level() == DivisionLevel::County).then(|| self.clone())
    }

    /// True when `other` lies inside (or is) this division.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        match self.level() {
            DivisionLevel::Province => self.0[..2] == other.0[..2],
            DivisionLevel::Prefecture => self.0[..4] == other.0[..4],
            DivisionLevel::County => self == other,
        }
    }

    /// Fails unless this code is of `expected` level.
    pub fn require_level(&self, expected: DivisionLevel) -> Result<(), ValueProblem> {
        if self.level() == expected {
            Ok(())
        } else {
            Err(ValueProblem::WrongDivisionLevel {
                code: self.0.clone(),
                expected: expected.to_string(),
                actual: self.level().to_string(),
            })
        }
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = ValueProblem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DivisionCode> for String {
    fn from(value: DivisionCode) -> Self {
        value.0
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
