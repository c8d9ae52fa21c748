//! The REQUIRED and OPTIONAL annotations of every write RPC, held by the server (issue 9): a request
//! that sets only its REQUIRED fields (`google.api.field_behavior`, read from the descriptor) is
//! accepted, and the same request with any one REQUIRED field left empty is INVALID_ARGUMENT whose
//! BadRequest names that field; every refusal met on the way answers the code `errors.proto`
//! documents for its reason.
//!
//! The valid values come from the seed 000 flow (`flow::command_flow`), recorded through
//! `tests/recorder.rs` on one server and replayed on a fresh one: each write is first sent with its
//! OPTIONAL fields cleared (entity ids derive from the request id, so later requests still name
//! what the stripped ones created). A write the flow sends to be refused is refused in full as
//! well and says nothing about its fields; the RPCs the flow only calls to be refused get requests
//! of their own in [`fixtures`], in a world where they are valid.
//!
//! "Empty" is the proto3 default: "" for strings, 0 for numbers and enums, no entries, an unset
//! message. A number whose comment documents 0 as a valid value ("0 is a valid exact count") has no
//! empty value and is not probed. Members of a `oneof` are kept as sent and not probed one by one:
//! the oneof as a whole is what the field's comment requires.

use std::collections::{BTreeMap, BTreeSet};

use api::medaid::v1 as pb;
use prost::Message;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, ReflectMessage, Value};
use tonic::Code;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use crate::common::{TestServer, backends, org, request_id};
use crate::descriptor::{Rpc, comment, is_required, rpcs};
use crate::recorder::{Recorder, unary};

/// A message with every field that is not REQUIRED cleared, recursively (oneof members kept).
fn strip(message: &DynamicMessage) -> DynamicMessage {
    let mut out = DynamicMessage::new(message.descriptor());
    for (field, value) in message.fields() {
        let keep = is_required(&field) || field.containing_oneof().is_some();
        if keep {
            out.set_field(&field, strip_value(value));
        }
    }
    out
}

fn strip_value(value: &Value) -> Value {
    match value {
        Value::Message(m) => Value::Message(strip(m)),
        Value::List(items) => Value::List(items.iter().map(strip_value).collect()),
        other => other.clone(),
    }
}

