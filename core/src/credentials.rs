//! Badges and PINs: who is at the handheld, and who approves.
//!
//! The hub sends each operator's badge with an Argon2id hash of their PIN (the plain PIN never
//! reaches a device). Once a device holds any badge, every command must name the operator signed in
//! on it ([`sign_in`] with badge scan + PIN). Approvals (over-receipt, short-dated lots, count
//! variances, voids) carry the approving supervisor's badge and PIN as an [`Approval`]; it is
//! checked before the command runs and the approver is recorded in the command's event.
//!
//! A wrong PIN is written down outside the command it was meant for (the refused command rolls
//! back; the failed attempt must not): after [`MAX_PIN_FAILURES`] in a row the badge is locked for
//! [`LOCK_MINUTES`]. A new PIN from the hub unlocks it.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use dockhand_protocol::credential::{
    Credential, MIN_PIN_DIGITS, check_badge, check_credential, check_hub_cost, check_pin, hash_pin,
    pin_matches,
};
use dockhand_protocol::error::prefix;

use crate::catalog::{self, Operator};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};

/// Wrong PINs in a row that lock a badge.
pub const MAX_PIN_FAILURES: u32 = 5;
/// How long a locked badge stays locked.
pub const LOCK_MINUTES: i64 = 15;
/// A badge scanned and a PIN typed to authorise something. The PIN is never serialised: it does
/// not reach the operation log, the outbox or a log line.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The badge scanned.
    pub badge: String,
    /// The PIN typed.
    #[serde(skip_serializing, default)]
    pub pin: String,
}

impl Approval {
    /// Badge and PIN.
    pub fn new(badge: impl Into<String>, pin: impl Into<String>) -> Self {
        Self {
            badge: badge.into(),
            pin: pin.into(),
        }
    }
}

impl std::fmt::Debug for Approval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approval")
            .field("badge", &self.badge)
            .field("pin", &"…")
            .finish()
    }
}

/// A person whose badge and PIN were just checked. Only [`verify`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    operator_id: String,
    badge: String,
}

impl Verified {
    /// The operator.
    pub fn operator_id(&self) -> &str {
        &self.operator_id
    }

    /// The badge they scanned.
    pub fn badge(&self) -> &str {
        &self.badge
    }

    /// Inside a command: the verified person is still an active supervisor, and is not `actor`
    /// (`what` says what `actor` did, for the error).
    pub(crate) fn supervisor_other_than(
        &self,
        conn: &Connection,
        actor: &str,
        what: impl FnOnce() -> String,
    ) -> Result<Operator> {
        let op = catalog::supervisor(conn, &self.operator_id)?;
        if op.id == actor {
            return Err(Error::SelfApproval {
                supervisor: op.id,
                what: what(),
            });
        }
        Ok(op)
    }
}

/// Writes credentials from the hub (operators first: each names one). A badge moved to another
/// operator leaves its old owner; a new PIN clears the badge's wrong attempts. Whoever's
/// credential changed, or who is no longer active, is signed out.
pub(crate) fn upsert_in(tx: &WriteTx<'_>, list: &[Credential]) -> Result<()> {
    let conn = tx.conn();
    conn.prepare_cached(
        "DELETE FROM signed_in WHERE operator_id IN (SELECT id FROM operators WHERE NOT active)",
    )?
    .execute([])?;
    for c in list {
        check_credential(c)?;
        catalog::operator_any_state(conn, &c.operator_id)?;
        conn.prepare_cached(
            "DELETE FROM signed_in WHERE operator_id IN
                 (SELECT operator_id FROM credentials WHERE badge = ?1 AND operator_id <> ?2)",
        )?
        .execute((&c.badge, &c.operator_id))?;
        conn.prepare_cached("DELETE FROM credentials WHERE badge = ?1 AND operator_id <> ?2")?
            .execute((&c.badge, &c.operator_id))?;
        let changed = conn
            .prepare_cached(
                "INSERT INTO credentials (operator_id, badge, pin_hash) VALUES (?1, ?2, ?3)
                 ON CONFLICT (operator_id) DO UPDATE SET badge = excluded.badge,
                     pin_hash = excluded.pin_hash
                 WHERE badge <> excluded.badge OR pin_hash <> excluded.pin_hash",
            )?
            .execute((&c.operator_id, &c.badge, &c.pin_hash))?;
        if changed > 0 {
            conn.prepare_cached("DELETE FROM pin_failures WHERE badge = ?1")?
                .execute([&c.badge])?;
            conn.prepare_cached("DELETE FROM signed_in WHERE operator_id = ?1")?
                .execute([&c.operator_id])?;
        }
    }
    Ok(())
}

