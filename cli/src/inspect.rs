//! `dockhand inspect DB`: what support staff look at first when a device's numbers are doubted.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use dockhand_core::{Store, SystemClock, catalog, outbox, schema, stock, storage_check};

use crate::report;

/// Exit 0 when the file and its numbers are sound, 1 when SQLite's check or dockhand's finds a
/// problem (or corruption stops the reading), 2 when it cannot be opened at all.
pub fn run(path: &Path, key: Option<&str>) -> Result<ExitCode, dockhand_core::Error> {
    let store = match Store::open_read_only(path, key, Arc::new(SystemClock)) {
        Err(e) if is_corruption(&e) => {
            print_storage(path, &[e.to_string()]);
            return Ok(ExitCode::from(1));
        }
        opened => opened?,
    };
    let storage = store.read(|c| Ok(storage_check(c)))?;
    let shown = show(&store, path);
    if let Err(e) = &shown {
        println!("\nreading stopped: {e}");
    }
    print_storage(path, &storage);
    Ok(match shown {
        Ok(true) if storage.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(_) if !storage.is_empty() => ExitCode::from(1),
        Err(e) => return Err(e),
    })
}

/// SQLite's words for a file whose pages are damaged (as opposed to missing, locked or keyed).
fn is_corruption(e: &dockhand_core::Error) -> bool {
    use dockhand_core::Error;
    let reason = match e {
        // The reason only: the path may contain any word.
        Error::DatabaseUnreadable { reason, .. } => reason.clone(),
        Error::Sqlite(e) => e.to_string(),
        _ => return false,
    };
    reason.contains("malformed") || reason.contains("corrupt")
}

fn print_storage(path: &Path, problems: &[String]) {
    println!("\nstorage (SQLite integrity_check):");
    if problems.is_empty() {
        println!("  OK: every page, b-tree and index is sound");
        return;
    }
    println!("  FAILED: the file is damaged");
    for p in problems {
        println!("  {p}");
    }
    println!(
        "  the unsent events can still be recovered: dockhand salvage {} --out salvaged.jsonl",
        path.display()
    );
}

/// Prints what the device holds; `Ok(false)` when dockhand's integrity check fails.
fn show(store: &Store, path: &Path) -> Result<bool, dockhand_core::Error> {
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
    let view = store.read(stock::view::summary)?;
    if view.pulled {
        println!(
            "  the site's stock as the hub had it at the last pull ({} buckets, with this device's events up to seq {}), plus this device's {} events since{}",
            view.hub_buckets,
            view.applied_seq,
            view.events_since,
            if view.waiting > 0 {
                format!(
                    "; {} buckets wait for items or locations this device does not know yet",
                    view.waiting
                )
            } else {
                String::new()
            }
        );
    } else {
        println!("  this device's own stock: it has not pulled the site's stock from a hub");
    }
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
    Ok(integrity.is_ok())
}
