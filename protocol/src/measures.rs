//! What the hub and the devices measure a warehouse by, computed the same way on both: inventory
//! accuracy, adjustment rates, return-to-available time, short picks ([`Kpis`]) and the count risk
//! ranking ([`RiskRanking`]). Each side gathers the figures from its own records; the arithmetic,
//! the weights and the shapes are here, once.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

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
    /// Orders shipped in the period (an order shipped in several loads counts once).
    #[serde(default)]
    pub shipped_orders: i64,
    /// Of which had a ship-by time.
    #[serde(default)]
    pub shipped_with_deadline: i64,
    /// Of those, shipped at or before it (every load of the order).
    #[serde(default)]
    pub shipped_on_time: i64,
    /// on time / shipped with a deadline.
    #[serde(default)]
    pub on_time_ship_rate: Option<f64>,
    /// Orders shipped with nothing taken out of their cartons again while packing.
    #[serde(default)]
    pub packed_right: i64,
    /// packed right / shipped orders.
    #[serde(default)]
    pub pack_accuracy: Option<f64>,
    /// Locations and items most at risk now.
    pub risk: RiskRanking,
}

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

/// What a location or item's risk is computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskSignals {
    /// Lines counted in the last [`VARIANCE_DAYS`].
    pub counted: i64,
    /// Of which found off.
    pub varied: i64,
    /// Picks in the last [`PICK_DAYS`].
    pub picks: i64,
    /// Value on hand, in cents.
    pub value: i64,
    /// When it was last counted (RFC 3339).
    pub last_count: Option<String>,
}

/// Scores and sorts locations or items by risk at `now`, highest first.
pub fn rank(
    signals: impl IntoIterator<Item = (String, RiskSignals)>,
    now: DateTime<FixedOffset>,
) -> Vec<RiskEntry> {
    let signals: Vec<(String, RiskSignals)> = signals.into_iter().collect();
    let max_picks = signals
        .iter()
        .map(|(_, s)| s.picks)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let max_value = signals
        .iter()
        .map(|(_, s)| s.value)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
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

/// `part / whole`, `None` when there is no whole.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Median of sorted values (mean of the two middle ones for an even count).
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1] as f64)
}

/// Accuracy by key (counted lines, accurate lines), worst first.
pub fn accuracy_list(map: BTreeMap<String, (i64, i64)>) -> Vec<Accuracy> {
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
}

/// Available to promise of one item across a site (`GET /v1/admin/atp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteAtp {
    /// Item SKU.
    pub sku: String,
    /// Available base units on every shelf of the site.
    pub available: i64,
    /// Held by picks allocated on handhelds and not yet picked.
    pub reserved: i64,
    /// Ordered by the site's pick tasks no handheld has started.
    pub on_order: i64,
    /// available − reserved − on order.
    pub promisable: i64,
}

/// `POST /v1/admin/counts/risk`: count tasks for the locations most at risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskCounts {
    /// The site (none: the hub's only site).
    #[serde(default)]
    pub site: Option<String>,
    /// How many of the riskiest locations to count (1 to 500).
    pub top: usize,
    /// Who asks (recorded in each task's reason).
    pub by: String,
}

/// The KPIs' figures gathered one fact at a time, by a device from its records or by the hub from
/// the events it accepted; [`KpiTally::finish`] makes the [`Kpis`].
#[derive(Debug, Clone, Default)]
pub struct KpiTally {
    lines: i64,
    accurate: i64,
    by_location: BTreeMap<String, (i64, i64)>,
    by_abc: BTreeMap<String, (i64, i64)>,
    counted_units: i64,
    adjusted_units: i64,
    counted_value: i64,
    adjusted_value: i64,
    minutes: Vec<i64>,
    picks: std::collections::BTreeSet<String>,
    short: std::collections::BTreeSet<String>,
    shipments: BTreeMap<String, Shipment>,
}

