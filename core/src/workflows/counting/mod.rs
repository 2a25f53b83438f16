//! Cycle counting: blind counts of a location or of an item, reconciled against stock that moves
//! while the count is under way, adjusted within tolerance, recounted or approved beyond it.
//!
//! Tasks come from the hub, from short picks ([`request_location_count`]), from the risk ranking
//! ([`generate_risk_counts`]) or are created on the device. Starting a count snapshots the system
//! quantity and remembers the ledger position; each counted line carries the moment it was
//! counted, so a pick confirmed in between is part of the expected quantity, not a variance.

mod count;
mod records;
pub mod risk;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationKind, LocationStatus};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use dockhand_protocol::events as ev;

pub(crate) use count::undo_adjustment;
pub use count::{
    ApproveCount, CountLineResult, CountSubmitted, CountedLine, StartCount, SubmitCount,
    approve_count, start_count, submit_count,
};
pub use dockhand_protocol::events::CountOutcome;
pub use dockhand_protocol::master::CountTaskRequest;
pub use records::{
    CountSheet, CountTask, CountTaskStatus, count_sheet, count_task, open_count_tasks,
};
pub use risk::{RiskEntry, RiskParts, RiskRanking, risk_ranking};

/// Create a count task on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCountTask {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who creates it.
    pub operator: String,
    /// The task.
    pub task: CountTaskRequest,
}

/// Create count tasks for the locations most at risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateRiskCounts {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who asks for them.
    pub operator: String,
    /// How many locations to count.
    pub how_many: usize,
}

fn insert_task(tx: &WriteTx<'_>, task: &CountTaskRequest, source: &str) -> Result<String> {
    let conn = tx.conn();
    let id = task.task_id.trim();
    if id.is_empty() {
        return Err(Error::invalid("count task id", "it is empty"));
    }
    if records::exists(conn, id)? {
        return Err(Error::WrongState {
            what: "count task".into(),
            id: id.into(),
            state: "already on this device".into(),
            action: "created again".into(),
        });
    }
    let location = match task
        .location
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => {
            // Staging and shipping hold goods in transit, which a count does not cover.
            let loc = catalog::usable_location(
                conn,
                code,
                &[
                    LocationKind::Dock,
                    LocationKind::Storage,
                    LocationKind::PickFace,
                    LocationKind::Quarantine,
                    LocationKind::Returns,
                    LocationKind::Damaged,
                ],
                "counting",
            )?;
            if let Some(other) = records::unfinished_count(conn, loc.id)? {
                return Err(Error::WrongState {
                    what: "location".into(),
                    id: loc.location.code,
                    state: format!("being counted by task {other}"),
                    action: "given a second count".into(),
                });
            }
            Some(loc.id)
        }
        None => None,
    };
    let item = match task.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(sku) => Some(catalog::item_by_sku(conn, sku)?.id),
        None => None,
    };
    if location.is_none() && item.is_none() {
        return Err(Error::invalid(
            "count task",
            format!("task {id} names neither a location nor an item"),
        ));
    }
    conn.prepare_cached(
        "INSERT INTO count_tasks (id, location_id, item_id, source, reason, status, round, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'open', 0, ?6)",
    )?
    .execute((id, location, item, source, task.reason.trim(), tx.now_utc_text()))?;
    Ok(id.to_string())
}

fn task_created_event(tx: &WriteTx<'_>, task_id: &str) -> Result<CountTask> {
    let task = records::count_task(tx.conn(), task_id)?;
    outbox::append(
        tx,
        ev::CountTaskCreated {
            task_id: task.id.clone(),
            location: task.location.clone(),
            sku: task.sku.clone(),
            source: task.source.clone(),
            reason: task.reason.clone(),
        },
    )?;
    Ok(task)
}

/// Creates a count task on the device.
pub fn create_count_task(store: &Store, cmd: &CreateCountTask) -> Result<CountTask> {
    store.command("counting.create", cmd.op_id, &cmd.operator, cmd, |tx| {
        catalog::operator(tx.conn(), &cmd.operator)?;
        let id = insert_task(tx, &cmd.task, "local")?;
        task_created_event(tx, &id)
    })
}

