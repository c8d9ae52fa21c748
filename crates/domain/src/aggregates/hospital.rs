//! Organisations (hospitals, health commissions, universities, others): registration; and for
//! hospitals, service lines, certified centres and grade. Only `HospitalGradeAssessed` changes the
//! grade; contributions to an upgrade are facts of other streams.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    BusinessTime, ClinicalDepartment, CreditCode, DivisionCode, HospitalGrade, HospitalId,
    ReviewKind, ValueProblem, check_text, day, optional_day,
};

/// The longest registered name (`RegisterHospitalRequest.name`).
pub const MAX_HOSPITAL_NAME: usize = 100;

/// What kind of organisation a registration is for. Only hospitals have a WS 218 category, a
/// grade, certified centres and service lines; any kind may take part in pairings, agreements and
/// alliances (a city-to-city pairing joins two health commissions, seed 002: 东莞 → 铜仁).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    #[default]
    Hospital,
    /// 卫生健康委员会 / 卫生健康局.
    HealthCommission,
    University,
    Other,
}

/// Schema v2 added `kind` and made `category` optional (a hospital's only): a v1 payload was a
/// hospital with a category, and upcasts to `kind: hospital` (in `events::stored`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HospitalRegistered {
    pub hospital: CreditCode,
    pub name: String,
    pub division: DivisionCode,
    #[serde(default)]
    pub kind: OrganisationKind,
    /// WS 218 institution category, e.g. `A100` (综合医院) or `A210` (中医院): required for a
    /// hospital, absent for every other kind.
    pub category: Option<String>,
    #[serde(with = "day")]
    pub registered_on: Date,
}

/// A clinic or specialty opened (seed 000: 肺结节门诊 on 2024-09-15), mapped to a 诊疗科目.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLineOpened {
    pub hospital: CreditCode,
    pub name: String,
    pub department: ClinicalDepartment,
    #[serde(with = "day")]
    pub opened_on: Date,
}

/// 胸痛, 卒中, 创伤, 危重孕产妇, 危重儿童和新生儿 centres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CenterType {
    ChestPain,
    Stroke,
    Trauma,
    CriticalMaternal,
    CriticalNeonatal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterCertified {
    pub hospital: CreditCode,
    pub center: CenterType,
    pub certifier: String,
    #[serde(with = "day")]
    pub certified_on: Date,
    #[serde(with = "optional_day")]
    pub valid_until: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HospitalGradeAssessed {
    pub hospital: CreditCode,
    pub grade: HospitalGrade,
}

/// Implements the payload trait for hospital events.
macro_rules! hospital_payload {
    ($name:ident, |$e:ident| $date:expr) => {
        impl EventPayload for $name {
            const TYPE: &'static str = stringify!($name);
            fn stream_id(&self) -> String {
                HospitalId(self.hospital.clone()).stream_id()
            }
            fn scope(&self) -> EventScope {
                EventScope::hosted_at(&self.hospital, [])
            }
            fn occurred_at(&self) -> BusinessTime {
                let $e = self;
                BusinessTime::on($date)
            }
        }
    };
}

impl EventPayload for HospitalRegistered {
    const TYPE: &'static str = "HospitalRegistered";
    const SCHEMA_VERSION: u32 = 2;
    fn stream_id(&self) -> String {
        HospitalId(self.hospital.clone()).stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.hospital, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.registered_on)
    }
}

hospital_payload!(ServiceLineOpened, |e| e.opened_on);
hospital_payload!(CenterCertified, |e| e.certified_on);
hospital_payload!(HospitalGradeAssessed, |e| e.grade.assessed_on());

