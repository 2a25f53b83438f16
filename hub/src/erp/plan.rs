//! What an accepted event means for an ERP, before any ERP is called: its stock changes netted
//! per location, item and lot (a status change in place moves nothing an ERP counts), then paired
//! into transfers from where stock left to where it arrived. What arrives from outside the
//! warehouse comes from the supplier (receipts), the customer (returns) or inventory differences
//! (counts, corrections); what leaves goes to the customer, back to the supplier, or to scrap.
//! One planned document per transfer kind and pair of places; each carries the event id so the
//! connector can find it again and never post it twice.

use std::collections::BTreeMap;

use dockhand_protocol::events::{EventKind, EventMovement, InspectionOutcome};

/// A place outside the warehouse's own locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outside {
    /// Goods come from (or go back to) a supplier.
    Supplier,
    /// Goods go to (or come back from) a customer.
    Customer,
    /// Inventory differences: found or lost on a count, scrapped, corrected.
    Inventory,
}

/// One end of a transfer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// A warehouse location, by its dockhand code.
    Location(String),
    /// Outside the warehouse.
    Outside(Outside),
}

/// Items moved by one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Item.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Base units (always positive).
    pub quantity: i64,
}

/// One ERP document for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Unique per event: `dockhand:<event id>` and, after the first, `:2`, `:3`…
    pub reference: String,
    /// Where the goods leave.
    pub from: Place,
    /// Where they arrive.
    pub to: Place,
    /// What moves.
    pub lines: Vec<Line>,
    /// Expiry of the lots received (`YYYY-MM-DD`), when the event gives one.
    pub expiry: Option<String>,
}

/// Where stock that appears from nowhere in an event of `kind` comes from, and where stock that
/// disappears goes (`outcome`: a return inspection's). Every event kind is named: a new one does
/// not compile until it is decided here.
fn outside_for(kind: EventKind, arriving: bool, outcome: Option<InspectionOutcome>) -> Outside {
    match kind {
        EventKind::LineReceived if arriving => Outside::Supplier,
        EventKind::ReturnReceived if arriving => Outside::Customer,
        EventKind::ReturnInspected | EventKind::StockReleased
            if !arriving && outcome == Some(InspectionOutcome::ReturnToVendor) =>
        {
            Outside::Supplier
        }
        // Picked goods leave the warehouse when the order ships; a pick that leaves stock is a
        // shipment.
        EventKind::PickConfirmed | EventKind::Shipped if !arriving => Outside::Customer,
        // Found or lost: counts, corrections, scrap, anything else that appears or disappears.
        EventKind::LineReceived
        | EventKind::ReturnReceived
        | EventKind::ReturnInspected
        | EventKind::PickConfirmed
        | EventKind::PutawayConfirmed
        | EventKind::MoveConfirmed
        | EventKind::StockReleased
        // Packing changes licence plates at one location: it nets to nothing.
        | EventKind::UnitBuilt
        | EventKind::Packed
        | EventKind::Unpacked
        | EventKind::Loaded
        | EventKind::Shipped
        | EventKind::PickShort
        | EventKind::CountAdjusted
        | EventKind::Voided
        | EventKind::BlindOpened
        | EventKind::ReceiptDiscrepancy
        | EventKind::ReceiptClosed
        | EventKind::PickTaskStarted
        | EventKind::PickTaskCancelled
        | EventKind::CountTaskCreated
        | EventKind::ReplenishmentRaised
        | EventKind::CountStarted
        | EventKind::Counted => Outside::Inventory,
    }
}

