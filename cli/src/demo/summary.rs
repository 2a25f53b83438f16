//! The closing summary: what the shift did, in numbers read back from the shift device's own events
//! once the hub has them, and the integrity check run once more.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use dockhand_core::protocol::events::EventBody;
use dockhand_core::returns::InspectionOutcome;
use dockhand_core::{Error, StockStatus, outbox};
use uuid::Uuid;

use super::{Shift, words};

/// The shift's work, counted from its events; a voided command's events count for nothing.
#[derive(Default)]
struct Tally {
    receipts: BTreeSet<String>,
    scans: i64,
    received: i64,
    held: i64,
    putaways: i64,
    put_away: i64,
    to_quarantine: i64,
    from_returns: i64,
    orders: i64,
    picks: i64,
    picked: i64,
    short_picks: i64,
    missing: i64,
    count_tasks: BTreeSet<String>,
    rounds: i64,
    adjustments: i64,
    net_adjusted: i64,
    returns: i64,
    benches: BTreeSet<String>,
    return_lines: i64,
    decisions: BTreeMap<InspectionOutcome, i64>,
    corrections: i64,
    units_built: BTreeMap<String, i64>,
    shipments: i64,
    shipped: i64,
    replenishments: i64,
    replenished: i64,
}

impl Tally {
    fn add(&mut self, body: EventBody) {
        match body {
            EventBody::LineReceived(e) => {
                self.receipts.insert(e.receipt_id);
                self.scans += 1;
                self.received += e.base_quantity;
                if e.status == StockStatus::Quarantined {
                    self.held += e.base_quantity;
                }
            }
            EventBody::PutawayConfirmed(e) => {
                self.putaways += 1;
                self.put_away += e.base_quantity;
                if e.status_after == StockStatus::Quarantined {
                    self.to_quarantine += e.base_quantity;
                }
                if self.benches.contains(&e.from) {
                    self.from_returns += e.base_quantity;
                }
            }
            EventBody::PickTaskStarted(_) => self.orders += 1,
            EventBody::PickConfirmed(e) => {
                self.picks += 1;
                self.picked += e.base_quantity;
            }
            EventBody::PickShort(e) => {
                self.short_picks += 1;
                self.missing += e.short;
            }
            EventBody::Counted(e) => {
                self.count_tasks.insert(e.task_id);
                self.rounds += 1;
            }
            EventBody::CountAdjusted(e) => {
                self.adjustments += 1;
                self.net_adjusted += e.variance;
            }
            EventBody::ReturnReceived(e) => {
                self.returns += 1;
                self.benches.insert(e.location);
                self.return_lines += e.lines.len() as i64;
            }
            EventBody::ReturnInspected(e) => *self.decisions.entry(e.outcome).or_default() += 1,
            EventBody::Voided(_) => self.corrections += 1,
            EventBody::UnitBuilt(e) => {
                *self.units_built.entry(e.unit_kind.to_string()).or_default() += 1
            }
            EventBody::Shipped(e) => {
                self.shipments += 1;
                self.shipped += e.lines.iter().map(|l| l.base_quantity).sum::<i64>();
            }
            EventBody::ReplenishmentRaised(_) => self.replenishments += 1,
            EventBody::MoveConfirmed(e) if e.task_id.is_some() => {
                self.replenished += e.lines.iter().map(|l| l.base_quantity).sum::<i64>();
            }
            _ => {}
        }
    }

