//! One context loader per aggregate: the cross-stream facts `decide` needs, read from the log.
//!
//! Each loader follows the rustdoc of its aggregate's `Context` type. Facts kept outside the log
//! (the provincial personnel registry, hospitals' privileging records) have no integration yet.
//! Where the log itself can contradict such a fact (an apprentice's or a local performer's employer,
//! see `employment`), the loader reads it from the log; where the log is silent, the fact is taken as
//! attested by the recording caller, whose scope already limits it to its own hospitals.

mod employment;
mod hospital_family;
mod pairing_family;
mod roster_family;

use std::future::Future;

use domain::values::CreditCode;
use domain::{Aggregate, Stream, StreamCommand};
use event_store::EventStore;
use time::Date;

use crate::error::Error;

/// Loads the context of an aggregate for one command.
pub(crate) trait LoadContext: Aggregate + Send + Sync
where
    Self::Command: Sync,
{
    fn load_context<'a>(
        store: &'a EventStore,
        stream: &'a Stream<Self>,
        command: &'a StreamCommand<Self::Command>,
        today: Date,
    ) -> impl Future<Output = Result<Self::Context, Error>> + Send + 'a;
}

/// Every credit code found in a JSON value: the organisations a payload names, whatever its shape.
///
/// Used for "the organisations the command names" without a hand-kept list per payload type; a
/// string is taken only when it is a valid credit code (check characters included).
pub(crate) fn named_orgs(value: &serde_json::Value, found: &mut Vec<CreditCode>) {
    match value {
        serde_json::Value::String(s) if s.len() == 18 => {
            if let Ok(code) = CreditCode::parse(s) {
                found.push(code);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| named_orgs(v, found)),
        serde_json::Value::Object(map) => map.values().for_each(|v| named_orgs(v, found)),
        _ => {}
    }
}

/// The organisations named by a domain event's payload.
pub(crate) fn orgs_of(event: &domain::Event) -> Vec<CreditCode> {
    let mut found = Vec::new();
    named_orgs(&event.to_stored().data, &mut found);
    found
}
