//! Events of the deployment stream.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::aggregates::batch::MemberAssigned;
use crate::events::{EventPayload, EventScope};
use crate::values::{BusinessTime, ClinicalDepartment, CreditCode, DeploymentId, day};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberArrived {
    pub deployment_id: DeploymentId,
    pub assignment: MemberAssigned,
    #[serde(with = "day")]
    pub arrived_on: Date,
}

/// 挂职 posts at the recipient hospital (seed 003: experts as 副院长 and 科主任).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    President,
    VicePresident,
    DepartmentHead,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAppointedToPost {
    pub deployment_id: DeploymentId,
    pub recipient_org: CreditCode,
    pub post: Post,
    pub department: Option<ClinicalDepartment>,
    #[serde(with = "day")]
    pub from: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberTermChanged {
    pub deployment_id: DeploymentId,
    pub recipient_org: CreditCode,
    #[serde(with = "day")]
    pub new_end: Date,
    pub reason: Option<String>,
    /// True when the new term is below the program minimum: the assessment (考核) looks at these.
    pub below_minimum: bool,
    #[serde(with = "day")]
    pub decided_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDeparted {
    pub deployment_id: DeploymentId,
    pub recipient_org: CreditCode,
    #[serde(with = "day")]
    pub departed_on: Date,
    pub on_site_days: u32,
    pub reason: Option<String>,
    pub below_minimum: bool,
}

impl EventPayload for MemberArrived {
    const TYPE: &'static str = "MemberArrived";
    fn stream_id(&self) -> String {
        self.deployment_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.assignment.recipient_org, [&self.assignment.home_org])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.arrived_on)
    }
}

/// Implements the payload trait for deployment events after arrival.
macro_rules! deployment_payload {
    ($name:ident, $date:ident) => {
        impl EventPayload for $name {
            const TYPE: &'static str = stringify!($name);
            fn stream_id(&self) -> String {
                self.deployment_id.stream_id()
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

deployment_payload!(MemberAppointedToPost, from);
deployment_payload!(MemberTermChanged, decided_on);
deployment_payload!(MemberDeparted, departed_on);
