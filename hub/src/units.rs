//! Totes, cartons and pallets shared with the site. Each handheld keeps its own units; the hub
//! follows them from the events it accepts (a pick into a tote, a unit built, cartons put onto or
//! taken off a pallet, a load, a shipment) and publishes each as a `handling_unit` change, so a
//! carton is packed on one handheld from a tote another filled and loaded on a third. The events
//! are the handhelds' decisions: the hub only relays them; a plate too long to be a key, or a
//! change to a unit it never saw, changes nothing.

use dockhand_protocol::events::{EventBody, UnitKind, UnpackReason};
use dockhand_protocol::sync::{ChangeKind, Envelope};
use dockhand_protocol::tasks::SharedUnit;

use crate::error::HubResult;
use crate::store::IntakeTx;

/// The longest plate the hub keys a change by (an SSCC is 18 digits; a tote's label is short).
const MAX_LPN: usize = 64;

/// A unit as the hub last published it, if it did.
fn current(tx: &mut dyn IntakeTx, lpn: &str) -> HubResult<Option<SharedUnit>> {
    let kind = ChangeKind::HandlingUnit.as_str();
    match tx.current(kind, lpn)? {
        Some(data) => Ok(serde_json::from_str(&data).ok()),
        None => Ok(None),
    }
}

fn publish(tx: &mut dyn IntakeTx, unit: &SharedUnit) -> HubResult<()> {
    tx.upsert(
        ChangeKind::HandlingUnit.as_str(),
        &unit.lpn,
        &serde_json::to_string(unit)?,
    )
}

/// Changes the units named in `lpns` that the hub knows.
fn change(
    tx: &mut dyn IntakeTx,
    lpns: impl IntoIterator<Item = String>,
    how: impl Fn(&mut SharedUnit),
) -> HubResult<()> {
    for lpn in lpns {
        if lpn.is_empty() || lpn.len() > MAX_LPN {
            continue;
        }
        if let Some(mut unit) = current(tx, &lpn)? {
            how(&mut unit);
            publish(tx, &unit)?;
        }
    }
    Ok(())
}

fn new_unit(lpn: &str, kind: UnitKind, order_ref: &str, location: &str) -> SharedUnit {
    SharedUnit {
        lpn: lpn.into(),
        kind,
        order_ref: order_ref.into(),
        parent: String::new(),
        location: location.into(),
        status: "open".into(),
    }
}

/// Publishes what an accepted event did to the site's units.
pub fn on_accepted(tx: &mut dyn IntakeTx, _event: &Envelope, body: &EventBody) -> HubResult<()> {
    match body {
        EventBody::PickConfirmed(p) if !p.tote.is_empty() && p.tote.len() <= MAX_LPN => {
            tx.lock_site()?;
            // A tote is tied to the order of the pick into it, at its staging place.
            match current(tx, &p.tote)? {
                Some(u) if u.kind != UnitKind::Tote => Ok(()),
                Some(u) if u.order_ref == p.order_ref && u.location == p.to => Ok(()),
                _ => publish(tx, &new_unit(&p.tote, UnitKind::Tote, &p.order_ref, &p.to)),
            }
        }
        EventBody::UnitBuilt(b) if !b.lpn.is_empty() && b.lpn.len() <= MAX_LPN => {
            tx.lock_site()?;
            publish(
                tx,
                &new_unit(&b.lpn, b.unit_kind, &b.order_ref, &b.location),
            )
        }
        EventBody::Packed(p) if !p.children.is_empty() => {
            tx.lock_site()?;
            let parent = p.lpn.clone();
            change(tx, p.children.clone(), |u| u.parent = parent.clone())
        }
        EventBody::Unpacked(u) => {
            tx.lock_site()?;
            let to = match u.reason {
                UnpackReason::Removed => return Ok(()),
                UnpackReason::Broken => String::new(),
                UnpackReason::Consolidated => u.to_lpn.clone(),
            };
            change(tx, u.children.clone(), |c| c.parent = to.clone())?;
            if u.reason == UnpackReason::Consolidated {
                change(tx, [u.lpn.clone()], |c| c.parent.clear())?;
            }
            Ok(())
        }
        EventBody::Loaded(l) => {
            tx.lock_site()?;
            let door = l.door.clone();
            let units = std::iter::once(l.lpn.clone()).chain(l.children.iter().cloned());
            change(tx, units, |u| {
                u.location = door.clone();
                u.status = "loaded".into();
            })
        }
        EventBody::Shipped(s) => {
            tx.lock_site()?;
            let door = s.door.clone();
            change(tx, s.units.clone(), |u| {
                u.location = door.clone();
                u.status = "shipped".into();
            })
        }
        _ => Ok(()),
    }
}
