//! Commands on the sample warehouse as the demo, the benchmarks and the tests write them: goods
//! received at DOCK-01, put away from there, picked to STAGE-01. Each has a new operation id.

use uuid::Uuid;

use crate::ScannedGoods;
use crate::picking::{ConfirmPick, CreatePickTask, PickInstruction};
use crate::protocol::master::{PickLineRequest, PickTaskRequest};
use crate::putaway::ConfirmPutaway;
use crate::receiving::ReceiveLine;

/// `operator` receives `quantity` of the goods with `barcode` at DOCK-01 on `receipt`.
pub fn receive_at_dock(operator: &str, receipt: &str, barcode: &str, quantity: i64) -> ReceiveLine {
    ReceiveLine {
        op_id: Uuid::now_v7(),
        operator: operator.into(),
        receipt_id: receipt.into(),
        dock: "DOCK-01".into(),
        scan: ScannedGoods::barcode(barcode),
        quantity,
        lpn: None,
        approval: None,
    }
}

/// `operator` puts `quantity` of the goods with `barcode` from DOCK-01 to `to`, scanning its
/// check string `check` (with a reason, in case `to` is not the suggestion).
pub fn put_away_from_dock(
    operator: &str,
    barcode: &str,
    quantity: i64,
    to: &str,
    check: &str,
) -> ConfirmPutaway {
    ConfirmPutaway {
        op_id: Uuid::now_v7(),
        operator: operator.into(),
        from: "DOCK-01".into(),
        scan: ScannedGoods::barcode(barcode),
        lpn: None,
        quantity,
        to: to.into(),
        location_scan: check.into(),
        override_reason: Some("replenishing the pick face".into()),
    }
}

/// `operator` creates pick task `task_id`: `quantity` of `sku` to STAGE-01.
pub fn pick_task(operator: &str, task_id: &str, sku: &str, quantity: i64) -> CreatePickTask {
    CreatePickTask {
        op_id: Uuid::now_v7(),
        operator: operator.into(),
        task: PickTaskRequest {
            task_id: task_id.into(),
            order_ref: format!("SO-{task_id}"),
            staging: "STAGE-01".into(),
            ship_by: None,
            lines: vec![PickLineRequest {
                line_no: 1,
                sku: sku.into(),
                quantity,
                unit: None,
                lot: None,
            }],
        },
    }
}

/// `operator` confirms the pick `next` of task `task_id` in full: scans the location's `check`
/// and the goods' `barcode`, into `tote` when given.
pub fn confirm_in_full(
    operator: &str,
    task_id: &str,
    next: &PickInstruction,
    check: &str,
    barcode: &str,
    tote: Option<&str>,
) -> ConfirmPick {
    ConfirmPick {
        op_id: Uuid::now_v7(),
        operator: operator.into(),
        task_id: task_id.into(),
        allocation_id: next.allocation_id,
        location_scan: check.into(),
        scan: ScannedGoods::barcode(barcode),
        quantity: next.quantity,
        tote: tote.map(Into::into),
        short: false,
    }
}
