//! The log itself as the target: appends through `EventStore`, group commit and leaf hashing included.

use event_store::{
    AppendMetadata, BusinessTime, EventStore, ExpectedVersion, NewEvent, StoreOptions,
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

pub(crate) async fn run_sqlite(workload: Workload) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    run(EventStore::open(StoreOptions::new(url)).await?, workload).await
}

pub(crate) async fn run_postgres(server_url: &str, workload: Workload) -> anyhow::Result<Report> {
    let database = crate::scratch::ScratchDatabase::create(server_url).await?;
    // The database is dropped whether or not the run succeeded.
    let report = match EventStore::open(StoreOptions::new(&database.url)).await {
        Ok(store) => run(store, workload).await,
        Err(error) => Err(error.into()),
    };
    database.drop_it().await?;
    report
}

pub(crate) async fn run(store: EventStore, workload: Workload) -> anyhow::Result<Report> {
    let writer = store.clone();
    let (elapsed, latencies) = drive_clients(workload, move |client, append| {
        let store = writer.clone();
        async move {
            let events = (0..workload.batch)
                .map(|i| NewEvent {
                    event_type: "MemberAssigned".into(),
                    schema_version: 1,
                    payload: payload(client, append, i),
                    occurred: BusinessTime::instant(1_721_865_600_000_000),
                    tags: Vec::new(),
                })
                .collect();
            let metadata = AppendMetadata {
                actor: "bench".into(),
                ..AppendMetadata::default()
            };
            let stream = workload.stream(client, append);
            let request_id = format!("bench-{client}-{append}");
            store
                .append(&stream, ExpectedVersion::Any, events, &request_id, metadata)
                .await?;
            Ok(())
        }
    })
    .await?;
    let written = store.head().await?.size;
    store.close().await;
    Ok(Report::new(usize::try_from(written)?, elapsed, latencies))
}
