//! The work done at a site: techniques and the gaps they fill, trainings and an activity report (one
//! training corrected afterwards), and the collaboration network (alliances, platforms, study).

use domain::Event;
use domain::aggregates::activity::{ClinicalActivityReported, TrainingDelivered, TrainingMode};
use domain::aggregates::alliance::{
    AllianceFormed, AllianceMember, AllianceMembershipChanged, MembershipChange, Tier,
};
use domain::aggregates::gap::{GapFilled, GapKey, GapLevel, GapRegion};
use domain::aggregates::platform::{PlatformEstablished, PlatformKind};
use domain::aggregates::study::{AdvancedStudyCompleted, AdvancedStudyStarted};
use domain::aggregates::technique::{Performer, TechniqueCategory, TechniqueIntroduced};
use domain::events::EventCorrected;
use domain::values::{
    ActivityLedgerId, AllianceId, Count, DivisionCode, PeriodKey, PlatformId, StudyId, TechniqueKey,
};
use time::macros::date;

use super::scenario::{Site, TECHNIQUES, technique_key};
use super::world::{Log, dept, person};

/// Three techniques introduced by on-site members; the first two fill county-level gaps.
pub(crate) fn techniques(log: &mut Log, site: &Site) -> anyhow::Result<()> {
    for j in 0..3 {
        let key = TechniqueKey::parse(&technique_key((site.k * 3 + j) % TECHNIQUES))?;
        log.push(TechniqueIntroduced {
            hospital: site.recipient.clone(),
            technique: key.clone(),
            name: format!("新技术{j}"),
            procedure_code: None,
            department: dept("04.05")?,
            first_performed_on: date!(2023 - 03 - 15),
            performer: Performer::OnSiteMember(person(&format!("p-k{}-b1-m{j}", site.k))?),
            category: TechniqueCategory::NewTechnique,
        });
        if j < 2 {
            log.push(GapFilled {
                gap: GapKey {
                    level: GapLevel::County,
                    region: GapRegion::Division(DivisionCode::parse(site.division)?),
                    technique: key,
                },
                hospital: site.recipient.clone(),
                technique_introduced_on: date!(2023 - 03 - 15),
                claimed_on: date!(2023 - 04 - 01),
                evidence: vec![],
                region_name: None,
            });
        }
    }
    Ok(())
}

/// The activity ledger of 2023: one report, six trainings, and a correction of the first training's
/// attendance.
pub(crate) fn activity(log: &mut Log, site: &Site) -> anyhow::Result<()> {
    let ledger = ActivityLedgerId {
        pairing: site.pairing,
        period: PeriodKey::parse("2023")?,
    };
    log.push(ClinicalActivityReported {
        ledger: ledger.clone(),
        recipient_org: site.recipient.clone(),
        report_id: site.id(4, 0),
        reporter: site.supporting.clone(),
        period_start: date!(2023 - 01 - 01),
        period_end: date!(2023 - 12 - 31),
        surgeries: Some(Count::exact(150 + u64::from(site.k % 50))),
        critical_rescues: Some(Count::at_least(20)),
        outreach_clinics: Some(Count::exact(12)),
        patients_served: None,
        teleconsults: None,
        trainings: None,
    });
    let training = |t: u32, attendees: u64| -> anyhow::Result<Event> {
        Ok(TrainingDelivered {
            ledger: ledger.clone(),
            recipient_org: site.recipient.clone(),
            training_id: site.id(5, t),
            topic: "急诊急救".into(),
            trainers: vec![person(&format!("p-k{}-b1-m{t}", site.k))?],
            mode: TrainingMode::OnSite,
            attendees: Count::exact(attendees),
            date: date!(2023 - 05 - 01),
        }
        .into())
    };
    let mut first = None;
    for t in 0..6 {
        let at = log.push(training(t, 30)?);
        first.get_or_insert(at);
    }
    if let Some(target) = first {
        let replacement = training(0, 26)?;
        log.push(EventCorrected {
            target,
            replacement_schema_version: replacement.schema_version(),
            replacement: Box::new(replacement),
            reason: "签到表复核".into(),
        });
    }
    Ok(())
}

/// A city-level site forms a specialty alliance that its nine children join; every site gets a
/// co-built department, and two of its doctors go on advanced study at the supporting hospital.
pub(crate) fn network(log: &mut Log, site: &Site) -> anyhow::Result<()> {
    let city = site.k - site.k % 10;
    let alliance = AllianceId(uuid::Uuid::from_u128(0x0A11_0000 + u128::from(city)));
    let member = AllianceMember {
        org: site.recipient.clone(),
        tier: Some(Tier::County),
    };
    if site.parent.is_none() {
        log.push(AllianceFormed {
            alliance_id: alliance,
            specialty: dept("21")?,
            specialty_name: None,
            specialty_sub_code: None,
            lead_org: site.supporting.clone(),
            members: vec![member],
            formed_on: date!(2022 - 06 - 01),
            plaque_awarded: true,
        });
    } else {
        log.push(AllianceMembershipChanged {
            alliance_id: alliance,
            member,
            change: MembershipChange::Joined,
            date: date!(2022 - 09 - 01),
        });
    }
    log.push(PlatformEstablished {
        platform_id: PlatformId(site.id(6, 0)),
        pairing_id: site.pairing,
        kind: PlatformKind::CoBuiltDepartment,
        name: "共建胸外科".into(),
        host_org: site.recipient.clone(),
        partners: vec![site.supporting.clone()],
        specialty: Some(dept("04.05")?),
        established_on: date!(2022 - 09 - 01),
    });
    for s in 0..2 {
        let study = StudyId(site.id(7, s));
        log.push(AdvancedStudyStarted {
            study_id: study,
            trainee: person(&format!("p-k{}-local-{s}", site.k))?,
            trainee_org: site.recipient.clone(),
            host_org: site.supporting.clone(),
            department: dept("03.04")?,
            start: date!(2023 - 03 - 01),
            planned_end: date!(2023 - 08 - 31),
            cohort: Some("2023".into()),
        });
        if s == 0 {
            log.push(AdvancedStudyCompleted {
                study_id: study,
                trainee_org: site.recipient.clone(),
                host_org: site.supporting.clone(),
                completed_on: date!(2023 - 08 - 31),
            });
        }
    }
    Ok(())
}
