//! `dockhand demo`: a simulated early shift on the sample warehouse.
//!
//! Alice works dock door 1, Bob dock door 2, Sam supervises. They receive the Nordic Foods ASN and a
//! blind delivery of drills, make the mistakes people make (a wrong check string, an unknown barcode,
//! a double trigger pull), close the ASN with a shortage, and put everything away. The shift runs
//! on a simulated clock (2026-11-27 from 06:00 at UTC+01:00) so every run tells the same story.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use dockhand_core::putaway::{self, ConfirmPutaway, PutawayRequest};
use dockhand_core::receiving::{self, CloseReceipt, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{
    Error, ManualClock, ScannedGoods, Store, StoreOptions, catalog, outbox, sample, stock,
};
use uuid::Uuid;

use crate::report;

struct Shift {
    store: Store,
    clock: Arc<ManualClock>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Shift {
    fn minutes(&self, m: i64) {
        self.clock.advance(Duration::minutes(m));
    }

    fn at(&self) -> String {
        self.clock_now().format("%H:%M").to_string()
    }

    fn clock_now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        dockhand_core::Clock::now(self.clock.as_ref())
    }

    fn receive(
        &self,
        operator: &str,
        dock: &str,
        scan: ScannedGoods,
        qty: i64,
        lpn: Option<&str>,
    ) -> Result<(), Error> {
        self.receive_on(sample::ASN, operator, dock, scan, qty, lpn, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn receive_on(
        &self,
        receipt: &str,
        operator: &str,
        dock: &str,
        scan: ScannedGoods,
        qty: i64,
        lpn: Option<&str>,
        approved_by: Option<&str>,
    ) -> Result<(), Error> {
        let cmd = ReceiveLine {
            op_id: Uuid::now_v7(),
            operator: operator.into(),
            receipt_id: receipt.into(),
            dock: dock.into(),
            scan,
            quantity: qty,
            lpn: lpn.map(str::to_string),
            approved_by: approved_by.map(str::to_string),
        };
        let r = receiving::receive_line(&self.store, &cmd)?;
        let held = r
            .quarantine_reason
            .map(|why| format!(" — QUARANTINED: {why}"))
            .unwrap_or_default();
        let progress = if r.line_expected > 0 {
            format!(
                "line {}: {} of {} expected",
                r.line_no, r.line_received, r.line_expected
            )
        } else {
            format!("blind line {}: {} so far", r.line_no, r.line_received)
        };
        println!(
            "  {} {operator:<5} received {:>3} x {:<10} lot {:<7} on {} ({progress}) as {}{held}",
            self.at(),
            r.base_quantity,
            r.sku,
            if r.lot.is_empty() { "-" } else { &r.lot },
            r.location,
            r.status
        );
        self.minutes(3);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn put_away(
        &self,
        operator: &str,
        dock: &str,
        scan: ScannedGoods,
        qty: i64,
        lpn: Option<&str>,
        to: Option<(&str, &str)>,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        let task = putaway::suggest_putaway(
            &self.store,
            &PutawayRequest {
                from: dock.into(),
                scan: scan.clone(),
                lpn: lpn.map(str::to_string),
            },
        )?;
        let target = self
            .store
            .read(|c| catalog::location_by_code(c, &task.suggestion.location))?;
        let (to, check) = to.unwrap_or((
            target.location.code.as_str(),
            target.location.check_string.as_str(),
        ));
        let cmd = ConfirmPutaway {
            op_id: Uuid::now_v7(),
            operator: operator.into(),
            from: dock.into(),
            scan,
            lpn: lpn.map(str::to_string),
            quantity: qty,
            to: to.into(),
            check_string: check.into(),
            override_reason: reason.map(str::to_string),
        };
        let r = putaway::confirm_putaway(&self.store, &cmd)?;
        let overridden = r
            .override_reason
            .as_deref()
            .map(|why| {
                format!(
                    " (suggested {}, overridden: {why})",
                    task.suggestion.location
                )
            })
            .unwrap_or_else(|| format!(" (suggested: {})", task.suggestion.rule));
        println!(
            "  {} {operator:<5} put away {:>3} x {:<10} {} -> {:<8} as {}{overridden}; {} left on the dock",
            self.at(),
            r.base_quantity,
            r.sku,
            r.from,
            r.to,
            r.status_after,
            r.remaining_on_dock
        );
        self.minutes(4);
        Ok(())
    }

    fn refused<T>(&self, what: &str, outcome: Result<T, Error>) -> Result<(), Error> {
        match outcome {
            Err(e) if e.kind() != dockhand_core::ErrorKind::Storage => {
                println!("  {} {what}: refused [{}] {e}", self.at(), e.code());
                Ok(())
            }
            Err(e) => Err(e),
            Ok(_) => Err(Error::invalid(
                "demo",
                format!("{what} should have been refused"),
            )),
        }
    }
}

pub fn run(db: Option<PathBuf>) -> Result<ExitCode, Error> {
    let temp =
        tempfile::tempdir().map_err(|e| Error::invalid("temporary directory", e.to_string()))?;
    let (path, kept) = match db {
        Some(path) if path.exists() => {
            return Err(Error::invalid(
                "--db",
                format!(
                    "{} already exists; the demo needs a new database file",
                    path.display()
                ),
            ));
        }
        Some(path) => (path, true),
        None => (temp.path().join("demo-device.db"), false),
    };
    let clock = Arc::new(ManualClock::at("2026-11-27T06:00:00+01:00"));
    let store = Store::open_with(
        &path,
        StoreOptions::new("handheld-07").with_clock(clock.clone()),
    )?;
    let shift = Shift { store, clock };
    let s = &shift;

    println!("dockhand demo — early shift, 2026-11-27, device handheld-07");
    println!(
        "database: {}{}",
        path.display(),
        if kept { "" } else { " (temporary)" }
    );

    println!("\n1. Master data and the Nordic Foods ASN arrive from the hub");
    let counts = catalog::upsert_master_data(&s.store, &sample::warehouse())?;
    receiving::load_expected_receipts(&s.store, &[sample::asn()])?;
    println!(
        "  {} items, {} units, {} barcodes, {} locations, {} operators; receipt {} (PO-7788) with 4 lines",
        counts.items,
        counts.units,
        counts.barcodes,
        counts.locations,
        counts.operators,
        sample::ASN
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
        approved_by: None,
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

    let (totals, balances, events, counts, integrity) = s.store.read(|c| {
        Ok((
            stock::totals_by_status(c)?,
            stock::all_balances(c)?,
            outbox::events(c, 1, usize::MAX >> 1)?,
            outbox::counts(c)?,
            dockhand_core::verify_integrity(c)?,
        ))
    })?;
    println!("\n6. Stock by status");
    report::print_totals(&totals);
    println!("\n7. Balances");
    report::print_balances(&balances);
    println!("\n8. Outbox (waiting for the hub)");
    report::print_outbox(&events, &counts);
    println!("\n9. Integrity");
    report::print_integrity(&integrity);
    if kept {
        println!(
            "\nInspect it again with: dockhand inspect {}",
            path.display()
        );
    }
    Ok(if integrity.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
