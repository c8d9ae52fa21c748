//! Identifiers of aggregates and the stream ids that address them in the log.
//!
//! Convention: stream id = `category-id`; the category is lowercase ASCII `[a-z][a-z0-9_]*`, the id
//! uses `[A-Za-z0-9_.:@-]`, and the whole stream id is at most 128 ASCII characters.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::credit_code::CreditCode;
use super::problem::ValueProblem;

/// Longest stream id the log accepts.
pub const MAX_STREAM_ID_LEN: usize = 128;

/// True when `stream_id` follows the naming convention.
pub fn is_valid_stream_id(stream_id: &str) -> bool {
    let Some((category, id)) = stream_id.split_once('-') else {
        return false;
    };
    let mut category_chars = category.chars();
    let category_ok = category_chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        && category_chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    stream_id.len() <= MAX_STREAM_ID_LEN
        && category_ok
        && !id.is_empty()
        && id.chars().all(is_id_char)
}

/// The category part of a stream id (`pairing` for `pairing-0190...`).
pub fn stream_category(stream_id: &str) -> Option<&str> {
    stream_id.split_once('-').map(|(category, _)| category)
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '@' | '-')
}

/// An aggregate's id read back from the id part of its stream id (after `category-`): the inverse
/// of `stream_id`, so that a request naming a stream by its id (a retraction) reaches the aggregate.
pub trait StreamKey: Sized {
    /// The category part of the aggregate's stream ids.
    const CATEGORY: &'static str;

    /// The stream id, `category-key`.
    fn stream_id(&self) -> String;

    /// Parses the key part. A key that parses is not yet known to round-trip: callers compare
    /// `stream_id()` with what they were given, so a normalised neighbour is not taken for it.
    fn parse_key(key: &str) -> Result<Self, ValueProblem>;
}

/// A key part that is not of the shape its category expects.
pub fn malformed_key(category: &str, key: &str) -> ValueProblem {
    ValueProblem::OutOfRange {
        detail: format!(
            "{} is not the key of a {category} stream",
            super::text::excerpt(key)
        ),
    }
}

fn uuid_key(category: &str, key: &str) -> Result<Uuid, ValueProblem> {
    Uuid::parse_str(key).map_err(|_| malformed_key(category, key))
}

/// Splits a compound key `head.tail` at its first dot.
fn split_key<'a>(category: &str, key: &'a str) -> Result<(&'a str, &'a str), ValueProblem> {
    key.split_once('.')
        .ok_or_else(|| malformed_key(category, key))
}

/// Implements [`StreamKey`] with the type's own `CATEGORY` and `stream_id`.
macro_rules! stream_key {
    ($name:ty, |$key:ident| $parse:expr) => {
        impl StreamKey for $name {
            const CATEGORY: &'static str = <$name>::CATEGORY;

            fn stream_id(&self) -> String {
                <$name>::stream_id(self)
            }

            fn parse_key($key: &str) -> Result<Self, ValueProblem> {
                $parse
            }
        }
    };
}

/// Declares a UUID-keyed aggregate id with its stream category.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $category:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub const CATEGORY: &'static str = $category;

            pub fn stream_id(&self) -> String {
                format!("{}-{}", Self::CATEGORY, self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        stream_key!($name, |key| uuid_key($category, key).map(Self));
    };
}

uuid_id!(/// A program (项目), e.g. 组团式援疆.
    ProgramId, "program");
uuid_id!(/// A pairing (结对) between supporting organisations and a recipient.
    PairingId, "pairing");
uuid_id!(/// An agreement or target-responsibility letter.
    AgreementId, "agreement");
uuid_id!(/// One member's on-site term.
    DeploymentId, "deployment");
uuid_id!(/// One mentor-apprentice pair (师带徒).
    MentorshipId, "mentorship");
uuid_id!(/// A specialty alliance (专科联盟).
    AllianceId, "alliance");
uuid_id!(/// A co-built platform (共建科室, 培训基地, 工作室...).
    PlatformId, "platform");
uuid_id!(/// One advanced-study stay (进修).
    StudyId, "study");
uuid_id!(/// One assessment (考核).
    AssessmentId, "assessment");

