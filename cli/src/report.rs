//! Plain-text tables for the terminal: balances, totals by status, KPIs, integrity.

use dockhand_core::IntegrityReport;
use dockhand_core::kpis::Kpis;
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

pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0))
}

/// KPIs of a period.
pub fn print_kpis(k: &Kpis) {
    println!("  period {} .. {}", k.from, k.to);
    print_kpi_lines(k);
    let risk: Vec<String> = k
        .risk
        .locations
        .iter()
        .take(3)
        .map(|r| format!("{} {:.2}", r.key, r.score))
        .chain(
            k.risk
                .items
                .iter()
                .take(2)
                .map(|r| format!("{} {:.2}", r.key, r.score)),
        )
        .collect();
    println!("  most at risk: {}", risk.join(", "));
}

/// The KPIs' lines after their period: accuracy (by ABC class and location), adjustment rate,
/// return-to-available time, short-pick rate, on-time ship and pack accuracy.
pub fn print_kpi_lines(k: &Kpis) {
    let by_class: Vec<String> = k
        .accuracy_by_abc
        .iter()
        .map(|a| format!("{} {}", a.key, percent(Some(a.accuracy))))
        .collect();
    println!(
        "  inventory accuracy {} of {} counted lines; by ABC class: {}",
        percent(k.accuracy),
        k.counted_lines,
        by_class.join(", ")
    );
    let by_location: Vec<String> = k
        .accuracy_by_location
        .iter()
        .map(|a| format!("{} {}/{}", a.key, a.accurate_lines, a.counted_lines))
        .collect();
    println!("  accurate lines by location: {}", by_location.join(", "));
    println!(
        "  adjustment rate {} of units ({} of {}), {} of value ({} of {})",
        percent(k.adjustment_rate),
        k.adjusted_units,
        k.counted_units,
        percent(k.adjustment_rate_by_value),
        money(k.adjusted_value_cents),
        money(k.counted_value_cents)
    );
    let minutes = |m: Option<f64>| m.map_or_else(|| "-".into(), |m| format!("{m:.0} min"));
    println!(
        "  return to available: median {}, p90 {} over {} restocked lines",
        minutes(k.return_to_available_median_minutes),
        minutes(k.return_to_available_p90_minutes),
        k.restocked_lines
    );
    println!(
        "  short-pick rate {} ({} of {} picks)",
        percent(k.short_pick_rate),
        k.short_picks,
        k.picks
    );
    if k.shipped_orders == 0 {
        println!("  on-time ship and pack accuracy: no order shipped in the period");
        return;
    }
    println!(
        "  on-time ship {} ({} of {} orders with a ship-by time); pack accuracy {} ({} of {} \
         shipped orders packed right the first time)",
        percent(k.on_time_ship_rate),
        k.shipped_on_time,
        k.shipped_with_deadline,
        percent(k.pack_accuracy),
        k.packed_right,
        k.shipped_orders
    );
}

/// An amount of money from cents, e.g. `156.92`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// The integrity verdict and every difference found.
pub fn print_integrity(report: &IntegrityReport) {
    if report.is_ok() && report.hub_buckets == 0 {
        println!(
            "  OK: {} balance rows equal the sums of {} ledger rows; {} events, seq gap-free, hash chain verified",
            report.balance_rows, report.ledger_rows, report.events
        );
        return;
    }
    if report.is_ok() {
        println!(
            "  OK: {} balance rows equal the hub's {} buckets as last pulled plus this device's events since; {} ledger rows match the events; {} events, seq gap-free, hash chain verified",
            report.balance_rows, report.hub_buckets, report.ledger_rows, report.events
        );
        return;
    }
    println!("  FAILED");
    let differences = [
        ("balance", &report.balance_differences),
        ("movements in events", &report.event_differences),
    ];
    for (compared, list) in differences {
        for d in list {
            println!(
                "  {compared} differs: {} at {} lot {:?} serial {:?} lpn {:?} {}: ledger {} vs {compared} {}",
                d.sku,
                d.location,
                d.lot,
                d.serial,
                d.lpn,
                d.status,
                d.ledger_quantity,
                d.compared_quantity
            );
        }
    }
    for r in &report.over_reservations {
        println!(
            "  over-reserved: {} at {} lot {:?}: {} reserved of {} available",
            r.sku, r.location, r.lot, r.reserved, r.available
        );
    }
    for r in &report.reserved_total_differences {
        println!(
            "  reserved total: {} at {} lot {:?}: {} kept, {} reserved by the open reservations",
            r.sku, r.location, r.lot, r.kept, r.reserved
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
