//! Master data and tasks from CSV files (what an ERP export or a spreadsheet gives): one file per
//! kind, a header row naming the fields as in the JSON import. Receipts and pick tasks take one
//! row per line, their header fields repeated on every line of the same id.

use std::path::Path;

use dockhand_protocol::master::CountTaskRequest;
use dockhand_protocol::master::{Barcode, Item, Location, Operator, UnitConversion};
use dockhand_protocol::master::{ExpectedLine, ExpectedReceipt};
use dockhand_protocol::master::{ExpectedReturn, ExpectedReturnLine};
use dockhand_protocol::master::{PickLineRequest, PickTaskRequest};
use dockhand_protocol::sync::{BadgeAssignment, Import, OpeningBalance};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{HubError, HubResult};

/// The kinds a CSV file can hold.
pub const KINDS: &[&str] = &[
    "items",
    "units",
    "barcodes",
    "locations",
    "operators",
    "badges",
    "expected_receipts",
    "pick_tasks",
    "count_tasks",
    "expected_returns",
    "opening_balances",
];

fn rows<T: DeserializeOwned>(path: &Path) -> HubResult<Vec<T>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| HubError::BadRequest(format!("cannot read {}: {e}", path.display())))?;
    check_columns::<T>(path, &mut reader)?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.map_err(|e| {
                // Row 1 is the header.
                HubError::BadRequest(format!("{} row {}: {e}", path.display(), i + 2))
            })
        })
        .collect()
}

/// Refuses a file whose header lacks a column the kind needs, even when it has no rows (a blank
/// row read through the header names the first missing field).
fn check_columns<T: DeserializeOwned>(
    path: &Path,
    reader: &mut csv::Reader<std::fs::File>,
) -> HubResult<()> {
    let headers = reader
        .headers()
        .map_err(|e| HubError::BadRequest(format!("cannot read {}: {e}", path.display())))?
        .clone();
    let blank = csv::StringRecord::from(vec![""; headers.len()]);
    if let Err(e) = blank.deserialize::<T>(Some(&headers)) {
        let text = e.to_string();
        if let Some(field) = text
            .split("missing field `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
        {
            return Err(HubError::BadRequest(format!(
                "{} has no column {field:?}; its header is {:?}",
                path.display(),
                crate::body::short_text(&headers.iter().collect::<Vec<_>>().join(","), 200)
            )));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct ReceiptRow {
    receipt_id: String,
    reference: String,
    supplier: String,
    #[serde(flatten)]
    line: ExpectedLine,
}

#[derive(Deserialize)]
struct ReturnRow {
    return_id: String,
    reference: String,
    customer: String,
    #[serde(flatten)]
    line: ExpectedReturnLine,
}

#[derive(Deserialize)]
struct PickRow {
    task_id: String,
    order_ref: String,
    staging: String,
    /// When the order must leave (RFC 3339); empty: no deadline.
    #[serde(default)]
    ship_by: Option<String>,
    #[serde(flatten)]
    line: PickLineRequest,
}

/// Groups rows by id, in the order ids first appear.
fn grouped<R, K: PartialEq, T>(
    rows: Vec<R>,
    key: impl Fn(&R) -> K,
    start: impl Fn(&R) -> T,
    mut add: impl FnMut(&mut T, R),
) -> Vec<T> {
    let mut out: Vec<(K, T)> = Vec::new();
    for row in rows {
        let k = key(&row);
        let index = match out.iter().position(|(existing, _)| *existing == k) {
            Some(i) => i,
            None => {
                out.push((k, start(&row)));
                out.len() - 1
            }
        };
        add(&mut out[index].1, row);
    }
    out.into_iter().map(|(_, t)| t).collect()
}

/// Reads a CSV file of `kind` into an import.
pub fn read(path: &Path, kind: &str) -> HubResult<Import> {
    let mut data = Import::default();
    match kind {
        "items" => data.master.items = rows::<Item>(path)?,
        "units" => data.master.units = rows::<UnitConversion>(path)?,
        "barcodes" => data.master.barcodes = rows::<Barcode>(path)?,
        "locations" => data.master.locations = rows::<Location>(path)?,
        "operators" => data.master.operators = rows::<Operator>(path)?,
        "badges" => data.badges = rows::<BadgeAssignment>(path)?,
        "count_tasks" => data.count_tasks = rows::<CountTaskRequest>(path)?,
        "opening_balances" => data.opening_balances = rows::<OpeningBalance>(path)?,
        "expected_receipts" => {
            data.expected_receipts = grouped(
                rows::<ReceiptRow>(path)?,
                |r| r.receipt_id.clone(),
                |r| ExpectedReceipt {
                    receipt_id: r.receipt_id.clone(),
                    reference: r.reference.clone(),
                    supplier: r.supplier.clone(),
                    lines: Vec::new(),
                },
                |receipt, r| receipt.lines.push(r.line),
            );
        }
        "expected_returns" => {
            data.expected_returns = grouped(
                rows::<ReturnRow>(path)?,
                |r| r.return_id.clone(),
                |r| ExpectedReturn {
                    return_id: r.return_id.clone(),
                    reference: r.reference.clone(),
                    customer: r.customer.clone(),
                    lines: Vec::new(),
                },
                |rma, r| rma.lines.push(r.line),
            );
        }
        "pick_tasks" => {
            data.pick_tasks = grouped(
                rows::<PickRow>(path)?,
                |r| r.task_id.clone(),
                |r| PickTaskRequest {
                    task_id: r.task_id.clone(),
                    order_ref: r.order_ref.clone(),
                    staging: r.staging.clone(),
                    ship_by: r.ship_by.clone().filter(|s| !s.trim().is_empty()),
                    lines: Vec::new(),
                },
                |task, r| task.lines.push(r.line),
            );
        }
        other => {
            return Err(HubError::BadRequest(format!(
                "{other:?} is not a kind of CSV import; one of {}",
                KINDS.join(", ")
            )));
        }
    }
    Ok(data)
}
