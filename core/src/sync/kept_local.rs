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

/// Records notes in the page's transaction, at the device's time.
pub(crate) fn record_in(tx: &WriteTx<'_>, notes: &[String]) -> Result<()> {
    let mut stmt = tx
        .conn()
        .prepare_cached("INSERT INTO kept_local (at, what) VALUES (?1, ?2)")?;
    for what in notes {
        let cut: String = what.chars().take(MAX_KEPT_LOCAL_TEXT).collect();
        stmt.execute(params![tx.now_utc_text(), cut])?;
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