/// The transfers `movements` of an event make, in a stable order (by item, lot, then places).
pub fn plan(
    event_id: &uuid::Uuid,
    kind: EventKind,
    outcome: Option<InspectionOutcome>,
    movements: &[EventMovement],
) -> Vec<Transfer> {
    // Net per item and lot, then per location.
    let mut nets: BTreeMap<(String, String), BTreeMap<String, i64>> = BTreeMap::new();
    for m in movements {
        *nets
            .entry((m.sku.clone(), m.lot.clone()))
            .or_default()
            .entry(m.location.clone())
            .or_default() += m.delta;
    }
    // Pairs of places with what moves between them.
    let mut pairs: BTreeMap<(Place, Place), Vec<Line>> = BTreeMap::new();
    for ((sku, lot), by_location) in nets {
        let mut sources: Vec<(Place, i64)> = Vec::new();
        let mut targets: Vec<(Place, i64)> = Vec::new();
        for (location, net) in by_location {
            if net < 0 {
                sources.push((Place::Location(location), -net));
            } else if net > 0 {
                targets.push((Place::Location(location), net));
            }
        }
        let out: i64 = sources.iter().map(|s| s.1).sum();
        let inn: i64 = targets.iter().map(|t| t.1).sum();
        if inn > out {
            sources.push((Place::Outside(outside_for(kind, true, outcome)), inn - out));
        } else if out > inn {
            targets.push((Place::Outside(outside_for(kind, false, outcome)), out - inn));
        }
        // Greedy pairing in order: every unit that leaves a source arrives at a target.
        let (mut s, mut t) = (0, 0);
        while s < sources.len() && t < targets.len() {
            let quantity = sources[s].1.min(targets[t].1);
            pairs
                .entry((sources[s].0.clone(), targets[t].0.clone()))
                .or_default()
                .push(Line {
                    sku: sku.clone(),
                    lot: lot.clone(),
                    quantity,
                });
            sources[s].1 -= quantity;
            targets[t].1 -= quantity;
            if sources[s].1 == 0 {
                s += 1;
            }
            if targets[t].1 == 0 {
                t += 1;
            }
        }
    }
    pairs
        .into_iter()
        .enumerate()
        .map(|(i, ((from, to), lines))| Transfer {
            reference: if i == 0 {
                format!("dockhand:{event_id}")
            } else {
                format!("dockhand:{event_id}:{}", i + 1)
            },
            from,
            to,
            lines,
            expiry: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(location: &str, sku: &str, lot: &str, status: &str, delta: i64) -> EventMovement {
        EventMovement {
            location: location.into(),
            sku: sku.into(),
            lot: lot.into(),
            serial: String::new(),
            lpn: String::new(),
            status: dockhand_protocol::events::StockStatus::parse(status).expect("a stock status"),
            delta,
        }
    }

    fn loc(code: &str) -> Place {
        Place::Location(code.into())
    }

    #[test]
    fn a_receipt_comes_from_the_supplier_and_a_putaway_moves_between_locations() {
        let id = uuid::Uuid::nil();
        let receipt = plan(
            &id,
            EventKind::LineReceived,
            None,
            &[m("DOCK-01", "TOWEL-2P", "", "received", 96)],
        );
        assert_eq!(receipt.len(), 1);
        assert_eq!(
            (&receipt[0].from, &receipt[0].to),
            (&Place::Outside(Outside::Supplier), &loc("DOCK-01"))
        );
        assert_eq!(
            receipt[0].lines,
            vec![Line {
                sku: "TOWEL-2P".into(),
                lot: String::new(),
                quantity: 96
            }]
        );
        assert_eq!(receipt[0].reference, format!("dockhand:{id}"));

        // Received on the dock, available in the bin: the status change is the ERP's business
        // only as a move between locations.
        let putaway = plan(
            &id,
            EventKind::PutawayConfirmed,
            None,
            &[
                m("DOCK-01", "TOWEL-2P", "", "received", -96),
                m("A-01-01", "TOWEL-2P", "", "available", 96),
            ],
        );
        assert_eq!(putaway.len(), 1);
        assert_eq!(
            (&putaway[0].from, &putaway[0].to),
            (&loc("DOCK-01"), &loc("A-01-01"))
        );
    }

    #[test]
    fn a_whole_plate_move_is_one_transfer_per_pair_of_bins_with_every_lot() {
        let id = uuid::Uuid::nil();
        let mut out = m("C-01-01", "MILK-1L", "L1", "available", -36);
        out.lpn = "376123450000000016".into();
        let mut into = m("C-01-02", "MILK-1L", "L1", "available", 36);
        into.lpn = out.lpn.clone();
        let moved = plan(
            &id,
            EventKind::MoveConfirmed,
            None,
            &[
                out,
                into,
                m("C-01-01", "MILK-1L", "L2", "available", -12),
                m("C-01-02", "MILK-1L", "L2", "available", 12),
            ],
        );
        assert_eq!(moved.len(), 1);
        assert_eq!(
            (&moved[0].from, &moved[0].to),
            (&loc("C-01-01"), &loc("C-01-02"))
        );
        let quantities: Vec<(&str, i64)> = moved[0]
            .lines
            .iter()
            .map(|l| (l.lot.as_str(), l.quantity))
            .collect();
        assert_eq!(quantities, [("L1", 36), ("L2", 12)]);
    }

    #[test]
    fn a_release_to_the_vendor_is_a_return_to_the_supplier_and_a_restock_a_move() {
        let id = uuid::Uuid::nil();
        let returned = plan(
            &id,
            EventKind::StockReleased,
            Some(InspectionOutcome::ReturnToVendor),
            &[m("QA-01", "VITC-60", "V-9", "quarantined", -3)],
        );
        assert_eq!(
            (&returned[0].from, &returned[0].to),
            (&loc("QA-01"), &Place::Outside(Outside::Supplier))
        );
        let scrapped = plan(
            &id,
            EventKind::StockReleased,
            Some(InspectionOutcome::Scrap),
            &[m("QA-01", "VITC-60", "V-9", "quarantined", -2)],
        );
        assert_eq!(scrapped[0].to, Place::Outside(Outside::Inventory));
        let restocked = plan(
            &id,
            EventKind::StockReleased,
            Some(InspectionOutcome::Restock),
            &[
                m("QA-01", "VITC-60", "V-9", "quarantined", -5),
                m("A-01-03", "VITC-60", "V-9", "available", 5),
            ],
        );
        assert_eq!(
            (&restocked[0].from, &restocked[0].to),
            (&loc("QA-01"), &loc("A-01-03"))
        );
    }

    #[test]
    fn a_status_change_in_place_moves_nothing_and_differences_go_to_inventory() {
        let id = uuid::Uuid::nil();
        let restock = plan(
            &id,
            EventKind::ReturnInspected,
            Some(InspectionOutcome::Restock),
            &[
                m("RET-01", "TOWEL-2P", "", "return_pending", -2),
                m("RET-01", "TOWEL-2P", "", "available", 2),
            ],
        );
        assert!(restock.is_empty(), "{restock:?}");
        let count = plan(
            &id,
            EventKind::CountAdjusted,
            None,
            &[
                m("A-01-01", "TOWEL-2P", "", "available", -30),
                m("A-01-02", "COFFEE-500", "L7", "available", 4),
            ],
        );
        assert_eq!(count.len(), 2);
        assert_eq!(
            (&count[0].from, &count[0].to),
            (&loc("A-01-01"), &Place::Outside(Outside::Inventory))
        );
        assert_eq!(
            (&count[1].from, &count[1].to),
            (&Place::Outside(Outside::Inventory), &loc("A-01-02"))
        );
        assert_eq!(count[1].reference, format!("dockhand:{id}:2"));
        let to_vendor = plan(
            &id,
            EventKind::ReturnInspected,
            Some(InspectionOutcome::ReturnToVendor),
            &[m("RET-01", "DRILL-X1", "", "return_pending", -1)],
        );
        assert_eq!(to_vendor[0].to, Place::Outside(Outside::Supplier));
    }

    #[test]
    fn lots_stay_apart_and_split_sources_pair_with_split_targets() {
        let id = uuid::Uuid::nil();
        let t = plan(
            &id,
            EventKind::PutawayConfirmed,
            None,
            &[
                m("DOCK-01", "MILK-1L", "L1", "received", -10),
                m("DOCK-02", "MILK-1L", "L1", "received", -5),
                m("C-01-01", "MILK-1L", "L1", "available", 12),
                m("C-01-02", "MILK-1L", "L1", "available", 3),
                m("DOCK-01", "MILK-1L", "L2", "received", -1),
                m("C-01-01", "MILK-1L", "L2", "available", 1),
            ],
        );
        let moved: Vec<(Place, Place, String, i64)> = t
            .iter()
            .flat_map(|d| {
                d.lines
                    .iter()
                    .map(|l| (d.from.clone(), d.to.clone(), l.lot.clone(), l.quantity))
            })
            .collect();
        assert_eq!(
            moved,
            vec![
                (loc("DOCK-01"), loc("C-01-01"), "L1".into(), 10),
                (loc("DOCK-01"), loc("C-01-01"), "L2".into(), 1),
                (loc("DOCK-02"), loc("C-01-01"), "L1".into(), 2),
                (loc("DOCK-02"), loc("C-01-02"), "L1".into(), 3),
            ]
        );
    }
}
