//! Sync with the hub (docs/sync-api.yaml): the wire types ([`protocol`]) and what the device does
//! with a page of changes. A page is applied in one transaction together with the cursor that ends
//! it, so a crash between pages resumes exactly after the last page applied. Server data never
//! overwrites local work in progress: a receipt being received, a pick or count task already on
//! the device keep the device's version (the hub's later decision arrives as its own change).

pub mod engine;
pub(crate) mod kept_local;
pub use dockhand_protocol::sync as protocol;

use serde::{Deserialize, Serialize};

use crate::catalog::{self, MasterData};
use crate::db::Store;
use crate::error::{Error, Result};
use crate::{counting, picking, receiving};
use dockhand_protocol::exceptions::{DISMISSED, RESOLVED, RETRIED};
use protocol::{Change, ChangeKind, ChangesPage};

/// What applying a page did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageApplied {
    /// Changes applied.
    pub applied: usize,
    /// Tasks and receipts the device kept as the operator left them (by id), and item or location
    /// settings it kept because stock on it depends on them (each a sentence).
    pub kept_local: Vec<String>,
}

fn rows<T: serde::de::DeserializeOwned>(changes: Vec<Change>) -> Result<Vec<T>> {
    changes
        .into_iter()
        .map(|c| {
            let (kind, key) = (c.kind, c.key);
            serde_json::from_value(c.data).map_err(|e| {
                Error::invalid(
                    "change from the hub",
                    format!("{} {key}: {e}", kind.as_str()),
                )
            })
        })
        .collect()
}

/// Applies one page of changes and stores its cursor, in one transaction.
pub fn apply_changes(store: &Store, page: &ChangesPage) -> Result<PageApplied> {
    apply_changes_owned(store, page.clone())
}

/// [`apply_changes`] taking the page (its rows are moved, not copied).
pub fn apply_changes_owned(store: &Store, page: ChangesPage) -> Result<PageApplied> {
    let total = page.changes.len();
    let mut by_kind: std::collections::BTreeMap<ChangeKind, Vec<Change>> = Default::default();
    for change in page.changes {
        by_kind.entry(change.kind).or_default().push(change);
    }
    let mut of = |kind: ChangeKind| by_kind.remove(&kind).unwrap_or_default();
    let master = MasterData {
        items: rows(of(ChangeKind::Item))?,
        units: rows(of(ChangeKind::Unit))?,
        barcodes: rows(of(ChangeKind::Barcode))?,
        locations: rows(of(ChangeKind::Location))?,
        operators: rows(of(ChangeKind::Operator))?,
        credentials: rows(of(ChangeKind::Credential))?,
    };
    let receipts: Vec<receiving::ExpectedReceipt> = rows(of(ChangeKind::ExpectedReceipt))?;
    let picks: Vec<picking::PickTaskRequest> = rows(of(ChangeKind::PickTask))?;
    let counts: Vec<counting::CountTaskRequest> = rows(of(ChangeKind::CountTask))?;
    let rmas: Vec<crate::returns::expected::ExpectedReturn> = rows(of(ChangeKind::ExpectedReturn))?;
    let rejections: Vec<protocol::EventRejection> = rows(of(ChangeKind::EventRejection))?;
    let claims: Vec<crate::claims::TaskClaim> = rows(of(ChangeKind::TaskClaim))?;
    let replenishments: Vec<crate::replenishment::SharedReplenishment> =
        rows(of(ChangeKind::ReplenishmentTask))?;
    let units: Vec<dockhand_protocol::tasks::SharedUnit> = rows(of(ChangeKind::HandlingUnit))?;
    let device = store.device_id().to_string();
    let skus: Vec<String> = master.items.iter().map(|i| i.sku.clone()).collect();
    let codes: Vec<String> = master.locations.iter().map(|l| l.code.clone()).collect();
    store.write(|tx| {
        let mut kept_local = Vec::new();
        // Stock of items and locations new to this device may have waited for them.
        let (new_skus, new_codes) = crate::stock::view::not_yet_known(tx.conn(), &skus, &codes)?;
        catalog::upsert_in(tx, &master, Some(&mut kept_local))?;
        crate::stock::view::place_waiting(tx, &new_skus, &new_codes)?;
        // Settings are kept with a sentence; tasks and receipts by id, worded for the hub.
        let mut told = kept_local.clone();
        let receipts_kept = receiving::load_expected_in(tx, &receipts)?.kept_local;
        let picks_kept = picking::load_pick_tasks_in(tx, &picks)?;
        let counts_kept = counting::load_count_tasks_in(tx, &counts)?;
        let returns_kept = crate::returns::expected::load_in(tx, &rmas)?;
        told.extend(kept_local::worded("expected receipt", &receipts_kept));
        let picks_worked = kept_local::worked(tx, "pick_tasks", &picks_kept)?;
        told.extend(kept_local::worded("pick task", &picks_worked));
        let (count_ids, count_sentences): (Vec<String>, Vec<String>) = counts_kept
            .iter()
            .cloned()
            .partition(|k| counts.iter().any(|t| t.task_id.trim() == k.trim()));
        let counts_worked = kept_local::worked(tx, "count_tasks", &count_ids)?;
        told.extend(kept_local::worded("count task", &counts_worked));
        told.extend(count_sentences);
        told.extend(kept_local::worded("expected return", &returns_kept));
        kept_local::record_in(tx, &told)?;
        kept_local.extend(receipts_kept);
        kept_local.extend(picks_kept);
        kept_local.extend(counts_kept);
        kept_local.extend(returns_kept);
        crate::claims::load_in(tx, &claims)?;
        crate::replenishment::load_shared_in(tx, &replenishments)?;
        crate::packing::load_shared_in(tx, &units)?;
        // Other devices' rejections pass by; this device's events become exceptions, and later
        // settled ones leave the list.
        for r in rejections.iter().filter(|r| r.device_id == device) {
            settle_rejection(tx, r)?;
        }
        tx.conn()
            .prepare_cached("UPDATE sync_state SET changes_cursor = ?1")?
            .execute([&page.next_cursor])?;
        Ok(PageApplied {
            applied: total,
            kept_local,
        })
    })
}

