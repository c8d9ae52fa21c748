//! Value types: each validates on construction and says precisely what is wrong.

mod business_time;
mod count;
mod credit_code;
mod department;
mod division;
mod grade;
mod ids;
mod problem;
mod title;

pub use business_time::{BusinessTime, Precision, TimePoint};
pub use count::{Comparator, Count, MoneyFen};
pub use credit_code::CreditCode;
pub use department::ClinicalDepartment;
pub use division::{DivisionCode, DivisionLevel};
pub use grade::{GradeClass, GradeLevel, HospitalGrade, ReviewKind};
pub use ids::{
    ActivityLedgerId, AgreementId, AllianceId, AssessmentId, BatchId, DeploymentId, HospitalId,
    IndicatorCode, MAX_STREAM_ID_LEN, MentorshipId, PairingId, PeriodKey, PlatformId,
    PractitionerId, ProgramId, RegionKey, StudyId, TechniqueAtHospitalId, TechniqueKey,
    is_valid_stream_id, stream_category,
};
pub use problem::{ValidationError, ValueProblem, check_text};
pub use title::{Profession, ProfessionalTitle, TitleRank};

// Calendar dates serialize as `YYYY-MM-DD`; `day::option` handles optional dates.
time::serde::format_description!(pub day, Date, "[year]-[month]-[day]");
