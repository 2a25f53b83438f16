//! Opening balances: the stock already on the shelves when dockhand goes live, loaded with the
//! import. The rows are checked together (every item and location known, each bucket once, a
//! quantity of at least one, lot, expiry and serial as the item's tracking asks, no stock at the
//! hub in the bucket yet). From a person's file, one bad row refuses them all, with a sentence per
//! row. From the ERP (its stock on hand at go-live), the data is the ERP's and cannot be fixed
//! here: a row the hub cannot take is left out with its sentence, a lot the ERP holds without an
//! expiry is taken without one, and the whole load is refused once the hub holds any stock (the
//! ERP's stock would then count the handhelds' work twice). Accepted rows become one event of the
//! hub's own: added to its stock (and so sent to every device on its next pull), never to the
//! ERP's feed.

use std::collections::HashMap;

use dockhand_protocol::events::{EventMovement, StockStatus};
use dockhand_protocol::master::{Item, Tracking};
use dockhand_protocol::sync::{
    ChangeKind, HubEventKind, HubEventOrigin, ImportResult, OpeningBalance,
};
use sha2::{Digest, Sha256};

use crate::error::{HubError, HubResult};
use crate::intake::{MAX_MOVEMENT, bucket_field_problem};
use crate::store::{BucketKey, HubEvent, ImportSource, ImportTx};

/// The most rows one import may carry (a large site's go-live holds a few hundred thousand
/// buckets).
pub const MAX_ROWS: usize = 500_000;
/// Refused rows named in the error; the rest are counted.
const PROBLEMS_SHOWN: usize = 20;

/// What the check remembers of the rows before: where each bucket, serial and lot was first seen.
#[derive(Default)]
struct Seen {
    /// Whether the hub holds any stock: at a go-live it holds none, and no bucket is looked up.
    hub_has_stock: bool,
    buckets: HashMap<BucketKey, usize>,
    serials: HashMap<(String, String), usize>,
    expiries: HashMap<(String, String), (String, usize)>,
    items: HashMap<String, Option<Tracking>>,
    locations: HashMap<String, bool>,
}

/// Checks and records `rows` inside the import's transaction.
pub fn run(
    tx: &mut dyn ImportTx,
    rows: &[OpeningBalance],
    from: &ImportSource<'_>,
    result: &mut ImportResult,
) -> HubResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if rows.len() > MAX_ROWS {
        return Err(HubError::BadRequest(format!(
            "{} opening balances in one import; at most {MAX_ROWS} (split the file by zone)",
            rows.len()
        )));
    }
    // Serialized straight from the rows (a struct's fields keep their order: the same rows give
    // the same text), without a JSON tree in between: a million rows stay a few hundred MB.
    let digest = hex::encode(Sha256::digest(serde_json::to_vec(rows)?));
    if let Some((event_id, at)) = tx.hub_event_by_digest(&digest)? {
        return Err(HubError::BadRequest(format!(
            "these {} opening balances were recorded already, as hub event {event_id} at {at}; \
             nothing was written",
            rows.len()
        )));
    }
    let from_erp = from.origin == HubEventOrigin::Erp;
    let stocked = tx.stocked_buckets()?;
    if from_erp {
        erp_load_problem(tx, stocked)?;
    }
    let mut seen = Seen {
        hub_has_stock: stocked > 0,
        ..Seen::default()
    };
    let mut problems = Vec::new();
    let mut taken = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        match row_problem(tx, row, i + 1, from_erp, &mut seen)? {
            None => taken.push(row),
            Some(problem) => problems.push(format!(
                "opening balance {} ({} × {:?} at {:?}): {problem}",
                i + 1,
                row.quantity,
                crate::body::short_text(&row.sku, 40),
                crate::body::short_text(&row.location, 40),
            )),
        }
    }
    if from_erp {
        result.opening_left_out = problems;
    } else if !problems.is_empty() {
        let more = problems.len().saturating_sub(PROBLEMS_SHOWN);
        let mut text = format!(
            "{} of {} opening balances refused, nothing written: {}",
            problems.len(),
            rows.len(),
            problems[..problems.len().min(PROBLEMS_SHOWN)].join("; ")
        );
        if more > 0 {
            text.push_str(&format!("; and {more} more"));
        }
        return Err(HubError::BadRequest(text));
    }
    if taken.is_empty() {
        return Ok(());
    }
    let movements: Vec<EventMovement> = taken.iter().map(|r| movement(r)).collect();
    let (event_id, recorded_at) = (uuid::Uuid::now_v7().to_string(), crate::now_text());
    tx.add_stock(&movements)?;
    crate::reconcile::record_moves(tx, &movements, &recorded_at, &event_id, "")?;
    for row in &taken {
        if let Some(expiry) = row.expiry {
            tx.set_lot_expiry(&row.sku, &row.lot, &expiry.to_string())?;
        }
    }
    // The event holds what it added: the hub's stock stays the sum of its events' rows.
    let body = serde_json::to_string(&taken)?;
    let units = taken.iter().map(|r| r.quantity).sum::<i64>();
    tx.record_hub_event(&HubEvent {
        event_id,
        kind: HubEventKind::OpeningBalance,
        origin: from.origin,
        source: crate::body::short_text(from.name, 200).to_string(),
        digest,
        buckets: i64::try_from(taken.len()).unwrap_or(i64::MAX),
        units,
        body,
        recorded_at,
    })?;
    result.opening_buckets += taken.len();
    result.opening_units += units;
    Ok(())
}

