//! The console's accounts, sessions and record of actions (migration 014).

use crate::error::HubResult;

/// Someone who may sign in to the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleUser {
    /// Sign-in name.
    pub name: String,
    /// `supervisor` or `viewer`.
    pub role: String,
    /// Argon2id hash of the password (PHC string).
    pub password_hash: String,
    /// Wrong passwords since the last sign-in or lock.
    pub failures: i64,
    /// Sign-ins refused until then.
    pub locked_until: Option<String>,
    /// When the account was made.
    pub created_at: String,
}

/// A signed-in browser, as its cookie finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// Who signed in.
    pub user: String,
    /// Their role now (a role changed by an administrator applies at once).
    pub role: String,
    /// The token every form of this session carries.
    pub csrf: String,
    /// Signed in at.
    pub created_at: String,
    /// Last request.
    pub last_seen: String,
    /// Ends then, whatever the use.
    pub expires_at: String,
}

/// One thing done (or refused) from the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleAction {
    /// When.
    pub at: String,
    /// Who.
    pub user: String,
    /// What: `sign_in`, `resolve`, `revoke`…
    pub action: String,
    /// To what: an exception id, a device, a task.
    pub target: String,
    /// The note given.
    pub note: String,
    /// `done`, or the sentence it was refused with.
    pub outcome: String,
}

/// What a device says of itself with its requests (docs/sync-api.yaml, the `dockhand-device-*`
/// headers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceReport {
    /// The app and library it runs.
    pub app: Option<String>,
    /// Events it holds for the hub.
    pub pending: Option<i64>,
    /// The operator signed in on it.
    pub operator: Option<String>,
}

/// An event as the hub stored it, for a person to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// Its envelope, as the device sent it (JSON).
    pub envelope: String,
    /// accepted, held or rejected.
    pub status: String,
    /// Why it was refused.
    pub reason: Option<String>,
    /// When the hub received it.
    pub received_at: String,
}

/// The console's accounts, sessions and actions.
pub trait ConsoleBook: Send + Sync + 'static {
    /// Adds `user`, or with `replace` sets the role and password of an existing one (and signs it
    /// out everywhere, unlocked): whether a row was written.
    fn put_console_user(&self, user: &ConsoleUser, replace: bool) -> HubResult<bool>;
    /// An account by name.
    fn console_user(&self, name: &str) -> HubResult<Option<ConsoleUser>>;
    /// Every account, by name.
    fn console_users(&self) -> HubResult<Vec<ConsoleUser>>;
    /// Removes an account and its sessions: whether it existed.
    fn remove_console_user(&self, name: &str) -> HubResult<bool>;
    /// Counts a wrong password for `name` from `address`; at `lock_after` failures (2 or more)
    /// the account is locked for that address until `locked_until` and its count starts again.
    /// The lock now in force for the address, if any.
    fn console_sign_in_failed(
        &self,
        name: &str,
        address: &str,
        lock_after: i64,
        locked_until: &str,
    ) -> HubResult<Option<String>>;
    /// The lock on `name` for `address`, if one was set (it may have run out).
    fn console_lock(&self, name: &str, address: &str) -> HubResult<Option<String>>;
    /// A right password for `name` from `address`: its count there starts again.
    fn console_signed_in(&self, name: &str, address: &str) -> HubResult<()>;
    /// Opens a session (the cookie's hash) for a right password, and drops sessions that ended
    /// before `session.created_at`.
    fn open_console_session(&self, token_hash: &str, session: &ConsoleSession) -> HubResult<()>;
    /// The session of a cookie's hash, whether or not it has ended.
    fn console_session(&self, token_hash: &str) -> HubResult<Option<ConsoleSession>>;
    /// Notes a request of the session at `now`.
    fn touch_console_session(&self, token_hash: &str, now: &str) -> HubResult<()>;
    /// Ends a session (sign-out).
    fn end_console_session(&self, token_hash: &str) -> HubResult<()>;
    /// Records an action.
    fn record_console_action(&self, action: &ConsoleAction) -> HubResult<()>;
    /// The latest `limit` actions, newest first.
    fn console_actions(&self, limit: i64) -> HubResult<Vec<ConsoleAction>>;
    /// A site's exceptions in brief, read without taking the site: (open, all, highest number,
    /// last settled at). What the console's header counts and its live check compare.
    fn exception_summary(&self, site: &str) -> HubResult<(i64, i64, i64, String)>;
    /// Records what a device said of itself (app, pending events, operator) at `now`.
    fn device_reported(&self, device_id: &str, report: &DeviceReport, now: &str) -> HubResult<()>;
    /// An event by id.
    fn event_by_id(&self, event_id: &str) -> HubResult<Option<EventRow>>;
    /// A device's event at `seq`.
    fn event_at(&self, device_id: &str, seq: i64) -> HubResult<Option<EventRow>>;
    /// A device's latest `limit` events, newest first.
    fn device_events(&self, device_id: &str, limit: i64) -> HubResult<Vec<EventRow>>;
    /// The latest `limit` events that moved item `sku` at `site`, newest first.
    fn item_events(&self, site: &str, sku: &str, limit: i64) -> HubResult<Vec<EventRow>>;
    /// The latest `limit` events that moved stock on licence plate `lpn` at `site`, newest first.
    fn lpn_events(&self, site: &str, lpn: &str, limit: i64) -> HubResult<Vec<EventRow>>;
    /// The envelopes `site` accepted from `from` up to `until` (hub's clock, RFC 3339), its own
    /// events included, in the order it accepted them: at most `limit`.
    fn accepted_between(
        &self,
        site: &str,
        from: &str,
        until: &str,
        limit: i64,
    ) -> HubResult<Vec<String>>;
    /// Every master row of a kind every site shares: (key, canonical JSON).
    fn shared_master(&self, kind: &str) -> HubResult<Vec<(String, String)>>;
}

