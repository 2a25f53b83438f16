//! ERP: each connector of the site (state, lag, held documents, refusals) and the count lines
//! held back from the ERP until every handheld has synced past them, with a supervisor's release.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use dockhand_protocol::sync::HeldCount;

use super::live::frame;
use super::page::{Chrome, ConsoleError, age, clock, page as render};
use super::session::{Signed, back, recorded};
use super::{FormOf, QueryOf};
use crate::api::{AppState, blocking};
use crate::body::short_text;
use crate::erp::{ErpOutcome, ErpStatus};
use crate::store::erp_site;

/// A connector as the page shows it.
#[derive(Debug, Clone)]
pub struct Connector {
    /// Its name (`tryton`, `tryton@north`).
    pub name: String,
    /// `posting`, `retrying`, `idle` in words.
    pub state: &'static str,
    /// The sentence under it.
    pub detail: String,
    /// Events waiting, and how long the oldest has.
    pub pending: i64,
    /// Age of the oldest pending event.
    pub lag: String,
    /// Posted so far.
    pub posted: i64,
    /// Posted and held for a document not complete yet.
    pub held: i64,
    /// Age of the oldest of those.
    pub held_for: String,
    /// The documents they wait for: (document, events, held for).
    pub documents: Vec<(String, i64, String)>,
    /// Refused postings: (feed position, event id, type, device, when, sentence).
    pub refusals: Vec<(i64, String, String, String, String, String)>,
}

fn connector(s: &ErpStatus, now: chrono::DateTime<Utc>) -> Connector {
    let state = if s.last_error.is_some() {
        "retrying"
    } else if s.pending > 0 {
        "posting"
    } else {
        "up to date"
    };
    let mut detail = Vec::new();
    if let (Some(e), at) = (&s.last_error, &s.last_error_at) {
        detail.push(format!(
            "retrying{}: {e}",
            at.as_deref()
                .map(|t| format!(" since {}", clock(t)))
                .unwrap_or_default()
        ));
    }
    if let Some(t) = &s.last_posted_at {
        detail.push(format!("last posted {}", clock(t)));
    }
    if let Some(t) = &s.last_pulled_at {
        detail.push(format!("last pulled {}", clock(t)));
    }
    if let Some(who) = &s.posting_instance {
        detail.push(format!("posted by hub instance {who}"));
    }
    Connector {
        name: s.erp.clone(),
        state,
        detail: detail.join(" · "),
        pending: s.pending,
        lag: s
            .oldest_pending_since
            .as_deref()
            .map(|t| age(t, now))
            .unwrap_or_default(),
        posted: s.posted,
        held: s.held,
        held_for: s
            .oldest_held_since
            .as_deref()
            .map(|t| age(t, now))
            .unwrap_or_default(),
        documents: s
            .held_documents
            .iter()
            .map(|(document, events, since)| (document.clone(), *events, age(since, now)))
            .collect(),
        refusals: s
            .failures
            .iter()
            .map(|f| {
                let said = match &f.outcome {
                    ErpOutcome::Failed { code, message } => format!("{code}: {message}"),
                    ErpOutcome::Posted { .. } => String::new(),
                };
                (
                    f.feed_seq,
                    f.event_id.clone(),
                    f.event_type.clone(),
                    f.device_id.clone(),
                    clock(&f.at),
                    said,
                )
            })
            .collect(),
    }
}

/// A held count line as the page shows it.
#[derive(Debug, Clone)]
pub struct HeldRow {
    /// The count task.
    pub task_id: String,
    /// `A-01-04 · SKU-1 · lot L1`.
    pub what: String,
    /// Base units found.
    pub found: i64,
    /// Counted at, and by.
    pub counted: String,
    /// How long it has waited.
    pub waiting: String,
}

fn held_row(h: &HeldCount, now: chrono::DateTime<Utc>) -> HeldRow {
    let lot = if h.lot.is_empty() {
        String::new()
    } else {
        format!(" · lot {}", h.lot)
    };
    HeldRow {
        task_id: h.task_id.clone(),
        what: format!("{} · {}{lot}", h.location, h.sku),
        found: h.found,
        counted: format!("{} by {}", clock(&h.counted_at), h.device_id),
        waiting: age(&h.counted_at, now),
    }
}

#[derive(askama::Template)]
#[template(path = "console/erp.html")]
struct ErpPage {
    chrome: Chrome,
    connectors: Vec<Connector>,
    held: Vec<HeldRow>,
    tasks: Vec<String>,
}

/// The page's query.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ErpQuery {
    site: Option<String>,
    released: Option<usize>,
}

/// `GET /console/erp`.
pub(super) async fn page(
    State(state): State<AppState>,
    signed: Signed,
    QueryOf(q): QueryOf<ErpQuery>,
) -> Result<Response, ConsoleError> {
    let offline_after = state.config.offline_after;
    let (mut chrome, statuses, held) = blocking(&state, move |s| {
        let (chrome, _) = frame(s, &signed, "ERP", q.site.as_deref(), offline_after)?;
        let mut statuses = Vec::new();
        for name in s.erp_names()? {
            if erp_site(&name) == chrome.site {
                statuses.push(s.erp_status(&name)?);
            }
        }
        let held = s.held_counts(&chrome.site)?;
        Ok((chrome, statuses, held))
    })
    .await?;
    if let Some(n) = q.released {
        chrome.done = Some(format!(
            "{n} count line{} released to the ERP.",
            if n == 1 { "" } else { "s" }
        ));
    }
    let now = Utc::now();
    let tasks: Vec<String> = held
        .iter()
        .map(|h| h.task_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    render(&ErpPage {
        chrome,
        connectors: statuses.iter().map(|s| connector(s, now)).collect(),
        held: held.iter().map(|h| held_row(h, now)).collect(),
        tasks,
    })
}

/// The release form.
#[derive(Debug, serde::Deserialize)]
pub(super) struct ReleaseForm {
    csrf: Option<String>,
    site: Option<String>,
    /// One task's lines; none: every held line of the site.
    task_id: Option<String>,
}

/// `POST /console/erp/release`: sends held count lines to the ERP now.
pub(super) async fn release(
    State(state): State<AppState>,
    signed: Signed,
    FormOf(f): FormOf<ReleaseForm>,
) -> Result<Response, ConsoleError> {
    let task = f.task_id.clone().filter(|t| !t.is_empty());
    let target = match &task {
        Some(t) => format!("count task {}", short_text(t, 64)),
        None => "every held count".into(),
    };
    signed
        .check_form(&state, f.csrf.as_deref(), "release_counts", &target)
        .await?;
    signed
        .supervisor(&state, "release held counts", "release_counts", &target)
        .await?;
    let by = signed.user.clone();
    let asked_site = f.site.clone();
    let outcome = blocking(&state, move |s| {
        let (site, _) = super::site_shown(s, asked_site.as_deref())?;
        crate::reconcile::release_by_supervisor(s, &site, task.as_deref(), &by, &crate::now_text())
    })
    .await;
    let released = recorded(&state, &signed, ("release_counts", &target, ""), outcome).await?;
    Ok(back(
        format!("/console/erp?released={}", released.len()),
        f.site,
    ))
}