/// A REQUIRED field of a request, by its path as BadRequest spells it (`grade.level`,
/// `targets[0].indicator`), with the steps to reach it.
#[derive(Debug, Clone)]
struct Required {
    path: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
enum Step {
    Field(FieldDescriptor),
    Entry(usize),
}

/// Whether an empty value of the field is a valid value, as its comment says.
fn zero_is_valid(field: &FieldDescriptor) -> bool {
    let numeric = matches!(
        field.kind(),
        Kind::Uint32 | Kind::Uint64 | Kind::Int32 | Kind::Int64 | Kind::Double | Kind::Float
    );
    let text = comment(field);
    numeric && !field.is_list() && (text.contains("0 is a valid") || text.contains("(0 is the"))
}

/// Every REQUIRED field of `message` that can be left empty, with those of the REQUIRED (and oneof)
/// messages it holds, and of the first entry of its REQUIRED lists of messages.
fn required_fields(
    message: &DynamicMessage,
    prefix: &str,
    steps: &[Step],
    out: &mut Vec<Required>,
) {
    for (field, value) in message.fields() {
        let path = if prefix.is_empty() {
            field.name().to_owned()
        } else {
            format!("{prefix}.{}", field.name())
        };
        let mut here = steps.to_vec();
        here.push(Step::Field(field.clone()));
        let in_oneof = field.containing_oneof().is_some();
        if is_required(&field) && !in_oneof && !zero_is_valid(&field) {
            out.push(Required {
                path: path.clone(),
                steps: here.clone(),
            });
        }
        match value {
            Value::Message(inner) => required_fields(inner, &path, &here, out),
            Value::List(items) => {
                if let Some(Value::Message(first)) = items.first() {
                    let mut entry = here.clone();
                    entry.push(Step::Entry(0));
                    required_fields(first, &format!("{path}[0]"), &entry, out);
                }
            }
            _ => {}
        }
    }
}

/// `message` with the field at `steps` cleared.
fn cleared(message: &DynamicMessage, steps: &[Step]) -> DynamicMessage {
    let mut out = message.clone();
    clear_at(&mut out, steps);
    out
}

fn clear_at(message: &mut DynamicMessage, steps: &[Step]) {
    let Some((Step::Field(field), rest)) = steps.split_first() else {
        return;
    };
    if rest.is_empty() {
        message.clear_field(field);
        return;
    }
    let value = message.get_field_mut(field);
    match (value, rest.split_first()) {
        (Value::Message(inner), _) => clear_at(inner, rest),
        (Value::List(items), Some((Step::Entry(i), deeper))) => {
            if let Some(Value::Message(inner)) = items.get_mut(*i) {
                clear_at(inner, deeper);
            }
        }
        _ => {}
    }
}

fn with_request_id(message: &DynamicMessage, id: &str) -> DynamicMessage {
    let mut out = message.clone();
    out.set_field_by_name("request_id", Value::String(id.to_owned()));
    out
}

/// What the replay found.
#[derive(Default)]
struct Findings {
    /// Write RPCs a REQUIRED-only request was accepted for.
    accepted: BTreeSet<String>,
    /// `(rpc, field path)` probed with the field empty and refused as the contract says.
    probed: BTreeSet<(String, String)>,
    failures: Vec<String>,
}

impl Findings {
    /// Every refusal answers the code errors.proto documents for its reason, with ErrorInfo.
    fn check_documented(&mut self, context: &str, status: &tonic::Status) {
        let Some(info) = status.get_details_error_info() else {
            self.failures
                .push(format!("{context}: no ErrorInfo in {status:?}"));
            return;
        };
        let documented = test_support::errors_proto::documented_codes().get(&info.reason);
        let answered = test_support::code_name(status.code());
        if documented.map(String::as_str) != Some(answered) {
            self.failures.push(format!(
                "{context}: {} answered {answered}, errors.proto documents {documented:?}",
                info.reason
            ));
        }
    }
}

/// Probes a write with each REQUIRED field empty, then sends it with only its REQUIRED fields (and,
/// if that is refused, in full, to tell a refusal the flow intended from a broken contract).
async fn replay(
    channel: &Channel,
    token: &str,
    rpc: &Rpc,
    bytes: &[u8],
    findings: &mut Findings,
) -> Result<Vec<u8>, String> {
    let name = rpc.path.rsplit('/').next().unwrap_or_default().to_owned();
    let original = DynamicMessage::decode(rpc.input.clone(), bytes).expect("a recorded request");
    let stripped = strip(&original);
    let mut required = Vec::new();
    required_fields(&stripped, "", &[], &mut required);
    let mut probes = Vec::new();
    for field in &required {
        let mut probe = cleared(&stripped, &field.steps);
        if field.path != "request_id" {
            probe = with_request_id(&probe, &request_id());
        }
        let answer = unary(channel, &rpc.path, probe.encode_to_vec(), Some(token)).await;
        match answer {
            Ok(_) => findings.failures.push(format!(
                "{name}: recorded with REQUIRED {} empty",
                field.path
            )),
            Err(status) => probes.push((field.path.clone(), status)),
        }
    }
    let answer = unary(channel, &rpc.path, stripped.encode_to_vec(), Some(token)).await;
    let (response, refused) = match answer {
        Ok(response) => (response, None),
        Err(status) => {
            findings.check_documented(&format!("{name} (REQUIRED only)"), &status);
            (Vec::new(), Some(status))
        }
    };
    if let Some(status) = refused {
        return match unary(channel, &rpc.path, original.encode_to_vec(), Some(token)).await {
            Ok(_) => {
                findings.failures.push(format!(
                    "{name}: refused with only its REQUIRED fields, accepted in full: {}",
                    status.message()
                ));
                Err(status.message().to_owned())
            }
            // Refused in full too: a refusal the flow meant, which says nothing about the fields.
            Err(full) => Err(full.message().to_owned()),
        };
    }
    findings.accepted.insert(name.clone());
    for (path, status) in probes {
        let context = format!("{name} with {path} empty");
        findings.check_documented(&context, &status);
        let named = status
            .get_error_details()
            .bad_request()
            .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
        if status.code() != Code::InvalidArgument || named.as_deref() != Some(path.as_str()) {
            findings.failures.push(format!(
                "{context}: answered {:?} naming {named:?}: {}",
                status.code(),
                status.message()
            ));
        } else {
            findings.probed.insert((name.clone(), path));
        }
    }
    Ok(response)
}

#[tokio::test]
async fn required_fields_suffice_and_each_is_required() {
    let writes: BTreeMap<String, Rpc> = rpcs()
        .into_iter()
        .filter(Rpc::is_write)
        .map(|r| (r.path.clone(), r))
        .collect();
    assert!(writes.len() > 25, "{} write RPCs", writes.len());
    for database in backends() {
        // The flow's requests, as sent.
        let recording = TestServer::start(database.as_deref()).await;
        let recorder = Recorder::start(recording.channel().await).await;
        crate::flow::command_flow(recorder.channel().await, &recording.admin_token()).await;
        let calls = recorder.calls();
        drop(recorder);
        recording.stop().await;

        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut findings = Findings::default();
        for call in &calls {
            if let Some(rpc) = writes.get(&call.path) {
                let _ = replay(&channel, &token, rpc, &call.message, &mut findings).await;
            }
        }
        let mut fixtures = Fixtures {
            channel: &channel,
            token: &token,
            writes: &writes,
            findings: &mut findings,
        };
        fixtures.run().await;
        assert!(findings.failures.is_empty(), "{:#?}", findings.failures);
        let missing: Vec<&String> = writes
            .keys()
            .filter(|p| {
                !findings
                    .accepted
                    .contains(p.rsplit('/').next().unwrap_or_default())
            })
            .collect();
        assert!(
            missing.is_empty(),
            "no REQUIRED-only request accepted for {missing:?}"
        );
        // Every write RPC had its request_id probed, and nested REQUIRED fields were reached.
        for name in &findings.accepted {
            assert!(
                findings
                    .probed
                    .contains(&(name.clone(), "request_id".to_owned())),
                "{name}"
            );
        }
        assert!(
            findings
                .probed
                .contains(&("RecordHospitalGrade".to_owned(), "grade.level".to_owned())),
            "{:?}",
            findings.probed
        );
        assert!(
            findings.probed.len() > 150,
            "{} probes",
            findings.probed.len()
        );
        server.stop().await;
    }
}

/// Sends valid requests, REQUIRED fields only, through [`replay`], for the RPCs that the flow calls
/// only to be refused.
struct Fixtures<'a> {
    channel: &'a Channel,
    token: &'a str,
    writes: &'a BTreeMap<String, Rpc>,
    findings: &'a mut Findings,
}

