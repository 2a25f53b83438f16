//! Replenishment of pick faces: the tasks a pick below a face's minimum raised, and what to bring
//! next. A task is worked with `confirm_move` and the task's id in `MoveRequest.task_id`.
//! Conversion only; the rules are the core's (`dockhand_core::replenishment`).

use chrono::NaiveDate;
use dockhand_core::replenishment::{self, ReplenishInstruction, ReplenishmentTask};

use crate::Device;
use crate::error::DockhandError;

/// A task to bring a pick face back up to its maximum.
#[uniffi::remote(Record)]
pub struct ReplenishmentTask {
    /// Task id.
    pub id: String,
    /// The pick face.
    pub location: String,
    /// The item.
    pub sku: String,
    /// Base units asked for.
    pub quantity: i64,
    /// Base units moves brought so far.
    pub moved: i64,
    /// `open` or `done`.
    pub status: String,
    /// `local` (raised on this handheld) or `hub` (raised on another).
    pub source: String,
    /// When it was raised (UTC, RFC 3339).
    pub created_at: String,
}

/// What to bring next for a task.
#[uniffi::remote(Record)]
pub struct ReplenishInstruction {
    /// The task.
    pub task_id: String,
    /// The pick face to bring the goods to.
    pub face: String,
    /// The item.
    pub sku: String,
    /// Reserve location to take from.
    pub from: String,
    /// Lot to take ("" when untracked).
    pub lot: String,
    /// Its expiry.
    pub expiry: Option<NaiveDate>,
    /// Plate the goods are on there ("" for loose goods).
    pub lpn: String,
    /// Base units to take there.
    pub quantity: i64,
}

type Result<T> = std::result::Result<T, DockhandError>;

#[uniffi::export]
impl Device {
    /// Open replenishment tasks, oldest first.
    pub fn open_replenishments(&self) -> Result<Vec<ReplenishmentTask>> {
        Ok(self.store.read(replenishment::open_replenishments)?)
    }

    /// One replenishment task (`unknown_replenishment` when not on this handheld).
    pub fn replenishment_task(&self, task_id: String) -> Result<ReplenishmentTask> {
        Ok(self
            .store
            .read(|c| replenishment::replenishment_task(c, &task_id))?)
    }

    /// Where to take the goods for a task from, first expiring lot first (`reserve_empty` when
    /// reserve storage holds none).
    pub fn next_replenishment(&self, task_id: String) -> Result<ReplenishInstruction> {
        Ok(self
            .store
            .read(|c| replenishment::next_replenishment(c, &task_id))?)
    }
}
