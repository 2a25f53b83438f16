//! Encryption at rest: what a database key may be, how it is given to SQLCipher, and changing the
//! key of a database file (encrypting a plain one, rekeying, decrypting a copy for development).
//!
//! A key is either 64 hex digits — a random 256-bit key used as is, what an app keeps in the
//! Android Keystore or the iOS Keychain, and what opens fastest — or a passphrase of at least
//! [`MIN_PASSPHRASE_CHARS`] characters, which SQLCipher stretches (PBKDF2, 256,000 rounds: about a
//! quarter of a second on every open).
//!
//! Changing a key never edits the file in place: the whole database is exported to a new file
//! next to it with the new key, that file is checked (integrity and event count), synced, and
//! renamed over the original. Interrupted at any moment, the original is either untouched or
//! completely replaced.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::schema::{self, LATEST_VERSION};
use crate::snapshot::sibling;

/// The shortest passphrase accepted as a database key.
pub const MIN_PASSPHRASE_CHARS: usize = 16;

/// Whether `key` is usable as a database key (checked before any file is touched).
pub(crate) fn check_key(key: &str) -> Result<()> {
    if !cfg!(feature = "encryption") {
        return Err(Error::invalid(
            "encryption key",
            "this build of dockhand has no encryption (build dockhand-core / dockhand-ffi with \
             the `encryption` feature, on by default)",
        ));
    }
    if is_raw_key(key) {
        return Ok(());
    }
    if key.contains('\0') {
        return Err(Error::invalid(
            "encryption key",
            "it contains a NUL character",
        ));
    }
    let chars = key.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "encryption key",
            format!(
                "it is {chars} characters long; give 64 hex digits (a random 256-bit key, as \
                 kept in a keystore) or a passphrase of at least {MIN_PASSPHRASE_CHARS} characters"
            ),
        ));
    }
    Ok(())
}

/// 64 hex digits: a raw 256-bit key, given to SQLCipher without key derivation.
fn is_raw_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The text SQLCipher takes for `key` (`x'…'` marks a raw key).
fn sqlcipher_key(key: &str) -> String {
    if is_raw_key(key) {
        format!("x'{key}'")
    } else {
        key.to_string()
    }
}

/// Keys `conn` before anything reads the file.
pub(crate) fn apply_key(conn: &Connection, key: &str) -> Result<()> {
    check_key(key)?;
    cipher_settings(conn)?;
    conn.pragma_update(None, "key", sqlcipher_key(key))?;
    Ok(())
}

/// dockhand's SQLCipher settings, given before any key (they are part of the file format: every
/// open must use the same). SQLCipher 4's defaults but for the page HMAC: HMAC-SHA256 instead of
/// HMAC-SHA512. Every page written is encrypted and authenticated, so the HMAC is paid on each
/// page of every commit; SHA-256 has instructions on ARMv8 handhelds (and x86 SHA-NI), SHA-512
/// mostly does not, and a 256-bit tag is as strong as the 256-bit key it guards.
fn cipher_settings(conn: &Connection) -> Result<()> {
    sqlcipher_ready()?;
    // SQLCipher prints every failed page decryption to stderr (a wrong key: three lines); the
    // error returned says it in a sentence.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE");
    conn.execute_batch("PRAGMA cipher_default_hmac_algorithm = HMAC_SHA256")?;
    Ok(())
}

/// Waits, once per process, until SQLCipher has finished setting itself up.
///
/// SQLite marks itself initialized before it runs SQLCipher's own set-up, and does not hold its
/// lock while it does: a connection keyed on another thread in that moment is refused ("PRAGMA
/// key requires a key of one or more characters": measured here, one process in 60 that opens
/// eight databases at once as it starts). Keying an in-memory probe fails exactly until that
/// set-up is done.
fn sqlcipher_ready() -> Result<()> {
    static READY: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let mut refused = String::new();
        for _ in 0..SQLCIPHER_SETUP_WAIT_MS {
            let probe = Connection::open_in_memory().map_err(|e| e.to_string())?;
            match probe.pragma_update(None, "key", "dockhand-sqlcipher-probe") {
                Ok(()) => return Ok(()),
                Err(e) => refused = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Err(refused)
    });
    ready.clone().map_err(|reason| {
        Error::invalid(
            "encryption",
            format!(
                "SQLCipher did not finish setting up within {SQLCIPHER_SETUP_WAIT_MS} ms: {reason}"
            ),
        )
    })
}

/// How long [`sqlcipher_ready`] waits for SQLCipher's set-up on another thread (it takes
/// microseconds; this bounds a broken build).
const SQLCIPHER_SETUP_WAIT_MS: u32 = 2_000;

