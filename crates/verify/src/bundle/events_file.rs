//! The checks of one events file that need nothing from the files before it: its SHA-256, and for
//! every line the record's parse, the leaf rebuilt from the stored bytes and its hash against the
//! one recorded with the event. These are nearly all of a bundle's work, so files are checked on
//! worker threads in parallel; what depends on the order of the log (positions, stream versions,
//! the Merkle frontier and the signed roots) is applied afterwards, file by file, in archive order.

use ledger::Hash;
use ledger::format::{LeafRecordRef, bundle_files as files};
use sha2::{Digest, Sha256};

use crate::report::{Failure, Location};

/// An events file as read from the archive, numbered in archive order.
pub(super) struct Work {
    pub(super) sequence: usize,
    pub(super) name: String,
    pub(super) bytes: Vec<u8>,
}

/// One event whose leaf verified, with what the in-order checks need.
pub(super) struct Leaf {
    pub(super) position: u64,
    /// Where the stream id is in the file's [`Checked::stream_ids`].
    pub(super) stream_id: std::ops::Range<usize>,
    pub(super) stream_version: u64,
    pub(super) hash: Hash,
}

/// Where a file stopped verifying on its own.
pub(super) enum Stop {
    /// The whole file is unreadable (not UTF-8): reported before any of its events.
    File(Failure),
    /// A line failed. `position` is the record's own position when it parsed, so the in-order
    /// checks can first report a missing or misplaced event, as they would have for a good line.
    Line {
        position: Option<u64>,
        failure: Failure,
    },
}

/// What checking one file found: its digest, its leaves in order up to the first failure, and that
/// failure.
pub(super) struct Checked {
    pub(super) sequence: usize,
    pub(super) name: String,
    pub(super) sha256: String,
    pub(super) bytes: u64,
    pub(super) leaves: Vec<Leaf>,
    /// The leaves' stream ids, one after the other (one buffer per file, not a string per event).
    pub(super) stream_ids: String,
    pub(super) stop: Option<Stop>,
}

/// The position of the first event of the file called `name`, if the name is an events file's. The
/// in-order checks refuse a misnamed or misplaced file before using anything computed here, so for
/// every file whose results are used this is the position its first line must hold.
fn first_position(name: &str) -> u64 {
    name.strip_prefix(files::EVENTS_DIR)
        .and_then(|rest| rest.strip_suffix(".jsonl"))
        .and_then(|digits| digits.parse::<u64>().ok())
        .filter(|index| files::events_file(*index) == name)
        .map_or(0, |index| index.saturating_mul(files::EVENTS_PER_FILE))
}

/// Checks one events file on its own.
pub(super) fn check(work: Work) -> Checked {
    let Work {
        sequence,
        name,
        bytes,
    } = work;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let mut checked = Checked {
        sequence,
        sha256,
        bytes: bytes.len() as u64,
        leaves: Vec::with_capacity(usize::try_from(files::EVENTS_PER_FILE).unwrap_or(0)),
        stream_ids: String::new(),
        stop: None,
        name,
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        checked.stop = Some(Stop::File(Failure::new(
            Location::File(checked.name.clone()),
            "not UTF-8",
        )));
        return checked;
    };
    let first = first_position(&checked.name);
    // Where the payload and metadata are unescaped, line after line.
    let mut scratch = Vec::with_capacity(4096);
    for (line_number, line) in (0u64..).zip(text.lines()) {
        let expected = first.saturating_add(line_number);
        let at = || Location::Position(expected);
        let record = match LeafRecordRef::from_line(line, &mut scratch) {
            Ok(record) => record,
            Err(e) => {
                checked.stop = Some(Stop::Line {
                    position: None,
                    failure: Failure::new(
                        at(),
                        format!("the line in {} is not an event record: {e}", checked.name),
                    ),
                });
                return checked;
            }
        };
        let failure = match record.recomputed_leaf_hash() {
            Err(e) => Some(Failure::new(at(), e.to_string())),
            Ok(hash) if hash != record.leaf_hash => Some(Failure::new(
                at(),
                "the stored bytes do not match the leaf hash recorded with the event (payload, metadata or a field was changed)",
            )),
            Ok(_) => None,
        };
        if let Some(failure) = failure {
            checked.stop = Some(Stop::Line {
                position: Some(record.position),
                failure,
            });
            return checked;
        }
        let start = checked.stream_ids.len();
        checked.stream_ids.push_str(&record.stream_id);
        checked.leaves.push(Leaf {
            position: record.position,
            stream_id: start..checked.stream_ids.len(),
            stream_version: record.stream_version,
            hash: record.leaf_hash,
        });
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_true_events_file_names_give_a_first_position() {
        assert_eq!(first_position("events/000000.jsonl"), 0);
        assert_eq!(first_position("events/000003.jsonl"), 30_000);
        assert_eq!(first_position("events/3.jsonl"), 0);
        assert_eq!(first_position("events/000003.json"), 0);
    }
}
