//! given/when/then for one aggregate: `given(events).when(command).then(events)` or `.then_err(reason)`.

use domain::{Aggregate, DomainError, Event, Stream, StreamCommand, decide};

pub(crate) struct Given<A: Aggregate> {
    stream: Stream<A>,
    context: A::Context,
}

/// The stream folded from `events`, with a default (empty) context.
pub(crate) fn given<A: Aggregate>(events: impl IntoIterator<Item = Event>) -> Given<A>
where
    A::Context: Default,
{
    given_in(events, A::Context::default())
}

/// The stream folded from `events`, deciding with `context`.
pub(crate) fn given_in<A: Aggregate>(
    events: impl IntoIterator<Item = Event>,
    context: A::Context,
) -> Given<A> {
    let events: Vec<Event> = events.into_iter().collect();
    Given {
        stream: Stream::from_events(&events),
        context,
    }
}

pub(crate) struct When {
    outcome: Result<Vec<Event>, DomainError>,
}

impl<A: Aggregate> Given<A> {
    pub(crate) fn with(mut self, context: A::Context) -> Self {
        self.context = context;
        self
    }

    pub(crate) fn when(self, command: A::Command) -> When {
        self.when_stream(StreamCommand::Act(command))
    }

    pub(crate) fn when_stream(self, command: StreamCommand<A::Command>) -> When {
        When {
            outcome: decide(&self.stream, &command, &self.context),
        }
    }
}

impl When {
    /// The command is accepted and yields exactly `expected`.
    #[track_caller]
    pub(crate) fn then(self, expected: Vec<Event>) {
        match self.outcome {
            Ok(events) => assert_eq!(events, expected),
            Err(e) => panic!("expected events, got {} ({e})", e.reason()),
        }
    }

    /// The command is accepted; returns the events for further checks.
    #[track_caller]
    pub(crate) fn then_ok(self) -> Vec<Event> {
        match self.outcome {
            Ok(events) => events,
            Err(e) => panic!("expected events, got {} ({e})", e.reason()),
        }
    }

    /// The command is refused with `reason`.
    #[track_caller]
    pub(crate) fn then_err(self, reason: &str) -> DomainError {
        match self.outcome {
            Ok(events) => panic!("expected {reason}, got {} events: {events:?}", events.len()),
            Err(e) => {
                assert_eq!(e.reason(), reason, "message: {e}");
                assert!(!e.to_string().is_empty());
                e
            }
        }
    }
}
