//! No input can poison the log or a read model: a property test over the write RPCs that carry free
//! text and dates, with valid and hostile values (NUL, C0/C1 controls, DEL, bidi overrides and
//! isolates, noncharacters, blank, maximum and over-maximum lengths, dates outside what a
//! `google.protobuf.Timestamp` holds, a division outside the credit code's province).
//!
//! Each request is either refused with INVALID_ARGUMENT naming a field that was given a hostile value,
//! or recorded; then every projection on the backend has applied every event (none failed), and every
//! event is served back by the feed in binary and in a form JSON clients decode (timestamps inside
//! 0001-01-01..9999-12-31, payload and metadata valid JSON free of control characters).

use std::time::Duration;

use api::medaid::v1 as pb;
use api::medaid::v1::correction_service_client::CorrectionServiceClient;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::projection_admin_service_client::ProjectionAdminServiceClient;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, TestRng, TestRunner};
use tonic::Code;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use crate::common::{TestServer, authed, backends, org, request_id};

/// A generated value and whether the server must accept it.
#[derive(Debug, Clone)]
struct Value {
    text: String,
    valid: bool,
}

fn valid(text: impl Into<String>) -> Value {
    Value {
        text: text.into(),
        valid: true,
    }
}

fn hostile(text: impl Into<String>) -> Value {
    Value {
        text: text.into(),
        valid: false,
    }
}

/// Text of at most `max` characters; `multiline` fields may also hold line feeds and tabs.
fn text(max: usize, multiline: bool) -> impl Strategy<Value = Value> {
    let poison = prop::sample::select(vec![
        '\u{0}', '\u{7}', '\u{1b}', '\n', '\r', '\t', '\u{7f}', '\u{85}', '\u{9f}', '\u{202a}',
        '\u{202e}', '\u{2066}', '\u{2069}', '\u{2028}', '\u{fffe}', '\u{ffff}',
    ]);
    let base = prop::sample::select(vec![
        "会宁县人民医院",
        "Huining County People's Hospital",
        "胸痛中心 № 1 — 2024",
        "ç'è (é) ü",
    ]);
    prop_oneof![
        base.clone().prop_map(valid),
        (base, poison, 0usize..8).prop_map(move |(base, c, at)| {
            let mut chars: Vec<char> = base.chars().collect();
            chars.insert(at.min(chars.len()), c);
            let text: String = chars.into_iter().collect();
            if multiline && matches!(c, '\n' | '\t') {
                valid(text)
            } else {
                hostile(text)
            }
        }),
        Just(valid("医".repeat(max))),
        Just(hostile("医".repeat(max + 1))),
        Just(hostile("   ")),
        Just(hostile("")),
    ]
}

fn date() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["2024-09-15", "1900-01-01", "2010-02-28", "2020-02-29"])
            .prop_map(valid),
        prop::sample::select(vec![
            "0000-01-01",
            "0001-01-01",
            "1899-12-31",
            "2200-01-01",
            "9999-12-31",
            "2024-02-30",
            "24-01-01",
            "+12024-01-01",
            "2024-01-01\u{0}",
        ])
        .prop_map(hostile),
    ]
}

/// A division in the credit code's province (Gansu), or in another one.
fn division() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["620422", "620000", "620102"]).prop_map(valid),
        prop::sample::select(vec!["520627", "110000"]).prop_map(hostile),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    name: Value,
    division: Value,
    registered_on: Value,
    certifier: Value,
    certified_on: Value,
    retraction_reason: Value,
}

fn case() -> impl Strategy<Value = Case> {
    (
        text(100, false),
        division(),
        date(),
        text(200, false),
        date(),
        text(500, true),
    )
        .prop_map(
            |(name, division, registered_on, certifier, certified_on, retraction_reason)| Case {
                name,
                division,
                registered_on,
                certifier,
                certified_on,
                retraction_reason,
            },
        )
}

