//! Exceptions: what the hub raised for a person (refused events, stock below zero, double-worked
//! tasks, ERP refusals), filtered by kind, state, device, item and age; resolved with a note,
//! retried or dismissed by a supervisor.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use dockhand_protocol::exceptions::{
    DISMISSED, DOUBLE_WORKED, ERP_REFUSED, ExceptionAction, KEPT_LOCAL, OPEN, REFUSED_EVENT,
    RESOLVED, RETRIED, RaisedException, STOCK_BELOW_ZERO,
};

use super::live::frame;
use super::page::{Chrome, ConsoleError, age, clock, page as render};
use super::session::{Signed, back, recorded};
use super::{FormOf, QueryOf};
use crate::api::{AppState, blocking};
use crate::body::short_text;

/// The kinds, as the filter offers them: (value, label).
const KINDS: [(&str, &str); 5] = [
    (REFUSED_EVENT, "refused event"),
    (STOCK_BELOW_ZERO, "stock below zero"),
    (DOUBLE_WORKED, "task worked twice"),
    (KEPT_LOCAL, "kept on the handheld"),
    (ERP_REFUSED, "ERP refusal"),
];
/// The states: (value, label).
const STATES: [(&str, &str); 5] = [
    (OPEN, "open"),
    (RESOLVED, "resolved"),
    (RETRIED, "retried"),
    (DISMISSED, "dismissed"),
    ("", "any"),
];
/// Most rows a page shows (the oldest first; filters narrow it).
pub const MAX_ROWS: usize = 500;

/// An exception's row.
#[derive(Debug, Clone)]
pub struct ExceptionRow {
    /// Its number.
    pub id: i64,
    /// Kind, in words.
    pub kind: &'static str,
    /// The refusal's code.
    pub code: String,
    /// What it is about.
    pub subject: String,
    /// The device.
    pub device_id: String,
    /// The events it concerns.
    pub event_ids: Vec<String>,
    /// The sentence.
    pub reason: String,
    /// Raised at, and how long ago.
    pub raised: String,
    /// How long ago.
    pub ago: String,
    /// open, resolved…
    pub state: String,
    /// How it was settled: "resolved by anna at …: note".
    pub settled: String,
    /// Whether it can be retried.
    pub retryable: bool,
}

/// The filters, as given.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(super) struct Filter {
    site: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    device: Option<String>,
    item: Option<String>,
    /// Raised at least this many hours ago.
    older_than: Option<String>,
    done: Option<String>,
    id: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "console/exceptions.html")]
struct ExceptionsPage {
    chrome: Chrome,
    rows: Vec<ExceptionRow>,
    total: usize,
    kinds: Vec<(&'static str, &'static str, bool)>,
    states: Vec<(&'static str, &'static str, bool)>,
    device: String,
    item: String,
    older_than: String,
    devices: Vec<String>,
}

fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("exception", |(_, l)| l)
}

/// Whether `e` passes the device, item and age filters.
fn passes(e: &RaisedException, f: &Filter, older_than_h: Option<i64>) -> bool {
    let device = f.device.as_deref().unwrap_or("");
    let item = f.item.as_deref().unwrap_or("").to_lowercase();
    let old_enough = older_than_h.is_none_or(|h| {
        chrono::DateTime::parse_from_rfc3339(&e.raised_at)
            .is_ok_and(|t| (Utc::now() - t.with_timezone(&Utc)).num_hours() >= h)
    });
    (device.is_empty() || e.device_id == device)
        && (item.is_empty()
            || e.reason.to_lowercase().contains(&item)
            || e.subject.to_lowercase().contains(&item))
        && old_enough
}

