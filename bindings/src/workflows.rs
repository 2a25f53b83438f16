//! Workflow commands: receiving, putaway, moves, quality release, picking, counting, returns and
//! corrections. Each is one call of the core's command of the same name; every rule lives there.
//! All are synchronous and fast (one local SQLite transaction): call them off the main thread.

use dockhand_core::corrections;
use dockhand_core::counting::{self, ApproveCount, CountTaskRequest, CreateCountTask};
use dockhand_core::counting::{CountSheet, CountSubmitted, CountTask, GenerateRiskCounts};
use dockhand_core::counting::{StartCount, SubmitCount};
use dockhand_core::moves::{self, ConfirmMove, MoveConfirmed};
use dockhand_core::picking::{self, CancelPickTask, ConfirmPick, CreatePickTask, PickConfirmed};
use dockhand_core::picking::{PickTask, StartPickTask};
use dockhand_core::putaway::{self, ConfirmPutaway, PutawayConfirmed, PutawayTask};
use dockhand_core::quality::{self, ReleaseStock, StockReleased};
use dockhand_core::receiving::{self, CloseReceipt, LineReceived, OpenBlindReceipt, Receipt};
use dockhand_core::receiving::{ReceiptClosed, ReceiveLine};
use dockhand_core::returns::{self, InspectReturnLine, ReceiveReturn, Return, ReturnLineInspected};

use crate::Device;
use crate::error::{DockhandError, op_id, uuid};
use crate::inputs::{CountedGoods, Goods, InspectionRequest, NewPickTask, PickRequest};
use crate::inputs::{MoveRequest, PutawayRequest, ReceiveRequest, ReleaseRequest, ReturnRequest};

/// A correction recorded: the movements of an event reversed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Voided {
    /// The event reversed.
    pub voided_event_id: String,
    /// What it recorded.
    pub voided_event_type: dockhand_core::protocol::EventKind,
    /// Stock movements reversed.
    pub movements_reversed: u64,
}

type Result<T> = std::result::Result<T, DockhandError>;

#[uniffi::export]
impl Device {
    /// Opens a receipt for goods that arrived without an ASN.
    pub fn open_blind_receipt(
        &self,
        op_id: String,
        operator: String,
        receipt_id: String,
        reference: String,
        supplier: String,
    ) -> Result<Receipt> {
        let cmd = OpenBlindReceipt {
            op_id: self::op_id(&op_id)?,
            operator,
            receipt_id,
            reference,
            supplier,
        };
        Ok(receiving::open_blind_receipt(&self.store, &cmd)?)
    }

    /// Receives one scan onto a dock.
    pub fn receive(&self, request: ReceiveRequest) -> Result<LineReceived> {
        let cmd = ReceiveLine {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            receipt_id: request.receipt_id,
            dock: request.dock,
            scan: request.goods.try_into()?,
            quantity: request.quantity,
            lpn: request.lpn,
            approval: request.approval.as_deref().map(Into::into),
        };
        Ok(receiving::receive_line(&self.store, &cmd)?)
    }

    /// Closes a receipt; differences against the ASN are reported.
    pub fn close_receipt(
        &self,
        op_id: String,
        operator: String,
        receipt_id: String,
    ) -> Result<ReceiptClosed> {
        let cmd = CloseReceipt {
            op_id: self::op_id(&op_id)?,
            operator,
            receipt_id,
        };
        Ok(receiving::close_receipt(&self.store, &cmd)?)
    }

    /// Where goods on a dock should go.
    pub fn suggest_putaway(
        &self,
        from_location: String,
        goods: Goods,
        lpn: Option<String>,
    ) -> Result<PutawayTask> {
        let request = putaway::PutawayRequest {
            from: from_location,
            scan: goods.try_into()?,
            lpn,
        };
        Ok(putaway::suggest_putaway(&self.store, &request)?)
    }

