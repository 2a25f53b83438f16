//! Replenishment across the fleet, on both backends: the pick face's levels travel from the hub
//! with master data, a pick on one handheld raises the task, the hub shares it with the site,
//! another handheld works it from the reserve the first put away, and the first sees it done.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::{Handheld, pick_towels};
use common::towels;

use dockhand_core::catalog::Replenishment;
use dockhand_core::moves::{self, ConfirmMove};
use dockhand_core::protocol::EventKind;
use dockhand_core::replenishment::{self, ReplenishmentTask};
use dockhand_core::sync::protocol::Import;
use dockhand_core::{ScannedGoods, sample};
use dockhand_hub::HubConfig;
use uuid::Uuid;

fn tasks(h: &Handheld) -> Vec<ReplenishmentTask> {
    h.store.read(replenishment::open_replenishments).unwrap()
}

on_both_backends!(
    a_task_raised_on_one_handheld_is_worked_on_another_and_done_on_both,
    HubConfig::default(),
    |hub| {
        let mut master = sample::warehouse();
        for location in &mut master.locations {
            if location.code == "P-01-01" {
                location.replenish = Some(Replenishment {
                    sku: sample::TOWELS.into(),
                    min_units: 10,
                    max_units: 48,
                });
            }
        }
        hub.import(&Import {
            master,
            ..Import::default()
        })
        .await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        h08.sync().await;
        // 24 on the face, 72 in reserve at A-01-01.
        towels::receive_and_put_away(&h08.store, "DOOR-1", 24);
        towels::open_receipt(&h08.store, "DOOR-2");
        dockhand_core::receiving::receive_line(&h08.store, &towels::receive("DOOR-2", 72)).unwrap();
        dockhand_core::putaway::confirm_putaway(&h08.store, &towels::put_away(72, "A-01-01", "41"))
            .unwrap();
        pick_towels(&h08.store, "T-1", 20).unwrap();
        let raised = tasks(&h08);
        assert_eq!(raised.len(), 1, "4 left on the face, below 10");
        assert_eq!(
            (raised[0].quantity, raised[0].source.as_str()),
            (44, "local")
        );
        let task_id = raised[0].id.clone();
        assert_eq!(h08.sync().await.rejected, 0);

        h09.sync().await;
        let shared = tasks(&h09);
        assert_eq!(shared.len(), 1);
        assert_eq!(
            (
                shared[0].id.as_str(),
                shared[0].location.as_str(),
                shared[0].quantity,
                shared[0].source.as_str()
            ),
            (task_id.as_str(), "P-01-01", 44, "hub")
        );
        let next = h09
            .store
            .read(|c| replenishment::next_replenishment(c, &task_id))
            .unwrap();
        assert_eq!((next.from.as_str(), next.quantity), ("A-01-01", 44));
        let moved = moves::confirm_move(
            &h09.store,
            &ConfirmMove {
                op_id: Uuid::now_v7(),
                operator: "bob".into(),
                from: next.from.clone(),
                from_scan: "41".into(),
                scan: Some(ScannedGoods::barcode(sample::TOWELS_EA)),
                lpn: None,
                quantity: next.quantity,
                to: "P-01-01".into(),
                to_scan: "71".into(),
                reason: None,
                task_id: Some(task_id.clone()),
            },
        )
        .unwrap();
        assert_eq!(moved.task.unwrap().status, "done");
        assert_eq!(h09.sync().await.rejected, 0);
        assert!(tasks(&h09).is_empty());

        // The handheld that raised it sees it done, and the face full again.
        h08.sync().await;
        assert!(tasks(&h08).is_empty());
        let here = h08
            .store
            .read(|c| replenishment::replenishment_task(c, &task_id))
            .unwrap();
        assert_eq!((here.moved, here.status.as_str()), (44, "done"));
        let on_face: i64 = h08.at("P-01-01").iter().map(|(_, _, q)| q).sum();
        assert_eq!(on_face, 48);
        assert_eq!(h08.events_of(EventKind::ReplenishmentRaised), 1);
        assert_eq!(h09.events_of(EventKind::ReplenishmentRaised), 0);
    }
);
