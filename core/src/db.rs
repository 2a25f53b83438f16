//! The device store: one SQLite file per device, its PRAGMAs, and the one write path.
//!
//! Every change goes through [`Store::write`]: a `BEGIN IMMEDIATE` transaction that commits only
//! when the closure returns `Ok`, so a rejected command leaves the file exactly as it was. Workflow
//! commands use [`Store::command`], which adds the client operation id check on top (a replay
//! returns the first result and writes nothing).
//!
//! A file that cannot be used (corrupt, not a database, made by a newer dockhand) is reported and
//! never deleted or recreated: it may hold warehouse transactions that were not synced yet.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::clock::{Clock, SystemClock};
use crate::credentials::{self, Approval, Verified};
use crate::error::{Error, Result};
use crate::identity::{self, EventSigner, Signer};
use crate::keys;
use crate::ops;
use crate::schema::{self, LATEST_VERSION};
use crate::snapshot;

/// Prepared statements kept per connection: more than the distinct statements of every workflow
/// together, so the hot path never compiles SQL again (an evicted statement costs more to prepare
/// than a whole command takes to run).
const STATEMENT_CACHE: usize = 256;

/// Rules a device applies that are settings rather than master data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// How far above the expected quantity a receipt line may go without a supervisor, in percent.
    pub over_receipt_tolerance_percent: u32,
    /// A count variance of at most this many base units (and at most
    /// `count_tolerance_value_cents`) is adjusted at once; beyond it a recount is required.
    pub count_tolerance_units: i64,
    /// Value limit of a variance adjusted without a recount, in cents.
    pub count_tolerance_value_cents: i64,
    /// A confirmed variance worth more than this (in cents) needs a supervisor's approval.
    pub count_approval_value_cents: i64,
    /// Once the device holds badges, every command must name the operator signed in on it.
    /// Off only where one program plays every operator on one store (the demo's simulated
    /// shift); approvals need badge and PIN either way.
    pub sign_in_required: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            over_receipt_tolerance_percent: 5,
            count_tolerance_units: 1,
            count_tolerance_value_cents: 1_000,
            count_approval_value_cents: 10_000,
            sign_in_required: true,
        }
    }
}

/// How to open a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// This device's id: recorded in the file on creation, checked on every later open.
    pub device_id: String,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Device rules.
    pub policy: Policy,
    /// Key the database file is encrypted with (SQLCipher): 64 hex digits (a raw 256-bit key)
    /// or a passphrase of at least 16 characters; see [`crate::keys`]. `None`: a plain SQLite
    /// file (development only).
    pub encryption_key: Option<String>,
    /// The app's signer of event hashes (a key in the platform keystore). `None`: the device key
    /// is made and kept in this database.
    pub signer: Option<Arc<dyn EventSigner>>,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("device_id", &self.device_id)
            .field("policy", &self.policy)
            .field("encrypted", &self.encryption_key.is_some())
            .field("platform_signer", &self.signer.is_some())
            .finish()
    }
}

