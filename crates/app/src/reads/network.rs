//! Queries across hospitals: where techniques spread and which gaps they filled, alliances,
//! platforms and advanced-study flows. Lists keep only the rows the caller may see.

use domain::values::TechniqueKey;
use projector::Projection;
use read_models::network::{Alliance, Link, Platform, StudyFlow};
use read_models::technique::{GapCount, GapRow, TechniqueAtHospital};
use read_models::{Answer, MAX_PAGE_SIZE, Page, PageRequest, network, technique};
use time::Date;

use super::Freshness;
use super::visibility::{may_see_any, may_see_org, require_org};
use crate::App;
use crate::authorize::reads_everything;
use crate::error::Error;
use crate::principal::Principal;

impl App {
    /// The hospitals that perform `technique` on `date`, since when, and who introduced it there.
    pub async fn technique_hospitals(
        &self,
        caller: &Principal,
        fresh: Freshness,
        technique: &str,
        date: Date,
        page: &PageRequest,
    ) -> Result<Page<TechniqueAtHospital>, Error> {
        TechniqueKey::parse(technique).map_err(|problem| Error::InvalidArgument {
            field: "technique".to_owned(),
            reason: problem.reason(),
            message: format!("technique {technique:?} is not a technique key: {problem}"),
        })?;
        let v = self
            .view(caller, technique::PROJECTION.name(), fresh)
            .await?;
        let mut page =
            technique::hospitals_performing(v.pool, &v.prefix, v.position, technique, date, page)
                .await?;
        page.items.retain(|t| may_see_org(caller, &t.hospital));
        Ok(page)
    }

    /// The techniques performed at `hospital` on `date`, with whether each outlived its introducer.
    pub async fn technique_at_hospital(
        &self,
        caller: &Principal,
        fresh: Freshness,
        hospital: &str,
        date: Date,
        page: &PageRequest,
    ) -> Result<Page<TechniqueAtHospital>, Error> {
        require_org(caller, "hospital", hospital)?;
        let v = self
            .view(caller, technique::PROJECTION.name(), fresh)
            .await?;
        Ok(technique::at_hospital(v.pool, &v.prefix, v.position, hospital, date, page).await?)
    }

    /// Gaps filled (填补空白), optionally of one level and region.
    pub async fn technique_gaps(
        &self,
        caller: &Principal,
        fresh: Freshness,
        level: Option<&str>,
        region: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<GapRow>, Error> {
        let v = self
            .view(caller, technique::PROJECTION.name(), fresh)
            .await?;
        let mut page = technique::gaps(v.pool, &v.prefix, v.position, level, region, page).await?;
        page.items.retain(|g| may_see_org(caller, &g.hospital));
        Ok(page)
    }

    /// How many gaps were filled per level and region, counting only the caller's hospitals.
    pub async fn technique_gap_counts(
        &self,
        caller: &Principal,
        fresh: Freshness,
    ) -> Result<Answer<Vec<GapCount>>, Error> {
        let v = self
            .view(caller, technique::PROJECTION.name(), fresh)
            .await?;
        if reads_everything(caller) {
            return Ok(technique::gap_counts(v.pool, &v.prefix, v.position).await?);
        }
        // A scoped reader's counts come from the gaps it may see, so no total leaks the rest.
        let mut counts: Vec<GapCount> = Vec::new();
        let mut request = PageRequest::first(MAX_PAGE_SIZE);
        loop {
            let page = technique::gaps(v.pool, &v.prefix, v.position, None, None, &request).await?;
            for gap in page
                .items
                .iter()
                .filter(|g| may_see_org(caller, &g.hospital))
            {
                match counts
                    .iter_mut()
                    .find(|c| c.level == gap.level && c.region == gap.region)
                {
                    Some(count) => count.filled += 1,
                    None => counts.push(GapCount {
                        level: gap.level.clone(),
                        region: gap.region.clone(),
                        filled: 1,
                    }),
                }
            }
            match page.next_cursor {
                Some(cursor) => request.cursor = Some(cursor),
                None => break,
            }
        }
        counts.sort_by(|a, b| (&a.level, &a.region).cmp(&(&b.level, &b.region)));
        Ok(Answer {
            position: v.position,
            value: counts,
        })
    }

    /// Specialty alliances with a lead or member the caller may see.
    pub async fn network_alliances(
        &self,
        caller: &Principal,
        fresh: Freshness,
        page: &PageRequest,
    ) -> Result<Page<Alliance>, Error> {
        let v = self.view(caller, network::PROJECTION.name(), fresh).await?;
        let mut page = network::alliances(v.pool, &v.prefix, v.position, page).await?;
        page.items.retain(|a| {
            let members = a.members.iter().map(|(org, _)| org.as_str());
            may_see_any(caller, std::iter::once(a.lead_org.as_str()).chain(members))
        });
        Ok(page)
    }

    /// Co-built platforms, optionally of one host and kind.
    pub async fn network_platforms(
        &self,
        caller: &Principal,
        fresh: Freshness,
        host_org: Option<&str>,
        kind: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Platform>, Error> {
        let v = self.view(caller, network::PROJECTION.name(), fresh).await?;
        let mut page =
            network::platforms(v.pool, &v.prefix, v.position, host_org, kind, page).await?;
        page.items.retain(|p| {
            let partners = p.partners.iter().map(String::as_str);
            may_see_any(caller, std::iter::once(p.host_org.as_str()).chain(partners))
        });
        Ok(page)
    }

    /// Advanced-study flows (进修) between hospitals: started and completed stays per pair.
    pub async fn network_study_flows(
        &self,
        caller: &Principal,
        fresh: Freshness,
    ) -> Result<Answer<Vec<StudyFlow>>, Error> {
        let v = self.view(caller, network::PROJECTION.name(), fresh).await?;
        let mut answer = network::study_flows(v.pool, &v.prefix, v.position).await?;
        answer
            .value
            .retain(|f| may_see_any(caller, [f.trainee_org.as_str(), f.host_org.as_str()]));
        Ok(answer)
    }

    /// Every organisation linked to `org` by a pairing, alliance, platform or study.
    pub async fn network_links(
        &self,
        caller: &Principal,
        fresh: Freshness,
        org: &str,
    ) -> Result<Answer<Vec<Link>>, Error> {
        require_org(caller, "org", org)?;
        let v = self.view(caller, network::PROJECTION.name(), fresh).await?;
        Ok(network::links(v.pool, &v.prefix, v.position, org).await?)
    }
}
