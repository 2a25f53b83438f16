//! What the device kept as its operator left it while the hub sent something else, told to the
//! hub. A pulled page never stalls on one row: a task or receipt being worked here, or an item's
//! or location's settings that stock on the device depends on, stay as they are and the rest of
//! the page applies. Each such note is recorded with the page (one transaction) and told to the
//! hub once (`POST /v1/kept-local`), where it becomes a `kept_local` exception for a supervisor.

use rusqlite::params;

use crate::db::{Store, WriteTx};
use crate::error::Result;
use dockhand_protocol::exceptions::{KeptLocalNote, MAX_KEPT_LOCAL_NOTES, MAX_KEPT_LOCAL_TEXT};

/// The sentence for a task or receipt (`what`, such as "pick task") the device kept.
pub(crate) fn worded<'a>(what: &'a str, ids: &'a [String]) -> impl Iterator<Item = String> + 'a {
    ids.iter().map(move |id| {
        format!("{what} {id} changed at the hub; this device keeps it as its operator left it")
    })
}

/// Of the tasks kept (`table` is `pick_tasks` or `count_tasks`), those worked here: started,
/// finished or cancelled. A task only loaded (a device that pulls the hub's history receives every
/// version of a task) is nothing a supervisor needs to hear of.
pub(crate) fn worked(tx: &WriteTx<'_>, table: &str, ids: &[String]) -> Result<Vec<String>> {
    let sql = match table {
        "pick_tasks" => "SELECT 1 FROM pick_tasks WHERE id = ?1 AND status <> 'open'",
        _ => "SELECT 1 FROM count_tasks WHERE id = ?1 AND status <> 'open'",
    };
    let mut stmt = tx.conn().prepare_cached(sql)?;
    let mut out = Vec::new();
    for id in ids {
        if stmt.exists([id.trim()])? {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// A note as one line: control characters (a line break in a name) become spaces, and it is
/// cut to the longest the hub takes.
fn one_line(what: &str) -> String {
    what.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_KEPT_LOCAL_TEXT)
        .collect()
}

/// Records notes in the page's transaction, at the device's time.
pub(crate) fn record_in(tx: &WriteTx<'_>, notes: &[String]) -> Result<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let mut stmt = tx
        .conn()
        .prepare_cached("INSERT INTO kept_local (at, what) VALUES (?1, ?2)")?;
    for what in notes {
        stmt.execute(params![tx.now_utc_text(), one_line(what)])?;
    }
    Ok(())
}

/// The oldest notes not yet told to the hub (one request's worth), with their row ids.
pub(crate) fn unsent(store: &Store) -> Result<Vec<(i64, KeptLocalNote)>> {
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, what FROM kept_local WHERE sent_at IS NULL ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([MAX_KEPT_LOCAL_NOTES as i64], |r| {
            Ok((
                r.get(0)?,
                KeptLocalNote {
                    at: r.get(1)?,
                    what: r.get(2)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// Marks notes as told.
pub(crate) fn mark_sent(store: &Store, ids: &[i64]) -> Result<()> {
    store.write(|tx| {
        let mut stmt = tx
            .conn()
            .prepare_cached("UPDATE kept_local SET sent_at = ?1 WHERE id = ?2")?;
        for id in ids {
            stmt.execute(params![tx.now_utc_text(), id])?;
        }
        Ok(())
    })
}