/// How an order left: on time (`None` without a deadline) and packed right the first time.
#[derive(Debug, Clone, Copy)]
struct Shipment {
    on_time: Option<bool>,
    packed_right: bool,
}

impl KpiTally {
    /// A line of a settling count round: where, the item's ABC class and unit value (cents), what
    /// was expected and counted, and whether the round adjusted the stock.
    pub fn count(
        &mut self,
        (location, abc, value): (&str, &str, i64),
        expected: i64,
        counted: i64,
        adjusted: bool,
    ) {
        let ok = i64::from(expected == counted);
        self.lines += 1;
        self.accurate += ok;
        for (map, key) in [(&mut self.by_location, location), (&mut self.by_abc, abc)] {
            let e = map.entry(key.to_string()).or_insert((0, 0));
            e.0 += 1;
            e.1 += ok;
        }
        self.counted_units += counted;
        self.counted_value = counted
            .saturating_mul(value)
            .saturating_add(self.counted_value);
        if adjusted {
            let variance = (counted - expected).abs();
            self.adjusted_units += variance;
            self.adjusted_value = variance
                .saturating_mul(value)
                .saturating_add(self.adjusted_value);
        }
    }

    /// A pick worked (a pick confirmed in parts is named again and counts once).
    pub fn pick(&mut self, pick: &str, short: bool) {
        self.picks.insert(pick.to_string());
        if short {
            self.short.insert(pick.to_string());
        }
    }

    /// An order's shipment: whether it left by its ship-by time (`None`: it had none) and
    /// whether its cartons were packed right the first time. An order shipped in several loads is
    /// named again: it is on time when every load was, packed right when every load was.
    pub fn ship(&mut self, order: &str, on_time: Option<bool>, packed_right: bool) {
        let e = self.shipments.entry(order.to_string()).or_insert(Shipment {
            on_time,
            packed_right,
        });
        e.on_time = match (e.on_time, on_time) {
            (Some(a), Some(b)) => Some(a && b),
            (a, b) => a.or(b),
        };
        e.packed_right &= packed_right;
    }

    /// A returned line made available `minutes` after its receipt.
    pub fn restock(&mut self, minutes: i64) {
        self.minutes.push(minutes);
    }

    /// The KPIs of `[from, to)` with the risk ranking at its end.
    pub fn finish(mut self, (from, to): (String, String), risk: RiskRanking) -> Kpis {
        self.minutes.sort_unstable();
        let (picks, short) = (self.picks.len() as i64, self.short.len() as i64);
        let shipped_orders = self.shipments.len() as i64;
        let count = |f: fn(&Shipment) -> bool| self.shipments.values().filter(|s| f(s)).count();
        let with_deadline = count(|s| s.on_time.is_some()) as i64;
        let on_time = count(|s| s.on_time == Some(true)) as i64;
        let packed_right = count(|s| s.packed_right) as i64;
        Kpis {
            from,
            to,
            counted_lines: self.lines,
            accuracy: ratio(self.accurate, self.lines),
            accuracy_by_location: accuracy_list(self.by_location),
            accuracy_by_abc: accuracy_list(self.by_abc),
            counted_units: self.counted_units,
            adjusted_units: self.adjusted_units,
            adjustment_rate: ratio(self.adjusted_units, self.counted_units),
            counted_value_cents: self.counted_value,
            adjusted_value_cents: self.adjusted_value,
            adjustment_rate_by_value: ratio(self.adjusted_value, self.counted_value),
            restocked_lines: self.minutes.len() as i64,
            return_to_available_median_minutes: median(&self.minutes),
            return_to_available_p90_minutes: percentile(&self.minutes, 90.0),
            picks,
            short_picks: short,
            short_pick_rate: ratio(short, picks),
            shipped_orders,
            shipped_with_deadline: with_deadline,
            shipped_on_time: on_time,
            on_time_ship_rate: ratio(on_time, with_deadline),
            packed_right,
            pack_accuracy: ratio(packed_right, shipped_orders),
            risk,
        }
    }
}
