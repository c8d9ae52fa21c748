//! Hospital grade (医院等级): level x class, the kind of review, and how long it is valid.

use serde::{Deserialize, Serialize};
use time::Date;

use super::problem::ValueProblem;
use super::{day, optional_day};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeLevel {
    /// 未定级.
    Ungraded,
    /// 一级.
    One,
    /// 二级.
    Two,
    /// 三级.
    Three,
}

/// 甲 (A), 乙 (B), 丙 (C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeClass {
    A,
    B,
    C,
}

/// 新评 (first review) or 复审 (re-review): seed 001 shows that grades lapse and are reviewed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    Initial,
    Rereview,
}

/// A validated grade. An ungraded hospital has no class; a validity end lies after the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "GradeFields")]
pub struct HospitalGrade {
    level: GradeLevel,
    class: Option<GradeClass>,
    review: ReviewKind,
    #[serde(with = "day")]
    assessed_on: Date,
    #[serde(with = "optional_day")]
    valid_until: Option<Date>,
}

/// The unchecked shape read from JSON, turned into a grade only through `HospitalGrade::new`.
#[derive(Deserialize)]
struct GradeFields {
    level: GradeLevel,
    class: Option<GradeClass>,
    review: ReviewKind,
    #[serde(with = "day")]
    assessed_on: Date,
    #[serde(with = "optional_day")]
    valid_until: Option<Date>,
}

impl TryFrom<GradeFields> for HospitalGrade {
    type Error = ValueProblem;
    fn try_from(f: GradeFields) -> Result<Self, Self::Error> {
        Self::new(f.level, f.class, f.review, f.assessed_on, f.valid_until)
    }
}

impl HospitalGrade {
    pub fn new(
        level: GradeLevel,
        class: Option<GradeClass>,
        review: ReviewKind,
        assessed_on: Date,
        valid_until: Option<Date>,
    ) -> Result<Self, ValueProblem> {
        if let (GradeLevel::Ungraded, Some(class)) = (level, class) {
            return Err(ValueProblem::GradeClassNotAllowed {
                level: format!("{level:?}"),
                class: format!("{class:?}"),
            });
        }
        if let Some(end) = valid_until.filter(|end| *end <= assessed_on) {
            return Err(ValueProblem::GradeExpiresBeforeAssessment {
                assessed_on: assessed_on.to_string(),
                valid_until: end.to_string(),
            });
        }
        Ok(Self {
            level,
            class,
            review,
            assessed_on,
            valid_until,
        })
    }

    pub fn level(&self) -> GradeLevel {
        self.level
    }
    pub fn class(&self) -> Option<GradeClass> {
        self.class
    }
    pub fn review(&self) -> ReviewKind {
        self.review
    }
    pub fn assessed_on(&self) -> Date {
        self.assessed_on
    }
    pub fn valid_until(&self) -> Option<Date> {
        self.valid_until
    }

    /// True on `date` when the grade has been assessed and has not lapsed.
    pub fn is_valid_on(&self, date: Date) -> bool {
        self.assessed_on <= date && self.valid_until.is_none_or(|end| date <= end)
    }
}
