//! Who works which task: claims and assignments of pick and count tasks, as the hub decides them
//! and as every device of the site pulls them (change kind `task_claim`, keyed `pick/T1`).
//!
//! A device claims a task before working it (first claim wins); a supervisor assigns or reassigns
//! one; a device that starts an unclaimed task offline holds it from its first event the hub
//! accepts. Two devices that both worked one task keep their work (physical facts stand) and the
//! hub raises an exception naming both.

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// The kinds of task a device can claim.
    pub enum TaskKind {
        /// A pick task (an order to pick).
        Pick => "pick",
        /// A count task (a location or an item to count).
        Count => "count",
    }
}

crate::text_enum! {
    /// How a task came to its holder (or lost it).
    pub enum ClaimHow {
        /// The device claimed it.
        Claimed => "claimed",
        /// A supervisor assigned it.
        Assigned => "assigned",
        /// The device started it without a claim (offline); the hub gave it the task with its
        /// first event.
        Started => "started",
        /// Its holder gave it back or a supervisor took it away: anyone may claim it.
        Released => "released",
    }
}

crate::text_enum! {
    /// How far a task is, as the hub knows from the events it accepted.
    pub enum TaskProgress {
        /// Nobody has recorded work on it.
        Open => "open",
        /// Work has been recorded on it.
        InProgress => "in_progress",
        /// Every line is picked or short, or the count is settled.
        Done => "done",
        /// Cancelled on a handheld.
        Cancelled => "cancelled",
    }
}

impl ClaimHow {
    /// The words before a holder's name: "claimed by", "assigned to", "being worked by".
    pub fn held_words(self) -> &'static str {
        match self {
            ClaimHow::Assigned => "assigned to",
            ClaimHow::Started => "being worked by",
            ClaimHow::Claimed | ClaimHow::Released => "claimed by",
        }
    }
}

impl TaskKind {
    /// The change kind its tasks travel as.
    pub fn change_kind(self) -> crate::sync::ChangeKind {
        match self {
            TaskKind::Pick => crate::sync::ChangeKind::PickTask,
            TaskKind::Count => crate::sync::ChangeKind::CountTask,
        }
    }
}

impl TaskProgress {
    /// Whether the task takes no more work (and no claim).
    pub fn is_closed(self) -> bool {
        matches!(self, TaskProgress::Done | TaskProgress::Cancelled)
    }
}

/// A replenishment task as the hub shares it with every handheld of the site (change kind
/// `replenishment_task`, keyed by the task id): raised by one handheld's pick, worked by moves on
/// any, with what the moves the hub accepted brought so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedReplenishment {
    /// Task id (`R-` and a UUID).
    pub task_id: String,
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
    /// The handheld whose pick raised it.
    pub raised_on: String,
}

/// A tote, carton or pallet as the hub shares it with every handheld of the site (change kind
/// `handling_unit`, keyed by the licence plate), from the picks, packing, loading and shipping it
/// accepted: so a carton is packed on one handheld from a tote another filled, and loaded on a
/// third. What it holds is stock under its plate, shared like all stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedUnit {
    /// Licence plate: the SSCC of a carton or pallet, a tote's own label.
    pub lpn: String,
    /// Tote, carton or pallet.
    pub kind: crate::events::UnitKind,
    /// The order it is for ("" for a pallet of several orders).
    pub order_ref: String,
    /// The pallet a carton is on ("" for none).
    pub parent: String,
    /// Location code where it is.
    pub location: String,
    /// `open` (at staging), `loaded` (at a door) or `shipped`.
    pub status: String,
}

/// The key of a task's claim row: `pick/T1`.
pub fn claim_key(kind: TaskKind, task_id: &str) -> String {
    format!("{kind}/{task_id}")
}

