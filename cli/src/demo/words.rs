//! The demo's words for what the core stores as codes: stock statuses, event types, putaway rules,
//! count outcomes, return decisions and sync states, as a shift supervisor would say them; and the
//! risk score of a location or item taken apart into what raised it.

use dockhand_core::StockStatus;
use dockhand_core::counting::{CountOutcome, RiskEntry};
use dockhand_core::protocol::events::EventKind;
use dockhand_core::putaway::SuggestionRule;
use dockhand_core::returns::InspectionOutcome;
use dockhand_core::sync::engine::SyncState;

/// A stock status, as the column of a table or the end of a line says it.
pub(crate) fn status(status: StockStatus) -> &'static str {
    match status {
        StockStatus::Received => "on the dock",
        StockStatus::Available => "available",
        StockStatus::InTransit => "in transit",
        StockStatus::Quarantined => "in quarantine",
        StockStatus::Damaged => "damaged",
        StockStatus::ReturnPending => "return pending",
    }
}

/// An event type, singular and plural ("1 receiving scan", "9 receiving scans").
pub(crate) fn event(kind: EventKind) -> (&'static str, &'static str) {
    match kind {
        EventKind::BlindOpened => ("receipt opened without ASN", "receipts opened without ASN"),
        EventKind::LineReceived => ("receiving scan", "receiving scans"),
        EventKind::ReceiptDiscrepancy => ("receipt difference", "receipt differences"),
        EventKind::ReceiptClosed => ("receipt closed", "receipts closed"),
        EventKind::PutawayConfirmed => ("putaway", "putaways"),
        EventKind::MoveConfirmed => ("move", "moves"),
        EventKind::PickTaskStarted => ("pick task started", "pick tasks started"),
        EventKind::PickConfirmed => ("pick", "picks"),
        EventKind::PickShort => ("short pick", "short picks"),
        EventKind::PickTaskCancelled => ("pick task cancelled", "pick tasks cancelled"),
        EventKind::CountTaskCreated => ("count task created", "count tasks created"),
        EventKind::CountStarted => ("count started", "counts started"),
        EventKind::Counted => ("count round", "count rounds"),
        EventKind::CountAdjusted => ("stock adjustment", "stock adjustments"),
        EventKind::ReturnReceived => ("return received", "returns received"),
        EventKind::ReturnInspected => ("return line inspected", "return lines inspected"),
        EventKind::StockReleased => ("release of held stock", "releases of held stock"),
        EventKind::ReplenishmentRaised => ("replenishment raised", "replenishments raised"),
        EventKind::UnitBuilt => ("carton or pallet built", "cartons and pallets built"),
        EventKind::Packed => ("packing scan", "packing scans"),
        EventKind::Unpacked => ("unpacking", "unpackings"),
        EventKind::Loaded => ("carton or pallet loaded", "cartons and pallets loaded"),
        EventKind::Shipped => ("shipment", "shipments"),
        EventKind::Voided => ("correction", "corrections"),
    }
}

/// An event type as stored, in words; unknown types as they are.
pub(crate) fn event_type(stored: &str) -> String {
    EventKind::parse(stored).map_or_else(|| stored.to_string(), |k| event(k).0.to_string())
}

/// A sentence from the core with any stored event type in it put in words.
pub(crate) fn plain(sentence: &str) -> String {
    EventKind::ALL.iter().fold(sentence.to_string(), |text, k| {
        text.replace(k.as_str(), event(*k).0)
    })
}

/// Why the system suggested a putaway location.
pub(crate) fn rule(rule: SuggestionRule) -> &'static str {
    match rule {
        SuggestionRule::SameItemAndLot => "already holds this item and lot",
        SuggestionRule::EmptyInZone => "first empty location in the item's zone",
        SuggestionRule::Quarantine => "quarantine area for held goods",
        SuggestionRule::Damaged => "damaged goods cage",
    }
}

/// What a submitted count round led to.
pub(crate) fn count_outcome(outcome: CountOutcome) -> &'static str {
    match outcome {
        CountOutcome::NoVariance => "matches the system",
        CountOutcome::Adjusted => "stock adjusted",
        CountOutcome::RecountRequired => {
            "off by more than the tolerance, another operator recounts"
        }
        CountOutcome::ApprovalRequired => "difference confirmed, a supervisor must approve it",
    }
}

/// A return inspector's decision.
pub(crate) fn inspection(outcome: InspectionOutcome) -> &'static str {
    match outcome {
        InspectionOutcome::Restock => "restock",
        InspectionOutcome::Quarantine => "quarantine",
        InspectionOutcome::Damaged => "damaged",
        InspectionOutcome::Scrap => "scrap",
        InspectionOutcome::ReturnToVendor => "back to vendor",
    }
}

/// A reason code picked from the scanner's list ("seal_broken"), as it reads ("seal broken").
pub(crate) fn reason(code: &str) -> String {
    code.replace('_', " ")
}

/// What a handheld's sync is doing.
pub(crate) fn sync_state(state: SyncState) -> &'static str {
    match state {
        SyncState::Idle => "all sent",
        SyncState::Syncing => "sending",
        SyncState::Offline => "offline, scanning goes on",
        SyncState::Error => "stopped, needs attention",
    }
}

/// A count with its noun ("1 pick", "5 picks").
pub(crate) fn many(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The one line that says what a risk score is, part by part as [`risk`] shows them (the weights
/// and windows are the core's).
pub(crate) fn risk_scale() -> String {
    use dockhand_core::counting::risk::*;
    format!(
        "risk score 0 to 1, the higher the sooner to count: counts off (up to \
         {VARIANCE_WEIGHT:.2}: share of counted lines found off, last {VARIANCE_DAYS} days) + picks \
         ({PICKS_WEIGHT:.2}: picks in the last {PICK_DAYS} days, against the busiest) + value \
         ({VALUE_WEIGHT:.2}: stock value, against the highest) + not counted \
         ({STALENESS_WEIGHT:.2}: days since the last count, full at {STALE_DAYS} days or never)"
    )
}

/// A ranked location or item: its score as the sum of the parts that raised it.
pub(crate) fn risk(entry: &RiskEntry) -> String {
    let parts = &entry.parts;
    let (last_count, off) = match entry.days_since_count {
        None => ("never".to_string(), "no counts".to_string()),
        Some(d) => (
            if d == 0 {
                "counted today".to_string()
            } else {
                many(d, "day")
            },
            format!("{:.0}% of counted lines", entry.variance_rate * 100.0),
        ),
    };
    format!(
        "{:<9} {:.2} = counts off {:.2} ({off}) + picks {:.2} ({}) + value {:.2} ({}) + not \
         counted {:.2} ({last_count})",
        entry.key,
        entry.score,
        parts.counts_off,
        parts.picks,
        many(entry.picks, "pick"),
        parts.value,
        crate::report::money(entry.value_cents),
        parts.not_counted
    )
}
