//! Pairing scoreboard: cumulative figures of a pairing and of every pairing under it (city to city
//! rolls up county and hospital pairings).
//!
//! - How many hospitals are paired (supporting side and recipient side, counted on the leaf
//!   pairings of the tree, e.g. 39 with 33)?
//! - Staff dispatched, as distinct people and as person-terms (member assignments).
//! - Surgeries, critical rescues, patients served (from activity reports, keeping "at least"),
//!   trainings delivered, techniques introduced, gaps filled, alliances led, platforms, funding.
//! - Who the pairing's own parties are, by credit code with their registered names.
//!
//! Reported and itemized figures are never added (issue 9 item 10). A report on a pairing covers
//! the pairings nested under it (东莞's "1176 trainings" is the whole city's), so a pairing's
//! reported figure is the larger of what its own reports state and what its child pairings' reported
//! figures add up to ([`Reported::rolled_up`]). Trainings are also itemized (`TrainingDelivered`,
//! one event each), and a report's count may include those: the scoreboard shows the two side by
//! side (`trainings`, `reported_trainings`) and leaves the choice to the reader.

use std::collections::{BTreeMap, BTreeSet};

use domain::aggregates::platform::PlatformKind;
use sqlx::AnyPool;
use time::Date;

use crate::dates::parse;
use crate::fact::{FactProjection, tables as t};
use crate::names::{OrgName, named, org_names};
use crate::page::{
    Answer, Page, PageRequest, QueryError, fetch, opt_int, opt_text, tag, text, uint,
};
use crate::query::{Query, Subject, View, Visible};

mod children;

pub use children::children;

pub static PROJECTION: FactProjection = FactProjection {
    name: "pairing_scoreboard",
    // 2: the gap table keeps the display name of a custom region.
    // 3: the alliance table gained the specialty name and sub-code.
    // 4: the activity table gained reported trainings and teleconsultations.
    // 5: the hospital table, for the parties' names.
    version: 5,
    tables: &[
        &t::HOSPITAL,
        &t::PAIRING,
        &t::PAIRING_ORG,
        &t::ASSIGNMENT,
        &t::TRAINING,
        &t::ACTIVITY,
        &t::TECHNIQUE,
        &t::GAP,
        &t::ALLIANCE,
        &t::FUNDING,
        &t::PLATFORM,
    ],
};

/// A summed figure; `at_least` when any part was an "at least" (余/多) figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figure {
    pub value: u64,
    pub at_least: bool,
}

impl Figure {
    /// The sum; "at least" when either part was.
    fn plus(self, other: Figure) -> Figure {
        Figure {
            value: self.value.saturating_add(other.value),
            at_least: self.at_least || other.at_least,
        }
    }

    /// The larger of two figures of which one covers the other; on a tie the exact one.
    pub(crate) fn larger(self, other: Figure) -> Figure {
        match self.value.cmp(&other.value) {
            std::cmp::Ordering::Greater => self,
            std::cmp::Ordering::Less => other,
            std::cmp::Ordering::Equal => Figure {
                value: self.value,
                at_least: self.at_least && other.at_least,
            },
        }
    }
}

/// The figures activity reports state for a pairing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Reported {
    surgeries: Figure,
    critical_rescues: Figure,
    patients_served: Figure,
    trainings: Figure,
}

impl Reported {
    fn map2(self, other: Reported, f: impl Fn(Figure, Figure) -> Figure) -> Reported {
        Reported {
            surgeries: f(self.surgeries, other.surgeries),
            critical_rescues: f(self.critical_rescues, other.critical_rescues),
            patients_served: f(self.patients_served, other.patients_served),
            trainings: f(self.trainings, other.trainings),
        }
    }

    /// The reported figures of `id`: per figure, the larger of its own reports' sum and the sum of
    /// its children's rolled-up figures, so that a figure reported at two levels counts once.
    fn rolled_up(
        id: &str,
        children: &BTreeMap<String, Vec<String>>,
        own: &BTreeMap<String, Reported>,
        depth: usize,
    ) -> Reported {
        let mut below = Reported::default();
        // Pairings nest a few levels (city, county, hospital); the bound only guards the recursion.
        if depth < 32 {
            for child in children.get(id).into_iter().flatten() {
                below = below.map2(
                    Self::rolled_up(child, children, own, depth + 1),
                    Figure::plus,
                );
            }
        }
        own.get(id)
            .copied()
            .unwrap_or_default()
            .map2(below, Figure::larger)
    }
}

