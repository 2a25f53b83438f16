//! Outbound, after the shift's first sync brought SSCC serial references from the hub: the picked
//! orders are packed at staging into cartons (one order's two cartons onto a pallet), the pallet's
//! GS1 label is printed, the units are loaded at the dock door and the orders shipped; the pick
//! face the picks drained is replenished from reserve, first expiring lot first.

use std::path::Path;

use dockhand_core::moves::{self, ConfirmMove};
use dockhand_core::packing::{self, BuildUnit, NestUnit, PackGoods, UnitKind, UnpackUnit};
use dockhand_core::replenishment;
use dockhand_core::shipping::{self, LoadUnit, ShipOrder};
use dockhand_core::{Error, ScannedGoods, catalog, sample, sscc};
use uuid::Uuid;

use super::Shift;

const STAGING: &str = "STAGE-01";
const DOOR: (&str, &str) = ("SHIP-01", "84");

fn build(s: &Shift, kind: UnitKind, order: &str) -> Result<String, Error> {
    s.minutes(1);
    let built = packing::build_unit(
        &s.store,
        &BuildUnit {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            kind,
            order_ref: Some(order.into()),
            location: STAGING.into(),
        },
    )?;
    Ok(built.unit.lpn)
}

fn pack(s: &Shift, lpn: &str, tote: &str, scan: ScannedGoods, quantity: i64) -> PackGoods {
    s.minutes(1);
    PackGoods {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        lpn: lpn.into(),
        from_tote: Some(tote.into()),
        scan,
        quantity,
    }
}

/// Goods lying loose at staging (taken out of a carton) packed into `lpn`.
fn pack_loose(s: &Shift, lpn: &str, scan: ScannedGoods, quantity: i64) -> PackGoods {
    PackGoods {
        from_tote: None,
        ..pack(s, lpn, "", scan, quantity)
    }
}

fn packed(s: &Shift, cmd: &PackGoods) -> Result<(), Error> {
    let done = packing::pack_goods(&s.store, cmd)?;
    let what: Vec<String> = done
        .lines
        .iter()
        .map(|l| {
            let lot = if l.lot.is_empty() {
                String::new()
            } else {
                format!(" lot {}", l.lot)
            };
            format!("{} x {}{lot}", l.base_quantity, l.sku)
        })
        .collect();
    println!(
        "  {} bob   packed {} from {} into {} {}",
        s.at(),
        what.join(", "),
        cmd.from_tote.as_deref().unwrap_or("staging"),
        done.unit.kind,
        done.unit.lpn
    );
    Ok(())
}

fn load(s: &Shift, order: &str, lpn: &str) -> LoadUnit {
    s.minutes(2);
    LoadUnit {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        order_ref: order.into(),
        door: DOOR.0.into(),
        door_scan: DOOR.1.into(),
        lpn: lpn.into(),
    }
}

fn ship(s: &Shift, order: &str) -> ShipOrder {
    s.minutes(1);
    ShipOrder {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        order_ref: order.into(),
        door: DOOR.0.into(),
        door_scan: DOOR.1.into(),
    }
}

fn milk(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::MILK_EA).with_lot(lot)
}

