//! Held stock and moves: most of the vitamins held for inspection at receipt pass it and a
//! supervisor releases them (two boxes are scrapped, two stay held for a closer look), and stored
//! milk is re-slotted with a scan of both labels.

use dockhand_core::moves::{self, ConfirmMove};
use dockhand_core::quality::{self, InspectionOutcome, ReleaseStock};
use dockhand_core::{Error, ScannedGoods, sample};
use uuid::Uuid;

use super::{Shift, date, words};

fn vitamins() -> ScannedGoods {
    ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V7")
        .with_expiry(date(2027, 6, 30))
}

/// `operator` handles `quantity` vitamins held at QA-01 as `outcome`, approved by `approver`.
fn release(
    operator: &str,
    approver: &str,
    quantity: i64,
    outcome: InspectionOutcome,
    to: Option<(&str, &str)>,
    reason: &str,
) -> ReleaseStock {
    ReleaseStock {
        op_id: Uuid::now_v7(),
        operator: operator.into(),
        location: "QA-01".into(),
        location_scan: "91".into(),
        scan: vitamins(),
        lpn: None,
        quantity,
        outcome,
        to: to.map(|t| t.0.to_string()),
        to_scan: to.map(|t| t.1.to_string()),
        reason_code: reason.into(),
        note: None,
        approval: sample::badge_of(approver),
        held: None,
    }
}

fn milk_move(quantity: i64, to: (&str, &str)) -> ConfirmMove {
    ConfirmMove {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        from: "C-01-01".into(),
        from_scan: "61".into(),
        scan: Some(
            ScannedGoods::barcode(sample::MILK_EA)
                .with_lot("L2611A")
                .with_expiry(date(2027, 3, 1)),
        ),
        lpn: None,
        quantity,
        to: to.0.into(),
        to_scan: to.1.into(),
        reason: Some("re-slotting the chilled aisle".into()),
        task_id: None,
    }
}

pub(super) fn run(s: &Shift) -> Result<(), Error> {
    println!("\n9. Held stock released by a supervisor, stock moved between bins");
    s.refused(
        "bob   releases the vitamins with his own badge",
        quality::release_stock(
            &s.store,
            &release(
                "bob",
                "bob",
                10,
                InspectionOutcome::Restock,
                Some(("A-01-03", "43")),
                "passed inspection",
            ),
        ),
    )?;
    s.minutes(2);
    for (quantity, outcome, to, reason) in [
        (
            8,
            InspectionOutcome::Restock,
            Some(("A-01-03", "43")),
            "passed inspection",
        ),
        (2, InspectionOutcome::Scrap, None, "seal broken"),
    ] {
        let r = quality::release_stock(
            &s.store,
            &release("bob", "sam", quantity, outcome, to, reason),
        )?;
        println!(
            "  {} bob   {:>3} x {:<10} at {}: {} ({reason}), approved by {} with badge and PIN",
            s.at(),
            r.base_quantity,
            r.sku,
            r.from,
            match (&r.to, r.status_after) {
                (Some(to), Some(status)) => format!("{} at {to}", words::status(status)),
                _ => "written off".to_string(),
            },
            r.approved_by,
        );
        s.minutes(3);
    }
    s.refused(
        "bob   moves milk into the quarantine cage",
        moves::confirm_move(&s.store, &milk_move(12, ("QA-01", "91"))),
    )?;
    let m = moves::confirm_move(&s.store, &milk_move(12, ("C-01-02", "62")))?;
    println!(
        "  {} bob   moved {:>3} x {:<10} {} -> {} (both labels scanned)",
        s.at(),
        m.base_quantity,
        m.lines.first().map(|l| l.sku.as_str()).unwrap_or_default(),
        m.from,
        m.to
    );
    s.minutes(3);
    Ok(())
}
