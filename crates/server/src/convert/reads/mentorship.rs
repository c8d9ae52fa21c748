//! The mentorship board's answers.

use api::medaid::v1 as pb;
use app::read_models::Answer;
use app::read_models::mentorship::{Board, Independence, MentorRow, Milestone, Orphan};

use super::tags::{self, MILESTONES};
use super::{day, number};

fn mentor(m: &MentorRow) -> pb::MentorLoad {
    pb::MentorLoad {
        mentor: m.mentor.clone(),
        on_site: m.on_site,
        apprentices: m.apprentices.clone(),
        ratio_limit: m.limit,
        over_limit: m.over_limit,
    }
}

fn orphan(o: &Orphan) -> pb::OrphanedApprentice {
    pb::OrphanedApprentice {
        mentorship_id: o.mentorship_id.clone(),
        apprentice: o.apprentice.clone(),
        mentor: o.mentor.clone(),
    }
}

/// The read model names the scope's kind in a tag; any kind but a technique is a department, the
/// only other kind the domain has.
fn independence(i: &Independence) -> pb::IndependenceDeclaration {
    use pb::independence_scope::Scope;
    let scope = if i.scope_kind == "technique" {
        Scope::Technique(i.scope.clone())
    } else {
        Scope::Department(i.scope.clone())
    };
    pb::IndependenceDeclaration {
        mentorship_id: i.mentorship_id.clone(),
        apprentice: i.apprentice.clone(),
        scope: Some(pb::IndependenceScope { scope: Some(scope) }),
        date: day(i.date),
    }
}

/// The board of a hospital on a day.
pub fn board(answer: &Answer<Board>) -> pb::GetMentorshipBoardResponse {
    let b = &answer.value;
    pb::GetMentorshipBoardResponse {
        pairs: number(b.pairs),
        independent: number(b.independent),
        mentors: b.mentors.iter().map(mentor).collect(),
        orphaned: b.orphaned.iter().map(orphan).collect(),
        independence: b.independence.iter().map(independence).collect(),
        position: answer.position,
    }
}

/// One milestone.
pub fn milestone(m: &Milestone) -> pb::MilestoneRecord {
    pb::MilestoneRecord {
        kind: tags::value(MILESTONES, &m.kind),
        date: day(m.date),
    }
}