/// A task's holder as the hub decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskClaim {
    /// Pick or count.
    pub task_kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// The device that holds it (`None`: nobody; anyone may claim it).
    #[serde(default)]
    pub device_id: Option<String>,
    /// The operator it is for, when one was named.
    #[serde(default)]
    pub operator_id: Option<String>,
    /// That operator's name.
    #[serde(default)]
    pub operator_name: Option<String>,
    /// How it came to its holder.
    pub how: ClaimHow,
    /// Who decided: the device, or the supervisor's name.
    pub by: String,
    /// When (hub's clock, RFC 3339 UTC).
    pub at: String,
    /// How far the task is.
    pub progress: TaskProgress,
    /// Devices that recorded work on it, in the order the hub saw them (two or more: the task was
    /// worked twice, and an exception says so).
    #[serde(default)]
    pub worked_by: Vec<String>,
}

impl TaskClaim {
    /// Its key in the changes feed.
    pub fn key(&self) -> String {
        claim_key(self.task_kind, &self.task_id)
    }

    /// The holder in words: `handheld-09 (bob)`, or `handheld-09` when no operator was named.
    pub fn holder(&self) -> Option<String> {
        let device = self.device_id.as_deref()?;
        let who = self
            .operator_name
            .as_deref()
            .or(self.operator_id.as_deref());
        Some(match who {
            Some(who) => format!("{device} ({who})"),
            None => device.to_string(),
        })
    }
}

/// `POST /v1/tasks/claim` and `POST /v1/tasks/release`: the asking device takes a task, or gives
/// back one it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// Pick or count.
    pub task_kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// The operator signed in on the device (shown to the others).
    #[serde(default)]
    pub operator_id: Option<String>,
}

/// `POST /v1/admin/tasks/assign`: a supervisor gives a task to a device (and operator), takes it
/// from whoever held it, or (no device) makes it free for anyone to claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignRequest {
    /// The task's site (none: the hub's only site).
    #[serde(default)]
    pub site: Option<String>,
    /// Pick or count.
    pub task_kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// The device to work it (none: nobody; anyone may claim it).
    #[serde(default)]
    pub device_id: Option<String>,
    /// The operator to work it.
    #[serde(default)]
    pub operator_id: Option<String>,
    /// Who assigns (recorded with the assignment).
    pub assigned_by: String,
}

/// A task of a site as the supervisor lists it (`GET /v1/admin/tasks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskListing {
    /// Pick or count.
    pub task_kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// What it is: the order reference, or what is counted.
    pub summary: String,
    /// How far it is.
    pub progress: TaskProgress,
    /// Who holds it, if anyone.
    #[serde(default)]
    pub claim: Option<TaskClaim>,
    /// Base units ordered and settled (picked or short) for a pick task once started.
    #[serde(default)]
    pub ordered: i64,
    /// See `ordered`.
    #[serde(default)]
    pub settled: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_reads_as_device_and_operator() {
        let mut claim = TaskClaim {
            task_kind: TaskKind::Pick,
            task_id: "T1".into(),
            device_id: Some("handheld-09".into()),
            operator_id: Some("op-2".into()),
            operator_name: Some("bob".into()),
            how: ClaimHow::Claimed,
            by: "handheld-09".into(),
            at: "2026-12-04T09:00:00Z".into(),
            progress: TaskProgress::Open,
            worked_by: vec![],
        };
        assert_eq!(claim.holder().as_deref(), Some("handheld-09 (bob)"));
        assert_eq!(claim.key(), "pick/T1");
        claim.operator_name = None;
        assert_eq!(claim.holder().as_deref(), Some("handheld-09 (op-2)"));
        claim.device_id = None;
        assert_eq!(claim.holder(), None);
        let text = serde_json::to_string(&claim).expect("serializes");
        let back: TaskClaim = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, claim);
    }

    #[test]
    fn a_wrong_kind_is_named_with_the_kinds_allowed() {
        let err = serde_json::from_str::<ClaimRequest>(r#"{"task_kind":"putaway","task_id":"X"}"#)
            .expect_err("refused");
        assert!(
            err.to_string()
                .contains("\"putaway\" is not a TaskKind (one of pick, count)")
        );
    }
}
