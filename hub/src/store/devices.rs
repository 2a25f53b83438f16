//! Device sync: registration and tokens, event intake (each device's chain and the stock view it
//! feeds), exceptions and the devices' positions.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{
    CountReconciled, DeviceStatus, Envelope, HeldCount, HubException, IntakeResult,
};

use super::{BucketKey, Judged, StoredEvent};
use crate::error::{HubError, HubResult};

/// What the hub does for and about devices.
pub trait DeviceSync: Send + Sync + 'static {
    /// Grants a device a new token (stored as its SHA-256) as `grant.mode` allows (one
    /// transaction; see [`admission`]).
    fn register(&self, grant: &TokenGrant) -> HubResult<()>;
    /// The device and expiry of a token, by its SHA-256.
    fn token(&self, token_hash: &str) -> HubResult<Option<(String, String)>>;
    /// Revokes a device: its tokens stop working at once and it cannot register again until an
    /// administrator replaces it. Returns how many tokens were removed.
    fn revoke_device(&self, device_id: &str, now: &str) -> HubResult<usize>;
    /// Removes every token of a device (it stays registered). Returns how many.
    fn revoke_tokens(&self, device_id: &str) -> HubResult<usize>;
    /// Removes what the hub no longer needs (expired tokens, old refusals, the bodies of old
    /// rejected events) and counts what needs a person.
    fn housekeep(&self, now: &str) -> HubResult<Housekeeping>;
    /// Takes a batch of one device's events (one transaction). `signed_only`: a device without a
    /// public key is refused (`device_key_missing`) before anything is taken.
    fn intake(
        &self,
        device_id: &str,
        events: &[Envelope],
        now: &str,
        signed_only: bool,
    ) -> HubResult<IntakeResult>;
    /// Records a device's public key when it has none; the same key again changes nothing.
    fn enrol_key(&self, device_id: &str, public_key: &str) -> HubResult<()>;
    /// A supervisor accepts the fork a device is held for: its next event re-anchors its chain.
    fn accept_fork(&self, device_id: &str) -> HubResult<()>;
    /// Rejected events.
    fn exceptions(&self) -> HubResult<Vec<HubException>>;
    /// Every device's position.
    fn devices(&self) -> HubResult<Vec<DeviceStatus>>;
    /// Records how far a device's clock is from the hub's (ms, device minus hub), checked `now`.
    fn clock_checked(&self, device_id: &str, skew_ms: i64, now: &str) -> HubResult<()>;
    /// Adds a site (warehouse) devices can register for; `false` when it exists already.
    fn add_site(&self, site_id: &str, name: &str, now: &str) -> HubResult<bool>;
    /// The hub's sites, in order.
    fn sites(&self) -> HubResult<Vec<String>>;
    /// The corrections the hub booked on `site`'s counts, oldest first.
    fn reconciled_counts(&self, site: &str) -> HubResult<Vec<CountReconciled>>;
    /// The count lines of `site` held back from the ERP.
    fn held_counts(&self, site: &str) -> HubResult<Vec<HeldCount>>;
    /// Sends `site`'s held count lines (of `task`, or all) to the ERP now, on `by`'s word;
    /// returns them.
    fn release_counts(
        &self,
        site: &str,
        task: Option<&str>,
        by: &str,
        now: &str,
    ) -> HubResult<Vec<HeldCount>>;
    /// Notes that a device synced (it pulls changes after pushing what it had) and releases the
    /// counts of its site every active device has now synced past.
    fn device_synced(&self, device_id: &str, now: &str) -> HubResult<()>;
    /// Notes that a device pulled the site's stock from the start (its counts then observe the
    /// shelf).
    fn stock_pulled(&self, device_id: &str, now: &str) -> HubResult<()>;
    /// The site a device works in (`None`: no such device).
    fn device_site(&self, device_id: &str) -> HubResult<Option<String>>;
}

