//! `dockhand inspect DB`: what support staff look at first when a device's numbers are doubted.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use dockhand_core::{Store, SystemClock, catalog, outbox, schema, stock};

use crate::report;

pub fn run(path: &Path) -> Result<ExitCode, dockhand_core::Error> {
    let store = Store::open_read_only(path, Arc::new(SystemClock))?;
    let (counts, totals, balances, outbox_counts, rejected, version) = store.read(|c| {
        Ok((
            catalog::counts(c)?,
            stock::totals_by_status(c)?,
            stock::all_balances(c)?,
            outbox::counts(c)?,
            outbox::rejected(c)?,
            schema::version(c)?,
        ))
    })?;
    println!(
        "device {} — {} (schema version {version})",
        store.device_id(),
        path.display()
    );
    println!(
        "master data: {} items, {} units, {} barcodes, {} locations, {} operators",
        counts.items, counts.units, counts.barcodes, counts.locations, counts.operators
    );
    println!("\nstock by status:");
    report::print_totals(&totals);
    println!("\nbalances:");
    report::print_balances(&balances);
    println!(
        "\noutbox: {} events (last seq {}): {} pending, {} acknowledged, {} rejected",
        outbox_counts.pending + outbox_counts.acknowledged + outbox_counts.rejected,
        outbox_counts.last_seq,
        outbox_counts.pending,
        outbox_counts.acknowledged,
        outbox_counts.rejected
    );
    for e in &rejected {
        println!(
            "  rejected #{} {}: {} — {}",
            e.seq,
            e.event_type,
            e.reject_code.as_deref().unwrap_or("?"),
            e.reject_reason.as_deref().unwrap_or("")
        );
    }
    // KPIs of the 30 days up to the device's last event (a support copy is read as of its day).
    let last_event = store.read(|c| {
        Ok(c.query_row("SELECT MAX(occurred_at) FROM outbox", [], |r| {
            r.get::<_, Option<String>>(0)
        })?)
    })?;
    if let Some(to) = last_event.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()) {
        let to = to + chrono::Duration::minutes(1);
        let kpis =
            store.read(|c| dockhand_core::kpis::kpis(c, to - chrono::Duration::days(30), to))?;
        println!("\nKPIs, 30 days to the last event:");
        report::print_kpis(&kpis);
    }
    let integrity = store.verify_integrity()?;
    println!("\nintegrity:");
    report::print_integrity(&integrity);
    Ok(if integrity.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
