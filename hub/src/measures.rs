//! A site measured at the hub, across every handheld: available to promise, the KPIs of a period
//! and the count risk ranking, with count tasks for the riskiest locations published to the
//! devices. The facts are kept from the events the hub accepts ([`on_accepted`]); the arithmetic
//! and the shapes are those of the devices' own ([`dockhand_protocol::measures`]).
//!
//! Kept: each line of a settling count round (no variance, adjusted, or sent for approval), each
//! pick worked (in full, in part or short), each returned line made available, each order shipped
//! (kind `ship`: `expected` 1 on time, 0 late, -1 without a ship-by time; `quantity` the units
//! taken out of its cartons again while packing; `ref` the order), and what each allocated pick
//! still holds. Voids of those are not taken back out of the measures.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, FixedOffset};
use dockhand_protocol::events::{
    CountOutcome, EventBody, InspectionOutcome, PickStatus, StockStatus,
};
use dockhand_protocol::master::{CountTaskRequest, Item, PickTaskRequest, UnitConversion};
use dockhand_protocol::measures::{
    KpiTally, Kpis, PICK_DAYS, RiskRanking, RiskSignals, SiteAtp, VARIANCE_DAYS, rank,
};
use dockhand_protocol::sync::{ChangeKind, Envelope};
use dockhand_protocol::tasks::TaskProgress;

use crate::body::short_text;
use crate::error::{HubError, HubResult};
use crate::store::{Activity, HubStore, IntakeTx};

/// The most count tasks one request for the riskiest locations makes.
pub const MAX_RISK_COUNTS: usize = 500;
/// The longest code a measured fact keeps (a device's text).
const MAX_TEXT: usize = 64;
/// The most base units one fact counts: a device's figure beyond it is taken as it (sums of many
/// stay far from overflowing).
const MAX_UNITS: i64 = 1_000_000_000_000;

/// A device's quantity, kept within 0 ..= [`MAX_UNITS`].
fn units(n: i64) -> i64 {
    n.clamp(0, MAX_UNITS)
}

/// Which pick a fact is of (a pick confirmed in parts counts once).
fn pick_ref(device: &str, task_id: &str, pick_id: i64) -> String {
    format!("{device}/{}/{pick_id}", short_text(task_id, MAX_TEXT))
}

