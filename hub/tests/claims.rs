//! Who works which task (issue 14): a handheld claims a pick or count task at the hub (first claim
//! wins), every handheld shows its holder after a pull and will not start it, a supervisor assigns
//! and reassigns, and two handhelds that both worked one task offline keep their work while the
//! hub raises an exception naming both. On both backends, against a real hub on loopback.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::{Handheld, import_sample};
use common::towels;
use dockhand_core::claims::{self, ClaimHow, TaskClaim, TaskKind, TaskProgress};
use dockhand_core::picking::{self, StartPickTask};
use dockhand_core::protocol::exceptions::{DOUBLE_WORKED, RaisedException};
use dockhand_core::protocol::master::{CountTaskRequest, PickTaskRequest};
use dockhand_core::protocol::tasks::{AssignRequest, TaskListing};
use dockhand_core::sync::engine::SyncError;
use dockhand_core::sync::protocol::{Import, StockLine};
use dockhand_hub::HubConfig;
use uuid::Uuid;

/// A hub pick task of `quantity` towels to STAGE-01.
async fn import_tasks(hub: &common::TestHub, picks: Vec<PickTaskRequest>) {
    hub.import(&Import {
        pick_tasks: picks,
        count_tasks: vec![CountTaskRequest {
            task_id: "CC-9".into(),
            location: Some("A-01-04".into()),
            sku: None,
            reason: "cycle count".into(),
        }],
        ..Import::default()
    })
    .await;
}

/// Bob starts the hub task on `h` and picks it in full.
fn pick_all(h: &Handheld, task_id: &str) -> Result<(), dockhand_core::Error> {
    picking::start_pick_task(
        &h.store,
        &StartPickTask {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task_id: task_id.into(),
        },
    )?;
    while let Some(next) = h.store.read(|c| picking::next_pick(c, task_id))? {
        picking::confirm_pick(
            &h.store,
            &towels::pick(task_id, &next, "71", &format!("TOTE-{task_id}")),
        )?;
    }
    Ok(())
}

/// The hub's refusal of a claim: (HTTP status, code, sentence).
fn refusal(result: Result<TaskClaim, SyncError>) -> (u16, String, String) {
    match result {
        Err(SyncError::Hub {
            status,
            code,
            message,
        }) => (status, code, message),
        other => panic!("expected a refusal from the hub, got {other:?}"),
    }
}

async fn tasks(hub: &common::TestHub) -> Vec<TaskListing> {
    hub.admin_get("/v1/admin/tasks").await
}

fn listed<'a>(list: &'a [TaskListing], task_id: &str) -> &'a TaskListing {
    list.iter().find(|t| t.task_id == task_id).unwrap()
}

/// POST an assignment; answers the status and the body.
async fn assign(hub: &common::TestHub, asked: &AssignRequest) -> (u16, serde_json::Value) {
    let response = hub
        .client
        .post(format!("{}/v1/admin/tasks/assign", hub.url))
        .json(asked)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or_default(),
    )
}

fn assignment(task_id: &str, device: Option<&str>, operator: Option<&str>) -> AssignRequest {
    AssignRequest {
        site: None,
        task_kind: TaskKind::Count,
        task_id: task_id.into(),
        device_id: device.map(Into::into),
        operator_id: operator.map(Into::into),
        assigned_by: "Sam Lindqvist".into(),
    }
}

