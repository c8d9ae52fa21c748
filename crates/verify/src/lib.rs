//! The offline verifier for auditors, `medaid-verify`: checks export bundles, event proof files and,
//! as a witness, that a server's log only ever grows.
//!
//! What it trusts is only the trust root file the auditor pinned (origin and checkpoint keys); every
//! other byte, from a bundle, a proof file or the server, is checked against it.
//!
//! Architecture invariant: the checks ([`bundle`], [`proof`], [`witness`], [`report`]) depend on
//! `ledger` alone and never touch a database or the server's code. The one exception is [`fetch`],
//! the witness's gRPC client (through `api` and tonic), kept in its own module so the checks stay
//! usable without a network.

pub mod bundle;
pub mod fetch;
pub mod proof;
pub mod report;
pub mod sample;
pub mod witness;
