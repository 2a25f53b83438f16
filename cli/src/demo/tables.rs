//! The shift on paper before it meets the hub: stock by status, balances, the outbox, the KPIs of
//! the shift and the integrity check, in the demo's words and in the site's time.

use std::collections::BTreeMap;

use chrono::Duration;
use dockhand_core::Error;
use dockhand_core::kpis::Kpis;
use dockhand_core::outbox::{self, Event, OutboxCounts};
use dockhand_core::protocol::events::EventKind;
use dockhand_core::stock::{self, Balance, StatusTotal};

use super::{Shift, words};
use crate::report;

/// Prints sections 11 to 15; `true` when the integrity check passed.
pub(super) fn run(s: &Shift) -> Result<bool, Error> {
    let (from, to) = (s.started()?, s.clock_now() + Duration::minutes(1));
    let (totals, balances, events, counts, kpis, integrity) = s.store.read(|c| {
        Ok((
            stock::totals_by_status(c)?,
            stock::all_balances(c)?,
            outbox::events(c, 1, usize::MAX >> 1)?,
            outbox::counts(c)?,
            dockhand_core::kpis::kpis(c, from, to)?,
            dockhand_core::verify_integrity(c)?,
        ))
    })?;
    println!("\n12. Stock by status");
    print_totals(&totals);
    println!("\n13. Balances");
    print_balances(&balances);
    println!("\n14. Outbox: the events recorded for the hub");
    print_outbox(s, &events, &counts);
    println!(
        "\n15. KPIs of the shift, {} to {}",
        from.format("%H:%M"),
        s.at()
    );
    print_kpis(&kpis);
    println!("\n16. Integrity");
    report::print_integrity(&integrity);
    Ok(integrity.is_ok())
}

fn print_totals(totals: &[StatusTotal]) {
    println!("  {:<15} {:>9} {:>6}", "status", "quantity", "rows");
    for t in totals {
        println!(
            "  {:<15} {:>9} {:>6}",
            words::status(t.status),
            t.quantity,
            t.rows
        );
    }
}

fn dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

fn print_balances(balances: &[Balance]) {
    println!(
        "  {:<9} {:<11} {:<8} {:<10} {:<18} {:<8} {:<14} {:>5}",
        "location", "item", "lot", "expiry", "lpn", "serial", "status", "qty"
    );
    for b in balances {
        println!(
            "  {:<9} {:<11} {:<8} {:<10} {:<18} {:<8} {:<14} {:>5}",
            b.location,
            b.sku,
            dash(&b.lot),
            b.expiry.map_or_else(|| "-".into(), |d| d.to_string()),
            dash(&b.lpn),
            dash(&b.serial),
            words::status(b.status),
            b.quantity
        );
    }
}

fn print_outbox(s: &Shift, events: &[Event], counts: &OutboxCounts) {
    println!(
        "  {} events: {} waiting for the hub, {} sent and accepted, {} refused by the hub",
        counts.last_seq, counts.pending, counts.acknowledged, counts.rejected
    );
    let mut by_kind: BTreeMap<usize, (EventKind, usize)> = BTreeMap::new();
    for kind in events
        .iter()
        .filter_map(|e| EventKind::parse(&e.event_type))
    {
        let position = EventKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        by_kind.entry(position).or_insert((kind, 0)).1 += 1;
    }
    let tally: Vec<String> = by_kind
        .values()
        .map(|(kind, n)| match n {
            1 => format!("1 {}", words::event(*kind).0),
            n => format!("{n} {}", words::event(*kind).1),
        })
        .collect();
    for chunk in tally.chunks(4) {
        println!("  {}", chunk.join(", "));
    }
    println!("  the last events, each chained to the one before by its hash:");
    for e in events.iter().skip(events.len().saturating_sub(4)) {
        println!(
            "  #{:<3} {} {:<6} {:<22} hash {}… prev {}…",
            e.seq,
            s.local(&e.occurred_at),
            e.user_id,
            words::event_type(&e.event_type),
            &e.hash[..12],
            &e.prev_hash[..12]
        );
    }
}

fn print_kpis(k: &Kpis) {
    report::print_kpi_lines(k);
    println!("  most at risk at the end of the shift (the risk score of step 8):");
    let (locations, items) = (&k.risk.locations, &k.risk.items);
    for r in locations.iter().take(3) {
        println!("    location {}", words::risk(r));
    }
    for r in items.iter().take(2) {
        println!("    item     {}", words::risk(r));
    }
}