/// Applies one of this device's rejections from the hub: an event the ERP refused becomes an
/// exception; a person's decision at the hub settles it (an event taken on a retry is delivered).
fn settle_rejection(tx: &crate::WriteTx<'_>, r: &protocol::EventRejection) -> Result<()> {
    let now = tx.now_utc_text().to_string();
    let (seq, event_id) = (r.seq, r.event_id.to_string());
    let conn = tx.conn();
    if r.settled.as_deref() == Some(RETRIED) {
        conn.prepare_cached(
            "UPDATE outbox SET state = 'acknowledged', state_changed_at = ?3
             WHERE seq = ?1 AND event_id = ?2 AND state = 'rejected'",
        )?
        .execute((seq, &event_id, &now))?;
    } else {
        conn.prepare_cached(
            "UPDATE outbox SET state = 'rejected', reject_code = ?3, reject_reason = ?4,
             state_changed_at = ?5 WHERE seq = ?1 AND event_id = ?2 AND state <> 'rejected'",
        )?
        .execute((seq, &event_id, &r.code, &r.reason, &now))?;
    }
    let state = match r.settled.as_deref() {
        // Open again (an ERP refused what a retry delivered): back on the list.
        None => {
            conn.prepare_cached("DELETE FROM exception_settlements WHERE seq = ?1")?
                .execute([seq])?;
            return Ok(());
        }
        Some(state) if [RESOLVED, DISMISSED, RETRIED].contains(&state) => state,
        // A decision of a later hub version: the exception stays as it was, the page goes on.
        Some(other) => {
            tracing::warn!(%event_id, settled = other, "a settlement this version does not know");
            return Ok(());
        }
    };
    conn.prepare_cached(
        "INSERT INTO exception_settlements (seq, state, note, settled_by, settled_at)
         SELECT seq, ?3, ?4, ?5, ?6 FROM outbox WHERE seq = ?1 AND event_id = ?2
         ON CONFLICT (seq) DO UPDATE SET state = excluded.state, note = excluded.note,
         settled_by = excluded.settled_by, settled_at = excluded.settled_at",
    )?
    .execute((
        seq,
        &event_id,
        state,
        &r.note,
        r.settled_by.as_deref().unwrap_or("the hub"),
        &now,
    ))?;
    Ok(())
}

/// The cursor after the last page applied (`None` before the first pull).
pub fn changes_cursor(store: &Store) -> Result<Option<String>> {
    store.read(|c| {
        Ok(c.prepare_cached("SELECT changes_cursor FROM sync_state")?
            .query_row([], |r| r.get(0))?)
    })
}

/// Applies one page of the hub's stock and stores its cursor, in one transaction.
pub fn apply_stock_page(
    store: &Store,
    page: &protocol::StockPage,
) -> Result<crate::stock::view::StockPageApplied> {
    store.write(|tx| crate::stock::view::apply_page(tx, page))
}

/// The stock cursor after the last page applied (`None` before the first stock pull).
pub fn stock_cursor(store: &Store) -> Result<Option<String>> {
    store.read(crate::stock::view::stock_cursor)
}

/// The device's view of the site's stock at the grain of the hub's (location, item, lot, serial,
/// LPN, status): the hub's stock as last pulled plus this device's movements since.
pub fn stock_lines(store: &Store) -> Result<Vec<protocol::StockLine>> {
    store.read(crate::stock::stock_lines)
}

/// What this device's own events add to the hub's stock (its ledger summed by bucket): several
/// devices' own lines add up to the hub's stock.
pub fn own_stock_lines(store: &Store) -> Result<Vec<protocol::StockLine>> {
    store.read(crate::stock::view::own_stock_lines)
}

/// Several devices' own stock lines added up (zero buckets dropped), sorted like the hub's view.
pub fn add_stock_lines(lists: &[Vec<protocol::StockLine>]) -> Vec<protocol::StockLine> {
    type Key = (String, String, String, String, String, String);
    let mut sums: std::collections::BTreeMap<Key, i64> = Default::default();
    for line in lists.iter().flatten() {
        let key = (
            line.location.clone(),
            line.sku.clone(),
            line.lot.clone(),
            line.serial.clone(),
            line.lpn.clone(),
            line.status.clone(),
        );
        *sums.entry(key).or_default() += line.quantity;
    }
    sums.into_iter()
        .filter(|(_, q)| *q != 0)
        .map(
            |((location, sku, lot, serial, lpn, status), quantity)| protocol::StockLine {
                location,
                sku,
                lot,
                serial,
                lpn,
                status,
                quantity,
            },
        )
        .collect()
}
