//! Putaway: move goods from a dock to where they will be stored.
//!
//! The device suggests a destination ([`suggest_putaway`]); the operator goes there and scans the
//! location's check string to confirm ([`confirm_putaway`]). `received` goods become `available`;
//! quarantined goods stay quarantined and may only go to a quarantine location. Choosing another
//! destination than the suggestion needs a reason; part of a pallet (LPN) may be moved.

mod suggest;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::catalog::{self, LocationKind, LocationRecord, LocationStatus};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::scan::{self, IdentifiedGoods, ScannedGoods};
use crate::stock::{self, Bucket, Movement, StockStatus};
use dockhand_protocol::events as ev;

pub use suggest::{PutawaySuggestion, SuggestionRule, suggest};

/// Goods on a dock to put away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutawayRequest {
    /// Dock location code the goods are on.
    pub from: String,
    /// Scan of the goods.
    pub scan: ScannedGoods,
    /// License plate, when putting away (part of) a pallet.
    #[serde(default)]
    pub lpn: Option<String>,
}

/// What is on the dock and where it should go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutawayTask {
    /// Item SKU.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// License plate.
    pub lpn: String,
    /// Status on the dock (`received` or `quarantined`).
    pub status: StockStatus,
    /// Base units on the dock for these goods.
    pub on_dock: i64,
    /// Base units one scan of the scanned code stands for: `on_dock / base_per_scan` is the
    /// quantity of a confirm that takes everything (no second look-up of the scan by the app).
    pub base_per_scan: i64,
    /// Where to take them.
    pub suggestion: PutawaySuggestion,
}

/// Confirm a putaway at the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmPutaway {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who moves the goods.
    pub operator: String,
    /// Dock location code the goods come from.
    pub from: String,
    /// Scan of the goods.
    pub scan: ScannedGoods,
    /// License plate the goods are on.
    #[serde(default)]
    pub lpn: Option<String>,
    /// How many of the scanned pack are moved.
    pub quantity: i64,
    /// Destination location code.
    pub to: String,
    /// What the scanner read at the destination: its label's check string, proof that the operator
    /// is there. Only a scan proves it: apps never read it from the database.
    pub location_scan: String,
    /// Why the suggestion was not followed.
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// What a putaway did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutawayConfirmed {
    /// Item SKU.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// License plate on the dock.
    pub lpn: String,
    /// License plate at the destination ("" when part of a pallet was broken out).
    pub lpn_after: String,
    /// Base units moved.
    pub base_quantity: i64,
    /// Dock location code.
    pub from: String,
    /// Destination location code.
    pub to: String,
    /// Status on the dock.
    pub status_before: StockStatus,
    /// Status at the destination.
    pub status_after: StockStatus,
    /// The suggested location, when one could be made.
    pub suggested: Option<String>,
    /// Why the suggestion was not followed.
    pub override_reason: Option<String>,
    /// Base units of these goods still on the dock.
    pub remaining_on_dock: i64,
    /// The event recorded.
    pub event_id: Uuid,
}

/// Goods found on a dock (or returns bench) for a putaway, with what they will be after it.
struct OnDock {
    goods: IdentifiedGoods,
    from: LocationRecord,
    lpn: String,
    bucket: Bucket,
    on_dock: i64,
    /// Why the goods must go to quarantine, when they must.
    hold: Option<String>,
    status_after: StockStatus,
}

