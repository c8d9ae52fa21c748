//! The `medaid` binary's library: configuration, telemetry, authentication, TLS, limits, health,
//! reflection and the tonic server, with [`run`] as the seam that tests and `main` share.
//!
//! This is the only crate besides `api` that knows tonic. It owns the transport: it turns credentials
//! into an [`app::Principal`], and the single mapping from `app::Error` to `tonic::Status` will live here,
//! so every error a client sees carries a `google.rpc.ErrorInfo` in the `medaid.v1` domain.
//!
//! It must not hold business rules (those live in `domain` and `app`), must not touch the database
//! directly, and must not keep global state: the [`Config`] is passed down.
//!
//! Handlers read the caller with `request.extensions().get::<app::Principal>()` and the trace id for
//! event metadata with [`telemetry::current_trace_id`].

pub mod admission;
pub mod audit;
pub mod auth;
pub mod call_log;
pub mod cli;
pub mod clock;
pub mod config;
pub mod convert;
pub mod deadline;
pub mod filter;
pub mod health;
pub mod limits;
pub mod metrics;
pub mod page_token;
pub mod reflection;
pub mod relaying;
pub mod rpc;
pub mod run;
pub mod services;
pub mod session;
pub mod startup;
pub mod status;
pub mod store_wiring;
pub mod telemetry;
pub mod tls;
pub mod transport_errors;

pub use config::Config;
pub use run::{ExtraServices, RunError, RunOptions, mount_services, run, run_with};
