//! Chaos, run by `scripts/chaos.sh` (CI runs it): the real `medaid` binary as a child process under
//! concurrent writes and a live subscriber, on loopback only, bounded in time and count.
//!
//! 1. `kill -9` of the server under load, on SQLite and on a private PostgreSQL cluster: every
//!    acknowledged write is found afterwards exactly once at the position it was acknowledged
//!    with, the log stays dense, and the subscriber resumes through every restart with no gap or
//!    repeat. A write that failed is retried with its request id, so the idempotent answer after a
//!    restart is checked too.
//! 2. PostgreSQL stopped (`pg_ctl -m immediate`) and started mid-load: writes answer UNAVAILABLE
//!    with RetryInfo, each within ~1 s (the default `limits.store_timeout_ms`); health is
//!    NOT_SERVING within 1 s of losing the database; no write commits after its deadline passed;
//!    writes and health recover after the restart; the subscriber resumes with no gap or repeat.
//!
//! The test is `#[ignore]`d (it needs the binary and the cluster the script prepares, through
//! `MEDAID_CHAOS_*` variables) and prints its figures, which `docs/reliability.md` records.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api::medaid::v1 as pb;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use tonic::Code;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt;

use crate::common::{authed, org, request_id};

/// Writers per phase, server kills in phase 1, and how long PostgreSQL stays down in phase 2.
const WRITERS: u32 = 8;
const KILLS: u32 = 3;
const OUTAGE: Duration = Duration::from_secs(3);
/// How long a write may take to fail while the database is down (the target is 1 s; the bound
/// leaves room for a loaded 2-core machine).
const FAIL_FAST_BOUND: Duration = Duration::from_millis(1500);

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A `medaid serve` child process on a fixed loopback port.
struct Served {
    bin: PathBuf,
    dir: PathBuf,
    url: Option<String>,
    port: u16,
    child: Option<Child>,
}

impl Served {
    fn start(bin: &Path, dir: &Path, url: Option<String>) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut served = Served {
            bin: bin.to_owned(),
            dir: dir.to_owned(),
            url,
            port,
            child: None,
        };
        served.spawn();
        served
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let mut command = Command::new(&self.bin);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .arg("--data-dir")
            .arg(&self.dir)
            .env("MEDAID_TELEMETRY__LOG_FILTER", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        if let Some(url) = &self.url {
            command.args(["--database-url", url]);
        }
        self.child = Some(command.spawn().expect("medaid serve starts"));
    }

