//! Program (项目): the kind of aid and its parameters, which are data, not constants in code.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    BusinessTime, DivisionCode, DivisionLevel, IndicatorCode, ProgramId, ValueProblem, check_text,
    day,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramKind {
    /// 国家乡村振兴重点帮扶县 医疗人才"组团式"帮扶.
    KeyCountyGroupAid,
    /// 东西部协作.
    EastWestCooperation,
    /// 组团式援疆.
    XinjiangGroupAid,
    /// 组团式援藏.
    TibetGroupAid,
    /// 对口帮扶.
    CounterpartAid,
}

/// The indicators agreements and assessments may use; versioned because the official set changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorSet {
    pub version: String,
    pub indicators: Vec<IndicatorCode>,
}

/// Bounds on the number of hospitals in a 1+N对1 group and the staff each must keep on site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRules {
    pub min_hospitals: u32,
    pub max_hospitals: u32,
    pub min_staff_lead: u32,
    pub min_staff_assisting: u32,
}

/// Everything that differs between programs. Pairings bind the version current when they start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramParameters {
    pub version: u32,
    pub min_term_months: u32,
    pub min_team_size: u32,
    /// Senior members (副高及以上) a team should have; a shortfall is a warning, not a refusal.
    pub min_senior_members: u32,
    /// Most apprentices one mentor may have at a time (2 in seed 000, 1 in seed 003).
    pub mentor_ratio_max: u32,
    pub short_visit_max_days: u32,
    pub indicator_set: IndicatorSet,
    pub group_rules: Option<GroupRules>,
    /// Counties a recipient must lie in (the 160 key counties for `KeyCountyGroupAid`); `None` = any.
    pub eligible_counties: Option<Vec<DivisionCode>>,
}

impl ProgramParameters {
    /// Checks the parameters; field paths start at `field`.
    pub fn validate(&self, field: &str) -> Result<(), DomainError> {
        let positive = [
            ("version", self.version),
            ("min_term_months", self.min_term_months),
            ("min_team_size", self.min_team_size),
            ("mentor_ratio_max", self.mentor_ratio_max),
            ("short_visit_max_days", self.short_visit_max_days),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(ValueProblem::NotPositive
                    .at(format!("{field}.{name}"))
                    .into());
            }
        }
        check_text(
            &format!("{field}.indicator_set.version"),
            &self.indicator_set.version,
            32,
        )?;
        let mut seen = BTreeSet::new();
        for (index, code) in self.indicator_set.indicators.iter().enumerate() {
            if !seen.insert(code) {
                let at = format!("{field}.indicator_set.indicators[{index}]");
                return Err(ValueProblem::Duplicate {
                    value: code.to_string(),
                }
                .at(at)
                .into());
            }
        }
        if let Some(rules) = &self.group_rules
            && (rules.min_hospitals == 0 || rules.min_hospitals > rules.max_hospitals)
        {
            let detail = format!(
                "group size {}..{} is empty",
                rules.min_hospitals, rules.max_hospitals
            );
            return Err(ValueProblem::OutOfRange { detail }
                .at(format!("{field}.group_rules"))
                .into());
        }
        for (index, county) in self.eligible_counties.iter().flatten().enumerate() {
            county
                .require_level(DivisionLevel::County)
                .map_err(|p| p.at(format!("{field}.eligible_counties[{index}]")))?;
        }
        Ok(())
    }
}

domain_errors! {
    pub enum ProgramError {
        #[error("new parameters must be version {expected} (current {current}), got {found}")]
        ParametersVersionNotNext { current: u32, expected: u32, found: u32 } => "PROGRAM_PARAMETERS_VERSION_NOT_NEXT",
        #[error("{pairings} pairings are bound to parameters version {version}; revise as a new version")]
        ParametersInUse { version: u32, pairings: u32 } => "PROGRAM_PARAMETERS_IN_USE",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramDefined {
    pub program_id: ProgramId,
    pub kind: ProgramKind,
    pub name: String,
    pub policy_refs: Vec<String>,
    pub parameters: ProgramParameters,
    #[serde(with = "day")]
    pub defined_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramParametersRevised {
    pub program_id: ProgramId,
    pub parameters: ProgramParameters,
    #[serde(with = "day")]
    pub effective_on: Date,
}

impl EventPayload for ProgramDefined {
    const TYPE: &'static str = "ProgramDefined";
    fn stream_id(&self) -> String {
        self.program_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::default()
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.defined_on)
    }
}

impl EventPayload for ProgramParametersRevised {
    const TYPE: &'static str = "ProgramParametersRevised";
    fn stream_id(&self) -> String {
        self.program_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::default()
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.effective_on)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramCommand {
    Define(ProgramDefined),
    ReviseParameters {
        parameters: ProgramParameters,
        effective_on: Date,
    },
}

/// Load: the number of pairings bound to the program's current parameters version, from the
/// `pairing-*` streams of this program (a pairing index read model is enough).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramContext {
    pub pairings_on_current_version: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramState {
    pub defined: Option<ProgramDefined>,
    pub parameters: Option<ProgramParameters>,
}

impl Aggregate for ProgramState {
    type Command = ProgramCommand;
    type Context = ProgramContext;

    fn records(command: &ProgramCommand) -> &'static str {
        match command {
            ProgramCommand::Define(_) => <ProgramDefined as EventPayload>::TYPE,
            ProgramCommand::ReviseParameters { .. } => {
                <ProgramParametersRevised as EventPayload>::TYPE
            }
        }
    }

    fn decide(
        &self,
        command: &ProgramCommand,
        context: &ProgramContext,
    ) -> Result<Vec<Event>, DomainError> {
        match command {
            ProgramCommand::Define(defined) => {
                if self.defined.is_some() {
                    return Err(CommonError::AlreadyExists {
                        stream: defined.stream_id(),
                    }
                    .into());
                }
                check_text("name", &defined.name, 200)?;
                defined.parameters.validate("parameters")?;
                // The first parameters of a program are version 1, as the API documents.
                if defined.parameters.version != 1 {
                    return Err(ValueProblem::OutOfRange {
                        detail: format!(
                            "a new program's parameters are version 1, got {}",
                            defined.parameters.version
                        ),
                    }
                    .at("parameters.version")
                    .into());
                }
                Ok(vec![defined.clone().into()])
            }
            ProgramCommand::ReviseParameters {
                parameters,
                effective_on,
            } => {
                let (Some(defined), Some(current)) = (&self.defined, &self.parameters) else {
                    return Err(CommonError::NotFound {
                        stream: "program".to_owned(),
                    }
                    .into());
                };
                parameters.validate("parameters")?;
                let in_use = context.pairings_on_current_version > 0;
                if in_use && parameters.version == current.version {
                    return Err(ProgramError::ParametersInUse {
                        version: current.version,
                        pairings: context.pairings_on_current_version,
                    }
                    .into());
                }
                let next = current.version.saturating_add(1);
                if parameters.version != next && parameters.version != current.version {
                    return Err(ProgramError::ParametersVersionNotNext {
                        current: current.version,
                        expected: next,
                        found: parameters.version,
                    }
                    .into());
                }
                Ok(vec![
                    ProgramParametersRevised {
                        program_id: defined.program_id,
                        parameters: parameters.clone(),
                        effective_on: *effective_on,
                    }
                    .into(),
                ])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::ProgramDefined(e) => {
                self.parameters = Some(e.parameters.clone());
                self.defined = Some(e.clone());
            }
            Event::ProgramParametersRevised(e) => self.parameters = Some(e.parameters.clone()),
            _ => {}
        }
        self
    }
}
