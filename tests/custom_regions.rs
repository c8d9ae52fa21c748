//! Issue 9 item 12 as a client sees it: a custom region key stays `[a-z0-9_]` and gets its display
//! name (陇中) with its first use; later fills may leave the name out but not change it, and the
//! read models show it beside the key.

use api::medaid::v1 as pb;
use api::medaid::v1::technique_diffusion_service_client::TechniqueDiffusionServiceClient;
use api::medaid::v1::technique_service_client::TechniqueServiceClient;
use tonic::Code;
use tonic_types::StatusExt;

use crate::common::{TestServer, assert_refused, authed, backends, huining, request_id};
use crate::flow::command_flow;

fn fill(technique: &str, region_name: &str) -> pb::RecordGapFillRequest {
    pb::RecordGapFillRequest {
        request_id: request_id(),
        gap: Some(pb::GapKey {
            level: pb::GapLevel::Custom.into(),
            region: "longzhong".into(),
            technique: technique.into(),
        }),
        hospital: huining(),
        claimed_on: "2024-12-01".into(),
        region_name: region_name.into(),
        ..Default::default()
    }
}

fn named_field(status: &tonic::Status) -> Option<String> {
    status
        .get_error_details()
        .bad_request()
        .and_then(|b| b.field_violations.first().map(|v| v.field.clone()))
}

#[tokio::test]
async fn a_custom_region_keeps_the_name_of_its_first_use() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let t = server.admin_token();
        command_flow(channel.clone(), &t).await;
        let mut techniques = TechniqueServiceClient::new(channel.clone());
        // A second technique at 会宁, by a local doctor, for a second gap in the same region.
        techniques
            .introduce_technique(authed(
                &t,
                pb::IntroduceTechniqueRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    technique: "ebus_tbna".into(),
                    name: "超声支气管镜引导下经支气管针吸活检术".into(),
                    department: "03.01".into(),
                    performer: Some(pb::Performer {
                        performer: Some(pb::performer::Performer::Local("huining-dr-2".into())),
                    }),
                    category: pb::TechniqueCategory::NewTechnique.into(),
                    first_performed_on: "2024-11-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();

        // The first use needs the name.
        let status = techniques
            .record_gap_fill(authed(&t, fill("vats_wedge_resection", "")))
            .await
            .unwrap_err();
        assert_refused(&status, Code::InvalidArgument, "REGION_NAME_MISSING");
        assert_eq!(named_field(&status).as_deref(), Some("region_name"));
        techniques
            .record_gap_fill(authed(&t, fill("vats_wedge_resection", "陇中")))
            .await
            .unwrap();

        // A later use cannot rename it, and may leave the name out.
        let status = techniques
            .record_gap_fill(authed(&t, fill("ebus_tbna", "陇中地区")))
            .await
            .unwrap_err();
        assert_refused(&status, Code::InvalidArgument, "REGION_NAME_MISMATCH");
        assert_eq!(named_field(&status).as_deref(), Some("region_name"));
        let last = techniques
            .record_gap_fill(authed(&t, fill("ebus_tbna", "")))
            .await
            .unwrap()
            .into_inner()
            .result
            .expect("a WriteResult");
        let at = last.positions.last().copied();

        // Both fills show the stored name; so does the count of the region.
        let mut diffusion = TechniqueDiffusionServiceClient::new(channel.clone());
        let fills = diffusion
            .list_gap_fills(authed(
                &t,
                pb::ListGapFillsRequest {
                    filter: "level = GAP_LEVEL_CUSTOM".into(),
                    min_position: at,
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .gap_fills;
        let shown: Vec<(String, String)> = fills
            .iter()
            .map(|g| {
                let key = g.gap.as_ref().map(|k| k.region.clone()).unwrap_or_default();
                (key, g.region_name.clone())
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("longzhong".to_owned(), "陇中".to_owned()),
                ("longzhong".to_owned(), "陇中".to_owned())
            ]
        );
        let counts = diffusion
            .get_gap_counts(authed(&t, pb::GetGapCountsRequest { min_position: at }))
            .await
            .unwrap()
            .into_inner()
            .counts;
        let custom: Vec<(&str, u64, &str)> = counts
            .iter()
            .filter(|c| c.level == i32::from(pb::GapLevel::Custom))
            .map(|c| (c.region.as_str(), c.filled, c.region_name.as_str()))
            .collect();
        assert_eq!(custom, vec![("longzhong", 2, "陇中")]);
        // A division has no display name.
        assert!(
            counts
                .iter()
                .filter(|c| c.level != i32::from(pb::GapLevel::Custom))
                .all(|c| c.region_name.is_empty())
        );
        server.stop().await;
    }
}
