//! The read models name enumerated values by the domain's serde tags (`department_head`,
//! `co_built_department`); this file maps them to the proto enums, and filter values back to tags.
//!
//! A tag the table does not know becomes the enum's UNSPECIFIED value rather than an error, so that a
//! read model that learnt a new value never breaks an answer; the tests below pin the tables to the
//! domain's enums so that this does not happen silently.

use api::medaid::v1 as pb;

/// One enum's tags and proto values.
type Table<E> = &'static [(&'static str, E)];

pub const MEMBER_ROLES: Table<pb::MemberRole> = &[
    ("leader", pb::MemberRole::Leader),
    ("management", pb::MemberRole::Management),
    ("clinical", pb::MemberRole::Clinical),
];

pub const POSTS: Table<pb::Post> = &[
    ("president", pb::Post::President),
    ("vice_president", pb::Post::VicePresident),
    ("department_head", pb::Post::DepartmentHead),
];

pub const MILESTONES: Table<pb::MilestoneKind> = &[
    ("lecture", pb::MilestoneKind::Lecture),
    ("ward_round", pb::MilestoneKind::WardRound),
    ("supervised_surgery", pb::MilestoneKind::SupervisedSurgery),
    ("simulation_drill", pb::MilestoneKind::SimulationDrill),
    ("skills_contest", pb::MilestoneKind::SkillsContest),
    ("study_visit", pb::MilestoneKind::StudyVisit),
];

pub const TECHNIQUE_CATEGORIES: Table<pb::TechniqueCategory> = &[
    ("new_technique", pb::TechniqueCategory::NewTechnique),
    ("new_project", pb::TechniqueCategory::NewProject),
    ("grade4_surgery", pb::TechniqueCategory::Grade4Surgery),
];

pub const GAP_LEVELS: Table<pb::GapLevel> = &[
    ("county", pb::GapLevel::County),
    ("prefecture", pb::GapLevel::Prefecture),
    ("province", pb::GapLevel::Province),
    ("custom", pb::GapLevel::Custom),
];

pub const PLATFORM_KINDS: Table<pb::PlatformKind> = &[
    ("co_built_department", pb::PlatformKind::CoBuiltDepartment),
    ("training_base", pb::PlatformKind::TrainingBase),
    (
        "famous_doctor_station",
        pb::PlatformKind::FamousDoctorStation,
    ),
    ("coaching_studio", pb::PlatformKind::CoachingStudio),
    // The domain spells it the British way, the proto the American way.
    (
        "teleconsultation_centre",
        pb::PlatformKind::TeleconsultationCenter,
    ),
    (
        "continuing_education_branch",
        pb::PlatformKind::ContinuingEducationBranch,
    ),
    ("demonstration_site", pb::PlatformKind::DemonstrationSite),
];

pub const ALLIANCE_TIERS: Table<pb::AllianceTier> = &[
    ("city", pb::AllianceTier::City),
    ("county", pb::AllianceTier::County),
    ("township", pb::AllianceTier::Township),
    ("village", pb::AllianceTier::Village),
];

pub const HOSPITAL_LEVELS: Table<pb::HospitalLevel> = &[
    ("one", pb::HospitalLevel::HospitalLevel1),
    ("two", pb::HospitalLevel::HospitalLevel2),
    ("three", pb::HospitalLevel::HospitalLevel3),
    ("ungraded", pb::HospitalLevel::Ungraded),
];

pub const HOSPITAL_CLASSES: Table<pb::HospitalClass> = &[
    ("a", pb::HospitalClass::A),
    ("b", pb::HospitalClass::B),
    ("c", pb::HospitalClass::C),
];

pub const REVIEW_KINDS: Table<pb::ReviewKind> = &[
    ("initial", pb::ReviewKind::Initial),
    ("rereview", pb::ReviewKind::Rereview),
];

