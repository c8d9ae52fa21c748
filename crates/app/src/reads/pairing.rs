//! Queries about one pairing's results: the scoreboard rolled up through child pairings, and the
//! agreements' targets against what the log shows.

use projector::Projection;
use read_models::scoreboard::Scoreboard;
use read_models::targets::AgreementReport;
use read_models::{Answer, Page, PageRequest, scoreboard, targets};

use super::Freshness;
use super::visibility::{may_see_org, parse_uuid, require_org};
use crate::App;
use crate::error::Error;
use crate::principal::Principal;

impl App {
    /// A pairing's cumulative figures, its own and its descendants' together.
    pub async fn scoreboard(
        &self,
        caller: &Principal,
        fresh: Freshness,
        pairing_id: &str,
    ) -> Result<Answer<Scoreboard>, Error> {
        self.require_pairing(caller, pairing_id).await?;
        let v = self
            .view(caller, scoreboard::PROJECTION.name(), fresh)
            .await?;
        Ok(scoreboard::scoreboard(v.pool, &v.prefix, v.position, pairing_id).await?)
    }

    /// The scoreboards of a pairing's direct child pairings (county pairings under a city pairing).
    pub async fn scoreboard_children(
        &self,
        caller: &Principal,
        fresh: Freshness,
        pairing_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Scoreboard>, Error> {
        self.require_pairing(caller, pairing_id).await?;
        let v = self
            .view(caller, scoreboard::PROJECTION.name(), fresh)
            .await?;
        Ok(scoreboard::children(v.pool, &v.prefix, v.position, pairing_id, page).await?)
    }

    /// One agreement's targets against the log; not found when absent or outside the caller's scope.
    pub async fn targets_agreement(
        &self,
        caller: &Principal,
        fresh: Freshness,
        agreement_id: &str,
    ) -> Result<Answer<AgreementReport>, Error> {
        parse_uuid("agreement_id", agreement_id)?;
        let v = self.view(caller, targets::PROJECTION.name(), fresh).await?;
        let answer = targets::agreement(v.pool, &v.prefix, v.position, agreement_id).await?;
        // An agreement outside the caller's scope is reported like a missing one, so that its
        // existence does not leak.
        match answer.value {
            Some(report) if may_see_org(caller, &report.recipient_org) => Ok(Answer {
                position: answer.position,
                value: report,
            }),
            _ => Err(Error::NotFound {
                reason: "AGREEMENT_NOT_FOUND",
                what: format!("agreement {agreement_id}"),
            }),
        }
    }

    /// The agreements whose recipient is `recipient_org`.
    pub async fn targets_agreements_of(
        &self,
        caller: &Principal,
        fresh: Freshness,
        recipient_org: &str,
        page: &PageRequest,
    ) -> Result<Page<AgreementReport>, Error> {
        require_org(caller, "recipient_org", recipient_org)?;
        let v = self.view(caller, targets::PROJECTION.name(), fresh).await?;
        Ok(targets::agreements_of(v.pool, &v.prefix, v.position, recipient_org, page).await?)
    }
}
