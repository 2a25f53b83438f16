//! Accuracy: the site's KPIs week by week as charts drawn on the server (SVG), accuracy by
//! location and ABC class over the window, and the count risk ranking with "create counts for the
//! top N", which publishes count tasks to the site's handhelds.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use dockhand_protocol::measures::{Accuracy, Kpis, RiskEntry};

use super::live::frame;
use super::overview::{self, WEEKS};
use super::page::{Chrome, ConsoleError, clock, page as render};
use super::session::{Signed, back, recorded};
use super::{FormOf, QueryOf};
use crate::api::{AppState, blocking};
use crate::body::short_text;

/// The most weeks shown.
const MAX_WEEKS: i64 = 52;
/// Rows of the accuracy and risk tables.
const ROWS: usize = 20;
/// Chart size (SVG user units).
const CHART_W: f64 = 480.0;
const CHART_H: f64 = 180.0;
const AXIS: f64 = 24.0;

/// One bar of a chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Period label (`11-27`).
    pub label: String,
    /// The value in words (`98.2 %`, `no data`).
    pub value: String,
    /// Geometry.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Label's x (centre of the bar).
    pub cx: f64,
}

/// A bar chart of one KPI over the weeks.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Element id.
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What a bar means.
    pub note: &'static str,
    /// Bars, oldest first.
    pub bars: Vec<Bar>,
    /// Baseline y.
    pub base: f64,
    /// View box.
    pub width: f64,
    /// View box.
    pub height: f64,
}

fn chart(
    (id, title, note): (&'static str, &'static str, &'static str),
    values: &[(String, Option<f64>)],
    unit: &str,
) -> Chart {
    let max = values
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(f64::EPSILON);
    let n = values.len().max(1) as f64;
    let slot = CHART_W / n;
    let plot = CHART_H - AXIS;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = v.map_or(0.0, |v| (v / max * (plot - 8.0)).max(1.0));
            let x = i as f64 * slot + slot * 0.15;
            Bar {
                label: label.clone(),
                value: v.map_or("no data".into(), |v| format!("{v:.1}{unit}")),
                x,
                y: plot - h,
                w: slot * 0.7,
                h,
                cx: x + slot * 0.35,
            }
        })
        .collect();
    Chart {
        id,
        title,
        note,
        bars,
        base: plot,
        width: CHART_W,
        height: CHART_H,
    }
}

/// A line of an accuracy table.
#[derive(Debug, Clone)]
pub struct AccuracyRow {
    /// Location or class.
    pub key: String,
    /// `47 of 50 lines`.
    pub lines: String,
    /// `94.0 %`.
    pub share: String,
    /// Bar width in percent.
    pub width: u32,
}

fn accuracy_rows(rows: &[Accuracy]) -> Vec<AccuracyRow> {
    rows.iter()
        .take(ROWS)
        .map(|a| AccuracyRow {
            key: a.key.clone(),
            lines: format!("{} of {} lines", a.accurate_lines, a.counted_lines),
            share: format!("{:.1} %", a.accuracy * 100.0),
            width: (a.accuracy * 100.0).round().clamp(0.0, 100.0) as u32,
        })
        .collect()
}

/// A line of the risk table.
#[derive(Debug, Clone)]
pub struct RiskRow {
    /// Location.
    pub key: String,
    /// Score, 0..1.
    pub score: String,
    /// What it is made of.
    pub parts: String,
    /// Last counted.
    pub last_count: String,
}

fn risk_rows(rows: &[RiskEntry]) -> Vec<RiskRow> {
    rows.iter()
        .take(ROWS)
        .map(|r| RiskRow {
            key: r.key.clone(),
            score: format!("{:.2}", r.score),
            parts: format!(
                "counts off {:.2} · picks {:.2} · value {:.2} · not counted {:.2}",
                r.parts.counts_off, r.parts.picks, r.parts.value, r.parts.not_counted
            ),
            last_count: r
                .days_since_count
                .map_or("never".into(), |d| format!("{d} days ago")),
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "console/accuracy.html")]
struct AccuracyPage {
    chrome: Chrome,
    weeks: i64,
    /// When the figures were computed, and in how long.
    computed: String,
    summary: String,
    charts: Vec<Chart>,
    by_location: Vec<AccuracyRow>,
    by_abc: Vec<AccuracyRow>,
    risk: Vec<RiskRow>,
}

/// The page's query.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct AccuracyQuery {
    site: Option<String>,
    weeks: Option<String>,
    made: Option<usize>,
}

fn percent(v: Option<f64>) -> Option<f64> {
    v.map(|v| v * 100.0)
}