impl Fixtures<'_> {
    /// Sends a request in full, as a step towards a state where a fixture is valid.
    async fn setup<R: Message + Default>(&mut self, path: &str, request: impl Message) -> R {
        let answer = unary(
            self.channel,
            &format!("/medaid.v1.{path}"),
            request.encode_to_vec(),
            Some(self.token),
        )
        .await
        .unwrap_or_else(|status| panic!("{path}: {status:?}"));
        R::decode(answer.as_slice()).expect("a response")
    }

    /// Replays `request` on `Service/Method` and decodes the response (a default one if refused,
    /// which is a finding already).
    async fn send<R: Message + Default>(&mut self, path: &str, request: impl Message) -> R {
        let rpc = &self.writes[&format!("/medaid.v1.{path}")];
        let bytes = request.encode_to_vec();
        match replay(self.channel, self.token, rpc, &bytes, self.findings).await {
            Ok(response) => R::decode(response.as_slice()).expect("a response"),
            Err(refusal) => {
                self.findings
                    .failures
                    .push(format!("the fixture of {path} was refused: {refusal}"));
                R::default()
            }
        }
    }

    /// A world of its own (hospitals of 定西市, a program no pairing binds yet), where each of these
    /// RPCs is valid in turn: revise the parameters before any pairing binds them, form a 1+2 group
    /// of registered supporting hospitals, hand a mentorship over to a second member on site,
    /// restructure and end pairings with nobody on site.
    async fn run(&mut self) {
        let lead = org("620000", 41);
        let assisting = vec![org("620000", 42), org("620000", 43)];
        let recipient = org("621121", 44);
        let second = org("621122", 45);
        let third = org("621123", 46);
        for (code, division) in [
            (&lead, "620102"),
            (&assisting[0], "620102"),
            (&assisting[1], "620102"),
            (&recipient, "621121"),
            (&second, "621122"),
            (&third, "621123"),
        ] {
            let mut register = crate::flow::register_request(code, "定西测试医院", division);
            register.registered_on = "2021-01-01".into();
            let _: pb::RegisterHospitalResponse = self
                .setup("HospitalService/RegisterHospital", register)
                .await;
        }
        // One program to revise before any pairing binds it (the revision keeps only its REQUIRED
        // fields, so it has no group rules), another, in full, for the pairings.
        let mut programs = Vec::new();
        for name in ["定西组团式帮扶 (修订)", "定西组团式帮扶"] {
            let program: pb::DefineProgramResponse = self
                .setup(
                    "ProgramService/DefineProgram",
                    pb::DefineProgramRequest {
                        request_id: request_id(),
                        kind: pb::ProgramKind::KeyCountyGroupAid.into(),
                        name: name.into(),
                        parameters: Some(crate::flow::parameters(1)),
                        defined_on: "2021-01-01".into(),
                        ..Default::default()
                    },
                )
                .await;
            programs.push(program.program_id);
        }
        let _: pb::ReviseProgramParametersResponse = self
            .send(
                "ProgramService/ReviseProgramParameters",
                pb::ReviseProgramParametersRequest {
                    request_id: request_id(),
                    program_id: programs[0].clone(),
                    parameters: Some(crate::flow::parameters(2)),
                    effective_on: "2021-06-01".into(),
                    ..Default::default()
                },
            )
            .await;
        let mut supporting = vec![lead.clone()];
        supporting.extend(assisting.iter().cloned());
        let mut pairings = Vec::new();
        for (recipient_org, county) in [
            (&recipient, "621121"),
            (&second, "621122"),
            (&third, "621123"),
        ] {
            let pairing: pb::EstablishPairingResponse = self
                .setup(
                    "PairingService/EstablishPairing",
                    pb::EstablishPairingRequest {
                        request_id: request_id(),
                        program_id: programs[1].clone(),
                        supporting_orgs: supporting.clone(),
                        recipient_org: recipient_org.clone(),
                        region_codes: vec![county.into()],
                        start: "2022-01-01".into(),
                        ..Default::default()
                    },
                )
                .await;
            pairings.push(pairing.pairing_id);
        }
        let _: pb::FormGroupResponse = self
            .send(
                "PairingService/FormGroup",
                pb::FormGroupRequest {
                    request_id: request_id(),
                    pairing_id: pairings[0].clone(),
                    lead_org: lead.clone(),
                    assisting_orgs: assisting.clone(),
                    formed_on: "2022-01-01".into(),
                    ..Default::default()
                },
            )
            .await;
        let _: pb::DispatchBatchResponse = self
            .setup(
                "DeploymentService/DispatchBatch",
                pb::DispatchBatchRequest {
                    request_id: request_id(),
                    pairing_id: pairings[0].clone(),
                    batch_number: 1,
                    planned_start: "2022-02-01".into(),
                    planned_end: "2023-01-31".into(),
                    ..Default::default()
                },
            )
            .await;
        for practitioner in ["dx-mentor-1", "dx-mentor-2"] {
            let assigned: pb::AssignMemberResponse = self
                .setup(
                    "DeploymentService/AssignMember",
                    pb::AssignMemberRequest {
                        request_id: request_id(),
                        pairing_id: pairings[0].clone(),
                        batch_number: 1,
                        practitioner: practitioner.into(),
                        home_org: lead.clone(),
                        title: 232,
                        specialty: "03.01".into(),
                        role: pb::MemberRole::Clinical.into(),
                        planned_start: "2022-02-01".into(),
                        planned_end: "2023-01-31".into(),
                        ..Default::default()
                    },
                )
                .await;
            let _: pb::RecordMemberArrivalResponse = self
                .setup(
                    "DeploymentService/RecordMemberArrival",
                    pb::RecordMemberArrivalRequest {
                        request_id: request_id(),
                        deployment_id: assigned.deployment_id,
                        recipient_org: recipient.clone(),
                        arrived_on: "2022-02-01".into(),
                        ..Default::default()
                    },
                )
                .await;
        }
        let mentorship: pb::PairMentorshipResponse = self
            .setup(
                "MentorshipService/PairMentorship",
                pb::PairMentorshipRequest {
                    request_id: request_id(),
                    mentor: "dx-mentor-1".into(),
                    apprentice: "dx-resident-1".into(),
                    recipient_org: recipient.clone(),
                    department: "03.01".into(),
                    start: "2022-03-01".into(),
                    ..Default::default()
                },
            )
            .await;
        let _: pb::HandOverMentorshipResponse = self
            .send(
                "MentorshipService/HandOverMentorship",
                pb::HandOverMentorshipRequest {
                    request_id: request_id(),
                    mentorship_id: mentorship.mentorship_id,
                    to_mentor: "dx-mentor-2".into(),
                    // Within 30 days of the mentor's planned departure.
                    date: "2023-01-10".into(),
                    ..Default::default()
                },
            )
            .await;
        // The other pairings have nobody on site: one can be restructured, the other ended.
        let _: pb::RestructurePairingResponse = self
            .send(
                "PairingService/RestructurePairing",
                pb::RestructurePairingRequest {
                    request_id: request_id(),
                    pairing_id: pairings[1].clone(),
                    successor_pairing_id: uuid::Uuid::new_v4().to_string(),
                    reason: "机构调整".into(),
                    date: "2022-06-01".into(),
                    ..Default::default()
                },
            )
            .await;
        let _: pb::EndPairingResponse = self
            .send(
                "PairingService/EndPairing",
                pb::EndPairingRequest {
                    request_id: request_id(),
                    pairing_id: pairings[2].clone(),
                    reason: "帮扶周期结束".into(),
                    date: "2022-12-31".into(),
                    ..Default::default()
                },
            )
            .await;
    }
}
