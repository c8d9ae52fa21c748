//! Dev-only support shared by every test suite of the workspace: fresh databases on SQLite and
//! PostgreSQL under one name prefix ([`database`]), the real server on port 0 ([`TestServer`],
//! feature `server`), and the world fixtures of the seed articles ([`world`]).
//!
//! It must never become a dependency of a shipped crate, and it holds no assertions about
//! behaviour: each suite states its own expectations.

pub mod database;
pub mod errors_proto;
#[cfg(feature = "server")]
mod server_harness;
pub mod world;

pub use database::{Backend, TestDatabase, backends};
#[cfg(feature = "server")]
pub use server_harness::{TestServer, assert_refused, authed, code_name, test_config, token_args};
