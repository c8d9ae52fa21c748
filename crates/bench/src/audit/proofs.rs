//! `audit proofs`: GetInclusionProof through a real server over a large log.
//!
//! The server is `server::run` in this process, on port 0, over the database the log was written
//! to, with its background signer and projectors running as in production (the log's event type is
//! one no projection reads, so they have nothing to do once caught up; a warm-up phase covers their
//! catch-up scan). The clients share the two cores with the server, as any client on this machine
//! would. Each client has its own connection and asks for one proof at a time, for positions spread
//! over the whole log by a multiplicative hash (Fibonacci hashing), so no two nearby requests hit
//! the same nodes.

use std::time::{Duration, Instant};

use api::medaid::v1 as pb;
use api::medaid::v1::audit_service_client::AuditServiceClient;
use clap::Args;
use server::cli::{DevTokenArgs, dev_token};
use server::config::{Config, Overrides};
use tonic::transport::Channel;

use crate::scratch::ScratchDatabase;

/// Options of `audit proofs`.
#[derive(Debug, Args)]
pub(crate) struct ProofArgs {
    /// Events in the log.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Concurrent clients, each with its own connection; several counts are measured one after the
    /// other on the same server and log.
    #[arg(long, value_delimiter = ',', default_values_t = [64usize])]
    clients: Vec<usize>,
    /// Requests per run, shared among the clients.
    #[arg(long, default_value_t = 50_000)]
    requests: usize,
    /// Runs per target and mode; the median run (by rate) is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Seconds of requests before the measured runs (connections, the page cache, the server's
    /// tree cache filling from the database after start-up).
    #[arg(long, default_value_t = 10)]
    warm_up_secs: u64,
    /// Targets: sqlite, postgres.
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_string(), "postgres".to_string()])]
    targets: Vec<String>,
}

/// How the clients name the tree: the size of a checkpoint they fetched before (what an auditor
/// holding a checkpoint does), or none (the server proves against its signed committed head).
#[derive(Debug, Clone, Copy)]
enum Mode {
    GivenSize,
    CurrentHead,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::GivenSize => "tree_size given",
            Mode::CurrentHead => "tree_size unset",
        }
    }
}

struct Run {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

pub(super) async fn run(args: &ProofArgs, postgres_url: &str) -> anyhow::Result<String> {
    let mut lines = vec![
        "| target | log events | clients | request | requests | requests/s | p50 | p99 |"
            .to_owned(),
        "|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    for target in &args.targets {
        let dir = tempfile::tempdir()?;
        let overrides = Overrides {
            data_dir: Some(dir.path().to_owned()),
            ..Overrides::default()
        };
        let mut config: Config = Config::figment(None, None, &overrides).extract()?;
        let database = match target.as_str() {
            "sqlite" => None,
            "postgres" => Some(ScratchDatabase::create(postgres_url).await?),
            other => anyhow::bail!("unknown target {other:?}"),
        };
        if let Some(database) = &database {
            config.database_url = Some(secrecy::SecretString::from(database.url.clone()));
        }
        // The database is dropped whether or not the measurement succeeded.
        let outcome = measure_target(args, target, config).await;
        if let Some(database) = database {
            database.drop_it().await?;
        }
        lines.extend(outcome?);
    }
    Ok(lines.join("\n"))
}

async fn measure_target(
    args: &ProofArgs,
    target: &str,
    config: Config,
) -> anyhow::Result<Vec<String>> {
    let url = server::store_wiring::store_url(&config);
    let built = super::log::build(&url, args.events).await?;
    eprintln!(
        "{target}: {} events written in {:.1} s ({:.0} events/s)",
        args.events,
        built.as_secs_f64(),
        args.events as f64 / built.as_secs_f64()
    );

    // The token is minted first, which creates the development key pair: the server started next
    // loads that key instead of racing this process to create it.
    let token = dev_token(
        &config,
        &DevTokenArgs {
            roles: vec!["auditor".to_owned()],
            scope: vec!["*".to_owned()],
            subject: "bench".to_owned(),
            ttl: 24 * 3600,
            data_dir: None,
        },
    )?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::run(config.clone(), listener, async {
        let _ = stopped.await;
    }));
    let mut outcome = Ok(Vec::new());
    for &clients in &args.clients {
        match measure_server(args, clients, target, &address, &token).await {
            Ok(lines) => {
                if let Ok(all) = &mut outcome {
                    all.extend(lines);
                }
            }
            Err(error) => {
                outcome = Err(error);
                break;
            }
        }
    }
    let _ = stop.send(());
    server.await??;
    outcome
}