/// Keeps what an accepted event tells the measures.
pub fn on_accepted(tx: &mut dyn IntakeTx, event: &Envelope, body: &EventBody) -> HubResult<()> {
    let device = event.device_id.as_str();
    let at = crate::reconcile::hub_time(&event.occurred_at, None)
        .unwrap_or_else(|| event.occurred_at.clone());
    // The texts come from a device: kept short, whatever it sent.
    let fact = |kind: &str, location: &str, sku: &str| Activity {
        kind: kind.into(),
        location: short_text(location, MAX_TEXT),
        sku: short_text(sku, MAX_TEXT),
        at: at.clone(),
        expected: 0,
        quantity: 0,
        adjusted: false,
        reference: String::new(),
    };
    match body {
        EventBody::PickTaskStarted(e) => {
            for p in e.picks.iter().filter(|p| p.status == PickStatus::Open) {
                let remaining = units(p.quantity)
                    .saturating_sub(units(p.picked))
                    .saturating_sub(units(p.short));
                tx.reserve((device, &e.task_id, p.id), &p.sku, remaining.max(0))?;
            }
        }
        EventBody::PickConfirmed(e) => {
            tx.record_activity(&Activity {
                quantity: units(e.base_quantity),
                reference: pick_ref(device, &e.task_id, e.pick_id),
                ..fact("pick", &e.from, &e.sku)
            })?;
            tx.take_reserved((device, &e.task_id, e.pick_id), units(e.base_quantity))?;
        }
        EventBody::PickShort(e) => {
            tx.record_activity(&Activity {
                quantity: units(e.short),
                reference: pick_ref(device, &e.task_id, e.pick_id),
                ..fact("short", &e.location, &e.sku)
            })?;
            tx.take_reserved((device, &e.task_id, e.pick_id), units(e.short))?;
        }
        EventBody::PickTaskCancelled(e) => tx.release_reserved(device, &e.task_id)?,
        // A settling round's lines count for accuracy; a round sent to recount only for the risk
        // ranking (as on the devices); a round awaiting approval counts with its approval.
        EventBody::Counted(e) if e.outcome != CountOutcome::ApprovalRequired => {
            let kind = match e.outcome {
                CountOutcome::RecountRequired => "recount",
                _ => "count",
            };
            for line in &e.lines {
                tx.record_activity(&Activity {
                    expected: units(line.expected),
                    quantity: units(line.counted),
                    adjusted: e.outcome == CountOutcome::Adjusted && line.variance != 0,
                    ..fact(kind, &line.location, &line.sku)
                })?;
            }
        }
        EventBody::CountAdjusted(e) if e.approved_by.is_some() => {
            tx.record_activity(&Activity {
                expected: units(e.expected),
                quantity: units(e.counted),
                adjusted: true,
                ..fact("count", &e.location, &e.sku)
            })?;
        }
        // An order shipped: whether by its ship-by time (expected 1, late 0, no deadline -1) and
        // the units taken out of its cartons again while packing (quantity).
        EventBody::Shipped(e) => {
            let on_time = match e.on_time(&at) {
                Some(true) => 1,
                Some(false) => 0,
                None => -1,
            };
            tx.record_activity(&Activity {
                expected: on_time,
                quantity: units(e.repacked),
                reference: short_text(&e.order_ref, MAX_TEXT),
                ..fact("ship", &e.door, "")
            })?;
        }
        EventBody::ReturnInspected(e) if e.outcome == InspectionOutcome::Restock => {
            if let Some(minutes) = e.minutes_to_available {
                tx.record_activity(&Activity {
                    expected: minutes,
                    ..fact("restock", &e.location, &e.sku)
                })?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Available to promise of the site's items (of one, when `sku` is given), by SKU.
pub fn atp(store: &dyn HubStore, site: &str, sku: Option<&str>) -> HubResult<Vec<SiteAtp>> {
    // One item's available stock through its index, not the site's whole stock.
    let one_item = match sku {
        Some(sku) => Some(
            store
                .stock_by(
                    site,
                    (crate::store::StockBy::Sku, sku),
                    StockStatus::Available.as_str(),
                    usize::MAX,
                )?
                .into_iter()
                .map(|l| (l.location, l.sku, l.quantity))
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    let mut out = Vec::new();
    store.in_site_tx(site, &mut |tx| {
        let mut by_sku: BTreeMap<String, SiteAtp> = BTreeMap::new();
        let line = |sku: &str| -> SiteAtp {
            SiteAtp {
                sku: sku.into(),
                available: 0,
                reserved: 0,
                on_order: 0,
                promisable: 0,
            }
        };
        let available = match &one_item {
            Some(lines) => lines.clone(),
            None => tx.available_stock()?,
        };
        for (_, s, qty) in available {
            by_sku
                .entry(s.clone())
                .or_insert_with(|| line(&s))
                .available += qty;
        }
        for (s, qty) in tx.reserved_by_sku()? {
            by_sku.entry(s.clone()).or_insert_with(|| line(&s)).reserved += qty;
        }
        for (s, qty) in on_order(tx)? {
            by_sku.entry(s.clone()).or_insert_with(|| line(&s)).on_order += qty;
        }
        out = by_sku
            .into_values()
            .filter(|a| sku.is_none_or(|s| a.sku == s))
            .map(|a| SiteAtp {
                promisable: a.available - a.reserved - a.on_order,
                ..a
            })
            .collect();
        Ok(())
    })?;
    if let (Some(sku), true) = (sku, out.is_empty()) {
        out.push(SiteAtp {
            sku: sku.into(),
            available: 0,
            reserved: 0,
            on_order: 0,
            promisable: 0,
        });
    }
    Ok(out)
}

/// Base units the site's pick tasks order that no handheld has started, by SKU (a line in a unit
/// the hub has no conversion for counts as base units).
fn on_order(tx: &mut dyn IntakeTx) -> HubResult<Vec<(String, i64)>> {
    let started: BTreeSet<String> = tx
        .all_progress()?
        .into_iter()
        .filter(|p| p.kind == "pick" && p.progress != TaskProgress::Open.as_str())
        .map(|p| p.task_id)
        .collect();
    let factors: HashMap<String, i64> = tx
        .all(ChangeKind::Unit.as_str())?
        .into_iter()
        .filter_map(|(key, data)| {
            let unit: UnitConversion = serde_json::from_str(&data).ok()?;
            Some((key, unit.factor))
        })
        .collect();
    let mut by_sku: BTreeMap<String, i64> = BTreeMap::new();
    for (task_id, data) in tx.all(ChangeKind::PickTask.as_str())? {
        if started.contains(&task_id) {
            continue;
        }
        let task: PickTaskRequest = serde_json::from_str(&data)?;
        for line in task.lines {
            let factor = line
                .unit
                .as_ref()
                .and_then(|u| factors.get(&format!("{}/{u}", line.sku)))
                .copied()
                .unwrap_or(1);
            *by_sku.entry(line.sku).or_default() += line.quantity.saturating_mul(factor);
        }
    }
    Ok(by_sku.into_iter().collect())
}

/// The site's items by SKU (for ABC classes and values).
fn items(tx: &mut dyn IntakeTx) -> HubResult<HashMap<String, Item>> {
    Ok(tx
        .all(ChangeKind::Item.as_str())?
        .into_iter()
        .filter_map(|(sku, data)| Some((sku, serde_json::from_str::<Item>(&data).ok()?)))
        .collect())
}

/// The KPIs of `[from, to)` at the site, with the risk ranking at `to`.
pub fn kpis(
    store: &dyn HubStore,
    site: &str,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> HubResult<Kpis> {
    let mut out = None;
    store.in_site_tx(site, &mut |tx| {
        let items = items(tx)?;
        out = Some(kpis_in(tx, &items, from, to)?);
        Ok(())
    })?;
    out.ok_or_else(|| HubError::Storage("the KPIs answered nothing".into()))
}

/// [`kpis`] inside the site's transaction, with the site's items read.
fn kpis_in(
    tx: &mut dyn IntakeTx,
    items: &HashMap<String, Item>,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> HubResult<Kpis> {
    if from >= to {
        return Err(HubError::BadRequest(format!(
            "the period from {from} to {to} is empty: from must come before to"
        )));
    }
    let (from_text, to_text) = (utc(from), utc(to));
    let mut tally = KpiTally::default();
    for f in tx.activity(&from_text, &to_text)? {
        add_fact(&mut tally, items, &f);
    }
    Ok(tally.finish((from_text, to_text), ranking(tx, items, to)?))
}

/// Adds one fact of the site's activity to a tally.
fn add_fact(tally: &mut KpiTally, items: &HashMap<String, Item>, f: &Activity) {
    match f.kind.as_str() {
        "count" => {
            let item = items.get(&f.sku);
            let abc = item.map_or("?".into(), |i| i.abc_class.to_string());
            let value = item.map_or(0, |i| i.unit_value_cents);
            tally.count(
                (&f.location, &abc, value),
                f.expected,
                f.quantity,
                f.adjusted,
            );
        }
        "pick" => tally.pick(&f.reference, false),
        "short" => tally.pick(&f.reference, true),
        "restock" => tally.restock(f.expected),
        "ship" => tally.ship(
            &f.reference,
            (f.expected >= 0).then_some(f.expected == 1),
            f.quantity == 0,
        ),
        _ => {}
    }
}

/// The KPIs of each period of `periods` (in order, not overlapping), read in one pass; without
/// a risk ranking (that is of now: [`risk`]).
pub fn trend(
    store: &dyn HubStore,
    site: &str,
    periods: &[(DateTime<FixedOffset>, DateTime<FixedOffset>)],
) -> HubResult<Vec<Kpis>> {
    let mut out = Vec::new();
    store.in_site_tx(site, &mut |tx| {
        let items = items(tx)?;
        out = trend_in(tx, &items, periods)?;
        Ok(())
    })?;
    Ok(out)
}

/// [`trend`] inside the site's transaction, with the site's items read.
fn trend_in(
    tx: &mut dyn IntakeTx,
    items: &HashMap<String, Item>,
    periods: &[(DateTime<FixedOffset>, DateTime<FixedOffset>)],
) -> HubResult<Vec<Kpis>> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(Vec::new());
    };
    let bounds: Vec<(String, String)> = periods.iter().map(|(f, t)| (utc(*f), utc(*t))).collect();
    let mut tallies: Vec<KpiTally> = periods.iter().map(|_| KpiTally::default()).collect();
    for f in tx.activity(&utc(first.0), &utc(last.1))? {
        let at = f.at.as_str();
        if let Some(i) = bounds
            .iter()
            .position(|(from, to)| from.as_str() <= at && at < to.as_str())
        {
            add_fact(&mut tallies[i], items, &f);
        }
    }
    Ok(tallies
        .into_iter()
        .zip(&bounds)
        .map(|(t, b)| t.finish(b.clone(), RiskRanking::default()))
        .collect())
}

/// The KPIs of `[from, to)` with the risk ranking at `to`, and the KPIs of each of `periods`:
/// what the console's accuracy page shows, read in one transaction with the items read once.
pub fn overview(
    store: &dyn HubStore,
    site: &str,
    (from, to): (DateTime<FixedOffset>, DateTime<FixedOffset>),
    periods: &[(DateTime<FixedOffset>, DateTime<FixedOffset>)],
) -> HubResult<(Kpis, Vec<Kpis>)> {
    let mut out = None;
    store.in_site_tx(site, &mut |tx| {
        let items = items(tx)?;
        let whole = kpis_in(tx, &items, from, to)?;
        out = Some((whole, trend_in(tx, &items, periods)?));
        Ok(())
    })?;
    out.ok_or_else(|| HubError::Storage("the KPIs answered nothing".into()))
}

/// The site's count risk ranking at `now`.
pub fn risk(
    store: &dyn HubStore,
    site: &str,
    now: DateTime<FixedOffset>,
) -> HubResult<RiskRanking> {
    let mut out = RiskRanking::default();
    store.in_site_tx(site, &mut |tx| {
        let items = items(tx)?;
        out = ranking(tx, &items, now)?;
        Ok(())
    })?;
    Ok(out)
}

/// Locations and items holding available stock, ranked as the devices rank theirs: counts off in
/// the last 180 days, picks in the last 30, value on hand, days since the last count.
fn ranking(
    tx: &mut dyn IntakeTx,
    items: &HashMap<String, Item>,
    now: DateTime<FixedOffset>,
) -> HubResult<RiskRanking> {
    let mut locations: BTreeMap<String, RiskSignals> = BTreeMap::new();
    let mut skus: BTreeMap<String, RiskSignals> = BTreeMap::new();
    for (location, sku, qty) in tx.available_stock()? {
        let value = qty.saturating_mul(items.get(&sku).map_or(0, |i| i.unit_value_cents));
        locations.entry(location).or_default().value += value;
        skus.entry(sku).or_default().value += value;
    }
    let since = utc(now - Duration::days(VARIANCE_DAYS));
    let picks_since = utc(now - Duration::days(PICK_DAYS));
    let mut picked: BTreeSet<(String, String, String)> = BTreeSet::new();
    for f in tx.activity(&since, &utc(now))? {
        match f.kind.as_str() {
            "count" | "recount" => {
                for s in [locations.get_mut(&f.location), skus.get_mut(&f.sku)]
                    .into_iter()
                    .flatten()
                {
                    s.counted += 1;
                    s.varied += i64::from(f.quantity != f.expected);
                    if s.last_count.as_deref().is_none_or(|l| l < f.at.as_str()) {
                        s.last_count = Some(f.at.clone());
                    }
                }
            }
            "pick" | "short" if f.at >= picks_since => {
                picked.insert((f.location, f.sku, f.reference));
            }
            _ => {}
        }
    }
    for (location, sku, _) in picked {
        if let Some(s) = locations.get_mut(&location) {
            s.picks += 1;
        }
        if let Some(s) = skus.get_mut(&sku) {
            s.picks += 1;
        }
    }
    Ok(RiskRanking {
        locations: rank(locations, now),
        items: rank(skus, now),
    })
}

/// Count tasks for the `top` riskiest locations of the site, published to its devices; a
/// location with a risk count of the same day already gets none. Answers the tasks made.
pub fn risk_counts(
    store: &dyn HubStore,
    site: &str,
    top: usize,
    by: &str,
    now: DateTime<FixedOffset>,
) -> HubResult<Vec<CountTaskRequest>> {
    if top == 0 || top > MAX_RISK_COUNTS {
        return Err(HubError::BadRequest(format!(
            "top {top} must be 1 to {MAX_RISK_COUNTS} locations"
        )));
    }
    let by = crate::body::name_field("by", by, "who asks for the counts")?;
    let day = now.format("%Y%m%d").to_string();
    let mut made = Vec::new();
    store.in_site_tx(site, &mut |tx| {
        made.clear();
        let items = items(tx)?;
        let ranking = ranking(tx, &items, now)?;
        for entry in ranking.locations.iter().take(top) {
            let task = CountTaskRequest {
                task_id: format!("RISK-{}-{day}", entry.key),
                location: Some(entry.key.clone()),
                sku: None,
                reason: format!(
                    "risk {:.2} (counts off {:.2}, picks {:.2}, value {:.2}, not counted {:.2}), \
                     asked by {by}",
                    entry.score,
                    entry.parts.counts_off,
                    entry.parts.picks,
                    entry.parts.value,
                    entry.parts.not_counted
                ),
            };
            let kind = ChangeKind::CountTask.as_str();
            if tx.current(kind, &task.task_id)?.is_some() {
                continue;
            }
            tx.upsert(kind, &task.task_id, &serde_json::to_string(&task)?)?;
            made.push(task);
        }
        Ok(())
    })?;
    Ok(made)
}

fn utc(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
