//! The floor: every device of the site with its state, last sync, queue and clock; revoking one.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;

use super::live::{device_state, frame};
use super::page::{Chrome, ConsoleError, age, clock, page as render, urlencode};
use super::session::{Signed, back, recorded};
use super::{FormOf, QueryOf};
use crate::api::{AppState, blocking};
use crate::body::short_text;

/// A device's row.
#[derive(Debug, Clone)]
pub struct DeviceRow {
    /// Device id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// online, offline, held, revoked.
    pub state: &'static str,
    /// Last request, `2026-12-04 06:40`.
    pub last_seen: String,
    /// How long ago.
    pub ago: String,
    /// Events held behind a gap.
    pub held: i64,
    /// Events refused.
    pub rejected: i64,
    /// Last seq with none missing before it.
    pub seq: i64,
    /// Clock skew in words (`+2.4 s`), empty when never checked.
    pub skew: String,
    /// Whether its events are signed.
    pub signed: bool,
    /// Why it is held.
    pub held_why: String,
    /// The operator signed in, as it last said.
    pub operator: String,
    /// Events it holds for the hub, as it last said (empty: never said).
    pub pending: String,
    /// App and library.
    pub app: String,
}

#[derive(askama::Template)]
#[template(path = "console/floor.html")]
struct FloorPage {
    chrome: Chrome,
    rows: Vec<DeviceRow>,
    offline_after: String,
}

/// The floor's query.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct FloorQuery {
    site: Option<String>,
    done: Option<String>,
    device: Option<String>,
}

/// `GET /console`.
pub(super) async fn page(
    State(state): State<AppState>,
    signed: Signed,
    QueryOf(q): QueryOf<FloorQuery>,
) -> Result<Response, ConsoleError> {
    let offline_after = state.config.offline_after;
    let (mut chrome, devices) = blocking(&state, move |s| {
        frame(s, &signed, "Floor", q.site.as_deref(), offline_after)
    })
    .await?;
    // Said only of a device that is revoked: a link cannot make the page claim otherwise.
    if let (Some("revoked"), Some(device)) = (q.done.as_deref(), q.device.as_deref())
        && devices
            .iter()
            .any(|d| d.device_id == device && d.revoked_at.is_some())
    {
        chrome.done = Some(format!(
            "{} is revoked: its tokens no longer work.",
            short_text(device, 64)
        ));
    }
    let now = Utc::now();
    let rows = devices
        .iter()
        .map(|d| DeviceRow {
            id: d.device_id.clone(),
            name: d.name.clone(),
            state: device_state(d, now, offline_after).word(),
            last_seen: d.last_seen.as_deref().map(clock).unwrap_or_default(),
            ago: d
                .last_seen
                .as_deref()
                .map(|t| age(t, now))
                .unwrap_or_default(),
            held: d.held,
            rejected: d.rejected,
            seq: d.contiguous_seq,
            skew: d
                .clock_skew_ms
                .map(|ms| format!("{:+.1} s", ms as f64 / 1000.0))
                .unwrap_or_default(),
            signed: d.signed,
            held_why: d.held_for_supervisor.clone().unwrap_or_default(),
            operator: d.operator.clone().unwrap_or_default(),
            pending: d.pending.map(|p| p.to_string()).unwrap_or_default(),
            app: d.app.clone().unwrap_or_default(),
        })
        .collect();
    render(&FloorPage {
        chrome,
        rows,
        offline_after: format!("{} min", offline_after.as_secs().div_ceil(60)),
    })
}

/// A form that only carries the session's token.
#[derive(Debug, serde::Deserialize)]
pub(super) struct TokenForm {
    csrf: Option<String>,
    site: Option<String>,
}

/// `POST /console/devices/{device_id}/revoke`: the device's tokens stop working at once; it cannot
/// register again without an administrator.
pub(super) async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(device_id): Path<String>,
    FormOf(f): FormOf<TokenForm>,
) -> Result<Response, ConsoleError> {
    signed
        .check_form(&state, f.csrf.as_deref(), "revoke", &device_id)
        .await?;
    signed
        .supervisor(&state, "revoke a device", "revoke", &device_id)
        .await?;
    let id = device_id.clone();
    let outcome = blocking(&state, move |s| s.revoke_device(&id, &crate::now_text())).await;
    recorded(&state, &signed, ("revoke", &device_id, ""), outcome).await?;
    Ok(back(
        format!("/console?done=revoked&device={}", urlencode(&device_id)),
        f.site,
    ))
}
