//! Deployment: one member's on-site term at the recipient hospital, from arrival to departure.

mod events;

pub use events::{MemberAppointedToPost, MemberArrived, MemberDeparted, MemberTermChanged, Post};

use time::Date;

use crate::aggregates::batch::MemberAssigned;
use crate::aggregates::pairing::PairingFacts;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload};
use crate::facts::{OnSiteStint, lasts_months};
use crate::stream::Aggregate;
use crate::values::{ClinicalDepartment, CreditCode, DeploymentId, check_multiline_text};

domain_errors! {
    pub enum DeploymentError {
        #[error("deployment {deployment} has no assignment in its batch")]
        NotAssigned { deployment: String } => "MEMBER_NOT_ASSIGNED",
        #[error("the member is assigned to {assigned}, not {arrived_at}")]
        WrongHospital { assigned: String, arrived_at: String } => "ARRIVAL_AT_WRONG_HOSPITAL",
        #[error("the member is already on site from {arrived} under deployment {other}")]
        OverlappingDeployment { other: String, arrived: Date } => "OVERLAPPING_DEPLOYMENT",
        #[error("the member is not on site on {date}")]
        NotOnSite { date: Date } => "MEMBER_NOT_ON_SITE",
        #[error("post {post} is held by deployment {holder} since {since}")]
        PostAlreadyHeld { post: String, holder: String, since: Date } => "POST_ALREADY_HELD",
        #[error("the member has departed")]
        AlreadyDeparted => "MEMBER_ALREADY_DEPARTED",
        #[error("{date} is before the arrival on {arrived}")]
        BeforeArrival { date: Date, arrived: Date } => "DATE_BEFORE_ARRIVAL",
        #[error("a term shortened below {min_months} months needs a reason")]
        ShortenedTermNeedsReason { min_months: u32 } => "SHORTENED_TERM_NEEDS_REASON",
        #[error("{on_site_days} days on site is below the {min_months}-month minimum and no reason was given")]
        TermBelowMinimum { on_site_days: u32, min_months: u32 } => "TERM_BELOW_MINIMUM_WITHOUT_REASON",
        #[error("{home_org} would keep {remaining} staff on site, below its group minimum of {minimum}")]
        GroupStaffingBelowMinimum { home_org: String, remaining: usize, minimum: u32 } => "GROUP_STAFFING_BELOW_MINIMUM",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeploymentCommand {
    Arrive {
        deployment_id: DeploymentId,
        recipient_org: CreditCode,
        arrived_on: Date,
    },
    AppointToPost {
        post: Post,
        department: Option<ClinicalDepartment>,
        from: Date,
    },
    ChangeTerm {
        new_end: Date,
        reason: Option<String>,
        decided_on: Date,
    },
    Depart {
        departed_on: Date,
        reason: Option<String>,
    },
}

/// Load: `assignment` = the `MemberAssigned` for this deployment in `batch-<pairing>.<n>`; `pairing`
/// from `pairing-<pairing>` (minimum term, 1+N group); `practitioner_stints` = the member's other
/// `deployment-*` streams (a roster read model by practitioner); `hospital_stints` = every stint at
/// the recipient hospital (the on-site roster), for the post holders and the group staffing rule;
/// `post_holders` = current posts at the recipient hospital, from those deployment streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentContext {
    pub assignment: Option<MemberAssigned>,
    pub pairing: Option<PairingFacts>,
    pub practitioner_stints: Vec<OnSiteStint>,
    pub hospital_stints: Vec<OnSiteStint>,
    pub post_holders: Vec<PostHolding>,
}

/// A post held by a member from `from` through the last day of the member's term
/// (`facts::Term::last_day`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostHolding {
    pub deployment: DeploymentId,
    pub hospital: CreditCode,
    pub post: Post,
    pub department: Option<ClinicalDepartment>,
    pub from: Date,
    pub until: Option<Date>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentState {
    pub arrived: Option<MemberArrived>,
    pub planned_end: Option<Date>,
    pub posts: Vec<MemberAppointedToPost>,
    pub departed: Option<MemberDeparted>,
    pub min_term_flagged: bool,
}

impl DeploymentState {
    /// This member's stint, for other aggregates' contexts.
    pub fn stint(&self) -> Option<OnSiteStint> {
        let arrived = self.arrived.as_ref()?;
        Some(OnSiteStint {
            deployment: arrived.deployment_id,
            practitioner: arrived.assignment.practitioner.clone(),
            hospital: arrived.assignment.recipient_org.clone(),
            home_org: arrived.assignment.home_org.clone(),
            arrived: arrived.arrived_on,
            planned_end: self.planned_end.unwrap_or(arrived.assignment.planned_end),
            departed: self.departed.as_ref().map(|d| d.departed_on),
        })
    }

    /// The posts this member holds, for other deployments' contexts.
    pub fn post_holdings(&self) -> Vec<PostHolding> {
        let until = self.stint().map(|s| s.last_day());
        self.posts
            .iter()
            .map(|p| PostHolding {
                deployment: p.deployment_id,
                hospital: p.recipient_org.clone(),
                post: p.post,
                department: p.department.clone(),
                from: p.from,
                until,
            })
            .collect()
    }
}

impl Aggregate for DeploymentState {
    type Command = DeploymentCommand;
    type Context = DeploymentContext;

    fn records(command: &DeploymentCommand) -> &'static str {
        match command {
            DeploymentCommand::Arrive { .. } => <MemberArrived as EventPayload>::TYPE,
            DeploymentCommand::AppointToPost { .. } => {
                <MemberAppointedToPost as EventPayload>::TYPE
            }
            DeploymentCommand::ChangeTerm { .. } => <MemberTermChanged as EventPayload>::TYPE,
            DeploymentCommand::Depart { .. } => <MemberDeparted as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &DeploymentCommand,
        context: &DeploymentContext,
    ) -> Result<Vec<Event>, DomainError> {
        if let DeploymentCommand::Arrive {
            deployment_id,
            recipient_org,
            arrived_on,
        } = command
        {
            return arrive(self, *deployment_id, recipient_org, *arrived_on, context);
        }
        let (Some(arrived), Some(stint)) = (&self.arrived, self.stint()) else {
            return Err(CommonError::NotFound {
                stream: "deployment".to_owned(),
            }
            .into());
        };
        if self.departed.is_some() {
            return Err(DeploymentError::AlreadyDeparted.into());
        }
        let deployment_id = arrived.deployment_id;
        let recipient_org = stint.hospital.clone();
        let min_months = context
            .pairing
            .as_ref()
            .map_or(0, |p| p.parameters.min_term_months);
        match command {
            DeploymentCommand::Arrive { .. } => Ok(Vec::new()),
            DeploymentCommand::AppointToPost {
                post,
                department,
                from,
            } => {
                if !stint.term().on_site(*from) {
                    return Err(DeploymentError::NotOnSite { date: *from }.into());
                }
                if let Some(holder) = context.post_holders.iter().find(|h| {
                    h.hospital == recipient_org
                        && h.post == *post
                        && &h.department == department
                        && h.deployment != deployment_id
                        && h.until.is_none_or(|until| until >= *from)
                }) {
                    return Err(DeploymentError::PostAlreadyHeld {
                        post: format!("{post:?}"),
                        holder: holder.deployment.to_string(),
                        since: holder.from,
                    }
                    .into());
                }
                let e = MemberAppointedToPost {
                    deployment_id,
                    recipient_org,
                    post: *post,
                    department: department.clone(),
                    from: *from,
                };
                Ok(vec![e.into()])
            }
            DeploymentCommand::ChangeTerm {
                new_end,
                reason,
                decided_on,
            } => {
                if *new_end < stint.arrived {
                    return Err(DeploymentError::BeforeArrival {
                        date: *new_end,
                        arrived: stint.arrived,
                    }
                    .into());
                }
                let below_minimum = !lasts_months(stint.arrived, *new_end, min_months);
                let reason = non_blank(reason, "reason")?;
                if below_minimum && reason.is_none() {
                    return Err(DeploymentError::ShortenedTermNeedsReason { min_months }.into());
                }
                let e = MemberTermChanged {
                    deployment_id,
                    recipient_org,
                    new_end: *new_end,
                    reason,
                    below_minimum,
                    decided_on: *decided_on,
                };
                Ok(vec![e.into()])
            }
            DeploymentCommand::Depart {
                departed_on,
                reason,
            } => {
                if *departed_on < stint.arrived {
                    return Err(DeploymentError::BeforeArrival {
                        date: *departed_on,
                        arrived: stint.arrived,
                    }
                    .into());
                }
                let days = (*departed_on - stint.arrived).whole_days() + 1;
                let on_site_days = u32::try_from(days).unwrap_or(u32::MAX);
                let below_minimum = !lasts_months(stint.arrived, *departed_on, min_months);
                let reason = non_blank(reason, "reason")?;
                if below_minimum && reason.is_none() {
                    return Err(DeploymentError::TermBelowMinimum {
                        on_site_days,
                        min_months,
                    }
                    .into());
                }
                check_group_staffing(&stint, *departed_on, context)?;
                let e = MemberDeparted {
                    deployment_id,
                    recipient_org,
                    departed_on: *departed_on,
                    on_site_days,
                    reason,
                    below_minimum,
                };
                Ok(vec![e.into()])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::MemberArrived(e) => {
                self.planned_end = Some(e.assignment.planned_end);
                self.arrived = Some(e.clone());
            }
            Event::MemberAppointedToPost(e) => self.posts.push(e.clone()),
            Event::MemberTermChanged(e) => {
                self.planned_end = Some(e.new_end);
                self.min_term_flagged |= e.below_minimum;
            }
            Event::MemberDeparted(e) => {
                self.min_term_flagged |= e.below_minimum;
                self.departed = Some(e.clone());
            }
            _ => {}
        }
        self
    }
}

fn arrive(
    state: &DeploymentState,
    deployment_id: DeploymentId,
    recipient_org: &CreditCode,
    arrived_on: Date,
    context: &DeploymentContext,
) -> Result<Vec<Event>, DomainError> {
    if state.arrived.is_some() {
        return Err(CommonError::AlreadyExists {
            stream: deployment_id.stream_id(),
        }
        .into());
    }
    let assignment = context
        .assignment
        .as_ref()
        .filter(|a| a.deployment_id == deployment_id)
        .ok_or_else(|| DeploymentError::NotAssigned {
            deployment: deployment_id.to_string(),
        })?;
    if &assignment.recipient_org != recipient_org {
        return Err(DeploymentError::WrongHospital {
            assigned: assignment.recipient_org.to_string(),
            arrived_at: recipient_org.to_string(),
        }
        .into());
    }
    if let Some(other) = context.practitioner_stints.iter().find(|s| {
        s.practitioner == assignment.practitioner
            && s.deployment != deployment_id
            && s.overlaps(arrived_on, assignment.planned_end.max(arrived_on))
    }) {
        return Err(DeploymentError::OverlappingDeployment {
            other: other.deployment.to_string(),
            arrived: other.arrived,
        }
        .into());
    }
    Ok(vec![
        MemberArrived {
            deployment_id,
            assignment: assignment.clone(),
            arrived_on,
        }
        .into(),
    ])
}

/// In a 1+N group the lead keeps at least `min_staff_lead` and each assisting hospital at least
/// `min_staff_assisting` members on site at all times, so a successor arrives before a member leaves
/// early. A departure at the end of the planned term is the normal rotation and is not held back
/// (otherwise the last members of a pairing could never leave).
fn check_group_staffing(
    stint: &OnSiteStint,
    departed_on: Date,
    context: &DeploymentContext,
) -> Result<(), DomainError> {
    if departed_on >= stint.planned_end {
        return Ok(());
    }
    let Some(group) = context.pairing.as_ref().and_then(|p| p.group.as_ref()) else {
        return Ok(());
    };
    let minimum = if stint.home_org == group.lead_org {
        group.min_staff_lead
    } else if group.assisting_orgs.contains(&stint.home_org) {
        group.min_staff_assisting
    } else {
        return Ok(());
    };
    let remaining = context
        .hospital_stints
        .iter()
        .filter(|s| s.home_org == stint.home_org && s.deployment != stint.deployment)
        .filter(|s| {
            s.on_site_at(&stint.hospital, departed_on) && s.departed.is_none_or(|d| d > departed_on)
        })
        .count();
    if u32::try_from(remaining).unwrap_or(u32::MAX) < minimum {
        return Err(DeploymentError::GroupStaffingBelowMinimum {
            home_org: stint.home_org.to_string(),
            remaining,
            minimum,
        }
        .into());
    }
    Ok(())
}

fn non_blank(reason: &Option<String>, field: &str) -> Result<Option<String>, DomainError> {
    match reason {
        Some(text) if !text.trim().is_empty() => {
            check_multiline_text(field, text, 500)?;
            Ok(Some(text.clone()))
        }
        Some(_) | None => Ok(None),
    }
}
