//! Proto values to domain values shared by the RPCs in `rpc`, and the feed's event form.
//!
//! Every field goes through the domain's value types; a failure names the field by its proto path
//! (e.g. `grade.assessed_on`) so that the client's `BadRequest` points at what to fix. `fields` holds
//! the shared parsers, `event` the feed's event form.

pub mod event;
pub mod fields;