/// Declares a short key restricted to `[a-z0-9_]` so that it can sit between dots in a stream id.
macro_rules! slug_key {
    ($(#[$doc:meta])* $name:ident, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, ValueProblem> {
                if input.is_empty() {
                    return Err(ValueProblem::Empty);
                }
                if input.len() > $max {
                    return Err(ValueProblem::TooLong { max: $max, actual: input.chars().count() });
                }
                if let Some((index, found)) = input
                    .chars()
                    .enumerate()
                    .find(|(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
                {
                    return Err(ValueProblem::InvalidCharacter { position: index + 1, found });
                }
                Ok(Self(input.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueProblem;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_key!(/// A technique key such as `vats_wedge_resection`; the same key names the same technique everywhere.
    TechniqueKey, 48);
slug_key!(/// A custom region such as `southern_xinjiang` (南疆), for gap levels without a GB/T 2260 code.
    RegionKey, 32);
slug_key!(/// The reporting period of an activity ledger, e.g. `2016` or `2021_2022`.
    PeriodKey, 24);
slug_key!(/// An indicator code of a program's indicator set, e.g. `new_techniques`.
    IndicatorCode, 48);

/// A practitioner, by an opaque registry id (e.g. the provincial platform's personnel index).
/// Names enter the log only sealed, in the practitioner's own stream (`PractitionerRegistered`):
/// the id is enough for every rule, and the directory answers the name while the key exists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PractitionerId(String);

impl PractitionerId {
    /// The directory entry of a practitioner: stream `practitioner-<id>`.
    pub const CATEGORY: &'static str = "practitioner";

    pub fn stream_id(&self) -> String {
        format!("{}-{}", Self::CATEGORY, self.0)
    }

    pub fn parse(input: &str) -> Result<Self, ValueProblem> {
        if input.is_empty() {
            return Err(ValueProblem::Empty);
        }
        if input.len() > 64 {
            return Err(ValueProblem::TooLong {
                max: 64,
                actual: input.chars().count(),
            });
        }
        if let Some((index, found)) = input.chars().enumerate().find(|(_, c)| !is_id_char(*c)) {
            return Err(ValueProblem::InvalidCharacter {
                position: index + 1,
                found,
            });
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PractitionerId {
    type Error = ValueProblem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PractitionerId> for String {
    fn from(value: PractitionerId) -> Self {
        value.0
    }
}

impl fmt::Display for PractitionerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A numbered batch (第N批) of one pairing: stream `batch-<pairing>.<n>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BatchId {
    pub pairing: PairingId,
    pub number: u32,
}

impl BatchId {
    pub const CATEGORY: &'static str = "batch";

    pub fn stream_id(&self) -> String {
        format!("{}-{}.{}", Self::CATEGORY, self.pairing.0, self.number)
    }

    /// The batch before this one, which must exist before this one is dispatched.
    pub fn previous(&self) -> Option<BatchId> {
        self.number
            .checked_sub(1)
            .filter(|n| *n >= 1)
            .map(|number| BatchId {
                pairing: self.pairing,
                number,
            })
    }
}

/// A hospital (or any registered organisation) addressed by its credit code: stream `hospital-<code>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HospitalId(pub CreditCode);

impl HospitalId {
    pub const CATEGORY: &'static str = "hospital";

    pub fn stream_id(&self) -> String {
        format!("{}-{}", Self::CATEGORY, self.0)
    }
}

/// A technique at one hospital: stream `technique-<credit code>.<technique key>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TechniqueAtHospitalId {
    pub hospital: CreditCode,
    pub technique: TechniqueKey,
}

impl TechniqueAtHospitalId {
    pub const CATEGORY: &'static str = "technique";

    pub fn stream_id(&self) -> String {
        format!("{}-{}.{}", Self::CATEGORY, self.hospital, self.technique)
    }
}

/// The activity ledger of one pairing for one reporting period: stream `activity-<pairing>.<period>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ActivityLedgerId {
    pub pairing: PairingId,
    pub period: PeriodKey,
}

impl ActivityLedgerId {
    pub const CATEGORY: &'static str = "activity";

    pub fn stream_id(&self) -> String {
        format!("{}-{}.{}", Self::CATEGORY, self.pairing.0, self.period)
    }
}

stream_key!(BatchId, |key| {
    let (pairing, number) = split_key(Self::CATEGORY, key)?;
    Ok(Self {
        pairing: PairingId(uuid_key(Self::CATEGORY, pairing)?),
        number: number
            .parse()
            .map_err(|_| malformed_key(Self::CATEGORY, key))?,
    })
});

stream_key!(HospitalId, |key| CreditCode::parse(key).map(Self));
stream_key!(PractitionerId, |key| PractitionerId::parse(key));

stream_key!(TechniqueAtHospitalId, |key| {
    let (hospital, technique) = split_key(Self::CATEGORY, key)?;
    Ok(Self {
        hospital: CreditCode::parse(hospital)?,
        technique: TechniqueKey::parse(technique)?,
    })
});

stream_key!(ActivityLedgerId, |key| {
    let (pairing, period) = split_key(Self::CATEGORY, key)?;
    Ok(Self {
        pairing: PairingId(uuid_key(Self::CATEGORY, pairing)?),
        period: PeriodKey::parse(period)?,
    })
});
