//! The inbound half of the shift: master data, receiving at two dock doors, closing, putaway.

use dockhand_core::receiving::{self, CloseReceipt, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{Error, ScannedGoods, catalog, credentials, sample};
use uuid::Uuid;

use super::{Shift, date};

pub(super) fn run(s: &Shift) -> Result<(), Error> {
    println!("\n1. Master data and the Nordic Foods ASN arrive from the hub");
    let mut data = super::warehouse();
    data.credentials = sample::credentials()?;
    let counts = catalog::upsert_master_data(&s.store, &data)?;
    receiving::load_expected_receipts(&s.store, &[sample::asn()])?;
    println!(
        "  {} items, {} units, {} barcodes, {} locations, {} operators with badges and PIN hashes; receipt {} (PO-7788) with 4 lines",
        counts.items,
        counts.units,
        counts.barcodes,
        counts.locations,
        counts.operators,
        sample::ASN
    );
    let alice = sample::badge_of("alice");
    s.refused(
        "alice signs in with a mistyped PIN",
        credentials::sign_in(&s.store, &alice.badge, "111112"),
    )?;
    let signed = credentials::sign_in(&s.store, &alice.badge, &alice.pin)?;
    println!(
        "  {} {} signed in with badge {} and PIN",
        s.at(),
        signed.id,
        alice.badge
    );

    println!("\n2. Receiving at dock doors 1 and 2");
    let milk = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L2611A")
        .with_expiry(date(2027, 3, 1));
    s.receive(
        "alice",
        "DOCK-01",
        milk.clone(),
        4,
        Some(sample::MILK_PALLET),
    )?;
    let coffee = ScannedGoods::barcode(sample::COFFEE_CS).with_lot("C-88");
    // A double trigger pull: the scanner sends the same operation twice.
    let coffee_cmd = ReceiveLine {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        receipt_id: sample::ASN.into(),
        dock: "DOCK-02".into(),
        scan: coffee.clone(),
        quantity: 4,
        lpn: None,
        approval: None,
    };
    let first = receiving::receive_line(&s.store, &coffee_cmd)?;
    let again = receiving::receive_line(&s.store, &coffee_cmd)?;
    println!(
        "  {} bob   received {:>3} x {:<10} lot {:<7} on {}; a double trigger pull replayed the same operation: {} (line total {} both times)",
        s.at(),
        first.base_quantity,
        first.sku,
        first.lot,
        first.location,
        if first == again {
            "same answer, nothing written"
        } else {
            "DIFFERENT"
        },
        again.line_received
    );
    s.minutes(2);
    s.refused(
        "bob   scans an unknown label",
        s.receive(
            "bob",
            "DOCK-02",
            ScannedGoods::barcode("4099999999999"),
            1,
            None,
        ),
    )?;
    s.refused(
        "bob   scans one more coffee case (24 expected, 5% tolerance)",
        s.receive("bob", "DOCK-02", coffee.clone(), 1, None),
    )?;
    s.receive(
        "alice",
        "DOCK-01",
        ScannedGoods::barcode(sample::TOWELS_CS),
        3,
        None,
    )?;
    let vitamins = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V7")
        .with_expiry(date(2027, 6, 30));
    s.receive("bob", "DOCK-02", vitamins.clone(), 12, None)?;

    println!("\n3. A blind delivery of drills (no ASN): Bob opens a receipt and scans serials");
    receiving::open_blind_receipt(
        &s.store,
        &OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            receipt_id: "DN-5521".into(),
            reference: "delivery note 5521".into(),
            supplier: "ToolCo".into(),
        },
    )?;
    for serial in ["SN-0001", "SN-0002"] {
        let drill = ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial);
        s.receive_on("DN-5521", "bob", "DOCK-02", drill, 1, None, None)?;
    }

    println!("\n4. Closing the ASN: differences go to the ERP as discrepancy events");
    for (id, who) in [(sample::ASN, "alice"), ("DN-5521", "bob")] {
        let closed = receiving::close_receipt(
            &s.store,
            &CloseReceipt {
                op_id: Uuid::now_v7(),
                operator: who.into(),
                receipt_id: id.into(),
            },
        )?;
        println!(
            "  {} {who:<5} closed {id}: {} units received",
            s.at(),
            closed.total_received
        );
        for d in &closed.discrepancies {
            println!(
                "        line {} {}: expected {}, received {} ({:+})",
                d.line_no, d.sku, d.expected, d.received, d.difference
            );
        }
    }
    s.minutes(5);

    println!("\n5. Putaway");
    s.put_away(
        "alice",
        "DOCK-01",
        milk.clone(),
        2,
        Some(sample::MILK_PALLET),
        None,
        None,
    )?;
    s.put_away(
        "alice",
        "DOCK-01",
        milk,
        2,
        Some(sample::MILK_PALLET),
        None,
        None,
    )?;
    s.refused(
        "bob   scans the label of the wrong bin at A-01-01",
        s.put_away(
            "bob",
            "DOCK-02",
            coffee.clone(),
            4,
            None,
            Some(("A-01-01", "42")),
            None,
        ),
    )?;
    s.put_away("bob", "DOCK-02", coffee, 4, None, None, None)?;
    s.put_away(
        "alice",
        "DOCK-01",
        ScannedGoods::barcode(sample::TOWELS_CS),
        3,
        None,
        Some(("P-01-01", "71")),
        Some("pick face running low"),
    )?;
    s.put_away("bob", "DOCK-02", vitamins, 12, None, None, None)?;
    for serial in ["SN-0001", "SN-0002"] {
        let drill = ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial);
        s.put_away("bob", "DOCK-02", drill, 1, None, None, None)?;
    }

    Ok(())
}