/// Loads count tasks sent by the hub; tasks already on the device are kept and listed, and a task
/// the device cannot take (its location is being counted already, or is blocked) is left out with
/// a sentence: one task must not stop the rest of the hub's changes.
pub fn load_count_tasks(store: &Store, tasks: &[CountTaskRequest]) -> Result<Vec<String>> {
    store.write(|tx| load_count_tasks_in(tx, tasks))
}

/// [`load_count_tasks`] inside the caller's transaction (a page of changes from the hub).
pub(crate) fn load_count_tasks_in(
    tx: &WriteTx<'_>,
    tasks: &[CountTaskRequest],
) -> Result<Vec<String>> {
    let mut kept = Vec::new();
    for task in tasks {
        if records::exists(tx.conn(), task.task_id.trim())? {
            kept.push(task.task_id.clone());
            continue;
        }
        match insert_task(tx, task, "hub") {
            Ok(_) => {}
            Err(e) if e.kind() != crate::error::ErrorKind::Storage => {
                kept.push(format!(
                    "count task {} from the hub not taken: {e}",
                    task.task_id
                ));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(kept)
}

/// Asks for a count of a location (after a short pick): reuses a count of that location that has
/// not started yet, otherwise creates one. Returns the task id.
pub fn request_location_count(
    tx: &WriteTx<'_>,
    location_id: i64,
    source: &str,
    reason: &str,
) -> Result<Option<String>> {
    let conn = tx.conn();
    // Any count of the location not finished yet covers the request (it will see the same shelf).
    if let Some(id) = records::unfinished_count(conn, location_id)? {
        return Ok(Some(id));
    }
    let location = catalog::location_by_id(conn, location_id)?;
    if location.location.status == LocationStatus::Blocked {
        // A blocked location cannot be counted now; the short pick itself is recorded.
        return Ok(None);
    }
    let mut n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM count_tasks WHERE location_id = ?1")?
        .query_row([location_id], |r| r.get(0))?;
    let id = loop {
        n += 1;
        let id = format!("CC-{}-{n}", location.location.code);
        if !records::exists(conn, &id)? {
            break id;
        }
    };
    insert_task(
        tx,
        &CountTaskRequest {
            task_id: id.clone(),
            location: Some(location.location.code),
            sku: None,
            reason: reason.into(),
        },
        source,
    )?;
    Ok(Some(id))
}

/// Creates count tasks for the `how_many` locations most at risk that have no count waiting.
pub fn generate_risk_counts(store: &Store, cmd: &GenerateRiskCounts) -> Result<Vec<CountTask>> {
    store.command("counting.generate", cmd.op_id, &cmd.operator, cmd, |tx| {
        catalog::operator(tx.conn(), &cmd.operator)?;
        let ranking = risk::risk_ranking(tx.conn(), tx.now())?;
        let mut created = Vec::new();
        for entry in ranking.locations {
            if created.len() >= cmd.how_many {
                break;
            }
            let loc = catalog::location_by_code(tx.conn(), &entry.key)?;
            if loc.location.status == LocationStatus::Blocked
                || records::unfinished_count(tx.conn(), loc.id)?.is_some()
            {
                continue;
            }
            let earlier: i64 = tx
                .conn()
                .prepare_cached("SELECT COUNT(*) FROM count_tasks WHERE location_id = ?1")?
                .query_row([loc.id], |r| r.get(0))?;
            let id = format!("RC-{}-{}", entry.key, earlier + 1);
            insert_task(
                tx,
                &CountTaskRequest {
                    task_id: id.clone(),
                    location: Some(entry.key.clone()),
                    sku: None,
                    reason: format!("risk score {:.2}", entry.score),
                },
                "risk",
            )?;
            created.push(task_created_event(tx, &id)?);
        }
        Ok(created)
    })
}