async fn measure_server(
    args: &ProofArgs,
    client_count: usize,
    target: &str,
    address: &str,
    token: &str,
) -> anyhow::Result<Vec<String>> {
    let mut clients = Vec::with_capacity(client_count);
    for _ in 0..client_count.max(1) {
        clients.push(AuditServiceClient::new(connect(address).await?));
    }
    let head = current_head(&mut clients[0], token).await?;
    anyhow::ensure!(
        head == args.events,
        "the server signed {head} events, not {}",
        args.events
    );
    // Warm-up: connections, prepared statements, the page cache, the projectors' catch-up scan and
    // the tree cache's first fill.
    let warm_up = (client_count * 50).min(args.requests);
    let warm_up_until = Instant::now() + Duration::from_secs(args.warm_up_secs);
    loop {
        let _ = load(&clients, token, head, warm_up, Mode::GivenSize).await?;
        if Instant::now() >= warm_up_until {
            break;
        }
    }

    let mut lines = Vec::new();
    for mode in [Mode::GivenSize, Mode::CurrentHead] {
        let mut runs = Vec::new();
        for _ in 0..args.runs.max(1) {
            let run = load(&clients, token, head, args.requests, mode).await?;
            eprintln!(
                "{target} {}: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
                mode.label(),
                run.rate,
                run.p50.as_secs_f64() * 1e3,
                run.p99.as_secs_f64() * 1e3
            );
            runs.push(run);
        }
        runs.sort_by(|a, b| a.rate.total_cmp(&b.rate));
        let median = &runs[runs.len() / 2];
        lines.push(format!(
            "| {target} | {head} | {} | GetInclusionProof, {} | {} | {:.0} | {:.2} ms | {:.2} ms |",
            clients.len(),
            mode.label(),
            args.requests,
            median.rate,
            median.p50.as_secs_f64() * 1e3,
            median.p99.as_secs_f64() * 1e3
        ));
    }
    Ok(lines)
}

async fn connect(address: &str) -> anyhow::Result<Channel> {
    // The server may still be starting: retry for up to 30 s.
    let mut last = None;
    for _ in 0..300 {
        match Channel::from_shared(address.to_owned())?.connect().await {
            Ok(channel) => return Ok(channel),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.map_or_else(|| anyhow::anyhow!("no connection"), Into::into))
}

fn authed<T>(token: &str, message: T) -> anyhow::Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    Ok(request)
}

/// The size of the checkpoint of the committed head, once the server answers.
async fn current_head(
    client: &mut AuditServiceClient<Channel>,
    token: &str,
) -> anyhow::Result<u64> {
    let request = pb::GetCheckpointRequest {
        selector: Some(pb::get_checkpoint_request::Selector::CurrentHead(
            pb::CurrentHeadCheckpoint {},
        )),
    };
    let mut last = None;
    for _ in 0..300 {
        match client.get_checkpoint(authed(token, request)?).await {
            Ok(reply) => {
                let checkpoint = reply.into_inner().checkpoint;
                return Ok(checkpoint.map_or(0, |c| c.tree_size));
            }
            // UNAVAILABLE while the server finishes starting.
            Err(status) => last = Some(status),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.map_or_else(|| anyhow::anyhow!("no checkpoint"), Into::into))
}

/// The `n`-th position asked for: Fibonacci hashing spreads consecutive requests over the log.
fn position(n: u64, size: u64) -> u64 {
    n.wrapping_mul(0x9E37_79B9_7F4A_7C15) % size
}

/// `requests` inclusion proofs from all clients at once, each client one request at a time.
async fn load(
    clients: &[AuditServiceClient<Channel>],
    token: &str,
    size: u64,
    requests: usize,
    mode: Mode,
) -> anyhow::Result<Run> {
    let per_client = requests.div_ceil(clients.len());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (index, client) in clients.iter().enumerate() {
        let mut client = client.clone();
        let token = token.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for k in 0..per_client {
                let n = (index * per_client + k) as u64;
                let leaf = position(n, size);
                let request = pb::GetInclusionProofRequest {
                    leaf: Some(pb::get_inclusion_proof_request::Leaf::Position(leaf)),
                    tree_size: match mode {
                        Mode::GivenSize => Some(size),
                        Mode::CurrentHead => None,
                    },
                };
                let one = Instant::now();
                let reply = client.get_inclusion_proof(authed(&token, request)?).await?;
                latencies.push(one.elapsed());
                anyhow::ensure!(
                    reply.into_inner().position == leaf,
                    "proof for another leaf"
                );
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(per_client * clients.len());
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |per_mille: usize| {
        let index = (latencies.len().saturating_sub(1) * per_mille).div_ceil(1000);
        latencies.get(index).copied().unwrap_or_default()
    };
    Ok(Run {
        rate: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(500),
        p99: at(990),
    })
}