/// Packs, labels, loads and ships two of the orders picked on the floor, then replenishes the
/// pick face. `labels` is where the pallet's label is written (next to a kept database).
pub(super) fn run(s: &Shift, labels: Option<&Path>) -> Result<(), Error> {
    println!("\n18. Outbound: packing, labels, loading, shipping; the pick face replenished");
    let serials = s.store.read(sscc::remaining)?;
    if serials == 0 {
        println!(
            "  no SSCC serial references came with the sync: the hub's site has no GS1 Company \
             Prefix (dockhand-hub site prefix main PREFIX); packing skipped"
        );
        return Ok(());
    }
    println!(
        "  the sync brought {serials} SSCC serial references: cartons and pallets are labelled offline"
    );
    let first = build(s, UnitKind::Carton, "ORD-5001")?;
    let second = build(s, UnitKind::Carton, "ORD-5001")?;
    packed(s, &pack(s, &first, "TOTE-5001", milk("L2610Z"), 24))?;
    packed(s, &pack(s, &second, "TOTE-5001", milk("L2611A"), 6))?;
    let coffee = ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-88");
    // The coffee goes into the full carton by mistake, comes out again and into the other: the
    // order is not packed right the first time (pack accuracy).
    packed(s, &pack(s, &first, "TOTE-5001", coffee.clone(), 6))?;
    s.minutes(1);
    packing::unpack_unit(
        &s.store,
        &UnpackUnit {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            lpn: first.clone(),
            scan: Some(coffee.clone()),
            quantity: 6,
        },
    )?;
    println!(
        "  {} bob   takes the 6 coffee out of {first} again: that carton is full of milk",
        s.at()
    );
    packed(s, &pack_loose(s, &second, coffee, 6))?;
    let towels = build(s, UnitKind::Carton, "ORD-5002")?;
    s.refused(
        "bob   packs ORD-5002's towels into an ORD-5001 carton",
        packing::pack_goods(
            &s.store,
            &pack(
                s,
                &first,
                "TOTE-5002",
                ScannedGoods::barcode(sample::TOWELS_EA),
                40,
            ),
        ),
    )?;
    packed(
        s,
        &pack(
            s,
            &towels,
            "TOTE-5002",
            ScannedGoods::barcode(sample::TOWELS_EA),
            40,
        ),
    )?;
    let pallet = build(s, UnitKind::Pallet, "ORD-5001")?;
    for carton in [&first, &second] {
        packing::nest_unit(
            &s.store,
            &NestUnit {
                op_id: Uuid::now_v7(),
                operator: "bob".into(),
                carton: carton.clone(),
                pallet: pallet.clone(),
            },
        )?;
    }
    println!(
        "  {} bob   put cartons {first} and {second} onto pallet {pallet}",
        s.at()
    );
    let label = s.store.read(|c| {
        packing::label(
            c,
            &pallet,
            vec!["dockhand DC".into(), "1 Quay Road".into()],
            vec!["Kiosk Nord".into(), "7 Harbour St".into()],
        )
    })?;
    let barcodes: Vec<&str> = label.barcodes.iter().map(|b| b.data.as_str()).collect();
    let written = match labels {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(dir.join(format!("{pallet}.zpl")), &label.zpl))
                .map_err(|e| Error::invalid("labels", format!("{}: {e}", dir.display())))?;
            crate::label::write_picture(&dir.join(format!("{pallet}.png")), &label)?;
            format!(
                "written to {} with its picture {pallet}.png",
                dir.join(format!("{pallet}.zpl")).display()
            )
        }
        None => "give --db to keep it and its picture next to the database".into(),
    };
    println!(
        "  {} bob   prints the pallet's GS1 logistic label: {} bytes of ZPL, barcodes {} ({written})",
        s.at(),
        label.zpl.len(),
        barcodes.join(" and ")
    );

    s.refused(
        "bob   closes ORD-5001's shipment before loading",
        shipping::ship_order(&s.store, &ship(s, "ORD-5001")),
    )?;
    s.refused(
        "bob   loads ORD-5002's carton for ORD-5001",
        shipping::load_unit(&s.store, &load(s, "ORD-5001", &towels)),
    )?;
    for (order, unit) in [("ORD-5001", &pallet), ("ORD-5002", &towels)] {
        let loaded = shipping::load_unit(&s.store, &load(s, order, unit))?;
        let shipped = shipping::ship_order(&s.store, &ship(s, order))?;
        let with = if loaded.cartons.is_empty() {
            String::new()
        } else {
            format!(" with {} cartons", loaded.cartons.len())
        };
        let when = match shipped.on_time {
            Some(true) => " on time",
            Some(false) => " late: past its ship-by time",
            None => "",
        };
        println!(
            "  {} bob   loaded {} {unit}{with} at {} and shipped {order}{when}; {} units left \
             inventory",
            s.at(),
            loaded.unit.kind,
            shipped.door,
            shipped.base_quantity
        );
    }

    let open = s.store.read(replenishment::open_replenishments)?;
    for task in open {
        let next = s
            .store
            .read(|c| replenishment::next_replenishment(c, &task.id))?;
        // The operator scans both labels where they stand.
        let check = |code: &str| {
            s.store
                .read(|c| catalog::location_by_code(c, code))
                .map(|l| l.location.check_string)
        };
        s.minutes(3);
        let moved = moves::confirm_move(
            &s.store,
            &ConfirmMove {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                from: next.from.clone(),
                from_scan: check(&next.from)?,
                scan: Some(ScannedGoods::barcode(sample::TOWELS_EA)),
                lpn: None,
                quantity: next.quantity,
                to: next.face.clone(),
                to_scan: check(&next.face)?,
                reason: None,
                task_id: Some(task.id.clone()),
            },
        )?;
        let state = moved.task.map(|t| t.status).unwrap_or_default();
        println!(
            "  {} alice replenished {} from {}: {} x {} of the {} its task {} asked (task {state})",
            s.at(),
            next.face,
            next.from,
            moved.base_quantity,
            next.sku,
            task.quantity,
            task.id
        );
    }
    Ok(())
}
