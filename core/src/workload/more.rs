//! The rest of a handheld's commands for [`Workload::every_kind`]: a pick task created and its
//! first pick confirmed, a shelf counted (as found: the count matches, or is one short and is
//! adjusted within tolerance), a customer return received and inspected, towels moved to another
//! shelf, damaged towels written off by a supervisor, a receipt voided, the picked totes packed
//! into a carton, loaded and shipped (once a hub gave the device SSCC serials).

use uuid::Uuid;

use super::{APPROVER, HANDHELD_OPERATOR, Workload};
use crate::corrections::{self, VoidMovement};
use crate::counting::{
    self, CountTaskRequest, CountTaskStatus, CountedLine, CreateCountTask, StartCount, SubmitCount,
};
use crate::db::Store;
use crate::error::{Error, Result};
use crate::moves::{self, ConfirmMove};
use crate::packing::{self, BuildUnit, PackGoods, UnitKind, UnitStatus};
use crate::picking::{self, ConfirmPick, CreatePickTask, PickLineRequest, PickTaskRequest};
use crate::quality::{self, ReleaseStock};
use crate::returns::{
    self, InspectReturnLine, InspectionOutcome, ReceiveReturn, ReturnLineRequest,
};
use crate::shipping::{self, LoadUnit, ShipOrder};
use crate::stock::{self, StockStatus};
use crate::{ScannedGoods, catalog, outbox, sample, sscc};