on_both_backends!(
    the_first_claim_wins_and_every_handheld_shows_who_holds_a_task,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        import_tasks(&hub, vec![towels::order("T-77", 4)]).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        towels::receive_and_put_away(&h08.store, "DOOR-1", 10);
        h08.sync().await;
        h09.sync().await;

        // Bob on 09 claims the order first; 08 is refused with the holder's name.
        let claim = h09
            .engine
            .claim_task(TaskKind::Pick, "T-77", Some("bob".into()))
            .await
            .unwrap();
        assert_eq!(claim.holder().as_deref(), Some("handheld-09 (Bob Okafor)"));
        assert_eq!(claim.how, ClaimHow::Claimed);
        let (status, code, message) =
            refusal(h08.engine.claim_task(TaskKind::Pick, "T-77", None).await);
        assert_eq!((status, code.as_str()), (409, "task_claimed"));
        assert!(
            message.starts_with("pick task T-77 is claimed by handheld-09 (Bob Okafor) since "),
            "{message}"
        );
        // Claiming again on 09 changes nothing.
        let again = h09
            .engine
            .claim_task(TaskKind::Pick, "T-77", Some("bob".into()))
            .await
            .unwrap();
        assert_eq!(again, claim);

        // After a pull 08 lists the order as 09's, leaves it out of its own tasks and will not
        // start it: nothing is recorded.
        h08.sync().await;
        let board = h08
            .store
            .read(|c| claims::task_board(c, "handheld-08"))
            .unwrap();
        let order = board.iter().find(|e| e.task_id == "T-77").unwrap();
        assert_eq!(order.holder.as_deref(), Some("handheld-09 (Bob Okafor)"));
        assert!(!order.mine);
        let mine = h08
            .store
            .read(|c| claims::my_tasks(c, "handheld-08"))
            .unwrap();
        assert_eq!(
            mine.iter().map(|e| e.task_id.as_str()).collect::<Vec<_>>(),
            ["CC-9"]
        );
        let events = common::envelopes(&h08.store).len();
        let err = pick_all(&h08, "T-77").unwrap_err();
        assert_eq!(err.code(), "task_claimed");
        assert!(
            err.to_string()
                .starts_with("pick task T-77 is claimed by handheld-09 (Bob Okafor) since "),
            "{err}"
        );
        assert_eq!(common::envelopes(&h08.store).len(), events);

        // 09 picks it; the hub knows it is done, and 08's list drops it.
        let mine = h09
            .store
            .read(|c| claims::my_tasks(c, "handheld-09"))
            .unwrap();
        assert_eq!(mine[0].task_id, "T-77");
        assert!(mine[0].mine);
        pick_all(&h09, "T-77").unwrap();
        h09.sync().await;
        let list = tasks(&hub).await;
        let done = listed(&list, "T-77");
        assert_eq!(done.progress, TaskProgress::Done);
        assert_eq!((done.ordered, done.settled), (4, 4));
        assert_eq!(done.claim.as_ref().unwrap().worked_by, ["handheld-09"]);
        h08.sync().await;
        let board = h08
            .store
            .read(|c| claims::task_board(c, "handheld-08"))
            .unwrap();
        assert!(board.iter().all(|e| e.task_id != "T-77"), "{board:?}");
        let (status, code, message) =
            refusal(h08.engine.claim_task(TaskKind::Pick, "T-77", None).await);
        assert_eq!((status, code.as_str()), (409, "task_closed"));
        assert_eq!(message, "pick task T-77 is done: it takes no more work");

        // A task the hub never sent.
        let (status, code, message) =
            refusal(h08.engine.claim_task(TaskKind::Count, "NOPE-1", None).await);
        assert_eq!((status, code.as_str()), (404, "no_such_task"));
        assert!(
            message.starts_with("site main has no count task NOPE-1: "),
            "{message}"
        );
        // An operator the hub does not know: nothing is claimed.
        let (status, _, message) = refusal(
            h08.engine
                .claim_task(TaskKind::Count, "CC-9", Some("zed".into()))
                .await,
        );
        assert_eq!(status, 400);
        assert_eq!(message, "operator zed is not in the hub's master data");
        assert!(listed(&tasks(&hub).await, "CC-9").claim.is_none());

        // 08 claims the count and gives it back; 09 cannot give back what it does not hold.
        h08.engine
            .claim_task(TaskKind::Count, "CC-9", Some("alice".into()))
            .await
            .unwrap();
        let (status, code, message) =
            refusal(h09.engine.release_task(TaskKind::Count, "CC-9").await);
        assert_eq!((status, code.as_str()), (409, "task_claimed"));
        assert_eq!(
            message,
            "count task CC-9 is held by handheld-08 (Alice Moreau), not by handheld-09: only its \
             holder or a supervisor can give it back"
        );
        let freed = h08
            .engine
            .release_task(TaskKind::Count, "CC-9")
            .await
            .unwrap();
        assert_eq!((freed.device_id, freed.how), (None, ClaimHow::Released));

        // The supervisor assigns it to 09 for Alice, then reassigns it to 08.
        let (status, body) = assign(
            &hub,
            &assignment("CC-9", Some("handheld-09"), Some("alice")),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, code, message) =
            refusal(h08.engine.claim_task(TaskKind::Count, "CC-9", None).await);
        assert_eq!((status, code.as_str()), (409, "task_claimed"));
        assert!(
            message.starts_with("count task CC-9 is assigned to handheld-09 (Alice Moreau) since "),
            "{message}"
        );
        // Refused assignments change nothing.
        let before = tasks(&hub).await;
        let (status, body) = assign(&hub, &assignment("CC-9", Some("handheld-99"), None)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("unknown_device"))
        );
        let (status, body) = assign(&hub, &assignment("CC-404", Some("handheld-08"), None)).await;
        assert_eq!((status, body["code"].as_str()), (404, Some("no_such_task")));
        let (status, body) = assign(&hub, &assignment("CC-9", None, Some("alice"))).await;
        assert_eq!(status, 400, "{body}");
        let mut nameless = assignment("CC-9", Some("handheld-08"), None);
        nameless.assigned_by = " ".into();
        let (status, body) = assign(&hub, &nameless).await;
        assert_eq!(status, 400);
        assert_eq!(
            body["message"],
            "assigned_by \" \" must name who assigns the task: 1 to 64 characters, no control \
             characters"
        );
        assert_eq!(tasks(&hub).await, before);
        let (status, body) = assign(&hub, &assignment("CC-9", Some("handheld-08"), None)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["how"], "assigned");
        assert_eq!(body["by"], "Sam Lindqvist");
        h08.sync().await;
        h09.sync().await;
        let mine = h08
            .store
            .read(|c| claims::my_tasks(c, "handheld-08"))
            .unwrap();
        assert_eq!(
            (mine[0].task_id.as_str(), mine[0].mine, mine[0].how),
            ("CC-9", true, Some(ClaimHow::Assigned))
        );
        let theirs = h09
            .store
            .read(|c| claims::task_board(c, "handheld-09"))
            .unwrap();
        let count = theirs.iter().find(|e| e.task_id == "CC-9").unwrap();
        assert_eq!(count.holder.as_deref(), Some("handheld-08"));
        assert!(
            h09.store
                .read(|c| claims::my_tasks(c, "handheld-09"))
                .unwrap()
                .is_empty()
        );
    }
);

