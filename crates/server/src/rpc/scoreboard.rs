//! `medaid.v1.PairingScoreboardService` (`scoreboard_service.proto`): a pairing's cumulative
//! figures and its children's.

use api::medaid::v1 as pb;
use api::medaid::v1::pairing_scoreboard_service_server::PairingScoreboardService;
use read_models::scoreboard::{self, Scoreboard};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::read::answer::{count, number, organisation_name};
use super::read::{GetRpc, ListRpc, read_service};

read_service!(PairingScoreboardService {
    get_pairing_scoreboard: get GetPairingScoreboard(GetPairingScoreboardRequest) -> GetPairingScoreboardResponse;
    list_child_scoreboards: list ListChildScoreboards(ListChildScoreboardsRequest) -> ListChildScoreboardsResponse;
});

impl GetRpc for GetPairingScoreboard {
    type Query = scoreboard::PairingScoreboard;

    fn query(req: &pb::GetPairingScoreboardRequest) -> Result<Self::Query, Status> {
        Ok(scoreboard::PairingScoreboard {
            pairing_id: req.pairing_id.clone(),
        })
    }

    fn respond(answer: Answer<Scoreboard>) -> pb::GetPairingScoreboardResponse {
        pb::GetPairingScoreboardResponse {
            scoreboard: Some(scoreboard(&answer.value)),
            position: answer.position,
        }
    }
}

impl ListRpc for ListChildScoreboards {
    type Item = Scoreboard;
    type Query = scoreboard::ChildScoreboards;

    fn token_key(req: &pb::ListChildScoreboardsRequest) -> Vec<&str> {
        vec![&req.pairing_id]
    }

    fn query(
        req: &pb::ListChildScoreboardsRequest,
        page: PageRequest,
    ) -> Result<Self::Query, Status> {
        Ok(scoreboard::ChildScoreboards {
            pairing_id: req.pairing_id.clone(),
            page,
        })
    }

    fn respond(
        scoreboards: Vec<Scoreboard>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListChildScoreboardsResponse {
        pb::ListChildScoreboardsResponse {
            scoreboards: scoreboards.iter().map(scoreboard).collect(),
            next_page_token,
            position,
        }
    }
}

/// One pairing's scoreboard, rolled up.
fn scoreboard(s: &Scoreboard) -> pb::Scoreboard {
    pb::Scoreboard {
        pairing_id: s.pairing_id.clone(),
        pairings: number(s.pairings),
        supporting_hospitals: number(s.supporting_hospitals),
        recipient_hospitals: number(s.recipient_hospitals),
        staff_people: number(s.staff_people),
        staff_terms: number(s.staff_terms),
        surgeries: Some(count(s.surgeries)),
        critical_rescues: Some(count(s.critical_rescues)),
        patients_served: Some(count(s.patients_served)),
        trainings: number(s.trainings),
        reported_trainings: Some(count(s.reported_trainings)),
        training_attendees: Some(count(s.training_attendees)),
        techniques: number(s.techniques),
        gaps_filled: number(s.gaps_filled),
        alliances: number(s.alliances),
        platforms: number(s.platforms),
        co_built_departments: number(s.co_built_departments),
        // Money is int64 fen everywhere in the API; a sum past i64::MAX fen (about 92 trillion
        // yuan) is not a real figure, so saturating loses nothing.
        funding_fen: i64::try_from(s.funding_fen).unwrap_or(i64::MAX),
        recipient_org: Some(organisation_name(&s.recipient_org)),
        supporting_orgs: s.supporting_orgs.iter().map(organisation_name).collect(),
    }
}
