//! What keeps an open page current: `GET /console/pulse?page=…&site=…` answers a digest of what
//! that page shows (and of the header's counts every page shows); the page's script asks every
//! second and, when the digest differs from the one the page was rendered with, fetches the page
//! again. A new exception or a device going offline is on screen within two polls.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dockhand_protocol::sync::DeviceStatus;
use sha2::{Digest, Sha256};

use super::QueryOf;
use super::page::{Chrome, ConsoleError, secured};
use super::session::Signed;
use crate::api::{AppState, blocking};
use crate::error::HubResult;
use crate::store::HubStore;

/// How a device stands on the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceState {
    /// Heard from within the offline threshold.
    Online,
    /// Not heard from for longer (or never).
    Offline,
    /// Its chain forked: held for a supervisor.
    Held,
    /// Revoked: its tokens no longer work.
    Revoked,
}

impl DeviceState {
    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            DeviceState::Online => "online",
            DeviceState::Offline => "offline",
            DeviceState::Held => "held",
            DeviceState::Revoked => "revoked",
        }
    }
}

/// How `d` stands at `now`, offline once not heard from for `offline_after`.
pub fn device_state(d: &DeviceStatus, now: DateTime<Utc>, offline_after: Duration) -> DeviceState {
    if d.revoked_at.is_some() {
        return DeviceState::Revoked;
    }
    if d.held_for_supervisor.is_some() {
        return DeviceState::Held;
    }
    let recent = d
        .last_seen
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| {
            now.signed_duration_since(t.with_timezone(&Utc))
                .to_std()
                .map_or(true, |age| age < offline_after)
        });
    if recent {
        DeviceState::Online
    } else {
        DeviceState::Offline
    }
}

/// What the header of every page counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alerts {
    /// Open exceptions of the site.
    pub open_exceptions: i64,
    /// Devices of the site not heard from (and not revoked).
    pub offline: usize,
    /// The site's exceptions in brief (all, highest number, last settled): changes with any.
    exceptions_seen: String,
}

/// The site's devices and the header's counts.
pub fn floor_facts(
    store: &dyn HubStore,
    site: &str,
    now: DateTime<Utc>,
    offline_after: Duration,
) -> HubResult<(Vec<DeviceStatus>, Alerts)> {
    let devices: Vec<DeviceStatus> = store
        .devices()?
        .into_iter()
        .filter(|d| d.site == site)
        .collect();
    let offline = devices
        .iter()
        .filter(|d| device_state(d, now, offline_after) == DeviceState::Offline)
        .count();
    let (open_exceptions, all, highest, settled) = store.exception_summary(site)?;
    Ok((
        devices,
        Alerts {
            open_exceptions,
            offline,
            exceptions_seen: format!("{all}|{highest}|{settled}"),
        },
    ))
}

/// The digest of what page `page` shows of `site` at `now`, given the site's devices and alerts.
pub fn digest(
    store: &dyn HubStore,
    (site, page): (&str, &str),
    (devices, alerts): (&[DeviceStatus], &Alerts),
    now: DateTime<Utc>,
    offline_after: Duration,
) -> HubResult<String> {
    let mut h = Sha256::new();
    // The minute: ages ("3 min ago") move on an open page even when nothing else does.
    h.update(format!(
        "{}|{}|{}|{}|",
        alerts.open_exceptions,
        alerts.offline,
        alerts.exceptions_seen,
        now.format("%Y-%m-%dT%H:%M")
    ));
    match page {
        "Floor" => {
            for d in devices {
                // Last seen to the minute, as the floor shows it.
                let seen = d.last_seen.as_deref().map(super::page::clock);
                let shown = DeviceStatus {
                    last_seen: None,
                    clock_checked_at: None,
                    reported_at: None,
                    ..d.clone()
                };
                h.update(format!(
                    "{shown:?}|{seen:?}|{}|",
                    device_state(d, now, offline_after).word()
                ));
            }
        }
        "ERP" => {
            for name in store.erp_names()? {
                if crate::store::erp_site(&name) == site {
                    let e = store.erp_status(&name)?;
                    h.update(format!(
                        "{}|{}|{}|{}|{}|{:?}|",
                        e.erp, e.pending, e.posted, e.failed, e.held, e.last_error
                    ));
                }
            }
            for c in store.held_counts(site)? {
                h.update(format!(
                    "{}|{}|{}|{}|",
                    c.task_id, c.location, c.sku, c.found
                ));
            }
        }
        "Tasks" => {
            for t in crate::tasks::list(store, site)? {
                h.update(format!("{t:?}|"));
            }
        }
        _ => {}
    }
    Ok(hex::encode(&h.finalize()[..8]))
}