/// Where a device's chain stands at the hub.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Position {
    /// Highest seq with no gap before it (0 before the first event).
    pub contiguous_seq: i64,
    /// Hash of that event (64 zeros before the first).
    pub last_hash: String,
    /// The device's public key (`None`: not enrolled; its events cannot be verified).
    pub public_key: Option<String>,
    /// The device is held for a supervisor: code, reason, since (its chain forked).
    pub held: Option<(String, String, String)>,
    /// A supervisor accepted a fork: the next event re-anchors the chain.
    pub accept_fork: bool,
    /// The site the device works in: its events move that site's stock.
    pub site: String,
    /// How far the device's clock was ahead of the hub's at its last sync (ms; `None`: never
    /// measured): its event times are corrected by it.
    pub clock_skew_ms: Option<i64>,
    /// The device has pulled the site's stock: its counts observe the shelf (one that never did
    /// counts against its own work, and its adjustments are taken as they are).
    pub shares_stock: bool,
}

/// How a position is read and written, one text for both backends.
pub mod position_sql {
    /// A device's position.
    pub const READ: &str = "SELECT contiguous_seq, last_hash, public_key, held_code, held_reason,
        held_since, accept_fork, site_id, clock_skew_ms, stock_pulled_at FROM devices
        WHERE device_id = $1";
    /// [`READ`] locking the row (PostgreSQL: hub instances taking one device's batches queue).
    pub const READ_LOCKED: &str = "SELECT contiguous_seq, last_hash, public_key, held_code,
        held_reason, held_since, accept_fork, site_id, clock_skew_ms, stock_pulled_at FROM devices
        WHERE device_id = $1 FOR UPDATE";
    /// Stores a device's position ($8 device).
    pub const WRITE: &str =
        "UPDATE devices SET contiguous_seq = $1, last_hash = $2, last_seen = $3,
        held_code = $4, held_reason = $5, held_since = $6, accept_fork = $7 WHERE device_id = $8";
    /// Records a device's key when it has none ($1 key, $2 device).
    pub const ENROL: &str =
        "UPDATE devices SET public_key = $1 WHERE device_id = $2 AND public_key IS NULL";
    /// The key of a device.
    pub const KEY: &str = "SELECT public_key FROM devices WHERE device_id = $1";
    /// [`KEY`] locking the row (PostgreSQL: two enrolments of one device queue).
    pub const KEY_LOCKED: &str = "SELECT public_key FROM devices WHERE device_id = $1 FOR UPDATE";
    /// Sets (or clears) a device's key ($1 key, $2 device).
    pub const SET_KEY: &str = "UPDATE devices SET public_key = $1 WHERE device_id = $2";
    /// A supervisor accepts a held device's fork ($1 device): one row when it was held.
    pub const ACCEPT_FORK: &str = "UPDATE devices SET held_code = NULL, held_reason = NULL,
        held_since = NULL, accept_fork = 1 WHERE device_id = $1 AND held_code IS NOT NULL";
    /// Why a device is held, if it is.
    pub const HELD: &str = "SELECT held_code FROM devices WHERE device_id = $1";
}