    /// Records goods put away (checked at the location by its check string).
    pub fn confirm_putaway(&self, request: PutawayRequest) -> Result<PutawayConfirmed> {
        let cmd = ConfirmPutaway {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            from: request.from_location,
            scan: request.goods.try_into()?,
            lpn: request.lpn,
            quantity: request.quantity,
            to: request.to,
            location_scan: request.location_scan,
            override_reason: request.override_reason,
        };
        Ok(putaway::confirm_putaway(&self.store, &cmd)?)
    }

    /// Moves stock inside the warehouse (checked at both locations by their check strings).
    pub fn confirm_move(&self, request: MoveRequest) -> Result<MoveConfirmed> {
        let cmd = ConfirmMove {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            from: request.from_location,
            from_scan: request.from_scan,
            scan: request.goods.map(TryInto::try_into).transpose()?,
            lpn: request.lpn,
            quantity: request.quantity,
            to: request.to,
            to_scan: request.to_scan,
            reason: request.reason,
            task_id: request.task_id,
        };
        Ok(moves::confirm_move(&self.store, &cmd)?)
    }

    /// Releases (or disposes of) held stock with a supervisor's badge and PIN.
    pub fn release_stock(&self, request: ReleaseRequest) -> Result<StockReleased> {
        let cmd = ReleaseStock {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            location: request.location,
            location_scan: request.location_scan,
            scan: request.goods.try_into()?,
            lpn: request.lpn,
            quantity: request.quantity,
            outcome: request.outcome,
            to: request.to,
            to_scan: request.to_scan,
            reason_code: request.reason_code,
            note: request.note,
            approval: request.approval.as_ref().into(),
            held: request.held,
        };
        Ok(quality::release_stock(&self.store, &cmd)?)
    }

    /// Creates a pick task on the device and allocates stock to it.
    pub fn create_pick_task(
        &self,
        op_id: String,
        operator: String,
        task: NewPickTask,
    ) -> Result<PickTask> {
        let cmd = CreatePickTask {
            op_id: self::op_id(&op_id)?,
            operator,
            task: task.into(),
        };
        Ok(picking::create_pick_task(&self.store, &cmd)?)
    }

    /// A picker takes a task.
    pub fn start_pick_task(
        &self,
        op_id: String,
        operator: String,
        task_id: String,
    ) -> Result<PickTask> {
        let cmd = StartPickTask {
            op_id: self::op_id(&op_id)?,
            operator,
            task_id,
        };
        Ok(picking::start_pick_task(&self.store, &cmd)?)
    }

    /// Cancels a task; its reservations are released.
    pub fn cancel_pick_task(
        &self,
        op_id: String,
        operator: String,
        task_id: String,
        reason: String,
    ) -> Result<PickTask> {
        let cmd = CancelPickTask {
            op_id: self::op_id(&op_id)?,
            operator,
            task_id,
            reason,
        };
        Ok(picking::cancel_pick_task(&self.store, &cmd)?)
    }

    /// Records a pick (in full, in part, or short).
    pub fn confirm_pick(&self, request: PickRequest) -> Result<PickConfirmed> {
        let cmd = ConfirmPick {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            task_id: request.task_id,
            allocation_id: request.allocation_id,
            location_scan: request.location_scan,
            scan: request.goods.try_into()?,
            quantity: request.quantity,
            tote: request.tote,
            short: request.short,
        };
        Ok(picking::confirm_pick(&self.store, &cmd)?)
    }

    /// Creates a count task of a location or of an item everywhere it is.
    pub fn create_count_task(
        &self,
        op_id: String,
        operator: String,
        task_id: String,
        location: Option<String>,
        sku: Option<String>,
        reason: String,
    ) -> Result<CountTask> {
        let cmd = CreateCountTask {
            op_id: self::op_id(&op_id)?,
            operator,
            task: CountTaskRequest {
                task_id,
                location,
                sku,
                reason,
            },
        };
        Ok(counting::create_count_task(&self.store, &cmd)?)
    }

