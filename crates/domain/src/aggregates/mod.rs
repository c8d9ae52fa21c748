//! One module per aggregate: its events, commands, errors, context, state, `decide` and `apply`.

pub mod activity;
pub mod agreement;
pub mod alliance;
pub mod assessment;
pub mod batch;
pub mod deployment;
pub mod gap;
pub mod hospital;
pub mod mentorship;
pub mod pairing;
pub mod platform;
pub mod program;
pub mod study;
pub mod technique;
