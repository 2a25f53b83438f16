//! A deterministic mix of receive, putaway and close commands on the sample warehouse: the load of
//! the crash test (`dockhand soak`), the simulated devices of the demo and the sync tests. With
//! [`Workload::every_kind`] the mix also creates and confirms picks, counts shelves, receives and
//! inspects returns, moves stock and voids receipts (`workload/more.rs`): every command kind a
//! handheld records.

use uuid::Uuid;

use crate::db::Store;
use crate::error::{Error, Result};
use crate::putaway::{self, ConfirmPutaway, PutawayRequest};
use crate::receiving::{self, CloseReceipt, OpenBlindReceipt, ReceiveLine};
use crate::{ScannedGoods, catalog, credentials, sample};

mod more;

/// Who holds the handheld: every command of the workload is theirs.
const HANDHELD_OPERATOR: &str = "alice";
/// The supervisor who approves the workload's voids with badge and PIN.
const APPROVER: &str = "sam";

/// A small xorshift generator: the mix only needs to vary, not to be cryptographic.
#[derive(Debug, Clone)]
pub struct Workload {
    state: u64,
    every_kind: bool,
    /// The operation of the last receipt line recorded (what a void takes back).
    last_receive: Option<Uuid>,
}

impl Workload {
    /// A mix from `seed` (any value; the same seed gives the same commands).
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            every_kind: false,
            last_receive: None,
        }
    }

    /// The mix of every command kind: picks, counts, returns and voids as well.
    pub fn every_kind(mut self) -> Self {
        self.every_kind = true;
        self
    }

    fn next(&mut self, below: u64) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state % below.max(1)
    }

    fn goods(&mut self) -> ScannedGoods {
        match self.next(3) {
            0 => ScannedGoods::barcode(sample::TOWELS_EA),
            1 => ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1"),
            _ => ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-2"),
        }
    }

    /// Loads the sample warehouse with its badges into a new device store, and signs in the
    /// workload's operator.
    pub fn seed_store(store: &Store) -> Result<()> {
        if store.read(catalog::counts)?.items == 0 {
            let mut data = sample::warehouse();
            data.credentials = sample::credentials()?;
            catalog::upsert_master_data(store, &data)?;
        }
        if credentials::signed_in(store)?.is_none() {
            let badge = sample::badge_of(HANDHELD_OPERATOR);
            credentials::sign_in(store, &badge.badge, &badge.pin)?;
        }
        Ok(())
    }

    fn open_receipt(
        &mut self,
        store: &Store,
        done: &mut Vec<(&'static str, Uuid)>,
    ) -> Result<String> {
        // Only its own blind receipts: ASNs the hub sends (from an ERP) are not the workload's.
        let own = format!("{}-R", store.device_id());
        if let Some(id) = store
            .read(receiving::open_receipts)?
            .into_iter()
            .find(|id| id.starts_with(&own))
        {
            return Ok(id);
        }
        let n = store.read(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM receipts", [], |r| r.get::<_, i64>(0))?)
        })?;
        let cmd = OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: HANDHELD_OPERATOR.into(),
            receipt_id: format!("{}-R{}", store.device_id(), n + 1),
            reference: "workload".into(),
            supplier: "workload".into(),
        };
        receiving::open_blind_receipt(store, &cmd)?;
        done.push(("open", cmd.op_id));
        Ok(cmd.receipt_id)
    }

    /// Runs the next command (and opens a receipt first when none is open); returns each
    /// committed command's kind and operation id. A putaway with nothing on the dock is skipped.
    pub fn step(&mut self, store: &Store) -> Result<Vec<(&'static str, Uuid)>> {
        let mut done = Vec::new();
        let receipt = self.open_receipt(store, &mut done)?;
        if self.every_kind && self.next(10) < 4 {
            self.step_more(store, &mut done)?;
            return Ok(done);
        }
        match self.next(10) {
            0..=4 => {
                let cmd = ReceiveLine {
                    op_id: Uuid::now_v7(),
                    operator: HANDHELD_OPERATOR.into(),
                    receipt_id: receipt,
                    dock: "DOCK-01".into(),
                    scan: self.goods(),
                    quantity: 1 + self.next(12) as i64,
                    lpn: None,
                    approval: None,
                };
                receiving::receive_line(store, &cmd)?;
                done.push(("receive", cmd.op_id));
                self.last_receive = Some(cmd.op_id);
            }
            5..=8 => {
                let scan = self.goods();
                let request = PutawayRequest {
                    from: "DOCK-01".into(),
                    scan: scan.clone(),
                    lpn: None,
                };
                let task = match putaway::suggest_putaway(store, &request) {
                    Ok(task) => task,
                    // Nothing of these goods on the dock yet.
                    Err(Error::InsufficientStock { .. }) => return Ok(done),
                    Err(e) => return Err(e),
                };
                let to = store.read(|c| catalog::location_by_code(c, &task.suggestion.location))?;
                let cmd = ConfirmPutaway {
                    op_id: Uuid::now_v7(),
                    operator: HANDHELD_OPERATOR.into(),
                    from: "DOCK-01".into(),
                    scan,
                    lpn: None,
                    quantity: 1 + self.next(task.on_dock as u64) as i64,
                    to: to.location.code,
                    location_scan: to.location.check_string,
                    override_reason: None,
                };
                putaway::confirm_putaway(store, &cmd)?;
                done.push(("putaway", cmd.op_id));
            }
            _ => {
                let cmd = CloseReceipt {
                    op_id: Uuid::now_v7(),
                    operator: HANDHELD_OPERATOR.into(),
                    receipt_id: receipt,
                };
                receiving::close_receipt(store, &cmd)?;
                done.push(("close", cmd.op_id));
            }
        }
        Ok(done)
    }
}
