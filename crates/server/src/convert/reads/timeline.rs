//! The batch timeline's answers.

use api::medaid::v1 as pb;
use app::read_models::timeline::{BatchMember, BatchSummary, Handover, Overlap};

use super::tags::{self, MEMBER_ROLES};
use super::{day, optional_day};

fn member(m: &BatchMember) -> pb::BatchMember {
    pb::BatchMember {
        deployment_id: m.deployment_id.clone(),
        practitioner: m.practitioner.clone(),
        title_code: u32::from(m.title_code),
        department: m.department.clone(),
        role: tags::value(MEMBER_ROLES, &m.role),
        arrived_on: optional_day(m.arrived),
        last_day: day(m.last_day),
    }
}

/// One batch with its members.
pub fn batch(b: &BatchSummary) -> pb::Batch {
    pb::Batch {
        pairing_id: b.pairing_id.clone(),
        batch_number: b.number,
        recipient_org: b.recipient_org.clone(),
        planned_start: day(b.planned_start),
        planned_end: day(b.planned_end),
        start: day(b.start),
        end: day(b.end),
        members: b.members.iter().map(member).collect(),
    }
}

/// Two batches on site together.
pub fn overlap(o: &Overlap) -> pb::BatchOverlap {
    pb::BatchOverlap {
        earlier_batch: o.earlier,
        later_batch: o.later,
        start: day(o.from),
        end: day(o.to),
    }
}

/// The handover from one batch to the next.
pub fn handover(h: &Handover) -> pb::BatchHandover {
    pb::BatchHandover {
        from_batch: h.from,
        to_batch: h.to,
        to_start: day(h.to_start),
        shared_days: h.shared_days,
    }
}
