//! The transactional outbox: every event a command emits, in the same transaction as its stock change.
//!
//! Each event gets a UUID v7 id, the device's next gap-free `seq`, and a SHA-256 hash over its
//! canonical envelope that includes the previous event's hash, so the hub (and an auditor) can prove
//! that nothing was removed, reordered or edited. The hash input is documented in docs/events.md:
//! the canonical JSON (keys sorted, no spaces) of the envelope without `hash`.
//!
//! Events leave the `pending` state only when the hub answers: `acknowledged`, or `rejected` with the
//! hub's code and reason, which the app shows as an exception to resolve.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{Store, WriteTx, utc_text};
use crate::error::{Error, Result};
use crate::text_enum::text_enum;

pub use dockhand_protocol::envelope::{
    Envelope, GENESIS_HASH, MAX_PAYLOAD, SCHEMA_VERSION, canonical_json,
};
pub use dockhand_protocol::events::{EventBody, EventKind, EventMovement};

text_enum! {
    /// Where an event is in its trip to the hub.
    pub enum OutboxState {
        /// Not yet acknowledged by the hub.
        Pending => "pending",
        /// The hub has it; it will not be sent again.
        Acknowledged => "acknowledged",
        /// The hub refused it; a person must resolve it.
        Rejected => "rejected",
    }
}

/// An event as stored in the outbox: its envelope and its delivery state. Derefs to the envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// What the hash covers.
    #[serde(flatten)]
    pub envelope: Envelope,
    /// Delivery state.
    pub state: OutboxState,
    /// The hub's rejection code, when rejected.
    pub reject_code: Option<String>,
    /// The hub's rejection reason, when rejected.
    pub reject_reason: Option<String>,
}

impl std::ops::Deref for Event {
    type Target = Envelope;
    fn deref(&self) -> &Envelope {
        &self.envelope
    }
}

impl std::ops::DerefMut for Event {
    fn deref_mut(&mut self) -> &mut Envelope {
        &mut self.envelope
    }
}

fn offset_text(at: DateTime<FixedOffset>) -> String {
    let secs = at.offset().local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    format!("{sign}{:02}:{:02}", secs / 3600, (secs % 3600) / 60)
}

/// The payload with the ledger rows written since the previous event as `movements` (events
/// that move no stock have none).
fn with_movements(tx: &WriteTx<'_>, mut payload: Value) -> Result<Value> {
    let legs = tx.take_legs();
    if legs.is_empty() {
        return Ok(payload);
    }
    let movements = crate::stock::ledger_rows_as_movements(tx.conn(), &legs)?;
    let Value::Object(map) = &mut payload else {
        return Err(Error::Internal(format!(
            "an event payload that moves stock must be an object, not {payload}"
        )));
    };
    map.insert("movements".into(), serde_json::to_value(movements)?);
    Ok(payload)
}

/// The movements an event carries (empty when it moved no stock).
pub fn movements(event: &Event) -> Result<Vec<EventMovement>> {
    match event.payload.get("movements") {
        Some(list) => Ok(serde_json::from_value(list.clone())?),
        None => Ok(Vec::new()),
    }
}

/// Appends an event for the running command, with the next `seq` and the hash-chain link; the
/// ledger rows the command wrote since the previous event become its `movements`.
pub fn append(tx: &WriteTx<'_>, body: impl Into<EventBody>) -> Result<Event> {
    let body = body.into();
    let event_type = body.kind().as_str();
    let conn = tx.conn();
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM outbox ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (last_seq, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
    let mut event = Envelope {
        seq: last_seq + 1,
        event_id: Uuid::now_v7(),
        device_id: tx.device_id().to_string(),
        event_type: event_type.to_string(),
        occurred_at: utc_text(tx.now()),
        tz_offset: offset_text(tx.now()),
        user_id: tx.user_id().to_string(),
        schema_version: SCHEMA_VERSION,
        op_id: tx.op_id(),
        payload: with_movements(tx, body.to_payload()?)?,
        prev_hash,
        hash: String::new(),
        signature: String::new(),
    };
    let payload_text = canonical_json(&event.payload);
    if payload_text.len() > MAX_PAYLOAD {
        return Err(Error::invalid(
            "event",
            format!(
                "its {event_type} payload is {} bytes; an event carries at most {MAX_PAYLOAD}",
                payload_text.len()
            ),
        ));
    }
    event.hash = event.hash_with_payload(&payload_text);
    event.signature = tx.sign(&event.hash)?;
    conn.prepare_cached(
        "INSERT INTO outbox (seq, event_id, device_id, event_type, occurred_at, tz_offset, user_id,
                             schema_version, op_id, payload, prev_hash, hash, state, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?13)",
    )?
    .execute((
        event.seq,
        event.event_id.to_string(),
        &event.device_id,
        &event.event_type,
        &event.occurred_at,
        &event.tz_offset,
        &event.user_id,
        event.schema_version,
        event.op_id.to_string(),
        payload_text,
        &event.prev_hash,
        &event.hash,
        &event.signature,
    ))?;
    Ok(Event {
        envelope: event,
        state: OutboxState::Pending,
        reject_code: None,
        reject_reason: None,
    })
}

