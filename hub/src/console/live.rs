//! What keeps an open page current: `GET /console/pulse?page=…&site=…` answers a digest of what
//! that page shows (and of the header's counts every page shows); the page's script asks every
//! second and, when the digest differs from the one the page was rendered with, fetches the page
//! again. A new exception or a device going offline is on screen within two polls.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dockhand_protocol::exceptions::OPEN;
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
    pub open_exceptions: usize,
    /// Devices of the site not heard from (and not revoked).
    pub offline: usize,
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
    let open_exceptions = crate::exceptions::list(store, site, None, Some(OPEN))?.len();
    Ok((
        devices,
        Alerts {
            open_exceptions,
            offline,
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
    h.update(format!("{}|{}|", alerts.open_exceptions, alerts.offline));
    match page {
        "Floor" => {
            for d in devices {
                h.update(format!(
                    "{}|{:?}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|",
                    d.device_id,
                    d.last_seen,
                    d.held,
                    d.rejected,
                    device_state(d, now, offline_after).word(),
                    d.clock_skew_ms,
                    d.pending,
                    d.operator,
                    d.app
                ));
            }
        }
        "Exceptions" => {
            for e in crate::exceptions::list(store, site, None, None)? {
                h.update(format!("{}|{}|{}|", e.id, e.state, e.reason));
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
                h.update(format!(
                    "{}|{}|{}|{}|{:?}|",
                    t.task_kind,
                    t.task_id,
                    t.progress,
                    t.settled,
                    t.claim.as_ref().map(|c| (&c.device_id, &c.at))
                ));
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
    let digest = blocking(&state, move |s| {
        let now = Utc::now();
        let (site, _) = super::site_shown(s, q.site.as_deref())?;
        let (devices, alerts) = floor_facts(s, &site, now, offline_after)?;
        let page = q.page.as_deref().unwrap_or("");
        digest(s, (&site, page), (&devices, &alerts), now, offline_after)
    })
    .await?;
    Ok(secured(Json(Pulse { digest }).into_response()))
}