/// What intake needs from a transaction.
pub trait IntakeTx: super::ImportTx {
    /// The device's position.
    fn position(&mut self, device_id: &str) -> HubResult<Position>;
    /// Stores the device's position.
    fn set_position(&mut self, device_id: &str, position: &Position, now: &str) -> HubResult<()>;
    /// The stored event with this id.
    fn stored(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>>;
    /// The device's event held at this seq.
    fn held_at(&mut self, device_id: &str, seq: i64) -> HubResult<Option<Envelope>>;
    /// Whether any event of this device is held.
    fn has_held(&mut self, device_id: &str) -> HubResult<bool>;
    /// Whether the site may have count lines held, so that the push's release of those due
    /// (`reconcile::release_due`, under the site's lock) has work; read with [`Self::has_held`].
    /// A line held by another push at the same time is released by a later push. The default
    /// always releases.
    fn counts_may_be_held(&mut self) -> HubResult<bool> {
        Ok(true)
    }
    /// Whether an event of this device is stored at `seq`.
    fn seq_taken(&mut self, device_id: &str, seq: i64) -> HubResult<bool>;
    /// Records an event refused without a place in the device's chain (it is not stored as an
    /// event: its seq stays free for the device's genuine event).
    fn refuse(&mut self, event: &Envelope, code: &str, reason: &str, now: &str) -> HubResult<()>;
    /// The stock view's quantity of one bucket (what was applied in this transaction included).
    fn bucket(&mut self, key: &BucketKey) -> HubResult<i64>;
    /// Stores a new event with its outcome.
    fn insert(&mut self, event: &Envelope, outcome: &Judged, now: &str) -> HubResult<()>;
    /// Removes a held event that turned out not to link to the chain.
    fn delete_held(&mut self, event_id: &uuid::Uuid) -> HubResult<()>;
    /// Settles a held event.
    fn settle(&mut self, event_id: &uuid::Uuid, outcome: &Judged) -> HubResult<()>;
    /// Adds the movements to the stock view; `taker` (an event id, or "") becomes the last taker
    /// of every bucket a movement takes from.
    fn apply(&mut self, movements: &[EventMovement], taker: &str) -> HubResult<()>;
    /// The last event that took from a bucket ("" when none; this transaction's included).
    fn last_taker(&mut self, key: &BucketKey) -> HubResult<String>;
    /// Records a bucket taken below zero and publishes the count task it raises (`task`: its id
    /// and the task as JSON) to the devices.
    fn record_conflict(&mut self, conflict: &super::Conflict, task: &str) -> HubResult<()>;
    /// Records the expiry a receipt gave a lot, unless the hub knows one already (ISO date).
    fn note_lot_expiry(&mut self, sku: &str, lot: &str, expiry: &str) -> HubResult<()>;
    /// Appends an accepted event to the ERP feed, accepted at `now` (a retried refusal is
    /// accepted long after it arrived).
    fn append_feed(&mut self, event_id: &uuid::Uuid, now: &str) -> HubResult<()>;
    /// Whether the hub has a catalog (items were imported).
    fn has_catalog(&mut self) -> HubResult<bool>;
    /// Whether the hub's catalog has this SKU.
    fn sku_known(&mut self, sku: &str) -> HubResult<bool>;
    /// The seq and code of an event this hub refused (this batch's verdicts included); `None`
    /// when it was not refused or is unknown.
    fn refused(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<(i64, String)>>;
    /// The stored event with this id, of any batch ([`IntakeTx::stored`] may answer for this
    /// batch's events only).
    fn stored_earlier(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>> {
        self.stored(event_id)
    }
    /// Told the batch's event ids before intake starts (a backend may look them up at once).
    fn prefetch(&mut self, _event_ids: &[uuid::Uuid]) -> HubResult<()> {
        Ok(())
    }
    /// Writes whatever the backend buffered; called before the transaction commits.
    fn flush(&mut self) -> HubResult<()> {
        Ok(())
    }
}

/// An exception from its row: device, seq, event id, type, code, reason, received at.
pub fn exception_of(
    row: (String, i64, String, String, String, String, String),
) -> HubResult<HubException> {
    let (device_id, seq, id, event_type, code, reason, received_at) = row;
    Ok(HubException {
        device_id,
        seq,
        event_id: id
            .parse()
            .map_err(|e| HubError::Storage(format!("event id {id}: {e}")))?,
        event_type,
        code,
        reason,
        received_at,
    })
}

/// How a token is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantMode {
    /// A device not registered yet (an existing one is refused).
    New,
    /// A registered device gets another token (development self-registration); its expired
    /// tokens and all but its newest [`TOKENS_KEPT`] are removed.
    Renew,
    /// An administrator replaces a handheld: every older token of the id stops working and a
    /// revoked id is admitted again.
    Replace,
}

/// Live tokens kept per device when another is granted (a device that lost a response still
/// works with its previous one; superseded ones beyond this are removed).
pub const TOKENS_KEPT: i64 = 3;

/// A token to store for a device.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The device.
    pub device_id: String,
    /// A name people recognise.
    pub name: String,
    /// SHA-256 of the token.
    pub token_hash: String,
    /// When it stops working.
    pub expires_at: String,
    /// Now.
    pub issued_at: String,
    /// New, renewed or replacing.
    pub mode: GrantMode,
    /// The device's public key, when it sent one (a replaced handheld without one enrols later).
    pub public_key: Option<String>,
    /// The site asked for (none: the hub's only site).
    pub site: Option<String>,
}

/// A correction of a count from its hub event's id, source, body (JSON with its `movement`) and
/// time.
pub fn count_reconciled(
    (event_id, source, body, recorded_at): (String, String, String, String),
) -> HubResult<CountReconciled> {
    #[derive(serde::Deserialize)]
    struct Body {
        movement: dockhand_protocol::events::EventMovement,
    }
    let body: Body = serde_json::from_str(&body)?;
    Ok(CountReconciled {
        event_id,
        recorded_at,
        source,
        movement: body.movement,
    })
}

/// A held count line as the API shows it.
pub fn held_count(o: super::Observation) -> HeldCount {
    HeldCount {
        task_id: o.task_id,
        round: o.round,
        location: o.family.location,
        sku: o.family.sku,
        lot: o.family.lot,
        counted_at: o.at,
        found: o.observed,
        device_id: o.device_id,
    }
}

/// The site every hub starts with (a hub of before sites became it, with all its data).
pub const FIRST_SITE: &str = "main";

/// Whether `id` may name a site: 1 to 32 letters, digits, `.`, `_` or `-`.
pub fn check_site_id(id: &str) -> HubResult<()> {
    let fine = (1..=32).contains(&id.chars().count())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if fine {
        Ok(())
    } else {
        Err(HubError::BadRequest(format!(
            "site id {:?}: 1 to 32 letters, digits, '.', '_' or '-'",
            crate::body::short_text(id, 40)
        )))
    }
}

/// The site a grant registers its device for: the one asked for, which must exist, or the hub's
/// only site; a device registered for another site moves only when an administrator replaces it.
pub fn site_of(grant: &TokenGrant, sites: &[String], current: Option<&str>) -> HubResult<String> {
    let listed = || sites.join(", ");
    let site = match grant.site.as_deref() {
        Some(site) if sites.iter().any(|s| s == site) => site.to_string(),
        Some(site) => return Err(no_such_site(site, sites)),
        None => match (current, sites) {
            (Some(current), _) => current.to_string(),
            (None, [only]) => only.clone(),
            (None, _) => {
                return Err(HubError::BadRequest(format!(
                    "this hub serves {} sites ({}): name the site device {} works in",
                    sites.len(),
                    listed(),
                    grant.device_id
                )));
            }
        },
    };
    if let Some(current) = current
        && current != site
        && grant.mode != GrantMode::Replace
    {
        return Err(HubError::DeviceState(format!(
            "device {} is registered for site {current}, not {site}: an administrator moves it \
             (dockhand-hub device issue {} --replace --site {site})",
            grant.device_id, grant.device_id
        )));
    }
    Ok(site)
}

/// The site `asked` for, which must be one of `sites`, or the hub's only site; a hub of several
/// sites needs one named (`for_what` says what for, e.g. "whose stock to show").
pub fn site_named(asked: Option<&str>, sites: &[String], for_what: &str) -> HubResult<String> {
    match (asked, sites) {
        (Some(site), _) if sites.iter().any(|s| s == site) => Ok(site.to_string()),
        (Some(site), _) => Err(no_such_site(site, sites)),
        (None, [only]) => Ok(only.clone()),
        (None, _) => Err(HubError::BadRequest(format!(
            "this hub serves {} sites ({}): name the site {for_what}",
            sites.len(),
            sites.join(", ")
        ))),
    }
}

/// The refusal of a site the hub does not serve.
pub fn no_such_site(site: &str, sites: &[String]) -> HubError {
    HubError::BadRequest(format!(
        "there is no site {:?} at this hub; its sites: {}",
        crate::body::short_text(site, 40),
        sites.join(", ")
    ))
}

/// What a grant does to a device that is `existing` (`Some(revoked)` when registered).
pub fn admission(grant: &TokenGrant, existing: Option<bool>) -> HubResult<GrantMode> {
    let id = &grant.device_id;
    match (grant.mode, existing) {
        (GrantMode::Replace, _) => Ok(GrantMode::Replace),
        (_, Some(true)) => Err(HubError::DeviceRevoked(id.clone())),
        (GrantMode::New, Some(false)) => Err(HubError::DeviceExists(id.clone())),
        (GrantMode::New, None) | (GrantMode::Renew, None) => Ok(GrantMode::New),
        (GrantMode::Renew, Some(false)) => Ok(GrantMode::Renew),
    }
}

/// Whether `offered` may be recorded as the key of a device that has `recorded`.
pub fn enrolment(device_id: &str, offered: &str, recorded: Option<&str>) -> HubResult<()> {
    if !dockhand_protocol::envelope::is_public_key(offered) {
        return Err(HubError::BadPublicKey(crate::body::short_text(offered, 80)));
    }
    match recorded {
        Some(key) if key != offered => Err(HubError::KeyRecorded {
            device_id: device_id.into(),
            recorded: key.chars().take(12).collect(),
        }),
        _ => Ok(()),
    }
}

/// Why a supervisor cannot accept a fork of a device: unknown, or not held (`held` is the held
/// code, if the device exists).
pub fn fork_refusal(device_id: &str, held: Option<Option<String>>) -> HubError {
    match held {
        None => HubError::UnknownDevice(device_id.into()),
        Some(_) => HubError::DeviceState(format!(
            "device {device_id} is not held for a supervisor: there is no fork to accept"
        )),
    }
}

/// A triple split into three options.
pub trait Unzip3<A, B, C> {
    /// `(Some(a), Some(b), Some(c))` or three `None`.
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>);
}

