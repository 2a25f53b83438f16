//! Loading master data and tasks, the same for every backend: each row is compared with what the
//! hub holds (as canonical JSON) and, when new or different, stored and appended to the changes
//! feed. Kinds are written in dependency order (items before their units and barcodes…), so a
//! device replaying the feed in order never meets a barcode of an item it does not know.

use dockhand_core::outbox::canonical_json;
use dockhand_core::sync::protocol::{ChangeKind, Import, ImportResult};
use serde::Serialize;

use crate::error::{HubError, HubResult};
use crate::store::ImportTx;

fn rows<T: Serialize>(
    tx: &mut dyn ImportTx,
    kind: ChangeKind,
    list: &[T],
    key: impl Fn(&T) -> String,
    result: &mut ImportResult,
) -> HubResult<()> {
    for row in list {
        let key = key(row);
        if key.trim().is_empty() {
            return Err(HubError::BadRequest(format!(
                "a {} in the import has an empty key",
                kind.as_str()
            )));
        }
        let data = canonical_json(&serde_json::to_value(row)?);
        if tx.current(kind.as_str(), &key)?.as_deref() == Some(data.as_str()) {
            result.unchanged += 1;
        } else {
            tx.upsert(kind.as_str(), &key, &data)?;
            result.changed += 1;
        }
    }
    Ok(())
}

/// Writes an import inside the backend's transaction.
pub fn run(tx: &mut dyn ImportTx, data: &Import) -> HubResult<ImportResult> {
    let mut result = ImportResult::default();
    let m = &data.master;
    rows(
        tx,
        ChangeKind::Item,
        &m.items,
        |i| i.sku.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::Unit,
        &m.units,
        |u| format!("{}/{}", u.sku, u.unit),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::Barcode,
        &m.barcodes,
        |b| b.code.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::Location,
        &m.locations,
        |l| l.code.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::Operator,
        &m.operators,
        |o| o.id.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::ExpectedReceipt,
        &data.expected_receipts,
        |r| r.receipt_id.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::PickTask,
        &data.pick_tasks,
        |t| t.task_id.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::CountTask,
        &data.count_tasks,
        |t| t.task_id.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::ExpectedReturn,
        &data.expected_returns,
        |r| r.return_id.clone(),
        &mut result,
    )?;
    rows(
        tx,
        ChangeKind::EventRejection,
        &data.event_rejections,
        |r| r.event_id.to_string(),
        &mut result,
    )?;
    Ok(result)
}
