//! Loading master data and tasks, the same for every backend: each row is compared with what the
//! hub holds (as canonical JSON) and, when new or different, stored and appended to the changes
//! feed. Kinds are written in dependency order (items before their units and barcodes…), so a
//! device replaying the feed in order never meets a barcode of an item it does not know.

use dockhand_core::credentials::{self, Credential};
use dockhand_core::outbox::canonical_json;
use dockhand_core::sync::protocol::{BadgeAssignment, ChangeKind, Import, ImportResult};
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

/// Refuses a badge row a device could not apply (a bad badge or hash, an operator the hub does not
/// know): one such row would stop every device's master-data pull.
fn check_credential_row(
    tx: &mut dyn ImportTx,
    operator_id: &str,
    check: impl FnOnce() -> dockhand_core::Result<()>,
) -> HubResult<()> {
    check().map_err(|e| HubError::BadRequest(format!("badge of operator {operator_id}: {e}")))?;
    if tx
        .current(ChangeKind::Operator.as_str(), operator_id)?
        .is_none()
    {
        return Err(HubError::BadRequest(format!(
            "badge of operator {operator_id}: no such operator; import the operator first"
        )));
    }
    Ok(())
}

/// Badges per import: hashing a PIN takes tens of milliseconds, inside the import's transaction.
const MAX_BADGES: usize = 2_000;

/// Badges with plain PINs: each PIN is hashed here and only the hash is kept. A badge whose PIN
/// and code are unchanged keeps its hash (a fresh salt would make every import a change).
fn badges(
    tx: &mut dyn ImportTx,
    list: &[BadgeAssignment],
    result: &mut ImportResult,
) -> HubResult<()> {
    let kind = ChangeKind::Credential.as_str();
    if list.len() > MAX_BADGES {
        return Err(HubError::BadRequest(format!(
            "{} badges in one import; at most {MAX_BADGES} (each PIN is hashed on purpose slowly)",
            list.len()
        )));
    }
    for b in list {
        check_credential_row(tx, &b.operator_id, || {
            credentials::check_badge(&b.badge)?;
            credentials::check_pin(&b.pin)
        })?;
        let current: Option<Credential> = tx
            .current(kind, &b.operator_id)?
            .and_then(|json| serde_json::from_str(&json).ok());
        if let Some(current) = current
            && current.badge == b.badge
            && credentials::pin_matches(&b.operator_id, &current.pin_hash, &b.pin).unwrap_or(false)
        {
            result.unchanged += 1;
            continue;
        }
        let row = Credential {
            operator_id: b.operator_id.clone(),
            badge: b.badge.clone(),
            pin_hash: credentials::hash_pin(&b.pin)
                .map_err(|e| HubError::BadRequest(format!("operator {}: {e}", b.operator_id)))?,
        };
        let data = canonical_json(&serde_json::to_value(&row)?);
        tx.upsert(kind, &b.operator_id, &data)?;
        result.changed += 1;
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
    for c in &m.credentials {
        check_credential_row(tx, &c.operator_id, || credentials::check_credential(c))?;
    }
    rows(
        tx,
        ChangeKind::Credential,
        &m.credentials,
        |c| c.operator_id.clone(),
        &mut result,
    )?;
    badges(tx, &data.badges, &mut result)?;
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
