//! `medaid.v1.BatchTimelineService` (`timeline_service.proto`): the batches of a pairing, their
//! overlaps and handovers.

use api::medaid::v1 as pb;
use api::medaid::v1::batch_timeline_service_server::BatchTimelineService;
use read_models::timeline::{self, BatchMember, BatchSummary, Handover, Overlap};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::enums::ProtoEnum;
use super::read::answer::{day, optional_day};
use super::read::{GetRpc, ListRpc, read_service};

read_service!(BatchTimelineService {
    list_batches: list ListBatches(ListBatchesRequest) -> ListBatchesResponse;
    get_batch_overlaps: get GetBatchOverlaps(GetBatchOverlapsRequest) -> GetBatchOverlapsResponse;
});

impl ListRpc for ListBatches {
    type Item = BatchSummary;
    type Query = timeline::Batches;

    fn token_key(req: &pb::ListBatchesRequest) -> Vec<&str> {
        vec![&req.pairing_id]
    }

    fn query(req: &pb::ListBatchesRequest, page: PageRequest) -> Result<Self::Query, Status> {
        Ok(timeline::Batches {
            pairing_id: req.pairing_id.clone(),
            page,
        })
    }

    fn respond(
        batches: Vec<BatchSummary>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListBatchesResponse {
        pb::ListBatchesResponse {
            batches: batches.iter().map(batch).collect(),
            next_page_token,
            position,
        }
    }
}

impl GetRpc for GetBatchOverlaps {
    type Query = timeline::BatchOverlaps;

    fn query(req: &pb::GetBatchOverlapsRequest) -> Result<Self::Query, Status> {
        Ok(timeline::BatchOverlaps {
            pairing_id: req.pairing_id.clone(),
        })
    }

    fn respond(answer: Answer<timeline::OverlapsAndHandovers>) -> pb::GetBatchOverlapsResponse {
        pb::GetBatchOverlapsResponse {
            overlaps: answer.value.overlaps.iter().map(overlap).collect(),
            handovers: answer.value.handovers.iter().map(handover).collect(),
            position: answer.position,
        }
    }
}

fn member(m: &BatchMember) -> pb::BatchMember {
    pb::BatchMember {
        deployment_id: m.deployment_id.clone(),
        practitioner: m.practitioner.clone(),
        title_code: u32::from(m.title_code),
        department: m.department.clone(),
        role: m.role.to_wire(),
        arrived_on: optional_day(m.arrived),
        last_day: day(m.last_day),
        departure_recorded: m.departure_recorded,
        title_name: m.title_name.to_owned(),
        department_name: m.department_name.to_owned(),
    }
}

/// One batch with its members.
fn batch(b: &BatchSummary) -> pb::Batch {
    pb::Batch {
        pairing_id: b.pairing_id.clone(),
        batch_number: b.number,
        recipient_org: b.recipient_org.clone(),
        planned_start: day(b.planned_start),
        planned_end: day(b.planned_end),
        start: day(b.start),
        end: day(b.end),
        members: b.members.iter().map(member).collect(),
        recipient_org_name: b.recipient_org_name.clone(),
    }
}

/// Two batches on site together.
fn overlap(o: &Overlap) -> pb::BatchOverlap {
    pb::BatchOverlap {
        earlier_batch: o.earlier,
        later_batch: o.later,
        start: day(o.from),
        end: day(o.to),
    }
}

/// The handover from one batch to the next.
fn handover(h: &Handover) -> pb::BatchHandover {
    pb::BatchHandover {
        from_batch: h.from,
        to_batch: h.to,
        to_start: day(h.to_start),
        shared_days: h.shared_days,
    }
}
