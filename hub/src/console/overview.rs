//! The accuracy page's figures, kept per site and window. On a small site they are computed for
//! every view (a few milliseconds). On a large one (the ranking reads the site's whole available
//! stock: about a second at 500,000 buckets) a view is served what was computed within the last
//! minute; an older result is served once more while it is computed again in the background, so a
//! supervisor never waits on it but for the first view after the hub starts, and `serve` computes
//! that one as it starts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use dockhand_protocol::measures::Kpis;

use crate::api::{AppState, blocking};
use crate::error::HubResult;
use crate::store::HubStore;

/// Weeks shown unless asked.
pub const WEEKS: i64 = 8;
/// The most (site, weeks) figures kept; past it the oldest go.
const KEPT: usize = 32;
/// Rows of each ranking and table kept: more than a page shows.
pub const ROWS_KEPT: usize = 100;
/// A computation quicker than this is done for every view.
const QUICK: Duration = Duration::from_millis(100);
/// How long a slower computation serves before it is done again.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// The figures of one site and window.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The whole window's KPIs, with the risk ranking now.
    pub whole: Kpis,
    /// Each week's.
    pub weeks: Vec<Kpis>,
    /// When they were computed (UTC, RFC 3339).
    pub at: String,
    /// What computing them took.
    pub took: Duration,
    made: Instant,
}

/// The figures computed last, per (site, weeks), and those being computed again.
#[derive(Default)]
pub struct Overviews {
    held: Mutex<HashMap<(String, i64), Arc<Overview>>>,
    refreshing: Mutex<HashSet<(String, i64)>>,
}

/// Computes a site's figures over `weeks` weeks ending tomorrow at midnight (UTC: whole days,
/// the last one running).
pub fn compute(store: &dyn HubStore, site: &str, weeks: i64) -> HubResult<Overview> {
    let started = Instant::now();
    let now: DateTime<FixedOffset> = Utc::now().into();
    let end = (now + chrono::Duration::days(1))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(now, |t| t.and_utc().into());
    let periods: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)> = (0..weeks)
        .rev()
        .map(|i| {
            let to = end - chrono::Duration::weeks(i);
            (to - chrono::Duration::weeks(1), to)
        })
        .collect();
    let from = end - chrono::Duration::weeks(weeks);
    let (mut whole, weeks) = crate::measures::overview(store, site, (from, now), &periods)?;
    // The rankings name every location and item in stock: kept, only their head is shown.
    whole.risk.locations.truncate(ROWS_KEPT);
    whole.risk.items.truncate(ROWS_KEPT);
    whole.accuracy_by_location.truncate(ROWS_KEPT);
    Ok(Overview {
        whole,
        weeks,
        at: crate::now_text(),
        took: started.elapsed(),
        made: Instant::now(),
    })
}

impl Overviews {
    fn held(&self, key: &(String, i64)) -> Option<Arc<Overview>> {
        self.held.lock().ok()?.get(key).cloned()
    }

    /// Keeps `overview` unless a newer one of the same key is kept already (two computations
    /// that overlap), and at most [`KEPT`] keys.
    fn keep(&self, key: (String, i64), overview: Overview) -> Arc<Overview> {
        let overview = Arc::new(overview);
        let Ok(mut held) = self.held.lock() else {
            return overview;
        };
        if let Some(newer) = held.get(&key).filter(|h| h.made > overview.made) {
            return newer.clone();
        }
        if held.len() >= KEPT && !held.contains_key(&key) {
            let oldest = held
                .iter()
                .min_by_key(|(_, o)| o.made)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                held.remove(&oldest);
            }
        }
        held.insert(key, overview.clone());
        overview
    }
}

/// The figures a view of `site` over `weeks` shows (see the module's comment).
pub async fn for_view(state: &AppState, site: &str, weeks: i64) -> HubResult<Arc<Overview>> {
    let key = (site.to_string(), weeks);
    let held = state.overviews.held(&key);
    match held {
        Some(o) if o.took >= QUICK && o.made.elapsed() < FRESH_FOR => Ok(o),
        Some(o) if o.took >= QUICK => {
            refresh_in_background(state, key);
            Ok(o)
        }
        _ => computed(state, key).await,
    }
}

async fn computed(state: &AppState, key: (String, i64)) -> HubResult<Arc<Overview>> {
    let (site, weeks) = key.clone();
    let overview = blocking(state, move |s| compute(s, &site, weeks)).await?;
    Ok(state.overviews.keep(key, overview))
}

fn refresh_in_background(state: &AppState, key: (String, i64)) {
    let first = state
        .overviews
        .refreshing
        .lock()
        .map(|mut r| r.insert(key.clone()))
        .unwrap_or(false);
    if !first {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = computed(&state, key.clone()).await {
            tracing::warn!(site = %key.0, error = %e, "the accuracy figures could not be computed");
        }
        if let Ok(mut r) = state.overviews.refreshing.lock() {
            r.remove(&key);
        }
    });
}

/// Computes every site's figures over the default window, as `serve` starts.
pub async fn warm(state: AppState) {
    let sites = match blocking(&state, |s| s.sites()).await {
        Ok(sites) => sites,
        Err(e) => {
            tracing::warn!(error = %e, "the accuracy figures were not computed at start");
            return;
        }
    };
    for site in sites {
        match computed(&state, (site.clone(), WEEKS)).await {
            Ok(o) => {
                tracing::info!(site = %site, took_ms = o.took.as_millis() as u64, "accuracy figures computed")
            }
            Err(e) => {
                tracing::warn!(site = %site, error = %e, "the accuracy figures could not be computed")
            }
        }
    }
}
