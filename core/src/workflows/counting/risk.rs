//! The risk ranking: which locations and items most deserve a count now.
//!
//! Four signals, each scaled to 0..1 and weighted: variance history (share of counted lines with a
//! variance over the last 180 days, 35%), pick velocity (picks in the last 30 days against the
//! busiest, 25%), value on hand (against the most valuable, 20%) and days since the last count
//! (90 days or never counted = 1, 20%).

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::db::utc_text;
use crate::error::Result;
use crate::stock;

/// One ranked location or item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskEntry {
    /// Location code or SKU.
    pub key: String,
    /// Weighted score, 0..1.
    pub score: f64,
    /// Share of counted lines with a variance in the last 180 days.
    pub variance_rate: f64,
    /// Picks in the last 30 days.
    pub picks: i64,
    /// Value on hand, in cents.
    pub value_cents: i64,
    /// Days since the last count (`None`: never counted).
    pub days_since_count: Option<i64>,
    /// What each signal added to `score` (they sum to it).
    pub parts: RiskParts,
}

/// A risk score part by part: each signal times its weight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskParts {
    /// From counts found off ([`VARIANCE_WEIGHT`] × the variance rate).
    pub counts_off: f64,
    /// From picks ([`PICKS_WEIGHT`] × picks against the busiest in the ranking).
    pub picks: f64,
    /// From value ([`VALUE_WEIGHT`] × value against the highest in the ranking).
    pub value: f64,
    /// From time since the last count ([`STALENESS_WEIGHT`], full at [`STALE_DAYS`] or never).
    pub not_counted: f64,
}

/// Weight of the share of counted lines found off.
pub const VARIANCE_WEIGHT: f64 = 0.35;
/// Weight of pick velocity.
pub const PICKS_WEIGHT: f64 = 0.25;
/// Weight of value on hand.
pub const VALUE_WEIGHT: f64 = 0.20;
/// Weight of time since the last count.
pub const STALENESS_WEIGHT: f64 = 0.20;
/// Counts looked back on for the variance rate.
pub const VARIANCE_DAYS: i64 = 180;
/// Picks looked back on for velocity.
pub const PICK_DAYS: i64 = 30;
/// Days without a count at which staleness is full.
pub const STALE_DAYS: i64 = 90;

/// Locations and items, most at risk first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskRanking {
    /// Storage and pick-face locations holding stock.
    pub locations: Vec<RiskEntry>,
    /// Items in stock.
    pub items: Vec<RiskEntry>,
}

struct Signals {
    counted: i64,
    varied: i64,
    picks: i64,
    value: i64,
    last_count: Option<String>,
}

fn gather(
    conn: &Connection,
    by: &str,
    now: DateTime<FixedOffset>,
) -> Result<HashMap<String, Signals>> {
    let (key, join) = match by {
        "location" => ("l.code", "JOIN locations l ON l.id = x.location_id"),
        _ => ("i.sku", "JOIN items i ON i.id = x.item_id"),
    };
    let mut out: HashMap<String, Signals> = HashMap::new();
    for (k, value) in stock::available_value_by(conn, by == "location")? {
        out.insert(
            k,
            Signals {
                counted: 0,
                varied: 0,
                picks: 0,
                value,
                last_count: None,
            },
        );
    }
    let since_180 = utc_text(now - Duration::days(VARIANCE_DAYS));
    let mut stmt = conn.prepare(&format!(
        "SELECT {key}, COUNT(*), SUM(x.counted <> x.expected), MAX(x.counted_at) FROM count_results x {join}
         WHERE x.counted_at >= ?1 GROUP BY {key}"
    ))?;
    for row in stmt.query_map([&since_180], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })? {
        let (k, counted, varied, last) = row?;
        if let Some(s) = out.get_mut(&k) {
            s.counted = counted;
            s.varied = varied;
            s.last_count = Some(last);
        }
    }
    let since_30 = utc_text(now - Duration::days(PICK_DAYS));
    for (k, picks) in stock::picks_since_by(conn, by == "location", &since_30)? {
        if let Some(s) = out.get_mut(&k) {
            s.picks = picks;
        }
    }
    Ok(out)
}

fn rank(signals: HashMap<String, Signals>, now: DateTime<FixedOffset>) -> Vec<RiskEntry> {
    let max_picks = signals.values().map(|s| s.picks).max().unwrap_or(0).max(1) as f64;
    let max_value = signals.values().map(|s| s.value).max().unwrap_or(0).max(1) as f64;
    let mut entries: Vec<RiskEntry> = signals
        .into_iter()
        .map(|(key, s)| {
            let variance_rate = if s.counted > 0 {
                s.varied as f64 / s.counted as f64
            } else {
                0.0
            };
            let days_since_count = s.last_count.as_deref().and_then(|t| {
                DateTime::parse_from_rfc3339(t)
                    .ok()
                    .map(|at| (now - at).num_days().max(0))
            });
            let staleness =
                days_since_count.map_or(1.0, |d| (d as f64 / STALE_DAYS as f64).min(1.0));
            let parts = RiskParts {
                counts_off: VARIANCE_WEIGHT * variance_rate,
                picks: PICKS_WEIGHT * (s.picks as f64 / max_picks),
                value: VALUE_WEIGHT * (s.value as f64 / max_value),
                not_counted: STALENESS_WEIGHT * staleness,
            };
            let score = parts.counts_off + parts.picks + parts.value + parts.not_counted;
            RiskEntry {
                key,
                score,
                variance_rate,
                picks: s.picks,
                value_cents: s.value,
                days_since_count,
                parts,
            }
        })
        .collect();
    entries.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
    entries
}

/// Ranks locations and items by risk, highest first.
pub fn risk_ranking(conn: &Connection, now: DateTime<FixedOffset>) -> Result<RiskRanking> {
    Ok(RiskRanking {
        locations: rank(gather(conn, "location", now)?, now),
        items: rank(gather(conn, "item", now)?, now),
    })
}
