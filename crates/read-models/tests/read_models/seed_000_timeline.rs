//! Seed 000: the batch timeline of 兰大一院 → 会宁县人民医院 (第三批 and 第四批 overlap).

use read_models::{PageRequest, timeline};
use time::macros::date;

use crate::seed_000_roster::{PAIRING, scenario};
use crate::support::{Env, on_both};

async fn timeline_overlaps_and_handovers(env: Env) {
    env.append(scenario()).await;
    let (prefix, position) = env.active("batch_timeline");
    let pairing = crate::support::pairing_id(PAIRING).to_string();
    let batches = timeline::batches(
        env.pool(),
        &prefix,
        position,
        &pairing,
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let numbers: Vec<u32> = batches.items.iter().map(|b| b.number).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
    let b4 = &batches.items[3];
    assert_eq!(b4.members.len(), 2);
    assert_eq!(b4.start, date!(2024 - 07 - 25));
    // Names beside the codes: the recipient as registered, titles and departments from their
    // code tables.
    assert_eq!(b4.recipient_org_name, "会宁县人民医院");
    let mut named: Vec<(&str, &str, &str)> = b4
        .members
        .iter()
        .map(|m| (m.practitioner.as_str(), m.title_name, m.department_name))
        .collect();
    named.sort_unstable();
    assert_eq!(
        named,
        [
            ("p-b4-late", "副主任医师", "急诊医学科"),
            ("p-hu-wenteng", "主治医师", "胸外科专业")
        ]
    );
    let b3 = &batches.items[2];
    assert_eq!(
        b3.end,
        date!(2024 - 10 - 31),
        "the batch ends with its last member"
    );

    let overlaps = timeline::overlaps(env.pool(), &prefix, position, &pairing)
        .await
        .unwrap();
    let pairs: Vec<(u32, u32)> = overlaps
        .value
        .iter()
        .map(|o| (o.earlier, o.later))
        .collect();
    assert_eq!(pairs, vec![(3, 4)]);
    assert_eq!(overlaps.value[0].from, date!(2024 - 07 - 25));
    assert_eq!(overlaps.value[0].to, date!(2024 - 10 - 31));

    let handovers = timeline::handovers(env.pool(), &prefix, position, &pairing)
        .await
        .unwrap();
    let shared: Vec<(u32, i64)> = handovers
        .value
        .iter()
        .map(|h| (h.to, h.shared_days))
        .collect();
    // Batch 1 has no members: its planned end 2023-02-28 meets batch 2's arrival on 2023-03-01.
    assert_eq!(shared, vec![(2, 0), (3, 0), (4, 99)]);
}
on_both!(timeline_overlaps_and_handovers);
