//! Every read model, rebuilt from scratch or built across a restart in the middle of its catch-up,
//! holds exactly what the one built incrementally holds: the same tables with the same rows.
//!
//! The projector's own tests prove the mechanism on a counter; these prove it on the real read
//! models and the seed scenarios, where an event applied twice or skipped would change a row.

use std::collections::BTreeMap;
use std::time::Duration;

use domain::Event;
use projector::ProjectorOptions;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::support::{Env, on_both};

/// Every table of one generation of a projection, by its name after the prefix, with its rows
/// rendered as text and sorted (row order in a table carries no meaning).
type Dump = BTreeMap<String, Vec<String>>;

async fn dump(pool: &AnyPool, name: &str, version: u32, generation: u32) -> Dump {
    let tables = sqlx::query(
        "SELECT table_name FROM projection_tables \
         WHERE name = $1 AND version = $2 AND generation = $3",
    )
    .bind(name)
    .bind(i64::from(version))
    .bind(i64::from(generation))
    .fetch_all(pool)
    .await
    .unwrap();
    let prefix = projector::table_prefix_generation(name, version, generation);
    let mut dump = Dump::new();
    for row in tables {
        let table: String = row.get(0);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch_all(pool)
            .await
            .unwrap();
        let mut lines: Vec<String> = rows.iter().map(render).collect();
        lines.sort();
        let logical = table.strip_prefix(&prefix).unwrap_or(&table).to_owned();
        dump.insert(logical, lines);
    }
    assert!(
        !dump.is_empty(),
        "{name} generation {generation} has no tables"
    );
    dump
}

/// One row as `a|b|c`, whatever the column types.
fn render(row: &AnyRow) -> String {
    (0..row.len())
        .map(|i| {
            if let Ok(value) = row.try_get::<Option<i64>, _>(i) {
                return format!("{value:?}");
            }
            if let Ok(value) = row.try_get::<Option<String>, _>(i) {
                return format!("{value:?}");
            }
            if let Ok(value) = row.try_get::<Option<f64>, _>(i) {
                return format!("{value:?}");
            }
            if let Ok(value) = row.try_get::<Option<bool>, _>(i) {
                return format!("{value:?}");
            }
            panic!("column {i} has a type the dump does not know")
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// The active generation of every read model and its tables.
pub(crate) async fn dump_active(env: &Env) -> BTreeMap<String, Dump> {
    let mut all = BTreeMap::new();
    for projection in read_models::all() {
        let name = projection.name();
        let active = env.projector.active(name).unwrap();
        all.insert(
            name.to_owned(),
            dump(env.pool(), name, active.version, active.generation).await,
        );
    }
    all
}

/// Waits until every read model's active generation is past `generation_before` and at `end`.
pub(crate) async fn wait_for_switch(env: &Env, before: &BTreeMap<String, u32>, end: u64) {
    for _ in 0..1200 {
        let switched = read_models::all().iter().all(|p| {
            env.projector
                .active(p.name())
                .is_some_and(|a| a.generation > before[p.name()] && a.position >= end)
        });
        if switched {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the rebuilt generations did not switch over within a minute");
}

pub(crate) fn generations(env: &Env) -> BTreeMap<String, u32> {
    read_models::all()
        .iter()
        .map(|p| {
            let active = env.projector.active(p.name()).unwrap();
            (p.name().to_owned(), active.generation)
        })
        .collect()
}

async fn a_rebuild_equals_the_incrementally_built_models(env: Env, events: Vec<Event>) {
    // Appended in four parts, each projected before the next arrives: incremental building.
    let mut end = 0;
    for part in events.chunks(events.len().div_ceil(4)) {
        end = env.append(part.to_vec()).await;
    }
    let incremental = dump_active(&env).await;
    let rows: usize = incremental
        .values()
        .flat_map(|d| d.values())
        .map(Vec::len)
        .sum();
    assert!(rows > 0, "the scenario left every read model empty");
    let before = generations(&env);
    for projection in read_models::all() {
        env.projector.rebuild(projection.name()).await.unwrap();
    }
    wait_for_switch(&env, &before, end).await;
    assert_eq!(dump_active(&env).await, incremental);
}

async fn seed_000_rebuilt(env: Env) {
    a_rebuild_equals_the_incrementally_built_models(env, crate::seed_000_roster::scenario()).await;
}
on_both!(seed_000_rebuilt);

async fn seed_002_rebuilt(env: Env) {
    a_rebuild_equals_the_incrementally_built_models(env, crate::seed_002_facts::scenario()).await;
}
on_both!(seed_002_rebuilt);

async fn seed_003_rebuilt(env: Env) {
    a_rebuild_equals_the_incrementally_built_models(env, crate::seed_003_mentorship::scenario())
        .await;
}
on_both!(seed_003_rebuilt);

/// Seed 002 is the largest scenario (about 1,500 events), so its catch-up can be stopped midway.
async fn a_restart_mid_catch_up_equals_a_single_run(mut env: Env) {
    let end = env.append(crate::seed_002_facts::scenario()).await;
    let single_run = dump_active(&env).await;
    // One event per transaction keeps the catch-up slow enough to stop it in the middle.
    let slow = ProjectorOptions {
        batch_size: 1,
        ..ProjectorOptions::default()
    };
    env = env.restart_projector(slow.clone()).await;
    let before = generations(&env);
    for projection in read_models::all() {
        env.projector.rebuild(projection.name()).await.unwrap();
    }
    // Stop once the rebuilding generations have made some progress, but not all of it.
    let mut stopped_at = None;
    for _ in 0..2000 {
        let status = env.projector.status().await.unwrap();
        let rebuilding: Vec<u64> = status
            .iter()
            .filter(|s| !s.active && s.generation > before[&s.name])
            .map(|s| s.position)
            .collect();
        if rebuilding.iter().any(|&p| p >= 20) {
            stopped_at = Some(rebuilding);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stopped_at = stopped_at.expect("the rebuild never got going");
    assert!(
        stopped_at.iter().any(|&p| p < end),
        "every rebuild finished before the restart: {stopped_at:?}"
    );
    env = env.restart_projector(slow).await;
    wait_for_switch(&env, &before, end).await;
    assert_eq!(dump_active(&env).await, single_run);
}
on_both!(a_restart_mid_catch_up_equals_a_single_run);