/// Finds the scanned goods at `from` (received first, then quarantined, then — on a returns
/// bench — restocked available goods) and checks there are `requested` of them, not expired.
fn goods_on_dock(
    conn: &Connection,
    today: NaiveDate,
    from: &str,
    scan: &ScannedGoods,
    lpn: &Option<String>,
    requested: Option<i64>,
) -> Result<OnDock> {
    let from = catalog::location_by_code(conn, from)?;
    if !matches!(
        from.location.kind,
        LocationKind::Dock | LocationKind::Returns
    ) {
        return Err(Error::WrongLocationType {
            code: from.location.code,
            actual: from.location.kind.to_string(),
            expected: "dock or returns".into(),
            action: "putaway from".into(),
        });
    }
    let goods = scan::identify(conn, scan, false)?;
    let requested = requested
        .map(|count| goods.base_quantity(count))
        .transpose()?;
    let lpn = scan::plate(lpn);
    let mut statuses = vec![StockStatus::Received, StockStatus::Quarantined];
    if from.location.kind == LocationKind::Returns {
        // After inspection: restocked (available) and damaged goods leave the bench too.
        statuses.extend([StockStatus::Available, StockStatus::Damaged]);
    }
    let mut found = None;
    for &status in &statuses {
        let bucket = Bucket {
            location_id: from.id,
            lot: goods.lot.clone(),
            serial: goods.serial.clone(),
            lpn: lpn.clone(),
            status,
        };
        let on_hand = stock::bucket_quantity(conn, goods.item.id, &bucket)?;
        if on_hand > 0 {
            found = Some((bucket, on_hand));
            break;
        }
    }
    let sku = goods.item.item.sku.clone();
    let Some((bucket, on_dock)) = found else {
        let lpns = stock::lpns_holding(conn, goods.item.id, from.id, &goods.lot)?;
        if lpn.is_empty() && !lpns.is_empty() {
            return Err(Error::OnPallet {
                sku,
                lot: goods.lot.clone(),
                location: from.location.code.clone(),
                lpns: lpns.join(", "),
            });
        }
        return Err(Error::InsufficientStock {
            sku,
            lot: goods.lot.clone(),
            location: from.location.code.clone(),
            status: "received".into(),
            on_hand: 0,
            requested: requested.unwrap_or(1),
        });
    };
    if let Some(requested) = requested.filter(|r| *r > on_dock) {
        return Err(Error::InsufficientStock {
            sku,
            lot: goods.lot.clone(),
            location: from.location.code.clone(),
            status: bucket.status.to_string(),
            on_hand: on_dock,
            requested,
        });
    }
    // Goods may have expired, or become short-dated, while they waited on the dock.
    let mut hold =
        (bucket.status == StockStatus::Quarantined).then(|| "held on receipt".to_string());
    if let Some(expiry) = stock::lot_expiry(conn, goods.item.id, &goods.lot)? {
        if expiry < today {
            return Err(Error::LotExpired {
                sku,
                lot: goods.lot.clone(),
                expiry,
            });
        }
        let days_left = (expiry - today).num_days();
        let min = i64::from(goods.item.item.min_shelf_life_days);
        if bucket.status != StockStatus::Quarantined && days_left < min {
            hold = Some(format!(
                "short-dated: {days_left} days left, {min} required"
            ));
        }
    }
    let status_after = if bucket.status == StockStatus::Damaged {
        StockStatus::Damaged
    } else if hold.is_some() {
        StockStatus::Quarantined
    } else {
        StockStatus::Available
    };
    Ok(OnDock {
        goods,
        from,
        lpn,
        bucket,
        on_dock,
        hold,
        status_after,
    })
}

/// What is on the dock for a scan, and where it should go.
pub fn suggest_putaway(store: &Store, request: &PutawayRequest) -> Result<PutawayTask> {
    let today = store.clock().today();
    store.read(|conn| {
        let found = goods_on_dock(
            conn,
            today,
            &request.from,
            &request.scan,
            &request.lpn,
            None,
        )?;
        let suggestion = suggest(
            conn,
            &found.goods.item,
            &found.goods.lot,
            found.status_after,
            found.on_dock,
        )?;
        Ok(PutawayTask {
            sku: found.goods.item.item.sku.clone(),
            lot: found.goods.lot,
            lpn: found.lpn,
            status: found.bucket.status,
            on_dock: found.on_dock,
            base_per_scan: found.goods.base_per_scan,
            suggestion,
        })
    })
}

/// Confirms a putaway: validates the destination and its check string, moves the goods.
pub fn confirm_putaway(store: &Store, cmd: &ConfirmPutaway) -> Result<PutawayConfirmed> {
    store.command("putaway.confirm", cmd.op_id, &cmd.operator, cmd, |tx| {
        confirm_in(tx, cmd)
    })
}