/// Checks a badge and PIN. Each attempt is counted before the PIN is hashed (so guesses made in
/// parallel each count) and the count is cleared by the right PIN; from the fifth wrong one on,
/// every attempt first locks the badge for [`LOCK_MINUTES`]: one guess per lock period, even if
/// the device's clock is moved. A wrong PIN's count stays although the caller's command will not
/// run.
pub fn verify(store: &Store, approval: &Approval) -> Result<Verified> {
    let badge = approval.badge.trim();
    // A PIN that cannot be one (empty, letters) is a typing slip, told apart without hashing.
    check_pin(&approval.pin)?;
    let now = store.clock().now().with_timezone(&Utc);
    let claim = store.write(|tx| {
        let c = tx.conn();
        let found: Option<(String, String, u32, Option<String>)> = c
            .prepare_cached(
                "SELECT c.operator_id, c.pin_hash, COALESCE(f.failures, 0), f.locked_until
                 FROM credentials c LEFT JOIN pin_failures f ON f.badge = c.badge
                 WHERE c.badge = ?1",
            )?
            .query_row([badge], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((operator_id, pin_hash, failures, locked_until)) = found else {
            return Ok(None);
        };
        if let Some(until) = locked_until.as_deref().map(parse_utc).transpose()?
            && until > now
        {
            return Err(Error::BadgeLocked {
                badge: prefix(badge, 24),
                failures,
                until: until.format("%Y-%m-%d %H:%M").to_string(),
            });
        }
        let failures = failures.saturating_add(1);
        let lock = (failures >= MAX_PIN_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES));
        c.prepare_cached(
            "INSERT INTO pin_failures (badge, failures, locked_until) VALUES (?1, ?2, ?3)
             ON CONFLICT (badge) DO UPDATE SET failures = excluded.failures,
                 locked_until = excluded.locked_until",
        )?
        .execute((badge, failures, lock.map(|t| t.to_rfc3339())))?;
        Ok(Some((operator_id, pin_hash, failures, lock)))
    })?;
    let Some((operator_id, pin_hash, failures, lock)) = claim else {
        return Err(Error::UnknownBadge {
            badge: prefix(badge, 24),
        });
    };
    // Hashing takes tens of milliseconds: no lock is held meanwhile.
    if pin_matches(&operator_id, &pin_hash, &approval.pin)? {
        store.write(|tx| {
            tx.conn()
                .prepare_cached("DELETE FROM pin_failures WHERE badge = ?1")?
                .execute([badge])?;
            Ok(())
        })?;
        store.read(|c| catalog::operator(c, &operator_id))?;
        return Ok(Verified {
            operator_id,
            badge: badge.to_string(),
        });
    }
    tracing::warn!(badge = %prefix(badge, 24), failures, "wrong PIN");
    Err(match lock {
        Some(until) => Error::BadgeLocked {
            badge: prefix(badge, 24),
            failures,
            until: until.format("%Y-%m-%d %H:%M").to_string(),
        },
        None => Error::WrongPin {
            badge: prefix(badge, 24),
            attempts_left: MAX_PIN_FAILURES - failures,
            lock_minutes: LOCK_MINUTES,
        },
    })
}

fn parse_utc(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Internal(format!("stored lock time {text:?}: {e}")))
}

/// Signs the badge's owner in on this handheld (whoever was signed in is signed out).
pub fn sign_in(store: &Store, badge: &str, pin: &str) -> Result<Operator> {
    let who = verify(store, &Approval::new(badge, pin))?;
    store.write(|tx| {
        let op = catalog::operator(tx.conn(), &who.operator_id)?;
        tx.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO signed_in (singleton, operator_id, badge, signed_in_at)
                 VALUES (1, ?1, ?2, ?3)",
            )?
            .execute((&op.id, &who.badge, tx.now_utc_text()))?;
        tracing::info!(operator = %op.id, "signed in");
        Ok(op)
    })
}

/// Signs out whoever is signed in; returns who was.
pub fn sign_out(store: &Store) -> Result<Option<String>> {
    store.write(|tx| {
        let who: Option<String> = tx
            .conn()
            .prepare_cached("DELETE FROM signed_in RETURNING operator_id")?
            .query_row([], |r| r.get(0))
            .optional()?;
        Ok(who)
    })
}

/// Who is signed in on this handheld.
pub fn signed_in(store: &Store) -> Result<Option<Operator>> {
    store.read(|c| {
        let id: Option<String> = c
            .prepare_cached("SELECT operator_id FROM signed_in")?
            .query_row([], |r| r.get(0))
            .optional()?;
        id.map(|id| catalog::operator_any_state(c, &id)).transpose()
    })
}

/// Inside a command: once the device holds badges, `operator` must be the one signed in.
pub(crate) fn require_signed_in(conn: &Connection, operator: &str) -> Result<()> {
    let (badges, who): (bool, Option<String>) = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM credentials), (SELECT operator_id FROM signed_in)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    match who {
        _ if !badges => Ok(()),
        Some(who) if who == operator => Ok(()),
        who => Err(Error::NotSignedIn {
            operator: operator.into(),
            signed_in: match who {
                Some(who) => format!("{who} is"),
                None => "nobody is".into(),
            },
        }),
    }
}
