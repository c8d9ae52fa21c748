//! Fuzz target of request decoding and conversion to commands (see `fuzz/harness.rs`), through the
//! real server: the first byte of an input picks a write RPC (from the descriptor), the rest is its
//! request message. The seeds are the real requests of the seed 000 flow, recorded through
//! `tests/recorder.rs`, so mutations reach deep into every request type. Whatever the bytes, the
//! answer is a response or an honest refusal: never INTERNAL or UNKNOWN, always with `ErrorInfo`,
//! a bounded message without control characters.

#[path = "../fuzz/harness.rs"]
mod harness;

use tonic::Code;
use tonic_types::StatusExt;

use crate::common::{TestServer, backends};
use crate::descriptor::{Rpc, rpcs};
use crate::recorder::{Recorder, unary};

#[test]
fn fuzz_write_requests() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for database in backends() {
        let (server, channel, bases) = runtime.block_on(async {
            let server = TestServer::start(database.as_deref()).await;
            let token = server.admin_token();
            let recorder = Recorder::start(server.channel().await).await;
            crate::flow::command_flow(recorder.channel().await, &token).await;
            let channel = server.channel().await;
            (server, channel, recorder.calls())
        });
        let token = server.admin_token();
        let writes: Vec<Rpc> = rpcs().into_iter().filter(Rpc::is_write).collect();
        let seeds: Vec<Vec<u8>> = bases
            .iter()
            .filter_map(|call| {
                let index = writes.iter().position(|r| r.path == call.path)?;
                let mut input = vec![u8::try_from(index).unwrap()];
                input.extend_from_slice(&call.message);
                Some(input)
            })
            .collect();
        harness::fuzz("requests", seeds, |input| {
            let Some((&index, message)) = input.split_first() else {
                return;
            };
            let rpc = &writes[usize::from(index) % writes.len()];
            let answer =
                runtime.block_on(unary(&channel, &rpc.path, message.to_vec(), Some(&token)));
            if let Err(status) = answer {
                let context = format!("{} answered {status:?}", rpc.path);
                assert!(
                    !matches!(status.code(), Code::Internal | Code::Unknown),
                    "{context}"
                );
                assert!(status.get_details_error_info().is_some(), "{context}");
                assert!(
                    status.message().len() <= 2048
                        && !status.message().chars().any(char::is_control),
                    "{context}"
                );
            }
        });
        runtime.block_on(server.stop());
    }
}
