//! `medaid-verify`: `bundle`, `proof` and `witness`, with output for people or `--json`.
//! The exit status is 0 only when everything verified, 1 when something did not, 2 on bad usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ledger::format::{ProofFile, TrustRoot};
use verify::bundle::verify_bundle;
use verify::fetch::Server;
use verify::proof::verify_proof;
use verify::report::{Failure, Location, Report};
use verify::witness::{State, Verdict, check_new_checkpoint, open};

#[derive(Parser)]
#[command(
    name = "medaid-verify",
    version,
    about = "Verify medaid audit bundles, proofs and checkpoints offline"
)]
struct Cli {
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify an export bundle: every leaf, root, signature, consistency proof, position and stream version.
    Bundle {
        /// The bundle (a tar archive from AuditService.ExportBundle).
        file: PathBuf,
        /// The trust root to pin (from GetTrustRoot, compared with the operator's published keys).
        #[arg(long)]
        trust_root: PathBuf,
    },
    /// Verify one event's proof file (GetEventWithProofResponse.proof_file).
    Proof {
        file: PathBuf,
        #[arg(long)]
        trust_root: PathBuf,
    },
    /// Write a sample bundle of N synthetic events signed by a throw-away key, and its trust root,
    /// for measuring `bundle` (docs/benchmarks.md). Not an audit command.
    #[command(hide = true)]
    SampleBundle {
        #[arg(long)]
        events: u64,
        #[arg(long, default_value_t = 1_000)]
        checkpoint_every: u64,
        /// Where to write the bundle; the trust root goes beside it as FILE.trust-root.json.
        #[arg(long)]
        out: PathBuf,
    },
    /// Fetch the server's current checkpoint, check it extends the last one seen, and keep it.
    Witness {
        /// Where the witness keeps the last checkpoint it accepted.
        #[arg(long)]
        state: PathBuf,
        /// The server, such as http://127.0.0.1:50051.
        #[arg(long)]
        server: String,
        #[arg(long)]
        trust_root: PathBuf,
        /// A bearer token with the auditor role.
        #[arg(long, env = "MEDAID_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// A CA certificate (PEM) for an https:// server.
        #[arg(long)]
        ca_cert: Option<PathBuf>,
    },
}

fn file_failure(path: &Path, reason: impl Into<String>) -> Failure {
    Failure::new(Location::File(path.display().to_string()), reason)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| file_failure(path, e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| file_failure(path, format!("not valid: {e}")))
}

fn bundle(file: &Path, trust_root: &Path) -> Result<Vec<String>, Failure> {
    let root: TrustRoot = read_json(trust_root)?;
    let archive = std::fs::File::open(file).map_err(|e| file_failure(file, e.to_string()))?;
    let summary = verify_bundle(std::io::BufReader::with_capacity(1 << 20, archive), &root)?;
    Ok(vec![
        format!(
            "{} events at positions 0..{} in {} streams",
            summary.events, summary.events, summary.streams
        ),
        format!(
            "{} signed checkpoints, each consistent with the one before",
            summary.checkpoints
        ),
        format!("tree size {} with root {}", summary.tree_size, summary.root),
    ])
}

fn proof(file: &Path, trust_root: &Path) -> Result<Vec<String>, Failure> {
    let root: TrustRoot = read_json(trust_root)?;
    let proof: ProofFile = read_json(file)?;
    verify_proof(&proof, &root)
}

fn sample_bundle(events: u64, every: u64, out: &Path) -> Result<Vec<String>, Failure> {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let signer = ledger::note::NoteSigner::new("sample.invalid/log", key)
        .map_err(|e| file_failure(out, e.to_string()))?;
    let bundle = verify::sample::SampleBundle::new(&signer, events, every);
    std::fs::write(out, bundle.archive()).map_err(|e| file_failure(out, e.to_string()))?;
    let root_path = out.with_extension("trust-root.json");
    let root = serde_json::to_vec_pretty(&bundle.trust_root).unwrap_or_default();
    std::fs::write(&root_path, root).map_err(|e| file_failure(&root_path, e.to_string()))?;
    Ok(vec![format!(
        "{events} events written to {}",
        out.display()
    )])
}

async fn witness(
    state: &Path,
    server: &str,
    trust_root: &Path,
    token: Option<&str>,
    ca_cert: Option<&Path>,
) -> Result<Vec<String>, Failure> {
    let root: TrustRoot = read_json(trust_root)?;
    let ca = match ca_cert {
        Some(path) => Some(std::fs::read(path).map_err(|e| file_failure(path, e.to_string()))?),
        None => None,
    };
    let state = State::new(state);
    let previous = state
        .last_note()?
        .map(|note| open(&note, &root))
        .transpose()?;
    let mut server = Server::connect(server, token, ca.as_deref()).await?;
    let note = server.current_checkpoint().await?;
    let new = open(&note, &root)?;
    let proof = match previous {
        Some(old) if old.size > 0 && new.size > old.size => {
            server.consistency(old.size, new.size).await?
        }
        _ => Vec::new(),
    };
    let verdict = check_new_checkpoint(previous, new, &proof)?;
    state.accept(&note)?;
    Ok(vec![match verdict {
        Verdict::First(head) => format!(
            "first checkpoint seen: tree size {} root {}",
            head.size, head.root
        ),
        Verdict::Unchanged(head) => {
            format!("unchanged: tree size {} root {}", head.size, head.root)
        }
        Verdict::Extends { previous, new } => format!(
            "tree size {} extends the size {} seen before (consistency proven), root {}",
            new.size, previous.size, new.root
        ),
    }])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let report = match &cli.command {
        Command::Bundle { file, trust_root } => Report::new("bundle", bundle(file, trust_root)),
        Command::Proof { file, trust_root } => Report::new("proof", proof(file, trust_root)),
        Command::SampleBundle {
            events,
            checkpoint_every,
            out,
        } => Report::new(
            "sample-bundle",
            sample_bundle(*events, *checkpoint_every, out),
        ),
        Command::Witness {
            state,
            server,
            trust_root,
            token,
            ca_cert,
        } => Report::new(
            "witness",
            witness(
                state,
                server,
                trust_root,
                token.as_deref(),
                ca_cert.as_deref(),
            )
            .await,
        ),
    };
    let text = if cli.json {
        serde_json::to_string(&report).unwrap_or_default() + "\n"
    } else {
        report.human()
    };
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
    if report.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
