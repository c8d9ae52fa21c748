//! The `audit` command (issue 13): what the auditor's side costs.
//!
//! - `audit proofs`: builds a log of `--events` events (1,000,000 by default) through the store's
//!   own append, in groups of 1,000-event appends, starts the real `medaid` server on it in this
//!   process (`server::run`, port 0, as the end-to-end tests do) and asks it for inclusion proofs
//!   over gRPC from `--clients` concurrent clients with an auditor token; reports requests per
//!   second, p50 and p99.
//! - `audit signer`: the `append` command's workloads through the store with the background
//!   checkpoint signer off and on, in paired runs (off, on, off, on, …), so that a drift of the
//!   machine's load hits both sides alike.

mod log;
mod proofs;
mod signer;

use clap::{Args, Subcommand};

/// Options of the `audit` command.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// GetInclusionProof through a real server over a large log.
    Proofs(proofs::ProofArgs),
    /// Append throughput with the checkpoint signer off and on, in paired runs.
    Signer(signer::SignerArgs),
}

pub(crate) async fn run(args: &AuditArgs, postgres_url: &str) -> anyhow::Result<String> {
    match &args.command {
        AuditCommand::Proofs(proofs) => proofs::run(proofs, postgres_url).await,
        AuditCommand::Signer(signer) => signer::run(signer, postgres_url).await,
    }
}
