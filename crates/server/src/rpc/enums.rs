//! Every enum the API shares with the domain (or a read model), mapped once in each direction.
//!
//! [`enum_map!`] writes, per pair, an exhaustive `match` over the domain's variants
//! ([`ProtoEnum::to_proto`]) and one over the proto's ([`ProtoEnum::from_proto`]), with no
//! wildcard arm: a variant added on either side fails to compile here instead of becoming
//! UNSPECIFIED in an answer or an unreadable request. Requests read enums with `from_proto`
//! (UNSPECIFIED is `None`); answers write them with `to_proto`.

use api::medaid::v1 as pb;
use domain::aggregates::agreement::AgreementKind;
use domain::aggregates::alliance::Tier;
use domain::aggregates::assessment::AssessmentResult;
use domain::aggregates::batch::MemberRole;
use domain::aggregates::deployment::Post;
use domain::aggregates::gap::GapLevel;
use domain::aggregates::hospital::CenterType;
use domain::aggregates::mentorship::MilestoneKind;
use domain::aggregates::platform::PlatformKind;
use domain::aggregates::practitioner::ErasureBasis;
use domain::aggregates::technique::TechniqueCategory;
use domain::facts::Presence;
use domain::values::{Gender, GradeClass, GradeLevel, ReviewKind};
use read_models::network::LinkKind;
use read_models::roster::GroupRole;

/// A domain (or read-model) enum and its proto twin.
pub trait ProtoEnum: Sized + Copy {
    type Proto: Copy + Into<i32>;

    /// The proto value of a domain value.
    fn to_proto(self) -> Self::Proto;

    /// The domain value of a proto value; `None` for UNSPECIFIED.
    fn from_proto(proto: Self::Proto) -> Option<Self>;

    /// The proto value with this name (`POST_DEPARTMENT_HEAD`), if there is one.
    fn proto_named(name: &str) -> Option<Self::Proto>;

    /// The prefix every value name of the proto enum starts with (`POST_`).
    fn proto_prefix() -> &'static str;

    /// The proto value as prost stores it in a message field.
    fn to_wire(self) -> i32 {
        self.to_proto().into()
    }
}

/// The wire value of an optional domain value: absent is UNSPECIFIED (0).
pub fn optional_wire<T: ProtoEnum>(value: Option<T>) -> i32 {
    value.map_or(0, ProtoEnum::to_wire)
}

/// Implements [`ProtoEnum`] for each `Domain => Proto { DomainVariant <=> ProtoVariant, … }`.
macro_rules! enum_map {
    ($( $domain:ident => $proto:ident { $( $d:ident <=> $p:ident ),* $(,)? } )*) => {
        $(
            impl ProtoEnum for $domain {
                type Proto = pb::$proto;

                fn to_proto(self) -> pb::$proto {
                    match self {
                        $( $domain::$d => pb::$proto::$p, )*
                    }
                }

                fn from_proto(proto: pb::$proto) -> Option<$domain> {
                    match proto {
                        pb::$proto::Unspecified => None,
                        $( pb::$proto::$p => Some($domain::$d), )*
                    }
                }

                fn proto_named(name: &str) -> Option<pb::$proto> {
                    pb::$proto::from_str_name(name)
                }

                fn proto_prefix() -> &'static str {
                    let unspecified = pb::$proto::Unspecified.as_str_name();
                    unspecified.strip_suffix("UNSPECIFIED").unwrap_or(unspecified)
                }
            }
        )*
    };
}