fn confirm_in(tx: &mut WriteTx<'_>, cmd: &ConfirmPutaway) -> Result<PutawayConfirmed> {
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let today = tx.now().date_naive();
    let found = goods_on_dock(
        conn,
        today,
        &cmd.from,
        &cmd.scan,
        &cmd.lpn,
        Some(cmd.quantity),
    )?;
    let OnDock {
        goods,
        from,
        lpn,
        bucket,
        on_dock,
        hold,
        status_after,
    } = found;
    let base_quantity = goods.base_quantity(cmd.quantity)?;
    let to = check_destination(tx, cmd, &goods, hold.as_deref(), status_after)?;
    stock::check_room(tx.conn(), &to, base_quantity)?;
    let suggested = match suggest(
        tx.conn(),
        &goods.item,
        &goods.lot,
        status_after,
        base_quantity,
    ) {
        Ok(s) => Some(s.location),
        Err(Error::NoPutawayLocation { .. }) => None,
        Err(e) => return Err(e),
    };
    let overridden = suggested.as_deref() != Some(to.location.code.as_str());
    let override_reason = scan::optional_text(&cmd.override_reason).filter(|_| overridden);
    if overridden && override_reason.is_none() {
        return Err(Error::OverrideReasonRequired {
            suggested: suggested.unwrap_or_else(|| "none (no location fits the rules)".into()),
            chosen: to.location.code,
        });
    }
    // The plate goes along only when the whole pallet (every item on it) moves.
    let whole_pallet =
        !lpn.is_empty() && stock::lpn_quantity(conn, from.id, &lpn)? == base_quantity;
    let lpn_after = if whole_pallet {
        lpn.clone()
    } else {
        String::new()
    };
    stock::apply(
        tx,
        &Movement {
            item_id: goods.item.id,
            quantity: base_quantity,
            from: Some(bucket.clone()),
            to: Some(Bucket {
                location_id: to.id,
                lot: goods.lot.clone(),
                serial: goods.serial.clone(),
                lpn: lpn_after.clone(),
                status: status_after,
            }),
            reason: if overridden {
                "putaway_override"
            } else {
                "putaway"
            }
            .into(),
        },
    )?;
    let mut result = PutawayConfirmed {
        sku: goods.item.item.sku.clone(),
        lot: goods.lot.clone(),
        serial: goods.serial.clone(),
        lpn,
        lpn_after,
        base_quantity,
        from: from.location.code.clone(),
        to: to.location.code.clone(),
        status_before: bucket.status,
        status_after,
        suggested,
        override_reason,
        remaining_on_dock: on_dock - base_quantity,
        event_id: Uuid::nil(),
    };
    let event = outbox::append(
        tx,
        ev::PutawayConfirmed {
            sku: result.sku.clone(),
            lot: result.lot.clone(),
            serial: result.serial.clone(),
            lpn: result.lpn.clone(),
            lpn_after: result.lpn_after.clone(),
            base_quantity,
            base_unit: goods.item.item.base_unit.clone(),
            from: result.from.clone(),
            to: result.to.clone(),
            to_zone: to.location.zone.clone(),
            status_before: result.status_before,
            status_after,
            hold_reason: hold,
            suggested: result.suggested.clone(),
            override_reason: result.override_reason.clone(),
            movements: Vec::new(),
        },
    )?;
    result.event_id = event.event_id;
    Ok(result)
}

/// The destination exists, is active, is the one whose label was scanned, and fits the goods.
fn check_destination(
    tx: &WriteTx<'_>,
    cmd: &ConfirmPutaway,
    goods: &IdentifiedGoods,
    hold: Option<&str>,
    status_after: StockStatus,
) -> Result<LocationRecord> {
    let to = catalog::location_by_code(tx.conn(), &cmd.to)?;
    if to.location.status == LocationStatus::Blocked {
        return Err(Error::LocationBlocked {
            code: to.location.code,
        });
    }
    catalog::check_presence(&to, &cmd.location_scan)?;
    if status_after == StockStatus::Damaged {
        if to.location.kind != LocationKind::Damaged {
            return Err(Error::WrongLocationType {
                code: to.location.code,
                actual: to.location.kind.to_string(),
                expected: LocationKind::Damaged.to_string(),
                action: "putaway of damaged goods".into(),
            });
        }
        return Ok(to);
    }
    let quarantined = hold.is_some();
    if let Some(hold) = hold
        && to.location.kind != LocationKind::Quarantine
    {
        let reason = if goods.item.item.inspection_required {
            "inspection required".to_string()
        } else {
            hold.to_string()
        };
        return Err(Error::QuarantineLocationRequired {
            sku: goods.item.item.sku.clone(),
            lot: goods.lot.clone(),
            reason,
            location: to.location.code,
        });
    }
    if !quarantined
        && !matches!(
            to.location.kind,
            LocationKind::Storage | LocationKind::PickFace
        )
    {
        return Err(Error::WrongLocationType {
            code: to.location.code,
            actual: to.location.kind.to_string(),
            expected: "storage or pick face".into(),
            action: "putaway of available stock".into(),
        });
    }
    Ok(to)
}
