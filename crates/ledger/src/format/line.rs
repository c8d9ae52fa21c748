//! Reading an events-file line for its leaf, fast: the line as the server writes it (compact JSON,
//! the fields of [`EventRecord`](super::EventRecord) in their declared order) is read by hand, the
//! payload and metadata unescaped into one reused buffer and hashed there. Anything else (another
//! order, whitespace, an escape in a short string, a number JSON spells otherwise, a malformed
//! escape, trailing bytes) is handed to `serde_json`, which decides. So the fast reader never
//! accepts a line `serde_json` refuses, and never reads a line differently (tested on random and
//! on mutated lines); it only skips the generic parser's work for the lines the server writes.

use std::borrow::Cow;

use super::{ActorOnly, Committed, CommittedMetadata, LeafRecordRef, ShortText};
use crate::hash::Hash;
use crate::leaf::sha256;

impl<'a> LeafRecordRef<'a> {
    /// Reads one events-file line; `scratch` is reused from line to line for unescaping.
    pub fn from_line(line: &'a str, scratch: &mut Vec<u8>) -> Result<Self, serde_json::Error> {
        match fast(line, scratch) {
            Some(record) => Ok(record),
            None => serde_json::from_str(line),
        }
    }
}

/// The bytes of a line and a cursor; every method returns `None` when the text is not the fast
/// form, and the caller falls back.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn literal(&mut self, expected: &str) -> Option<()> {
        let end = self.at.checked_add(expected.len())?;
        if self.bytes().get(self.at..end)? == expected.as_bytes() {
            self.at = end;
            Some(())
        } else {
            None
        }
    }

    /// A JSON unsigned integer without sign, fraction, exponent or leading zero.
    fn unsigned(&mut self) -> Option<u64> {
        let bytes = self.bytes();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(&b) = bytes.get(self.at) {
            if !b.is_ascii_digit() {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        if digits == 0 || (digits > 1 && bytes[start] == b'0') {
            return None;
        }
        Some(value)
    }

    fn signed(&mut self) -> Option<i64> {
        if self.bytes().get(self.at) == Some(&b'-') {
            self.at += 1;
            let magnitude = self.unsigned()?;
            // -0 is 0 to serde as well; i64::MIN has no positive twin.
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(self.unsigned()?).ok()
        }
    }

    /// A string after its opening quote, without escapes or control characters: borrowed.
    fn plain_string(&mut self) -> Option<&'a str> {
        let bytes = self.bytes();
        let start = self.at;
        loop {
            match *bytes.get(self.at)? {
                b'"' => break,
                b'\\' => return None,
                b if b < 0x20 => return None,
                _ => self.at += 1,
            }
        }
        let text = self.text.get(start..self.at)?;
        self.at += 1;
        Some(text)
    }

    /// A string after its opening quote, unescaped into `out` (cleared first).
    fn unescaped_string(&mut self, out: &mut Vec<u8>) -> Option<()> {
        out.clear();
        let bytes = self.bytes();
        let mut run = self.at;
        loop {
            match *bytes.get(self.at)? {
                b'"' => {
                    out.extend_from_slice(&bytes[run..self.at]);
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    out.extend_from_slice(&bytes[run..self.at]);
                    self.at += 1;
                    self.escape(out)?;
                    run = self.at;
                }
                b if b < 0x20 => return None,
                _ => self.at += 1,
            }
        }
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let b = *self.bytes().get(self.at)?;
        self.at += 1;
        let single = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        self.literal("\\u")?;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return None;
                        }
                        0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
                    }
                    // A lone low surrogate: serde_json decides what it makes of it.
                    0xDC00..=0xDFFF => return None,
                    _ => u32::from(first),
                };
                let c = char::from_u32(code)?;
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                return Some(());
            }
            _ => return None,
        };
        out.push(single);
        Some(())
    }

    fn hex4(&mut self) -> Option<u16> {
        let end = self.at.checked_add(4)?;
        let digits = self.bytes().get(self.at..end)?;
        let mut value: u16 = 0;
        for &d in digits {
            let nibble = char::from(d).to_digit(16)?;
            value = (value << 4) | u16::try_from(nibble).ok()?;
        }
        self.at = end;
        Some(value)
    }
}

