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
}

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
    let since_180 = utc_text(now - Duration::days(180));
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
    let since_30 = utc_text(now - Duration::days(30));
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
            let staleness = days_since_count.map_or(1.0, |d| (d as f64 / 90.0).min(1.0));
            let score = 0.35 * variance_rate
                + 0.25 * (s.picks as f64 / max_picks)
                + 0.20 * (s.value as f64 / max_value)
                + 0.20 * staleness;
            RiskEntry {
                key,
                score,
                variance_rate,
                picks: s.picks,
                value_cents: s.value,
                days_since_count,
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
