//! Read-your-writes: waiting until the tables queries read reflect a log position.

use tokio::time::Instant;

use crate::error::WaitError;
use crate::slot::Slot;

/// Waits until the active generation's checkpoint is at least `position`, or the deadline passes.
///
/// The active view only moves forwards: its position is published after each commit, and a switch
/// publishes a new generation only when it is at least as far as the one it replaces.
pub(crate) async fn wait_for(
    slot: &Slot,
    position: u64,
    deadline: Instant,
) -> Result<u64, WaitError> {
    let mut view = slot.active.subscribe();
    let reached = tokio::time::timeout_at(
        deadline,
        view.wait_for(|v| v.key.is_some() && v.position >= position),
    )
    .await
    .map(|result| result.map(|r| *r));
    match reached {
        Ok(Ok(reached)) => Ok(reached.position),
        // A dropped sender means the projector is gone: nothing will move any more.
        Ok(Err(_)) | Err(_) => Err(WaitError::Timeout {
            reached: slot.active.borrow().position,
        }),
    }
}
