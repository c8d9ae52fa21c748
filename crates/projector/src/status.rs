//! What the projector reports about each running generation.

use std::sync::{Arc, Mutex, PoisonError};

use crate::checkpoint::Checkpoint;

/// Where a generation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectionState {
    /// Reading pages of the log to reach its head; queries already read it (first build).
    CatchingUp,
    /// At the head, following the log's subscription.
    Live,
    /// A new generation being built next to the active one; queries do not read it yet.
    Rebuilding,
    /// Stopped at an event it could not apply, until a rebuild or [`crate::Projector::retry`].
    Failed,
    /// Not running: shut down, or retired by a switch.
    Stopped,
}

/// The event a failed generation stopped at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionFailure {
    pub position: u64,
    pub reason: String,
}

/// The status of one generation of one projection.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionStatus {
    pub name: String,
    pub version: u32,
    pub generation: u32,
    /// The prefix of the generation's tables.
    pub table_prefix: String,
    /// Whether queries read this generation.
    pub active: bool,
    pub state: ProjectionState,
    /// The next log position to apply: every event before it is reflected in the tables.
    pub position: u64,
    /// Events in the log at or after `position` (whether or not the projection's filter wants them).
    pub lag_events: u64,
    /// Record time between the first event not yet applied and the head's last event, in seconds.
    pub lag_seconds: f64,
    pub failure: Option<ProjectionFailure>,
    /// The last transient error (a lost connection, say) the runner is retrying after, if any.
    pub last_error: Option<String>,
}

/// The runner's phase, as the runner itself knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    CatchingUp,
    Live,
    Failed,
    Stopped,
}

#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) phase: Phase,
    pub(crate) position: u64,
    pub(crate) failure: Option<ProjectionFailure>,
    pub(crate) last_error: Option<String>,
}

impl Snapshot {
    /// A generation that is read but not run.
    pub(crate) fn frozen(position: u64) -> Snapshot {
        Snapshot {
            phase: Phase::Stopped,
            position,
            failure: None,
            last_error: None,
        }
    }
}

impl Snapshot {
    /// A generation no runner of this replica runs, as its checkpoint row has it.
    pub(crate) fn stored(row: &Checkpoint, head: u64) -> Snapshot {
        let failure = (row.state == "failed").then(|| {
            let (position, reason) = row.error.clone().unwrap_or((row.position, String::new()));
            ProjectionFailure { position, reason }
        });
        let phase = match (&failure, row.position >= head) {
            (Some(_), _) => Phase::Failed,
            (None, true) => Phase::Live,
            (None, false) => Phase::CatchingUp,
        };
        Snapshot {
            phase,
            position: row.position,
            failure,
            last_error: None,
        }
    }
}

/// A runner's status, shared between its task and the projector's status calls. The lock is never
/// held across an await.
#[derive(Debug, Clone)]
pub(crate) struct StatusCell(Arc<Mutex<Snapshot>>);

impl StatusCell {
    pub(crate) fn new(position: u64, failure: Option<ProjectionFailure>) -> StatusCell {
        let phase = if failure.is_some() {
            Phase::Failed
        } else {
            Phase::CatchingUp
        };
        StatusCell(Arc::new(Mutex::new(Snapshot {
            phase,
            position,
            failure,
            last_error: None,
        })))
    }

    pub(crate) fn get(&self) -> Snapshot {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn update(&self, change: impl FnOnce(&mut Snapshot)) {
        change(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// The state shown for a runner's phase, given whether queries read it.
pub(crate) fn shown_state(phase: Phase, active: bool) -> ProjectionState {
    match (phase, active) {
        (Phase::Failed, _) => ProjectionState::Failed,
        (Phase::Stopped, _) => ProjectionState::Stopped,
        (Phase::CatchingUp | Phase::Live, false) => ProjectionState::Rebuilding,
        (Phase::CatchingUp, true) => ProjectionState::CatchingUp,
        (Phase::Live, true) => ProjectionState::Live,
    }
}
