//! `medaid`: parses the command line and configuration, sets up telemetry and calls `server::run`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use server::cli::{Cli, Command, ServeArgs, dev_token};
use server::metrics::Metrics;
use server::{Config, RunOptions, relaying, telemetry};
use std::sync::Arc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Serve(args) => serve(&cli, args),
        Command::Relay(args) => relay(&cli, args),
        Command::DevToken(args) => Config::load(cli.config.as_deref(), &args.overrides())
            .map_err(anyhow::Error::from)
            .and_then(|config| Ok(dev_token(&config, args)?))
            .and_then(|token| {
                // The token alone goes to stdout so that `TOKEN=$(medaid dev-token ...)` works.
                writeln!(std::io::stdout(), "{token}").context("cannot write the token")
            }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Telemetry may not be up yet, so start-up errors go to stderr with their whole chain.
            let _ = writeln!(std::io::stderr(), "medaid: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref(), &args.overrides())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the Tokio runtime")?;
    runtime.block_on(async move {
        let guard = telemetry::init(&config.telemetry)?;
        let metrics = Arc::new(Metrics::install(&config.metrics, &config.telemetry)?);
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let options = RunOptions {
            metrics: Some(metrics.clone()),
            ..RunOptions::default()
        };
        let result = server::run_with(config, listener, shutdown_signal(), options).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, "server failed");
        }
        // Flushing after `run` returns sends the spans of the last requests before the process exits.
        metrics.shutdown();
        guard.shutdown();
        Ok(result?)
    })
}

fn relay(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref(), &args.overrides())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the Tokio runtime")?;
    runtime.block_on(async move {
        let guard = telemetry::init(&config.telemetry)?;
        let metrics = Arc::new(Metrics::install(&config.metrics, &config.telemetry)?);
        let result = relaying::run(&config, metrics.clone(), shutdown_signal()).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, "relay failed");
        }
        metrics.shutdown();
        guard.shutdown();
        Ok(result?)
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what orchestrators send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
