//! Events: found by event id, device, item or licence plate; an event's detail with its
//! movements, its hash recomputed and its link to the device's previous event checked; and the
//! site's events of a period as an EPCIS 2.0 document.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dockhand_protocol::envelope::{Envelope, GENESIS_HASH};
use dockhand_protocol::events::EventMovement;

use super::QueryOf;
use super::live::frame;
use super::page::{Chrome, ConsoleError, clock, page as render, secured, urlencode};
use super::session::Signed;
use crate::api::{AppState, blocking};
use crate::body::short_text;
use crate::store::EventRow;

/// Most events a search lists.
pub const MAX_EVENTS: i64 = 200;

/// An event's line in a list.
#[derive(Debug, Clone)]
pub struct EventLine {
    /// Event id.
    pub id: String,
    /// Its type.
    pub kind: String,
    /// Device and seq.
    pub device: String,
    /// Seq.
    pub seq: i64,
    /// When it happened (device's clock).
    pub occurred: String,
    /// accepted, held, rejected.
    pub status: String,
}

fn line(row: &EventRow) -> Option<EventLine> {
    let e: Envelope = serde_json::from_str(&row.envelope).ok()?;
    Some(EventLine {
        id: e.event_id.to_string(),
        kind: e.event_type,
        device: e.device_id,
        seq: e.seq,
        occurred: clock(&e.occurred_at),
        status: row.status.clone(),
    })
}

#[derive(askama::Template)]
#[template(path = "console/events.html")]
struct EventsPage {
    chrome: Chrome,
    q: String,
    read_as: String,
    lines: Vec<EventLine>,
    /// The export form's first and last day (the last seven days unless asked).
    from: String,
    to: String,
}

/// The export form's days: the last seven, today included (UTC).
fn last_week() -> (String, String) {
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Days::new(6);
    (from.to_string(), today.to_string())
}

/// The search.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct EventQuery {
    site: Option<String>,
    q: Option<String>,
}

/// `GET /console/events?q=…`: an event id opens the event; a device lists its latest events; an
/// item those that moved it.
pub(super) async fn page(
    State(state): State<AppState>,
    signed: Signed,
    QueryOf(q): QueryOf<EventQuery>,
) -> Result<Response, ConsoleError> {
    let text = super::asked(q.q.as_deref(), 120);
    if uuid::Uuid::parse_str(&text).is_ok() {
        return Ok(secured(
            Redirect::to(&format!("/console/events/{}", urlencode(&text))).into_response(),
        ));
    }
    let offline_after = state.config.offline_after;
    let asked = text.clone();
    let (chrome, read_as, rows) = blocking(&state, move |s| {
        let (chrome, devices) = frame(s, &signed, "Events", q.site.as_deref(), offline_after)?;
        if asked.is_empty() {
            return Ok((chrome, String::new(), Vec::new()));
        }
        if devices.iter().any(|d| d.device_id == asked) {
            let rows = s.device_events(&asked, MAX_EVENTS)?;
            return Ok((chrome, format!("device {asked}"), rows));
        }
        let rows = s.item_events(&chrome.site, &asked, MAX_EVENTS)?;
        if !rows.is_empty() {
            return Ok((chrome, format!("item {asked}"), rows));
        }
        let plate = dockhand_protocol::sscc::plate_from_scan(&asked);
        let by_plate = s.lpn_events(&chrome.site, &plate, MAX_EVENTS)?;
        if !by_plate.is_empty() {
            return Ok((chrome, format!("licence plate {plate}"), by_plate));
        }
        Ok((chrome, format!("item or licence plate {asked}"), rows))
    })
    .await?;
    let (from, to) = last_week();
    render(&EventsPage {
        chrome,
        q: text,
        read_as,
        lines: rows.iter().filter_map(line).collect(),
        from,
        to,
    })
}

/// What the hash check found.
#[derive(Debug, Clone)]
pub struct Check {
    /// Whether it holds.
    pub ok: bool,
    /// In a sentence.
    pub said: String,
}

#[derive(askama::Template)]
#[template(path = "console/event.html")]
struct EventPage {
    chrome: Chrome,
    line: EventLine,
    user: String,
    received: String,
    reason: String,
    hash: String,
    checks: Vec<Check>,
    movements: Vec<EventMovement>,
    payload: String,
    previous: Option<String>,
    next: Option<String>,
}

/// The event path.
#[derive(Debug, serde::Deserialize)]
pub(super) struct EventPath {
    id: String,
}