/// The fast form of a line, or `None`.
fn fast<'a>(line: &'a str, scratch: &mut Vec<u8>) -> Option<LeafRecordRef<'a>> {
    let mut c = Cursor { text: line, at: 0 };
    c.literal("{\"position\":")?;
    let position = c.unsigned()?;
    c.literal(",\"event_id\":\"")?;
    let event_id = c.plain_string()?;
    c.literal(",\"recorded_at_us\":")?;
    let recorded_at_us = c.signed()?;
    c.literal(",\"stream_id\":\"")?;
    let stream_id = c.plain_string()?;
    c.literal(",\"stream_version\":")?;
    let stream_version = c.unsigned()?;
    c.literal(",\"event_type\":\"")?;
    let event_type = c.plain_string()?;
    c.literal(",\"schema_version\":")?;
    let schema_version = u32::try_from(c.unsigned()?).ok()?;
    c.literal(",\"occurred_from_us\":")?;
    let occurred_from_us = c.signed()?;
    c.literal(",\"occurred_to_us\":")?;
    let occurred_to_us = c.signed()?;
    c.literal(",\"time_precision\":")?;
    let time_precision = u8::try_from(c.unsigned()?).ok()?;
    c.literal(",\"payload\":\"")?;
    c.unescaped_string(scratch)?;
    let payload = Committed(sha256(scratch));
    c.literal(",\"metadata\":\"")?;
    c.unescaped_string(scratch)?;
    let metadata_text = std::str::from_utf8(scratch).ok()?;
    let actor = serde_json::from_str::<ActorOnly<'_>>(metadata_text)
        .ok()
        .map(|only| ShortText::new(&only.actor));
    let metadata = CommittedMetadata {
        sha256: sha256(scratch),
        actor,
    };
    c.literal(",\"leaf_hash\":\"")?;
    let leaf_hash: Hash = c.plain_string()?.parse().ok()?;
    c.literal("}")?;
    if c.at != line.len() {
        return None;
    }
    Some(LeafRecordRef {
        position,
        event_id: Cow::Borrowed(event_id),
        recorded_at_us,
        stream_id: Cow::Borrowed(stream_id),
        stream_version,
        event_type: Cow::Borrowed(event_type),
        schema_version,
        occurred_from_us,
        occurred_to_us,
        time_precision,
        payload,
        metadata,
        leaf_hash,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::format::EventRecord;

    fn record() -> EventRecord {
        EventRecord {
            position: 7,
            event_id: "01010101-0101-0101-0101-010101010101".into(),
            recorded_at_us: 1_700_000_000_000_000,
            stream_id: "batch-42".into(),
            stream_version: 3,
            event_type: "MemberArrived".into(),
            schema_version: 1,
            occurred_from_us: 1_721_865_600_000_000,
            occurred_to_us: 1_721_951_999_999_999,
            time_precision: 2,
            payload: r#"{"date":"2024-07-25"}"#.into(),
            metadata: r#"{"actor":"recorder@62"}"#.into(),
            leaf_hash: Hash([7; 32]),
        }
    }

    /// Whatever the fast reader accepts, serde_json reads the same.
    fn agrees(line: &str) -> bool {
        let mut scratch = Vec::new();
        match fast(line, &mut scratch) {
            None => false,
            Some(quick) => {
                let slow: LeafRecordRef<'_> = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("fast accepted what serde refuses ({e}): {line}"));
                assert_eq!(quick, slow, "{line}");
                true
            }
        }
    }

    #[test]
    fn the_servers_lines_take_the_fast_path() {
        let line = serde_json::to_string(&record()).unwrap();
        assert!(agrees(&line), "{line}");
        let mut escaped = record();
        escaped.payload =
            "{\"a\":\"\\n\\u00e9\\ud83d\\ude00 \u{1f600} \\\\ \\\"\"}\u{7f}\u{1}".into();
        escaped.metadata = r#"{"actor":"r\"62","x":"\u2028"}"#.into();
        escaped.recorded_at_us = -5;
        assert!(agrees(&serde_json::to_string(&escaped).unwrap()));
    }

    #[test]
    fn other_spellings_fall_back() {
        let line = serde_json::to_string(&record()).unwrap();
        for other in [
            line.replace("\"position\":7", "\"position\":07"),
            line.replace("\"position\":7", "\"position\": 7"),
            line.replace("\"position\":7", "\"position\":7.0"),
            line.replace("batch-42", "batch-\\u0034\\u0032"),
            line.replace("recorder@62", "recorder\\\\\\ud800"),
            line.replace("recorder@62", "recorder\\\\\\udc00"),
            line.clone() + " ",
            line.clone() + "x",
            line.replacen('{', "{\"extra\":1,", 1),
            line.replace("\"schema_version\":1", "\"schema_version\":4294967296"),
            line.replace("\"time_precision\":2", "\"time_precision\":256"),
        ] {
            let mut scratch = Vec::new();
            assert!(fast(&other, &mut scratch).is_none(), "{other}");
        }
    }

    fn texts() -> impl Strategy<Value = String> {
        "(\\PC|[\\n\\t\\x00\\x01\\x1f\\x7f\"\\\\/\u{2028}\u{1f600}])*"
    }

    proptest! {
        #[test]
        fn random_records_take_the_fast_path_and_agree(
            payload in texts(),
            actor in texts(),
            stream in "[a-z0-9-]{1,20}",
            position in any::<u64>(),
            recorded in any::<i64>(),
            from in any::<i64>(),
            precision in any::<u8>(),
            schema in any::<u32>(),
        ) {
            let owned = EventRecord {
                position,
                recorded_at_us: recorded,
                occurred_from_us: from,
                schema_version: schema,
                time_precision: precision,
                payload: payload.clone(),
                metadata: serde_json::json!({ "actor": actor, "p": payload }).to_string(),
                stream_id: stream,
                ..record()
            };
            let line = serde_json::to_string(&owned).unwrap();
            prop_assert!(agrees(&line), "{}", line);
        }

        #[test]
        fn mutated_lines_are_read_alike_or_handed_on(
            payload in texts(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
                "", "\"", "\\", "\\u", "0", "-", " ", "}", "{", ",", ":", "e", "\\ud800", "\\udc00",
                "\\uD83D\\uDE00", "\u{e9}", "\n", "9999999999999999999999",
            ])), 1..4),
        ) {
            let owned = EventRecord {
                metadata: serde_json::json!({ "actor": "a", "p": payload }).to_string(),
                payload,
                ..record()
            };
            let mut line = serde_json::to_string(&owned).unwrap();
            for (at, insert) in edits {
                let mut index = at.index(line.len() + 1);
                while !line.is_char_boundary(index) {
                    index -= 1;
                }
                line.insert_str(index, insert);
            }
            // Either path may take it; if the fast one does, serde_json agrees (asserted inside).
            let _ = agrees(&line);
        }
    }
}
