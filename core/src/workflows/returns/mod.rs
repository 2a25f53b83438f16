//! Returns: goods a customer sent back arrive as `return_pending` at a returns bench, and each
//! line is inspected once: restock (available again, with a putaway suggestion), quarantine,
//! damaged, scrap or return to vendor (both leave inventory), with a reason code and a note.
//! The minutes from receipt to available are kept for the return-to-available KPI.

pub mod expected;

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationKind};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::putaway::{self, PutawaySuggestion};
use crate::scan::{self, ScannedGoods};
use crate::stock::{self, Bucket, Movement, StockStatus};
use dockhand_protocol::events as ev;
pub use dockhand_protocol::events::{InspectionOutcome, ReturnLine};

/// One returned line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineRequest {
    /// Line number, unique in the return, from 1.
    pub line_no: i64,
    /// Scan of the goods.
    pub scan: ScannedGoods,
    /// How many of the scanned pack.
    pub quantity: i64,
}

/// Receive a customer return at a returns bench.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiveReturn {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who receives it.
    pub operator: String,
    /// RMA number.
    pub return_id: String,
    /// Customer's or order reference.
    pub reference: String,
    /// Customer.
    pub customer: String,
    /// Returns location code.
    pub location: String,
    /// Lines.
    pub lines: Vec<ReturnLineRequest>,
}

/// Inspect one returned line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectReturnLine {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who inspects.
    pub operator: String,
    /// RMA number.
    pub return_id: String,
    /// Line.
    pub line_no: i64,
    /// Decision.
    pub outcome: InspectionOutcome,
    /// Reason code (e.g. `unopened`, `torn_packaging`).
    pub reason_code: String,
    /// Free text for the record.
    #[serde(default)]
    pub note: Option<String>,
}

/// A return with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    /// RMA number.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Customer.
    pub customer: String,
    /// Returns location code.
    pub location: String,
    /// Lines.
    pub lines: Vec<ReturnLine>,
}

/// What an inspection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineInspected {
    /// RMA number.
    pub return_id: String,
    /// Line.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Base units.
    pub quantity: i64,
    /// Decision.
    pub outcome: InspectionOutcome,
    /// Status now (`None`: left inventory).
    pub status_after: Option<StockStatus>,
    /// Where to put restocked goods.
    pub putaway: Option<PutawaySuggestion>,
    /// Minutes from receipt to available (restock).
    pub minutes_to_available: Option<i64>,
}

/// A return with its lines.
pub fn get_return(conn: &Connection, id: &str) -> Result<Return> {
    let id = id.trim();
    let mut found = conn
        .prepare_cached(
            "SELECT r.id, r.reference, r.customer, l.code FROM returns r
             JOIN locations l ON l.id = r.location_id WHERE r.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Return {
                id: r.get(0)?,
                reference: r.get(1)?,
                customer: r.get(2)?,
                location: r.get(3)?,
                lines: Vec::new(),
            })
        })
        .optional()?
        .ok_or_else(|| Error::UnknownReturn {
            return_id: id.into(),
        })?;
    found.lines = conn
        .prepare_cached(
            "SELECT rl.line_no, i.sku, rl.lot, rl.serial, rl.quantity, rl.outcome, rl.reason_code,
                    rl.minutes_to_available
             FROM return_lines rl JOIN items i ON i.id = rl.item_id
             WHERE rl.return_id = ?1 ORDER BY rl.line_no",
        )?
        .query_map([id], |r| {
            Ok(ReturnLine {
                line_no: r.get(0)?,
                sku: r.get(1)?,
                lot: r.get(2)?,
                serial: r.get(3)?,
                quantity: r.get(4)?,
                outcome: crate::text_enum::optional_column(r, 5)?,
                reason_code: r.get(6)?,
                minutes_to_available: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found)
}

/// Receives a return: every line lands as `return_pending` at the returns location.
pub fn receive_return(store: &Store, cmd: &ReceiveReturn) -> Result<Return> {
    store.command("returns.receive", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let id = cmd.return_id.trim();
        if id.is_empty() {
            return Err(Error::invalid("return id", "it is empty"));
        }
        if get_return(conn, id).is_ok() {
            return Err(Error::ReturnExists {
                return_id: id.into(),
            });
        }
        if cmd.lines.is_empty() {
            return Err(Error::invalid(
                "return lines",
                format!("return {id} has no lines"),
            ));
        }
        let bench = catalog::usable_location(
            conn,
            &cmd.location,
            &[LocationKind::Returns],
            "receiving a return",
        )?;
        conn.prepare_cached(
            "INSERT INTO returns (id, reference, customer, location_id, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((
            id,
            &cmd.reference,
            &cmd.customer,
            bench.id,
            tx.now_utc_text(),
        ))?;
        let mut seen = std::collections::HashSet::new();
        for line in &cmd.lines {
            if line.line_no < 1 || !seen.insert(line.line_no) {
                return Err(Error::invalid(
                    "line number",
                    format!("return {id} line {} is below 1 or repeated", line.line_no),
                ));
            }
            let goods = scan::identify(conn, &line.scan, false)?;
            crate::returns::expected::check_on_rma(conn, id, &goods.item.item.sku)?;
            let quantity = goods.base_quantity(line.quantity)?;
            stock::record_lot(
                tx,
                goods.item.id,
                &goods.item.item.sku,
                &goods.lot,
                goods.expiry,
            )?;
            stock::apply(
                tx,
                &Movement {
                    item_id: goods.item.id,
                    quantity,
                    from: None,
                    to: Some(Bucket {
                        location_id: bench.id,
                        lot: goods.lot.clone(),
                        serial: goods.serial.clone(),
                        lpn: String::new(),
                        status: StockStatus::ReturnPending,
                    }),
                    reason: "customer_return".into(),
                },
            )?;
            conn.prepare_cached(
                "INSERT INTO return_lines (return_id, line_no, item_id, lot, serial, quantity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute((
                id,
                line.line_no,
                goods.item.id,
                &goods.lot,
                &goods.serial,
                quantity,
            ))?;
        }
        let received = get_return(conn, id)?;
        outbox::append(
            tx,
            ev::ReturnReceived {
                return_id: received.id.clone(),
                reference: received.reference.clone(),
                customer: received.customer.clone(),
                location: received.location.clone(),
                lines: received.lines.clone(),
                movements: Vec::new(),
            },
        )?;
        Ok(received)
    })
}

