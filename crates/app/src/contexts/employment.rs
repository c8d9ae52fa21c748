//! What the log itself says about who employs a practitioner, in place of the personnel registry
//! (WS/T 790.8) that is not integrated yet.
//!
//! Three kinds of fact name a practitioner's employer for a span of days:
//! - a team assignment (`MemberAssigned`) names the member's home organisation for the planned term,
//!   and the deployment's stint for the days actually served, because a dispatched member remains an
//!   employee of the hospital that sent them;
//! - an advanced-study stay (进修) names the trainee's own organisation until it was completed or,
//!   while it lasts, until its planned end;
//! - a mentorship names its recipient as the apprentice's employer (the rule it was accepted under)
//!   from its start until the last day its current mentor is on site there, because the coaching
//!   happens on site and the log says nothing about the apprentice once it is over.
//!
//! Outside these spans the log is silent. Doctors change jobs and no event records it, so an old fact
//! is never taken as a later day's employer: that would refuse real facts for lack of a registry.
//! When several spans cover the day, the one that began last is the log's latest word.

use domain::aggregates::mentorship::MentorshipState;
use domain::aggregates::study::StudyState;
use domain::facts::OnSiteStint;
use domain::tags;
use domain::values::{CreditCode, MentorshipId, PractitionerId, StudyId};
use event_store::EventStore;
use time::Date;

use super::Guard;
use super::roster_family::{assignments_of, stints_of};
use crate::error::Error;

/// One fact's word on a practitioner's employer, for the days `from..=until`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    employer: CreditCode,
    from: Date,
    until: Date,
}

/// The employer the log gives `who` on `day`, or `None` when no fact covers that day.
///
/// Reads every fact tagged with the practitioner (assignments, stints, study stays, mentorships),
/// then the stints of the mentors of its apprenticeships, which bound those spans; both reads
/// guard the decision.
pub(crate) async fn employer_on(
    store: &EventStore,
    guard: &mut Guard,
    who: &PractitionerId,
    day: Date,
) -> Result<Option<CreditCode>, Error> {
    let facts = guard.read(store, [tags::practitioner(who)]).await?;
    let stints: Vec<OnSiteStint> = stints_of(&facts)
        .into_iter()
        .filter(|s| &s.practitioner == who)
        .collect();
    let mut spans: Vec<Span> = assignments_of(&facts)
        .into_values()
        .filter(|m| &m.practitioner == who)
        .map(|m| Span {
            employer: m.home_org,
            from: m.planned_start,
            until: m.planned_end,
        })
        .collect();
    spans.extend(stints.iter().map(|s| Span {
        employer: s.home_org.clone(),
        from: s.arrived,
        until: s.last_day(),
    }));
    spans.extend(
        facts
            .states::<StudyState>(StudyId::CATEGORY)
            .into_values()
            .filter_map(|study| {
                let started = study.started?;
                (&started.trainee == who).then(|| Span {
                    employer: started.trainee_org,
                    from: started.start,
                    until: study.completed_on.unwrap_or(started.planned_end),
                })
            }),
    );
    let apprenticeships: Vec<MentorshipState> = facts
        .states::<MentorshipState>(MentorshipId::CATEGORY)
        .into_values()
        .filter(|m| m.paired.as_ref().is_some_and(|p| &p.apprentice == who))
        .collect();
    let mentors = apprenticeships
        .iter()
        .filter_map(|m| {
            m.mentor
                .clone()
                .or_else(|| m.paired.as_ref().map(|p| p.mentor.clone()))
        })
        .map(|mentor| tags::practitioner(&mentor));
    let mentor_stints = stints_of(&guard.read(store, mentors).await?);
    spans.extend(
        apprenticeships
            .iter()
            .filter_map(|m| apprenticeship(m, who, &mentor_stints)),
    );
    Ok(latest_word(spans, day))
}

/// A mentorship's word on its apprentice `who`: employed by the recipient from the start until the
/// last day the current mentor is (or is planned to be) on site there, or on the start day alone
/// when the log holds no such stint any more (an arrival retracted since).
fn apprenticeship(
    m: &MentorshipState,
    who: &PractitionerId,
    stints: &[OnSiteStint],
) -> Option<Span> {
    let paired = m.paired.as_ref().filter(|p| &p.apprentice == who)?;
    let mentor = m.mentor.as_ref().unwrap_or(&paired.mentor);
    let until = stints
        .iter()
        .filter(|s| &s.practitioner == mentor && s.hospital == paired.recipient_org)
        .map(OnSiteStint::last_day)
        .max()
        .map_or(paired.start, |last| last.max(paired.start));
    Some(Span {
        employer: paired.recipient_org.clone(),
        from: paired.start,
        until,
    })
}

/// Among the spans that cover `day`, the employer of the one that began last.
///
/// Spans that began on the same day are a tie that `max_by_key` breaks by taking the last one, so
/// the order in which `employer_on` gathers them decides: a mentorship's word over a study's, a
/// study's over an on-site stint's, a stint's over an assignment's.
fn latest_word(spans: Vec<Span>, day: Date) -> Option<CreditCode> {
    spans
        .into_iter()
        .filter(|s| s.from <= day && day <= s.until)
        .max_by_key(|s| s.from)
        .map(|s| s.employer)
}

#[cfg(test)]
mod tests;