impl<A, B, C> Unzip3<A, B, C> for Option<(A, B, C)> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}

/// What housekeeping removed and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Housekeeping {
    /// Expired tokens removed.
    pub expired_tokens: u64,
    /// Refusals beyond the newest [`REFUSALS_KEPT`] per device removed.
    pub refusals: u64,
    /// Rejected events whose bodies were cleared (beyond the newest [`REJECTED_BODIES_KEPT`]
    /// per device; their seq, hash, code and reason stay).
    pub rejected_bodies: u64,
    /// Devices with more than [`HELD_ALERT`] events held for a gap, with the count.
    pub devices_holding: Vec<(String, i64)>,
    /// Devices with more than [`REJECTED_ALERT`] rejected events, with the count.
    pub devices_rejected: Vec<(String, i64)>,
    /// Devices whose clock was more than [`CLOCK_ALERT_MS`] from the hub's at its last check,
    /// with the skew (ms, device minus hub).
    pub devices_clock_off: Vec<(String, i64)>,
}

/// A device clock this far from the hub's (either way, in ms) raises an alert: five minutes.
pub const CLOCK_ALERT_MS: i64 = 5 * 60 * 1000;

/// Refusals kept per device.
pub const REFUSALS_KEPT: i64 = 1000;
/// Rejected events per device whose full envelopes are kept.
pub const REJECTED_BODIES_KEPT: i64 = 1000;
/// Held events of one device that raise an alert.
pub const HELD_ALERT: i64 = 1000;
/// Rejected events of one device that raise an alert.
pub const REJECTED_ALERT: i64 = 100;

