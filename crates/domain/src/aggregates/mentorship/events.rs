//! Events of the mentorship stream.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::events::{EventPayload, EventScope};
use crate::values::{
    BusinessTime, ClinicalDepartment, CreditCode, MentorshipId, PractitionerId, TechniqueKey, day,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorshipPaired {
    pub mentorship_id: MentorshipId,
    pub mentor: PractitionerId,
    pub apprentice: PractitionerId,
    pub recipient_org: CreditCode,
    pub department: ClinicalDepartment,
    #[serde(with = "day")]
    pub start: Date,
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorshipHandedOver {
    pub mentorship_id: MentorshipId,
    pub recipient_org: CreditCode,
    pub from_mentor: PractitionerId,
    pub to_mentor: PractitionerId,
    #[serde(with = "day")]
    pub date: Date,
}

/// 授课, 查房, 手术带教, 模拟演练, 技能大赛, 外出学习 (seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    Lecture,
    WardRound,
    SupervisedSurgery,
    SimulationDrill,
    SkillsContest,
    StudyVisit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprenticeMilestoneRecorded {
    pub mentorship_id: MentorshipId,
    pub recipient_org: CreditCode,
    pub kind: MilestoneKind,
    #[serde(with = "day")]
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "code")]
pub enum IndependenceScope {
    Department(ClinicalDepartment),
    Technique(TechniqueKey),
}

/// 独立开展: the apprentice practises on their own (seed 003: 20 of 30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprenticeDeclaredIndependent {
    pub mentorship_id: MentorshipId,
    pub recipient_org: CreditCode,
    pub apprentice: PractitionerId,
    pub scope: IndependenceScope,
    pub assessor: PractitionerId,
    #[serde(with = "day")]
    pub date: Date,
}

/// Implements the payload trait for mentorship events.
macro_rules! mentorship_payload {
    ($name:ident, $date:ident) => {
        impl EventPayload for $name {
            const TYPE: &'static str = stringify!($name);
            fn stream_id(&self) -> String {
                self.mentorship_id.stream_id()
            }
            fn scope(&self) -> EventScope {
                EventScope::hosted_at(&self.recipient_org, [])
            }
            fn occurred_at(&self) -> BusinessTime {
                BusinessTime::on(self.$date)
            }
        }
    };
}

mentorship_payload!(MentorshipPaired, start);
mentorship_payload!(MentorshipHandedOver, date);
mentorship_payload!(ApprenticeMilestoneRecorded, date);
mentorship_payload!(ApprenticeDeclaredIndependent, date);
