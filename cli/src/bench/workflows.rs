//! Pick confirm and count submit on the benchmark device: the task each needs is created outside
//! the timed part, so the figure is the one command an operator waits for.

use std::time::{Duration, Instant};

use dockhand_core::counting::{
    self, CountTaskRequest, CountedLine, CreateCountTask, StartCount, SubmitCount,
};
use dockhand_core::picking::{self, ConfirmPick, CreatePickTask, PickLineRequest, PickTaskRequest};
use dockhand_core::{Error, ScannedGoods, sample, stock};
use uuid::Uuid;

use super::Device;

impl Device {
    fn next_task(&self, prefix: &str) -> String {
        self.tasks.set(self.tasks.get() + 1);
        format!("{prefix}-{}", self.tasks.get())
    }

    /// One pick of one towel from the shelf to staging.
    pub(super) fn pick(&self) -> Result<Duration, Error> {
        let cmd = self.pick_task()?;
        self.confirm(&cmd)
    }

    /// A pick task of one towel, started: the confirmation the picker's scans make of it.
    pub(super) fn pick_task(&self) -> Result<ConfirmPick, Error> {
        let task_id = self.next_task("T");
        let task = picking::create_pick_task(
            &self.store,
            &CreatePickTask {
                op_id: Uuid::now_v7(),
                operator: "bob".into(),
                task: PickTaskRequest {
                    task_id: task_id.clone(),
                    order_ref: super::outbound::ORDER.into(),
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
            },
        )?;
        let pick = task
            .allocations
            .first()
            .ok_or_else(|| Error::invalid("bench", "nothing allocated"))?;
        // One tote per order, as on the floor (a tote holds one order's goods until packed).
        let tote = format!("TOTE-{task_id}");
        Ok(ConfirmPick {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task_id,
            allocation_id: pick.id,
            location_scan: self.check.clone(),
            scan: ScannedGoods::barcode(sample::TOWELS_EA),
            quantity: 1,
            tote: Some(tote),
            short: false,
        })
    }

    /// Confirms a pick of [`Self::pick_task`]: the time the picker waits.
    pub(super) fn confirm(&self, cmd: &ConfirmPick) -> Result<Duration, Error> {
        let start = Instant::now();
        picking::confirm_pick(&self.store, cmd)?;
        let took = start.elapsed();
        self.totes.borrow_mut().extend(cmd.tote.iter().cloned());
        Ok(took)
    }

    /// A blind count of the towels' shelf that matches the system (no adjustment).
    pub(super) fn count(&self) -> Result<Duration, Error> {
        let task_id = self.next_task("CC");
        counting::create_count_task(
            &self.store,
            &CreateCountTask {
                op_id: Uuid::now_v7(),
                operator: "sam".into(),
                task: CountTaskRequest {
                    task_id: task_id.clone(),
                    location: Some(self.to.clone()),
                    sku: None,
                    reason: "bench".into(),
                },
            },
        )?;
        counting::start_count(
            &self.store,
            &StartCount {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                task_id: task_id.clone(),
            },
        )?;
        let on_shelf: i64 = self
            .store
            .read(|c| stock::balances_at_location(c, &self.to))?
            .iter()
            .map(|b| b.quantity)
            .sum();
        let cmd = SubmitCount {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            task_id,
            lines: vec![CountedLine {
                location: Some(self.to.clone()),
                scan: ScannedGoods::barcode(sample::TOWELS_EA),
                quantity: on_shelf,
                counted_at: None,
            }],
        };
        let start = Instant::now();
        counting::submit_count(&self.store, &cmd)?;
        Ok(start.elapsed())
    }
}
