//! Professional title (专业技术职务, GB/T 8561-2001): physicians, pharmacists and nurses.
//!
//! 住院医师 (resident) is a post or training stage, not a title, so it is not here.

use serde::{Deserialize, Serialize};

use super::problem::ValueProblem;

/// The rank a title code stands for, used by team-composition checks (e.g. "at least one 副高").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleRank {
    /// 正高: 主任医师 / 主任药师 / 主任护师.
    Senior,
    /// 副高: 副主任医师 / 副主任药师 / 副主任护师.
    AssociateSenior,
    /// 中级: 主治医师 / 主管药师 / 主管护师.
    Intermediate,
    /// 初级 (师): 医师 / 药师 / 护师.
    Junior,
    /// 初级 (士): 医士 / 药士 / 护士.
    Assistant,
}

/// The profession a title belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profession {
    Physician,
    Pharmacist,
    Nurse,
}

/// A GB/T 8561 title code: 231-235 physicians, 241-245 pharmacists, 251-255 nurses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct ProfessionalTitle(u16);

impl ProfessionalTitle {
    pub const CHIEF_PHYSICIAN: Self = Self(231);
    pub const ASSOCIATE_CHIEF_PHYSICIAN: Self = Self(232);
    pub const ATTENDING_PHYSICIAN: Self = Self(233);
    pub const PHYSICIAN: Self = Self(234);

    pub fn from_code(code: u16) -> Result<Self, ValueProblem> {
        match code {
            231..=235 | 241..=245 | 251..=255 => Ok(Self(code)),
            _ => Err(ValueProblem::UnknownTitle { code }),
        }
    }

    pub fn code(self) -> u16 {
        self.0
    }

    pub fn profession(self) -> Profession {
        match self.0 / 10 {
            23 => Profession::Physician,
            24 => Profession::Pharmacist,
            _ => Profession::Nurse,
        }
    }

    pub fn rank(self) -> TitleRank {
        match self.0 % 10 {
            1 => TitleRank::Senior,
            2 => TitleRank::AssociateSenior,
            3 => TitleRank::Intermediate,
            4 => TitleRank::Junior,
            _ => TitleRank::Assistant,
        }
    }

    /// The Chinese name of the title, for messages.
    pub fn name(self) -> &'static str {
        const NAMES: [[&str; 5]; 3] = [
            ["主任医师", "副主任医师", "主治医师", "医师", "医士"],
            ["主任药师", "副主任药师", "主管药师", "药师", "药士"],
            ["主任护师", "副主任护师", "主管护师", "护师", "护士"],
        ];
        let row = match self.profession() {
            Profession::Physician => 0,
            Profession::Pharmacist => 1,
            Profession::Nurse => 2,
        };
        let column = usize::from(self.0 % 10).saturating_sub(1).min(4);
        NAMES[row][column]
    }

    /// Senior or associate senior (副高及以上).
    pub fn is_senior(self) -> bool {
        matches!(self.rank(), TitleRank::Senior | TitleRank::AssociateSenior)
    }
}

impl TryFrom<u16> for ProfessionalTitle {
    type Error = ValueProblem;
    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Self::from_code(value)
    }
}

impl From<ProfessionalTitle> for u16 {
    fn from(value: ProfessionalTitle) -> Self {
        value.0
    }
}
