//! Free text and calendar days as the log may hold them: what every projection on both backends can
//! store and every client can decode and display without surprise.
//!
//! A NUL stops PostgreSQL's `text` type; C0/C1 controls and DEL drive terminals; bidirectional
//! overrides and isolates make a name read differently from what it is (CVE-2021-42574). None of them
//! belongs in a hospital name, a reason or a plan. A business date must fit `google.protobuf.Timestamp`
//! (0001-01-01 to 9999-12-31) with room to spare, so the domain allows a range every client decodes.

use serde_json::Value;
use time::{Date, Month};

use super::business_time::BusinessTime;
use super::problem::{ValidationError, ValueProblem};

/// Whether a text may span lines. Single-line text (names, titles, codes) refuses every control
/// character; multi-line text (reasons, plans, purposes) may also hold line feeds and tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// The first business day the domain accepts. Earlier than any fact of medical aid, late enough that
/// every calendar library handles it.
pub const FIRST_DAY: Date = match Date::from_calendar_date(1900, Month::January, 1) {
    Ok(day) => day,
    Err(_) => Date::MIN,
};

/// The last business day the domain accepts (planned ends and validity dates look ahead, not 200 years).
pub const LAST_DAY: Date = match Date::from_calendar_date(2199, Month::December, 31) {
    Ok(day) => day,
    Err(_) => Date::MAX,
};

/// True for a character no text of the log may hold (on a single line, or also across lines).
pub fn is_forbidden_char(c: char, lines: Lines) -> bool {
    match c {
        '\n' | '\t' => lines == Lines::Single,
        // C0 controls, DEL and C1 controls.
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Bidirectional embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        // Line and paragraph separators end lines in JavaScript and some terminals.
        '\u{2028}' | '\u{2029}' => lines == Lines::Single,
        // Noncharacters are reserved for internal use and must not be interchanged.
        '\u{fdd0}'..='\u{fdef}' => true,
        c if (u32::from(c) & 0xfffe) == 0xfffe => true,
        _ => false,
    }
}

/// The first forbidden character of `value`, as a problem naming its (1-based) position.
pub fn check_chars(value: &str, lines: Lines) -> Result<(), ValueProblem> {
    match value
        .chars()
        .enumerate()
        .find(|(_, c)| is_forbidden_char(*c, lines))
    {
        Some((index, found)) => Err(ValueProblem::InvalidCharacter {
            position: index + 1,
            found,
        }),
        None => Ok(()),
    }
}

/// Checks a single-line free-text field: not blank, at most `max` characters, no control, bidi
/// override or noncharacter. Free text never holds patient data by rule of the callers; the bound keeps
/// a stray document dump out of the log.
pub fn check_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    check_text_lines(field, value, max, Lines::Single)
}

/// Checks a multi-line free-text field (reasons, plans): as `check_text`, but line feeds and tabs are allowed.
pub fn check_multiline_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    check_text_lines(field, value, max, Lines::Multi)
}

fn check_text_lines(
    field: &str,
    value: &str,
    max: usize,
    lines: Lines,
) -> Result<(), ValidationError> {
    let chars = value.chars().count();
    if value.trim().is_empty() {
        return Err(ValueProblem::Empty.at(field));
    }
    if chars > max {
        return Err(ValueProblem::TooLong { max, actual: chars }.at(field));
    }
    check_chars(value, lines).map_err(|problem| problem.at(field))
}

/// Checks that a business day lies in `FIRST_DAY..=LAST_DAY`.
pub fn check_day(day: Date) -> Result<Date, ValueProblem> {
    if (FIRST_DAY..=LAST_DAY).contains(&day) {
        Ok(day)
    } else {
        Err(ValueProblem::OutOfRange {
            detail: format!("{day} is outside the business dates {FIRST_DAY} to {LAST_DAY}"),
        })
    }
}

/// Parses a calendar day `YYYY-MM-DD` inside the business range.
pub fn parse_day(value: &str) -> Result<Date, ValueProblem> {
    if value.is_empty() {
        return Err(ValueProblem::Empty);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = Date::parse(value, format).map_err(|_| ValueProblem::OutOfRange {
        detail: format!("{} is not a calendar date (YYYY-MM-DD)", excerpt(value)),
    })?;
    check_day(day)
}

/// At most 64 characters of an input, debug-quoted, for messages that name a bad value without
/// echoing a whole document back.
pub fn excerpt(value: &str) -> String {
    const MAX: usize = 64;
    if value.chars().count() <= MAX {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head:?}… ({} characters)", value.chars().count())
    }
}

