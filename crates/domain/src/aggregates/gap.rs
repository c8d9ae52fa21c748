//! Gap registry (填补空白): a uniqueness stream per (level, region, technique); the first claim wins.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::aggregates::command_for;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    BusinessTime, CreditCode, DivisionCode, DivisionLevel, RegionKey, StreamKey, TechniqueKey,
    ValidationError, ValueProblem, check_text, day, malformed_key,
};

/// The most characters of a custom region's display name (南疆, 南疆四地州).
pub const MAX_REGION_NAME: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapLevel {
    County,
    Prefecture,
    Province,
    /// A region without a GB/T 2260 code, such as 南疆 (seed 003).
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapRegion {
    Division(DivisionCode),
    Custom(RegionKey),
}

impl fmt::Display for GapRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Division(code) => write!(f, "{code}"),
            Self::Custom(key) => write!(f, "{key}"),
        }
    }
}

/// Addresses the stream `gap-<level>.<region>.<technique>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GapKey {
    pub level: GapLevel,
    pub region: GapRegion,
    pub technique: TechniqueKey,
}

impl GapKey {
    pub const CATEGORY: &'static str = "gap";

    /// A key whose region matches its level (a county code for `County`, a custom key for `Custom`).
    pub fn new(
        level: GapLevel,
        region: GapRegion,
        technique: TechniqueKey,
    ) -> Result<Self, ValidationError> {
        let expected = match level {
            GapLevel::County => Some(DivisionLevel::County),
            GapLevel::Prefecture => Some(DivisionLevel::Prefecture),
            GapLevel::Province => Some(DivisionLevel::Province),
            GapLevel::Custom => None,
        };
        match (&region, expected) {
            (GapRegion::Division(code), Some(level)) => {
                code.require_level(level).map_err(|p| p.at("gap.region"))?
            }
            (GapRegion::Custom(_), None) => {}
            (GapRegion::Division(code), None) => {
                let detail =
                    format!("a custom gap level needs a custom region, got division {code}");
                return Err(crate::values::ValueProblem::OutOfRange { detail }.at("gap.region"));
            }
            (GapRegion::Custom(key), Some(_)) => {
                let detail =
                    format!("level {level:?} needs a GB/T 2260 code, got custom region {key}");
                return Err(crate::values::ValueProblem::OutOfRange { detail }.at("gap.region"));
            }
        }
        Ok(Self {
            level,
            region,
            technique,
        })
    }

    pub fn stream_id(&self) -> String {
        let level = match self.level {
            GapLevel::County => "county",
            GapLevel::Prefecture => "prefecture",
            GapLevel::Province => "province",
            GapLevel::Custom => "custom",
        };
        format!(
            "{}-{level}.{}.{}",
            Self::CATEGORY,
            self.region,
            self.technique
        )
    }
}

/// `gap-<level>.<region>.<technique>`: the level names how the region is written.
impl StreamKey for GapKey {
    const CATEGORY: &'static str = GapKey::CATEGORY;

    fn stream_id(&self) -> String {
        GapKey::stream_id(self)
    }