/// `GET /console/events/{id}`.
pub(super) async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    Path(p): Path<EventPath>,
    QueryOf(q): QueryOf<EventQuery>,
) -> Result<Response, ConsoleError> {
    let id = p.id.clone();
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ConsoleError::page(
            StatusCode::BAD_REQUEST,
            format!(
                "{:?} is not an event id (a UUID such as 0193a1b2-…)",
                short_text(&id, 40)
            ),
        ));
    }
    let offline_after = state.config.offline_after;
    let (chrome, found) = blocking(&state, move |s| {
        let (chrome, _) = frame(s, &signed, "Events", q.site.as_deref(), offline_after)?;
        let Some(row) = s.event_by_id(&id)? else {
            return Ok((chrome, None));
        };
        let envelope: Envelope = serde_json::from_str(&row.envelope)?;
        let key_held = s
            .devices()?
            .iter()
            .any(|d| d.device_id == envelope.device_id && d.signed);
        let previous = if envelope.seq > 1 {
            s.event_at(&envelope.device_id, envelope.seq - 1)?
        } else {
            None
        };
        let next = s.event_at(&envelope.device_id, envelope.seq + 1)?;
        Ok((chrome, Some((row, envelope, previous, next, key_held))))
    })
    .await?;
    let Some((row, envelope, previous, next, key_held)) = found else {
        return Err(ConsoleError::page(
            StatusCode::NOT_FOUND,
            format!(
                "no event {} has reached this hub (it may still be on its handheld)",
                short_text(&p.id, 40)
            ),
        ));
    };
    let previous_envelope: Option<Envelope> = previous
        .as_ref()
        .and_then(|r| serde_json::from_str(&r.envelope).ok());
    let mut checks = Vec::new();
    let computed = envelope.computed_hash();
    checks.push(Check {
        ok: computed == envelope.hash,
        said: if computed == envelope.hash {
            "its hash, recomputed from what the hub holds, matches the one it was sent with".into()
        } else {
            format!(
                "its hash does not match what it holds: recomputed {}…, sent {}…",
                short_text(&computed, 12),
                short_text(&envelope.hash, 12)
            )
        },
    });
    checks.push(match (envelope.seq, &previous_envelope) {
        (1, _) => Check {
            ok: envelope.prev_hash == GENESIS_HASH,
            said: if envelope.prev_hash == GENESIS_HASH {
                "it is the device's first event and starts its chain".into()
            } else {
                "it is the device's first event but does not start a chain".into()
            },
        },
        (seq, Some(prev)) if prev.hash == envelope.prev_hash => Check {
            ok: true,
            said: format!(
                "it links to the device's event {} (seq {}), whose hash it carries",
                prev.event_id,
                seq - 1
            ),
        },
        (seq, Some(prev)) => Check {
            ok: false,
            said: format!(
                "its link does not match the device's event {} (seq {}): it carries {}…, that \
                 event's hash is {}…",
                prev.event_id,
                seq - 1,
                short_text(&envelope.prev_hash, 12),
                short_text(&prev.hash, 12)
            ),
        },
        (seq, None) => Check {
            ok: false,
            said: format!(
                "the device's event seq {} has not reached the hub: the link cannot be checked yet",
                seq - 1
            ),
        },
    });
    checks.push(match (envelope.signature.is_empty(), key_held) {
        (true, _) => Check {
            ok: false,
            said: "it carries no signature (recorded before the device signed its events)".into(),
        },
        (false, true) => Check {
            ok: true,
            said: "it carries the device's signature, checked with the device's key when the hub \
                   took it"
                .into(),
        },
        (false, false) => Check {
            ok: false,
            said: "it carries a signature, but the hub holds no key for this device: it was not \
                   checked"
                .into(),
        },
    });
    let id_of = |r: &Option<EventRow>| {
        r.as_ref()
            .and_then(|r| serde_json::from_str::<Envelope>(&r.envelope).ok())
            .map(|e| e.event_id.to_string())
    };
    render(&EventPage {
        line: line(&row).ok_or_else(|| {
            ConsoleError::page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the stored event does not read",
            )
        })?,
        chrome,
        user: envelope.user_id.clone(),
        received: clock(&row.received_at),
        reason: row.reason.clone().unwrap_or_default(),
        hash: envelope.hash.clone(),
        checks,
        movements: envelope.movements().unwrap_or_default(),
        payload: serde_json::to_string_pretty(&envelope.payload).unwrap_or_default(),
        previous: id_of(&previous),
        next: id_of(&next),
    })
}
