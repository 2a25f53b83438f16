//! The device database schema and its forward-only migrations.
//!
//! `PRAGMA user_version` is the schema version. Migration `n` (index `n - 1` of [`MIGRATIONS`])
//! takes a database from version `n - 1` to `n`; all pending ones run inside one IMMEDIATE
//! transaction, so a crash mid-upgrade leaves the previous version intact. Each migration's SQL is
//! kept verbatim in this folder so tests can build every old version and migrate it; a new file is
//! created from `current.sql`, the whole schema of the latest version in one place.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::Result;

/// The SQL of each migration, in order: `MIGRATIONS[0]` creates version 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("v1.sql"),
    include_str!("v2.sql"),
    include_str!("v3.sql"),
    include_str!("v4.sql"),
    include_str!("v5.sql"),
    include_str!("v6.sql"),
    include_str!("v7.sql"),
    include_str!("v8.sql"),
    include_str!("v9.sql"),
    include_str!("v10.sql"),
    include_str!("v11.sql"),
    include_str!("v12.sql"),
    include_str!("v13.sql"),
    include_str!("v14.sql"),
    include_str!("v15.sql"),
    include_str!("v16.sql"),
];

/// The schema version this code writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// The whole schema of [`LATEST_VERSION`] in one file: what a new database is created from, and
/// what to read to know the tables. Every older version migrated must equal it (a test checks).
pub const CURRENT: &str = include_str!("current.sql");

/// Reads `PRAGMA user_version`.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Whether the database has no schema objects at all (a new file).
pub fn is_empty(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT COUNT(*) = 0 FROM sqlite_master", [], |r| r.get(0))
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
    let Ok(first) = usize::try_from(found) else {
        return Err(crate::error::Error::invalid(
            "schema version",
            format!("{found} is not one dockhand writes"),
        ));
    };
    if first == 0 && is_empty(&tx)? {
        // A new file: the current schema at once, not its history.
        tx.execute_batch(CURRENT)?;
    } else {
        for sql in &MIGRATIONS[first..] {
            tx.execute_batch(sql)?;
        }
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()?;
    Ok(Ok(if found == LATEST_VERSION {
        Migration::UpToDate
    } else {
        Migration::Upgraded { from: found }
    }))
}
