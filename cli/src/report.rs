//! Plain-text tables for the terminal: balances, totals by status, the outbox, integrity.

use dockhand_core::IntegrityReport;
use dockhand_core::outbox::{Event, OutboxCounts};
use dockhand_core::stock::{Balance, StatusTotal};

/// Totals per status, with quantity and rows.
pub fn print_totals(totals: &[StatusTotal]) {
    println!("  {:<15} {:>9} {:>6}", "status", "quantity", "rows");
    for t in totals {
        println!(
            "  {:<15} {:>9} {:>6}",
            t.status.as_str(),
            t.quantity,
            t.rows
        );
    }
}

/// Balance rows in walk order.
pub fn print_balances(balances: &[Balance]) {
    if balances.is_empty() {
        println!("  (no stock)");
        return;
    }
    println!(
        "  {:<9} {:<11} {:<8} {:<10} {:<18} {:<8} {:<13} {:>5}",
        "location", "item", "lot", "expiry", "lpn", "serial", "status", "qty"
    );
    for b in balances {
        println!(
            "  {:<9} {:<11} {:<8} {:<10} {:<18} {:<8} {:<13} {:>5}",
            b.location,
            b.sku,
            dash(&b.lot),
            b.expiry
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".into()),
            dash(&b.lpn),
            dash(&b.serial),
            b.status.as_str(),
            b.quantity
        );
    }
}

fn dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

/// The outbox, one line per event.
pub fn print_outbox(events: &[Event], counts: &OutboxCounts) {
    println!(
        "  {} events: {} pending, {} acknowledged, {} rejected",
        counts.last_seq, counts.pending, counts.acknowledged, counts.rejected
    );
    for e in events {
        println!(
            "  #{:<3} {:<26} {:<6} {} {}  hash {}… prev {}…",
            e.seq,
            e.event_type,
            e.user_id,
            e.occurred_at,
            e.tz_offset,
            &e.hash[..12],
            &e.prev_hash[..12]
        );
    }
}

/// The integrity verdict and every difference found.
pub fn print_integrity(report: &IntegrityReport) {
    if report.is_ok() {
        println!(
            "  OK: {} balance rows equal the sums of {} ledger rows; {} events, seq gap-free, hash chain verified",
            report.balance_rows, report.ledger_rows, report.events
        );
        return;
    }
    println!("  FAILED");
    for d in &report.balance_differences {
        println!(
            "  balance differs: {} at {} lot {:?} serial {:?} lpn {:?} {}: ledger {} vs balance {}",
            d.sku,
            d.location,
            d.lot,
            d.serial,
            d.lpn,
            d.status,
            d.ledger_quantity,
            d.balance_quantity
        );
    }
    for r in &report.over_reservations {
        println!(
            "  over-reserved: {} at {} lot {:?}: {} reserved of {} available",
            r.sku, r.location, r.lot, r.reserved, r.available
        );
    }
    for b in &report.chain_breaks {
        println!("  outbox chain: {b:?}");
    }
    for seq in &report.pending_behind_cursor {
        println!(
            "  outbox: pending event #{seq} is behind the send cursor and would never be sent"
        );
    }
}
