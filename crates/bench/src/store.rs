//! The log itself as the target: appends through `EventStore`, group commit and leaf hashing included.

use event_store::{
    AppendCondition, AppendMetadata, BusinessTime, EventStore, ExpectedVersion, NewEvent,
    StoreOptions, TagQuery,
};
use serde_json::json;

use crate::Workload;
use crate::stats::{Report, drive_clients};

/// A payload of about 400 bytes, the size the brief's comparison uses.
pub(crate) fn payload(client: usize, append: usize, i: usize) -> serde_json::Value {
    json!({
        "pairing_id": "0190e3c1-7f5e-7000-8000-00000000c0de",
        "batch_no": 3,
        "practitioner_id": format!("practitioner-{client}-{append}-{i}"),
        "home_org": "12620000438000531T",
        "recipient_org": "12620422438800011K",
        "title": 233,
        "department": "04.05",
        "role": "clinical",
        "arrived_on": "2024-07-25",
        "note": "x".repeat(120),
    })
}

/// Whether every append carries a condition (targets `sqlite-conditioned`, `postgres-conditioned`):
/// each event is tagged `client:<n>`, and each append requires that no event with its client's tag
/// was written since the head the client last heard of, as a decision on that client's facts
/// would. The condition always holds, so the run measures what checking it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conditions {
    None,
    EveryAppend,
}

pub(crate) async fn run_sqlite(
    workload: Workload,
    conditions: Conditions,
) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    run(
        EventStore::open(StoreOptions::new(url)).await?,
        workload,
        conditions,
    )
    .await
}

pub(crate) async fn run_postgres(
    server_url: &str,
    workload: Workload,
    conditions: Conditions,
) -> anyhow::Result<Report> {
    let database = crate::scratch::ScratchDatabase::create(server_url).await?;
    // The database is dropped whether or not the run succeeded.
    let report = match EventStore::open(StoreOptions::new(&database.url)).await {
        Ok(store) => run(store, workload, conditions).await,
        Err(error) => Err(error.into()),
    };
    database.drop_it().await?;
    report
}

pub(crate) async fn run(
    store: EventStore,
    workload: Workload,
    conditions: Conditions,
) -> anyhow::Result<Report> {
    let writer = store.clone();
    let (elapsed, latencies) = drive_clients(workload, move |client, append| {
        let store = writer.clone();
        async move {
            let tag = format!("client:{client}");
            let (tags, conditions) = match conditions {
                Conditions::None => (Vec::new(), Vec::new()),
                Conditions::EveryAppend => (
                    vec![tag.clone()],
                    vec![AppendCondition {
                        query: TagQuery::tag(tag),
                        from_position: store.committed_size(),
                    }],
                ),
            };
            let events = (0..workload.batch)
                .map(|i| NewEvent {
                    event_type: "MemberAssigned".into(),
                    schema_version: 1,
                    payload: payload(client, append, i),
                    occurred: BusinessTime::instant(1_721_865_600_000_000),
                    tags: tags.clone(),
                })
                .collect();
            let metadata = AppendMetadata {
                actor: "bench".into(),
                ..AppendMetadata::default()
            };
            let stream = workload.stream(client, append);
            let request_id = format!("bench-{client}-{append}");
            store
                .append_if(
                    &stream,
                    ExpectedVersion::Any,
                    conditions,
                    events,
                    &request_id,
                    metadata,
                )
                .await?;
            Ok(())
        }
    })
    .await?;
    let written = store.head().await?.size;
    store.close().await;
    Ok(Report::new(usize::try_from(written)?, elapsed, latencies))
}
