//! Fuzz target of stored-event decoding (see `fuzz/harness.rs`): rows with arbitrary column values,
//! as a damaged or hostile database could return them, become events or a `Corrupt` error, never a
//! panic; an event comes out only when every column holds what the schema promises.

#[path = "../../../../fuzz/harness.rs"]
mod harness;

use super::*;

/// Column values read off fuzz bytes; past the end they read as zeros.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }

    fn i64(&mut self) -> i64 {
        i64::from_be_bytes(self.bytes())
    }

    fn text(&mut self) -> String {
        let [len] = self.bytes::<1>();
        let n = usize::from(len).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(head).into_owned()
    }
}

#[test]
fn fuzz_stored_event_rows() {
    let mut seed = Vec::new();
    seed.extend_from_slice(&7i64.to_be_bytes());
    seed.push(8);
    seed.extend_from_slice(b"stream-1");
    seed.extend_from_slice(&1i64.to_be_bytes());
    seed.extend_from_slice(&[0x11; 16]);
    seed.push(4);
    seed.extend_from_slice(b"Type");
    seed.extend_from_slice(&1i32.to_be_bytes());
    seed.push(2);
    seed.extend_from_slice(b"{}");
    seed.push(2);
    seed.extend_from_slice(b"{}");
    seed.extend_from_slice(&[0; 16]);
    seed.extend_from_slice(&2i32.to_be_bytes());
    seed.extend_from_slice(&[0; 8]);
    seed.push(32);
    seed.extend_from_slice(&[0xab; 32]);
    harness::fuzz("stored_event_row", vec![seed], |input| {
        let mut input = Input(input);
        let row = EventRecord {
            position: input.i64(),
            stream_id: input.text(),
            stream_version: input.i64(),
            event_id: Uuid::from_bytes(input.bytes()),
            event_type: input.text(),
            schema_version: i32::from_be_bytes(input.bytes()),
            payload: input.text(),
            metadata: input.text(),
            occurred_from_us: input.i64(),
            occurred_to_us: input.i64(),
            time_precision: i32::from_be_bytes(input.bytes()),
            recorded_at_us: input.i64(),
            leaf_hash: input.text().into_bytes(),
        };
        let (position, version, precision) = (row.position, row.stream_version, row.time_precision);
        let hash_len = row.leaf_hash.len();
        let valid_json = serde_json::from_str::<serde_json::Value>(&row.payload).is_ok()
            && serde_json::from_str::<serde_json::Value>(&row.metadata).is_ok();
        match StoredEvent::try_from(row) {
            Ok(event) => {
                assert!(position >= 0 && version >= 0 && valid_json && hash_len == 32);
                assert!((0..=4).contains(&precision));
                assert_eq!(event.position, position.unsigned_abs());
            }
            Err(e) => assert!(matches!(e, StoreError::Corrupt(_)), "{e:?}"),
        }
    });
}
