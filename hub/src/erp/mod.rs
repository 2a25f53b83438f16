//! ERP connectors: a background worker takes accepted events from the hub's feed in order and
//! posts their stock changes to an ERP (Tryton first), exactly once in effect: every ERP document
//! carries the event id and is looked up before anything is created, so a crash between "posted"
//! and "recorded as posted" never posts twice. Network trouble is retried with backoff; a refusal
//! by the ERP (a business error) is recorded with the ERP's message and the feed moves on.

pub mod go_live;
pub mod plan;
pub mod tryton;
pub mod worker;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::store::{ErpBook, Feed, HubStore, Lease};

/// What the ERP side may do with the hub's storage: read the feed and master rows, import what it
/// pulls, keep its bookkeeping and take the posting lease. Device sync (tokens, intake) is out of
/// its reach.
pub trait ErpPort: Feed + ErpBook + Lease {}

impl<T: Feed + ErpBook + Lease + ?Sized> ErpPort for T {}

/// The ERP's view of a hub store.
pub fn port(store: &Arc<dyn HubStore>) -> Arc<dyn ErpPort> {
    store.clone()
}

/// What a connector did with one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ErpOutcome {
    /// In the ERP: the documents that carry it (none when the event moves no stock).
    Posted {
        /// ERP document ids, e.g. `stock.shipment.internal/12`.
        documents: Vec<String>,
    },
    /// The ERP refused it; a person must look at it.
    Failed {
        /// Stable code (`erp_refused`, `unmapped`…).
        code: String,
        /// The ERP's own sentence, with what was refused.
        message: String,
    },
}

/// One event as a connector left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpPost {
    /// Feed position.
    pub feed_seq: i64,
    /// Event id.
    pub event_id: String,
    /// Event type.
    pub event_type: String,
    /// The device that recorded it.
    pub device_id: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: ErpOutcome,
    /// When (UTC).
    pub at: String,
}

/// Where a connector stands (`dockhand-hub erp status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpStatus {
    /// The connector.
    pub erp: String,
    /// Last feed position done with.
    pub cursor: i64,
    /// Last feed position there is.
    pub feed_head: i64,
    /// Accepted events not yet posted.
    pub pending: i64,
    /// When the oldest of those reached the hub.
    pub oldest_pending_since: Option<String>,
    /// Events posted.
    pub posted: i64,
    /// Events the ERP refused.
    pub failed: i64,
    /// Posted events held for an ERP document that is not complete yet (a receipt against an
    /// ASN not closed, a pick task not finished): the ERP does not show them yet.
    pub held: i64,
    /// When the oldest of those was recorded.
    pub oldest_held_since: Option<String>,
    /// The documents they wait for, oldest first: (document, events, held since); at most
    /// [`crate::store::erp_sql::HELD_DOCUMENTS_SHOWN`].
    #[serde(default)]
    pub held_documents: Vec<(String, i64, String)>,
    /// The hub instance that holds the lease on posting (hub instances may share a database; one
    /// posts).
    pub posting_instance: Option<String>,
    /// Until when its lease runs (renewed once half of it has passed).
    pub posting_lease_until: Option<String>,
    /// When the last event was posted.
    pub last_posted_at: Option<String>,
    /// The failure a retry is working on (network, ERP down), if any.
    pub last_error: Option<String>,
    /// Since when.
    pub last_error_at: Option<String>,
    /// The refused events, oldest first.
    pub failures: Vec<ErpPost>,
    /// When the last pull of master data and documents from the ERP ended.
    pub last_pulled_at: Option<String>,
    /// Count lines held back from the ERP until every device active at the site has synced past
    /// them (or a supervisor releases them): the ERP then gets each line's reconciled net.
    #[serde(default)]
    pub counts_held: i64,
    /// When the oldest of those was counted.
    #[serde(default)]
    pub oldest_count_held_at: Option<String>,
}

impl ErpStatus {
    /// Whether a connector of this name ever worked against this hub database (posted, refused,
    /// pulled, held the posting lease or met an error). A hub served without `--erp` has none.
    pub fn has_run(&self) -> bool {
        self.cursor > 0
            || self.posted > 0
            || self.failed > 0
            || self.last_pulled_at.is_some()
            || self.posting_instance.is_some()
            || self.last_error.is_some()
    }

    /// The status as a supervisor reads it.
    pub fn describe(&self) -> String {
        let counts = (self.counts_held > 0).then(|| {
            format!(
                "\n{} count line(s) held until every device of the site has synced past them, \
                 oldest counted at {} (release: dockhand-hub erp release-counts)",
                self.counts_held,
                self.oldest_count_held_at.as_deref().unwrap_or("?")
            )
        });
        if !self.has_run() {
            return format!(
                "ERP {}: no connector has worked against this hub (serve it with --erp {}://… to post to the ERP); {} accepted event(s) wait in the feed{}",
                self.erp,
                self.erp,
                self.feed_head,
                counts.unwrap_or_default()
            );
        }
        let mut out = format!(
            "ERP {}: {} event(s) pending (feed {} of {}), {} posted, {} refused",
            self.erp, self.pending, self.cursor, self.feed_head, self.posted, self.failed
        );
        if let Some(since) = &self.oldest_pending_since {
            out.push_str(&format!(
                "\noldest pending event reached the hub at {since}"
            ));
        }
        if self.held > 0 {
            out.push_str(&format!(
                "\n{} posted event(s) held for ERP documents not complete yet (receipts not closed, pick tasks not finished), oldest since {}",
                self.held,
                self.oldest_held_since.as_deref().unwrap_or("?")
            ));
        }
        if let Some(counts) = counts {
            out.push_str(&counts);
        }
        if let (Some(who), Some(until)) = (&self.posting_instance, &self.posting_lease_until) {
            out.push_str(&format!(
                "\nposted by hub instance {who} (lease until {until})"
            ));
        }
        if let Some(at) = &self.last_posted_at {
            out.push_str(&format!("\nlast posted at {at}"));
        }
        if let Some(at) = &self.last_pulled_at {
            out.push_str(&format!("\nlast pulled from the ERP at {at}"));
        }
        match (&self.last_error, &self.last_error_at) {
            (Some(error), Some(since)) => {
                out.push_str(&format!("\nretrying since {since}: {error}"))
            }
            (Some(error), None) => out.push_str(&format!("\nretrying: {error}")),
            _ => out.push_str("\nno error"),
        }
        for f in &self.failures {
            if let ErpOutcome::Failed { code, message } = &f.outcome {
                out.push_str(&format!(
                    "\nrefused: feed #{} {} {} from {} at {}: {code}: {message}",
                    f.feed_seq, f.event_type, f.event_id, f.device_id, f.at
                ));
            }
        }
        out
    }
}
