//! The device database schema and its forward-only migrations.
//!
//! `PRAGMA user_version` is the schema version. Migration `n` (index `n - 1` of [`MIGRATIONS`])
//! takes a database from version `n - 1` to `n`; all pending ones run inside one IMMEDIATE
//! transaction, so a crash mid-upgrade leaves the previous version intact. Each migration's SQL is
//! kept verbatim in this folder so tests can build every old version and migrate it.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::Result;

/// The SQL of each migration, in order: `MIGRATIONS[0]` creates version 1.
pub const MIGRATIONS: &[&str] = &[include_str!("v1.sql")];

/// The schema version this code writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Reads `PRAGMA user_version`.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Outcome of [`migrate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migration {
    /// Already at the latest version: nothing was written.
    UpToDate,
    /// Upgraded from `from` to [`LATEST_VERSION`].
    Upgraded {
        /// The version found.
        from: i64,
    },
}

/// What to do with a database of a version newer than this code: the caller reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooNew {
    /// The version found.
    pub found: i64,
}

/// Brings `conn` to [`LATEST_VERSION`]. Returns `Err(TooNew)` (inside `Ok`) without writing when
/// the database is newer than this code.
pub fn migrate(conn: &mut Connection) -> Result<std::result::Result<Migration, TooNew>> {
    // Cheap check first, so an up-to-date database is not even locked for writing.
    let found = version(conn)?;
    if found == LATEST_VERSION {
        return Ok(Ok(Migration::UpToDate));
    }
    if found > LATEST_VERSION {
        return Ok(Err(TooNew { found }));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another connection may have migrated between the check and the lock.
    let found = version(&tx)?;
    if found > LATEST_VERSION {
        return Ok(Err(TooNew { found }));
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()?;
    Ok(Ok(if found == LATEST_VERSION {
        Migration::UpToDate
    } else {
        Migration::Upgraded { from: found }
    }))
}