/// The last line of defence before the log: every string anywhere in an event payload passes
/// `check_chars` (multi-line) and the business time lies in the business range. The field named is
/// the payload's JSON path, which follows the request's field names.
pub fn check_recordable(payload: &Value, occurred: &BusinessTime) -> Result<(), ValidationError> {
    if check_day(occurred.first_day()).is_err() || check_day(occurred.last_day()).is_err() {
        return Err(ValueProblem::OutOfRange {
            detail: format!("{occurred} is outside the business dates {FIRST_DAY} to {LAST_DAY}"),
        }
        .at("occurred_at"));
    }
    check_strings(payload, &mut String::new())
}

fn check_strings(value: &Value, path: &mut String) -> Result<(), ValidationError> {
    match value {
        Value::String(text) => check_chars(text, Lines::Multi).map_err(|p| p.at(path.clone())),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(index, item)| {
            let len = path.len();
            path.push_str(&format!("[{index}]"));
            let checked = check_strings(item, path);
            path.truncate(len);
            checked
        }),
        Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            check_chars(key, Lines::Single).map_err(|p| p.at(path.clone()))?;
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let checked = check_strings(item, path);
            path.truncate(len);
            checked
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn poison_characters_are_refused_with_their_position() {
        for (text, position) in [
            ("协和\u{0}医院", 3),
            ("\u{1b}[31mred", 1),
            ("bell\u{7}", 5),
            ("del\u{7f}", 4),
            ("c1\u{85}", 3),
            ("abc\u{202e}cba", 4),
            ("x\u{2066}y", 2),
            ("\u{ffff}", 1),
            ("two\nlines", 4),
        ] {
            let error = check_text("name", text, 200).unwrap_err();
            assert_eq!(error.field, "name");
            assert_eq!(error.reason(), "VALUE_INVALID_CHARACTER");
            assert!(
                matches!(error.problem, ValueProblem::InvalidCharacter { position: p, .. } if p == position),
                "{text:?}: {error}"
            );
            // The message names the character escaped, never the raw control.
            assert!(!error.to_string().contains(text), "{error}");
        }
    }

    #[test]
    fn ordinary_text_passes_and_multiline_text_keeps_its_lines() {
        assert!(check_text("name", "会宁县人民医院 (Huining) — 胸外科 № 1", 200).is_ok());
        assert!(check_multiline_text("plan", "第一年: 腔镜\n第二年:\t独立开展", 1000).is_ok());
        assert!(check_multiline_text("plan", "a\u{0}b", 1000).is_err());
        assert!(check_multiline_text("plan", "a\rb", 1000).is_err());
    }

    #[test]
    fn days_outside_the_business_range_are_refused() {
        assert!(parse_day("2024-09-15").is_ok());
        assert!(parse_day("1900-01-01").is_ok());
        assert!(parse_day("2199-12-31").is_ok());
        for bad in ["0000-01-01", "1899-12-31", "2200-01-01", "9999-12-31"] {
            assert_eq!(
                parse_day(bad).unwrap_err().reason(),
                "VALUE_OUT_OF_RANGE",
                "{bad}"
            );
        }
        assert_eq!(parse_day("").unwrap_err(), ValueProblem::Empty);
    }

    #[test]
    fn excerpts_are_bounded() {
        let long = "x".repeat(10_000);
        assert!(excerpt(&long).len() < 100);
        assert_eq!(excerpt("ab"), "\"ab\"");
    }

    #[test]
    fn recordable_payloads_name_the_json_path_of_a_bad_string() {
        let on = BusinessTime::on(time::macros::date!(2024 - 01 - 01));
        let ok = json!({"name": "医院", "lines": [{"reason": "a\nb"}]});
        assert!(check_recordable(&ok, &on).is_ok());
        let bad = json!({"name": "医院", "members": [{"reason": "ok"}, {"reason": "\u{202e}x"}]});
        assert_eq!(
            check_recordable(&bad, &on).unwrap_err().field,
            "members[1].reason"
        );
        let old = BusinessTime::on(time::macros::date!(0000 - 01 - 01));
        assert_eq!(
            check_recordable(&ok, &old).unwrap_err().field,
            "occurred_at"
        );
    }
}
