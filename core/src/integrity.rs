//! `verify_integrity`: recompute what the device claims and report every difference.
//!
//! Balances are recomputed from the ledger, reservations are checked against available stock and
//! against the reserved totals the free-stock checks read, the
//! movements the events carry to the hub are summed against the ledger, and the outbox's sequence
//! and hash chain are walked. A supervisor trusts the numbers because this
//! check can say exactly which row disagrees, and `dockhand inspect` exits non-zero when any does.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::outbox::{self, ChainBreak};
use crate::stock::audit;
pub use crate::stock::audit::{BucketDifference, OverReservation, ReservedTotalDifference};

/// Everything `verify_integrity` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    /// Ledger rows checked.
    pub ledger_rows: i64,
    /// Balance rows checked.
    pub balance_rows: i64,
    /// Buckets of the hub's stock as last pulled (0 before a first stock pull: the balances are
    /// then this device's own ledger).
    pub hub_buckets: i64,
    /// Outbox events checked.
    pub events: i64,
    /// Balances that differ from the hub's stock as last pulled plus this device's events since
    /// (before a first stock pull: from the ledger).
    pub balance_differences: Vec<BucketDifference>,
    /// Reservations beyond available stock.
    pub over_reservations: Vec<OverReservation>,
    /// Buckets whose kept reserved total differs from their open reservations.
    #[serde(default)]
    pub reserved_total_differences: Vec<ReservedTotalDifference>,
    /// Stock changes the events do not carry (or carry differently) to the hub.
    pub event_differences: Vec<BucketDifference>,
    /// Gaps, broken links and altered events in the outbox.
    pub chain_breaks: Vec<ChainBreak>,
    /// Pending events behind the outbox cursor (they would never be sent).
    pub pending_behind_cursor: Vec<i64>,
}

impl IntegrityReport {
    /// True when nothing disagrees.
    pub fn is_ok(&self) -> bool {
        self.balance_differences.is_empty()
            && self.over_reservations.is_empty()
            && self.reserved_total_differences.is_empty()
            && self.event_differences.is_empty()
            && self.chain_breaks.is_empty()
            && self.pending_behind_cursor.is_empty()
    }
}

/// Recomputes balances from the ledger, checks reservations and the outbox chain.
pub fn verify_integrity(conn: &Connection) -> Result<IntegrityReport> {
    let (ledger_rows, balance_rows, hub_buckets) = audit::row_counts(conn)?;
    let events = outbox::counts(conn)?;
    Ok(IntegrityReport {
        event_differences: audit::event_differences(conn)?,
        ledger_rows,
        balance_rows,
        hub_buckets,
        events: events.pending + events.acknowledged + events.rejected,
        balance_differences: audit::balance_differences(conn)?,
        over_reservations: audit::over_reservations(conn)?,
        reserved_total_differences: audit::reserved_total_differences(conn)?,
        chain_breaks: outbox::verify_chain(conn)?,
        pending_behind_cursor: outbox::pending_behind_cursor(conn)?,
    })
}

impl crate::db::Store {
    /// [`verify_integrity`] on this store.
    pub fn verify_integrity(&self) -> Result<IntegrityReport> {
        self.read(verify_integrity)
    }
}

/// The most problems SQLite's integrity check lists before it stops.
const STORAGE_PROBLEMS: usize = 100;

/// SQLite's own check of the file: every page, b-tree, index entry and constraint
/// (`PRAGMA integrity_check`). Empty when the file is sound; otherwise what SQLite found, or the
/// error that stopped it. [`verify_integrity`] checks what the rows say; this checks that the
/// rows can be trusted to be there at all.
pub fn storage_check(conn: &Connection) -> Vec<String> {
    let run = || -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare(&format!("PRAGMA integrity_check({STORAGE_PROBLEMS})"))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    };
    match run() {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Vec::new(),
        Ok(lines) => lines,
        Err(e) => vec![format!("the check could not finish: {e}")],
    }
}
