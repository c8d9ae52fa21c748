//! Numbers at the ends of their wire types in every request field, derived from the descriptor: a
//! position, version, size or count past `i64::MAX` (where the stores keep `BIGINT`), `u64::MAX`,
//! and `i64::MIN`/`i64::MAX` for signed fields such as a Timestamp's seconds. Each must be answered
//! honestly: an answer, or a refusal with `ErrorInfo` whose reason `errors.proto` documents with
//! the code returned. Never INTERNAL ("stored data is inconsistent"), UNKNOWN or DATA_LOSS.
//!
//! The bases are the real requests of the seed 000 flow and the read-model tour (as in the
//! authorization matrix), so the other fields are valid and the number is what is tested.

use std::time::Duration;

use prost::Message;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value};
use tonic::Code;
use tonic_types::StatusExt;

use crate::common::{TestServer, backends, request_id};
use crate::descriptor::rpcs;
use crate::recorder::{first_of_stream, handmade_request, tour_requests, unary};

/// Every singular integer field of 64 bits reachable from `message` through singular message
/// fields, as field paths; well-known types are entered too (Timestamp.seconds is one).
fn wide_fields(message: &MessageDescriptor, depth: usize) -> Vec<Vec<FieldDescriptor>> {
    let mut out = Vec::new();
    if depth == 0 {
        return out;
    }
    for field in message.fields() {
        if field.is_list() || field.is_map() {
            continue;
        }
        match field.kind() {
            Kind::Uint64 | Kind::Fixed64 | Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
                out.push(vec![field]);
            }
            Kind::Message(inner) => {
                for mut path in wide_fields(&inner, depth - 1) {
                    path.insert(0, field.clone());
                    out.push(path);
                }
            }
            _ => {}
        }
    }
    out
}

fn extremes(field: &FieldDescriptor) -> Vec<Value> {
    match field.kind() {
        Kind::Uint64 | Kind::Fixed64 => vec![Value::U64(1 << 63), Value::U64(u64::MAX)],
        _ => vec![Value::I64(i64::MAX), Value::I64(i64::MIN)],
    }
}

fn set_path(message: &mut DynamicMessage, path: &[FieldDescriptor], value: Value) {
    match path {
        [field] => message.set_field(field, value),
        [field, rest @ ..] => {
            let inner = message
                .get_field_mut(field)
                .as_message_mut()
                .expect("a singular message field");
            set_path(inner, rest, value);
        }
        [] => unreachable!("a field path is never empty"),
    }
}

#[tokio::test]
async fn numbers_past_i64_max_are_answered_or_refused_honestly_in_every_field() {
    for database in backends() {
        let writes = TestServer::start(database.as_deref()).await;
        let reads = TestServer::start(database.as_deref()).await;
        let recorded = tour_requests(&writes, &reads).await;
        let mut tried = 0;
        let mut dishonest = Vec::new();
        for rpc in rpcs() {
            let (base, on_writes) = recorded.get(&rpc.path).cloned().unwrap_or_else(|| {
                (
                    handmade_request(&rpc.path).unwrap_or_default(),
                    rpc.is_write(),
                )
            });
            let server = if on_writes { &writes } else { &reads };
            let token = server.token(&["recorder", "reader", "auditor", "admin"], &["*"]);
            let channel = server.channel().await;
            let base = DynamicMessage::decode(rpc.input.clone(), base.as_slice())
                .expect("a recorded request decodes");
            for path in wide_fields(&rpc.input, 4) {
                let name: Vec<&str> = path.iter().map(FieldDescriptor::name).collect();
                let name = name.join(".");
                for value in extremes(path.last().expect("a field")) {
                    let mut message = base.clone();
                    if rpc.is_write() {
                        // A fresh request id, so the write is decided again, not replayed.
                        message.set_field_by_name("request_id", Value::String(request_id()));
                    }
                    set_path(&mut message, &path, value.clone());
                    let encoded = message.encode_to_vec();
                    let answer = if rpc.server_streaming {
                        tokio::time::timeout(
                            Duration::from_secs(2),
                            first_of_stream(&channel, &rpc.path, encoded, Some(&token)),
                        )
                        .await
                        .unwrap_or(Ok(None))
                        .map(drop)
                    } else {
                        unary(&channel, &rpc.path, encoded, Some(&token))
                            .await
                            .map(drop)
                    };
                    tried += 1;
                    let Err(status) = answer else { continue };
                    let info = status.get_details_error_info();
                    let documented = info.as_ref().and_then(|i| {
                        test_support::errors_proto::documented_codes().get(&i.reason)
                    });
                    let honest = !matches!(
                        status.code(),
                        Code::Internal | Code::Unknown | Code::DataLoss
                    ) && documented
                        .is_some_and(|code| code == test_support::code_name(status.code()));
                    if !honest {
                        dishonest.push(format!(
                            "{} {name}={value:?}: {:?} {:?} {}",
                            rpc.path,
                            status.code(),
                            info.map(|i| i.reason),
                            status.message()
                        ));
                    }
                }
            }
        }
        assert!(
            tried > 50,
            "only {tried} calls: the descriptor walk found too few fields"
        );
        assert!(
            dishonest.is_empty(),
            "{} of {tried} answers were not honest:\n{}",
            dishonest.len(),
            dishonest.join("\n")
        );
        writes.stop().await;
        reads.stop().await;
    }
}
