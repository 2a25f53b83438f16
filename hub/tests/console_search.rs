//! The console's searches and downloads (issue 15): events by licence plate, the EPCIS export of
//! a period, an unknown event, item names with HTML in them, and what a handheld kept as its
//! operator left it becoming an exception. Against a real hub on loopback, on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use common::browser::{Browser, PASSWORD, account};
use common::handheld::Handheld;
use common::towels;
use dockhand_core::picking::{self, StartPickTask};
use dockhand_core::protocol::EventKind;
use dockhand_core::protocol::exceptions::{
    KeptLocalAnswer, KeptLocalNote, KeptLocalReport, RaisedException,
};
use dockhand_core::receiving;
use dockhand_core::sample;
use dockhand_core::sync::protocol::Import;
use dockhand_hub::HubConfig;
use dockhand_hub::console::accounts;

/// The sample warehouse, its towels named with markup.
fn towels_named_with_markup() -> Import {
    let mut master = sample::warehouse();
    let towels = master
        .items
        .iter_mut()
        .find(|i| i.sku == sample::TOWELS)
        .unwrap();
    towels.description = "<script>alert(\"towel\")</script> paper towels".into();
    Import {
        master,
        ..Import::default()
    }
}

/// Alice receives `quantity` towels on pallet `sscc` at DOCK-01.
fn receive_on_pallet(store: &dockhand_core::Store, receipt: &str, sscc: &str, quantity: i64) {
    towels::open_receipt(store, receipt);
    let mut line = towels::receive(receipt, quantity);
    line.lpn = Some(sscc.into());
    receiving::receive_line(store, &line).unwrap();
}

on_both_backends!(
    a_viewer_finds_a_pallets_events_and_downloads_the_days_epcis,
    HubConfig::default(),
    |hub| {
        account(&hub, "vera", accounts::VIEWER).await;
        hub.import(&towels_named_with_markup()).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        receive_on_pallet(&h08.store, "R-PAL", sample::MILK_PALLET, 24);
        towels::receive_and_put_away(&h08.store, "R-LOOSE", 6);
        assert_eq!(h08.sync().await.rejected, 0);

        let mut b = Browser::new(&hub);
        assert_eq!(b.sign_in("vera", PASSWORD).await.status, 303);

        // The pallet's label scanned: its receipt is found by the plate, and only it.
        let scanned = format!("/console/events?q=%2800%29{}", sample::MILK_PALLET);
        let page = b.get(&scanned).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains(&format!(
                "Events of licence plate {} (1,",
                sample::MILK_PALLET
            )),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(EventKind::LineReceived.as_str()),
            "{}",
            page.body
        );
        let unknown_plate = b.get("/console/events?q=LPN-NOWHERE").await;
        assert!(
            unknown_plate
                .body
                .contains("No event of item or licence plate LPN-NOWHERE has reached this hub"),
            "{}",
            unknown_plate.body
        );

        // An event id the hub never took: 404 and a sentence.
        let missing = b
            .get("/console/events/0193a1b2-0000-7000-8000-000000000000")
            .await;
        assert_eq!(missing.status, 404);
        assert!(
            missing
                .body
                .contains("no event 0193a1b2-0000-7000-8000-000000000000 has reached this hub"),
            "{}",
            missing.body
        );

        // Markup in an item's name is shown as text, never run.
        let stock = b.get(&format!("/console/stock?q={}", sample::TOWELS)).await;
        assert_eq!(stock.status, 200);
        assert!(
            stock.body.contains("&#60;script&#62;alert("),
            "{}",
            stock.body
        );
        assert!(!stock.body.contains("<script>alert("), "{}", stock.body);

        // Today's EPCIS: every physical event, the pallet as the parent of what it carries.
        let today = chrono::Utc::now().date_naive().to_string();
        let download = b
            .client
            .get(format!("{}/console/epcis?from={today}&to={today}", b.base))
            .header(
                "cookie",
                format!("dockhand_console={}", b.cookies["dockhand_console"]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), 200);
        let disposition = download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(
            disposition,
            format!("attachment; filename=\"epcis-main-{today}-to-{today}.json\"")
        );
        let document: serde_json::Value = download.json().await.unwrap();
        assert_eq!(document["type"], "EPCISDocument");
        assert_eq!(document["sender"], "dockhand-hub site main");
        let list = document["epcisBody"]["eventList"].as_array().unwrap();
        let steps: Vec<(&str, &str)> = list
            .iter()
            .map(|e| (e["type"].as_str().unwrap(), e["bizStep"].as_str().unwrap()))
            .collect();
        assert_eq!(
            steps,
            [
                ("AggregationEvent", "receiving"),
                ("ObjectEvent", "receiving"),
                ("ObjectEvent", "storing"),
            ]
        );
        assert_eq!(
            list[0]["parentID"],
            format!("https://id.gs1.org/00/{}", sample::MILK_PALLET)
        );
        assert_eq!(
            list[0]["childQuantityList"][0]["epcClass"],
            "https://id.gs1.org/01/04012345000030"
        );
        assert_eq!(list[0]["childQuantityList"][0]["quantity"], 24);

        // Yesterday holds nothing; a period back to front and one too long are refused.
        let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
        let empty = b
            .get(&format!("/console/epcis?from={yesterday}&to={yesterday}"))
            .await;
        assert_eq!(empty.status, 200);
        let empty: serde_json::Value = serde_json::from_str(&empty.body).unwrap();
        assert_eq!(empty["epcisBody"]["eventList"], serde_json::json!([]));
        let backwards = b
            .get(&format!("/console/epcis?from={today}&to={yesterday}"))
            .await;
        assert_eq!(backwards.status, 400);
        assert!(
            backwards.body.contains(&format!(
                "the period ends ({yesterday}) before it starts ({today})"
            )),
            "{}",
            backwards.body
        );
        let long = b.get("/console/epcis?from=2026-01-01&to=2026-12-31").await;
        assert_eq!(long.status, 400);
        assert!(
            long.body
                .contains("is 365 days; one download covers at most 92")
        );
        let not_a_day = b.get("/console/epcis?from=yesterday&to=2026-12-31").await;
        assert_eq!(not_a_day.status, 400);
        assert!(
            not_a_day
                .body
                .contains("the first day &#34;yesterday&#34; is not a date such as 2026-12-01"),
            "{}",
            not_a_day.body
        );

        // Signed out, the download is not served.
        let mut stranger = Browser::new(&hub);
        let refused = stranger
            .get(&format!("/console/epcis?from={today}&to={today}"))
            .await;
        assert_eq!(refused.status, 303);
        assert!(refused.location.starts_with("/console/signin"));
    }
);

