//! The commands the shared-stock tests run, on the sample warehouse's paper towels (untracked):
//! received at DOCK-01, put away, picked to STAGE-01.
#![allow(dead_code)]

use dockhand_core::picking::{ConfirmPick, CreatePickTask};
use dockhand_core::protocol::master::{PickLineRequest, PickTaskRequest};
use dockhand_core::putaway::ConfirmPutaway;
use dockhand_core::receiving::ReceiveLine;
use dockhand_core::{ScannedGoods, sample};
use uuid::Uuid;

/// A scan of one pack of towels.
pub fn scan() -> ScannedGoods {
    ScannedGoods::barcode(sample::TOWELS_EA)
}

/// Alice receives `quantity` towels at DOCK-01 on `receipt`.
pub fn receive(receipt: &str, quantity: i64) -> ReceiveLine {
    ReceiveLine {
        op_id: Uuid::now_v7(),
        operator: "alice".into(),
        receipt_id: receipt.into(),
        dock: "DOCK-01".into(),
        scan: scan(),
        quantity,
        lpn: None,
        approval: None,
    }
}

/// Alice puts `quantity` towels from DOCK-01 to `to`, scanning its check string.
pub fn put_away(quantity: i64, to: &str, check: &str) -> ConfirmPutaway {
    ConfirmPutaway {
        op_id: Uuid::now_v7(),
        operator: "alice".into(),
        from: "DOCK-01".into(),
        scan: scan(),
        lpn: None,
        quantity,
        to: to.into(),
        location_scan: check.into(),
        override_reason: Some("replenishing the pick face".into()),
    }
}

/// Bob's pick task `task_id` for `quantity` towels to STAGE-01.
pub fn pick_task(task_id: &str, quantity: i64) -> CreatePickTask {
    CreatePickTask {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        task: PickTaskRequest {
            task_id: task_id.into(),
            order_ref: format!("SO-{task_id}"),
            staging: "STAGE-01".into(),
            lines: vec![PickLineRequest {
                line_no: 1,
                sku: sample::TOWELS.into(),
                quantity,
                unit: None,
                lot: None,
            }],
        },
    }
}

/// Bob confirms a pick of `quantity` towels into `tote`, scanning the location's `check`.
pub fn pick(
    task_id: &str,
    allocation_id: i64,
    check: &str,
    quantity: i64,
    tote: &str,
) -> ConfirmPick {
    ConfirmPick {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        task_id: task_id.into(),
        allocation_id,
        location_scan: check.into(),
        scan: scan(),
        quantity,
        tote: Some(tote.into()),
        short: false,
    }
}
