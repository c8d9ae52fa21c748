//! The one error type of `decide`, and the macro that gives every rule violation a stable reason code.
//!
//! Every reason code in the crate is listed by [`all_reasons`]; the variants live next to the
//! aggregate whose rules they report (`src/aggregates/*.rs`), the shared ones here.

use crate::aggregates::{
    activity::ActivityError, agreement::AgreementError, alliance::AllianceError,
    assessment::AssessmentError, batch::BatchError, deployment::DeploymentError, gap::GapError,
    hospital::HospitalError, mentorship::MentorshipError, pairing::PairingError,
    platform::PlatformError, practitioner::PractitionerError, program::ProgramError,
    study::StudyError, technique::TechniqueError,
};
use crate::values::ValidationError;

/// Declares a `thiserror` enum whose variants each map to one UPPER_SNAKE reason code.
macro_rules! domain_errors {
    ($(#[$meta:meta])* pub enum $name:ident {
        $( #[error($($message:tt)*)] $variant:ident $({ $($field:ident : $ty:ty),* $(,)? })? => $reason:literal, )*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        pub enum $name {
            $( #[error($($message)*)] $variant $({ $($field: $ty),* })?, )*
        }

        impl $name {
            /// Every reason code this enum can report.
            pub const REASONS: &'static [&'static str] = &[$($reason),*];

            /// Stable machine-readable reason code.
            pub fn reason(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $reason, )*
                }
            }
        }
    };
}
pub(crate) use domain_errors;

domain_errors! {
    /// Errors about the stream itself and about streams a command refers to.
    pub enum CommonError {
        #[error("stream {stream} already exists; this command opens a new stream")]
        AlreadyExists { stream: String } => "STREAM_ALREADY_EXISTS",
        #[error("stream {stream} does not exist yet")]
        NotFound { stream: String } => "STREAM_NOT_FOUND",
        #[error("program {program} was not loaded or does not exist")]
        ProgramNotFound { program: String } => "PROGRAM_NOT_FOUND",
        #[error("pairing {pairing} was not loaded or does not exist")]
        PairingNotFound { pairing: String } => "PAIRING_NOT_FOUND",
        #[error("pairing {pairing} has ended or been restructured")]
        PairingNotActive { pairing: String } => "PAIRING_NOT_ACTIVE",
        #[error("organisation {org} (field {field}) is not registered")]
        OrgNotRegistered { org: String, field: String } => "ORG_NOT_REGISTERED",
    }
}

domain_errors! {
    /// Errors of corrections and retractions, which every stream accepts.
    pub enum CorrectionError {
        #[error("stream {stream} has no event at version {version}")]
        TargetNotFound { stream: String, version: u64 } => "CORRECTION_TARGET_NOT_FOUND",
        #[error("event {version} is a {found}; only recorded facts can be corrected or retracted")]
        TargetNotAFact { version: u64, found: String } => "CORRECTION_TARGET_NOT_A_FACT",
        #[error("event {version} is a {expected}; the replacement is a {found}")]
        TypeMismatch { version: u64, expected: String, found: String } => "CORRECTION_TYPE_MISMATCH",
        #[error("the replacement belongs to stream {found}, not {expected}")]
        ChangesStream { expected: String, found: String } => "CORRECTION_CHANGES_STREAM",
        #[error("event {version} of {stream} has been retracted")]
        AlreadyRetracted { stream: String, version: u64 } => "EVENT_ALREADY_RETRACTED",
        #[error("a correction must say why")]
        ReasonMissing => "CORRECTION_REASON_MISSING",
        #[error("event {version} is a {found}, which cannot be corrected or retracted")]
        NotAmendable { version: u64, found: String } => "EVENT_NOT_AMENDABLE",
    }
}

