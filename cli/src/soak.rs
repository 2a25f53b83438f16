//! `dockhand soak`: an endless mix of receive, putaway and close commands on one device database,
//! printing `committed <kind> <op_id>` after each commit. The crash test kills it with SIGKILL at
//! random moments and then checks that every reported command survived with its events.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dockhand_core::putaway::{self, ConfirmPutaway, PutawayRequest};
use dockhand_core::receiving::{self, CloseReceipt, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{Error, ScannedGoods, Store, catalog, sample};
use uuid::Uuid;

/// The device id every soak database uses.
pub const DEVICE: &str = "soak-device";

#[derive(clap::Args)]
pub struct Args {
    /// Device database (created and seeded when new).
    #[arg(long)]
    db: PathBuf,
    /// Stop after this many commands (default: run until killed).
    #[arg(long)]
    ops: Option<u64>,
    /// Seed of the command mix.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// A tiny deterministic generator: the mix only needs to vary, not to be cryptographic.
struct Mix(u64);

impl Mix {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

fn report(kind: &str, op_id: Uuid) {
    let mut out = std::io::stdout().lock();
    // If the parent is gone there is nobody to tell; keep going until killed.
    let _ = writeln!(out, "committed {kind} {op_id}");
    let _ = out.flush();
}

fn open_receipt(store: &Store) -> Result<String, Error> {
    if let Some(id) = store.read(receiving::open_receipts)?.into_iter().next() {
        return Ok(id);
    }
    let n = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM receipts", [], |r| r.get::<_, i64>(0))?))?;
    let cmd = OpenBlindReceipt {
        op_id: Uuid::now_v7(),
        operator: "alice".into(),
        receipt_id: format!("SOAK-{}", n + 1),
        reference: "soak".into(),
        supplier: "soak".into(),
    };
    receiving::open_blind_receipt(store, &cmd)?;
    report("open", cmd.op_id);
    Ok(cmd.receipt_id)
}

fn goods(mix: &mut Mix) -> ScannedGoods {
    match mix.next(3) {
        0 => ScannedGoods::barcode(sample::TOWELS_EA),
        1 => ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1"),
        _ => ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-2"),
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let store = Store::open(&args.db, DEVICE)?;
    if store.read(catalog::counts)?.items == 0 {
        catalog::upsert_master_data(&store, &sample::warehouse())?;
    }
    let mut mix = Mix(args.seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut done = 0;
    while args.ops.is_none_or(|ops| done < ops) {
        let receipt = open_receipt(&store)?;
        match mix.next(10) {
            0..=4 => {
                let cmd = ReceiveLine {
                    op_id: Uuid::now_v7(),
                    operator: "alice".into(),
                    receipt_id: receipt,
                    dock: "DOCK-01".into(),
                    scan: goods(&mut mix),
                    quantity: 1 + mix.next(12) as i64,
                    lpn: None,
                    approved_by: None,
                };
                receiving::receive_line(&store, &cmd)?;
                report("receive", cmd.op_id);
            }
            5..=8 => {
                let scan = goods(&mut mix);
                let request = PutawayRequest {
                    from: "DOCK-01".into(),
                    scan: scan.clone(),
                    lpn: None,
                };
                let task = match putaway::suggest_putaway(&store, &request) {
                    Ok(task) => task,
                    // Nothing of these goods on the dock yet.
                    Err(Error::InsufficientStock { .. }) => continue,
                    Err(e) => return Err(e),
                };
                let to = store.read(|c| catalog::location_by_code(c, &task.suggestion.location))?;
                let cmd = ConfirmPutaway {
                    op_id: Uuid::now_v7(),
                    operator: "bob".into(),
                    from: "DOCK-01".into(),
                    scan,
                    lpn: None,
                    quantity: 1 + mix.next(task.on_dock as u64) as i64,
                    to: to.location.code,
                    check_string: to.location.check_string,
                    override_reason: None,
                };
                putaway::confirm_putaway(&store, &cmd)?;
                report("putaway", cmd.op_id);
            }
            _ => {
                let cmd = CloseReceipt {
                    op_id: Uuid::now_v7(),
                    operator: "alice".into(),
                    receipt_id: receipt,
                };
                receiving::close_receipt(&store, &cmd)?;
                report("close", cmd.op_id);
            }
        }
        done += 1;
    }
    Ok(ExitCode::SUCCESS)
}
