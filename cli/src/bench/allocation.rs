//! Allocation at scale: a 50-line pick task over 10,000 stocked storage locations (50 items, each
//! in 200 locations, several lots with different expiries), allocated by FEFO and walk order.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dockhand_core::catalog::{
    self, AbcClass, Barcode, Item, Location, LocationKind, LocationStatus, MasterData, Operator,
    Role, Tracking,
};
use dockhand_core::picking::{
    self, CancelPickTask, CreatePickTask, PickLineRequest, PickTaskRequest,
};
use dockhand_core::putaway::{self, ConfirmPutaway};
use dockhand_core::receiving::{self, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{Error, ManualClock, ScannedGoods, Store, StoreOptions};
use uuid::Uuid;

const ITEMS: usize = 50;
const PLACES_PER_ITEM: usize = 200;
const PER_PLACE: i64 = 10;

fn master_data() -> MasterData {
    let mut data = MasterData {
        operators: vec![Operator {
            id: "bob".into(),
            name: "Bob".into(),
            role: Role::Operator,
            active: true,
        }],
        ..MasterData::default()
    };
    data.locations.push(Location {
        code: "DOCK".into(),
        zone: "D".into(),
        kind: LocationKind::Dock,
        status: LocationStatus::Active,
        pickable: false,
        pick_sequence: 0,
        check_string: "00".into(),
        max_units: None,
        replenish: None,
    });
    data.locations.push(Location {
        code: "STAGE".into(),
        zone: "S".into(),
        kind: LocationKind::Staging,
        status: LocationStatus::Active,
        pickable: false,
        pick_sequence: 0,
        check_string: "01".into(),
        max_units: None,
        replenish: None,
    });
    for i in 0..ITEMS * PLACES_PER_ITEM {
        data.locations.push(Location {
            code: format!("S-{i:05}"),
            zone: "S".into(),
            kind: LocationKind::Storage,
            status: LocationStatus::Active,
            pickable: true,
            pick_sequence: (i as i64 * 7919) % 100_000,
            check_string: format!("{:02}", i % 100),
            max_units: None,
            replenish: None,
        });
    }
    for i in 0..ITEMS {
        data.items.push(Item {
            sku: format!("ITEM-{i:02}"),
            description: format!("bench item {i}"),
            base_unit: "EA".into(),
            tracking: Tracking::LotExpiry,
            min_shelf_life_days: 0,
            inspection_required: false,
            abc_class: AbcClass::B,
            unit_value_cents: 100,
            putaway_zone: Some("S".into()),
        });
        data.barcodes.push(Barcode {
            code: format!("29{i:011}"),
            sku: format!("ITEM-{i:02}"),
            unit: "EA".into(),
            quantity: 1,
        });
    }
    data
}

/// A store with 10,000 stocked locations.
fn stocked(path: Option<std::path::PathBuf>) -> Result<Store, Error> {
    let options = StoreOptions::new("bench-allocation")
        .with_clock(Arc::new(ManualClock::at("2026-11-27T08:00:00+01:00")));
    let store = match path {
        Some(p) => Store::open_with(p, options)?,
        None => Store::open_in_memory(options)?,
    };
    catalog::upsert_master_data(&store, &master_data())?;
    receiving::open_blind_receipt(
        &store,
        &OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            receipt_id: "R".into(),
            reference: "r".into(),
            supplier: "s".into(),
        },
    )?;
    for i in 0..ITEMS {
        for place in 0..PLACES_PER_ITEM {
            // Four lots per item with different expiries, spread over its places.
            let lot = place % 4;
            let expiry = NaiveDate::from_ymd_opt(2027, 1 + lot as u32 * 2, 1).unwrap_or_default();
            let scan = ScannedGoods::barcode(format!("29{i:011}"))
                .with_lot(format!("L{lot}"))
                .with_expiry(expiry);
            receiving::receive_line(
                &store,
                &ReceiveLine {
                    op_id: Uuid::now_v7(),
                    operator: "bob".into(),
                    receipt_id: "R".into(),
                    dock: "DOCK".into(),
                    scan: scan.clone(),
                    quantity: PER_PLACE,
                    lpn: None,
                    approval: None,
                },
            )?;
            let n = i * PLACES_PER_ITEM + place;
            putaway::confirm_putaway(
                &store,
                &ConfirmPutaway {
                    op_id: Uuid::now_v7(),
                    operator: "bob".into(),
                    from: "DOCK".into(),
                    scan,
                    lpn: None,
                    quantity: PER_PLACE,
                    to: format!("S-{n:05}"),
                    location_scan: format!("{:02}", n % 100),
                    override_reason: Some("bench layout".into()),
                },
            )?;
        }
    }
    Ok(store)
}

/// Medians of creating (allocating and reserving) a 50-line task, `runs` times, each cancelled
/// again so every run sees the same stock.
pub(super) fn measure(runs: usize) -> Result<(Duration, Duration, f64), Error> {
    let started = Instant::now();
    let store = stocked(None)?;
    let setup = started.elapsed().as_secs_f64();
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        let task_id = format!("T-{run}");
        let lines = (0..ITEMS)
            .map(|i| PickLineRequest {
                line_no: i as i64 + 1,
                sku: format!("ITEM-{i:02}"),
                // Spans two or three locations of the earliest lot.
                quantity: 25,
                unit: None,
                lot: None,
            })
            .collect();
        let cmd = CreatePickTask {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task: PickTaskRequest {
                task_id: task_id.clone(),
                order_ref: "BIG".into(),
                staging: "STAGE".into(),
                ship_by: None,
                lines,
            },
        };
        let start = Instant::now();
        picking::create_pick_task(&store, &cmd)?;
        samples.push(start.elapsed());
        picking::cancel_pick_task(
            &store,
            &CancelPickTask {
                op_id: Uuid::now_v7(),
                operator: "bob".into(),
                task_id,
                reason: "bench".into(),
            },
        )?;
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    let p90 = samples[(samples.len() * 9 / 10).min(samples.len() - 1)];
    Ok((median, p90, setup))
}
