//! The risk ranking: which locations and items most deserve a count now.
//!
//! Four signals, each scaled to 0..1 and weighted: variance history (share of counted lines with a
//! variance over the last 180 days, 35%), pick velocity (picks in the last 30 days against the
//! busiest, 25%), value on hand (against the most valuable, 20%) and days since the last count
//! (90 days or never counted = 1, 20%).

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset};
use rusqlite::Connection;

pub use dockhand_protocol::measures::{
    PICK_DAYS, PICKS_WEIGHT, RiskEntry, RiskParts, RiskRanking, RiskSignals, STALE_DAYS,
    STALENESS_WEIGHT, VALUE_WEIGHT, VARIANCE_DAYS, VARIANCE_WEIGHT, rank,
};

use crate::db::utc_text;
use crate::error::Result;
use crate::stock;

fn gather(
    conn: &Connection,
    by: &str,
    now: DateTime<FixedOffset>,
) -> Result<HashMap<String, RiskSignals>> {
    let (key, join) = match by {
        "location" => ("l.code", "JOIN locations l ON l.id = x.location_id"),
        _ => ("i.sku", "JOIN items i ON i.id = x.item_id"),
    };
    let mut out: HashMap<String, RiskSignals> = HashMap::new();
    for (k, value) in stock::available_value_by(conn, by == "location")? {
        out.insert(
            k,
            RiskSignals {
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

/// Ranks locations and items by risk, highest first.
pub fn risk_ranking(conn: &Connection, now: DateTime<FixedOffset>) -> Result<RiskRanking> {
    Ok(RiskRanking {
        locations: rank(gather(conn, "location", now)?, now),
        items: rank(gather(conn, "item", now)?, now),
    })
}