impl StoreOptions {
    /// Options for `device_id` with the system clock and the default policy.
    pub fn new(device_id: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            clock: Arc::new(SystemClock),
            policy: Policy::default(),
            encryption_key: None,
            signer: None,
        }
    }

    /// Encrypts the database file with `key` (it must be given on every later open).
    pub fn with_encryption_key(mut self, key: impl Into<String>) -> Self {
        self.encryption_key = Some(key.into());
        self
    }

    /// Signs events through the app's keystore instead of a key kept in the database.
    pub fn with_signer(mut self, signer: Arc<dyn EventSigner>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Uses `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `policy` instead of the default.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
}

/// A device database with its single writer connection.
pub struct Store {
    /// `None` once the app closed the database.
    conn: Mutex<Option<Connection>>,
    path: Option<PathBuf>,
    options: StoreOptions,
    /// Called after every commit (the sync engine's "something changed"); never blocks.
    commit_hook: std::sync::RwLock<Option<CommitHook>>,
    /// Signs every event appended (`None` for a read-only store, which appends none).
    signer: Option<Signer>,
    /// The private copy a read-only store reads (last: dropped after the connection).
    _scratch: Option<tempfile::TempDir>,
}

/// The open connection, held under the store's lock.
struct Open<'a>(MutexGuard<'a, Option<Connection>>);

impl std::ops::Deref for Open<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // `Store::lock` hands out an `Open` only while the connection is there.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("checked by Store::lock"))
    }
}

/// A function run after every commit.
pub type CommitHook = Arc<dyn Fn() + Send + Sync>;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("device_id", &self.options.device_id)
            .finish()
    }
}

/// The open write transaction handed to a command, with what every write needs to know.
pub struct WriteTx<'c> {
    conn: &'c Connection,
    committed: bool,
    device_id: &'c str,
    policy: &'c Policy,
    now: DateTime<FixedOffset>,
    now_text: String,
    op_id: Uuid,
    user_id: String,
    /// Ledger rows written since the last event: the next event carries them as its movements.
    legs: std::cell::RefCell<Vec<i64>>,
    signer: Option<&'c Signer>,
}

impl<'c> WriteTx<'c> {
    /// The connection inside the transaction.
    pub fn conn(&self) -> &Connection {
        self.conn
    }

    /// This device's id.
    pub fn device_id(&self) -> &str {
        self.device_id
    }

    /// Device rules.
    pub fn policy(&self) -> &Policy {
        self.policy
    }

    /// The time of this command, at the device's offset; one value for the whole transaction.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.now
    }

    /// `now()` in UTC as stored in the database (RFC 3339, milliseconds, `Z`).
    pub fn now_utc_text(&self) -> &str {
        &self.now_text
    }

    /// The client operation id of the running command (nil for maintenance writes).
    pub fn op_id(&self) -> Uuid {
        self.op_id
    }

    /// The operator on whose behalf the command runs ("" for maintenance writes).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The device key's signature of an event hash.
    pub(crate) fn sign(&self, hash: &str) -> Result<String> {
        match self.signer {
            Some(signer) => signer.sign_hash(hash),
            None => Err(Error::invalid(
                "event",
                "this store was opened read-only and cannot record events",
            )),
        }
    }

    /// Notes a ledger row written by this command; the next event appended carries it.
    pub(crate) fn note_leg(&self, ledger_id: i64) {
        self.legs.borrow_mut().push(ledger_id);
    }

    /// The ledger rows written since the last event, leaving none behind.
    pub(crate) fn take_legs(&self) -> Vec<i64> {
        std::mem::take(&mut *self.legs.borrow_mut())
    }
}

impl Drop for WriteTx<'_> {
    /// An error or a panic inside the write closure: undo everything it did.
    fn drop(&mut self) {
        if !self.committed
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "rollback failed");
        }
    }
}

/// RFC 3339 UTC text with milliseconds, the one time format stored in the database.
pub fn utc_text(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Store {
    /// Opens or creates the device database at `path` for `device_id`.
    pub fn open(path: impl AsRef<Path>, device_id: &str) -> Result<Self> {
        Self::open_with(path, StoreOptions::new(device_id))
    }

    /// Opens or creates the device database at `path`.
    pub fn open_with(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let unreadable = |e: rusqlite::Error| Error::DatabaseUnreadable {
            path: path.clone(),
            reason: e.to_string(),
        };
        if path.is_dir() {
            return Err(Error::DatabaseUnreadable {
                path: path.clone(),
                reason: "it is a directory".into(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if let Some(key) = &options.encryption_key {
            keys::check_key(key)?;
        }
        let conn = Connection::open_with_flags(&path, flags).map_err(unreadable)?;
        let key = options.encryption_key.clone();
        if let Some(key) = &key {
            // Before anything reads the file.
            keys::apply_key(&conn, key)?;
        }
        Self::set_up(conn, Some(path.clone()), options).map_err(|e| match e {
            Error::Sqlite(e) => Error::DatabaseUnreadable {
                path: path.clone(),
                reason: keys::key_hint(&e, key.as_deref()),
            },
            other => other,
        })
    }

    /// Opens an existing device database read-only, for whichever device it belongs to (support
    /// tools such as `dockhand inspect`); `key` for an encrypted one. Never creates, migrates,
    /// checkpoints or locks the file, and writes nothing beside it (see [`crate::snapshot`]): a
    /// support copy stays exactly as it was sent, and one on read-only media opens. A file of an
    /// older schema version is read from a private copy upgraded in a temporary directory.
    /// Writes through this store fail (or, on such a copy, are lost with it).
    pub fn open_read_only(
        path: impl AsRef<Path>,
        key: Option<&str>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let unreadable = |reason: String| Error::DatabaseUnreadable {
            path: path.clone(),
            reason,
        };
        if !path.is_file() {
            return Err(Error::DatabaseMissing { path });
        }
        let snapshot::Snapshot {
            mut conn,
            mut scratch,
        } = snapshot::open(&path, key)?;
        let found = schema::version(&conn).map_err(|e| unreadable(keys::key_hint(&e, key)))?;
        if found > LATEST_VERSION {
            return Err(Error::SchemaTooNew {
                path: path.clone(),
                found,
                supported: LATEST_VERSION,
            });
        }
        if found < LATEST_VERSION {
            // An older device's file: upgraded in a private copy, the original left as it came.
            drop(conn);
            let copy = snapshot::open_copy(&path, key)?;
            (conn, scratch) = (copy.conn, copy.scratch);
            let upgraded = schema::migrate(&mut conn).map_err(|e| {
                unreadable(format!(
                    "its schema version {found} could not be upgraded in a copy: {e}"
                ))
            })?;
            if let Err(schema::TooNew { found }) = upgraded {
                return Err(Error::SchemaTooNew {
                    path: path.clone(),
                    found,
                    supported: LATEST_VERSION,
                });
            }
        }
        let device_id = conn
            .query_row("SELECT device_id FROM device", [], |r| {
                r.get::<_, String>(0)
            })
            .map_err(|e| unreadable(format!("no device record: {e}")))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Query planner stability: plans never depend on bound values. Without it SQLite marks
        // some statements to be re-planned whenever a parameter changes, and a cached statement
        // was compiled again on every command (more than half of a pick's cost).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        Ok(Self {
            conn: Mutex::new(Some(conn)),
            path: Some(path),
            options: StoreOptions {
                device_id,
                clock,
                policy: Policy::default(),
                encryption_key: key.map(str::to_string),
                signer: None,
            },
            commit_hook: Default::default(),
            signer: None,
            _scratch: scratch,
        })
    }

    /// Opens a private in-memory database (tests, benchmarks).
    pub fn open_in_memory(options: StoreOptions) -> Result<Self> {
        Self::set_up(Connection::open_in_memory()?, None, options)
    }

    fn set_up(mut conn: Connection, path: Option<PathBuf>, options: StoreOptions) -> Result<Self> {
        dockhand_protocol::sync::check_device_id(&options.device_id)?;
        let shown_path = || path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        // Read the version before anything that writes (switching to WAL rewrites the header):
        // a database from a newer dockhand must stay byte-for-byte untouched.
        let found = schema::version(&conn)?;
        if found > LATEST_VERSION {
            return Err(Error::SchemaTooNew {
                path: shown_path(),
                found,
                supported: LATEST_VERSION,
            });
        }
        if found < 0 {
            return Err(Error::DatabaseUnreadable {
                path: shown_path(),
                reason: format!("schema version {found} is not one dockhand writes"),
            });
        }
        if found == 0 && !schema::is_empty(&conn)? {
            return Err(Error::DatabaseUnreadable {
                path: shown_path(),
                reason:
                    "it is an SQLite database of another application (schema version 0 with tables)"
                        .into(),
            });
        }
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL: readers never block the writer. FULL: a confirmed scan survives a battery pull.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if path.is_some() && !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Scans probe a catalog of up to millions of barcodes at random: keep more of it in
        // memory (16 MB of page cache, reads mapped) so a lookup rarely waits for a page read.
        conn.pragma_update(None, "cache_size", -16_384)?;
        conn.execute_batch("PRAGMA mmap_size = 268435456")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Query planner stability: plans never depend on bound values. Without it SQLite marks
        // some statements to be re-planned whenever a parameter changes, and a cached statement
        // was compiled again on every command (more than half of a pick's cost).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        if let Err(too_new) = schema::migrate(&mut conn)? {
            return Err(Error::SchemaTooNew {
                path: shown_path(),
                found: too_new.found,
                supported: LATEST_VERSION,
            });
        }
        let recorded: Option<String> = conn
            .query_row("SELECT device_id FROM device", [], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        match recorded {
            Some(recorded) if recorded != options.device_id => {
                return Err(Error::DeviceMismatch {
                    path: shown_path(),
                    recorded,
                    requested: options.device_id,
                });
            }
            Some(_) => {}
            None => {
                conn.execute(
                    "INSERT INTO device (singleton, device_id, created_at) VALUES (1, ?1, ?2)",
                    (&options.device_id, utc_text(options.clock.now())),
                )?;
            }
        }
        let signer = identity::load_or_create(
            &conn,
            options.signer.clone(),
            &utc_text(options.clock.now()),
        )?;
        let signed = identity::sign_unsigned(&conn, &signer)?;
        if signed > 0 {
            tracing::info!(
                signed,
                "signed the pending events recorded before devices signed"
            );
        }
        Ok(Self {
            conn: Mutex::new(Some(conn)),
            path,
            options,
            commit_hook: Default::default(),
            signer: Some(signer),
            _scratch: None,
        })
    }

    /// Runs `hook` after every commit from now on (`None` removes it). The hook must return at
    /// once: it runs on the thread that committed, a scan waiting for it.
    pub fn set_commit_hook(&self, hook: Option<CommitHook>) {
        if let Ok(mut slot) = self.commit_hook.write() {
            *slot = hook;
        }
    }

    /// The file behind this store (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// This device's id.
    pub fn device_id(&self) -> &str {
        &self.options.device_id
    }

    /// The device's Ed25519 public key (64 hex digits), which the hub verifies its events with;
    /// `None` for a read-only store.
    pub fn public_key(&self) -> Option<String> {
        self.signer.as_ref().map(Signer::public_key_hex)
    }

    /// The store's clock.
    pub fn clock(&self) -> &dyn Clock {
        self.options.clock.as_ref()
    }

    /// Device rules.
    pub fn policy(&self) -> &Policy {
        &self.options.policy
    }

    /// Gives every statement's start and end to `tracer` (`None`: to nobody): [`crate::profile`].
    pub(crate) fn trace(&self, tracer: Option<crate::profile::Tracer>) -> Result<()> {
        let mut open = match self.lock() {
            // Closed since the tracer was set: it went with the connection.
            Err(Error::Closed) if tracer.is_none() => return Ok(()),
            open => open?,
        };
        let conn = open.0.as_mut().ok_or(Error::Closed)?;
        match tracer {
            Some(tracer) => conn.trace_v2(crate::profile::traced_events(), Some(tracer))?,
            None => conn.trace_v2(
                rusqlite::trace::TraceEventCodes::empty(),
                None::<crate::profile::Tracer>,
            )?,
        }
        Ok(())
    }

    fn lock(&self) -> Result<Open<'_>> {
        let guard = match self.conn.lock() {
            Ok(guard) => guard,
            // A panic inside a command rolled its transaction back (`WriteTx::drop`); the
            // connection is usable again once no transaction is left open.
            Err(poisoned) => {
                let guard = poisoned.into_inner();
                if let Some(conn) = guard.as_ref()
                    && !conn.is_autocommit()
                    && conn.execute_batch("ROLLBACK").is_err()
                {
                    return Err(Error::Poisoned);
                }
                self.conn.clear_poison();
                guard
            }
        };
        if guard.is_none() {
            return Err(Error::Closed);
        }
        Ok(Open(guard))
    }

    /// Closes the database file now (the app may then move, back up or delete it). Every later
    /// call on this store fails with [`Error::Closed`]; closing twice changes nothing.
    pub fn close(&self) -> Result<()> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        match guard.take() {
            None => Ok(()),
            Some(conn) => conn.close().map_err(|(conn, e)| {
                *guard = Some(conn);
                Error::Sqlite(e)
            }),
        }
    }

    /// Runs `read` against the database. Reads see only committed data.
    pub fn read<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock()?;
        read(&conn)
    }

    /// Runs `write` in one IMMEDIATE transaction that commits only if it returns `Ok`.
    /// For maintenance writes (master data, outbox state); commands use [`Store::command`].
    pub fn write<T>(&self, write: impl FnOnce(&mut WriteTx<'_>) -> Result<T>) -> Result<T> {
        self.write_as(Uuid::nil(), String::new(), write)
    }

    fn write_as<T>(
        &self,
        op_id: Uuid,
        user_id: String,
        write: impl FnOnce(&mut WriteTx<'_>) -> Result<T>,
    ) -> Result<T> {
        let conn = self.lock()?;
        // BEGIN and COMMIT as cached statements: parsing them anew was a tenth of a command's cost.
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        // From here, dropping `wtx` without committing (an error or a panic) rolls back.
        let now = self.options.clock.now();
        let mut wtx = WriteTx {
            conn: &conn,
            committed: false,
            device_id: &self.options.device_id,
            policy: &self.options.policy,
            now,
            now_text: utc_text(now),
            op_id,
            user_id,
            legs: Default::default(),
            signer: self.signer.as_ref(),
        };
        let value = write(&mut wtx)?;
        // Every stock change reaches the hub inside an event: a movement written after the
        // command's last event would never leave the device.
        let stray = wtx.take_legs();
        if !stray.is_empty() {
            return Err(Error::Internal(format!(
                "ledger rows {stray:?} were written after the command's last event"
            )));
        }
        wtx.conn.prepare_cached("COMMIT")?.execute([])?;
        wtx.committed = true;
        drop(wtx);
        drop(conn);
        if let Ok(slot) = self.commit_hook.read()
            && let Some(hook) = slot.as_ref()
        {
            hook();
        }
        Ok(value)
    }

    /// [`Store::command`] for a command a supervisor may approve with badge and PIN. A replay of
    /// an operation already committed returns its first result without asking for the PIN again
    /// (the app has long forgotten it); otherwise the badge and PIN are checked first (a wrong
    /// PIN is counted even though the command then does not run) and `run` gets the person.
    pub fn approved_command<C, R>(
        &self,
        name: &'static str,
        op_id: Uuid,
        user_id: &str,
        command: &C,
        approval: Option<&Approval>,
        run: impl FnOnce(&mut WriteTx<'_>, Option<&Verified>) -> Result<R>,
    ) -> Result<R>
    where
        C: Serialize,
        R: Serialize + DeserializeOwned,
    {
        // Without an approval (nearly every receive) this is the plain write path, nothing more.
        let Some(approval) = approval else {
            return self.command(name, op_id, user_id, command, |tx| run(tx, None));
        };
        if op_id.is_nil() {
            return Err(Error::invalid("operation id", "it is the nil UUID"));
        }
        let fingerprint = ops::fingerprint(name, command)?;
        if let Some(first) = self.read(|c| ops::replayed(c, op_id, name, &fingerprint))? {
            return Ok(first);
        }
        let verified = credentials::verify(self, approval)?;
        self.command_with(name, op_id, user_id, &fingerprint, |tx| {
            run(tx, Some(&verified))
        })
    }

    /// Runs a workflow command on the one write path: if `op_id` was already committed with the
    /// same command, returns the first result without writing; if it was used for another
    /// command, refuses; otherwise runs `run` and records the result with the command, all in one
    /// transaction.
    pub fn command<C, R>(
        &self,
        name: &'static str,
        op_id: Uuid,
        user_id: &str,
        command: &C,
        run: impl FnOnce(&mut WriteTx<'_>) -> Result<R>,
    ) -> Result<R>
    where
        C: Serialize,
        R: Serialize + DeserializeOwned,
    {
        if op_id.is_nil() {
            return Err(Error::invalid("operation id", "it is the nil UUID"));
        }
        let fingerprint = ops::fingerprint(name, command)?;
        self.command_with(name, op_id, user_id, &fingerprint, run)
    }

    /// [`Store::command`] with the command's fingerprint already taken.
    fn command_with<R>(
        &self,
        name: &'static str,
        op_id: Uuid,
        user_id: &str,
        fingerprint: &str,
        run: impl FnOnce(&mut WriteTx<'_>) -> Result<R>,
    ) -> Result<R>
    where
        R: Serialize + DeserializeOwned,
    {
        self.write_as(op_id, user_id.to_string(), |tx| {
            if let Some(first) = ops::replayed(tx.conn(), op_id, name, fingerprint)? {
                return Ok(first);
            }
            if tx.policy().sign_in_required {
                credentials::require_signed_in(tx.conn(), user_id)?;
            }
            let result = run(tx)?;
            ops::remember(tx, name, fingerprint, &result)?;
            Ok(result)
        })
    }
}
