//! Guarantee 4: a process killed in the middle of appending loses no acknowledged event and leaves
//! no partial group.
//!
//! The test re-runs its own binary as a child (the `child_appends_until_killed` test, which does
//! nothing unless `MEDAID_CRASH_CHILD_URL` is set). The child appends from several tasks at once and
//! prints one line per acknowledged append; the parent kills it with SIGKILL while appends are in
//! flight, then reopens the store and checks it against those lines.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use event_store::{EventStore, ExpectedVersion, StoreOptions};

use crate::support::{Backend, OnDatabase, TestDatabase, assert_log_is_sound, events, metadata};

crate::backend_tests!(a_killed_writer_loses_no_acknowledged_event_and_leaves_no_partial_group);

const CHILD_ENV: &str = "MEDAID_CRASH_CHILD_URL";
const CHILD_TASKS: usize = 8;

/// The child's side: append forever, reporting each acknowledgement on stdout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_appends_until_killed() {
    let Ok(url) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = EventStore::open(StoreOptions::new(url)).await.unwrap();
    let mut tasks = Vec::new();
    for task in 0..CHILD_TASKS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0.. {
                // The request id names how many events the append holds, so the parent can tell a
                // whole append from a partial one.
                let count = round % 5 + 1;
                let request_id = format!("t{task}-r{round}-n{count}");
                let result = store
                    .append(
                        &format!("crash-{task}"),
                        ExpectedVersion::Any,
                        events(count, &request_id),
                        &request_id,
                        metadata(),
                    )
                    .await
                    .unwrap();
                let mut out = std::io::stdout().lock();
                writeln!(
                    out,
                    "ACK {request_id} {} {}",
                    result.first_position, result.event_count
                )
                .unwrap();
                out.flush().unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

async fn a_killed_writer_loses_no_acknowledged_event_and_leaves_no_partial_group(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    // Create the schema first so the child only appends.
    db.open().await.close().await;

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::child_appends_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &db.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .filter(|line| line.starts_with("ACK "))
            .map(|line| {
                let parts: Vec<&str> = line.split(' ').collect();
                (
                    parts[1].to_owned(),
                    (
                        parts[2].parse::<u64>().unwrap(),
                        parts[3].parse::<u64>().unwrap(),
                    ),
                )
            })
            .collect::<Vec<_>>()
    });
    // Let it get well into its stride, then kill it without warning.
    let started = Instant::now();
    let database_grew = loop {
        let store = db.open().await;
        let size = store.head().await.unwrap().size;
        store.close().await;
        if size >= 400 {
            break true;
        }
        if started.elapsed() > Duration::from_secs(60) {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    db.wait_for_other_sessions_to_end().await;
    let acknowledged: HashMap<String, (u64, u64)> = reader.join().unwrap().into_iter().collect();
    assert!(database_grew, "the child never got going");
    assert!(!acknowledged.is_empty());

    let store = db.open().await;
    let all = assert_log_is_sound(&store).await;
    let mut by_request: HashMap<String, Vec<u64>> = HashMap::new();
    for event in &all {
        by_request
            .entry(event.parsed_metadata().unwrap().request_id)
            .or_default()
            .push(event.position);
    }
    for (request_id, (first, count)) in &acknowledged {
        let positions = by_request
            .get(request_id)
            .unwrap_or_else(|| panic!("acknowledged {request_id} was lost"));
        assert_eq!(
            positions,
            &(*first..first + count).collect::<Vec<_>>(),
            "{request_id}"
        );
    }
    for (request_id, positions) in &by_request {
        let intended: usize = request_id.rsplit_once("-n").unwrap().1.parse().unwrap();
        assert_eq!(positions.len(), intended, "append {request_id} is whole");
    }
    // The store takes new appends after the crash.
    let next = store
        .append(
            "after-crash",
            ExpectedVersion::NoStream,
            events(1, "x"),
            "after",
            metadata(),
        )
        .await
        .unwrap();
    assert_eq!(next.first_position, all.len() as u64);
}