domain_errors! {
    pub enum HospitalError {
        #[error("opening date {opened_on} is after today ({today})")]
        OpeningInFuture { opened_on: Date, today: Date } => "OPENING_DATE_IN_FUTURE",
        #[error("service line {name} is already open")]
        ServiceLineAlreadyOpen { name: String } => "SERVICE_LINE_ALREADY_OPEN",
        #[error("a {center} centre certification is active since {since}")]
        CenterAlreadyCertified { center: String, since: Date } => "CENTER_ALREADY_CERTIFIED",
        #[error("a re-review (复审) needs an earlier grade")]
        RereviewWithoutGrade => "GRADE_REREVIEW_WITHOUT_GRADE",
        #[error("assessment on {assessed_on} is before the current grade's assessment on {current}")]
        AssessmentOutOfOrder { assessed_on: Date, current: Date } => "GRADE_ASSESSMENT_OUT_OF_ORDER",
        #[error("{org} is registered as {kind:?}, not as a hospital: only hospitals have grades, centres and service lines")]
        NotAHospital { org: String, kind: OrganisationKind } => "ORG_NOT_A_HOSPITAL",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HospitalCommand {
    Register(HospitalRegistered),
    OpenServiceLine(ServiceLineOpened),
    CertifyCenter(CenterCertified),
    AssessGrade(HospitalGradeAssessed),
}

/// `today` is the recording date the app layer passes in (the domain has no clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HospitalContext {
    pub today: Date,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HospitalState {
    pub registered: Option<HospitalRegistered>,
    pub service_lines: Vec<ServiceLineOpened>,
    pub centers: Vec<CenterCertified>,
    pub grades: Vec<HospitalGrade>,
}

impl HospitalState {
    pub fn current_grade(&self) -> Option<&HospitalGrade> {
        self.grades.last()
    }
}

impl Aggregate for HospitalState {
    type Command = HospitalCommand;
    type Context = HospitalContext;

    fn records(command: &HospitalCommand) -> &'static str {
        match command {
            HospitalCommand::Register(_) => <HospitalRegistered as EventPayload>::TYPE,
            HospitalCommand::OpenServiceLine(_) => <ServiceLineOpened as EventPayload>::TYPE,
            HospitalCommand::CertifyCenter(_) => <CenterCertified as EventPayload>::TYPE,
            HospitalCommand::AssessGrade(_) => <HospitalGradeAssessed as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &HospitalCommand,
        context: &HospitalContext,
    ) -> Result<Vec<Event>, DomainError> {
        if let HospitalCommand::Register(r) = command {
            if self.registered.is_some() {
                return Err(CommonError::AlreadyExists {
                    stream: r.stream_id(),
                }
                .into());
            }
            check_text("name", &r.name, MAX_HOSPITAL_NAME)?;
            match (r.kind, &r.category) {
                (OrganisationKind::Hospital, Some(category)) => check_category(category)?,
                (OrganisationKind::Hospital, None) => {
                    return Err(ValueProblem::Empty.at("category").into());
                }
                (_, Some(_)) => {
                    let detail = "only a hospital has a WS 218 category".to_owned();
                    return Err(ValueProblem::OutOfRange { detail }.at("category").into());
                }
                (_, None) => {}
            }
            check_division_in_code_province(r)?;
            return Ok(vec![r.clone().into()]);
        }
        let Some(registered) = &self.registered else {
            return Err(CommonError::NotFound {
                stream: "hospital".to_owned(),
            }
            .into());
        };
        let hospital = registered.hospital.clone();
        if registered.kind != OrganisationKind::Hospital {
            return Err(HospitalError::NotAHospital {
                org: hospital.to_string(),
                kind: registered.kind,
            }
            .into());
        }
        match command {
            HospitalCommand::Register(_) => Ok(Vec::new()),
            HospitalCommand::OpenServiceLine(line) => {
                check_text("name", &line.name, 200)?;
                if line.opened_on > context.today {
                    return Err(HospitalError::OpeningInFuture {
                        opened_on: line.opened_on,
                        today: context.today,
                    }
                    .into());
                }
                if self.service_lines.iter().any(|l| l.name == line.name) {
                    return Err(HospitalError::ServiceLineAlreadyOpen {
                        name: line.name.clone(),
                    }
                    .into());
                }
                Ok(vec![
                    ServiceLineOpened {
                        hospital,
                        ..line.clone()
                    }
                    .into(),
                ])
            }
            HospitalCommand::CertifyCenter(c) => {
                check_text("certifier", &c.certifier, 200)?;
                if let Some(end) = c.valid_until.filter(|end| *end <= c.certified_on) {
                    let problem = ValueProblem::PeriodReversed {
                        start: c.certified_on.to_string(),
                        end: end.to_string(),
                    };
                    return Err(problem.at("valid_until").into());
                }
                if let Some(active) = self.centers.iter().find(|existing| {
                    existing.center == c.center
                        && existing.valid_until.is_none_or(|end| end >= c.certified_on)
                }) {
                    return Err(HospitalError::CenterAlreadyCertified {
                        center: format!("{:?}", c.center),
                        since: active.certified_on,
                    }
                    .into());
                }
                Ok(vec![
                    CenterCertified {
                        hospital,
                        ..c.clone()
                    }
                    .into(),
                ])
            }
            HospitalCommand::AssessGrade(g) => {
                match (self.current_grade(), g.grade.review()) {
                    (None, ReviewKind::Rereview) => {
                        return Err(HospitalError::RereviewWithoutGrade.into());
                    }
                    (Some(current), _) if g.grade.assessed_on() < current.assessed_on() => {
                        return Err(HospitalError::AssessmentOutOfOrder {
                            assessed_on: g.grade.assessed_on(),
                            current: current.assessed_on(),
                        }
                        .into());
                    }
                    _ => {}
                }
                Ok(vec![
                    HospitalGradeAssessed {
                        hospital,
                        grade: g.grade.clone(),
                    }
                    .into(),
                ])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::HospitalRegistered(e) => self.registered = Some(e.clone()),
            Event::ServiceLineOpened(e) => self.service_lines.push(e.clone()),
            Event::CenterCertified(e) => self.centers.push(e.clone()),
            Event::HospitalGradeAssessed(e) => self.grades.push(e.grade.clone()),
            _ => {}
        }
        self
    }
}

/// WS 218 categories are one capital letter and three digits (A100, A210, C210, G100).
fn check_category(category: &str) -> Result<(), DomainError> {
    let mut chars = category.chars();
    let letter_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let digits: Vec<char> = chars.collect();
    if letter_ok && digits.len() == 3 && digits.iter().all(char::is_ascii_digit) {
        return Ok(());
    }
    let detail = format!("{category:?} is not a WS 218 category such as A100");
    Err(ValueProblem::OutOfRange { detail }.at("category").into())
}

/// Scope follows the credit code (positions 3-8), so a division in another province than the code's
/// would hide the hospital from the readers of the province it is in. The two must name one province;
/// within it the registering authority may sit above the hospital's county.
fn check_division_in_code_province(r: &HospitalRegistered) -> Result<(), DomainError> {
    let code_province = r.hospital.division().map(|d| d.province());
    if code_province.as_ref() == Some(&r.division.province()) {
        return Ok(());
    }
    Err(ValueProblem::DivisionOutsideCodeProvince {
        division: r.division.to_string(),
        code_province: code_province.map(|p| p.to_string()).unwrap_or_default(),
    }
    .at("division")
    .into())
}
