//! The event enum: every fact the log can hold, with its type name, schema version, stream and scope.

mod correction;
mod scope;
mod stored;

use serde::{Deserialize, Serialize};

use crate::aggregates::{
    activity::{ClinicalActivityReported, TrainingDelivered},
    agreement::AgreementSigned,
    alliance::{AllianceFormed, AllianceMembershipChanged},
    assessment::AssessmentConducted,
    batch::{BatchDispatched, MemberAssigned},
    deployment::{MemberAppointedToPost, MemberArrived, MemberDeparted, MemberTermChanged},
    gap::GapFilled,
    hospital::{CenterCertified, HospitalGradeAssessed, HospitalRegistered, ServiceLineOpened},
    mentorship::{
        ApprenticeDeclaredIndependent, ApprenticeMilestoneRecorded, MentorshipHandedOver,
        MentorshipPaired,
    },
    pairing::{
        FundingCommitted, GroupFormed, PairingEnded, PairingEstablished, PairingRestructured,
        ShortVisitConducted,
    },
    platform::PlatformEstablished,
    practitioner::{PersonalDataErased, PractitionerChanged, PractitionerRegistered},
    program::{ProgramDefined, ProgramParametersRevised},
    study::{AdvancedStudyCompleted, AdvancedStudyStarted},
    technique::TechniqueIntroduced,
};
use crate::values::BusinessTime;

pub use correction::{EventCorrected, EventRef, EventRetracted};
pub use scope::EventScope;
pub use stored::{DecodeError, StoredEvent, upcast};

/// What every event payload says about itself.
pub trait EventPayload {
    /// The PascalCase type name written to the log.
    const TYPE: &'static str;
    /// The current schema version of this payload; older versions are upcast when read.
    const SCHEMA_VERSION: u32 = 1;
    /// The stream the event belongs to (`category-id`).
    fn stream_id(&self) -> String;
    /// Provinces and organisations the event is about, for feed filters and authorization.
    fn scope(&self) -> EventScope;
    /// When the fact happened (business time, not record time).
    fn occurred_at(&self) -> BusinessTime;
}

/// Declares the event enum and dispatches the payload trait over it.
macro_rules! event_enum {
    ($($variant:ident),* $(,)?) => {
        /// Every domain event. Serialized adjacently tagged (`type` + `data`) inside a [`StoredEvent`].
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum Event {
            $( $variant($variant), )*
        }

        /// Every event type name, in declaration order.
        pub const EVENT_TYPES: &[&str] = &[$( <$variant as EventPayload>::TYPE ),*];

        /// Every event type name with its current schema version, in declaration order.
        pub const EVENT_SCHEMA_VERSIONS: &[(&str, u32)] =
            &[$( (<$variant as EventPayload>::TYPE, <$variant as EventPayload>::SCHEMA_VERSION) ),*];

        impl Event {
            pub fn event_type(&self) -> &'static str {
                match self { $( Self::$variant(_) => <$variant as EventPayload>::TYPE, )* }
            }
            pub fn schema_version(&self) -> u32 {
                match self { $( Self::$variant(_) => <$variant as EventPayload>::SCHEMA_VERSION, )* }
            }
            pub fn stream_id(&self) -> String {
                match self { $( Self::$variant(e) => e.stream_id(), )* }
            }
            pub fn scope(&self) -> EventScope {
                match self { $( Self::$variant(e) => e.scope(), )* }
            }
            pub fn occurred_at(&self) -> BusinessTime {
                match self { $( Self::$variant(e) => e.occurred_at(), )* }
            }
        }

        $( impl From<$variant> for Event {
            fn from(value: $variant) -> Self { Self::$variant(value) }
        } )*
    };
}

event_enum!(
    ProgramDefined,
    ProgramParametersRevised,
    PairingEstablished,
    PairingRestructured,
    PairingEnded,
    GroupFormed,
    ShortVisitConducted,
    FundingCommitted,
    AgreementSigned,
    BatchDispatched,
    MemberAssigned,
    MemberArrived,
    MemberAppointedToPost,
    MemberTermChanged,
    MemberDeparted,
    MentorshipPaired,
    MentorshipHandedOver,
    ApprenticeMilestoneRecorded,
    ApprenticeDeclaredIndependent,
    TechniqueIntroduced,
    GapFilled,
    HospitalRegistered,
    ServiceLineOpened,
    CenterCertified,
    HospitalGradeAssessed,
    AllianceFormed,
    AllianceMembershipChanged,
    PlatformEstablished,
    AdvancedStudyStarted,
    AdvancedStudyCompleted,
    TrainingDelivered,
    ClinicalActivityReported,
    AssessmentConducted,
    PractitionerRegistered,
    PractitionerChanged,
    PersonalDataErased,
    EventCorrected,
    EventRetracted,
);

impl Event {
    /// Corrections and retractions are about other events; every other event records a fact.
    pub fn is_fact(&self) -> bool {
        !matches!(self, Self::EventCorrected(_) | Self::EventRetracted(_))
    }

    /// Whether a correction or retraction may amend the fact. An erasure may not: the key it
    /// records destroyed cannot come back, so undoing the record would only make the log say
    /// something untrue (and let personal data be recorded again without a new decision).
    pub fn is_amendable(&self) -> bool {
        !matches!(self, Self::PersonalDataErased(_))
    }
}