/// Inspects one returned line and moves its stock by the outcome.
pub fn inspect_return_line(store: &Store, cmd: &InspectReturnLine) -> Result<ReturnLineInspected> {
    store.command("returns.inspect", cmd.op_id, &cmd.operator, cmd, |tx| {
        inspect_in(tx, cmd)
    })
}

fn inspect_in(tx: &mut WriteTx<'_>, cmd: &InspectReturnLine) -> Result<ReturnLineInspected> {
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let ret = get_return(conn, &cmd.return_id)?;
    let line = ret
        .lines
        .iter()
        .find(|l| l.line_no == cmd.line_no)
        .ok_or_else(|| Error::UnknownReturnLine {
            return_id: ret.id.clone(),
            line_no: cmd.line_no,
        })?;
    if let Some(done) = line.outcome {
        return Err(Error::WrongState {
            what: "return line".into(),
            id: format!("{} line {}", ret.id, line.line_no),
            state: format!("already inspected ({done})"),
            action: "inspected again".into(),
        });
    }
    let reason_code = cmd.reason_code.trim();
    if reason_code.is_empty() {
        return Err(Error::ReasonRequired {
            action: format!("inspecting return {} line {}", ret.id, line.line_no),
        });
    }
    let item = catalog::item_by_sku(conn, &line.sku)?;
    let bench = catalog::location_by_code(conn, &ret.location)?;
    let today = tx.now().date_naive();
    if cmd.outcome == InspectionOutcome::Restock
        && let Some(expiry) = stock::lot_expiry(conn, item.id, &line.lot)?.filter(|e| *e < today)
    {
        return Err(Error::LotExpired {
            sku: line.sku.clone(),
            lot: line.lot.clone(),
            expiry,
        });
    }
    let status_after = match cmd.outcome {
        InspectionOutcome::Restock => Some(StockStatus::Available),
        InspectionOutcome::Quarantine => Some(StockStatus::Quarantined),
        InspectionOutcome::Damaged => Some(StockStatus::Damaged),
        InspectionOutcome::Scrap | InspectionOutcome::ReturnToVendor => None,
    };
    let bucket = |status| Bucket {
        location_id: bench.id,
        lot: line.lot.clone(),
        serial: line.serial.clone(),
        lpn: String::new(),
        status,
    };
    stock::apply(
        tx,
        &Movement {
            item_id: item.id,
            quantity: line.quantity,
            from: Some(bucket(StockStatus::ReturnPending)),
            to: status_after.map(bucket),
            reason: format!("return_{}", cmd.outcome),
        },
    )?;
    let minutes_to_available = if cmd.outcome == InspectionOutcome::Restock {
        let received: String = conn
            .prepare_cached("SELECT received_at FROM returns WHERE id = ?1")?
            .query_row([&ret.id], |r| r.get(0))?;
        DateTime::parse_from_rfc3339(&received)
            .ok()
            .map(|at| (tx.now() - at).num_minutes().max(0))
    } else {
        None
    };
    let note = scan::optional_text(&cmd.note);
    conn.prepare_cached(
        "UPDATE return_lines SET outcome = ?3, reason_code = ?4, note = ?5, inspected_by = ?6,
             inspected_at = ?7, minutes_to_available = ?8
         WHERE return_id = ?1 AND line_no = ?2",
    )?
    .execute((
        &ret.id,
        line.line_no,
        cmd.outcome.as_str(),
        reason_code,
        &note,
        &cmd.operator,
        tx.now_utc_text(),
        minutes_to_available,
    ))?;
    let putaway = match status_after {
        Some(status) => putaway::suggest(conn, &item, &line.lot, status, line.quantity).ok(),
        None => None,
    };
    outbox::append(
        tx,
        ev::ReturnInspected {
            return_id: ret.id.clone(),
            reference: ret.reference.clone(),
            line_no: line.line_no,
            sku: line.sku.clone(),
            lot: line.lot.clone(),
            serial: line.serial.clone(),
            base_quantity: line.quantity,
            location: ret.location.clone(),
            outcome: cmd.outcome,
            status_after,
            reason_code: reason_code.to_string(),
            note: note.clone(),
            minutes_to_available,
            movements: Vec::new(),
        },
    )?;
    Ok(ReturnLineInspected {
        return_id: ret.id.clone(),
        line_no: line.line_no,
        sku: line.sku.clone(),
        quantity: line.quantity,
        outcome: cmd.outcome,
        status_after,
        putaway,
        minutes_to_available,
    })
}

/// A void of an inspection: the line waits for inspection again.
pub(crate) fn undo_inspection(tx: &WriteTx<'_>, inspected: &ev::ReturnInspected) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "UPDATE return_lines SET outcome = NULL, reason_code = NULL, note = NULL,
                 inspected_by = NULL, inspected_at = NULL, minutes_to_available = NULL
             WHERE return_id = ?1 AND line_no = ?2",
        )?
        .execute((&inspected.return_id, inspected.line_no))?;
    Ok(())
}
