//! The service shell, tested through the real server started on port 0 by `server::run_with`.

mod auth;
mod cli;
mod common;
mod lifecycle;
mod limits;
mod mtls;