/// `GET /console/exceptions`.
pub(super) async fn page(
    State(state): State<AppState>,
    signed: Signed,
    QueryOf(f): QueryOf<Filter>,
) -> Result<Response, ConsoleError> {
    let older_than_h = match f.older_than.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(h) => Some(
            h.parse::<i64>()
                .ok()
                .filter(|h| (0..=24 * 365).contains(h))
                .ok_or_else(|| {
                    ConsoleError::page(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "age {:?} is not a number of hours from 0 to 8760",
                            short_text(h, 20)
                        ),
                    )
                })?,
        ),
    };
    let kind = f.kind.clone().filter(|k| !k.is_empty());
    let wanted_state = f.state.clone().unwrap_or_else(|| OPEN.to_string());
    let offline_after = state.config.offline_after;
    let asked = f.clone();
    let (mut chrome, devices, raised) = blocking(&state, move |s| {
        let (chrome, devices) = frame(
            s,
            &signed,
            "Exceptions",
            asked.site.as_deref(),
            offline_after,
        )?;
        let state = Some(wanted_state.as_str()).filter(|s| !s.is_empty());
        let raised = crate::exceptions::list(s, &chrome.site, kind.as_deref(), state)?;
        Ok((chrome, devices, raised))
    })
    .await?;
    if let (Some(done), Some(id)) = (f.done.as_deref(), f.id) {
        chrome.done = match done {
            "resolved" | "dismissed" | "retried" => Some(format!("Exception {id} {done}.")),
            "retry_asked" => Some(format!(
                "Exception {id}: the ERP connector posts it again on its next round; it settles \
                 once the ERP takes it."
            )),
            _ => None,
        };
    }
    let now = Utc::now();
    let matching: Vec<&RaisedException> = raised
        .iter()
        .filter(|e| passes(e, &f, older_than_h))
        .collect();
    let rows = matching
        .iter()
        .take(MAX_ROWS)
        .map(|e| ExceptionRow {
            id: e.id,
            kind: kind_label(&e.kind),
            code: e.code.clone(),
            subject: e.subject.clone(),
            device_id: e.device_id.clone(),
            event_ids: e.event_ids.clone(),
            reason: e.reason.clone(),
            raised: clock(&e.raised_at),
            ago: age(&e.raised_at, now),
            state: e.state.clone(),
            settled: match (&e.settled_by, &e.settled_at) {
                (Some(by), Some(at)) => format!(
                    "{} by {by} at {}{}",
                    e.state,
                    clock(at),
                    e.note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ),
                _ => String::new(),
            },
            retryable: e.state == OPEN && (e.kind == REFUSED_EVENT || e.kind == ERP_REFUSED),
        })
        .collect();
    let kind_now = f.kind.clone().unwrap_or_default();
    let state_now = f.state.clone().unwrap_or_else(|| OPEN.to_string());
    render(&ExceptionsPage {
        chrome,
        rows,
        total: matching.len(),
        kinds: KINDS
            .iter()
            .map(|(k, l)| (*k, *l, *k == kind_now))
            .collect(),
        states: STATES
            .iter()
            .map(|(k, l)| (*k, *l, *k == state_now))
            .collect(),
        device: f.device.clone().unwrap_or_default(),
        item: f.item.clone().unwrap_or_default(),
        older_than: f.older_than.clone().unwrap_or_default(),
        devices: devices.into_iter().map(|d| d.device_id).collect(),
    })
}

/// An action's form.
#[derive(Debug, serde::Deserialize)]
pub(super) struct ActionForm {
    csrf: Option<String>,
    action: Option<String>,
    note: Option<String>,
    site: Option<String>,
}

/// `POST /console/exceptions/{id}`: `action` = resolve (with a note), retry or dismiss.
pub(super) async fn act(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    FormOf(f): FormOf<ActionForm>,
) -> Result<Response, ConsoleError> {
    let action = f.action.clone().unwrap_or_default();
    let target = format!("exception {id}");
    signed
        .check_form(&state, f.csrf.as_deref(), &action, &target)
        .await?;
    let step: fn(&dyn crate::store::HubStore, i64, &ExceptionAction, &str) -> _ =
        match action.as_str() {
            "resolve" => crate::exceptions::resolve,
            "retry" => crate::exceptions::retry,
            "dismiss" => crate::exceptions::dismiss,
            other => {
                return Err(ConsoleError::page(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "{:?} is not an action on an exception: resolve, retry or dismiss",
                        short_text(other, 40)
                    ),
                ));
            }
        };
    signed
        .supervisor(&state, &format!("{action} an exception"), &action, &target)
        .await?;
    let note = f.note.clone().filter(|n| !n.trim().is_empty());
    let asked = ExceptionAction {
        by: signed.user.clone(),
        note: note.clone(),
    };
    let outcome = blocking(&state, move |s| step(s, id, &asked, &crate::now_text())).await;
    let note = note.unwrap_or_default();
    let settled = recorded(&state, &signed, (&action, &target, &note), outcome).await?;
    let done = match (action.as_str(), settled.state.as_str()) {
        ("retry", OPEN) => "retry_asked",
        (_, state) => state,
    };
    Ok(back(
        format!("/console/exceptions?done={done}&id={id}"),
        f.site,
    ))
}