    /// `kill -9`, then a new process on the same port.
    fn kill_and_restart(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        self.spawn();
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn channel(&self) -> Channel {
        Endpoint::from_shared(self.endpoint())
            .unwrap()
            .connect_timeout(Duration::from_millis(500))
            .connect_lazy()
    }

    fn token(&self) -> String {
        let out = Command::new(&self.bin)
            .args(["dev-token", "--role", "recorder,reader", "--scope", "*"])
            .arg("--data-dir")
            .arg(&self.dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Waits until health says SERVING; answers how long that took.
    async fn wait_serving(&self, limit: Duration) -> Duration {
        let start = Instant::now();
        while start.elapsed() < limit {
            if health(&self.channel()).await == Some(true) {
                return start.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the server was not SERVING within {limit:?}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `Some(true)` for SERVING, `Some(false)` for NOT_SERVING, `None` when health does not answer.
async fn health(channel: &Channel) -> Option<bool> {
    let mut request = tonic::Request::new(HealthCheckRequest {
        service: String::new(),
    });
    request.set_timeout(Duration::from_millis(300));
    let reply = HealthClient::new(channel.clone())
        .check(request)
        .await
        .ok()?;
    Some(reply.into_inner().status == 1)
}

/// One acknowledged write.
#[derive(Debug, Clone)]
struct Ack {
    stream_id: String,
    request_id: String,
    position: u64,
}

fn register(hospital: &str, request_id: &str) -> pb::RegisterHospitalRequest {
    pb::RegisterHospitalRequest {
        request_id: request_id.to_owned(),
        hospital: hospital.to_owned(),
        name: "会宁县人民医院".into(),
        division: "620422".into(),
        category: "A100".into(),
        registered_on: "2022-01-01".into(),
        ..Default::default()
    }
}

/// Every position a subscriber saw, in order, resubscribing after the last one on any error.
#[derive(Debug, Default)]
struct Seen {
    positions: Vec<u64>,
    resumes: u32,
}

/// Follows the log until it has seen every position below `head` (set once the writers stopped).
fn subscribe(
    channel: Channel,
    token: String,
    head: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<Seen> {
    tokio::spawn(async move {
        let mut seen = Seen::default();
        let done = |seen: &Seen| {
            seen.positions
                .last()
                .is_some_and(|p| p + 1 >= head.load(Ordering::SeqCst))
        };
        while !done(&seen) {
            let mut events = EventServiceClient::new(channel.clone());
            let request = pb::SubscribeEventsRequest {
                after_position: seen.positions.last().copied(),
                heartbeat_interval: Some(prost_types::Duration {
                    seconds: 0,
                    nanos: 200_000_000,
                }),
                ..Default::default()
            };
            let Ok(stream) = events.subscribe_events(authed(&token, request)).await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let mut stream = stream.into_inner();
            loop {
                let next = tokio::time::timeout(Duration::from_secs(2), stream.message()).await;
                match next {
                    Ok(Ok(Some(item))) => {
                        if let Some(pb::subscribe_events_response::Item::Event(event)) = item.item {
                            seen.positions.push(event.position);
                        }
                        if done(&seen) {
                            return seen;
                        }
                    }
                    _ => break,
                }
            }
            seen.resumes += 1;
        }
        seen
    })
}

/// Gaps and repeats in what a subscriber saw from position 0 up to `head` (exclusive).
fn gaps_and_repeats(seen: &[u64], head: u64) -> (u64, u64) {
    let mut repeats = 0;
    let mut distinct = BTreeSet::new();
    let mut previous: Option<u64> = None;
    for &p in seen {
        if previous.is_some_and(|q| p <= q) || !distinct.insert(p) {
            repeats += 1;
        }
        previous = Some(p);
    }
    let gaps = (0..head).filter(|p| !distinct.contains(p)).count() as u64;
    (gaps, repeats)
}

/// The whole log: position → (stream id, request id, recorded at in µs).
async fn read_log(channel: &Channel, token: &str) -> BTreeMap<u64, (String, String, i64)> {
    let mut out = BTreeMap::new();
    let mut page_token = String::new();
    let mut events = EventServiceClient::new(channel.clone());
    loop {
        let page = events
            .list_events(authed(
                token,
                pb::ListEventsRequest {
                    page_size: 1000,
                    page_token: page_token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .expect("the feed answers after recovery")
            .into_inner();
        for e in page.events {
            let recorded = e
                .recorded_at
                .map(|t| t.seconds * 1_000_000 + i64::from(t.nanos / 1000))
                .unwrap_or_default();
            let request = e.metadata.map(|m| m.request_id).unwrap_or_default();
            out.insert(e.position, (e.stream_id, request, recorded));
        }
        if page.next_page_token.is_empty() {
            return out;
        }
        page_token = page.next_page_token;
    }
}

/// What phase 1 measured on one backend.
#[derive(Debug)]
struct KillFigures {
    backend: &'static str,
    acked: usize,
    lost: usize,
    duplicated: usize,
    moved: usize,
    log_gaps: usize,
    sub_gaps: u64,
    sub_repeats: u64,
    resumes: u32,
    recoveries: Vec<Duration>,
}

async fn kill_phase(bin: &Path, url: Option<String>, backend: &'static str) -> KillFigures {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(bin, dir.path(), url);
    served.wait_serving(Duration::from_secs(60)).await;
    let token = served.token();
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU32::new(0));
    let acks = Arc::new(Mutex::new(Vec::<Ack>::new()));
    let head = Arc::new(AtomicU64::new(u64::MAX));
    let subscriber = subscribe(served.channel(), token.clone(), head.clone());
    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (channel, token, stop, next, acks) = (
            served.channel(),
            token.clone(),
            stop.clone(),
            next.clone(),
            acks.clone(),
        );
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let hospital = org("620422", 60_000 + n);
                let id = request_id();
                // Retried with the same request id until acknowledged (or 30 s pass), across
                // restarts: the repeat must answer the original result.
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(30) {
                    let mut request = authed(&token, register(&hospital, &id));
                    request.set_timeout(Duration::from_secs(5));
                    match HospitalServiceClient::new(channel.clone())
                        .register_hospital(request)
                        .await
                    {
                        Ok(reply) => {
                            let result = reply.into_inner().result.unwrap();
                            acks.lock().unwrap().push(Ack {
                                stream_id: result.stream_id,
                                request_id: id.clone(),
                                position: result.positions[0],
                            });
                            break;
                        }
                        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    }
                }
            }
        }));
    }
    let mut recoveries = Vec::new();
    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let killed = Instant::now();
        served.kill_and_restart();
        served.wait_serving(Duration::from_secs(60)).await;
        recoveries.push(killed.elapsed());
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    let channel = served.channel();
    let log = read_log(&channel, &token).await;
    let head_position = log.len() as u64;
    head.store(head_position, Ordering::SeqCst);
    let head = head_position;
    let seen = tokio::time::timeout(Duration::from_secs(30), subscriber)
        .await
        .expect("the subscriber stops")
        .unwrap();
    let acks = acks.lock().unwrap().clone();
    let log_gaps = (0..head).filter(|p| !log.contains_key(p)).count()
        + log.keys().filter(|p| **p >= head).count();
    let mut per_stream: BTreeMap<&str, usize> = BTreeMap::new();
    for (stream, _, _) in log.values() {
        *per_stream.entry(stream.as_str()).or_default() += 1;
    }
    let mut per_request: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, request, _) in log.values() {
        *per_request.entry(request.as_str()).or_default() += 1;
    }
    let (mut lost, mut duplicated, mut moved) = (0, 0, 0);
    for ack in &acks {
        match log.get(&ack.position) {
            None => lost += 1,
            Some((stream, request, _))
                if stream != &ack.stream_id || request != &ack.request_id =>
            {
                moved += 1;
            }
            Some(_) => {}
        }
        if per_stream.get(ack.stream_id.as_str()).copied().unwrap_or(0) > 1
            || per_request
                .get(ack.request_id.as_str())
                .copied()
                .unwrap_or(0)
                > 1
        {
            duplicated += 1;
        }
    }
    let (sub_gaps, sub_repeats) = gaps_and_repeats(&seen.positions, head);
    KillFigures {
        backend,
        acked: acks.len(),
        lost,
        duplicated,
        moved,
        log_gaps,
        sub_gaps,
        sub_repeats,
        resumes: seen.resumes,
        recoveries,
    }
}

/// One write attempt of phase 2.
#[derive(Debug, Clone)]
struct Attempt {
    started: Instant,
    took: Duration,
    code: Code,
    retry_info: bool,
    stream_id: String,
    /// The client's deadline, as wall-clock microseconds since the epoch.
    deadline_us: i64,
    /// The client's timeout: the fail-fast figures count only writes whose client waits longer
    /// than the server's fail-fast bound.
    timeout: Duration,
}

/// The wall clock in microseconds, read as the server reads it (`server::clock`), to compare a
/// client deadline with the record time the store wrote.
fn now_us() -> i64 {
    let now = server::clock::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1000).unwrap()
}

fn run_shell(command: &str) {
    let status = Command::new("sh").arg("-c").arg(command).status().unwrap();
    assert!(status.success(), "{command} failed");
}

/// What phase 2 measured.
#[derive(Debug)]
struct OutageFigures {
    health_lost: Duration,
    during: usize,
    during_unavailable: usize,
    slowest_failure: Duration,
    committed_late: usize,
    /// Answers other than OK, UNAVAILABLE with RetryInfo or DEADLINE_EXCEEDED, over the whole
    /// phase (writes in flight when the database stopped included): INTERNAL would tell clients
    /// never to retry a transient fault.
    dishonest: Vec<String>,
    /// Reads (ListEvents, GetEvent) attempted while the database was down.
    reads_during: usize,
    health_back: Duration,
    writes_back: Duration,
    sub_gaps: u64,
    sub_repeats: u64,
    resumes: u32,
    attempts: usize,
}

async fn outage_phase(bin: &Path, url: String, stop_pg: &str, start_pg: &str) -> OutageFigures {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(bin, dir.path(), Some(url));
    served.wait_serving(Duration::from_secs(60)).await;
    let token = served.token();
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU32::new(0));
    let attempts = Arc::new(Mutex::new(Vec::<Attempt>::new()));
    let head = Arc::new(AtomicU64::new(u64::MAX));
    let subscriber = subscribe(served.channel(), token.clone(), head.clone());
    let mut writers = Vec::new();
    for writer in 0..WRITERS / 2 {
        let (channel, token, stop, next, attempts) = (
            served.channel(),
            token.clone(),
            stop.clone(),
            next.clone(),
            attempts.clone(),
        );
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let hospital = org("620422", 70_000 + n);
                // Client deadlines: 2 s, longer than the server's fail-fast, and 300 ms, shorter
                // than it, so that some clients give up first. Either way a write must never
                // commit after its deadline.
                let timeout = if writer % 2 == 0 {
                    Duration::from_millis(2000)
                } else {
                    Duration::from_millis(300)
                };
                let mut request = authed(&token, register(&hospital, &request_id()));
                request.set_timeout(timeout);
                let deadline_us = now_us() + i64::try_from(timeout.as_micros()).unwrap();
                let started = Instant::now();
                let answer = HospitalServiceClient::new(channel.clone())
                    .register_hospital(request)
                    .await;
                let (code, retry_info) = match &answer {
                    Ok(_) => (Code::Ok, false),
                    Err(s) => (s.code(), s.get_details_retry_info().is_some()),
                };
                attempts.lock().unwrap().push(Attempt {
                    started,
                    took: started.elapsed(),
                    code,
                    retry_info,
                    stream_id: format!("hospital-{hospital}"),
                    deadline_us,
                    timeout,
                });
                if answer.is_err() {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }));
    }
    let reads = tokio::spawn(read_during_outage(
        served.channel(),
        token.clone(),
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_secs(2)).await;
    run_shell(stop_pg);
    let stopped = Instant::now();
    // Health, polled every 20 ms, must turn NOT_SERVING within 1 s.
    let channel = served.channel();
    let health_lost = loop {
        if health(&channel).await == Some(false) {
            break stopped.elapsed();
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(10),
            "health still SERVING 10 s after PostgreSQL stopped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let remaining = OUTAGE.saturating_sub(stopped.elapsed());
    tokio::time::sleep(remaining).await;
    run_shell(start_pg);
    let started_pg = Instant::now();
    let health_back = served.wait_serving(Duration::from_secs(60)).await;
    // The first write that succeeds after the restart.
    let writes_back = loop {
        let done = attempts
            .lock()
            .unwrap()
            .iter()
            .any(|a| a.code == Code::Ok && a.started > started_pg);
        if done {
            break started_pg.elapsed();
        }
        assert!(
            started_pg.elapsed() < Duration::from_secs(60),
            "no write succeeded within 60 s of PostgreSQL starting"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    let read_attempts = reads.await.unwrap();
    let log = read_log(&channel, &token).await;
    let head_position = log.len() as u64;
    head.store(head_position, Ordering::SeqCst);
    let head = head_position;
    let seen = tokio::time::timeout(Duration::from_secs(30), subscriber)
        .await
        .expect("the subscriber stops")
        .unwrap();
    let attempts = attempts.lock().unwrap().clone();
    // Writes sent while the database was surely down (from just after the stop until the start).
    let down = |a: &Attempt| {
        a.timeout > FAIL_FAST_BOUND
            && a.started > stopped + Duration::from_millis(100)
            && a.started + a.took < started_pg
    };
    let during: Vec<&Attempt> = attempts.iter().filter(|a| down(a)).collect();
    let during_unavailable = during
        .iter()
        .filter(|a| a.code == Code::Unavailable && a.retry_info)
        .count();
    let slowest_failure = during.iter().map(|a| a.took).max().unwrap_or_default();
    let recorded: BTreeMap<&str, i64> = log
        .values()
        .map(|(stream, _, at)| (stream.as_str(), *at))
        .collect();
    let committed_late = attempts
        .iter()
        .filter(|a| a.code != Code::Ok)
        .filter(|a| {
            recorded
                .get(a.stream_id.as_str())
                .is_some_and(|at| *at > a.deadline_us)
        })
        .count();
    // A client whose deadline passed sees DEADLINE_EXCEEDED (or CANCELLED, as tonic reports its
    // own timer); a fault of the database must be UNAVAILABLE with RetryInfo, never INTERNAL.
    let honest = |code: Code, retry_info: bool| match code {
        Code::Ok | Code::DeadlineExceeded | Code::Cancelled => true,
        Code::Unavailable => retry_info,
        _ => false,
    };
    let mut dishonest: Vec<String> = attempts
        .iter()
        .filter(|a| !honest(a.code, a.retry_info))
        .map(|a| format!("write {:?} retry_info={}", a.code, a.retry_info))
        .collect();
    dishonest.extend(
        read_attempts
            .iter()
            .filter(|r| !honest(r.code, r.retry_info))
            .map(|r| format!("{} {:?} retry_info={}", r.rpc, r.code, r.retry_info)),
    );
    let reads_during = read_attempts
        .iter()
        .filter(|r| r.started > stopped + Duration::from_millis(100) && r.started < started_pg)
        .count();
    let (sub_gaps, sub_repeats) = gaps_and_repeats(&seen.positions, head);
    OutageFigures {
        health_lost,
        during: during.len(),
        during_unavailable,
        slowest_failure,
        committed_late,
        dishonest,
        reads_during,
        health_back,
        writes_back,
        sub_gaps,
        sub_repeats,
        resumes: seen.resumes,
        attempts: attempts.len(),
    }
}

/// One read made during the outage phase.
struct ReadAttempt {
    rpc: &'static str,
    started: Instant,
    code: Code,
    retry_info: bool,
}

/// Reads the feed (ListEvents, GetEvent) every 50 ms with a 2 s deadline until `stop`.
async fn read_during_outage(
    channel: Channel,
    token: String,
    stop: Arc<AtomicBool>,
) -> Vec<ReadAttempt> {
    let mut client = EventServiceClient::new(channel);
    let mut out = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        for rpc in ["ListEvents", "GetEvent"] {
            let started = Instant::now();
            let answer = if rpc == "ListEvents" {
                let mut request = authed(
                    &token,
                    pb::ListEventsRequest {
                        page_size: 10,
                        ..Default::default()
                    },
                );
                request.set_timeout(Duration::from_secs(2));
                client.list_events(request).await.map(drop)
            } else {
                let mut request = authed(&token, pb::GetEventRequest { position: 0 });
                request.set_timeout(Duration::from_secs(2));
                client.get_event(request).await.map(drop)
            };
            let (code, retry_info) = match &answer {
                Ok(()) => (Code::Ok, false),
                Err(s) => (s.code(), s.get_details_retry_info().is_some()),
            };
            out.push(ReadAttempt {
                rpc,
                started,
                code,
                retry_info,
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    out
}

/// `serve` started while PostgreSQL is down keeps its port and answers health NOT_SERVING, then
/// serves once the database is up. Answers how long SERVING took after the database started.
async fn startup_phase(bin: &Path, url: String, stop_pg: &str, start_pg: &str) -> Duration {
    run_shell(stop_pg);
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(bin, dir.path(), Some(url));
    let channel = served.channel();
    let start = Instant::now();
    // Health answers NOT_SERVING while the store cannot be opened: for a full two seconds, so
    // the process neither exited nor served without its database.
    let mut not_serving_since = None;
    loop {
        match health(&channel).await {
            Some(false) => {
                let since = *not_serving_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= Duration::from_secs(2) {
                    break;
                }
            }
            Some(true) => panic!("SERVING while PostgreSQL is down"),
            None => not_serving_since = None,
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "health never answered NOT_SERVING with PostgreSQL down (see {})",
            dir.path().join("server.log").display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    run_shell(start_pg);
    served.wait_serving(Duration::from_secs(60)).await
}

#[tokio::test]
#[ignore = "run by scripts/chaos.sh, which builds the binary and starts a private PostgreSQL"]
async fn chaos_kill_9_and_database_outage() {
    let Some(bin) = env("MEDAID_CHAOS_BIN") else {
        panic!("MEDAID_CHAOS_BIN is not set: run scripts/chaos.sh");
    };
    let bin = PathBuf::from(bin);
    let pg = env("MEDAID_CHAOS_PG_URL");
    let mut report = String::new();
    let mut backends: Vec<(Option<String>, &'static str)> = vec![(None, "sqlite")];
    if let Some(url) = &pg {
        backends.push((Some(url.clone()), "postgres"));
    }
    for (url, backend) in backends {
        let f = kill_phase(&bin, url, backend).await;
        let line = format!(
            "kill -9 ({}): {} restarts, {} acknowledged writes checked, {} lost, {} duplicated, \
             {} moved, {} log gaps; subscriber {} gaps, {} repeats over {} resumes; recovery {:?}",
            f.backend,
            KILLS,
            f.acked,
            f.lost,
            f.duplicated,
            f.moved,
            f.log_gaps,
            f.sub_gaps,
            f.sub_repeats,
            f.resumes,
            f.recoveries
        );
        eprintln!("chaos: {line}");
        report.push_str(&line);
        report.push('\n');
        assert!(f.acked > 0, "{line}");
        assert_eq!(
            (f.lost, f.duplicated, f.moved, f.log_gaps),
            (0, 0, 0, 0),
            "{line}"
        );
        assert_eq!((f.sub_gaps, f.sub_repeats), (0, 0), "{line}");
    }
    if let (Some(url), Some(stop_pg), Some(start_pg)) = (
        pg,
        env("MEDAID_CHAOS_PG_STOP"),
        env("MEDAID_CHAOS_PG_START"),
    ) {
        let f = outage_phase(&bin, url.clone(), &stop_pg, &start_pg).await;
        let line = format!(
            "outage (postgres, {OUTAGE:?} down): health NOT_SERVING after {:?}; {} writes during \
             the outage, {} UNAVAILABLE with RetryInfo, slowest answer {:?}; {} committed after \
             their deadline; health SERVING {:?} and writes succeeding {:?} after the restart; \
             subscriber {} gaps, {} repeats over {} resumes; {} attempts, {} reads during the \
             outage, {} dishonest answers {:?}",
            f.health_lost,
            f.during,
            f.during_unavailable,
            f.slowest_failure,
            f.committed_late,
            f.health_back,
            f.writes_back,
            f.sub_gaps,
            f.sub_repeats,
            f.resumes,
            f.attempts,
            f.reads_during,
            f.dishonest.len(),
            f.dishonest.iter().take(5).collect::<Vec<_>>()
        );
        eprintln!("chaos: {line}");
        report.push_str(&line);
        report.push('\n');
        assert!(f.health_lost <= Duration::from_millis(1000), "{line}");
        assert!(f.during > 0, "{line}");
        assert_eq!(f.during_unavailable, f.during, "{line}");
        assert!(f.slowest_failure <= FAIL_FAST_BOUND, "{line}");
        assert_eq!(f.committed_late, 0, "{line}");
        assert_eq!((f.sub_gaps, f.sub_repeats), (0, 0), "{line}");
        assert!(f.reads_during > 0, "{line}");
        assert!(f.dishonest.is_empty(), "{line}");

        let serving_after = startup_phase(&bin, url, &stop_pg, &start_pg).await;
        let line = format!(
            "start-up (postgres down): health NOT_SERVING while down, SERVING {serving_after:?} \
             after the database started"
        );
        eprintln!("chaos: {line}");
        report.push_str(&line);
        report.push('\n');
    }
    if let Some(out) = env("MEDAID_CHAOS_OUT") {
        std::fs::write(out, report).unwrap();
    }
}
