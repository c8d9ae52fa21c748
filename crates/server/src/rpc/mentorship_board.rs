//! `medaid.v1.MentorshipBoardService` (`mentorship_board_service.proto`): the 师带徒 board of a
//! hospital and a mentorship's milestones.

use api::medaid::v1 as pb;
use api::medaid::v1::mentorship_board_service_server::MentorshipBoardService;
use read_models::Answer;
use read_models::mentorship_board::{self, Board, Independence, MentorRow, Milestone, Orphan};
use tonic::Status;

use super::enums::ProtoEnum;
use super::read::answer::{day, day_or_today, number, practitioner_name};
use super::read::{GetRpc, read_service};
use crate::status::invalid_field;

read_service!(MentorshipBoardService {
    get_mentorship_board: get GetMentorshipBoard(GetMentorshipBoardRequest) -> GetMentorshipBoardResponse;
    get_mentorship_milestones: get GetMentorshipMilestones(GetMentorshipMilestonesRequest) -> GetMentorshipMilestonesResponse;
});

impl GetRpc for GetMentorshipBoard {
    type Query = mentorship_board::MentorshipBoard;

    fn query(req: &pb::GetMentorshipBoardRequest) -> Result<Self::Query, Status> {
        Ok(mentorship_board::MentorshipBoard {
            hospital: req.hospital.clone(),
            date: day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?,
        })
    }

    fn respond(answer: Answer<Board>) -> pb::GetMentorshipBoardResponse {
        board(&answer)
    }
}

impl GetRpc for GetMentorshipMilestones {
    type Query = mentorship_board::MentorshipMilestones;

    fn query(req: &pb::GetMentorshipMilestonesRequest) -> Result<Self::Query, Status> {
        Ok(mentorship_board::MentorshipMilestones {
            mentorship_id: req.mentorship_id.clone(),
        })
    }

    fn respond(answer: Answer<Vec<Milestone>>) -> pb::GetMentorshipMilestonesResponse {
        pb::GetMentorshipMilestonesResponse {
            milestones: answer.value.iter().map(milestone).collect(),
            position: answer.position,
        }
    }
}

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

/// One independence declaration, in a department or a technique.
fn independence(i: &Independence) -> pb::IndependenceDeclaration {
    use pb::independence_scope::Scope;
    let scope = match &i.scope {
        mentorship_board::Scope::Technique(key) => Scope::Technique(key.clone()),
        mentorship_board::Scope::Department(code) => Scope::Department(code.clone()),
    };
    pb::IndependenceDeclaration {
        mentorship_id: i.mentorship_id.clone(),
        apprentice: i.apprentice.clone(),
        scope: Some(pb::IndependenceScope { scope: Some(scope) }),
        date: day(i.date),
    }
}

/// The board of a hospital on a day.
fn board(answer: &Answer<Board>) -> pb::GetMentorshipBoardResponse {
    let b = &answer.value;
    pb::GetMentorshipBoardResponse {
        pairs: number(b.pairs),
        independent: number(b.independent),
        mentors: b.mentors.iter().map(mentor).collect(),
        orphaned: b.orphaned.iter().map(orphan).collect(),
        independence: b.independence.iter().map(independence).collect(),
        position: answer.position,
        names: b
            .names
            .iter()
            .map(|(id, name)| practitioner_name(id, name))
            .collect(),
    }
}

/// One milestone.
fn milestone(m: &Milestone) -> pb::MilestoneRecord {
    pb::MilestoneRecord {
        kind: m.kind.to_wire(),
        date: day(m.date),
    }
}
