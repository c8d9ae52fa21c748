//! The offline `medaid-verify` tool for auditors: recomputes Merkle roots, checks proofs and signed checkpoints.
//!
//! It depends on `ledger` only and never touches a database.
//! The verifier is built in the audit issue.