enum_map! {
    MemberRole => MemberRole { Leader <=> Leader, Management <=> Management, Clinical <=> Clinical }
    Post => Post { President <=> President, VicePresident <=> VicePresident, DepartmentHead <=> DepartmentHead }
    MilestoneKind => MilestoneKind {
        Lecture <=> Lecture,
        WardRound <=> WardRound,
        SupervisedSurgery <=> SupervisedSurgery,
        SimulationDrill <=> SimulationDrill,
        SkillsContest <=> SkillsContest,
        StudyVisit <=> StudyVisit,
    }
    TechniqueCategory => TechniqueCategory {
        NewTechnique <=> NewTechnique,
        NewProject <=> NewProject,
        Grade4Surgery <=> Grade4Surgery,
    }
    GapLevel => GapLevel { County <=> County, Prefecture <=> Prefecture, Province <=> Province, Custom <=> Custom }
    PlatformKind => PlatformKind {
        CoBuiltDepartment <=> CoBuiltDepartment,
        TrainingBase <=> TrainingBase,
        FamousDoctorStation <=> FamousDoctorStation,
        CoachingStudio <=> CoachingStudio,
        // The domain spells it the British way, the proto the American way.
        TeleconsultationCentre <=> TeleconsultationCenter,
        ContinuingEducationBranch <=> ContinuingEducationBranch,
        DemonstrationSite <=> DemonstrationSite,
    }
    Tier => AllianceTier { City <=> City, County <=> County, Township <=> Township, Village <=> Village }
    GradeLevel => HospitalLevel {
        One <=> HospitalLevel1,
        Two <=> HospitalLevel2,
        Three <=> HospitalLevel3,
        Ungraded <=> Ungraded,
    }
    GradeClass => HospitalClass { A <=> A, B <=> B, C <=> C }
    ReviewKind => ReviewKind { Initial <=> Initial, Rereview <=> Rereview }
    CenterType => CenterType {
        ChestPain <=> ChestPain,
        Stroke <=> Stroke,
        Trauma <=> Trauma,
        CriticalMaternal <=> CriticalMaternal,
        CriticalNeonatal <=> CriticalNeonatal,
    }
    AgreementKind => AgreementKind {
        Framework <=> Framework,
        WorkPlan <=> WorkPlan,
        AidAgreement <=> AidAgreement,
        TargetResponsibility <=> TargetResponsibility,
    }
    AssessmentResult => AssessmentResult { Excellent <=> Excellent, Pass <=> Pass, Fail <=> Fail }
    GroupRole => GroupOrgRole { Lead <=> Lead, Assisting <=> Assisting }
    Presence => Presence {
        NotArrived <=> NotArrived,
        OnSite <=> OnSite,
        Departed <=> Departed,
        DepartureUnconfirmed <=> DepartureUnconfirmed,
    }
    LinkKind => LinkKind { Pairing <=> Pairing, Alliance <=> Alliance, Platform <=> Platform, Study <=> Study }
    Gender => Gender { Male <=> Male, Female <=> Female, Unstated <=> Unstated }
    ErasureBasis => ErasureBasis {
        PurposeAchieved <=> PurposeAchieved,
        RetentionEnded <=> RetentionEnded,
        ConsentWithdrawn <=> ConsentWithdrawn,
        UnlawfulProcessing <=> UnlawfulProcessing,
        OtherLegalGround <=> OtherLegalGround,
    }
}

/// A filter value naming an enum value: its proto name (`PLATFORM_KIND_TRAINING_BASE`), that name
/// without the enum's prefix (`TRAINING_BASE`), or the domain's tag (`training_base`). UNSPECIFIED
/// names nothing.
pub fn filter_value<T>(value: &str) -> Option<T>
where
    T: ProtoEnum + serde::de::DeserializeOwned,
{
    let proto =
        T::proto_named(value).or_else(|| T::proto_named(&format!("{}{value}", T::proto_prefix())));
    match proto {
        Some(proto) => T::from_proto(proto),
        None => serde_json::from_value(serde_json::Value::String(value.to_owned())).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_map_both_ways_and_unspecified_is_none() {
        assert_eq!(
            PlatformKind::TeleconsultationCentre.to_proto(),
            pb::PlatformKind::TeleconsultationCenter
        );
        assert_eq!(
            PlatformKind::from_proto(pb::PlatformKind::TeleconsultationCenter),
            Some(PlatformKind::TeleconsultationCentre)
        );
        assert_eq!(GradeLevel::from_proto(pb::HospitalLevel::Unspecified), None);
        assert_eq!(optional_wire::<GradeClass>(None), 0);
        assert_eq!(
            optional_wire(Some(GradeClass::B)),
            i32::from(pb::HospitalClass::B)
        );
        assert_eq!(Post::proto_prefix(), "POST_");
        assert_eq!(GradeLevel::proto_prefix(), "HOSPITAL_LEVEL_");
    }

    #[test]
    fn filter_values_accept_the_proto_names_and_the_tag() {
        let post = filter_value::<Post>;
        assert_eq!(post("POST_DEPARTMENT_HEAD"), Some(Post::DepartmentHead));
        assert_eq!(post("DEPARTMENT_HEAD"), Some(Post::DepartmentHead));
        assert_eq!(post("department_head"), Some(Post::DepartmentHead));
        assert_eq!(post("POST_UNSPECIFIED"), None);
        assert_eq!(post("UNSPECIFIED"), None);
        assert_eq!(post("dean"), None);
        assert_eq!(
            filter_value::<PlatformKind>("teleconsultation_centre"),
            Some(PlatformKind::TeleconsultationCentre)
        );
        assert_eq!(
            filter_value::<GapLevel>("GAP_LEVEL_COUNTY"),
            Some(GapLevel::County)
        );
    }
}
