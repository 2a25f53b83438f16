//! Opening a device database that must not change: a support copy, a file on read-only media, a
//! database that failed its integrity check. Nothing is written next to the file, ever.
//!
//! Without a WAL beside it the file is opened `immutable` (no locks, no `-shm`, no `-wal`: SQLite
//! only reads). With one, the WAL holds committed transactions the main file does not have yet,
//! and reading them needs a shared-memory index SQLite would create beside the file: both files
//! are copied to a private temporary directory instead and read there. A database of an older
//! schema version is also read from such a copy, upgraded there: the original stays as it was.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::keys;

/// A read-only connection and, when the file had a WAL, the private copy it reads.
pub(crate) struct Snapshot {
    pub conn: Connection,
    /// Removed (with the `-shm` SQLite made there) when the store is dropped.
    pub scratch: Option<tempfile::TempDir>,
}

/// Opens `path` read-only without writing anything beside it; `key` for an encrypted file.
pub(crate) fn open(path: &Path, key: Option<&str>) -> Result<Snapshot> {
    open_as(path, key, false)
}

/// Opens a private, writable copy of `path` (and its WAL), to upgrade an older schema in.
pub(crate) fn open_copy(path: &Path, key: Option<&str>) -> Result<Snapshot> {
    open_as(path, key, true)
}

fn open_as(path: &Path, key: Option<&str>, writable_copy: bool) -> Result<Snapshot> {
    let unreadable = |reason: String| Error::DatabaseUnreadable {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(key) = key {
        keys::check_key(key)?;
    }
    let wal = sibling(path, "-wal");
    let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let (conn, scratch) = if wal.exists() || writable_copy {
        let scratch = tempfile::tempdir()
            .map_err(|e| unreadable(format!("no temporary directory to read a copy in: {e}")))?;
        let copy = scratch.path().join("snapshot.db");
        let mut files = vec![(path.to_path_buf(), copy.clone())];
        if wal.exists() {
            files.push((wal, sibling(&copy, "-wal")));
        }
        for (from, to) in files {
            std::fs::copy(&from, &to)
                .map_err(|e| unreadable(format!("could not copy {}: {e}", from.display())))?;
        }
        let flags = if writable_copy {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            read_only
        };
        let conn = Connection::open_with_flags(&copy, flags);
        (conn, Some(scratch))
    } else {
        // `file://` + an empty authority + the absolute path (which starts with `/`).
        let uri = format!("file://{}?immutable=1", uri_path(path));
        (Connection::open_with_flags(uri, read_only), None)
    };
    let conn = conn.map_err(|e| unreadable(e.to_string()))?;
    if let Some(key) = key {
        keys::apply_key(&conn, key)?;
    }
    Ok(Snapshot { conn, scratch })
}

/// `path` beside `suffix` (`device.db` → `device.db-wal`).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The path part of a `file:` URI: absolute, with every byte that is not plainly safe escaped
/// (`?`, `#` and `%` would otherwise end or change the path).
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for &b in absolute.to_string_lossy().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