/// Checks a write's answer against the oracle: recorded when every field is valid, otherwise
/// INVALID_ARGUMENT naming one of the hostile fields.
fn check_answer<T: std::fmt::Debug>(
    answer: &Result<tonic::Response<T>, tonic::Status>,
    fields: &[(&str, &Value)],
) -> bool {
    let hostile: Vec<&str> = fields
        .iter()
        .filter(|(_, v)| !v.valid)
        .map(|(f, _)| *f)
        .collect();
    match answer {
        Ok(_) => {
            assert!(
                hostile.is_empty(),
                "recorded despite hostile {hostile:?}: {fields:?}"
            );
            true
        }
        Err(status) => {
            assert_eq!(
                status.code(),
                Code::InvalidArgument,
                "{status:?} for {fields:?}"
            );
            assert!(status.get_details_error_info().is_some(), "{status:?}");
            let details = status.get_error_details();
            let named = details
                .bad_request()
                .and_then(|b| b.field_violations.first().map(|v| v.field.clone()))
                .unwrap_or_default();
            assert!(
                hostile.contains(&named.as_str()),
                "refused naming {named:?}, hostile were {hostile:?}: {status:?}"
            );
            // The message names the problem without echoing a raw control character.
            assert!(
                !status.message().chars().any(|c| c.is_control()),
                "{:?}",
                status.message()
            );
            false
        }
    }
}

async fn run_case(channel: &Channel, token: &str, n: u32, case: &Case) {
    let mut hospitals = HospitalServiceClient::new(channel.clone());
    let code = org("620422", 10_000 + n);
    let registered = hospitals
        .register_hospital(authed(
            token,
            pb::RegisterHospitalRequest {
                request_id: request_id(),
                hospital: code.clone(),
                name: case.name.text.clone(),
                division: case.division.text.clone(),
                category: "A100".into(),
                registered_on: case.registered_on.text.clone(),
                ..Default::default()
            },
        ))
        .await;
    let recorded = check_answer(
        &registered,
        &[
            ("name", &case.name),
            ("division", &case.division),
            ("registered_on", &case.registered_on),
        ],
    );
    if !recorded {
        return;
    }
    let certified = hospitals
        .record_center_certification(authed(
            token,
            pb::RecordCenterCertificationRequest {
                request_id: request_id(),
                hospital: code.clone(),
                center: pb::CenterType::Stroke.into(),
                certifier: case.certifier.text.clone(),
                certified_on: case.certified_on.text.clone(),
                ..Default::default()
            },
        ))
        .await;
    if !check_answer(
        &certified,
        &[
            ("certifier", &case.certifier),
            ("certified_on", &case.certified_on),
        ],
    ) {
        return;
    }
    let retracted = CorrectionServiceClient::new(channel.clone())
        .retract_event(authed(
            token,
            pb::RetractEventRequest {
                request_id: request_id(),
                stream_id: format!("hospital-{code}"),
                stream_version: 2,
                reason: case.retraction_reason.text.clone(),
                ..Default::default()
            },
        ))
        .await;
    check_answer(&retracted, &[("reason", &case.retraction_reason)]);
}

/// Inside what `google.protobuf.Timestamp` (and so its JSON form) holds.
fn decodable(timestamp: Option<&prost_types::Timestamp>) -> bool {
    timestamp.is_none_or(|t| {
        (-62_135_596_800..=253_402_300_799).contains(&t.seconds)
            && (0..1_000_000_000).contains(&t.nanos)
    })
}