/// Everything `decide` can refuse. `reason()` gives the stable code for clients and logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Shown as the value error itself (`field: problem`), so that the field is named once.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Common(#[from] CommonError),
    #[error(transparent)]
    Correction(#[from] CorrectionError),
    #[error(transparent)]
    Program(#[from] ProgramError),
    #[error(transparent)]
    Pairing(#[from] PairingError),
    #[error(transparent)]
    Agreement(#[from] AgreementError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error(transparent)]
    Deployment(#[from] DeploymentError),
    #[error(transparent)]
    Mentorship(#[from] MentorshipError),
    #[error(transparent)]
    Technique(#[from] TechniqueError),
    #[error(transparent)]
    Gap(#[from] GapError),
    #[error(transparent)]
    Hospital(#[from] HospitalError),
    #[error(transparent)]
    Alliance(#[from] AllianceError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error(transparent)]
    Study(#[from] StudyError),
    #[error(transparent)]
    Activity(#[from] ActivityError),
    #[error(transparent)]
    Assessment(#[from] AssessmentError),
    #[error(transparent)]
    Practitioner(#[from] PractitionerError),
}

impl DomainError {
    /// Stable machine-readable reason code (UPPER_SNAKE).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.reason(),
            Self::Common(e) => e.reason(),
            Self::Correction(e) => e.reason(),
            Self::Program(e) => e.reason(),
            Self::Pairing(e) => e.reason(),
            Self::Agreement(e) => e.reason(),
            Self::Batch(e) => e.reason(),
            Self::Deployment(e) => e.reason(),
            Self::Mentorship(e) => e.reason(),
            Self::Technique(e) => e.reason(),
            Self::Gap(e) => e.reason(),
            Self::Hospital(e) => e.reason(),
            Self::Alliance(e) => e.reason(),
            Self::Platform(e) => e.reason(),
            Self::Study(e) => e.reason(),
            Self::Activity(e) => e.reason(),
            Self::Assessment(e) => e.reason(),
            Self::Practitioner(e) => e.reason(),
        }
    }

    /// The field path for value errors and for the rules about one field ([`FIELD_RULES`]), so the
    /// API can fill `BadRequest.field_violations`.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(e) => Some(&e.field),
            other => rule_field(other.reason()),
        }
    }

    /// The id of the program, pairing or agreement a command names that does not exist (reasons
    /// [`NOT_FOUND`] but `STREAM_NOT_FOUND`, whose subject is the stream the command addresses).
    pub fn missing_id(&self) -> Option<&str> {
        match self {
            Self::Common(CommonError::ProgramNotFound { program }) => Some(program),
            Self::Common(CommonError::PairingNotFound { pairing }) => Some(pairing),
            Self::Assessment(AssessmentError::AgreementNotFound { agreement }) => Some(agreement),
            _ => None,
        }
    }

    /// True when the command would record again what the log already holds (the stream, an active
    /// pairing or mentorship of the same parties, the technique at the hospital, the gap's fill,
    /// the service line, the alliance): AIP-193's ALREADY_EXISTS, which a loader may take as
    /// "already recorded", rather than a broken rule.
    pub fn is_already_recorded(&self) -> bool {
        ALREADY_RECORDED.contains(&self.reason())
    }
}

/// The reasons of [`DomainError::is_already_recorded`]; `errors.proto` documents each as
/// ALREADY_EXISTS.
pub const ALREADY_RECORDED: &[&str] = &[
    "STREAM_ALREADY_EXISTS",
    "DUPLICATE_ACTIVE_PAIRING",
    "DUPLICATE_ACTIVE_MENTORSHIP",
    "DUPLICATE_ALLIANCE",
    "TECHNIQUE_ALREADY_INTRODUCED",
    "GAP_ALREADY_FILLED",
    "SERVICE_LINE_ALREADY_OPEN",
    "PERSONAL_DATA_ALREADY_ERASED",
];

/// The reasons of a command naming something the log does not hold: `errors.proto` documents each as
/// NOT_FOUND. With each, the kind of thing that is missing (`ResourceInfo.resource_type`).
pub const NOT_FOUND: &[(&str, &str)] = &[
    ("STREAM_NOT_FOUND", "stream"),
    ("PROGRAM_NOT_FOUND", "program"),
    ("PAIRING_NOT_FOUND", "pairing"),
    ("AGREEMENT_NOT_FOUND", "agreement"),
];

/// Rules about the value of one request field that only the aggregate checks: `errors.proto`
/// documents each as INVALID_ARGUMENT on that field.
pub const FIELD_RULES: &[(&str, &str)] = &[
    ("FUNDING_NOT_POSITIVE", "amount_fen"),
    ("REGION_NAME_MISSING", "region_name"),
    ("REGION_NAME_MISMATCH", "region_name"),
];

/// The field a rule of [`FIELD_RULES`] is about.
pub fn rule_field(reason: &str) -> Option<&'static str> {
    FIELD_RULES
        .iter()
        .find(|(r, _)| *r == reason)
        .map(|(_, field)| *field)
}

/// Every rule reason code (value-problem codes excluded), sorted and deduplicated, for documentation
/// and API error catalogs. A code may be shared by two aggregates when the rule is the same
/// (`TECHNIQUE_NOT_INTRODUCED` for gap fills and for independence in a technique).
pub fn all_reasons() -> Vec<&'static str> {
    let mut reasons = [
        CommonError::REASONS,
        CorrectionError::REASONS,
        ProgramError::REASONS,
        PairingError::REASONS,
        AgreementError::REASONS,
        BatchError::REASONS,
        DeploymentError::REASONS,
        MentorshipError::REASONS,
        TechniqueError::REASONS,
        GapError::REASONS,
        HospitalError::REASONS,
        AllianceError::REASONS,
        PlatformError::REASONS,
        StudyError::REASONS,
        ActivityError::REASONS,
        AssessmentError::REASONS,
        PractitionerError::REASONS,
    ]
    .concat();
    reasons.sort_unstable();
    reasons.dedup();
    reasons
}