/// Why the ERP's stock on hand cannot be loaded at all, if it cannot: it was loaded before, or the
/// hub holds stock (handhelds' work the ERP's figures already include).
fn erp_load_problem(tx: &mut dyn ImportTx, stocked: i64) -> HubResult<()> {
    if let Some((event_id, at)) = tx.first_hub_event(
        HubEventKind::OpeningBalance.as_str(),
        HubEventOrigin::Erp.as_str(),
    )? {
        return Err(HubError::BadRequest(format!(
            "the ERP's stock on hand was loaded already, as hub event {event_id} at {at}; it is \
             loaded once, at go-live; nothing was written"
        )));
    }
    if stocked > 0 {
        let buckets = if stocked == 1 { "bucket" } else { "buckets" };
        return Err(HubError::BadRequest(format!(
            "the hub holds stock already ({stocked} {buckets}): the ERP's stock on hand is loaded \
             once, at go-live, before the handhelds record work (the ERP's figures would count \
             their work twice); nothing was written"
        )));
    }
    Ok(())
}

/// The movement an opening balance adds.
fn movement(row: &OpeningBalance) -> EventMovement {
    EventMovement {
        location: row.location.clone(),
        sku: row.sku.clone(),
        lot: row.lot.clone(),
        serial: row.serial.clone(),
        lpn: row.lpn.clone(),
        status: row.status.unwrap_or(StockStatus::Available),
        delta: row.quantity,
    }
}

/// Why row `n` cannot be taken, if it cannot.
fn row_problem(
    tx: &mut dyn ImportTx,
    row: &OpeningBalance,
    n: usize,
    from_erp: bool,
    seen: &mut Seen,
) -> HubResult<Option<String>> {
    for (name, text) in [("location", &row.location), ("SKU", &row.sku)] {
        if text.trim().is_empty() {
            return Ok(Some(format!("it names no {name}")));
        }
    }
    if let Some(problem) = bucket_field_problem(&movement(row)) {
        return Ok(Some(problem));
    }
    if row.quantity < 1 {
        return Ok(Some(format!(
            "quantity {}: an opening balance is what is on the shelf, at least 1 base unit \
             (leave empty buckets out)",
            row.quantity
        )));
    }
    if row.quantity > MAX_MOVEMENT {
        return Ok(Some(format!(
            "quantity {} is more than the {MAX_MOVEMENT} base units one bucket's opening balance \
             may hold",
            row.quantity
        )));
    }
    let Some(tracking) = tracking(tx, &row.sku, seen)? else {
        return Ok(Some(format!(
            "item {:?} is not in the hub's master data; import the item first (or in the same \
             file)",
            crate::body::short_text(&row.sku, 40)
        )));
    };
    if !location_known(tx, &row.location, seen)? {
        return Ok(Some(format!(
            "location {:?} is not in the hub's master data; import the location first (or in \
             the same file)",
            crate::body::short_text(&row.location, 40)
        )));
    }
    if let Some(problem) = tracking_problem(row, tracking, from_erp) {
        return Ok(Some(problem));
    }
    if let Some(problem) = expiry_problem(tx, row, n, seen)? {
        return Ok(Some(problem));
    }
    if !row.serial.is_empty() {
        let unit = (row.sku.clone(), row.serial.clone());
        if let Some(first) = seen.serials.get(&unit) {
            return Ok(Some(format!(
                "serial {:?} is in opening balance {first} already: one unit is on one shelf",
                crate::body::short_text(&row.serial, 40)
            )));
        }
        seen.serials.insert(unit, n);
    }
    let key = BucketKey::from(&movement(row));
    if let Some(first) = seen.buckets.get(&key) {
        return Ok(Some(format!(
            "the same bucket as opening balance {first} (location, SKU, lot, serial, LPN and \
             status): give each bucket once, with its whole quantity"
        )));
    }
    let held = if seen.hub_has_stock {
        tx.stock_of(&key)?
    } else {
        0
    };
    if held != 0 {
        return Ok(Some(format!(
            "the hub holds {held} there already; an opening balance is a bucket's first stock \
             (count the location to correct what is there)"
        )));
    }
    seen.buckets.insert(key, n);
    Ok(None)
}