/// Device and token statements, one text for both backends (`$n` numbered in order of first use).
pub mod device_sql {
    /// Whether a device is registered, and revoked.
    pub const DEVICE: &str = "SELECT revoked_at IS NOT NULL FROM devices WHERE device_id = $1";
    /// A device's site.
    pub const SITE: &str = "SELECT site_id FROM devices WHERE device_id = $1";
    /// Notes at $1 that device $2 pulled changes (having pushed what it had).
    pub const SYNCED: &str = "UPDATE devices SET synced_at = $1 WHERE device_id = $2";
    /// Notes at $1 that device $2 pulled the site's stock, the first time.
    pub const STOCK_PULLED: &str = "UPDATE devices SET stock_pulled_at = $1
        WHERE device_id = $2 AND stock_pulled_at IS NULL";
    /// Every site, in order.
    pub const SITES: &str = "SELECT site_id FROM sites ORDER BY site_id";
    /// Adds a site ($1 id, $2 name, $3 now); nothing when it exists.
    pub const ADD_SITE: &str = "INSERT INTO sites (site_id, name, created_at) VALUES ($1, $2, $3)
        ON CONFLICT (site_id) DO NOTHING";
    /// Registers a device or renames it; admits a replaced one again; sets its site ($4).
    pub const UPSERT: &str = "INSERT INTO devices (device_id, name, registered_at, site_id)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, revoked_at = NULL,
        site_id = excluded.site_id";
    /// Removes every token of a device.
    pub const DELETE_TOKENS: &str = "DELETE FROM tokens WHERE device_id = $1";
    /// Removes a device's expired tokens and all but its newest $3 live ones.
    pub const PRUNE_TOKENS: &str = "DELETE FROM tokens WHERE device_id = $1 AND (expires_at < $2
        OR token_hash NOT IN (SELECT token_hash FROM tokens WHERE device_id = $1
            AND expires_at >= $2 ORDER BY COALESCE(issued_at, '') DESC, token_hash LIMIT $3))";
    /// Stores a token.
    pub const INSERT_TOKEN: &str =
        "INSERT INTO tokens (token_hash, device_id, expires_at, issued_at) VALUES ($1, $2, $3, $4)";
    /// Marks device $2 revoked at $1.
    pub const REVOKE: &str = "UPDATE devices SET revoked_at = $1 WHERE device_id = $2";
    /// Removes every expired token.
    pub const EXPIRED_TOKENS: &str = "DELETE FROM tokens WHERE expires_at < $1";
    /// Removes refusals beyond the newest $1 of each device.
    pub const OLD_REFUSALS: &str = "DELETE FROM refusals WHERE id IN (SELECT id FROM
        (SELECT id, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY id DESC) AS n
         FROM refusals) ranked WHERE n > $1)";
    /// Clears the bodies of rejected events beyond the newest $1 of each device.
    pub const OLD_REJECTED: &str = "UPDATE events SET envelope = '' WHERE id IN (SELECT id FROM
        (SELECT id, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY id DESC) AS n
         FROM events WHERE status = 'rejected' AND envelope <> '') ranked WHERE n > $1)";
    /// Every device with its position, held and rejected counts, whether it signs, and why it
    /// is held for a supervisor.
    pub const DEVICES: &str = "SELECT d.device_id, d.contiguous_seq,
        (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id AND e.status = 'held'),
        (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id AND e.status = 'rejected'),
        d.last_seen, d.public_key IS NOT NULL,
        CASE WHEN d.held_reason IS NULL THEN NULL
             ELSE d.held_reason || ' (held since ' || d.held_since || ')' END,
        d.clock_skew_ms, d.clock_checked_at, d.site_id, d.name, d.revoked_at, d.app, d.pending,
        d.operator_id, d.reported_at
        FROM devices d ORDER BY d.device_id";
    /// Records device $3's clock skew $1 (ms) as checked at $2 (also when it was last seen).
    pub const CLOCK: &str = "UPDATE devices SET clock_skew_ms = $1, clock_checked_at = $2,
        last_seen = $2 WHERE device_id = $3";
    /// Devices whose clock was more than $1 ms from the hub's at its last check, with the skew.
    pub const CLOCK_OFF: &str = "SELECT device_id, clock_skew_ms FROM devices
        WHERE clock_skew_ms > $1 OR clock_skew_ms < -$1 ORDER BY device_id";
    /// Devices with more than $2 events of status $1, with the count.
    pub const OVER: &str = "SELECT device_id, COUNT(*) FROM events WHERE status = $1
        GROUP BY device_id HAVING COUNT(*) > $2 ORDER BY device_id";
    /// Records an event refused without a place in its device's chain.
    pub const REFUSAL: &str = "INSERT INTO refusals
        (device_id, seq, event_id, event_type, code, reason, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)";
    /// Rejected events, refusals and buckets taken below zero, oldest first (one list of
    /// exceptions).
    pub const EXCEPTIONS: &str = "SELECT device_id, seq, event_id, event_type, code, reason,
        received_at FROM (
          SELECT device_id, seq, event_id, event_type, COALESCE(code, '') AS code,
                 COALESCE(reason, '') AS reason, received_at FROM events WHERE status = 'rejected'
          UNION ALL
          SELECT device_id, seq, event_id, event_type, code, reason, received_at FROM refusals
          UNION ALL
          SELECT device_id, seq, event_id, event_type, 'stock_below_zero', reason, raised_at
          FROM conflicts
        ) x ORDER BY received_at, device_id, seq";
}

