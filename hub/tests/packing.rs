//! Packing across the fleet, on both backends: a picker's handheld fills a tote for an order it
//! made itself, the hub shares the tote with the site, a packer's handheld packs it into a carton,
//! loads and ships it, and the picker's handheld then sees the carton gone and nothing left at
//! staging or the door.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::{Handheld, import_sample, pack_load_ship, pick_towels};
use common::towels;
use dockhand_core::packing::{self, UnitKind, UnitStatus};
use dockhand_hub::HubConfig;

on_both_backends!(
    a_tote_filled_on_one_handheld_is_packed_and_shipped_on_another,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        hub.set_sscc_prefix("4012345", 3).await;
        let picker = Handheld::new(&hub, "handheld-08").await;
        let packer = Handheld::new(&hub, "handheld-09").await;
        picker.sync().await;
        packer.sync().await;
        towels::receive_and_put_away(&picker.store, "DOOR-1", 20);
        // A task the picker made itself: the packer has no pick task of SO-T-1, and until the
        // tote reaches it through the hub it knows nothing of the order.
        pick_towels(&picker.store, "T-1", 12).unwrap();
        let carton_for = |order: &str| {
            packing::build_unit(
                &packer.store,
                &packing::BuildUnit {
                    op_id: uuid::Uuid::now_v7(),
                    operator: "bob".into(),
                    kind: UnitKind::Carton,
                    order_ref: Some(order.into()),
                    location: "STAGE-01".into(),
                },
            )
        };
        assert_eq!(carton_for("SO-T-1").unwrap_err().code(), "unknown_order");
        assert_eq!(picker.sync().await.rejected, 0);
        packer.sync().await;
        let tote = packer.store.read(|c| packing::unit(c, "TOTE-T-1")).unwrap();
        assert_eq!(
            (tote.kind, tote.order_ref.as_str(), tote.location.as_str()),
            (UnitKind::Tote, "SO-T-1", "STAGE-01")
        );
        assert_eq!(
            packer.at("STAGE-01"),
            [("TOWEL-2P".to_string(), "in_transit".to_string(), 12)]
        );

        let shipped = pack_load_ship(&packer.store, "SO-T-1", "TOTE-T-1", 12, 0);
        assert_eq!(shipped.base_quantity, 12);
        let carton = shipped.units[0].clone();
        assert_eq!(packer.sync().await.rejected, 0);

        // The picker sees the packer's carton shipped, and nothing at staging or the door.
        picker.sync().await;
        let seen = picker.store.read(|c| packing::unit(c, &carton)).unwrap();
        assert_eq!(
            (seen.kind, seen.status, seen.location.as_str()),
            (UnitKind::Carton, UnitStatus::Shipped, "SHIP-01")
        );
        for h in [&picker, &packer] {
            assert!(h.at("STAGE-01").is_empty(), "{:?}", h.at("STAGE-01"));
            assert!(h.at("SHIP-01").is_empty(), "{:?}", h.at("SHIP-01"));
            // Conservation: 20 received, 12 shipped.
            let on_hand: i64 = h.view().iter().map(|l| l.quantity).sum();
            assert_eq!(on_hand, 8);
        }
    }
);
