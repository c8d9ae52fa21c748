//! A realistic log for the read models, built from the domain's own events.
//!
//! The unit is a *site*: one county hospital paired with a supporting hospital, with everything the
//! program records about it (see `facts`, `people` and `work`): the hospital's registration, grades,
//! centres and service lines; the pairing, a 1+N对1 group for some, funding, a target agreement and
//! its assessment; two batches of eight members who arrive, take posts, change terms and leave; one
//! apprentice per expert with milestones, handovers and independence; techniques, gaps, trainings,
//! an activity report and a correction; alliances, platforms and advanced study. A site is about 105
//! events, so all eight read models get work in proportion to what real programs record.
//!
//! Every tenth site is a city-level pairing; the nine after it are its children, so the scoreboard
//! rolls figures up. Sites are generated until the log holds the requested number of events, and
//! the last site is cut at that number.

use domain::aggregates::program::{IndicatorSet, ProgramParameters};
use domain::values::{CreditCode, PairingId};
use time::Date;
use time::macros::date;
use uuid::Uuid;

use super::world::{Log, org};
use super::{facts, people, work};

/// Divisions of the recipient (county) hospitals and of the supporting hospitals.
const RECIPIENT_DIVISIONS: [&str; 6] = ["620422", "623025", "520602", "520627", "659002", "520402"];
const SUPPORTING_DIVISIONS: [&str; 5] = ["620102", "441900", "330106", "440100", "620100"];

/// How many distinct technique keys the sites share, so that a technique is performed at many
/// hospitals.
pub(crate) const TECHNIQUES: u32 = 40;

/// One paired county hospital and what identifies it.
pub(crate) struct Site {
    pub(crate) k: u32,
    pub(crate) pairing: PairingId,
    pub(crate) parent: Option<PairingId>,
    pub(crate) division: &'static str,
    pub(crate) recipient: CreditCode,
    pub(crate) supporting: CreditCode,
    pub(crate) start: Date,
}

impl Site {
    fn new(k: u32) -> anyhow::Result<Site> {
        let division = RECIPIENT_DIVISIONS[k as usize % RECIPIENT_DIVISIONS.len()];
        let home = SUPPORTING_DIVISIONS[k as usize % SUPPORTING_DIVISIONS.len()];
        Ok(Site {
            k,
            pairing: pairing_id(k),
            parent: (!k.is_multiple_of(10)).then(|| pairing_id(k - k % 10)),
            division,
            recipient: org(division, 1_000 + k)?,
            // Supporting hospitals recur: a provincial hospital supports several counties.
            supporting: org(home, 1 + k % 7)?,
            start: date!(2021 - 06 - 01),
        })
    }

    /// A distinct id for the `i`-th thing of a kind at this site.
    pub(crate) fn id(&self, kind: u32, i: u32) -> Uuid {
        Uuid::from_u128((u128::from(self.k + 1) << 40) | (u128::from(kind) << 32) | u128::from(i))
    }
}

fn pairing_id(k: u32) -> PairingId {
    PairingId(Uuid::from_u128(0x0190_0000_0000 + u128::from(k)))
}

/// The program parameters every pairing carries: a 12-month minimum term, at most two apprentices
/// per mentor.
pub(crate) fn parameters() -> ProgramParameters {
    ProgramParameters {
        version: 1,
        min_term_months: 12,
        min_team_size: 1,
        min_senior_members: 0,
        mentor_ratio_max: 2,
        short_visit_max_days: 30,
        indicator_set: IndicatorSet {
            version: "2022".into(),
            indicators: vec![],
        },
        group_rules: None,
        eligible_counties: None,
    }
}

/// The generated log and the keys queries can ask about.
pub(crate) struct World {
    pub(crate) log: Log,
    /// Credit codes of the recipient hospitals.
    pub(crate) hospitals: Vec<String>,
    /// Ids of the city-level pairings (each with nine children).
    pub(crate) city_pairings: Vec<String>,
    pub(crate) techniques: Vec<String>,
}

/// Generates sites until the log holds `events` events.
pub(crate) fn generate(events: usize) -> anyhow::Result<World> {
    let mut world = World {
        log: Log::default(),
        hospitals: Vec::new(),
        city_pairings: Vec::new(),
        techniques: (0..TECHNIQUES).map(technique_key).collect(),
    };
    let mut k = 0;
    while world.log.len() < events {
        let site = Site::new(k)?;
        facts::hospital(&mut world.log, &site)?;
        facts::pairing(&mut world.log, &site)?;
        people::teams(&mut world.log, &site)?;
        work::techniques(&mut world.log, &site)?;
        work::activity(&mut world.log, &site)?;
        work::network(&mut world.log, &site)?;
        world.hospitals.push(site.recipient.to_string());
        if site.parent.is_none() {
            world.city_pairings.push(site.pairing.to_string());
        }
        k += 1;
    }
    world.log.events.truncate(events);
    Ok(world)
}

pub(crate) fn technique_key(i: u32) -> String {
    format!("tech_{i}")
}
