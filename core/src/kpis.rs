//! Inventory KPIs for a period, computed from the ledger, the workflows' records and the events.
//!
//! - Inventory accuracy: share of counted lines (the settling round of each finished count) where
//!   the count matched the system, overall, by location and by ABC class.
//! - Adjustment rate: adjusted units / counted units, and the same by value.
//! - Return-to-available cycle time: minutes from a return's receipt to its restock (median, p90).
//! - Short-pick rate: picks that came up short / picks worked.
//! - The locations and items most at risk (see `counting::risk_ranking`).

use dockhand_protocol::events::{EventBody, EventKind};
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::counting::{RiskRanking, risk_ranking};
use crate::db::utc_text;
use crate::error::Result;

/// Accuracy of one location or ABC class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Location code or ABC class.
    pub key: String,
    /// Counted lines.
    pub counted_lines: i64,
    /// Lines that matched the system.
    pub accurate_lines: i64,
    /// accurate / counted.
    pub accuracy: f64,
}

/// The KPIs of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Start of the period (UTC, inclusive).
    pub from: String,
    /// End of the period (UTC, exclusive).
    pub to: String,
    /// Counted lines in the period.
    pub counted_lines: i64,
    /// Share of counted lines with no variance (`None` without counts).
    pub accuracy: Option<f64>,
    /// By location, worst first.
    pub accuracy_by_location: Vec<Accuracy>,
    /// By ABC class.
    pub accuracy_by_abc: Vec<Accuracy>,
    /// Base units counted.
    pub counted_units: i64,
    /// Base units adjusted (absolute variances applied).
    pub adjusted_units: i64,
    /// adjusted / counted units.
    pub adjustment_rate: Option<f64>,
    /// Value counted, in cents.
    pub counted_value_cents: i64,
    /// Value adjusted (absolute), in cents.
    pub adjusted_value_cents: i64,
    /// adjusted / counted value.
    pub adjustment_rate_by_value: Option<f64>,
    /// Returned lines restocked in the period.
    pub restocked_lines: i64,
    /// Median minutes from return receipt to available.
    pub return_to_available_median_minutes: Option<f64>,
    /// 90th percentile (nearest rank) of the same.
    pub return_to_available_p90_minutes: Option<f64>,
    /// Picks worked in the period (confirmed, in full or in part, or short).
    pub picks: i64,
    /// Of which short.
    pub short_picks: i64,
    /// short / worked picks.
    pub short_pick_rate: Option<f64>,
    /// Locations and items most at risk now.
    pub risk: RiskRanking,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Median of sorted values (mean of the two middle ones for an even count).
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1] as f64)
}