/// A page's frame: its site, the header's counts and its digest, with the site's devices.
pub fn frame(
    store: &dyn HubStore,
    signed: &Signed,
    page: &'static str,
    asked_site: Option<&str>,
    offline_after: Duration,
) -> HubResult<(Chrome, Vec<DeviceStatus>)> {
    let now = Utc::now();
    let (site, sites) = super::site_shown(store, asked_site)?;
    let (devices, alerts) = floor_facts(store, &site, now, offline_after)?;
    let digest = digest(
        store,
        (&site, page),
        (&devices, &alerts),
        now,
        offline_after,
    )?;
    Ok((
        Chrome {
            page,
            user: signed.user.clone(),
            role: signed.role.clone(),
            csrf: signed.csrf.clone(),
            site,
            sites,
            digest,
            alerts,
            done: None,
        },
        devices,
    ))
}

/// The digests last computed, per site and page: however many pages are open, each digest is
/// computed at most once a second.
#[derive(Default)]
pub struct Pulses {
    last: Mutex<HashMap<PulseKey, (Instant, String)>>,
}

/// A site as asked for, and a page.
type PulseKey = (String, &'static str);

/// How long a computed digest serves.
const PULSE_FOR: Duration = Duration::from_secs(1);

/// The console's pages by label: what a pulse may ask for.
fn page_named(label: &str) -> &'static str {
    super::page::NAV
        .iter()
        .map(|(_, l)| *l)
        .find(|l| *l == label)
        .unwrap_or("")
}

/// The pulse's query.
#[derive(Debug, serde::Deserialize)]
pub(super) struct PulseQuery {
    site: Option<String>,
    page: Option<String>,
}

/// The pulse's answer.
#[derive(Debug, serde::Serialize)]
struct Pulse {
    digest: String,
}

/// `GET /console/pulse?page=Floor&site=main`.
pub(super) async fn pulse(
    State(state): State<AppState>,
    _: Signed,
    QueryOf(q): QueryOf<PulseQuery>,
) -> Result<Response, ConsoleError> {
    let offline_after = state.config.offline_after;
    let page = page_named(q.page.as_deref().unwrap_or(""));
    let asked = q.site.clone().unwrap_or_default();
    let cached = state.pulses.last.lock().ok().and_then(|last| {
        last.get(&(asked.clone(), page))
            .filter(|(at, _)| at.elapsed() < PULSE_FOR)
            .map(|(_, d)| d.clone())
    });
    let digest = match cached {
        Some(digest) => digest,
        None => {
            let digest = blocking(&state, move |s| {
                let now = Utc::now();
                let (site, _) = super::site_shown(s, q.site.as_deref())?;
                let (devices, alerts) = floor_facts(s, &site, now, offline_after)?;
                digest(s, (&site, page), (&devices, &alerts), now, offline_after)
            })
            .await?;
            if let Ok(mut last) = state.pulses.last.lock() {
                last.insert((asked, page), (Instant::now(), digest.clone()));
            }
            digest
        }
    };
    Ok(secured(Json(Pulse { digest }).into_response()))
}