/// Every event of the log, through ListEvents pages, each checked for JSON clients.
async fn check_feed(channel: &Channel, token: &str) -> usize {
    let mut events = EventServiceClient::new(channel.clone());
    let mut page_token = String::new();
    let mut count = 0;
    loop {
        let page = events
            .list_events(authed(
                token,
                pb::ListEventsRequest {
                    page_size: 1000,
                    page_token: page_token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        for event in &page.events {
            count += 1;
            assert!(decodable(event.occurred_from.as_ref()), "{event:?}");
            assert!(decodable(event.occurred_to.as_ref()), "{event:?}");
            assert!(decodable(event.recorded_at.as_ref()), "{event:?}");
            for json in [&event.payload, &event.metadata_json] {
                let _: serde_json::Value = serde_json::from_str(json).unwrap();
                assert!(
                    !json.chars().any(|c| c.is_control() && c != '\n'),
                    "raw control character in {json:?}"
                );
            }
            // GetEvent serves the same event in binary.
            let single = events
                .get_event(authed(
                    token,
                    pb::GetEventRequest {
                        position: event.position,
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            assert_eq!(single.event.as_ref(), Some(event));
        }
        if page.next_page_token.is_empty() {
            return count;
        }
        page_token = page.next_page_token;
    }
}

/// Waits until every projection has applied the whole log; fails if one stopped.
async fn check_projections(channel: &Channel, token: &str, head: u64) {
    let mut admin = ProjectionAdminServiceClient::new(channel.clone());
    for _ in 0..200 {
        let list = admin
            .list_projections(authed(token, pb::ListProjectionsRequest {}))
            .await
            .unwrap()
            .into_inner();
        for projection in &list.projections {
            assert_ne!(
                projection.state(),
                pb::ProjectionState::Failed,
                "projection {} failed: {:?}",
                projection.name,
                projection.failure
            );
        }
        if list
            .projections
            .iter()
            .filter(|p| p.active)
            .all(|p| p.position >= head)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the projections did not reach position {head}");
}

#[tokio::test]
async fn hostile_writes_are_refused_naming_the_field_or_applied_and_served_everywhere() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut runner = TestRunner::new_with_rng(
            ProptestConfig::default(),
            TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        );
        let strategy = case();
        for n in 0..48 {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            run_case(&channel, &token, n, &case).await;
        }
        let count = check_feed(&channel, &token).await;
        assert!(count > 0, "no case was recorded");
        let admin = server.token(&["admin"], &["*"]);
        check_projections(&channel, &admin, count as u64).await;
        server.stop().await;
    }
}

/// Every write RPC of the API, derived from the descriptor: the real requests of the seed 000 flow
/// (recorded through `tests/recorder.rs`) are the bases, and each string, enum and repeated field of
/// each base is given hostile and boundary values: a control, bidi or noncharacter inserted, the
/// stated maximum length and one more, business dates outside 1900..2199 and at its ends, one entry
/// past a stated maximum count, thousands of entries where none is stated, an unknown enum value.
/// Every base also carries a `RecordContext` (correlation id, evidence), so its limits are pinned
/// on every write. A write RPC the flow does not call has no base and fails the test.
///
/// A hostile value must be refused with INVALID_ARGUMENT naming its field; a value at a stated
/// limit must not be refused for that field; nothing may answer INTERNAL, UNKNOWN or without
/// `ErrorInfo`. Then every projection has applied every recorded event and the feed serves each in
/// binary and in a form JSON clients decode; with `MEDAID_POISON_FEED_DIR` set, the events are also
/// written there for `scripts/conformance/check_feed_json.py` (Python's `json_format`).
#[tokio::test]
async fn every_write_rpc_refuses_hostile_values_naming_the_field_or_records_them_safely() {
    use crate::descriptor::{Rpc, rpcs};
    use crate::recorder::{Recorder, unary};
    use prost_reflect::DynamicMessage;

    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let token = server.admin_token();
        let recorder = Recorder::start(server.channel().await).await;
        crate::flow::command_flow(recorder.channel().await, &token).await;
        let mut bases = std::collections::BTreeMap::new();
        for call in recorder.calls() {
            bases.insert(call.path, call.message);
        }
        let writes: Vec<Rpc> = rpcs().into_iter().filter(Rpc::is_write).collect();
        assert!(writes.len() > 30, "{} write RPCs", writes.len());
        let missing: Vec<&str> = writes
            .iter()
            .filter(|r| !bases.contains_key(&r.path))
            .map(|r| r.path.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "no generator (base request) for {missing:?}: call them in flow::command_flow"
        );
        let channel = server.channel().await;
        let mut runner = TestRunner::new_with_rng(
            ProptestConfig::default(),
            TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        );
        let mut figures = mutate::Figures::default();
        for rpc in &writes {
            let base = DynamicMessage::decode(rpc.input.clone(), bases[&rpc.path].as_slice())
                .expect("a recorded request decodes");
            let base = mutate::with_context(base);
            for mutation in mutate::mutations(&base, &mut runner) {
                let message = mutation.apply(&base);
                let answer = unary(&channel, &rpc.path, message, Some(&token)).await;
                figures.count(&rpc.path, &mutation, &answer);
            }
        }
        let backend = if database.is_some() {
            "postgres"
        } else {
            "sqlite"
        };
        eprintln!("poison ({backend}): {figures}");
        figures.assert_none();
        assert!(figures.recorded > 0 && figures.refused > 0, "{figures}");
        let count = check_feed(&channel, &token).await;
        let admin = server.token(&["admin"], &["*"]);
        check_projections(&channel, &admin, count as u64).await;
        mutate::dump_feed(&channel, &token, backend).await;
        server.stop().await;
    }
}

mod mutate {
    //! Hostile and boundary values for every field of a request, on `prost_reflect` messages.

    use std::fmt;

    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use prost::Message;
    use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, ReflectMessage, Value};
    use tonic::Code;
    use tonic_types::StatusExt;

    use crate::common::{authed, request_id};
    use crate::descriptor::field_limits;

    /// Characters no recorded text may hold (line feed and tab are allowed in some fields).
    const POISON: &[char] = &[
        '\u{0}', '\u{7}', '\u{1b}', '\r', '\u{7f}', '\u{85}', '\u{9f}', '\u{202a}', '\u{202e}',
        '\u{2066}', '\u{2069}', '\u{fdd0}', '\u{fffe}', '\u{ffff}',
    ];
    /// Business dates outside 1900-01-01..2199-12-31, or no dates at all.
    const BAD_DATES: &[&str] = &[
        "0000-01-01",
        "0001-01-01",
        "1899-12-31",
        "2200-01-01",
        "9999-12-31",
        "2024-02-30",
        "+12024-01-01",
    ];
    /// Repeated fields without a stated maximum get this many entries.
    const HUGE: usize = 5_000;

    #[derive(Debug, Clone)]
    enum Step {
        Field(FieldDescriptor),
        Index(usize),
    }

    /// What the oracle demands of a mutation.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Expect {
        /// INVALID_ARGUMENT naming the field.
        Refused,
        /// Anything but a refusal naming the field.
        NotRefusedForTheField,
        /// Anything honest: recorded, or refused with `ErrorInfo`.
        Any,
    }

    /// One field of a request set to one value.
    #[derive(Debug, Clone)]
    pub(super) struct Mutation {
        steps: Vec<Step>,
        path: String,
        value: Value,
        expect: Expect,
        what: &'static str,
    }

    impl Mutation {
        /// The base with this mutation and (unless the mutation is of it) a fresh request id.
        pub(super) fn apply(&self, base: &DynamicMessage) -> Vec<u8> {
            let mut message = base.clone();
            if self.path != "request_id" {
                message.set_field_by_name("request_id", Value::String(request_id()));
            }
            set_at(&mut message, &self.steps, self.value.clone());
            message.encode_to_vec()
        }
    }

    fn set_at(message: &mut DynamicMessage, steps: &[Step], value: Value) {
        let Some(Step::Field(field)) = steps.first() else {
            panic!("a mutation path starts with a field");
        };
        match steps.get(1) {
            None => message.set_field(field, value),
            Some(Step::Index(i)) => {
                let list = message.get_field_mut(field).as_list_mut().expect("a list");
                if steps.len() == 2 {
                    list[*i] = value;
                } else {
                    let inner = list[*i].as_message_mut().expect("a message");
                    set_at(inner, &steps[2..], value);
                }
            }
            Some(Step::Field(_)) => {
                let inner = message
                    .get_field_mut(field)
                    .as_message_mut()
                    .expect("a message");
                set_at(inner, &steps[1..], value);
            }
        }
    }

    /// The base with a valid `RecordContext`, so its fields are mutated on every write too.
    pub(super) fn with_context(mut base: DynamicMessage) -> DynamicMessage {
        let context = api::medaid::v1::RecordContext {
            correlation_id: "upload-2024-09".into(),
            causation_id: String::new(),
            source: api::medaid::v1::RecordSource::Platform.into(),
            evidence: vec![api::medaid::v1::Evidence {
                uri: "https://wsjkw.gansu.gov.cn/notice/2024/1.html".into(),
                sha256: vec![7; 32],
                description: "2024年卒中中心认证公示".into(),
            }],
        };
        let descriptor = crate::descriptor::pool()
            .get_message_by_name("medaid.v1.RecordContext")
            .expect("RecordContext");
        let context = DynamicMessage::decode(descriptor, context.encode_to_vec().as_slice())
            .expect("a RecordContext");
        base.set_field_by_name("context", Value::Message(context));
        base
    }

    fn pick<T: Clone + fmt::Debug + 'static>(runner: &mut TestRunner, from: &[T]) -> T {
        prop::sample::select(from.to_vec())
            .new_tree(runner)
            .expect("a value")
            .current()
    }

    /// `seed`'s characters repeated to exactly `n` characters ("医" when it is empty).
    fn cycled(seed: &str, n: usize) -> String {
        let seed = if seed.is_empty() { "医" } else { seed };
        seed.chars().cycle().take(n).collect()
    }

    fn is_date(text: &str) -> bool {
        let b = text.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    }

    /// Every mutation of every field of `base`.
    pub(super) fn mutations(base: &DynamicMessage, runner: &mut TestRunner) -> Vec<Mutation> {
        let mut out = Vec::new();
        walk(base, &[], "", runner, &mut out);
        out
    }

    fn walk(
        message: &DynamicMessage,
        steps: &[Step],
        prefix: &str,
        runner: &mut TestRunner,
        out: &mut Vec<Mutation>,
    ) {
        for field in message.descriptor().fields() {
            if field.containing_oneof().is_some() && !message.has_field(&field) {
                continue;
            }
            let mut here = steps.to_vec();
            here.push(Step::Field(field.clone()));
            let path = format!("{prefix}{}", field.name());
            let limits = field_limits(&field);
            let value = message.get_field(&field);
            match (field.kind(), field.is_list()) {
                (Kind::String, false) => {
                    let current = value.as_str().unwrap_or_default().to_owned();
                    text(&here, &path, &current, limits.characters, runner, out);
                }
                (Kind::String, true) => {
                    let list = value.as_list().unwrap_or_default().to_vec();
                    let first = list
                        .first()
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned();
                    let mut element = here.clone();
                    element.push(Step::Index(0));
                    if !list.is_empty() {
                        let at = format!("{path}[0]");
                        text(&element, &at, &first, limits.characters, runner, out);
                    }
                    entries(
                        &here,
                        &path,
                        Value::String(cycled(&first, 4)),
                        limits.entries,
                        out,
                    );
                }
                (Kind::Message(_), false) if message.has_field(&field) => {
                    let inner = value.as_message().expect("a message").clone();
                    walk(&inner, &here, &format!("{path}."), runner, out);
                }
                (Kind::Message(_), true) => {
                    let list = value.as_list().unwrap_or_default().to_vec();
                    if let Some(first) = list.first() {
                        let mut element = here.clone();
                        element.push(Step::Index(0));
                        let inner = first.as_message().expect("a message").clone();
                        walk(&inner, &element, &format!("{path}[0]."), runner, out);
                        entries(&here, &path, first.clone(), limits.entries, out);
                    }
                }
                (Kind::Enum(_), false) => out.push(Mutation {
                    steps: here,
                    path,
                    value: Value::EnumNumber(9_999),
                    expect: Expect::Refused,
                    what: "an unknown enum value",
                }),
                _ => {}
            }
        }
    }

    fn text(
        steps: &[Step],
        path: &str,
        current: &str,
        max: Option<usize>,
        runner: &mut TestRunner,
        out: &mut Vec<Mutation>,
    ) {
        let mut push = |value: String, expect, what| {
            out.push(Mutation {
                steps: steps.to_vec(),
                path: path.to_owned(),
                value: Value::String(value),
                expect,
                what,
            });
        };
        let poison = pick(runner, POISON);
        let len = current.chars().count();
        let at = (0..=len).new_tree(runner).expect("an index").current();
        let mut chars: Vec<char> = current.chars().collect();
        chars.insert(at, poison);
        push(
            chars.into_iter().collect(),
            Expect::Refused,
            "a control, bidi or noncharacter",
        );
        // A code made only of digits (a division) is not free text: its length is its own rule.
        if let Some(max) = max.filter(|_| !current.chars().all(|c| c.is_ascii_digit())) {
            push(
                cycled(current, max),
                Expect::NotRefusedForTheField,
                "the maximum length",
            );
            push(
                cycled(current, max + 1),
                Expect::Refused,
                "one past the maximum length",
            );
        }
        if is_date(current) {
            push(
                pick(runner, BAD_DATES).to_owned(),
                Expect::Refused,
                "a date outside 1900..2199",
            );
            push(
                pick(runner, &["1900-01-01", "2199-12-31"]).to_owned(),
                Expect::Any,
                "a date at the ends of 1900..2199",
            );
        }
    }

    fn entries(
        steps: &[Step],
        path: &str,
        element: Value,
        max: Option<usize>,
        out: &mut Vec<Mutation>,
    ) {
        let (count, expect, what) = match max {
            Some(max) => (max + 1, Expect::Refused, "one entry past the maximum"),
            None => (HUGE, Expect::Any, "thousands of entries"),
        };
        out.push(Mutation {
            steps: steps.to_vec(),
            path: path.to_owned(),
            value: Value::List(vec![element; count]),
            expect,
            what,
        });
    }

    /// A field path without its indices, so `trainers[3]` and `trainers` compare equal.
    fn unindexed(path: &str) -> String {
        let mut out = String::new();
        let mut skipping = false;
        for c in path.chars() {
            match c {
                '[' => skipping = true,
                ']' => skipping = false,
                _ if !skipping => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// What the mutations met.
    #[derive(Debug, Default)]
    pub(super) struct Figures {
        pub(super) sent: usize,
        pub(super) recorded: usize,
        pub(super) refused: usize,
        violations: Vec<String>,
    }

    impl fmt::Display for Figures {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                f,
                "{} requests, {} recorded, {} refused",
                self.sent, self.recorded, self.refused
            )
        }
    }

    impl Figures {
        /// Checks one answer against the oracle and counts it; a violation is kept, so that one run
        /// lists them all.
        pub(super) fn count(
            &mut self,
            rpc: &str,
            m: &Mutation,
            answer: &Result<Vec<u8>, tonic::Status>,
        ) {
            self.sent += 1;
            let status = match answer {
                Ok(_) => {
                    if m.expect == Expect::Refused {
                        self.violations
                            .push(format!("{rpc} recorded {} in {}", m.what, m.path));
                    }
                    self.recorded += 1;
                    return;
                }
                Err(status) => status,
            };
            self.refused += 1;
            let context = format!(
                "{rpc} with {} in {}: {:?} {:?} {:?}",
                m.what,
                m.path,
                status.code(),
                status.get_details_error_info().map(|i| i.reason),
                status.message()
            );
            let mut fail = |why: &str| self.violations.push(format!("{why}: {context}"));
            if matches!(
                status.code(),
                Code::Internal | Code::Unknown | Code::DataLoss | Code::Unimplemented
            ) {
                fail("dishonest code");
            }
            if status.get_details_error_info().is_none() {
                fail("no ErrorInfo");
            }
            if status.message().chars().any(char::is_control) || status.message().len() > 2048 {
                fail("unbounded message or control characters");
            }
            let named = status
                .get_error_details()
                .bad_request()
                .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
            let names_field = status.code() == Code::InvalidArgument
                && named.as_deref().map(unindexed) == Some(unindexed(&m.path));
            match m.expect {
                Expect::Refused if !names_field => fail("not refused naming the field"),
                Expect::NotRefusedForTheField if names_field => fail("refused at its limit"),
                _ => {}
            }
        }

        /// Fails with every violation found.
        pub(super) fn assert_none(&self) {
            assert!(
                self.violations.is_empty(),
                "{} violations:\n{}",
                self.violations.len(),
                self.violations.join("\n")
            );
        }
    }

    /// Writes every event of the feed, length-delimited, and the descriptor set into
    /// `$MEDAID_POISON_FEED_DIR`, for the Python `json_format` check of the conformance step.
    pub(super) async fn dump_feed(channel: &tonic::transport::Channel, token: &str, backend: &str) {
        use api::medaid::v1 as pb;
        use api::medaid::v1::event_service_client::EventServiceClient;
        let Some(dir) = std::env::var_os("MEDAID_POISON_FEED_DIR") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut events = EventServiceClient::new(channel.clone());
        let mut out = Vec::new();
        let mut page_token = String::new();
        loop {
            let page = events
                .list_events(authed(
                    token,
                    pb::ListEventsRequest {
                        page_size: 1000,
                        page_token: page_token.clone(),
                        ..Default::default()
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            for event in &page.events {
                event.encode_length_delimited(&mut out).unwrap();
            }
            if page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
        std::fs::write(dir.join(format!("{backend}.events")), out).unwrap();
        std::fs::write(dir.join("descriptor.binpb"), api::FILE_DESCRIPTOR_SET).unwrap();
    }
}