    fn parse_key(key: &str) -> Result<Self, ValueProblem> {
        let malformed = || malformed_key(Self::CATEGORY, key);
        let mut parts = key.splitn(3, '.');
        let (Some(level), Some(region), Some(technique)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let division = || DivisionCode::parse(region).map(GapRegion::Division);
        let (level, region) = match level {
            "county" => (GapLevel::County, division()?),
            "prefecture" => (GapLevel::Prefecture, division()?),
            "province" => (GapLevel::Province, division()?),
            "custom" => (
                GapLevel::Custom,
                GapRegion::Custom(RegionKey::parse(region)?),
            ),
            _ => return Err(malformed()),
        };
        GapKey::new(level, region, TechniqueKey::parse(technique)?).map_err(|_| malformed())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapFilled {
    pub gap: GapKey,
    pub hospital: CreditCode,
    #[serde(with = "day")]
    pub technique_introduced_on: Date,
    #[serde(with = "day")]
    pub claimed_on: Date,
    /// Document hashes or URIs backing the claim.
    pub evidence: Vec<String>,
    /// The display name of a custom region (南疆), the one recorded with the first use of its key:
    /// a key is `[a-z0-9_]` so that it fits a stream id, the name is what people read. `None` for a
    /// GB/T 2260 division, and for custom fills recorded before names were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
}

impl EventPayload for GapFilled {
    const TYPE: &'static str = "GapFilled";
    fn stream_id(&self) -> String {
        self.gap.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.hospital, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.claimed_on)
    }
}

domain_errors! {
    pub enum GapError {
        #[error("the gap was already filled by {hospital} on {claimed_on}")]
        AlreadyFilled { hospital: String, claimed_on: Date } => "GAP_ALREADY_FILLED",
        #[error("technique {technique} was never introduced at {hospital}")]
        TechniqueNotIntroduced { technique: String, hospital: String } => "TECHNIQUE_NOT_INTRODUCED",
        #[error("the technique was introduced on {introduced}, after the claim on {claimed_on}")]
        IntroducedAfterClaim { introduced: Date, claimed_on: Date } => "TECHNIQUE_INTRODUCED_AFTER_CLAIM",
        #[error("hospital in {hospital_division} lies outside region {region}")]
        HospitalOutsideRegion { hospital_division: String, region: String } => "HOSPITAL_OUTSIDE_REGION",
        #[error("custom region {key} is used for the first time and needs its display name")]
        RegionNameMissing { key: String } => "REGION_NAME_MISSING",
        #[error("custom region {key} is named {recorded:?} since its first use, not {given:?}")]
        RegionNameMismatch { key: String, recorded: String, given: String } => "REGION_NAME_MISMATCH",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapCommand {
    Fill(FillGap),
}

command_for! {
    /// A claim that a hospital filled a gap; the introduction date comes from the technique's stream.
    /// `region_name` is the display name the caller gives a custom region: needed the first time
    /// its key is used, optional (and then equal to the recorded one) after.
    FillGap => GapFilled {
        gap: GapKey,
        hospital: CreditCode,
        claimed_on: Date,
        evidence: Vec<String>,
        region_name: Option<String>,
    } + { technique_introduced_on: Date }
}

/// Load: `technique_introduced_on` from `technique-<hospital>.<technique>` (`TechniqueState::introduced_on`);
/// `hospital_division` from `hospital-<hospital>` (`HospitalRegistered.division`); for a custom
/// region, `region_name` from the gap fills already recorded for its key (`gap-custom.<key>.…`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GapContext {
    pub technique_introduced_on: Option<Date>,
    pub hospital_division: Option<DivisionCode>,
    /// The display name recorded with the first use of the fill's custom region key; `None` when
    /// the key was never used (or only before names were kept).
    pub region_name: Option<String>,
}

/// The display name a fill records: a division has none; a custom region keeps the name of its
/// first use, which a later fill may repeat or leave out but not change.
fn region_name(claim: &FillGap, recorded: Option<&String>) -> Result<Option<String>, DomainError> {
    let given = claim.region_name.as_deref().filter(|name| !name.is_empty());
    let GapRegion::Custom(key) = &claim.gap.region else {
        return match given {
            None => Ok(None),
            Some(_) => Err(ValueProblem::OutOfRange {
                detail: "only a custom region (level custom) has a display name".to_owned(),
            }
            .at("region_name")
            .into()),
        };
    };
    if let Some(name) = given {
        check_text("region_name", name, MAX_REGION_NAME)?;
    }
    match (recorded, given) {
        (Some(recorded), Some(given)) if recorded != given => Err(GapError::RegionNameMismatch {
            key: key.to_string(),
            recorded: recorded.clone(),
            given: given.to_owned(),
        }
        .into()),
        (Some(recorded), _) => Ok(Some(recorded.clone())),
        (None, Some(given)) => Ok(Some(given.to_owned())),
        (None, None) => Err(GapError::RegionNameMissing {
            key: key.to_string(),
        }
        .into()),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GapState {
    pub filled: Option<GapFilled>,
}

impl Aggregate for GapState {
    type Command = GapCommand;
    type Context = GapContext;

    fn records(command: &GapCommand) -> &'static str {
        match command {
            GapCommand::Fill(_) => <GapFilled as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &GapCommand,
        context: &GapContext,
    ) -> Result<Vec<Event>, DomainError> {
        let GapCommand::Fill(claim) = command;
        if let Some(first) = &self.filled {
            return Err(GapError::AlreadyFilled {
                hospital: first.hospital.to_string(),
                claimed_on: first.claimed_on,
            }
            .into());
        }
        let gap = GapKey::new(
            claim.gap.level,
            claim.gap.region.clone(),
            claim.gap.technique.clone(),
        )?;
        let introduced =
            context
                .technique_introduced_on
                .ok_or_else(|| GapError::TechniqueNotIntroduced {
                    technique: gap.technique.to_string(),
                    hospital: claim.hospital.to_string(),
                })?;
        if introduced > claim.claimed_on {
            return Err(GapError::IntroducedAfterClaim {
                introduced,
                claimed_on: claim.claimed_on,
            }
            .into());
        }
        let division =
            context
                .hospital_division
                .as_ref()
                .ok_or_else(|| CommonError::OrgNotRegistered {
                    org: claim.hospital.to_string(),
                    field: "hospital".to_owned(),
                })?;
        if let GapRegion::Division(region) = &gap.region
            && !region.contains(division)
        {
            return Err(GapError::HospitalOutsideRegion {
                hospital_division: division.to_string(),
                region: region.to_string(),
            }
            .into());
        }
        let region_name = region_name(claim, context.region_name.as_ref())?;
        Ok(vec![
            GapFilled {
                gap,
                region_name,
                ..claim.record(introduced)
            }
            .into(),
        ])
    }

    fn apply(mut self, event: &Event) -> Self {
        if let Event::GapFilled(e) = event {
            self.filled = Some(e.clone());
        }
        self
    }
}