pub const CENTER_TYPES: Table<pb::CenterType> = &[
    ("chest_pain", pb::CenterType::ChestPain),
    ("stroke", pb::CenterType::Stroke),
    ("trauma", pb::CenterType::Trauma),
    ("critical_maternal", pb::CenterType::CriticalMaternal),
    ("critical_neonatal", pb::CenterType::CriticalNeonatal),
];

pub const AGREEMENT_KINDS: Table<pb::AgreementKind> = &[
    ("framework", pb::AgreementKind::Framework),
    ("work_plan", pb::AgreementKind::WorkPlan),
    ("aid_agreement", pb::AgreementKind::AidAgreement),
    (
        "target_responsibility",
        pb::AgreementKind::TargetResponsibility,
    ),
];

pub const ASSESSMENT_RESULTS: Table<pb::AssessmentResult> = &[
    ("excellent", pb::AssessmentResult::Excellent),
    ("pass", pb::AssessmentResult::Pass),
    ("fail", pb::AssessmentResult::Fail),
];

pub const GROUP_ROLES: Table<pb::GroupOrgRole> = &[
    ("lead", pb::GroupOrgRole::Lead),
    ("assisting", pb::GroupOrgRole::Assisting),
];

pub const LINK_KINDS: Table<pb::LinkKind> = &[
    ("pairing", pb::LinkKind::Pairing),
    ("alliance", pb::LinkKind::Alliance),
    ("platform", pb::LinkKind::Platform),
    ("study", pb::LinkKind::Study),
];

/// The proto value (as the `i32` prost stores) of a read model's tag; unknown tags are UNSPECIFIED.
pub fn value<E>(table: Table<E>, tag: &str) -> i32
where
    E: Copy + Into<i32>,
{
    table
        .iter()
        .find(|(known, _)| *known == tag)
        .map_or(0, |(_, value)| (*value).into())
}

/// [`value`] for an optional tag: absent is UNSPECIFIED.
pub fn optional_value<E>(table: Table<E>, tag: Option<&str>) -> i32
where
    E: Copy + Into<i32>,
{
    tag.map_or(0, |tag| value(table, tag))
}