async fn kept(hub: &common::TestHub) -> Vec<RaisedException> {
    hub.admin_get("/v1/admin/exceptions/raised?kind=kept_local")
        .await
}

on_both_backends!(
    what_a_handheld_keeps_as_its_operator_left_it_reaches_the_supervisor_once,
    HubConfig::default(),
    |hub| {
        account(&hub, "anna", accounts::SUPERVISOR).await;
        hub.import(&Import {
            master: sample::warehouse(),
            pick_tasks: vec![towels::order("T-7", 4)],
            ..Import::default()
        })
        .await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        towels::receive_and_put_away(&h09.store, "R-1", 24);
        assert!(h09.sync().await.kept_local.is_empty());
        picking::start_pick_task(
            &h09.store,
            &StartPickTask {
                op_id: uuid::Uuid::now_v7(),
                operator: "bob".into(),
                task_id: "T-7".into(),
            },
        )
        .unwrap();

        // The ERP changes the order the handheld already holds: the handheld keeps its own, and
        // says so to the hub in the same sync.
        hub.import(&Import {
            pick_tasks: vec![towels::order("T-7", 9)],
            ..Import::default()
        })
        .await;
        let report = h09.sync().await;
        assert_eq!(report.kept_local, ["T-7"]);
        let raised = kept(&hub).await;
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].device_id, "handheld-09");
        assert_eq!(raised[0].state, "open");
        assert!(
            raised[0].reason.contains(
                "pick task T-7 changed at the hub; this device keeps it as its operator left it"
            ),
            "{}",
            raised[0].reason
        );

        // Told once: the next sync raises nothing more. A handheld that pulls the hub's history
        // (both versions of T-7) and never worked the task has nothing to tell.
        h09.sync().await;
        let h10 = Handheld::new(&hub, "handheld-10").await;
        h10.sync().await;
        assert_eq!(kept(&hub).await.len(), 1);

        // The supervisor finds it by its kind and resolves it.
        let mut b = Browser::new(&hub);
        assert_eq!(b.sign_in("anna", PASSWORD).await.status, 303);
        let page = b.get("/console/exceptions?kind=kept_local").await;
        assert!(page.body.contains("kept on the handheld"), "{}", page.body);
        assert!(page.body.contains("pick task T-7 changed at the hub"));

        // A report of too many notes is refused whole; one with a note that says nothing is
        // taken but for that note, which is answered with a sentence.
        let token = hub.register("handheld-11").await;
        let note = |what: &str| KeptLocalNote {
            at: "2026-12-04T06:40:00Z".into(),
            what: what.into(),
        };
        let url = format!("{}/v1/kept-local", hub.url);
        let client = reqwest::Client::new();
        let too_many = KeptLocalReport {
            notes: (0..51).map(|i| note(&format!("item {i} kept"))).collect(),
        };
        let answer = client
            .post(&url)
            .bearer_auth(&token)
            .json(&too_many)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400);
        assert!(
            answer
                .text()
                .await
                .unwrap()
                .contains("the report carries 51 notes; send at most 50 at a time")
        );
        assert_eq!(
            kept(&hub).await.len(),
            1,
            "nothing of a refused report is kept"
        );
        let blank = KeptLocalReport {
            notes: vec![note("location A-01 kept"), note("  ")],
        };
        for _ in 0..2 {
            let answer: KeptLocalAnswer = client
                .post(&url)
                .bearer_auth(&token)
                .json(&blank)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(answer.taken, 1);
            assert_eq!(
                answer.refused,
                ["note 2 (\"\") must say what was kept in 1 to 500 characters on one line"]
            );
        }
        assert_eq!(
            kept(&hub).await.len(),
            2,
            "the same report twice raises one exception"
        );
        let unauthenticated = client.post(&url).json(&blank).send().await.unwrap();
        assert_eq!(unauthenticated.status(), 401);
    }
);
