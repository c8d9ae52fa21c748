//! What a filter means on the event feed (`ListEvents`): the fields of `ListEventsRequest.filter`,
//! checked once, then evaluated against each event, with the parts the store can use up front.
//!
//! | field | comparators | value |
//! |---|---|---|
//! | `stream_category` (alias `category`) | `=` `!=` | a stream category (`pairing`, `batch`, …) |
//! | `event_type` | `=` `!=` | an event type name (`MemberArrived`, …) |
//! | `province_code` (alias `province`) | `=` `!=` | a GB/T 2260 province (`620000`) or its two digits |
//! | `stream_id` | `=` `!=` | a stream id |
//! | `position` | `=` `!=` `<` `<=` `>` `>=` | a log position |
//! | `recorded_at` | `=` `!=` `<` `<=` `>` `>=` | an RFC 3339 instant |
//!
//! Any AND/OR/NOT combination of these is evaluated exactly; anything else is INVALID_FILTER.

use std::cmp::Ordering;

use app::FeedEvent;
use domain::values::{DivisionCode, is_valid_stream_id};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Comparison, Expr, FilterError, Op};

/// The stream categories of the log (the prefixes of stream ids).
pub const STREAM_CATEGORIES: &[&str] = domain::AggregateCommand::CATEGORIES;

/// One checked comparison of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Category(String),
    EventType(String),
    /// The two-digit province prefix.
    Province(String),
    StreamId(String),
    Position(u64),
    RecordedAt(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Leaf(Op, Term),
}

/// A checked event-feed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPredicate {
    root: Node,
}

/// What the store can narrow before the filter is evaluated: every event the filter matches lies in
/// `from..until` and, when the lists are not empty, has one of the categories and one of the types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreHints {
    pub categories: Vec<String>,
    pub event_types: Vec<String>,
    pub from: u64,
    pub until: Option<u64>,
}

/// Parses and checks a `ListEvents` filter.
pub fn parse(input: &str) -> Result<FeedPredicate, FilterError> {
    let expr = super::parse(input)?;
    Ok(FeedPredicate {
        root: node(input, &expr)?,
    })
}

