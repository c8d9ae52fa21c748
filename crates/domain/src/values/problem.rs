//! What can be wrong with a single value, and the field path that names where it was found.

use std::fmt;

/// One thing wrong with a value, independent of where the value sits in a command.
///
/// Each variant has a stable reason code (`reason()`); the message carries the facts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueProblem {
    #[error("must be {expected} characters long, got {actual}")]
    WrongLength { expected: usize, actual: usize },
    #[error("character {found:?} at position {position} is not allowed here")]
    InvalidCharacter { position: usize, found: char },
    #[error("check character must be {expected:?}, got {found:?}")]
    CheckCharacterMismatch { expected: char, found: char },
    #[error(
        "organisation code (positions 9-17) check character must be {expected:?}, got {found:?}"
    )]
    OrganisationCodeCheckMismatch { expected: char, found: char },
    #[error("{code:?} does not start with a known province code")]
    UnknownProvince { code: String },
    #[error("{code} is not a GB/T 8561 professional title of a physician, pharmacist or nurse")]
    UnknownTitle { code: u16 },
    #[error("{code:?} is not in the clinical department list")]
    UnknownDepartment { code: String },
    #[error("must not be negative, got {value}")]
    Negative { value: i64 },
    #[error("must be greater than zero")]
    NotPositive,
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters long, got {actual}")]
    TooLong { max: usize, actual: usize },
    #[error("the period ends ({end}) before it starts ({start})")]
    PeriodReversed { start: String, end: String },
    #[error("month must be 1 to 12, got {month}")]
    InvalidMonth { month: u8 },
    #[error("{value:?} is listed more than once")]
    Duplicate { value: String },
    #[error("{detail}")]
    OutOfRange { detail: String },
    #[error("a {level} grade cannot have class {class}")]
    GradeClassNotAllowed { level: String, class: String },
    #[error("the grade expires ({valid_until}) before it was assessed ({assessed_on})")]
    GradeExpiresBeforeAssessment {
        assessed_on: String,
        valid_until: String,
    },
    #[error("division {division} is not in the province {code_province} of the credit code")]
    DivisionOutsideCodeProvince {
        division: String,
        code_province: String,
    },
    #[error("{code} is a {actual} code, a {expected} code is needed")]
    WrongDivisionLevel {
        code: String,
        expected: String,
        actual: String,
    },
}

impl ValueProblem {
    /// Stable machine-readable reason code.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "VALUE_WRONG_LENGTH",
            Self::InvalidCharacter { .. } => "VALUE_INVALID_CHARACTER",
            Self::CheckCharacterMismatch { .. } => "CREDIT_CODE_CHECK_MISMATCH",
            Self::OrganisationCodeCheckMismatch { .. } => "ORGANISATION_CODE_CHECK_MISMATCH",
            Self::UnknownProvince { .. } => "DIVISION_UNKNOWN_PROVINCE",
            Self::UnknownTitle { .. } => "TITLE_UNKNOWN",
            Self::UnknownDepartment { .. } => "DEPARTMENT_UNKNOWN",
            Self::Negative { .. } => "VALUE_NEGATIVE",
            Self::NotPositive => "VALUE_NOT_POSITIVE",
            Self::Empty => "VALUE_EMPTY",
            Self::TooLong { .. } => "VALUE_TOO_LONG",
            Self::PeriodReversed { .. } => "PERIOD_REVERSED",
            Self::InvalidMonth { .. } => "MONTH_INVALID",
            Self::Duplicate { .. } => "VALUE_DUPLICATE",
            Self::OutOfRange { .. } => "VALUE_OUT_OF_RANGE",
            Self::GradeClassNotAllowed { .. } => "GRADE_CLASS_NOT_ALLOWED",
            Self::GradeExpiresBeforeAssessment { .. } => "GRADE_EXPIRES_BEFORE_ASSESSMENT",
            Self::WrongDivisionLevel { .. } => "DIVISION_WRONG_LEVEL",
            Self::DivisionOutsideCodeProvince { .. } => "DIVISION_OUTSIDE_CODE_PROVINCE",
        }
    }

    /// Attaches the path of the field the value came from, e.g. `supporting_orgs[1].credit_code`.
    pub fn at(self, field: impl Into<String>) -> ValidationError {
        ValidationError {
            field: field.into(),
            problem: self,
        }
    }
}

/// A value problem located at a field path of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub problem: ValueProblem,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for ValidationError {}

impl ValidationError {
    pub fn reason(&self) -> &'static str {
        self.problem.reason()
    }
}