const EVENT_COLUMNS: &str = "seq, event_id, device_id, event_type, occurred_at, tz_offset, user_id, \
     schema_version, op_id, payload, prev_hash, hash, state, reject_code, reject_reason, signature";

fn uuid_column(row: &Row<'_>, index: usize) -> rusqlite::Result<Uuid> {
    let text: String = row.get(index)?;
    Uuid::parse_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let payload: String = row.get(9)?;
    Ok(Event {
        envelope: Envelope {
            seq: row.get(0)?,
            event_id: uuid_column(row, 1)?,
            device_id: row.get(2)?,
            event_type: row.get(3)?,
            occurred_at: row.get(4)?,
            tz_offset: row.get(5)?,
            user_id: row.get(6)?,
            schema_version: row.get(7)?,
            op_id: uuid_column(row, 8)?,
            payload: serde_json::from_str(&payload).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    9,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            prev_hash: row.get(10)?,
            hash: row.get(11)?,
            signature: row.get::<_, Option<String>>(15)?.unwrap_or_default(),
        },
        state: row.get(12)?,
        reject_code: row.get(13)?,
        reject_reason: row.get(14)?,
    })
}

/// Pending events in `seq` order, at most `limit`.
pub fn pending(conn: &Connection, limit: usize) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM outbox
         WHERE seq >= (SELECT first_pending FROM outbox_cursor) AND state = 'pending'
         ORDER BY seq LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit as i64], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Events with `seq >= from_seq`, in order, at most `limit`, whatever their state.
pub fn events(conn: &Connection, from_seq: i64, limit: usize) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM outbox WHERE seq >= ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let rows = stmt.query_map((from_seq, limit as i64), event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The event with this id (a scan of the outbox: for corrections and support, not the hot path).
pub fn event_by_id(conn: &Connection, event_id: Uuid) -> Result<Event> {
    conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM outbox WHERE event_id = ?1"
    ))?
    .query_row([event_id.to_string()], event_from_row)
    .optional()?
    .ok_or(Error::UnknownEvent { event_id })
}

/// The events a command emitted, in order.
pub fn events_of_operation(conn: &Connection, op_id: Uuid) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM outbox WHERE op_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map([op_id.to_string()], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Rejected events not yet settled at the hub: the exceptions a person must resolve.
pub fn rejected(conn: &Connection) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM outbox INDEXED BY outbox_rejected WHERE state = 'rejected'
         AND seq NOT IN (SELECT seq FROM exception_settlements) ORDER BY seq"
    ))?;
    let rows = stmt.query_map([], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a person at the hub made of one of this device's refused events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// The event's seq.
    pub seq: i64,
    /// The event.
    pub event_id: Uuid,
    /// The hub's refusal code.
    pub code: Option<String>,
    /// `resolved`, `dismissed` or `retried` (taken on a retry: the event is delivered).
    pub state: String,
    /// The note it was settled with.
    pub note: Option<String>,
    /// Who settled it.
    pub settled_by: String,
    /// When this device learnt it.
    pub settled_at: String,
}

/// This device's refused events settled at the hub, newest first.
pub fn settlements(conn: &Connection) -> Result<Vec<Settlement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.seq, o.event_id, o.reject_code, s.state, s.note, s.settled_by, s.settled_at
         FROM exception_settlements s JOIN outbox o ON o.seq = s.seq ORDER BY s.seq DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Settlement {
            seq: r.get(0)?,
            event_id: uuid_column(r, 1)?,
            code: r.get(2)?,
            state: r.get(3)?,
            note: r.get(4)?,
            settled_by: r.get(5)?,
            settled_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Pending and rejected counts without walking the whole outbox (pending events lie after the
/// cursor; rejected ones are found through their partial index): cheap enough for every commit.
pub fn open_counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT COUNT(*) FROM outbox
                     WHERE seq >= (SELECT first_pending FROM outbox_cursor) AND state = 'pending'),
                    (SELECT COUNT(*) FROM outbox INDEXED BY outbox_rejected WHERE state = 'rejected'
                     AND seq NOT IN (SELECT seq FROM exception_settlements))",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The highest seq (0 when empty), from the primary key: constant time.
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM outbox")?
        .query_row([], |r| r.get(0))?)
}

/// Events per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxCounts {
    /// Waiting for the hub.
    pub pending: i64,
    /// Accepted by the hub.
    pub acknowledged: i64,
    /// Refused by the hub.
    pub rejected: i64,
    /// Highest `seq` (0 when empty).
    pub last_seq: i64,
}

/// Events per state.
pub fn counts(conn: &Connection) -> Result<OutboxCounts> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'acknowledged'), 0),
                    COALESCE(SUM(state = 'rejected'), 0), COALESCE(MAX(seq), 0) FROM outbox",
        )?
        .query_row([], |r| {
            Ok(OutboxCounts {
                pending: r.get(0)?,
                acknowledged: r.get(1)?,
                rejected: r.get(2)?,
                last_seq: r.get(3)?,
            })
        })?)
}