/// The statements of intake and the stock view, one text for both backends.
pub mod intake_sql {
    /// A stored event by id.
    pub const STORED: &str =
        "SELECT device_id, seq, hash, status, code, reason FROM events WHERE event_id = $1";
    /// A device's event held at a seq.
    pub const HELD_AT: &str =
        "SELECT envelope FROM events WHERE device_id = $1 AND seq = $2 AND status = 'held'";
    /// Whether a device has any held event.
    pub const HAS_HELD: &str =
        "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = $1 AND status = 'held')";
    /// Whether a device's seq is stored.
    pub const SEQ_TAKEN: &str =
        "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = $1 AND seq = $2)";
    /// The seq and code of a rejected event.
    pub const REFUSED: &str = "SELECT seq, COALESCE(code, '') FROM events
        WHERE event_id = $1 AND status = 'rejected'";
    /// Removes a held event.
    pub const DELETE_HELD: &str = "DELETE FROM events WHERE event_id = $1 AND status = 'held'";
    /// Settles a held event: status, code, reason of event $4.
    pub const SETTLE: &str =
        "UPDATE events SET status = $1, code = $2, reason = $3 WHERE event_id = $4";
    /// One stock bucket's quantity (site $1).
    pub const BUCKET: &str = "SELECT qty FROM stock WHERE site = $1 AND location = $2 AND sku = $3
        AND lot = $4 AND serial = $5 AND lpn = $6 AND status = $7";
    /// Whether items were imported (items are shared by every site: site '').
    pub const HAS_CATALOG: &str =
        "SELECT EXISTS (SELECT 1 FROM master WHERE site = '' AND kind = 'item')";
    /// Whether an item was imported.
    pub const SKU_KNOWN: &str =
        "SELECT EXISTS (SELECT 1 FROM master WHERE site = '' AND kind = 'item' AND key = $1)";
    /// The device and expiry of a token.
    pub const TOKEN: &str = "SELECT device_id, expires_at FROM tokens WHERE token_hash = $1";
}
