//! Who works which task, as the hub decided and this device last pulled (`task_claim` changes):
//! the task list with each task's holder ("claimed by handheld-09 (bob)"), "my tasks", and the
//! rule that a task another device holds is not started here. The claim itself is asked of the hub
//! online ([`crate::sync::engine::SyncEngine::claim_task`]); offline, a task nobody holds may be
//! started, and the hub gives it to this device with its first event (two devices that both did
//! so keep their work, and the hub raises an exception).

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use dockhand_protocol::tasks::{ClaimHow, TaskClaim, TaskKind, TaskProgress};

use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};

/// A pick or count task on this device's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEntry {
    /// Pick or count.
    pub kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// What it is: `order SO-1001`, `count A-01-04`, `count SKU-1 everywhere`.
    pub summary: String,
    /// Its state on this device (`open`, `in_progress`, `counting`…).
    pub status: String,
    /// Who holds it, in words (`handheld-09 (bob)`); `None`: nobody.
    pub holder: Option<String>,
    /// Whether this device holds it.
    pub mine: bool,
    /// How it came to its holder.
    pub how: Option<ClaimHow>,
}

/// Stores claims from the hub (a page of changes, or the answer to a claim).
pub(crate) fn load_in(tx: &WriteTx<'_>, claims: &[TaskClaim]) -> Result<()> {
    let mut put = tx.conn().prepare_cached(
        "INSERT INTO task_claims (kind, task_id, device_id, claim) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, task_id) DO UPDATE SET device_id = excluded.device_id,
         claim = excluded.claim",
    )?;
    for claim in claims {
        put.execute((
            claim.task_kind.as_str(),
            &claim.task_id,
            &claim.device_id,
            serde_json::to_string(claim)?,
        ))?;
    }
    Ok(())
}

/// Stores the hub's answer to a claim, release or assignment.
pub fn record(store: &Store, claim: &TaskClaim) -> Result<()> {
    store.write(|tx| load_in(tx, std::slice::from_ref(claim)))
}

/// The hub's claim on a task, as last pulled.
pub fn claim_of(conn: &Connection, kind: TaskKind, task_id: &str) -> Result<Option<TaskClaim>> {
    let data: Option<String> = conn
        .prepare_cached("SELECT claim FROM task_claims WHERE kind = ?1 AND task_id = ?2")?
        .query_row((kind.as_str(), task_id.trim()), |r| r.get(0))
        .optional()?;
    Ok(match data {
        Some(data) => Some(serde_json::from_str(&data)?),
        None => None,
    })
}

/// Refuses to start a task another device holds.
pub(crate) fn check_not_held_elsewhere(
    conn: &Connection,
    device_id: &str,
    kind: TaskKind,
    task_id: &str,
) -> Result<()> {
    let Some(claim) = claim_of(conn, kind, task_id)? else {
        return Ok(());
    };
    match (claim.holder(), claim.device_id.as_deref()) {
        (Some(holder), Some(device)) if device != device_id => Err(Error::TaskHeldElsewhere {
            kind: kind.to_string(),
            task_id: claim.task_id.clone(),
            held: claim.how.held_words().into(),
            holder,
            since: claim.at.clone(),
        }),
        _ => Ok(()),
    }
}

/// Every open pick and count task on this device, each with its holder: this device's first,
/// then those nobody holds, then those of other devices; tasks the hub says are done elsewhere
/// are left out.
pub fn task_board(conn: &Connection, device_id: &str) -> Result<Vec<TaskEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'pick', t.id, 'order ' || t.order_ref, t.status, c.claim
           FROM pick_tasks t LEFT JOIN task_claims c ON c.kind = 'pick' AND c.task_id = t.id
          WHERE t.status IN ('open', 'in_progress')
         UNION ALL
         SELECT 'count', t.id,
                CASE WHEN l.code IS NOT NULL AND i.sku IS NOT NULL
                       THEN 'count ' || i.sku || ' at ' || l.code
                     WHEN l.code IS NOT NULL THEN 'count ' || l.code
                     ELSE 'count ' || i.sku || ' everywhere' END,
                t.status, c.claim
           FROM count_tasks t
           LEFT JOIN locations l ON l.id = t.location_id
           LEFT JOIN items i ON i.id = t.item_id
           LEFT JOIN task_claims c ON c.kind = 'count' AND c.task_id = t.id
          WHERE t.status NOT IN ('done', 'cancelled')",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut board = Vec::new();
    for row in rows {
        let (kind, task_id, summary, status, claim) = row?;
        let kind = TaskKind::parse(&kind)
            .ok_or_else(|| Error::Internal(format!("task kind {kind} on the task board")))?;
        let claim: Option<TaskClaim> = match claim {
            Some(data) => Some(serde_json::from_str(&data)?),
            None => None,
        };
        let local_open = status == "open";
        if local_open && claim.as_ref().is_some_and(|c| c.progress.is_closed()) {
            continue;
        }
        let mine = claim
            .as_ref()
            .and_then(|c| c.device_id.as_deref())
            .is_some_and(|d| d == device_id);
        board.push(TaskEntry {
            kind,
            task_id,
            summary,
            status,
            holder: claim.as_ref().and_then(TaskClaim::holder),
            mine,
            how: claim.map(|c| c.how),
        });
    }
    // Mine (or started here), then nobody's, then others'; in progress before open; by id.
    board.sort_by_key(|e| {
        let rank = if e.mine || (e.holder.is_none() && e.status != "open") {
            0
        } else if e.holder.is_none() {
            1
        } else {
            2
        };
        (rank, e.status == "open", e.kind, e.task_id.clone())
    });
    Ok(board)
}

/// The tasks for this device: those it holds or started, and those nobody holds.
pub fn my_tasks(conn: &Connection, device_id: &str) -> Result<Vec<TaskEntry>> {
    Ok(task_board(conn, device_id)?
        .into_iter()
        .filter(|e| e.mine || e.holder.is_none())
        .collect())
}