/// A new random raw key (64 hex digits), for a tool that makes a database and its key together.
pub fn generate_key() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What [`change_key`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChanged {
    /// The device the database belongs to.
    pub device_id: String,
    /// Outbox events carried over (all of them: the count is checked).
    pub events: i64,
    /// Size of the new file in bytes.
    pub bytes: u64,
    /// Whether the file is encrypted now.
    pub encrypted: bool,
}

/// Rewrites the database at `path` so that `new` opens it: `current` is its key now (`None`: it is
/// plain), `new` its key afterwards (`None`: plain, for development copies only). Close every
/// connection to the file first (the app's `Device`, a running shift): a database in use is
/// refused, and left as it was. A wrong `current` key is refused with the file untouched.
pub fn change_key(path: &Path, current: Option<&str>, new: Option<&str>) -> Result<KeyChanged> {
    if current.is_none() && new.is_none() {
        return Err(Error::invalid(
            "new encryption key",
            "none given, and the database is plain already: nothing to change",
        ));
    }
    for key in [current, new].into_iter().flatten() {
        check_key(key)?;
    }
    if current.is_some() && current == new {
        return Err(Error::invalid(
            "new encryption key",
            "it is the key the database has now",
        ));
    }
    if !path.is_file() {
        return Err(Error::DatabaseMissing {
            path: path.to_path_buf(),
        });
    }
    // The real file (a symlink stays a symlink: its target is replaced).
    let real = std::fs::canonicalize(path).map_err(|e| io_error(path, "resolve", e))?;
    let path = real.as_path();
    let unreadable = |reason: String| Error::DatabaseUnreadable {
        path: path.to_path_buf(),
        reason,
    };
    let staging = staging_path(path);
    remove_if_exists(&staging)?;

    // CREATE is for the attached copy: the database itself exists (checked above).
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| unreadable(e.to_string()))?;
    if let Some(key) = current {
        apply_key(&conn, key)?;
    }
    let version = schema::version(&conn).map_err(|e| unreadable(key_hint(&e, current)))?;
    if version > LATEST_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    let (device_id, events) = conn
        .query_row(
            "SELECT (SELECT device_id FROM device), (SELECT COUNT(*) FROM outbox)",
            [],
            |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?)),
        )
        .map_err(|e| unreadable(format!("it is not a dockhand device database: {e}")))?;
    let device_id = device_id.ok_or_else(|| unreadable("it has no device record".to_string()))?;
    // Everything in the WAL goes into the main file; a connection elsewhere keeps it from
    // finishing, and then the database is in use.
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(in_use(path));
    }
    let exported = (|| -> Result<()> {
        cipher_settings(&conn)?;
        conn.execute(
            "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
            (
                staging.to_string_lossy(),
                new.map(sqlcipher_key).unwrap_or_default(),
            ),
        )?;
        conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
        conn.pragma_update(Some("rekeyed"), "user_version", version)?;
        conn.execute("DETACH DATABASE rekeyed", [])?;
        Ok(())
    })();
    drop(conn);
    if let Err(e) = exported {
        let _ = std::fs::remove_file(&staging);
        return Err(e);
    }
    let checked = check_export(&staging, new, events);
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&staging);
        return Err(e);
    }
    if wal_path(path).exists() {
        // Our connection is closed, and SQLite removes the WAL with the last one: another
        // process has the database open.
        let _ = std::fs::remove_file(&staging);
        return Err(in_use(path));
    }
    // The new file keeps the original's permissions (a database readable by its owner only
    // stays so), then is synced before it replaces the original.
    std::fs::metadata(path)
        .and_then(|m| std::fs::set_permissions(&staging, m.permissions()))
        .map_err(|e| io_error(&staging, "set the permissions of", e))?;
    std::fs::File::open(&staging)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error(&staging, "sync", e))?;
    std::fs::rename(&staging, path).map_err(|e| io_error(path, "replace", e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself is durable only once the directory is synced (not possible on
        // every platform; the data is already synced).
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(KeyChanged {
        device_id,
        events,
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        encrypted: new.is_some(),
    })
}

/// Opens the exported file with its new key and checks that it is whole and has every event.
fn check_export(staging: &Path, key: Option<&str>, events: i64) -> Result<()> {
    let conn = Connection::open_with_flags(
        staging,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Some(key) = key {
        apply_key(&conn, key)?;
    }
    let integrity: String = conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    let copied: i64 = conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
    if integrity != "ok" || copied != events {
        return Err(Error::Internal(format!(
            "the re-encrypted copy failed its check ({integrity}; {copied} of {events} events); \
             the database was left as it was"
        )));
    }
    Ok(())
}

/// Where the re-encrypted copy is written before it replaces the original.
fn staging_path(path: &Path) -> PathBuf {
    sibling(path, ".rekey")
}

fn wal_path(path: &Path) -> PathBuf {
    sibling(path, "-wal")
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(path, "remove", e)),
        _ => Ok(()),
    }
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> Error {
    Error::Internal(format!("could not {what} {}: {e}", path.display()))
}

fn in_use(path: &Path) -> Error {
    Error::DatabaseUnreadable {
        path: path.to_path_buf(),
        reason: "it is open elsewhere (close the app or the running command first); nothing was \
                 changed"
            .into(),
    }
}

/// SQLite cannot tell a wrong key from a file that is not a database: say which is likelier.
pub(crate) fn key_hint(e: &rusqlite::Error, key: Option<&str>) -> String {
    let text = e.to_string();
    if !text.contains("not a database") {
        return text;
    }
    match key {
        Some(_) => {
            "the encryption key does not open it (or it is not a dockhand database)".to_string()
        }
        None => format!("{text} (an encrypted database needs its key)"),
    }
}
