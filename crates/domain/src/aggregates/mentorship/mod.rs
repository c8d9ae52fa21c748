//! Mentorship (师带徒): an on-site member coaches one local doctor, hands over to a successor,
//! records milestones and finally declares the apprentice independent.

mod events;

pub use events::{
    ApprenticeDeclaredIndependent, ApprenticeMilestoneRecorded, IndependenceScope,
    MentorshipHandedOver, MentorshipPaired, MilestoneKind,
};

use time::{Date, Duration};

use crate::aggregates::pairing::PairingFacts;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload};
use crate::facts::OnSiteStint;
use crate::stream::Aggregate;
use crate::values::{CreditCode, MentorshipId, PractitionerId, check_multiline_text};

/// A handover counts as "the old mentor is departing" when the old mentor's term ends within this
/// many days of it: the relay (接力棒) happens in the last weeks of a term.
pub const HANDOVER_WINDOW_DAYS: i64 = 30;

domain_errors! {
    pub enum MentorshipError {
        #[error("mentor and apprentice are the same person")]
        MentorIsApprentice => "MENTOR_IS_APPRENTICE",
        #[error("mentor {mentor} is not an on-site member at {hospital} on {date}")]
        MentorNotOnSite { mentor: String, hospital: String, date: Date } => "MENTOR_NOT_ON_SITE",
        #[error("apprentice is employed by {employer}, not the recipient {recipient}")]
        ApprenticeNotEmployedByRecipient { employer: String, recipient: String } => "APPRENTICE_NOT_EMPLOYED_BY_RECIPIENT",
        #[error("mentor {mentor} already has {active} apprentices; the program allows {max}")]
        MentorRatioExceeded { mentor: String, active: u32, max: u32 } => "MENTOR_RATIO_EXCEEDED",
        #[error("mentor and apprentice already form active mentorship {existing}")]
        DuplicateActiveMentorship { existing: String } => "DUPLICATE_ACTIVE_MENTORSHIP",
        #[error("the mentorship has concluded")]
        NotActive => "MENTORSHIP_NOT_ACTIVE",
        #[error("{to_mentor} is already the mentor")]
        SameMentor { to_mentor: String } => "HANDOVER_TO_SAME_MENTOR",
        #[error("new mentor {mentor} is not on site at {hospital} on {date}")]
        NewMentorNotOnSite { mentor: String, hospital: String, date: Date } => "NEW_MENTOR_NOT_ON_SITE",
        #[error("mentor {mentor} stays until {last_day}, more than {window} days after the handover on {date}")]
        OldMentorNotDeparting { mentor: String, last_day: Date, date: Date, window: i64 } => "OLD_MENTOR_NOT_DEPARTING",
        #[error("{date} is before the mentorship started on {start}")]
        BeforeStart { date: Date, start: Date } => "DATE_BEFORE_MENTORSHIP_START",
        #[error("technique {technique} was not introduced at {hospital} by {date}")]
        TechniqueNotIntroduced { technique: String, hospital: String, date: Date } => "TECHNIQUE_NOT_INTRODUCED",
        #[error("the apprentice was already declared independent in this scope")]
        AlreadyIndependent => "ALREADY_INDEPENDENT",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MentorshipCommand {
    /// `recipient_org` of the event is the hospital where the mentor must be on site.
    Pair(MentorshipPaired),
    HandOver {
        to_mentor: PractitionerId,
        date: Date,
    },
    RecordMilestone {
        kind: MilestoneKind,
        date: Date,
    },
    DeclareIndependent {
        scope: IndependenceScope,
        assessor: PractitionerId,
        date: Date,
    },
}

/// Load: `stints` = the `deployment-*` stints of the mentors involved (the current mentor and, for a
/// handover, the new one), from a roster read model by practitioner; `pairing` = the pairing of the
/// mentor's deployment (`pairing-<id>`, for the mentor ratio); `mentor_active_apprentices` and
/// `active_mentorship_of_pair` from the `mentorship-*` streams of the mentor (a mentorship board read
/// model); `apprentice_employer` from the personnel registry (WS/T 790.8) of the provincial platform;
/// `technique_introduced_on` from `technique-<hospital>.<key>` when independence is in a technique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MentorshipContext {
    pub stints: Vec<OnSiteStint>,
    pub pairing: Option<PairingFacts>,
    pub mentor_active_apprentices: u32,
    pub active_mentorship_of_pair: Option<MentorshipId>,
    pub apprentice_employer: Option<CreditCode>,
    pub technique_introduced_on: Option<Date>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MentorshipState {
    pub paired: Option<MentorshipPaired>,
    pub mentor: Option<PractitionerId>,
    pub milestones: Vec<ApprenticeMilestoneRecorded>,
    pub independence: Vec<IndependenceScope>,
}

impl MentorshipState {
    /// Active until the apprentice is declared independent in the mentorship's own department.
    pub fn is_active(&self) -> bool {
        self.paired.as_ref().is_some_and(|p| {
            !self
                .independence
                .contains(&IndependenceScope::Department(p.department.clone()))
        })
    }
}

impl Aggregate for MentorshipState {
    type Command = MentorshipCommand;
    type Context = MentorshipContext;

    fn records(command: &MentorshipCommand) -> &'static str {
        match command {
            MentorshipCommand::Pair(_) => <MentorshipPaired as EventPayload>::TYPE,
            MentorshipCommand::HandOver { .. } => <MentorshipHandedOver as EventPayload>::TYPE,
            MentorshipCommand::RecordMilestone { .. } => {
                <ApprenticeMilestoneRecorded as EventPayload>::TYPE
            }
            MentorshipCommand::DeclareIndependent { .. } => {
                <ApprenticeDeclaredIndependent as EventPayload>::TYPE
            }
        }
    }

    fn decide(
        &self,
        command: &MentorshipCommand,
        context: &MentorshipContext,
    ) -> Result<Vec<Event>, DomainError> {
        if let MentorshipCommand::Pair(paired) = command {
            return pair(self, paired, context);
        }
        let (Some(paired), Some(mentor)) = (&self.paired, &self.mentor) else {
            return Err(CommonError::NotFound {
                stream: "mentorship".to_owned(),
            }
            .into());
        };
        let (mentorship_id, recipient_org) = (paired.mentorship_id, paired.recipient_org.clone());
        let not_before_start = |date: Date| -> Result<(), DomainError> {
            if date < paired.start {
                return Err(MentorshipError::BeforeStart {
                    date,
                    start: paired.start,
                }
                .into());
            }
            Ok(())
        };
        match command {
            MentorshipCommand::Pair(_) => Ok(Vec::new()),
            MentorshipCommand::HandOver { to_mentor, date } => {
                not_before_start(*date)?;
                if !self.is_active() {
                    return Err(MentorshipError::NotActive.into());
                }
                if to_mentor == mentor {
                    return Err(MentorshipError::SameMentor {
                        to_mentor: to_mentor.to_string(),
                    }
                    .into());
                }
                if !on_site(context, to_mentor, &recipient_org, *date) {
                    let (mentor, hospital) = (to_mentor.to_string(), recipient_org.to_string());
                    return Err(MentorshipError::NewMentorNotOnSite {
                        mentor,
                        hospital,
                        date: *date,
                    }
                    .into());
                }
                let last_day = context
                    .stints
                    .iter()
                    .filter(|s| &s.practitioner == mentor && s.hospital == recipient_org)
                    .map(OnSiteStint::last_day)
                    .max();
                let window_end = date.saturating_add(Duration::days(HANDOVER_WINDOW_DAYS));
                if let Some(last_day) = last_day.filter(|last| *last > window_end) {
                    return Err(MentorshipError::OldMentorNotDeparting {
                        mentor: mentor.to_string(),
                        last_day,
                        date: *date,
                        window: HANDOVER_WINDOW_DAYS,
                    }
                    .into());
                }
                let e = MentorshipHandedOver {
                    mentorship_id,
                    recipient_org,
                    from_mentor: mentor.clone(),
                    to_mentor: to_mentor.clone(),
                    date: *date,
                };
                Ok(vec![e.into()])
            }
            MentorshipCommand::RecordMilestone { kind, date } => {
                not_before_start(*date)?;
                if !self.is_active() {
                    return Err(MentorshipError::NotActive.into());
                }
                Ok(vec![
                    ApprenticeMilestoneRecorded {
                        mentorship_id,
                        recipient_org,
                        kind: *kind,
                        date: *date,
                    }
                    .into(),
                ])
            }
            MentorshipCommand::DeclareIndependent {
                scope,
                assessor,
                date,
            } => {
                not_before_start(*date)?;
                if self.independence.contains(scope) {
                    return Err(MentorshipError::AlreadyIndependent.into());
                }
                if let IndependenceScope::Technique(technique) = scope
                    && context
                        .technique_introduced_on
                        .is_none_or(|introduced| introduced > *date)
                {
                    return Err(MentorshipError::TechniqueNotIntroduced {
                        technique: technique.to_string(),
                        hospital: recipient_org.to_string(),
                        date: *date,
                    }
                    .into());
                }
                let e = ApprenticeDeclaredIndependent {
                    mentorship_id,
                    recipient_org,
                    apprentice: paired.apprentice.clone(),
                    scope: scope.clone(),
                    assessor: assessor.clone(),
                    date: *date,
                };
                Ok(vec![e.into()])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::MentorshipPaired(e) => {
                self.mentor = Some(e.mentor.clone());
                self.paired = Some(e.clone());
            }
            Event::MentorshipHandedOver(e) => self.mentor = Some(e.to_mentor.clone()),
            Event::ApprenticeMilestoneRecorded(e) => self.milestones.push(e.clone()),
            Event::ApprenticeDeclaredIndependent(e) => self.independence.push(e.scope.clone()),
            _ => {}
        }
        self
    }
}

fn on_site(
    context: &MentorshipContext,
    who: &PractitionerId,
    hospital: &CreditCode,
    date: Date,
) -> bool {
    context
        .stints
        .iter()
        .any(|s| &s.practitioner == who && s.on_site_at(hospital, date))
}

fn pair(
    state: &MentorshipState,
    p: &MentorshipPaired,
    context: &MentorshipContext,
) -> Result<Vec<Event>, DomainError> {
    if state.paired.is_some() {
        return Err(CommonError::AlreadyExists {
            stream: p.stream_id(),
        }
        .into());
    }
    // The plan is optional (mentorship_service.proto): empty means none was given.
    if !p.plan.is_empty() {
        check_multiline_text("plan", &p.plan, 2000)?;
    }
    if p.mentor == p.apprentice {
        return Err(MentorshipError::MentorIsApprentice.into());
    }
    if !on_site(context, &p.mentor, &p.recipient_org, p.start) {
        let (mentor, hospital) = (p.mentor.to_string(), p.recipient_org.to_string());
        return Err(MentorshipError::MentorNotOnSite {
            mentor,
            hospital,
            date: p.start,
        }
        .into());
    }
    if context.apprentice_employer.as_ref() != Some(&p.recipient_org) {
        let employer = context
            .apprentice_employer
            .as_ref()
            .map_or_else(|| "nobody known".to_owned(), ToString::to_string);
        return Err(MentorshipError::ApprenticeNotEmployedByRecipient {
            employer,
            recipient: p.recipient_org.to_string(),
        }
        .into());
    }
    let pairing = context
        .pairing
        .as_ref()
        .ok_or_else(|| CommonError::PairingNotFound {
            pairing: "of the mentor's deployment".to_owned(),
        })?;
    let max = pairing.parameters.mentor_ratio_max;
    if context.mentor_active_apprentices >= max {
        return Err(MentorshipError::MentorRatioExceeded {
            mentor: p.mentor.to_string(),
            active: context.mentor_active_apprentices,
            max,
        }
        .into());
    }
    if let Some(existing) = context.active_mentorship_of_pair {
        return Err(MentorshipError::DuplicateActiveMentorship {
            existing: existing.to_string(),
        }
        .into());
    }
    Ok(vec![p.clone().into()])
}