/// The read model's tag for a filter value: the proto value name (`PLATFORM_KIND_TRAINING_BASE`),
/// the name without its enum prefix (`TRAINING_BASE`), or the tag itself (`training_base`).
pub fn tag_for_filter<E>(
    table: Table<E>,
    prefix: &str,
    name_of: impl Fn(&E) -> &'static str,
    value: &str,
) -> Option<&'static str>
where
    E: Copy,
{
    table.iter().find_map(|(tag, proto)| {
        let name = name_of(proto);
        let short = name.strip_prefix(prefix).unwrap_or(name);
        (value == *tag || value == name || value == short).then_some(*tag)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The serde tag of a domain value, the way the read models store it.
    fn tag_of<T: serde::Serialize>(value: T) -> String {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::String(tag)) => tag,
            other => panic!("not a string tag: {other:?}"),
        }
    }

    fn known<E: Copy + Into<i32>>(table: Table<E>, tags: &[String]) {
        for tag in tags {
            assert_ne!(value(table, tag), 0, "{tag} has no proto value");
        }
        assert_eq!(table.len(), tags.len(), "the table has stale entries");
    }

    #[test]
    fn every_domain_value_has_a_proto_value() {
        use domain::aggregates::{alliance, gap, hospital, platform};
        use domain::values::{GradeClass, GradeLevel, ReviewKind};
        let platforms = [
            platform::PlatformKind::CoBuiltDepartment,
            platform::PlatformKind::TrainingBase,
            platform::PlatformKind::FamousDoctorStation,
            platform::PlatformKind::CoachingStudio,
            platform::PlatformKind::TeleconsultationCentre,
            platform::PlatformKind::ContinuingEducationBranch,
            platform::PlatformKind::DemonstrationSite,
        ];
        known(PLATFORM_KINDS, &platforms.map(tag_of));
        let posts = [
            domain::aggregates::deployment::Post::President,
            domain::aggregates::deployment::Post::VicePresident,
            domain::aggregates::deployment::Post::DepartmentHead,
        ];
        known(POSTS, &posts.map(tag_of));
        let levels = [
            gap::GapLevel::County,
            gap::GapLevel::Prefecture,
            gap::GapLevel::Province,
            gap::GapLevel::Custom,
        ];
        known(GAP_LEVELS, &levels.map(tag_of));
        let grades = [
            GradeLevel::One,
            GradeLevel::Two,
            GradeLevel::Three,
            GradeLevel::Ungraded,
        ];
        known(HOSPITAL_LEVELS, &grades.map(tag_of));
        known(
            HOSPITAL_CLASSES,
            &[GradeClass::A, GradeClass::B, GradeClass::C].map(tag_of),
        );
        known(
            REVIEW_KINDS,
            &[ReviewKind::Initial, ReviewKind::Rereview].map(tag_of),
        );
        let centers = [
            hospital::CenterType::ChestPain,
            hospital::CenterType::Stroke,
            hospital::CenterType::Trauma,
            hospital::CenterType::CriticalMaternal,
            hospital::CenterType::CriticalNeonatal,
        ];
        known(CENTER_TYPES, &centers.map(tag_of));
        let tiers = [
            alliance::Tier::City,
            alliance::Tier::County,
            alliance::Tier::Township,
            alliance::Tier::Village,
        ];
        known(ALLIANCE_TIERS, &tiers.map(tag_of));
        use domain::aggregates::{agreement, assessment, batch, mentorship, technique};
        let roles = [
            batch::MemberRole::Leader,
            batch::MemberRole::Management,
            batch::MemberRole::Clinical,
        ];
        known(MEMBER_ROLES, &roles.map(tag_of));
        let milestones = [
            mentorship::MilestoneKind::Lecture,
            mentorship::MilestoneKind::WardRound,
            mentorship::MilestoneKind::SupervisedSurgery,
            mentorship::MilestoneKind::SimulationDrill,
            mentorship::MilestoneKind::SkillsContest,
            mentorship::MilestoneKind::StudyVisit,
        ];
        known(MILESTONES, &milestones.map(tag_of));
        let categories = [
            technique::TechniqueCategory::NewTechnique,
            technique::TechniqueCategory::NewProject,
            technique::TechniqueCategory::Grade4Surgery,
        ];
        known(TECHNIQUE_CATEGORIES, &categories.map(tag_of));
        let kinds = [
            agreement::AgreementKind::Framework,
            agreement::AgreementKind::WorkPlan,
            agreement::AgreementKind::AidAgreement,
            agreement::AgreementKind::TargetResponsibility,
        ];
        known(AGREEMENT_KINDS, &kinds.map(tag_of));
        let results = [
            assessment::AssessmentResult::Excellent,
            assessment::AssessmentResult::Pass,
            assessment::AssessmentResult::Fail,
        ];
        known(ASSESSMENT_RESULTS, &results.map(tag_of));
    }

    #[test]
    fn unknown_tags_are_unspecified() {
        assert_eq!(value(POSTS, "janitor"), 0);
        assert_eq!(optional_value(HOSPITAL_CLASSES, None), 0);
        assert_eq!(
            value(PLATFORM_KINDS, "teleconsultation_centre"),
            i32::from(pb::PlatformKind::TeleconsultationCenter)
        );
    }

    #[test]
    fn filter_values_accept_the_proto_names_and_the_tag() {
        let tag = |v| tag_for_filter(POSTS, "POST_", pb::Post::as_str_name, v);
        assert_eq!(tag("POST_DEPARTMENT_HEAD"), Some("department_head"));
        assert_eq!(tag("DEPARTMENT_HEAD"), Some("department_head"));
        assert_eq!(tag("department_head"), Some("department_head"));
        assert_eq!(tag("POST_UNSPECIFIED"), None);
        assert_eq!(tag("dean"), None);
    }
}
