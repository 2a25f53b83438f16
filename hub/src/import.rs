//! Loading master data and tasks, the same for every backend: each row is compared with what the
//! hub holds (as canonical JSON) and, when new or different, stored and appended to the changes
//! feed. Kinds are written in dependency order (items before their units and barcodes…), so a
//! device replaying the feed in order never meets a barcode of an item it does not know.

use std::borrow::Cow;
use std::collections::HashMap;

use dockhand_protocol::credential::{self as credentials, Credential};
use dockhand_protocol::envelope::canonical_json;
use dockhand_protocol::sync::{ChangeKind, Import, ImportResult};
use serde::Serialize;

use crate::error::{HubError, HubResult};
use dockhand_protocol::exceptions::ERP_REFUSED;

use crate::store::NewException;
use crate::store::{ImportSource, ImportTx};

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
fn check_credential_row(tx: &mut dyn ImportTx, c: &Credential) -> HubResult<()> {
    let bad = |e: dockhand_protocol::ProtocolError| {
        HubError::BadRequest(format!("badge of operator {}: {e}", c.operator_id))
    };
    credentials::check_credential(c).map_err(bad)?;
    credentials::check_hub_cost(c).map_err(bad)?;
    if tx
        .current(ChangeKind::Operator.as_str(), &c.operator_id)?
        .is_none()
    {
        return Err(HubError::BadRequest(format!(
            "badge of operator {}: no such operator; import the operator first",
            c.operator_id
        )));
    }
    Ok(())
}

/// Badges per import: hashing a PIN takes tens of milliseconds.
const MAX_BADGES: usize = 2_000;

/// Turns badges with plain PINs into credentials, outside any transaction (hashing is slow on
/// purpose). The same PIN on the same badge hashes to the same text, so an unchanged badge stays
/// no change for devices. A badge given to two operators in one import is refused.
pub fn prepare(data: &Import) -> HubResult<Cow<'_, Import>> {
    if data.badges.is_empty() {
        return Ok(Cow::Borrowed(data));
    }
    if data.badges.len() > MAX_BADGES {
        return Err(HubError::BadRequest(format!(
            "{} badges in one import; at most {MAX_BADGES} (each PIN is hashed, slowly on purpose)",
            data.badges.len()
        )));
    }
    let mut prepared = data.clone();
    for b in std::mem::take(&mut prepared.badges) {
        let bad = |e: dockhand_protocol::ProtocolError| {
            HubError::BadRequest(format!("badge of operator {}: {e}", b.operator_id))
        };
        credentials::check_badge(&b.badge).map_err(bad)?;
        credentials::check_pin(&b.pin).map_err(bad)?;
        let pin_hash = credentials::hash_pin(&b.operator_id, &b.badge, &b.pin).map_err(bad)?;
        prepared.master.credentials.push(Credential {
            operator_id: b.operator_id,
            badge: b.badge,
            pin_hash,
        });
    }
    Ok(Cow::Owned(prepared))
}

/// Credentials, checked one by one and together: a badge belongs to one operator. Taking a badge
/// from its holder means giving the holder another badge in the same import.
fn credentials(
    tx: &mut dyn ImportTx,
    list: &[Credential],
    result: &mut ImportResult,
) -> HubResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let kind = ChangeKind::Credential.as_str();
    let mut holder: HashMap<String, String> = HashMap::new();
    for (operator, json) in tx.all(kind)? {
        if let Ok(c) = serde_json::from_str::<Credential>(&json) {
            holder.insert(c.badge, operator);
        }
    }
    // This import's badges replace those operators' old ones.
    holder.retain(|_, operator| !list.iter().any(|c| &c.operator_id == operator));
    for c in list {
        check_credential_row(tx, c)?;
        if let Some(other) = holder.get(&c.badge)
            && other != &c.operator_id
        {
            return Err(HubError::BadRequest(format!(
                "badge {} is operator {other}'s; give {other} another badge in the same import before giving it to {}",
                c.badge, c.operator_id
            )));
        }
        holder.insert(c.badge.clone(), c.operator_id.clone());
    }
    rows(
        tx,
        ChangeKind::Credential,
        list,
        |c| c.operator_id.clone(),
        result,
    )
}

/// Whether an import holds rows that belong to one site.
fn has_site_rows(data: &Import) -> bool {
    !(data.master.locations.is_empty()
        && data.expected_receipts.is_empty()
        && data.pick_tasks.is_empty()
        && data.count_tasks.is_empty()
        && data.expected_returns.is_empty()
        && data.event_rejections.is_empty()
        && data.opening_balances.is_empty())
}

/// Scopes the transaction to the site the import names, or to the hub's only site. A hub of
/// several sites refuses rows of one site from an import that names none.
fn scope(tx: &mut dyn ImportTx, data: &Import) -> HubResult<()> {
    let sites = tx.sites()?;
    let site = if data.site.is_none() && sites.len() > 1 && !has_site_rows(data) {
        // Only rows every site shares: no site is touched.
        String::new()
    } else {
        crate::store::site_named(
            data.site.as_deref(),
            &sites,
            "this import's locations, documents, tasks and opening balances are for (\"site\" in \
             the import, --site on the command line)",
        )?
    };
    tx.scope_to(&site);
    Ok(())
}

/// Writes an import inside the backend's transaction: master data and tasks first, so that
/// opening balances may name items and locations of the same import.
pub fn run(
    tx: &mut dyn ImportTx,
    data: &Import,
    from: &ImportSource<'_>,
) -> HubResult<ImportResult> {
    scope(tx, data)?;
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
    for location in &m.locations {
        // A device refuses a page holding such a row: one would stop every device's pull.
        location
            .check_limits()
            .map_err(|e| HubError::BadRequest(e.to_string()))?;
    }
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
    credentials(tx, &m.credentials, &mut result)?;
    rows(
        tx,
        ChangeKind::ExpectedReceipt,
        &data.expected_receipts,
        |r| r.receipt_id.clone(),
        &mut result,
    )?;
    for task in &data.pick_tasks {
        // A device refuses a task whose deadline is no time: the import refuses it first.
        task.ship_by_time()
            .map_err(|e| HubError::BadRequest(e.to_string()))?;
    }
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
    for r in &data.event_rejections {
        if r.settled.is_some() || r.note.is_some() || r.settled_by.is_some() {
            return Err(HubError::BadRequest(format!(
                "the event_rejection of event {} is marked settled: an import reports a refusal; \
                 a supervisor settles it with /v1/admin/exceptions/raised/{{id}}/resolve",
                r.event_id
            )));
        }
        tx.raise_exception(&NewException {
            kind: ERP_REFUSED,
            code: r.code.clone(),
            subject: r.event_id.to_string(),
            device_id: r.device_id.clone(),
            event_ids: vec![r.event_id.to_string()],
            reason: r.reason.clone(),
            raised_at: crate::now_text(),
        })?;
    }
    crate::opening::run(tx, &data.opening_balances, from, &mut result)?;
    Ok(result)
}
