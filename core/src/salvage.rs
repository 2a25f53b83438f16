//! Getting a device's unsent events out of a damaged database file.
//!
//! A handheld whose database failed its integrity check still holds warehouse work the hub has
//! not seen. Every event is signed and hash-chained, so whatever SQLite can still read can be sent
//! as it is: the hub verifies each one as if the device had sent it. [`salvage`] reads the outbox
//! from the first pending event on, in ranges while the table reads, and seq by seq around the
//! pages that do not (a point lookup needs only the path to its own leaf page). Every event found
//! is checked against its own hash; the ones that fail, and the seqs that cannot be read, are
//! reported as lost rather than sent damaged. Nothing is written to the file.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::outbox::{self, Envelope, OutboxState};
use crate::schema;
use crate::{keys, snapshot};

/// How far past the last readable seq to probe when the table's end cannot be read.
const PROBE_PAST_END: i64 = 1_000;

/// What could be read of a damaged database's unsent events.
#[derive(Debug, Clone)]
pub struct Salvaged {
    /// The device id, when its record is readable (otherwise taken from the events).
    pub device_id: Option<String>,
    /// The first seq that was still pending (from the outbox cursor; 1 when it is unreadable).
    pub first_pending: i64,
    /// Pending events that read back whole (hash verified), in seq order.
    pub events: Vec<Envelope>,
    /// Seqs from `first_pending` on that could not be read or failed their hash, as inclusive
    /// ranges.
    pub lost: Vec<(i64, i64)>,
    /// Events past the cursor already acknowledged or rejected by the hub (not salvaged).
    pub already_answered: usize,
    /// Set when neither the outbox's last seq nor anything from this seq on could be read:
    /// events from here on, if there were any, are lost.
    pub unreadable_from: Option<i64>,
}

/// Reads every pending event of the database at `path` that SQLite can still read; `key` for an
/// encrypted file. Fails only when nothing of the outbox can be read at all.
pub fn salvage(path: &Path, key: Option<&str>) -> Result<Salvaged> {
    if !path.is_file() {
        return Err(Error::DatabaseMissing {
            path: path.to_path_buf(),
        });
    }
    let snapshot = snapshot::open(path, key)?;
    let conn = &snapshot.conn;
    // A wrong or missing key reads nothing at all: say so rather than call the file damaged.
    schema::version(conn).map_err(|e| Error::DatabaseUnreadable {
        path: path.to_path_buf(),
        reason: keys::key_hint(&e, key),
    })?;
    let device_id = conn
        .query_row("SELECT device_id FROM device", [], |r| {
            r.get::<_, String>(0)
        })
        .ok();
    let first_pending = conn
        .query_row("SELECT first_pending FROM outbox_cursor", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_or(1)
        .max(1);
    // The last seq, trusted only when that event itself reads back whole: a damaged last page can
    // yield any number.
    let last = conn
        .query_row("SELECT MAX(seq) FROM outbox", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .ok()
        .flatten()
        .filter(|&last| {
            last >= 1
                && outbox::events(conn, last, 1).is_ok_and(|one| {
                    one.first()
                        .is_some_and(|e| e.seq == last && e.computed_hash() == e.hash)
                })
        });

    let mut reader = Reader {
        conn,
        found: Vec::new(),
        lost: Vec::new(),
        answered: 0,
        // A verified last event, or an outbox that reads as empty, is a readable outbox with
        // nothing (more) to send.
        readable: last.is_some(),
    };
    let mut seq = first_pending;
    let mut unreadable_from = None;
    loop {
        if last.is_some_and(|last| seq > last) {
            break;
        }
        match outbox::events(conn, seq, 500) {
            Ok(batch) if batch.is_empty() => {
                reader.readable = true;
                break;
            }
            Ok(batch) => {
                reader.readable = true;
                let before = seq;
                for event in batch {
                    // A damaged page can hold rowids out of order: never step back, never
                    // take an event twice.
                    if event.seq < seq || event.seq == i64::MAX {
                        continue;
                    }
                    if event.seq > seq {
                        reader.lose(seq, event.seq - 1);
                    }
                    seq = event.seq + 1;
                    reader.take(event);
                }
                if seq == before {
                    break;
                }
            }
            Err(_) => {
                // The range walk met a page it cannot read: go seq by seq until it reads again.
                let end = last.unwrap_or(seq.saturating_add(PROBE_PAST_END));
                match reader.probe(seq, end) {
                    Some(next) => seq = next,
                    None => {
                        if last.is_none() {
                            // Where the outbox ends cannot be read: no claim about the tail.
                            for range in &mut reader.lost {
                                range.1 = range.1.min(seq - 1);
                            }
                            reader.lost.retain(|&(from, to)| from <= to);
                            unreadable_from = Some(seq);
                        }
                        break;
                    }
                }
            }
        }
    }
    if !reader.readable {
        return Err(Error::DatabaseUnreadable {
            path: path.to_path_buf(),
            reason: "not one event of its outbox can be read".into(),
        });
    }
    let device_id = device_id.or_else(|| reader.found.first().map(|e| e.device_id.clone()));
    Ok(Salvaged {
        device_id,
        first_pending,
        events: reader.found,
        lost: reader.lost,
        already_answered: reader.answered,
        unreadable_from,
    })
}

struct Reader<'c> {
    conn: &'c Connection,
    found: Vec<Envelope>,
    lost: Vec<(i64, i64)>,
    answered: usize,
    readable: bool,
}

impl Reader<'_> {
    /// Keeps a pending event whose hash verifies; a damaged one is lost.
    fn take(&mut self, event: outbox::Event) {
        if event.state != OutboxState::Pending {
            self.answered += 1;
        } else if event.computed_hash() == event.hash {
            self.found.push(event.envelope);
        } else {
            self.lose(event.seq, event.seq);
        }
    }

    fn lose(&mut self, from: i64, to: i64) {
        match self.lost.last_mut() {
            Some((_, end)) if *end + 1 == from => *end = to,
            _ => self.lost.push((from, to)),
        }
    }

    /// Point lookups from `from` to `end`; returns the seq after the first one that reads (to
    /// resume range reads there), or `None` when none up to `end` does.
    fn probe(&mut self, from: i64, end: i64) -> Option<i64> {
        for seq in from..=end {
            match outbox::events(self.conn, seq, 1) {
                Ok(mut one) if one.first().is_some_and(|e| e.seq == seq) => {
                    self.readable = true;
                    self.take(one.remove(0));
                    return seq.checked_add(1);
                }
                // A missing row inside the chain is lost too: seqs have no gaps.
                _ => self.lose(seq, seq),
            }
        }
        None
    }
}
