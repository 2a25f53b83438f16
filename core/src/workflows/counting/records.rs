//! Count tasks as stored, and the blind count sheet an operator sees.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text_enum::text_enum;

text_enum! {
    /// Where a count task is.
    pub enum CountTaskStatus {
        /// Waiting to be counted.
        Open => "open",
        /// First count under way (snapshot taken).
        Counting => "counting",
        /// The first count was off by more than the tolerance: count again.
        Recount => "recount",
        /// A confirmed variance waits for a supervisor.
        Approval => "approval",
        /// Counted and adjusted.
        Done => "done",
        /// Cancelled.
        Cancelled => "cancelled",
    }
}

/// A count task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountTask {
    /// Task id.
    pub id: String,
    /// Location counted (location counts).
    pub location: Option<String>,
    /// Item counted (item counts).
    pub sku: Option<String>,
    /// `hub`, `local`, `short_pick` or `risk`.
    pub source: String,
    /// Why.
    pub reason: String,
    /// Progress.
    pub status: CountTaskStatus,
    /// Rounds counted so far.
    pub round: i64,
    /// Who counted first (a recount needs someone else).
    pub first_counter: Option<String>,
}

/// What the operator is asked to count: places, never quantities (blind count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountSheet {
    /// Task id.
    pub task_id: String,
    /// Round about to be counted (1 = first count).
    pub round: i64,
    /// Locations to count, in walk order.
    pub locations: Vec<String>,
    /// The item to count, for item counts (everything found, for location counts).
    pub sku: Option<String>,
}

pub(super) fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM count_tasks WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A count of the location not finished yet (open, counting, recount or waiting for approval).
pub(crate) fn unfinished_count(conn: &Connection, location_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM count_tasks WHERE location_id = ?1
             AND status IN ('open', 'counting', 'recount', 'approval') ORDER BY created_at LIMIT 1",
        )?
        .query_row([location_id], |r| r.get(0))
        .optional()?)
}

fn task_from_row(r: &Row<'_>) -> rusqlite::Result<CountTask> {
    Ok(CountTask {
        id: r.get(0)?,
        location: r.get(1)?,
        sku: r.get(2)?,
        source: r.get(3)?,
        reason: r.get(4)?,
        status: r.get(5)?,
        round: r.get(6)?,
        first_counter: r.get(7)?,
    })
}

const TASK_SELECT: &str = "SELECT t.id, l.code, i.sku, t.source, t.reason, t.status, t.round,
            t.first_counter
     FROM count_tasks t
     LEFT JOIN locations l ON l.id = t.location_id
     LEFT JOIN items i ON i.id = t.item_id";

/// A count task.
pub fn count_task(conn: &Connection, id: &str) -> Result<CountTask> {
    let id = id.trim();
    conn.prepare_cached(&format!("{TASK_SELECT} WHERE t.id = ?1"))?
        .query_row([id], task_from_row)
        .optional()?
        .ok_or_else(|| Error::UnknownCountTask { task_id: id.into() })
}

/// Count tasks not finished yet, oldest first.
pub fn open_count_tasks(conn: &Connection) -> Result<Vec<CountTask>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{TASK_SELECT} WHERE t.status IN ('open', 'counting', 'recount', 'approval')
         ORDER BY t.created_at, t.id"
    ))?;
    let rows = stmt.query_map([], task_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The locations a task covers: its location, or every location holding (or snapshotted with)
/// its item, in walk order.
pub(super) fn scope(conn: &Connection, task_id: &str) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.code FROM count_tasks t JOIN locations l ON l.id = t.location_id
         WHERE t.id = ?1
         UNION
         SELECT l.id, l.code FROM count_snapshots s JOIN locations l ON l.id = s.location_id
         WHERE s.task_id = ?1
",
    )?;
    let mut rows: Vec<(i64, String, i64)> = stmt
        .query_map([task_id], |r| Ok((r.get(0)?, r.get(1)?, 0)))?
        .collect::<rusqlite::Result<_>>()?;
    // An item counted everywhere: also wherever it is now.
    let (location_id, item_id): (Option<i64>, Option<i64>) = conn
        .prepare_cached("SELECT location_id, item_id FROM count_tasks WHERE id = ?1")?
        .query_row([task_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if location_id.is_none() && item_id.is_some() {
        for (_, location, _, _) in crate::stock::countable(conn, None, item_id)? {
            if !rows.iter().any(|r| r.0 == location) {
                let code = crate::catalog::location_by_id(conn, location)?
                    .location
                    .code;
                rows.push((location, code, 0));
            }
        }
    }
    for row in &mut rows {
        row.2 = crate::catalog::location_by_id(conn, row.0)?
            .location
            .pick_sequence;
    }
    rows.sort_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1)));
    Ok(rows.into_iter().map(|(id, code, _)| (id, code)).collect())
}

/// The blind sheet of a task: where to count, never what the system expects.
pub fn count_sheet(conn: &Connection, task_id: &str) -> Result<CountSheet> {
    let task = count_task(conn, task_id)?;
    Ok(CountSheet {
        task_id: task.id.clone(),
        round: task.round + 1,
        locations: scope(conn, &task.id)?
            .into_iter()
            .map(|(_, code)| code)
            .collect(),
        sku: task.sku,
    })
}