/// KPIs for `[from, to)`.
pub fn kpis(
    conn: &Connection,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<Kpis> {
    let (from_text, to_text) = (utc_text(from), utc_text(to));
    // Settling round of each finished count, counted in the period.
    let mut stmt = conn.prepare(
        "SELECT l.code, i.abc_class, r.expected, r.counted, r.adjusted, i.unit_value_cents
         FROM count_results r
         JOIN count_tasks t ON t.id = r.task_id AND t.status = 'done' AND r.round = t.round
         JOIN locations l ON l.id = r.location_id
         JOIN items i ON i.id = r.item_id
         WHERE r.counted_at >= ?1 AND r.counted_at < ?2",
    )?;
    let rows: Vec<(String, String, i64, i64, bool, i64)> = stmt
        .query_map((&from_text, &to_text), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut by_location: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut by_abc: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let (mut counted_units, mut adjusted_units, mut counted_value, mut adjusted_value) =
        (0, 0, 0, 0);
    let mut accurate = 0;
    for (location, abc, expected, counted, adjusted, value) in &rows {
        let ok = i64::from(expected == counted);
        accurate += ok;
        for (map, key) in [(&mut by_location, location), (&mut by_abc, abc)] {
            let e = map.entry(key.clone()).or_insert((0, 0));
            e.0 += 1;
            e.1 += ok;
        }
        counted_units += counted;
        counted_value = counted.saturating_mul(*value).saturating_add(counted_value);
        if *adjusted {
            let variance = (counted - expected).abs();
            adjusted_units += variance;
            adjusted_value = variance
                .saturating_mul(*value)
                .saturating_add(adjusted_value);
        }
    }
    let accuracy_list = |map: BTreeMap<String, (i64, i64)>| -> Vec<Accuracy> {
        let mut list: Vec<Accuracy> = map
            .into_iter()
            .map(|(key, (n, ok))| Accuracy {
                key,
                counted_lines: n,
                accurate_lines: ok,
                accuracy: ok as f64 / n as f64,
            })
            .collect();
        list.sort_by(|a, b| {
            a.accuracy
                .total_cmp(&b.accuracy)
                .then_with(|| a.key.cmp(&b.key))
        });
        list
    };
    let mut minutes: Vec<i64> = conn
        .prepare(
            "SELECT minutes_to_available FROM return_lines
             WHERE outcome = 'restock' AND inspected_at >= ?1 AND inspected_at < ?2",
        )?
        .query_map((&from_text, &to_text), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    minutes.sort_unstable();
    // Picks finished in the period, from their events (a pick confirmed in parts counts once).
    let mut finished = BTreeSet::new();
    let mut short = BTreeSet::new();
    let mut stmt = conn.prepare(
        "SELECT event_type, payload FROM outbox
         WHERE event_type IN (?3, ?4) AND occurred_at >= ?1 AND occurred_at < ?2
           AND op_id NOT IN (SELECT voided_op_id FROM voids)",
    )?;
    let kinds = (
        EventKind::PickConfirmed.as_str(),
        EventKind::PickShort.as_str(),
    );
    for row in stmt.query_map((&from_text, &to_text, kinds.0, kinds.1), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (event_type, payload) = row?;
        let body = EventBody::parse(&event_type, &serde_json::from_str(&payload)?)?;
        if let Some((pick, was_short)) = pick_outcome(&body) {
            finished.insert(pick);
            if was_short {
                short.insert(pick);
            }
        }
    }
    Ok(Kpis {
        from: from_text,
        to: to_text,
        counted_lines: rows.len() as i64,
        accuracy: ratio(accurate, rows.len() as i64),
        accuracy_by_location: accuracy_list(by_location),
        accuracy_by_abc: accuracy_list(by_abc),
        counted_units,
        adjusted_units,
        adjustment_rate: ratio(adjusted_units, counted_units),
        counted_value_cents: counted_value,
        adjusted_value_cents: adjusted_value,
        adjustment_rate_by_value: ratio(adjusted_value, counted_value),
        restocked_lines: minutes.len() as i64,
        return_to_available_median_minutes: median(&minutes),
        return_to_available_p90_minutes: percentile(&minutes, 90.0),
        picks: finished.len() as i64,
        short_picks: short.len() as i64,
        short_pick_rate: ratio(short.len() as i64, finished.len() as i64),
        risk: risk_ranking(conn, to)?,
    })
}

/// The pick an event finished and whether it came up short; `None` for every other event.
fn pick_outcome(body: &EventBody) -> Option<(i64, bool)> {
    match body {
        EventBody::PickConfirmed(p) => Some((p.pick_id, false)),
        EventBody::PickShort(p) => Some((p.pick_id, true)),
        EventBody::BlindOpened(_)
        | EventBody::LineReceived(_)
        | EventBody::ReceiptDiscrepancy(_)
        | EventBody::ReceiptClosed(_)
        | EventBody::PutawayConfirmed(_)
        | EventBody::PickTaskStarted(_)
        | EventBody::PickTaskCancelled(_)
        | EventBody::CountTaskCreated(_)
        | EventBody::CountStarted(_)
        | EventBody::Counted(_)
        | EventBody::CountAdjusted(_)
        | EventBody::ReturnReceived(_)
        | EventBody::ReturnInspected(_)
        | EventBody::Voided(_) => None,
    }
}