    /// Creates count tasks for the `how_many` riskiest locations.
    pub fn generate_risk_counts(
        &self,
        op_id: String,
        operator: String,
        how_many: u32,
    ) -> Result<Vec<CountTask>> {
        let cmd = GenerateRiskCounts {
            op_id: self::op_id(&op_id)?,
            operator,
            how_many: crate::error::how_many(how_many),
        };
        Ok(counting::generate_risk_counts(&self.store, &cmd)?)
    }

    /// Starts counting: the sheet lists locations, never the quantities expected.
    pub fn start_count(
        &self,
        op_id: String,
        operator: String,
        task_id: String,
    ) -> Result<CountSheet> {
        let cmd = StartCount {
            op_id: self::op_id(&op_id)?,
            operator,
            task_id,
        };
        Ok(counting::start_count(&self.store, &cmd)?)
    }

    /// Submits what was counted; small variances adjust stock, large ones ask for a recount or a
    /// supervisor.
    pub fn submit_count(
        &self,
        op_id: String,
        operator: String,
        task_id: String,
        lines: Vec<CountedGoods>,
    ) -> Result<CountSubmitted> {
        let cmd = SubmitCount {
            op_id: self::op_id(&op_id)?,
            operator,
            task_id,
            lines: lines
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_>>()?,
        };
        Ok(counting::submit_count(&self.store, &cmd)?)
    }

    /// A supervisor approves, with badge and PIN on `operator`'s handheld, the variances of a
    /// count that needs approval (never one they counted).
    pub fn approve_count(
        &self,
        op_id: String,
        operator: String,
        task_id: String,
        approval: std::sync::Arc<crate::Approval>,
    ) -> Result<CountSubmitted> {
        let cmd = ApproveCount {
            op_id: self::op_id(&op_id)?,
            operator,
            task_id,
            approval: approval.as_ref().into(),
        };
        Ok(counting::approve_count(&self.store, &cmd)?)
    }

    /// Receives a customer return (its goods wait as return-pending).
    pub fn receive_return(&self, request: ReturnRequest) -> Result<Return> {
        let cmd = ReceiveReturn {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            return_id: request.return_id,
            reference: request.reference,
            customer: request.customer,
            location: request.location,
            lines: request
                .lines
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_>>()?,
        };
        Ok(returns::receive_return(&self.store, &cmd)?)
    }

    /// Records the inspection of a returned line: restock, quarantine, damaged, scrap or back to
    /// the vendor.
    pub fn inspect_return(&self, request: InspectionRequest) -> Result<ReturnLineInspected> {
        let cmd = InspectReturnLine {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            return_id: request.return_id,
            line_no: request.line_no,
            outcome: request.outcome,
            reason_code: request.reason_code,
            note: request.note,
        };
        Ok(returns::inspect_return_line(&self.store, &cmd)?)
    }

    /// Reverses the stock movements of an event recorded by mistake (a new event; nothing is
    /// deleted). A supervisor approves with badge and PIN: not the one asking, and not the one
    /// who recorded the movement.
    pub fn void_movement(
        &self,
        op_id: String,
        operator: String,
        event_id: String,
        reason: String,
        approval: std::sync::Arc<crate::Approval>,
    ) -> Result<Voided> {
        let cmd = corrections::VoidMovement {
            op_id: self::op_id(&op_id)?,
            operator,
            event_id: uuid(&event_id, "event id")?,
            reason,
            approval: approval.as_ref().into(),
        };
        let v = corrections::void_movement(&self.store, &cmd)?;
        Ok(Voided {
            voided_event_id: v.voided_event_id.to_string(),
            voided_event_type: crate::queries::event_kind(&v.voided_event_type)?,
            movements_reversed: u64::try_from(v.movements_reversed).unwrap_or(u64::MAX),
        })
    }
}