on_both_backends!(
    two_handhelds_that_worked_one_task_offline_both_stand_and_an_exception_names_both,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        import_tasks(&hub, vec![towels::order("T-78", 3)]).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        towels::receive_and_put_away(&h08.store, "DOOR-1", 10);
        h08.sync().await;
        h09.sync().await;
        // Both offline, nobody holds the order: each starts and picks it.
        pick_all(&h08, "T-78").unwrap();
        pick_all(&h09, "T-78").unwrap();
        h08.sync().await;
        h09.sync().await;
        // The hub gave the task to 08 with its first event; 09's picks stand too.
        let list = tasks(&hub).await;
        let claim = listed(&list, "T-78").claim.clone().unwrap();
        assert_eq!(claim.device_id.as_deref(), Some("handheld-08"));
        assert_eq!(claim.how, ClaimHow::Started);
        assert_eq!(claim.worked_by, ["handheld-08", "handheld-09"]);
        let raised: Vec<RaisedException> = hub
            .admin_get("/v1/admin/exceptions/raised?kind=double_worked&state=open")
            .await;
        assert_eq!(raised.len(), 1, "{raised:?}");
        let e = &raised[0];
        assert_eq!(
            (e.kind.as_str(), e.subject.as_str(), e.device_id.as_str()),
            (DOUBLE_WORKED, "pick/T-78", "handheld-09")
        );
        assert_eq!(e.event_ids.len(), 2);
        assert!(
            e.reason
                .starts_with("pick task T-78 was worked by handheld-08 (event #"),
            "{}",
            e.reason
        );
        assert!(
            e.reason.ends_with(
                "both sets of picks stand: check what reached staging against the order"
            ),
            "{}",
            e.reason
        );
        // Nothing to retry: both sets of picks stand; a supervisor settles it once checked.
        let act = |action: &'static str, note: Option<&'static str>| {
            let url = format!("{}/v1/admin/exceptions/raised/{}/{action}", hub.url, e.id);
            let request = hub
                .client
                .post(url)
                .json(&serde_json::json!({ "by": "sam", "note": note }));
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap())
            }
        };
        let (status, body) = act("retry", None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("nothing_to_retry"))
        );
        assert_eq!(
            body["message"],
            format!(
                "exception {} (double_worked) has nothing to retry: the events it names stand; \
                 resolve it with a note once checked",
                e.id
            )
        );
        let (status, body) = act("resolve", Some("order short-shipped by 3, customer told")).await;
        assert_eq!((status, body["state"].as_str()), (200, Some("resolved")));
        let raised: Vec<RaisedException> = hub
            .admin_get("/v1/admin/exceptions/raised?kind=double_worked&state=open")
            .await;
        assert!(raised.is_empty());
        // Syncing again raises nothing more.
        h08.sync().await;
        h09.sync().await;
        let again: Vec<RaisedException> = hub
            .admin_get("/v1/admin/exceptions/raised?kind=double_worked")
            .await;
        assert_eq!(again.len(), 1);
        // Six towels went to staging: the pick face holds 4 everywhere.
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        let face: i64 = hub_stock
            .iter()
            .filter(|l| l.location == "P-01-01")
            .map(|l| l.quantity)
            .sum();
        assert_eq!(face, 4);
        assert_eq!(h08.view(), hub_stock);
        assert_eq!(h09.view(), hub_stock);
    }
);

on_both_backends!(
    a_hub_never_given_operators_takes_the_operator_id_as_it_is,
    HubConfig::default(),
    |hub| {
        // The handhelds have their operators from elsewhere; the hub has tasks only.
        import_tasks(&hub, vec![towels::order("T-79", 2)]).await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        let claim = h09
            .engine
            .claim_task(TaskKind::Pick, "T-79", Some("bob".into()))
            .await
            .unwrap();
        assert_eq!(claim.operator_name, None);
        assert_eq!(claim.holder().as_deref(), Some("handheld-09 (bob)"));
    }
);
