//! Value types: each validates on construction and says precisely what is wrong.

mod business_time;
mod count;
mod credit_code;
mod department;
mod division;
mod grade;
mod ids;
mod personal;
mod problem;
mod text;
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
    PractitionerId, ProgramId, RegionKey, StreamKey, StudyId, TechniqueAtHospitalId, TechniqueKey,
    is_valid_stream_id, malformed_key, stream_category,
};
pub use personal::{
    Gender, KEY_LEN, MAX_LICENCE_NUMBER, MAX_PRACTITIONER_NAME, NONCE_LEN, PersonalData,
    SealedPersonalData, open, seal,
};
pub use problem::{ValidationError, ValueProblem};
pub use text::{
    FIRST_DAY, LAST_DAY, Lines, check_chars, check_day, check_multiline_text, check_recordable,
    check_text, excerpt, is_forbidden_char, parse_day,
};
pub use title::{Profession, ProfessionalTitle, TitleRank};

// Calendar dates serialize as `YYYY-MM-DD`; `optional_day` handles optional dates.
time::serde::format_description!(pub day, Date, "[year]-[month]-[day]");

/// Optional calendar dates as `YYYY-MM-DD` or `null`.
///
/// `time`'s own `day::option` cannot read a `null` that serde has buffered, as it does for every
/// event payload inside the tagged `Event` enum: the buffer hands `null` over as a unit, which that
/// visitor refuses. Going through `Option<String>` accepts both forms.
pub mod optional_day {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::day::serialize(date, serializer),
            None => Option::<&str>::None.serialize(serializer),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        let Some(text) = Option::<String>::deserialize(deserializer)? else {
            return Ok(None);
        };
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(&text, format)
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("date {text:?} is not YYYY-MM-DD: {e}")))
    }
}