/// An event the hub answered for: its `seq` (the key it is found by) and its id (checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Delivered {
    /// The event's per-device sequence number.
    pub seq: i64,
    /// The event's id.
    pub event_id: Uuid,
}

impl From<&Event> for Delivered {
    fn from(event: &Event) -> Self {
        Self {
            seq: event.seq,
            event_id: event.event_id,
        }
    }
}

/// The state of a delivered event, by primary key; an id that does not match its seq is unknown.
fn state_of(conn: &Connection, delivered: Delivered) -> Result<OutboxState> {
    let row: Option<(String, OutboxState)> = conn
        .prepare_cached("SELECT event_id, state FROM outbox WHERE seq = ?1")?
        .query_row([delivered.seq], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((id, state)) if id == delivered.event_id.to_string() => Ok(state),
        _ => Err(Error::UnknownEvent {
            event_id: delivered.event_id,
        }),
    }
}

/// Moves the cursor past events that are no longer pending.
fn advance_cursor(tx: &WriteTx<'_>) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "UPDATE outbox_cursor SET first_pending = COALESCE(
                 (SELECT MIN(seq) FROM outbox WHERE seq >= first_pending AND state = 'pending'),
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox))",
        )?
        .execute([])?;
    Ok(())
}

/// Marks events acknowledged by the hub. Acknowledging twice is harmless (a lost response followed
/// by a retry); acknowledging a rejected event is refused. All or nothing.
pub fn acknowledge(store: &Store, delivered: &[Delivered]) -> Result<usize> {
    store.write(|tx| {
        let mut seen = std::collections::HashSet::with_capacity(delivered.len());
        let mut changed = 0;
        for &d in delivered {
            if !seen.insert(d.seq) {
                continue;
            }
            match state_of(tx.conn(), d)? {
                OutboxState::Acknowledged => {}
                OutboxState::Rejected => {
                    return Err(Error::EventState {
                        event_id: d.event_id,
                        state: OutboxState::Rejected.to_string(),
                        wanted: OutboxState::Acknowledged.to_string(),
                    });
                }
                OutboxState::Pending => {
                    changed += tx
                        .conn()
                        .prepare_cached(
                            "UPDATE outbox SET state = 'acknowledged', state_changed_at = ?2
                             WHERE seq = ?1",
                        )?
                        .execute((d.seq, tx.now_utc_text()))?;
                }
            }
        }
        advance_cursor(tx)?;
        Ok(changed)
    })
}

/// Marks an event rejected by the hub, with the hub's code and reason.
pub fn reject(store: &Store, delivered: Delivered, code: &str, reason: &str) -> Result<()> {
    store.write(|tx| {
        match state_of(tx.conn(), delivered)? {
            OutboxState::Pending => {}
            OutboxState::Rejected => return Ok(()),
            OutboxState::Acknowledged => {
                return Err(Error::EventState {
                    event_id: delivered.event_id,
                    state: OutboxState::Acknowledged.to_string(),
                    wanted: OutboxState::Rejected.to_string(),
                });
            }
        }
        tx.conn()
            .prepare_cached(
                "UPDATE outbox SET state = 'rejected', reject_code = ?2, reject_reason = ?3,
                 state_changed_at = ?4 WHERE seq = ?1",
            )?
            .execute((delivered.seq, code, reason, tx.now_utc_text()))?;
        advance_cursor(tx)?;
        Ok(())
    })
}

/// A break found by [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainBreak {
    /// `seq` does not follow the previous one.
    Gap {
        /// The seq expected.
        expected: i64,
        /// The seq found.
        found: i64,
    },
    /// `prev_hash` is not the previous event's hash.
    BrokenLink {
        /// The event.
        seq: i64,
    },
    /// `hash` does not match the envelope.
    TamperedEvent {
        /// The event.
        seq: i64,
    },
}

/// Walks the whole outbox and reports every gap, broken link or altered event.
pub fn verify_chain(conn: &Connection) -> Result<Vec<ChainBreak>> {
    let mut stmt = conn.prepare(&format!("SELECT {EVENT_COLUMNS} FROM outbox ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut breaks = Vec::new();
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_string();
    while let Some(row) = rows.next()? {
        let event = event_from_row(row)?;
        if event.seq != expected_seq {
            breaks.push(ChainBreak::Gap {
                expected: expected_seq,
                found: event.seq,
            });
        }
        if event.prev_hash != prev_hash {
            breaks.push(ChainBreak::BrokenLink { seq: event.seq });
        }
        let stored_payload: String = row.get(9)?;
        if event.hash_with_payload(&stored_payload) != event.hash {
            breaks.push(ChainBreak::TamperedEvent { seq: event.seq });
        }
        expected_seq = event.seq + 1;
        prev_hash = event.envelope.hash;
    }
    Ok(breaks)
}

/// Pending events the cursor has already passed: they would never be sent. Always empty unless the
/// file was edited by hand.
pub fn pending_behind_cursor(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT seq FROM outbox WHERE state = 'pending'
         AND seq < (SELECT first_pending FROM outbox_cursor) ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
