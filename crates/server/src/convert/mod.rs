//! Proto requests to domain commands and use-case requests, and domain results to proto responses.
//!
//! Every field goes through the domain's value types; a failure names the field by its proto path
//! (e.g. `grade.assessed_on`) so that the client's `BadRequest` points at what to fix. One file per
//! service area; `fields` holds the shared parsers.

pub mod activity;
pub mod assessment;
pub mod collaboration;
pub mod correction;
pub mod deployment;
pub mod event;
pub mod fields;
pub mod hospital;
pub mod mentorship;
pub mod pairing;
pub mod program;
pub mod technique;
pub mod write;