/// How the hub's master data tracks `sku` (`None`: no such item).
fn tracking(tx: &mut dyn ImportTx, sku: &str, seen: &mut Seen) -> HubResult<Option<Tracking>> {
    if let Some(known) = seen.items.get(sku) {
        return Ok(*known);
    }
    let tracking = match tx.current(ChangeKind::Item.as_str(), sku)? {
        Some(json) => Some(serde_json::from_str::<Item>(&json)?.tracking),
        None => None,
    };
    seen.items.insert(sku.to_string(), tracking);
    Ok(tracking)
}

/// Whether the hub's master data has the location.
fn location_known(tx: &mut dyn ImportTx, code: &str, seen: &mut Seen) -> HubResult<bool> {
    if let Some(known) = seen.locations.get(code) {
        return Ok(*known);
    }
    let known = tx.current(ChangeKind::Location.as_str(), code)?.is_some();
    seen.locations.insert(code.to_string(), known);
    Ok(known)
}

/// Whether lot, expiry and serial are as the item's tracking asks (an expiry is not asked of the
/// ERP's lots: what it does not hold cannot be made up).
fn tracking_problem(row: &OpeningBalance, tracking: Tracking, from_erp: bool) -> Option<String> {
    let (lot, serial) = (!row.lot.is_empty(), !row.serial.is_empty());
    let item = crate::body::short_text(&row.sku, 40);
    match tracking {
        Tracking::Lot | Tracking::LotExpiry if !lot && from_erp => Some(format!(
            "item {item:?} is tracked by lot ({tracking}), and the ERP holds this stock without \
             one: count it once live"
        )),
        Tracking::Lot | Tracking::LotExpiry if !lot => Some(format!(
            "item {item:?} is tracked by lot ({tracking}): give the lot"
        )),
        Tracking::LotExpiry if row.expiry.is_none() && !from_erp => Some(format!(
            "item {item:?} is tracked by lot and expiry: give lot {:?}'s expiry",
            crate::body::short_text(&row.lot, 40)
        )),
        Tracking::Serial if !serial => Some(format!(
            "item {item:?} is tracked by serial: give each unit's serial, a row per unit"
        )),
        Tracking::Serial if row.quantity != 1 => Some(format!(
            "item {item:?} is tracked by serial: one serial is one unit, not {}",
            row.quantity
        )),
        Tracking::None | Tracking::Serial if lot => Some(format!(
            "item {item:?} is not tracked by lot ({tracking}), but the row names lot {:?}",
            crate::body::short_text(&row.lot, 40)
        )),
        Tracking::None | Tracking::Lot | Tracking::LotExpiry if serial => Some(format!(
            "item {item:?} is not tracked by serial ({tracking}), but the row names serial {:?}",
            crate::body::short_text(&row.serial, 40)
        )),
        _ if row.expiry.is_some() && !lot => {
            Some("it gives an expiry but no lot: an expiry belongs to a lot".to_string())
        }
        _ => None,
    }
}

/// Whether the row's expiry agrees with what the hub and the rows before say of its lot.
fn expiry_problem(
    tx: &mut dyn ImportTx,
    row: &OpeningBalance,
    n: usize,
    seen: &mut Seen,
) -> HubResult<Option<String>> {
    let Some(expiry) = row.expiry else {
        return Ok(None);
    };
    let expiry = expiry.to_string();
    let lot = (row.sku.clone(), row.lot.clone());
    let lot_shown = crate::body::short_text(&row.lot, 40);
    if let Some((other, first)) = seen.expiries.get(&lot) {
        if *other != expiry {
            return Ok(Some(format!(
                "lot {lot_shown:?} expires {other} in opening balance {first}, not {expiry}: a lot \
                 has one expiry"
            )));
        }
        return Ok(None);
    }
    if let Some(known) = tx.lot_expiry(&row.sku, &row.lot)?
        && known != expiry
    {
        return Ok(Some(format!(
            "the hub knows lot {lot_shown:?} to expire {known}, not {expiry}: a lot has one expiry"
        )));
    }
    seen.expiries.insert(lot, (expiry, n));
    Ok(None)
}