/// `GET /console/accuracy`.
pub(super) async fn page(
    State(state): State<AppState>,
    signed: Signed,
    QueryOf(q): QueryOf<AccuracyQuery>,
) -> Result<Response, ConsoleError> {
    let weeks = match q.weeks.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => WEEKS,
        Some(w) => w
            .parse::<i64>()
            .ok()
            .filter(|w| (1..=MAX_WEEKS).contains(w))
            .ok_or_else(|| {
                ConsoleError::page(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "weeks {:?} is not a number from 1 to {MAX_WEEKS}",
                        short_text(w, 20)
                    ),
                )
            })?,
    };
    let offline_after = state.config.offline_after;
    let mut chrome = blocking(&state, move |s| {
        Ok(frame(s, &signed, "Accuracy", q.site.as_deref(), offline_after)?.0)
    })
    .await?;
    let figures = overview::for_view(&state, &chrome.site, weeks).await?;
    let (whole, series) = (&figures.whole, &figures.weeks);
    if let Some(n) = q.made {
        chrome.done = Some(format!(
            "{n} count task{} created and sent to the site's handhelds.",
            if n == 1 { "" } else { "s" }
        ));
    }
    let label = |k: &Kpis| k.from.get(5..10).unwrap_or_default().to_string();
    let of = |f: &dyn Fn(&Kpis) -> Option<f64>| -> Vec<(String, Option<f64>)> {
        series.iter().map(|k| (label(k), f(k))).collect()
    };
    let charts = vec![
        chart(
            (
                "accuracy",
                "Inventory accuracy",
                "share of counted lines that matched, per week",
            ),
            &of(&|k| percent(k.accuracy)),
            " %",
        ),
        chart(
            (
                "adjustment",
                "Adjustment rate by value",
                "value adjusted against value counted",
            ),
            &of(&|k| percent(k.adjustment_rate_by_value)),
            " %",
        ),
        chart(
            (
                "short",
                "Short-pick rate",
                "picks found short against picks worked",
            ),
            &of(&|k| percent(k.short_pick_rate)),
            " %",
        ),
        chart(
            (
                "on-time",
                "On-time ship",
                "orders shipped by their ship-by time against orders with one",
            ),
            &of(&|k| percent(k.on_time_ship_rate)),
            " %",
        ),
        chart(
            (
                "pack",
                "Pack accuracy",
                "orders shipped with nothing taken out of their cartons again",
            ),
            &of(&|k| percent(k.pack_accuracy)),
            " %",
        ),
        chart(
            (
                "restock",
                "Return to available",
                "median minutes from a return's receipt to available stock",
            ),
            &of(&|k| k.return_to_available_median_minutes),
            " min",
        ),
    ];
    let summary = match whole.accuracy {
        Some(a) => format!(
            "{:.1} % of {} counted lines matched over {weeks} week{}; {} of {} units adjusted \
             ({:.2} € of {:.2} € counted); {} of {} picks short.",
            a * 100.0,
            whole.counted_lines,
            if weeks == 1 { "" } else { "s" },
            whole.adjusted_units,
            whole.counted_units,
            whole.adjusted_value_cents as f64 / 100.0,
            whole.counted_value_cents as f64 / 100.0,
            whole.short_picks,
            whole.picks
        ),
        None => format!(
            "Nothing was counted in the last {weeks} week{}; {} of {} picks short.",
            if weeks == 1 { "" } else { "s" },
            whole.short_picks,
            whole.picks
        ),
    };
    let summary = if whole.shipped_orders > 0 {
        format!(
            "{summary} {} of {} orders with a ship-by time shipped on time; {} of {} shipped \
             orders packed right the first time.",
            whole.shipped_on_time,
            whole.shipped_with_deadline,
            whole.packed_right,
            whole.shipped_orders
        )
    } else {
        summary
    };
    render(&AccuracyPage {
        chrome,
        weeks,
        computed: format!(
            "Figures of {} UTC, computed in {} ms{}.",
            clock(&figures.at),
            figures.took.as_millis(),
            if figures.took >= std::time::Duration::from_millis(100) {
                format!(
                    "; computed again at most every {} s",
                    overview::FRESH_FOR.as_secs()
                )
            } else {
                String::new()
            }
        ),
        summary,
        charts,
        by_location: accuracy_rows(&whole.accuracy_by_location),
        by_abc: accuracy_rows(&whole.accuracy_by_abc),
        risk: risk_rows(&whole.risk.locations),
    })
}

/// The risk counts form.
#[derive(Debug, serde::Deserialize)]
pub(super) struct RiskForm {
    csrf: Option<String>,
    site: Option<String>,
    top: Option<String>,
}

/// `POST /console/accuracy/risk-counts`: count tasks for the `top` riskiest locations.
pub(super) async fn risk_counts(
    State(state): State<AppState>,
    signed: Signed,
    FormOf(f): FormOf<RiskForm>,
) -> Result<Response, ConsoleError> {
    let top_text = f.top.clone().unwrap_or_default();
    let target = format!("top {} locations", short_text(&top_text, 10));
    signed
        .check_form(&state, f.csrf.as_deref(), "risk_counts", &target)
        .await?;
    signed
        .supervisor(&state, "create counts", "risk_counts", &target)
        .await?;
    let top = top_text.trim().parse::<usize>().map_err(|_| {
        ConsoleError::page(
            StatusCode::BAD_REQUEST,
            format!(
                "{:?} is not a number of locations to count",
                short_text(&top_text, 20)
            ),
        )
    })?;
    let by = signed.user.clone();
    let asked_site = f.site.clone();
    let outcome = blocking(&state, move |s| {
        let (site, _) = super::site_shown(s, asked_site.as_deref())?;
        crate::measures::risk_counts(s, &site, top, &by, chrono::Utc::now().into())
    })
    .await;
    let made = recorded(&state, &signed, ("risk_counts", &target, ""), outcome).await?;
    Ok(back(
        format!("/console/accuracy?made={}", made.len()),
        f.site,
    ))
}
