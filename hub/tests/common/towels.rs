//! The towel commands the shared-stock tests run (the sample warehouse's paper towels,
//! untracked): received at DOCK-01, put away, picked to STAGE-01.
#![allow(dead_code)]

use dockhand_core::picking::{ConfirmPick, CreatePickTask, PickInstruction};
use dockhand_core::protocol::master::{PickLineRequest, PickTaskRequest};
use dockhand_core::putaway::ConfirmPutaway;
use dockhand_core::receiving::ReceiveLine;
use dockhand_core::sample::{self, TOWELS, TOWELS_EA};

/// Alice receives `quantity` towels at DOCK-01 on `receipt`.
pub fn receive(receipt: &str, quantity: i64) -> ReceiveLine {
    sample::receive_at_dock("alice", receipt, TOWELS_EA, quantity)
}

/// Alice puts `quantity` towels from DOCK-01 to `to`, scanning its check string.
pub fn put_away(quantity: i64, to: &str, check: &str) -> ConfirmPutaway {
    sample::put_away_from_dock("alice", TOWELS_EA, quantity, to, check)
}

/// Bob's pick task `task_id` for `quantity` towels to STAGE-01.
pub fn pick_task(task_id: &str, quantity: i64) -> CreatePickTask {
    sample::pick_task("bob", task_id, TOWELS, quantity)
}

/// Bob picks `next` in full into `tote`, scanning the location's `check`.
pub fn pick(task_id: &str, next: &PickInstruction, check: &str, tote: &str) -> ConfirmPick {
    sample::confirm_in_full("bob", task_id, next, check, TOWELS_EA, Some(tote))
}

/// The ERP's order `task_id` for `quantity` towels to STAGE-01.
pub fn order(task_id: &str, quantity: i64) -> PickTaskRequest {
    PickTaskRequest {
        task_id: task_id.into(),
        order_ref: format!("SO-{task_id}"),
        staging: "STAGE-01".into(),
        ship_by: None,
        lines: vec![PickLineRequest {
            line_no: 1,
            sku: TOWELS.into(),
            quantity,
            unit: None,
            lot: None,
        }],
    }
}

/// Alice opens blind receipt `receipt` from Nordic.
pub fn open_receipt(store: &dockhand_core::Store, receipt: &str) {
    use dockhand_core::receiving::{self, OpenBlindReceipt};
    receiving::open_blind_receipt(
        store,
        &OpenBlindReceipt {
            op_id: uuid::Uuid::now_v7(),
            operator: "alice".into(),
            receipt_id: receipt.into(),
            reference: format!("delivery {receipt}"),
            supplier: "Nordic".into(),
        },
    )
    .unwrap();
}

/// Receives `quantity` towels at DOCK-01 on a blind receipt and puts them away to P-01-01.
pub fn receive_and_put_away(store: &dockhand_core::Store, receipt: &str, quantity: i64) {
    open_receipt(store, receipt);
    dockhand_core::receiving::receive_line(store, &receive(receipt, quantity)).unwrap();
    dockhand_core::putaway::confirm_putaway(store, &put_away(quantity, "P-01-01", "71")).unwrap();
}