fn node(input: &str, expr: &Expr) -> Result<Node, FilterError> {
    Ok(match expr {
        Expr::And(parts) => Node::All(
            parts
                .iter()
                .map(|p| node(input, p))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(parts) => Node::Any(
            parts
                .iter()
                .map(|p| node(input, p))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(inner) => Node::Not(Box::new(node(input, inner)?)),
        Expr::Compare(comparison) => leaf(input, comparison)?,
    })
}

fn leaf(input: &str, c: &Comparison) -> Result<Node, FilterError> {
    let fail = |what: String| FilterError::at(input, c.at, &what);
    let ordered = matches!(c.field.as_str(), "position" | "recorded_at");
    match c.op {
        Op::Eq | Op::Ne => {}
        Op::Lt | Op::Le | Op::Gt | Op::Ge if ordered => {}
        op => {
            return Err(fail(format!(
                "{} does not support {}",
                short(&c.field),
                op.symbol()
            )));
        }
    }
    let value = c.value.as_str();
    let term = match c.field.as_str() {
        "stream_category" | "category" => {
            if !STREAM_CATEGORIES.contains(&value) {
                return Err(fail(format!(
                    "{} is not a stream category ({})",
                    short(value),
                    STREAM_CATEGORIES.join(", ")
                )));
            }
            Term::Category(value.to_owned())
        }
        "event_type" => {
            if !domain::events::EVENT_TYPES.contains(&value) {
                return Err(fail(format!("{} is not an event type", short(value))));
            }
            Term::EventType(value.to_owned())
        }
        "province_code" | "province" => {
            let two = match value.len() {
                2 => value,
                6 if value.is_char_boundary(2) && &value[2..] == "0000" => &value[..2],
                _ => "",
            };
            if two.is_empty() || DivisionCode::parse(&format!("{two}0000")).is_err() {
                return Err(fail(format!(
                    "{} is not a province code such as 620000",
                    short(value)
                )));
            }
            Term::Province(two.to_owned())
        }
        "stream_id" => {
            if !is_valid_stream_id(value) {
                return Err(fail(format!("{} is not a stream id", short(value))));
            }
            Term::StreamId(value.to_owned())
        }
        "position" => Term::Position(value.parse().map_err(|_| {
            fail(format!(
                "{} is not a position (0 to {})",
                short(value),
                u64::MAX
            ))
        })?),
        "recorded_at" => {
            let at = OffsetDateTime::parse(value, &Rfc3339)
                .map_err(|_| fail(format!("{} is not an RFC 3339 instant", short(value))))?;
            let us = i64::try_from(at.unix_timestamp_nanos() / 1_000)
                .map_err(|_| fail(format!("{} is out of range", short(value))))?;
            Term::RecordedAt(us)
        }
        other => {
            return Err(fail(format!(
                "{} is not a field of the event feed (stream_category, event_type, province_code, stream_id, position, recorded_at)",
                short(other)
            )));
        }
    };
    Ok(Node::Leaf(c.op, term))
}

/// A debug-quoted excerpt of a value, for messages.
fn short(value: &str) -> String {
    domain::values::excerpt(value)
}

fn compare(op: Op, ordering: Ordering) -> bool {
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Has => false,
    }
}

fn category(stream_id: &str) -> &str {
    stream_id.split_once('-').map_or(stream_id, |(c, _)| c)
}

impl Node {
    fn matches(&self, event: &FeedEvent) -> bool {
        match self {
            Node::All(parts) => parts.iter().all(|p| p.matches(event)),
            Node::Any(parts) => parts.iter().any(|p| p.matches(event)),
            Node::Not(inner) => !inner.matches(event),
            Node::Leaf(op, term) => {
                let equal =
                    |yes: bool| compare(*op, if yes { Ordering::Equal } else { Ordering::Less });
                match term {
                    Term::Category(c) => equal(category(&event.stream_id) == c),
                    Term::EventType(t) => equal(&event.event_type == t),
                    Term::Province(two) => {
                        equal(event.provinces.iter().any(|p| p.get(..2) == Some(two)))
                    }
                    Term::StreamId(s) => equal(&event.stream_id == s),
                    Term::Position(p) => compare(*op, event.position.cmp(p)),
                    Term::RecordedAt(us) => compare(*op, event.recorded_at_us.cmp(us)),
                }
            }
        }
    }

    /// The leaves of this node if it is one leaf or an OR of leaves, all `=` on one kind of term.
    fn equal_alternatives(&self) -> Option<Vec<&Term>> {
        match self {
            Node::Leaf(Op::Eq, term) => Some(vec![term]),
            Node::Any(parts) => parts.iter().try_fold(Vec::new(), |mut all, part| {
                let Node::Leaf(Op::Eq, term) = part else {
                    return None;
                };
                all.push(term);
                Some(all)
            }),
            _ => None,
        }
    }
}

impl FeedPredicate {
    /// Whether `event` matches.
    pub fn matches(&self, event: &FeedEvent) -> bool {
        self.root.matches(event)
    }

    /// What the store may narrow: taken only from top-level AND parts, so it never excludes a match.
    pub fn hints(&self) -> StoreHints {
        let parts: Vec<&Node> = match &self.root {
            Node::All(parts) => parts.iter().collect(),
            other => vec![other],
        };
        let mut hints = StoreHints::default();
        for part in parts {
            if let Some(terms) = part.equal_alternatives() {
                if hints.categories.is_empty()
                    && let Some(values) = terms
                        .iter()
                        .map(|t| match t {
                            Term::Category(c) => Some(c.clone()),
                            _ => None,
                        })
                        .collect::<Option<Vec<_>>>()
                {
                    hints.categories = values;
                }
                if hints.event_types.is_empty()
                    && let Some(values) = terms
                        .iter()
                        .map(|t| match t {
                            Term::EventType(e) => Some(e.clone()),
                            _ => None,
                        })
                        .collect::<Option<Vec<_>>>()
                {
                    hints.event_types = values;
                }
            }
            if let Node::Leaf(op, Term::Position(p)) = part {
                let (from, until) = match op {
                    Op::Eq => (Some(*p), p.checked_add(1)),
                    Op::Gt => (Some(p.saturating_add(1)), None),
                    Op::Ge => (Some(*p), None),
                    Op::Lt => (None, Some(*p)),
                    Op::Le => (None, p.checked_add(1)),
                    Op::Ne | Op::Has => (None, None),
                };
                if let Some(from) = from {
                    hints.from = hints.from.max(from);
                }
                if let Some(until) = until {
                    hints.until = Some(hints.until.map_or(until, |u| u.min(until)));
                }
            }
        }
        hints
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(position: u64, stream_id: &str, event_type: &str, province: &str) -> FeedEvent {
        FeedEvent {
            position,
            stream_id: stream_id.to_owned(),
            stream_version: 1,
            event_id: uuid::Uuid::nil(),
            event_type: event_type.to_owned(),
            schema_version: 1,
            payload_json: "{}".to_owned(),
            metadata_json: "{}".to_owned(),
            metadata: None,
            occurred: event_store::BusinessTime {
                from_us: 0,
                to_us: 0,
                precision: event_store::TimePrecision::Day,
            },
            occurred_at: None,
            // One second per position from 2024-01-01T00:00:00Z.
            recorded_at_us: (1_704_067_200 + i64::try_from(position).unwrap()) * 1_000_000,
            leaf_hash: [0; 32],
            provinces: vec![province.to_owned()],
            organisations: Vec::new(),
        }
    }

    fn log() -> Vec<FeedEvent> {
        vec![
            event(0, "hospital-A", "HospitalRegistered", "620000"),
            event(1, "hospital-B", "HospitalRegistered", "520000"),
            event(2, "pairing-1", "PairingEstablished", "620000"),
            event(3, "batch-1.1", "BatchDispatched", "520000"),
            event(4, "hospital-A", "ServiceLineOpened", "620000"),
        ]
    }

    fn matching(filter: &str) -> Vec<u64> {
        let predicate = parse(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
        log()
            .iter()
            .filter(|e| predicate.matches(e))
            .map(|e| e.position)
            .collect()
    }

    #[test]
    fn or_and_and_mean_what_they_say() {
        assert_eq!(matching(""), vec![0, 1, 2, 3, 4]);
        assert_eq!(
            matching(r#"event_type = "PairingEstablished" OR event_type = "BatchDispatched""#),
            vec![2, 3]
        );
        // AND on one field is an intersection, not a union.
        assert_eq!(
            matching(r#"event_type = "PairingEstablished" AND event_type = "BatchDispatched""#),
            Vec::<u64>::new()
        );
        assert_eq!(
            matching(r#"stream_category = "hospital" AND province_code = "620000""#),
            vec![0, 4]
        );
        assert_eq!(matching("province = 52"), vec![1, 3]);
        assert_eq!(
            matching(r#"NOT stream_category = "hospital" OR stream_id = "hospital-B""#),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn positions_recorded_at_and_stream_ids_are_terms() {
        assert_eq!(matching("position >= 3"), vec![3, 4]);
        assert_eq!(matching("position > 1 AND position < 4"), vec![2, 3]);
        assert_eq!(matching("position != 2 AND position <= 3"), vec![0, 1, 3]);
        assert_eq!(
            matching(r#"recorded_at >= "2024-01-01T00:00:02Z""#),
            vec![2, 3, 4]
        );
        assert_eq!(
            matching(r#"recorded_at < "2024-01-01T08:00:01+08:00""#),
            vec![0]
        );
        assert_eq!(matching(r#"stream_id = "hospital-A""#), vec![0, 4]);
    }

    #[test]
    fn hints_never_exclude_a_match() {
        let hints = parse(
            r#"(event_type = "A1" OR event_type = "A2") AND position > 10 AND position <= 20"#,
        );
        // Unknown event types are refused before any hint is made.
        assert!(hints.is_err());
        let hints = parse(
            r#"(event_type = "BatchDispatched" OR event_type = "PairingEstablished") AND position > 10 AND position <= 20 AND category = "batch""#,
        )
        .unwrap()
        .hints();
        assert_eq!(
            hints.event_types,
            vec!["BatchDispatched", "PairingEstablished"]
        );
        assert_eq!(hints.categories, vec!["batch"]);
        assert_eq!((hints.from, hints.until), (11, Some(21)));
        // Under OR nothing can be narrowed.
        let hints = parse(r#"event_type = "BatchDispatched" OR position > 3"#)
            .unwrap()
            .hints();
        assert_eq!(hints, StoreHints::default());
    }

    #[test]
    fn what_the_feed_cannot_evaluate_is_refused() {
        for (bad, names) in [
            ("colour = red", "not a field"),
            ("event_type > A", "does not support >"),
            ("stream_category : hospital", "does not support :"),
            (r#"event_type = "NoSuchEvent""#, "not an event type"),
            ("stream_category = nurse", "not a stream category"),
            ("province_code = 620422", "province code"),
            ("province_code = 99", "province code"),
            ("position >= -1", "not a position"),
            ("position >= 18446744073709551616", "not a position"),
            (r#"recorded_at > "yesterday""#, "RFC 3339"),
            (r#"stream_id = "no spaces allowed""#, "not a stream id"),
        ] {
            let error = parse(bad).unwrap_err();
            assert!(error.message.contains(names), "{bad:?}: {error}");
        }
    }
}
