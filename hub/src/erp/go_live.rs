//! Go-live with an ERP: its stock on hand becomes the hub's opening balance. The ERP's master data
//! is pulled first (the balance names its items and locations), then its stock read and imported
//! as opening balances of origin `erp`: one event of the hub's own, sent to every device with the
//! stock and never posted back to the ERP. What cannot become a bucket is listed, not guessed.

use std::sync::Arc;

use dockhand_protocol::sync::{HubEventOrigin, Import, ImportResult, OpeningBalance};

use super::ErpPort;
use super::tryton::TrytonConnector;
use super::worker::{self, Connector};
use crate::store::ImportSource;

/// What a go-live import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoLive {
    /// The buckets read from the ERP.
    pub balances: Vec<OpeningBalance>,
    /// What could not become a bucket, a sentence each.
    pub left_out: Vec<String>,
    /// Done moves the ERP's stock was summed from.
    pub moves: usize,
    /// What the hub recorded (`None` on a dry run).
    pub imported: Option<ImportResult>,
}

impl GoLive {
    /// In sentences, for the command line.
    pub fn describe(&self) -> String {
        let units: i64 = self.balances.iter().map(|b| b.quantity).sum();
        let mut text = format!(
            "ERP stock on hand: {} buckets, {units} base units, from {} done moves",
            self.balances.len(),
            self.moves
        );
        match &self.imported {
            Some(r) => text.push_str(&format!(
                "\nopening balances: {} buckets, {} base units added to the hub's stock (the \
                 devices get them on their next pull; the ERP is not sent them)",
                r.opening_buckets, r.opening_units
            )),
            None => text.push_str("\ndry run: nothing written"),
        }
        let refused = self.imported.iter().flat_map(|r| &r.opening_left_out);
        let left_out: Vec<&String> = self.left_out.iter().chain(refused).collect();
        if !left_out.is_empty() {
            text.push_str(&format!("\nleft out ({}):", left_out.len()));
            for line in left_out {
                text.push_str(&format!("\n  {line}"));
            }
        }
        text
    }
}

/// Pulls the ERP's master data, reads its stock on hand and (unless `dry_run`) imports it as
/// the opening balance. A pull or read that fails, or an import the hub refuses, is an error
/// with the ERP's or the hub's sentence; the hub is then as it was (the pull aside).
pub async fn opening_balance_from_tryton(
    store: &Arc<dyn ErpPort>,
    connector: &TrytonConnector,
    dry_run: bool,
) -> Result<GoLive, String> {
    let name = connector.name().to_string();
    if worker::pull(store, connector)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        // On the blocking pool: the PostgreSQL store blocks its thread on each call.
        let erp = name.clone();
        let status = worker::blocking(store, move |s| s.erp_status(&erp))
            .await
            .map_err(|e| e.to_string())?;
        return Err(format!(
            "could not pull master data from the ERP first: {}",
            status.last_error.as_deref().unwrap_or("no reason recorded")
        ));
    }
    let on_hand = connector
        .stock_on_hand(store)
        .await
        .map_err(|e| format!("could not read the ERP's stock on hand: {e}"))?;
    let mut report = GoLive {
        balances: on_hand.balances,
        left_out: on_hand.left_out,
        moves: on_hand.moves,
        imported: None,
    };
    if dry_run {
        return Ok(report);
    }
    if report.balances.is_empty() {
        report.imported = Some(ImportResult::default());
        return Ok(report);
    }
    let data = Import {
        site: Some(connector.site().to_string()),
        opening_balances: report.balances.clone(),
        ..Import::default()
    };
    let source = format!("{name} stock on hand");
    let store = store.clone();
    let result = tokio::task::spawn_blocking(move || {
        store.import(
            &data,
            &ImportSource {
                origin: HubEventOrigin::Erp,
                name: &source,
            },
        )
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    report.imported = Some(result);
    Ok(report)
}
