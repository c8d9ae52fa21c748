//! The pairing scoreboard's answer.

use api::medaid::v1 as pb;
use app::read_models::scoreboard::Scoreboard;

use super::{count, number};

/// One pairing's scoreboard, rolled up.
pub fn scoreboard(s: &Scoreboard) -> pb::Scoreboard {
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
        training_attendees: Some(count(s.training_attendees)),
        techniques: number(s.techniques),
        gaps_filled: number(s.gaps_filled),
        alliances: number(s.alliances),
        platforms: number(s.platforms),
        co_built_departments: number(s.co_built_departments),
        // Money is int64 fen everywhere in the API; a sum past i64::MAX fen (about 92 trillion
        // yuan) is not a real figure, so saturating loses nothing.
        funding_fen: i64::try_from(s.funding_fen).unwrap_or(i64::MAX),
    }
}
