//! The returns bench: one return inspected with every outcome, the restocked goods put away, and a
//! mistaken scan voided by a correction the ERP sees as its own event.

use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::receiving::{self, OpenBlindReceipt, ReceiveLine};
use dockhand_core::returns::{
    self, InspectReturnLine, InspectionOutcome, ReceiveReturn, ReturnLineRequest,
};
use dockhand_core::{Error, ScannedGoods, StockStatus, sample};
use uuid::Uuid;

use super::{Shift, date, words};

pub(super) fn run(s: &Shift) -> Result<(), Error> {
    println!("\n10. A customer return, inspected line by line");
    let lines = vec![
        (
            ScannedGoods::barcode(sample::MILK_EA)
                .with_lot("L2611A")
                .with_expiry(date(2027, 3, 1)),
            2,
        ),
        (ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-88"), 1),
        (ScannedGoods::barcode(sample::TOWELS_EA), 1),
        (
            ScannedGoods::barcode(sample::VITAMINS_EA)
                .with_lot("V7")
                .with_expiry(date(2027, 6, 30)),
            2,
        ),
        (
            ScannedGoods::barcode(sample::DRILL_EA).with_serial("SN-0077"),
            1,
        ),
    ];
    let received = returns::receive_return(
        &s.store,
        &ReceiveReturn {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            return_id: "RMA-9001".into(),
            reference: "ORD-4410".into(),
            customer: "Café Nord".into(),
            location: "RET-01".into(),
            lines: lines
                .into_iter()
                .enumerate()
                .map(|(i, (scan, quantity))| ReturnLineRequest {
                    line_no: i as i64 + 1,
                    scan,
                    quantity,
                })
                .collect(),
        },
    )?;
    println!(
        "  {} bob   received RMA-9001 at RET-01: {} lines, {} until inspected",
        s.at(),
        received.lines.len(),
        words::status(StockStatus::ReturnPending)
    );
    s.minutes(25);
    let decisions = [
        (1, InspectionOutcome::Restock, "unopened"),
        (2, InspectionOutcome::Quarantine, "seal_broken"),
        (3, InspectionOutcome::Damaged, "crushed"),
        (4, InspectionOutcome::Scrap, "opened_medicine"),
        (5, InspectionOutcome::ReturnToVendor, "defective_motor"),
    ];
    for (line_no, outcome, reason) in decisions {
        let done = returns::inspect_return_line(
            &s.store,
            &InspectReturnLine {
                op_id: Uuid::now_v7(),
                operator: "bob".into(),
                return_id: "RMA-9001".into(),
                line_no,
                outcome,
                reason_code: reason.into(),
                note: None,
            },
        )?;
        let after = done.status_after.map_or("left inventory", words::status);
        let extra = match (&done.putaway, done.minutes_to_available) {
            (Some(p), Some(m)) => {
                format!(" {m} min after receipt; to be put away to {}", p.location)
            }
            (Some(p), None) => format!("; to be put away to {}", p.location),
            _ => String::new(),
        };
        println!(
            "  {} bob   line {line_no} {:<10} {:<14} ({}): {after}{extra}",
            s.at(),
            done.sku,
            words::inspection(outcome),
            words::reason(reason)
        );
        s.minutes(3);
    }
    let milk = ScannedGoods::barcode(sample::MILK_EA).with_lot("L2611A");
    s.put_away("bob", "RET-01", milk, 2, None, None, None)?;

    println!("\n11. A correction: a case scanned twice by mistake is voided");
    receiving::open_blind_receipt(
        &s.store,
        &OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            receipt_id: "DN-5540".into(),
            reference: "towels top-up".into(),
            supplier: "PaperCo".into(),
        },
    )?;
    let mut last = None;
    for _ in 0..2 {
        let cmd = ReceiveLine {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            receipt_id: "DN-5540".into(),
            dock: "DOCK-01".into(),
            scan: ScannedGoods::barcode(sample::TOWELS_CS),
            quantity: 1,
            lpn: None,
            approval: None,
        };
        last = Some(receiving::receive_line(&s.store, &cmd)?);
        s.minutes(1);
    }
    if let Some(second) = last {
        let voided = corrections::void_movement(
            &s.store,
            &VoidMovement {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                event_id: second.event_id,
                reason: "case scanned twice".into(),
                approval: sample::badge_of("sam"),
            },
        )?;
        println!(
            "  {} alice voided the {} with sam's badge and PIN ({} movement reversed); DN-5540 now has {} towels",
            s.at(),
            words::event_type(&voided.voided_event_type),
            voided.movements_reversed,
            s.store.read(|c| receiving::receipt(c, "DN-5540"))?.lines[0].received
        );
        s.refused(
            "alice voids the same scan again",
            corrections::void_movement(
                &s.store,
                &VoidMovement {
                    op_id: Uuid::now_v7(),
                    operator: "alice".into(),
                    event_id: second.event_id,
                    reason: "again".into(),
                    approval: sample::badge_of("sam"),
                },
            ),
        )?;
    }
    s.put_away(
        "alice",
        "DOCK-01",
        ScannedGoods::barcode(sample::TOWELS_CS),
        1,
        None,
        None,
        None,
    )?;
    Ok(())
}
