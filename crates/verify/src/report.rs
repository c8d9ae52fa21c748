//! What a verification found: a summary when everything holds, or the first thing that does not,
//! named precisely (a position, a stream, a checkpoint or a file) with the reason.

use serde::Serialize;

/// Where a failure is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "at")]
pub enum Location {
    /// An event's global position.
    Position(u64),
    /// A stream id.
    Stream(String),
    /// A checkpoint's tree size.
    Checkpoint(u64),
    /// A file of a bundle, or a file given on the command line.
    File(String),
    /// The server a witness asked.
    Server(String),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Position(p) => write!(f, "position {p}"),
            Location::Stream(s) => write!(f, "stream {s}"),
            Location::Checkpoint(size) => write!(f, "checkpoint of tree size {size}"),
            Location::File(name) => write!(f, "file {name}"),
            Location::Server(url) => write!(f, "server {url}"),
        }
    }
}

/// The first thing that did not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct Failure {
    pub location: Location,
    pub reason: String,
}

impl Failure {
    pub fn new(location: Location, reason: impl Into<String>) -> Failure {
        Failure {
            location,
            reason: reason.into(),
        }
    }
}

/// The outcome of one command, printed for people or as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `bundle`, `proof` or `witness`.
    pub command: &'static str,
    pub verified: bool,
    /// What was checked, for people: one line per fact.
    pub checked: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

impl Report {
    pub fn new(command: &'static str, outcome: Result<Vec<String>, Failure>) -> Report {
        match outcome {
            Ok(checked) => Report {
                command,
                verified: true,
                checked,
                failure: None,
            },
            Err(failure) => Report {
                command,
                verified: false,
                checked: Vec::new(),
                failure: Some(failure),
            },
        }
    }

    /// The text people read.
    pub fn human(&self) -> String {
        match &self.failure {
            None => {
                let mut out = format!("OK: {} verified\n", self.command);
                for line in &self.checked {
                    out.push_str("  ");
                    out.push_str(line);
                    out.push('\n');
                }
                out
            }
            Some(failure) => format!("FAILED: {failure}\n"),
        }
    }
}