    /// The summary's lines on the work done: label and text.
    fn work(&self) -> [(&'static str, String); 8] {
        let t = self;
        [
            (
                "received",
                format!(
                    "{} units in {} on {} ({} held in quarantine)",
                    t.received,
                    words::many(t.scans, "scan"),
                    words::many(t.receipts.len() as i64, "receipt"),
                    t.held
                ),
            ),
            (
                "put away",
                format!(
                    "{} units in {} (of which {} restocked returns, {} into quarantine)",
                    t.put_away,
                    words::many(t.putaways, "putaway"),
                    t.from_returns,
                    t.to_quarantine
                ),
            ),
            (
                "picked",
                format!(
                    "{} units in {} for {}; {}, {} units not found",
                    t.picked,
                    words::many(t.picks, "pick"),
                    words::many(t.orders, "order"),
                    words::many(t.short_picks, "short pick"),
                    t.missing
                ),
            ),
            (
                "counted",
                format!(
                    "{} in {}; {}, {:+} units in all",
                    words::many(t.count_tasks.len() as i64, "count task"),
                    words::many(t.rounds, "round"),
                    words::many(t.adjustments, "stock adjustment"),
                    t.net_adjusted
                ),
            ),
            (
                "returns",
                format!(
                    "{}, {} inspected: {}",
                    words::many(t.returns, "return"),
                    words::many(t.return_lines, "line"),
                    t.decisions()
                ),
            ),
            (
                "shipped",
                format!(
                    "{} units in {}, packed into {}",
                    t.shipped,
                    words::many(t.shipments, "shipment"),
                    t.units_built
                        .iter()
                        .map(|(kind, n)| words::many(*n, kind))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            ),
            (
                "replenished",
                format!(
                    "{} raised by picks below a pick face's minimum; {} units brought from reserve",
                    words::many(t.replenishments, "task"),
                    t.replenished
                ),
            ),
            (
                "corrections",
                format!(
                    "{} voided with a supervisor's approval",
                    words::many(t.corrections, "scan")
                ),
            ),
        ]
    }

    fn decisions(&self) -> String {
        let said: Vec<String> = self
            .decisions
            .iter()
            .map(|(outcome, n)| format!("{n} {}", words::inspection(*outcome)))
            .collect();
        said.join(", ")
    }
}

fn tally(s: &Shift) -> Result<Tally, Error> {
    let events = s.store.read(|c| outbox::events(c, 1, usize::MAX >> 1))?;
    let bodies = events
        .iter()
        .map(|e| {
            EventBody::parse(&e.event_type, &e.payload)
                .map(|body| (e.event_id, body))
                .map_err(|why| Error::invalid("demo", why.to_string()))
        })
        .collect::<Result<Vec<(Uuid, EventBody)>, Error>>()?;
    let voided: HashSet<Uuid> = bodies
        .iter()
        .filter_map(|(_, body)| match body {
            EventBody::Voided(v) => Some(v.voided_event_ids.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut tally = Tally::default();
    for (id, body) in bodies {
        if !voided.contains(&id) {
            tally.add(body);
        }
    }
    Ok(tally)
}

/// Prints the closing summary; `true` when the integrity check passes after the sync.
pub(super) fn run(s: &Shift) -> Result<bool, Error> {
    let t = tally(s)?;
    let (counts, integrity) = s
        .store
        .read(|c| Ok((outbox::counts(c)?, dockhand_core::verify_integrity(c)?)))?;
    // The outbound KPIs of the whole shift (step 15 measured before anything shipped).
    let end = s.clock_now() + chrono::Duration::minutes(1);
    let k = s
        .store
        .read(|c| dockhand_core::kpis::kpis(c, s.started()?, end))?;
    println!(
        "\nShift summary, {} to {} ({}), device {}",
        s.started()?.format("%H:%M"),
        s.at(),
        s.zone(),
        s.store.device_id()
    );
    let verdict = if integrity.is_ok() && integrity.hub_buckets == 0 {
        "verified: stock equals the ledger, every event is in the hash chain"
    } else if integrity.is_ok() {
        "verified: stock equals the hub's as last pulled plus this handheld's work since, the ledger equals the events, every event is in the hash chain"
    } else {
        "FAILED: stock, ledger and events disagree"
    };
    let checks = [
        (
            "events",
            format!(
                "{} recorded, {} sent to the hub and accepted, {} waiting, {} refused",
                counts.pending + counts.acknowledged + counts.rejected,
                counts.acknowledged,
                counts.pending,
                counts.rejected
            ),
        ),
        (
            "integrity",
            format!(
                "{verdict} ({} balances, {} ledger rows, {} events)",
                integrity.balance_rows, integrity.ledger_rows, integrity.events
            ),
        ),
    ];
    let outbound = (
        "outbound",
        format!(
            "on-time ship {} ({} of {} orders by their ship-by time), pack accuracy {} ({} of {} \
             shipped orders packed right the first time)",
            crate::report::percent(k.on_time_ship_rate),
            k.shipped_on_time,
            k.shipped_with_deadline,
            crate::report::percent(k.pack_accuracy),
            k.packed_right,
            k.shipped_orders
        ),
    );
    for (label, text) in t.work().into_iter().chain([outbound]).chain(checks) {
        println!("  {label:<12} {text}");
    }
    Ok(integrity.is_ok())
}