/// The cumulative figures of a pairing and its descendants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scoreboard {
    pub pairing_id: String,
    /// The pairing's own recipient, with its registered name (empty org for an unknown pairing).
    pub recipient_org: OrgName,
    /// The pairing's own supporting organisations, in the order the pairing lists them, with
    /// their registered names.
    pub supporting_orgs: Vec<OrgName>,
    /// Pairings counted: this one and every descendant.
    pub pairings: usize,
    pub supporting_hospitals: usize,
    pub recipient_hospitals: usize,
    pub staff_people: usize,
    pub staff_terms: usize,
    pub surgeries: Figure,
    pub critical_rescues: Figure,
    pub patients_served: Figure,
    /// Trainings itemized (`TrainingDelivered`), counted one by one.
    pub trainings: usize,
    /// Trainings as activity reports count them, rolled up like the other reported figures; never
    /// added to `trainings`.
    pub reported_trainings: Figure,
    pub training_attendees: Figure,
    pub techniques: usize,
    pub gaps_filled: usize,
    pub alliances: usize,
    pub platforms: usize,
    pub co_built_departments: usize,
    pub funding_fen: u64,
}

fn add(figure: &mut Figure, value: Option<i64>, comparator: Option<String>) {
    if let Some(value) = value.and_then(|v| u64::try_from(v).ok()) {
        figure.value = figure.value.saturating_add(value);
        figure.at_least |= comparator.as_deref() == Some("at_least");
    }
}