/// The console's statements, one text for both backends.
pub mod console_sql {
    /// An account's wrong passwords in a row from its worst address, and its latest lock from
    /// any (what `user list` shows; a sign-in checks its own address).
    macro_rules! user_lock {
        () => {
            "(SELECT CAST(COALESCE(MAX(l.failures), 0) AS BIGINT) FROM console_lockouts l \
             WHERE l.user_name = u.name), (SELECT MAX(l.locked_until) FROM console_lockouts l \
             WHERE l.user_name = u.name)"
        };
    }

    /// Adds an account.
    pub const ADD_USER: &str = "INSERT INTO console_users
        (name, role, password_hash, failures, locked_until, created_at)
        VALUES ($1, $2, $3, 0, NULL, $4) ON CONFLICT (name) DO NOTHING";
    /// Sets an account's role and password ($1 role, $2 hash, $3 name), unlocked.
    pub const RESET_USER: &str = "UPDATE console_users
        SET role = $1, password_hash = $2 WHERE name = $3";
    /// Lifts every lock of an account (its password was set anew).
    pub const UNLOCK: &str = "DELETE FROM console_lockouts WHERE user_name = $1";
    /// An account by name.
    pub const USER: &str = concat!(
        "SELECT name, role, password_hash, ",
        user_lock!(),
        ", created_at FROM console_users u WHERE name = $1"
    );
    /// Every account.
    pub const USERS: &str = concat!(
        "SELECT name, role, password_hash, ",
        user_lock!(),
        ", created_at FROM console_users u ORDER BY name"
    );
    /// Removes an account (its sessions go with it).
    pub const REMOVE_USER: &str = "DELETE FROM console_users WHERE name = $1";
    /// Every session of an account.
    pub const END_SESSIONS_OF: &str = "DELETE FROM console_sessions WHERE user_name = $1";
    /// Counts a wrong password for account $1 from address $2 ($3 failures that lock, $4 lock
    /// end): the lock in force.
    pub const FAILED: &str = "INSERT INTO console_lockouts (user_name, address, failures)
        VALUES ($1, $2, 1)
        ON CONFLICT (user_name, address) DO UPDATE SET
            failures = CASE WHEN console_lockouts.failures + 1 >= $3 THEN 0
                            ELSE console_lockouts.failures + 1 END,
            locked_until = CASE WHEN console_lockouts.failures + 1 >= $3 THEN $4
                                ELSE console_lockouts.locked_until END
        RETURNING locked_until";
    /// The lock on account $1 for address $2.
    pub const LOCK: &str =
        "SELECT locked_until FROM console_lockouts WHERE user_name = $1 AND address = $2";
    /// A right password from an address: its count starts again.
    pub const SIGNED_IN: &str =
        "DELETE FROM console_lockouts WHERE user_name = $1 AND address = $2";
    /// Drops sessions that ended before $1.
    pub const PRUNE: &str = "DELETE FROM console_sessions WHERE expires_at < $1";
    /// Opens a session.
    pub const OPEN: &str = "INSERT INTO console_sessions
        (token_hash, user_name, csrf, created_at, last_seen, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6)";
    /// A session with its account's role.
    pub const SESSION: &str = "SELECT s.user_name, u.role, s.csrf, s.created_at, s.last_seen,
        s.expires_at FROM console_sessions s JOIN console_users u ON u.name = s.user_name
        WHERE s.token_hash = $1";
    /// Notes a request ($1 now, $2 hash).
    pub const TOUCH: &str = "UPDATE console_sessions SET last_seen = $1 WHERE token_hash = $2";
    /// Ends a session.
    pub const END: &str = "DELETE FROM console_sessions WHERE token_hash = $1";
    /// Records an action.
    pub const RECORD: &str = "INSERT INTO console_actions
        (at, user_name, action, target, note, outcome) VALUES ($1, $2, $3, $4, $5, $6)";
    /// A site's exceptions in brief.
    pub const EXCEPTION_SUMMARY: &str = "SELECT
        CAST(COALESCE(SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END), 0) AS BIGINT),
        CAST(COUNT(*) AS BIGINT), CAST(COALESCE(MAX(id), 0) AS BIGINT),
        COALESCE(MAX(settled_at), '') FROM exceptions WHERE site = $1";
    /// Records what device $5 said of itself at $4.
    pub const REPORTED: &str = "UPDATE devices SET app = $1, pending = $2, operator_id = $3,
        reported_at = $4 WHERE device_id = $5";
    /// An event by id.
    pub const EVENT: &str =
        "SELECT envelope, status, reason, received_at FROM events WHERE event_id = $1";
    /// A device's event at a seq.
    pub const EVENT_AT: &str = "SELECT envelope, status, reason, received_at FROM events
        WHERE device_id = $1 AND seq = $2";
    /// A device's latest events.
    pub const DEVICE_EVENTS: &str = "SELECT envelope, status, reason, received_at FROM events
        WHERE device_id = $1 ORDER BY seq DESC LIMIT $2";
    /// The latest events that moved an item at a site.
    pub const ITEM_EVENTS: &str = "SELECT e.envelope, e.status, e.reason, e.received_at
        FROM events e WHERE e.event_id IN (SELECT m.event_id FROM stock_moves m
            WHERE m.site = $1 AND m.sku = $2 ORDER BY m.id DESC LIMIT $3)
        ORDER BY e.id DESC";
    /// The latest events that moved stock on a licence plate at a site.
    pub const LPN_EVENTS: &str = "SELECT e.envelope, e.status, e.reason, e.received_at
        FROM events e WHERE e.event_id IN (SELECT l.event_id FROM lpn_events l
            WHERE l.site = $1 AND l.lpn = $2)
        ORDER BY e.id DESC LIMIT $3";
    /// What site $1 accepted from $2 up to $3 (the feed's time: a device's event when it was
    /// accepted, the hub's own when it made it), in feed order, at most $4.
    pub const ACCEPTED_BETWEEN: &str = "SELECT COALESCE(e.envelope, f.envelope)
        FROM feed f LEFT JOIN events e ON e.id = f.event_row
        WHERE f.site = $1 AND f.made_at >= $2 AND f.made_at < $3
        ORDER BY f.feed_seq LIMIT $4";
    /// Master rows every site shares, of a kind.
    pub const SHARED_MASTER: &str =
        "SELECT key, data FROM master WHERE site = '' AND kind = $1 ORDER BY key";
    /// The latest actions.
    pub const ACTIONS: &str = "SELECT at, user_name, action, target, note, outcome
        FROM console_actions ORDER BY id DESC LIMIT $1";
}
