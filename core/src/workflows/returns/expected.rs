//! Customer returns announced by the ERP (RMAs), loaded from the hub: the returns bench sees what
//! is coming, and a return received under an RMA's id may hold only the items on it. An RMA
//! already received on the device is kept as it is when the hub sends it again.

use rusqlite::{Connection, OptionalExtension};

pub use dockhand_protocol::master::{ExpectedReturn, ExpectedReturnLine};

use crate::db::WriteTx;
use crate::error::{Error, Result};

/// Loads RMAs in the caller's transaction; returns the ids already received here (kept).
pub(crate) fn load_in(tx: &WriteTx<'_>, returns: &[ExpectedReturn]) -> Result<Vec<String>> {
    let conn = tx.conn();
    let mut kept = Vec::new();
    for rma in returns {
        let id = rma.return_id.trim();
        if id.is_empty() {
            return Err(Error::invalid("RMA id", "it is empty"));
        }
        let received: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM returns WHERE id = ?1)")?
            .query_row([id], |r| r.get(0))?;
        if received {
            kept.push(id.to_string());
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO expected_returns (id, reference, customer, lines) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET reference = excluded.reference,
                customer = excluded.customer, lines = excluded.lines",
        )?
        .execute((
            id,
            &rma.reference,
            &rma.customer,
            serde_json::to_string(&rma.lines)?,
        ))?;
    }
    Ok(kept)
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn build(
    (return_id, reference, customer, lines): (String, String, String, String),
) -> Result<ExpectedReturn> {
    Ok(ExpectedReturn {
        return_id,
        reference,
        customer,
        lines: serde_json::from_str(&lines)?,
    })
}

/// The RMA with this id, if the hub announced it.
pub fn expected_return(conn: &Connection, id: &str) -> Result<Option<ExpectedReturn>> {
    conn.prepare_cached(
        "SELECT id, reference, customer, lines FROM expected_returns WHERE id = ?1",
    )?
    .query_row([id.trim()], from_row)
    .optional()?
    .map(build)
    .transpose()
}

/// RMAs not received yet, by id.
pub fn open_expected_returns(conn: &Connection) -> Result<Vec<ExpectedReturn>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.reference, e.customer, e.lines FROM expected_returns e
         WHERE NOT EXISTS (SELECT 1 FROM returns r WHERE r.id = e.id) ORDER BY e.id",
    )?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|r| build(r?)).collect()
}

/// Refuses a received item that is not on the RMA the return is received under.
pub(crate) fn check_on_rma(conn: &Connection, return_id: &str, sku: &str) -> Result<()> {
    let Some(rma) = expected_return(conn, return_id)? else {
        return Ok(());
    };
    if rma.lines.iter().any(|l| l.sku == sku) {
        return Ok(());
    }
    let on_it: Vec<&str> = rma.lines.iter().map(|l| l.sku.as_str()).collect();
    Err(Error::invalid(
        "returned item",
        format!(
            "{sku} is not on RMA {} of {} (it lists {})",
            rma.return_id,
            rma.customer,
            on_it.join(", ")
        ),
    ))
}
