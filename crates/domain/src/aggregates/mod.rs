//! One module per aggregate: its events, commands, errors, context, state, `decide` and `apply`.
//!
//! Commands carry what the caller knows; `decide` builds the events from the command and the
//! context. Where a fact has fields only the domain knows (the recipient of a batch, the program's
//! terms a pairing binds), its command is declared with [`command_for!`] beside the event.

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
pub mod practitioner;
pub mod program;
pub mod registry;
pub mod study;
pub mod technique;

/// Declares the command that records an event whose other fields the domain fills:
/// `command_for!(DispatchBatch => BatchDispatched { batch: BatchId, … } + { recipient_org: CreditCode, … })`.
///
/// It generates the command struct with the caller's fields, `record(filled…)` building the event
/// (naming every event field, so a new one fails to compile until it is filled), and
/// `From<event>` giving the command that recorded a fact (what its caller knew), for replays and tests.
macro_rules! command_for {
    (
        $(#[$doc:meta])*
        $command:ident => $event:ident { $( $field:ident : $ty:ty ),* $(,)? }
        + { $( $filled:ident : $fty:ty ),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $command {
            $( pub $field: $ty, )*
        }

        impl $command {
            /// The fact this command records, with the fields the domain filled.
            pub fn record(&self, $( $filled: $fty ),*) -> $event {
                $event {
                    $( $field: self.$field.clone(), )*
                    $( $filled, )*
                }
            }
        }

        impl From<$event> for $command {
            fn from(fact: $event) -> Self {
                Self { $( $field: fact.$field, )* }
            }
        }
    };
}
pub(crate) use command_for;