type Done = Vec<(&'static str, Uuid)>;

/// The order every pick of the workload is for; its totes are packed, loaded and shipped.
const ORDER: &str = "workload";
/// Where the workload's orders leave.
const DOOR: &str = "SHIP-01";

/// An id no earlier run on this device used (a restarted soak starts counting again).
fn fresh_id(store: &Store, kind: &str) -> String {
    let unique = Uuid::now_v7().simple().to_string();
    format!("{}-{kind}{}", store.device_id(), &unique[20..])
}

impl Workload {
    pub(super) fn step_more(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        match self.next(7) {
            0 => self.pick(store, done),
            1 => self.count(store, done),
            2 => self.customer_return(store, done),
            3 => self.move_towels(store, done),
            4 => self.scrap_damaged(store, done),
            5 => self.ship(store, done),
            _ => self.void_a_receipt(store, done),
        }
    }

    /// Moves some towels from a shelf to another storage shelf or the pick face, scanning both
    /// labels. Towels promised to picks stay: the move takes only what is free.
    fn move_towels(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        let Some((from, quantity)) = Self::towels_on_a_shelf(store)? else {
            return Ok(());
        };
        let places = ["A-01-01", "A-01-02", "A-01-03", "A-01-04", "P-01-01"];
        let to = places[self.next(places.len() as u64) as usize];
        if to == from {
            return Ok(());
        }
        let (from_loc, to_loc) = store.read(|c| {
            Ok((
                catalog::location_by_code(c, &from)?,
                catalog::location_by_code(c, to)?,
            ))
        })?;
        let cmd = ConfirmMove {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            from,
            from_scan: from_loc.location.check_string,
            scan: Some(ScannedGoods::barcode(sample::TOWELS_EA)),
            lpn: None,
            quantity: 1 + self.next(quantity as u64) as i64,
            to: to.into(),
            to_scan: to_loc.location.check_string,
            reason: Some("workload".into()),
            task_id: None,
        };
        match moves::confirm_move(store, &cmd) {
            Ok(_) => done.push(("move", cmd.op_id)),
            // Promised to a pick, or on a pallet there: a person would take other goods.
            Err(Error::InsufficientStock { .. } | Error::OnPallet { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Towels on a storage shelf, available: (location, quantity).
    fn towels_on_a_shelf(store: &Store) -> Result<Option<(String, i64)>> {
        let balances = store.read(stock::all_balances)?;
        Ok(balances
            .into_iter()
            .find(|b| {
                b.sku == sample::TOWELS
                    && b.status == StockStatus::Available
                    && b.quantity > 0
                    && b.location.starts_with("A-")
            })
            .map(|b| (b.location, b.quantity)))
    }

    fn pick(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        if Self::towels_on_a_shelf(store)?.is_none() {
            return Ok(());
        }
        let task_id = fresh_id(store, "P");
        let create = CreatePickTask {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            task: PickTaskRequest {
                task_id: task_id.clone(),
                order_ref: ORDER.into(),
                staging: "STAGE-01".into(),
                ship_by: None,
                lines: vec![PickLineRequest {
                    line_no: 1,
                    sku: sample::TOWELS.into(),
                    quantity: 1,
                    unit: None,
                    lot: None,
                }],
            },
        };
        let task = match picking::create_pick_task(store, &create) {
            Ok(task) => task,
            // Everything on the shelves is promised to other tasks, or frozen by a count.
            Err(Error::AllocationShort { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        done.push(("pick_task", create.op_id));
        let Some(pick) = task.allocations.first() else {
            return Ok(());
        };
        let shelf = store.read(|c| catalog::location_by_code(c, &pick.location))?;
        // One tote per order: a tote holds one order's goods until they are packed.
        let tote = format!("TOTE-{task_id}");
        let confirm = ConfirmPick {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            task_id,
            allocation_id: pick.id,
            location_scan: shelf.location.check_string,
            scan: ScannedGoods::barcode(sample::TOWELS_EA),
            quantity: 1,
            tote: Some(tote),
            short: false,
        };
        match picking::confirm_pick(store, &confirm) {
            Ok(_) => done.push(("pick", confirm.op_id)),
            // The shelf is being counted since the task was made: the picker comes back later.
            Err(Error::LocationBlocked { .. } | Error::WrongState { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Packs the order's totes into a carton at staging (an open one left by an interrupted run,
    /// or a new one), loads the order's open units at the door and ships it. Needs SSCC serials
    /// from a hub; without them the step does nothing.
    fn ship(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        if store.read(sscc::remaining)? == 0 {
            return Ok(());
        }
        let units = store.read(|c| packing::units_of_order(c, ORDER))?;
        let mut totes = Vec::new();
        for unit in units
            .iter()
            .filter(|u| u.kind == UnitKind::Tote && u.status == UnitStatus::Open)
        {
            let held: i64 = store
                .read(|c| packing::contents(c, unit))?
                .iter()
                .map(|b| b.quantity)
                .sum();
            if held > 0 {
                totes.push((unit.lpn.clone(), held));
            }
        }
        let open_carton = units.iter().find(|u| {
            u.kind == UnitKind::Carton && u.status == UnitStatus::Open && u.parent.is_empty()
        });
        let carton = match open_carton {
            Some(u) => u.lpn.clone(),
            None if totes.is_empty() => return Ok(()),
            None => {
                let build = BuildUnit {
                    op_id: Uuid::now_v7(),
                    operator: HANDHELD_OPERATOR.into(),
                    kind: UnitKind::Carton,
                    order_ref: Some(ORDER.into()),
                    location: "STAGE-01".into(),
                };
                let built = packing::build_unit(store, &build)?;
                done.push(("build", build.op_id));
                built.unit.lpn
            }
        };
        for (tote, held) in totes {
            let pack = PackGoods {
                op_id: Uuid::now_v7(),
                operator: HANDHELD_OPERATOR.into(),
                lpn: carton.clone(),
                from_tote: Some(tote),
                scan: ScannedGoods::barcode(sample::TOWELS_EA),
                quantity: held,
            };
            packing::pack_goods(store, &pack)?;
            done.push(("pack", pack.op_id));
        }
        let door_scan = store
            .read(|c| catalog::location_by_code(c, DOOR))?
            .location
            .check_string;
        for unit in store.read(|c| packing::units_of_order(c, ORDER))? {
            if unit.kind == UnitKind::Tote
                || unit.status != UnitStatus::Open
                || !unit.parent.is_empty()
            {
                continue;
            }
            let load = LoadUnit {
                op_id: Uuid::now_v7(),
                operator: HANDHELD_OPERATOR.into(),
                order_ref: ORDER.into(),
                door: DOOR.into(),
                door_scan: door_scan.clone(),
                lpn: unit.lpn,
            };
            match shipping::load_unit(store, &load) {
                Ok(_) => done.push(("load", load.op_id)),
                // A carton built by a run killed before it packed: it waits for the next goods.
                Err(Error::UnitEmpty { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let ship = ShipOrder {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            order_ref: ORDER.into(),
            door: DOOR.into(),
            door_scan,
        };
        match shipping::ship_order(store, &ship) {
            Ok(_) => done.push(("ship", ship.op_id)),
            Err(Error::NothingLoaded { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Counts a towel shelf as found (no variance, so the task is done at once). A task left
    /// open or half counted by an interrupted run is finished first.
    fn count(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        let own = format!("{}-C", store.device_id());
        let unfinished = store
            .read(counting::open_count_tasks)?
            .into_iter()
            .find(|t| t.id.starts_with(&own));
        let (task_id, location, started) = match unfinished {
            Some(task) => match (task.status, task.location) {
                (CountTaskStatus::Open, Some(l)) => (task.id, l, false),
                (CountTaskStatus::Counting, Some(l)) => (task.id, l, true),
                _ => return Ok(()),
            },
            None => {
                let Some((location, _)) = Self::towels_on_a_shelf(store)? else {
                    return Ok(());
                };
                // A shelf with one product: the count covers every bucket there.
                if store
                    .read(|c| stock::balances_at_location(c, &location))?
                    .len()
                    != 1
                {
                    return Ok(());
                }
                let task_id = fresh_id(store, "C");
                let create = CreateCountTask {
                    op_id: Uuid::now_v7(),
                    operator: HANDHELD_OPERATOR.into(),
                    task: CountTaskRequest {
                        task_id: task_id.clone(),
                        location: Some(location.clone()),
                        sku: None,
                        reason: "workload".into(),
                    },
                };
                counting::create_count_task(store, &create)?;
                done.push(("count_task", create.op_id));
                (task_id, location, false)
            }
        };
        if !started {
            let start = StartCount {
                op_id: Uuid::now_v7(),
                operator: HANDHELD_OPERATOR.into(),
                task_id: task_id.clone(),
            };
            counting::start_count(store, &start)?;
            done.push(("count_start", start.op_id));
        }
        let lines = store
            .read(|c| stock::balances_at_location(c, &location))?
            .into_iter()
            .filter(|b| b.sku == sample::TOWELS)
            .map(|b| CountedLine {
                location: Some(location.clone()),
                scan: ScannedGoods::barcode(sample::TOWELS_EA),
                quantity: b.quantity,
                counted_at: None,
            })
            .collect();
        let submit = SubmitCount {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            task_id,
            lines,
        };
        counting::submit_count(store, &submit)?;
        done.push(("count", submit.op_id));
        Ok(())
    }

    fn customer_return(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        let return_id = fresh_id(store, "RMA");
        let receive = ReceiveReturn {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            return_id: return_id.clone(),
            reference: "workload".into(),
            customer: "workload".into(),
            location: "RET-01".into(),
            lines: vec![ReturnLineRequest {
                line_no: 1,
                scan: ScannedGoods::barcode(sample::TOWELS_EA),
                quantity: 1 + self.next(3) as i64,
            }],
        };
        returns::receive_return(store, &receive)?;
        done.push(("return", receive.op_id));
        let outcome = match self.next(3) {
            0 => InspectionOutcome::Restock,
            1 => InspectionOutcome::Damaged,
            _ => InspectionOutcome::Scrap,
        };
        let inspect = InspectReturnLine {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            return_id,
            line_no: 1,
            outcome,
            reason_code: "workload".into(),
            note: None,
        };
        returns::inspect_return_line(store, &inspect)?;
        done.push(("inspect", inspect.op_id));
        Ok(())
    }

    /// A supervisor writes off damaged towels waiting on the returns bench (badge and PIN).
    fn scrap_damaged(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        let Some(damaged) = store
            .read(|c| stock::balances_at_location(c, "RET-01"))?
            .into_iter()
            .find(|b| {
                b.sku == sample::TOWELS && b.status == StockStatus::Damaged && b.quantity > 0
            })
        else {
            return Ok(());
        };
        let bench = store.read(|c| catalog::location_by_code(c, "RET-01"))?;
        let cmd = ReleaseStock {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            location: bench.location.code,
            location_scan: bench.location.check_string,
            scan: ScannedGoods::barcode(sample::TOWELS_EA),
            lpn: None,
            quantity: damaged.quantity,
            outcome: InspectionOutcome::Scrap,
            to: None,
            to_scan: None,
            reason_code: "workload: beyond repair".into(),
            note: None,
            approval: sample::badge_of(APPROVER),
            held: None,
        };
        match quality::release_stock(store, &cmd) {
            Ok(_) => done.push(("release", cmd.op_id)),
            // As for a void: a check cut short by a kill counts, and enough lock the badge.
            Err(Error::BadgeLocked { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn void_a_receipt(&mut self, store: &Store, done: &mut Done) -> Result<()> {
        // The last receipt line this run recorded (its operation's one event).
        let Some(op_id) = self.last_receive else {
            return Ok(());
        };
        let Some(received) = store
            .read(|c| outbox::events_of_operation(c, op_id))?
            .into_iter()
            .next()
        else {
            return Ok(());
        };
        let void = VoidMovement {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            event_id: received.event_id,
            reason: "workload: received in error".into(),
            approval: sample::badge_of(APPROVER),
        };
        match corrections::void_movement(store, &void) {
            Ok(_) => done.push(("void", void.op_id)),
            // Put away or picked since, or voided already: a person would count instead.
            Err(Error::NotVoidable { .. } | Error::InsufficientStock { .. }) => {}
            // A check cut short (the process killed while hashing) counts as an attempt: after
            // enough the badge locks, and the supervisor approves later.
            Err(Error::BadgeLocked { .. }) => {}
            Err(Error::InsufficientAvailable { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }
}
