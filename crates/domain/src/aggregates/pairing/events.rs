//! Events of the pairing stream.

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::aggregates::program::{ProgramKind, ProgramParameters};
use crate::events::{EventPayload, EventScope};
use crate::values::{
    BusinessTime, ClinicalDepartment, CreditCode, DivisionCode, MoneyFen, PairingId,
    ProfessionalTitle, ProgramId, day,
};

/// A pairing starts; it binds the program's parameters of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingEstablished {
    pub pairing_id: PairingId,
    pub program_id: ProgramId,
    pub program_kind: ProgramKind,
    pub parameters: ProgramParameters,
    pub supporting_orgs: Vec<CreditCode>,
    pub recipient_org: CreditCode,
    pub parent_pairing_id: Option<PairingId>,
    pub region_codes: Vec<DivisionCode>,
    #[serde(with = "day")]
    pub start: Date,
}

/// The pairing is replaced by a successor (seed 002: 东莞 moved from 昭通 to 铜仁 in 2021).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingRestructured {
    pub pairing_id: PairingId,
    pub recipient_org: CreditCode,
    pub successor_pairing_id: PairingId,
    pub reason: String,
    #[serde(with = "day")]
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingEnded {
    pub pairing_id: PairingId,
    pub recipient_org: CreditCode,
    pub reason: String,
    #[serde(with = "day")]
    pub date: Date,
}

/// A 1+N对1 group: one lead and N assisting hospitals support one recipient (seed 002).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFormed {
    pub pairing_id: PairingId,
    pub recipient_org: CreditCode,
    pub lead_org: CreditCode,
    pub assisting_orgs: Vec<CreditCode>,
    pub min_staff_lead: u32,
    pub min_staff_assisting: u32,
    #[serde(with = "day")]
    pub formed_on: Date,
}

/// A member of a short-visit delegation: no person id is needed, a short visit is not a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegate {
    pub home_org: CreditCode,
    pub title: Option<ProfessionalTitle>,
    pub specialty: Option<ClinicalDepartment>,
}

/// 短期帮扶/巡诊: a visit of days (seed 001: the expert group; seed 004: 13 people for 3 days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortVisitConducted {
    pub pairing_id: PairingId,
    pub visit_id: Uuid,
    pub recipient_org: CreditCode,
    pub delegation: Vec<Delegate>,
    #[serde(with = "day")]
    pub start: Date,
    #[serde(with = "day")]
    pub end: Date,
    pub activities: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingSource {
    /// 财政.
    Fiscal,
    /// 社会.
    Social,
    /// 东西部协作资金.
    EastWestCooperationFund,
    /// 财政 and 社会 together, in one commitment that does not split them (schema 2 of
    /// `FundingCommitted`).
    FiscalAndSocial,
}

/// 资金投入 (seed 002: 780万 to 沿河 and 松桃, 200万 to the 万山 breast centre).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingCommitted {
    pub pairing_id: PairingId,
    pub funding_id: Uuid,
    pub recipient_org: CreditCode,
    pub amount_fen: MoneyFen,
    pub source: FundingSource,
    pub purpose: String,
    #[serde(with = "day")]
    pub date: Date,
}

impl EventPayload for PairingEstablished {
    const TYPE: &'static str = "PairingEstablished";
    fn stream_id(&self) -> String {
        self.pairing_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.recipient_org, &self.supporting_orgs)
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.start)
    }
}

/// Implements the payload trait for pairing events that carry `pairing_id`, `recipient_org` and a day.
macro_rules! pairing_payload {
    ($name:ident, $date:ident, [$($org:ident),*], [$($orgs:ident),*] $(, schema $version:literal)?) => {
        impl EventPayload for $name {
            const TYPE: &'static str = stringify!($name);
            $( const SCHEMA_VERSION: u32 = $version; )?
            fn stream_id(&self) -> String {
                self.pairing_id.stream_id()
            }
            fn scope(&self) -> EventScope {
                #[allow(unused_mut)]
                let mut scope = EventScope::hosted_at(&self.recipient_org, []);
                $( scope.add_org(&self.$org); )*
                $( for org in &self.$orgs { scope.add_org(org); } )*
                scope
            }
            fn occurred_at(&self) -> BusinessTime {
                BusinessTime::on(self.$date)
            }
        }
    };
}

pairing_payload!(PairingRestructured, date, [], []);
pairing_payload!(PairingEnded, date, [], []);
pairing_payload!(GroupFormed, formed_on, [lead_org], [assisting_orgs]);
// Schema 2 added the source `fiscal_and_social`; a v1 payload reads unchanged.
pairing_payload!(FundingCommitted, date, [], [], schema 2);

impl EventPayload for ShortVisitConducted {
    const TYPE: &'static str = "ShortVisitConducted";
    fn stream_id(&self) -> String {
        self.pairing_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(
            &self.recipient_org,
            self.delegation.iter().map(|d| &d.home_org),
        )
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::days(self.start, self.end).unwrap_or(BusinessTime::on(self.start))
    }
}