/// The scoreboard of `pairing_id`, rolled up over its descendants.
pub async fn scoreboard(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    pairing_id: &str,
) -> Result<Answer<Scoreboard>, QueryError> {
    // pairing -> (parent, recipient, start)
    let mut pairings: BTreeMap<String, (Option<String>, String, Date)> = BTreeMap::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}pairing", &[]).await? {
        pairings.insert(
            text(&row, "pairing_id")?,
            (
                opt_text(&row, "parent_id")?,
                text(&row, "recipient_org")?,
                parse(&text(&row, "start_on")?)?,
            ),
        );
    }
    let mut subtree: BTreeSet<String> = BTreeSet::new();
    if pairings.contains_key(pairing_id) {
        subtree.insert(pairing_id.to_owned());
        loop {
            let before = subtree.len();
            for (id, (parent, _, _)) in &pairings {
                if parent.as_ref().is_some_and(|p| subtree.contains(p)) {
                    subtree.insert(id.clone());
                }
            }
            if subtree.len() == before {
                break;
            }
        }
    }
    let has_children: BTreeSet<&String> = pairings
        .values()
        .filter_map(|(parent, _, _)| parent.as_ref())
        .filter(|p| subtree.contains(*p))
        .collect();
    let leaves: BTreeSet<&String> = subtree
        .iter()
        .filter(|p| !has_children.contains(p))
        .collect();

    let mut supporting: BTreeSet<String> = BTreeSet::new();
    let mut all_orgs: BTreeSet<String> = BTreeSet::new();
    // The pairing's own parties, in the order it lists them.
    let mut own_supporting: Vec<String> = Vec::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}pairing_org ORDER BY src_stream, src_version, seq",
        &[],
    )
    .await?
    {
        let pairing = text(&row, "pairing_id")?;
        if subtree.contains(&pairing) {
            let org = text(&row, "org")?;
            if pairing == pairing_id {
                own_supporting.push(org.clone());
            }
            if leaves.contains(&pairing) {
                supporting.insert(org.clone());
            }
            all_orgs.insert(org);
        }
    }
    // recipient -> earliest start of a pairing in the tree that serves it
    let mut recipients: BTreeMap<String, Date> = BTreeMap::new();
    let mut leaf_recipients: BTreeSet<&String> = BTreeSet::new();
    for id in &subtree {
        if let Some((_, recipient, start)) = pairings.get(id) {
            let entry = recipients.entry(recipient.clone()).or_insert(*start);
            *entry = (*entry).min(*start);
            all_orgs.insert(recipient.clone());
            if leaves.contains(id) {
                leaf_recipients.insert(recipient);
            }
        }
    }

    let own_recipient = pairings
        .get(pairing_id)
        .map(|(_, recipient, _)| recipient.clone())
        .unwrap_or_default();
    let parties: Vec<&str> = own_supporting
        .iter()
        .map(String::as_str)
        .chain([own_recipient.as_str()])
        .collect();
    let names = org_names(pool, prefix, parties).await?;
    let mut board = Scoreboard {
        pairing_id: pairing_id.to_owned(),
        recipient_org: named(&names, &own_recipient),
        supporting_orgs: own_supporting
            .iter()
            .map(|org| named(&names, org))
            .collect(),
        pairings: subtree.len(),
        supporting_hospitals: supporting.len(),
        recipient_hospitals: leaf_recipients.len(),
        ..Scoreboard::default()
    };
    let in_tree = |row: &sqlx::any::AnyRow| -> Result<bool, QueryError> {
        Ok(subtree.contains(&text(row, "pairing_id")?))
    };

    let mut people = BTreeSet::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT pairing_id, practitioner FROM {p}assignment",
        &[],
    )
    .await?
    {
        if in_tree(&row)? {
            people.insert(text(&row, "practitioner")?);
            board.staff_terms += 1;
        }
    }
    board.staff_people = people.len();
    let mut own: BTreeMap<String, Reported> = BTreeMap::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}activity", &[]).await? {
        if in_tree(&row)? {
            let figures = own.entry(text(&row, "pairing_id")?).or_default();
            for (figure, column) in [
                (&mut figures.surgeries, "surgeries"),
                (&mut figures.critical_rescues, "rescues"),
                (&mut figures.patients_served, "patients"),
                (&mut figures.trainings, "trainings"),
            ] {
                add(
                    figure,
                    opt_int(&row, column)?,
                    opt_text(&row, &format!("{column}_cmp"))?,
                );
            }
        }
    }
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, (parent, _, _)) in &pairings {
        if let Some(parent) = parent.as_ref().filter(|p| subtree.contains(*p)) {
            children.entry(parent.clone()).or_default().push(id.clone());
        }
    }
    let reported = Reported::rolled_up(pairing_id, &children, &own, 0);
    board.surgeries = reported.surgeries;
    board.critical_rescues = reported.critical_rescues;
    board.patients_served = reported.patients_served;
    board.reported_trainings = reported.trainings;
    for row in fetch(pool, prefix, "SELECT * FROM {p}training", &[]).await? {
        if in_tree(&row)? {
            board.trainings += 1;
            add(
                &mut board.training_attendees,
                opt_int(&row, "attendees")?,
                opt_text(&row, "attendees_cmp")?,
            );
        }
    }
    let served_since =
        |hospital: &str, date: Date| recipients.get(hospital).is_some_and(|s| *s <= date);
    let mut techniques = BTreeSet::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT hospital, technique, first_on FROM {p}technique",
        &[],
    )
    .await?
    {
        let hospital = text(&row, "hospital")?;
        if served_since(&hospital, parse(&text(&row, "first_on")?)?) {
            techniques.insert((hospital, text(&row, "technique")?));
        }
    }
    board.techniques = techniques.len();
    let mut gaps = BTreeSet::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}gap", &[]).await? {
        if served_since(&text(&row, "hospital")?, parse(&text(&row, "claimed_on")?)?) {
            gaps.insert((
                text(&row, "level")?,
                text(&row, "region")?,
                text(&row, "technique")?,
            ));
        }
    }
    board.gaps_filled = gaps.len();
    let mut alliances = BTreeSet::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT alliance_id, lead_org FROM {p}alliance",
        &[],
    )
    .await?
    {
        if all_orgs.contains(&text(&row, "lead_org")?) {
            alliances.insert(text(&row, "alliance_id")?);
        }
    }
    board.alliances = alliances.len();
    for row in fetch(
        pool,
        prefix,
        "SELECT pairing_id, kind FROM {p}platform",
        &[],
    )
    .await?
    {
        if in_tree(&row)? {
            board.platforms += 1;
            if tag::<PlatformKind>(&row, "kind")? == PlatformKind::CoBuiltDepartment {
                board.co_built_departments += 1;
            }
        }
    }
    for row in fetch(
        pool,
        prefix,
        "SELECT pairing_id, amount_fen FROM {p}funding",
        &[],
    )
    .await?
    {
        if in_tree(&row)? {
            board.funding_fen = board.funding_fen.saturating_add(uint(&row, "amount_fen")?);
        }
    }
    Ok(Answer {
        position,
        value: board,
    })
}

/// `GetPairingScoreboard`: a pairing's cumulative figures, its own and its descendants' together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingScoreboard {
    pub pairing_id: String,
}

impl Query for PairingScoreboard {
    type Answer = Answer<Scoreboard>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Pairing(&self.pairing_id)
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        scoreboard(v.pool, v.prefix, v.position, &self.pairing_id).await
    }
}

/// `ListChildScoreboards`: the scoreboards of a pairing's direct child pairings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildScoreboards {
    pub pairing_id: String,
    pub page: PageRequest,
}

impl Query for ChildScoreboards {
    type Answer = Page<Scoreboard>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Pairing(&self.pairing_id)
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        children(v.pool, v.prefix, v.position, &self.pairing_id, &self.page).await
    }
}
