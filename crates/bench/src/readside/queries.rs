//! Query latency: representative read-model queries, each asked `queries` times by `clients`
//! concurrent clients through the projector's pool (as the gRPC read services do), against the
//! active tables of a built projector.

use std::sync::Arc;
use std::time::{Duration, Instant};

use projector::Projector;
use read_models::roster::RosterFilter;
use read_models::{
    PageRequest, capability, mentorship_board, roster, scoreboard, technique_diffusion,
};
use sqlx::AnyPool;
use time::macros::date;

use super::scenario::World;
use crate::stats::Report;

/// The queries measured, each with the read model it reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Query {
    /// Who is on site at a county hospital on a day (a page of up to 100 members).
    OnSite,
    /// A city-level pairing's figures, rolled up over its nine children.
    Scoreboard,
    /// Which hospitals perform a technique (a page of up to 100).
    HospitalsPerforming,
    /// A hospital's mentorship board on a day.
    MentorshipBoard,
    /// A hospital's capability card on a day.
    CapabilityCard,
}

pub(crate) const ALL: [Query; 5] = [
    Query::OnSite,
    Query::Scoreboard,
    Query::HospitalsPerforming,
    Query::MentorshipBoard,
    Query::CapabilityCard,
];

impl Query {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Query::OnSite => "roster::on_site",
            Query::Scoreboard => "scoreboard::scoreboard",
            Query::HospitalsPerforming => "technique_diffusion::hospitals_performing",
            Query::MentorshipBoard => "mentorship_board::board",
            Query::CapabilityCard => "capability::card",
        }
    }

    fn projection(self) -> &'static str {
        match self {
            Query::OnSite => "on_site_roster",
            Query::Scoreboard => "pairing_scoreboard",
            Query::HospitalsPerforming => "technique_diffusion",
            Query::MentorshipBoard => "mentorship_board",
            Query::CapabilityCard => "hospital_capability",
        }
    }

    /// Asks the `i`-th question of this kind (the keys cycle through the world's hospitals,
    /// pairings and techniques) and returns how many items the answer holds.
    async fn ask(self, at: &Tables, world: &World, i: usize) -> anyhow::Result<usize> {
        let (pool, prefix, position) = (&at.pool, at.prefix.as_str(), at.position);
        let hospital = &world.hospitals[i % world.hospitals.len()];
        let page = PageRequest::first(100);
        Ok(match self {
            Query::OnSite => {
                let day = date!(2024 - 03 - 01);
                let filter = RosterFilter::default();
                roster::on_site(pool, prefix, position, hospital, day, &filter, &page)
                    .await?
                    .items
                    .len()
            }
            Query::Scoreboard => {
                let pairing = &world.city_pairings[i % world.city_pairings.len()];
                scoreboard::scoreboard(pool, prefix, position, pairing)
                    .await?
                    .value
                    .pairings
            }
            Query::HospitalsPerforming => {
                let key = &world.techniques[i % world.techniques.len()];
                let day = date!(2024 - 12 - 31);
                technique_diffusion::hospitals_performing(pool, prefix, position, key, day, &page)
                    .await?
                    .items
                    .len()
            }
            Query::MentorshipBoard => {
                let day = date!(2023 - 06 - 01);
                mentorship_board::board(pool, prefix, position, hospital, day)
                    .await?
                    .value
                    .pairs
            }
            Query::CapabilityCard => {
                let day = date!(2025 - 01 - 15);
                capability::card(pool, prefix, position, hospital, day)
                    .await?
                    .value
                    .grades
                    .len()
            }
        })
    }
}

/// Where a query reads: the pool and the active tables of its read model.
struct Tables {
    pool: AnyPool,
    prefix: String,
    position: u64,
}

/// The result of one query kind: throughput and latency, and the mean items per answer (a check
/// that the questions hit real data).
pub(crate) struct QueryReport {
    pub(crate) report: Report,
    pub(crate) mean_items: f64,
}

/// Asks `query` `queries` times from `clients` concurrent clients, after a short unmeasured warm-up.
pub(crate) async fn measure(
    projector: &Projector,
    world: &Arc<World>,
    query: Query,
    clients: usize,
    queries: usize,
) -> anyhow::Result<QueryReport> {
    let active = projector
        .active(query.projection())
        .ok_or_else(|| anyhow::anyhow!("no active tables for {}", query.projection()))?;
    let tables = Arc::new(Tables {
        pool: projector.pool().clone(),
        prefix: active.table_prefix,
        position: active.position,
    });
    for i in 0..clients * 5 {
        query.ask(&tables, world, i).await?;
    }
    let clients = clients.max(1);
    let per_client = queries.div_ceil(clients);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (tables, world) = (tables.clone(), world.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples: Vec<(Duration, usize)> = Vec::with_capacity(per_client);
            for n in 0..per_client {
                let one = Instant::now();
                let items = query.ask(&tables, &world, client * per_client + n).await?;
                samples.push((one.elapsed(), items));
            }
            anyhow::Ok(samples)
        }));
    }
    let mut latencies = Vec::new();
    let mut items = 0usize;
    for task in tasks {
        for (latency, n) in task.await?? {
            latencies.push(latency);
            items += n;
        }
    }
    let elapsed = started.elapsed();
    let asked = latencies.len();
    Ok(QueryReport {
        report: Report::new(asked, elapsed, latencies),
        mean_items: items as f64 / asked.max(1) as f64,
    })
}
