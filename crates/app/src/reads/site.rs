//! Queries about one hospital or one pairing's teams: the on-site roster, the batch timeline, the
//! mentorship board and the hospital's capability card.

use projector::Projection;
use read_models::roster::{BatchOnSite, GroupStaffing, OnSiteMember, RosterFilter, ShortTerm};
use read_models::timeline::{BatchSummary, Handover, Overlap};
use read_models::{Answer, Page, PageRequest, capability, mentorship, roster, timeline};
use time::Date;

use super::Freshness;
use super::visibility::{may_see_org, require_org};
use crate::App;
use crate::error::Error;
use crate::principal::Principal;

impl App {
    /// Who is on site at `hospital` on `date`, filtered by batch, department, title or post.
    pub async fn roster_on_site(
        &self,
        caller: &Principal,
        fresh: Freshness,
        hospital: &str,
        date: Date,
        filter: &RosterFilter,
        page: &PageRequest,
    ) -> Result<Page<OnSiteMember>, Error> {
        require_org(caller, "hospital", hospital)?;
        let v = self.view(caller, roster::PROJECTION.name(), fresh).await?;
        Ok(roster::on_site(v.pool, &v.prefix, v.position, hospital, date, filter, page).await?)
    }

    /// The batches with members on site at `hospital` on `date` (two at once during a handover).
    pub async fn roster_batches_on_site(
        &self,
        caller: &Principal,
        fresh: Freshness,
        hospital: &str,
        date: Date,
    ) -> Result<Answer<Vec<BatchOnSite>>, Error> {
        require_org(caller, "hospital", hospital)?;
        let v = self.view(caller, roster::PROJECTION.name(), fresh).await?;
        Ok(roster::batches_on_site(v.pool, &v.prefix, v.position, hospital, date).await?)
    }

    /// Whether each 1+N对1 group at `hospital` keeps its minimum staffing on `date`.
    pub async fn roster_group_staffing(
        &self,
        caller: &Principal,
        fresh: Freshness,
        hospital: &str,
        date: Date,
    ) -> Result<Answer<Vec<GroupStaffing>>, Error> {
        require_org(caller, "hospital", hospital)?;
        let v = self.view(caller, roster::PROJECTION.name(), fresh).await?;
        Ok(roster::group_staffing(v.pool, &v.prefix, v.position, hospital, date).await?)
    }

    /// Terms at `hospital` shorter than the program's minimum.
    pub async fn roster_below_minimum_term(
        &self,
        caller: &Principal,
        fresh: Freshness,
        hospital: &str,
        page: &PageRequest,
    ) -> Result<Page<ShortTerm>, Error> {
        require_org(caller, "hospital", hospital)?;
        let v = self.view(caller, roster::PROJECTION.name(), fresh).await?;
        Ok(roster::below_minimum_term(v.pool, &v.prefix, v.position, hospital, page).await?)
    }

    /// A pairing's batches with dates and members.
    pub async fn timeline_batches(
        &self,
        caller: &Principal,
        fresh: Freshness,
        pairing_id: &str,
        page: &PageRequest,
    ) -> Result<Page<BatchSummary>, Error> {
        self.require_pairing(caller, pairing_id).await?;
        let v = self
            .view(caller, timeline::PROJECTION.name(), fresh)
            .await?;
        Ok(timeline::batches(v.pool, &v.prefix, v.position, pairing_id, page).await?)
    }

    /// The periods in which two batches of a pairing were on site together.
    pub async fn timeline_overlaps(
        &self,
        caller: &Principal,
        fresh: Freshness,
        pairing_id: &str,
    ) -> Result<Answer<Vec<Overlap>>, Error> {
        self.require_pairing(caller, pairing_id).await?;
        let v = self
            .view(caller, timeline::PROJECTION.name(), fresh)
            .await?;
        Ok(timeline::overlaps(v.pool, &v.prefix, v.position, pairing_id).await?)
    }

    /// How each batch of a pairing handed over to the next.
    pub async fn timeline_handovers(
        &self,
        caller: &Principal,
        fresh: Freshness,
        pairing_id: &str,
    ) -> Result<Answer<Vec<Handover>>, Error> {
        self.require_pairing(caller, pairing_id).await?;
        let v = self
            .view(caller, timeline::PROJECTION.name(), fresh)
            .await?;
        Ok(timeline::handovers(v.pool, &v.prefix, v.position, pairing_id).await?)
    }

    /// Mentors and apprentices at `hospital` on `date`, against the program's ratio.
    pub async fn mentorship_board(
        &self,
        caller: &Principal,
        fresh: Freshness,
        hospital: &str,
        date: Date,
    ) -> Result<Answer<mentorship::Board>, Error> {
        require_org(caller, "hospital", hospital)?;
        let v = self
            .view(caller, mentorship::PROJECTION.name(), fresh)
            .await?;
        Ok(mentorship::board(v.pool, &v.prefix, v.position, hospital, date).await?)
    }

    /// The milestones of one mentorship, oldest first.
    pub async fn mentorship_milestones(
        &self,
        caller: &Principal,
        fresh: Freshness,
        mentorship_id: &str,
    ) -> Result<Answer<Vec<mentorship::Milestone>>, Error> {
        self.require_mentorship(caller, mentorship_id).await?;
        let v = self
            .view(caller, mentorship::PROJECTION.name(), fresh)
            .await?;
        Ok(mentorship::milestones(v.pool, &v.prefix, v.position, mentorship_id).await?)
    }

    /// A hospital's grades, certified centres, service lines and key specialties on `date`.
    pub async fn capability_card(
        &self,
        caller: &Principal,
        fresh: Freshness,
        hospital: &str,
        date: Date,
    ) -> Result<Answer<capability::Card>, Error> {
        require_org(caller, "hospital", hospital)?;
        let v = self
            .view(caller, capability::PROJECTION.name(), fresh)
            .await?;
        Ok(capability::card(v.pool, &v.prefix, v.position, hospital, date).await?)
    }

    /// Grades that expire on or before `by`, of hospitals the caller may see.
    pub async fn capability_grades_expiring(
        &self,
        caller: &Principal,
        fresh: Freshness,
        by: Date,
        page: &PageRequest,
    ) -> Result<Page<capability::GradeEntry>, Error> {
        let v = self
            .view(caller, capability::PROJECTION.name(), fresh)
            .await?;
        let mut page = capability::grades_expiring(v.pool, &v.prefix, v.position, by, page).await?;
        page.items.retain(|g| may_see_org(caller, &g.hospital));
        Ok(page)
    }
}
