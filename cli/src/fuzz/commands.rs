//! Every workflow command's input, as an app (or a tampered app) could send it: mutated JSON of
//! each command, run against a device with stock. A refused command must leave the database as it
//! was, with a person's error (never an internal or SQLite one); the books must balance throughout.

use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::counting::{self, ApproveCount, CountedLine, StartCount, SubmitCount};
use dockhand_core::moves::{self, ConfirmMove};
use dockhand_core::picking::{self, ConfirmPick, CreatePickTask, PickLineRequest, PickTaskRequest};
use dockhand_core::putaway::{self, ConfirmPutaway};
use dockhand_core::quality::{self, ReleaseStock};
use dockhand_core::receiving::{self, CloseReceipt, OpenBlindReceipt, ReceiveLine};
use dockhand_core::returns::{self, InspectReturnLine, ReceiveReturn, ReturnLineRequest};
use dockhand_core::workload::Workload;
use dockhand_core::{Error, ErrorKind, ScannedGoods, Store, StoreOptions, outbox, sample, stock};
use rand::Rng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::Target;
use super::mutate::Mutator;

/// Checks the books every this many executions.
const INTEGRITY_EVERY: u64 = 5_000;

const KINDS: &[&str] = &[
    "open",
    "receive",
    "close",
    "putaway",
    "move",
    "pick_task",
    "pick",
    "start_count",
    "count",
    "approve",
    "return",
    "inspect",
    "release",
    "void",
];

pub struct Commands {
    inputs: Vec<Mutator>,
    store: Store,
    last: String,
    runs: u64,
    /// Inputs that decoded as their command, and commands that were recorded.
    decoded: std::cell::Cell<u64>,
    recorded: std::cell::Cell<u64>,
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn goods() -> ScannedGoods {
    ScannedGoods::barcode(sample::TOWELS_EA)
}

/// One valid command of each kind (the ids refer to the device's sample data and workload).
fn seeds() -> Vec<String> {
    let op = Uuid::now_v7;
    let alice = || "alice".to_string();
    vec![
        json(&OpenBlindReceipt {
            op_id: op(),
            operator: alice(),
            receipt_id: "FZ-1".into(),
            reference: "r".into(),
            supplier: "s".into(),
        }),
        json(&ReceiveLine {
            op_id: op(),
            operator: alice(),
            receipt_id: sample::ASN.into(),
            dock: "DOCK-01".into(),
            scan: goods(),
            quantity: 3,
            lpn: None,
            approval: None,
        }),
        json(&CloseReceipt {
            op_id: op(),
            operator: alice(),
            receipt_id: "FZ-1".into(),
        }),
        json(&ConfirmPutaway {
            op_id: op(),
            operator: "bob".into(),
            from: "DOCK-01".into(),
            scan: goods(),
            lpn: None,
            quantity: 1,
            to: "A-01-03".into(),
            location_scan: "13".into(),
            override_reason: None,
        }),
        json(&ConfirmMove {
            op_id: op(),
            operator: "bob".into(),
            from: "A-01-01".into(),
            from_scan: "41".into(),
            scan: Some(goods()),
            lpn: None,
            quantity: 1,
            to: "A-01-02".into(),
            to_scan: "42".into(),
            reason: None,
            task_id: None,
        }),
        json(&CreatePickTask {
            op_id: op(),
            operator: alice(),
            task: PickTaskRequest {
                task_id: "FZ-P1".into(),
                order_ref: "o".into(),
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
        }),
        json(&ConfirmPick {
            op_id: op(),
            operator: alice(),
            task_id: "FZ-P1".into(),
            allocation_id: 1,
            location_scan: "13".into(),
            scan: goods(),
            quantity: 1,
            tote: None,
            short: false,
        }),
        json(&StartCount {
            op_id: op(),
            operator: alice(),
            task_id: "CC-1".into(),
        }),
        json(&SubmitCount {
            op_id: op(),
            operator: alice(),
            task_id: "CC-1".into(),
            lines: vec![CountedLine {
                location: Some("A-01-03".into()),
                scan: goods(),
                quantity: 5,
                counted_at: None,
            }],
        }),
        json(&ApproveCount {
            op_id: op(),
            operator: alice(),
            task_id: "CC-1".into(),
            approval: sample::badge_of("sam"),
        }),
        json(&ReceiveReturn {
            op_id: op(),
            operator: alice(),
            return_id: "FZ-R1".into(),
            reference: "r".into(),
            customer: "c".into(),
            location: "RET-01".into(),
            lines: vec![ReturnLineRequest {
                line_no: 1,
                scan: goods(),
                quantity: 1,
            }],
        }),
        json(
            &serde_json::json!({"op_id": op(), "operator": "alice", "return_id": "FZ-R1", "line_no": 1, "outcome": "restock", "reason_code": "ok", "note": null}),
        ),
        json(&ReleaseStock {
            op_id: op(),
            operator: alice(),
            location: "RET-01".into(),
            location_scan: "82".into(),
            scan: goods(),
            lpn: None,
            quantity: 1,
            outcome: dockhand_core::quality::InspectionOutcome::Scrap,
            to: None,
            to_scan: None,
            reason_code: "beyond repair".into(),
            note: None,
            approval: sample::badge_of("sam"),
            held: None,
        }),
        json(&VoidMovement {
            op_id: op(),
            operator: alice(),
            event_id: op(),
            reason: "wrong item".into(),
            approval: sample::badge_of("sam"),
        }),
    ]
}

impl Commands {
    pub fn new(seed: u64) -> Result<Self, Error> {
        let store = Store::open_in_memory(StoreOptions::new("FUZZ-CMD"))?;
        Workload::seed_store(&store)?;
        let mut work = Workload::new(seed);
        for _ in 0..200 {
            work.step(&store)?;
        }
        let inputs = seeds()
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Mutator::new(seed.wrapping_mul(31).wrapping_add(i as u64), vec![s]).at_most(2)
            })
            .collect();
        Ok(Self {
            inputs,
            store,
            last: String::new(),
            runs: 0,
            decoded: Default::default(),
            recorded: Default::default(),
        })
    }

    fn run<C: DeserializeOwned, R>(
        &self,
        command: impl FnOnce(&Store, &C) -> dockhand_core::Result<R>,
    ) -> Result<(), String> {
        let Ok(cmd) = serde_json::from_str::<C>(&self.last) else {
            return Ok(()); // the app's own decoding refuses it
        };
        self.decoded.set(self.decoded.get() + 1);
        let before = self.fingerprint()?;
        match command(&self.store, &cmd) {
            Ok(_) => {
                self.recorded.set(self.recorded.get() + 1);
                Ok(())
            }
            Err(e) if matches!(e, Error::Sqlite(_) | Error::Internal(_) | Error::Json(_)) => {
                Err(format!("{} error instead of a person's: {e}", e.code()))
            }
            Err(e) => {
                if e.kind() == ErrorKind::Storage {
                    return Err(format!("storage error: {e}"));
                }
                if self.fingerprint()? != before {
                    return Err(format!("refused ({}) but the database changed", e.code()));
                }
                Ok(())
            }
        }
    }

    /// What a refused command must not change: the outbox's end and every balance.
    fn fingerprint(&self) -> Result<(i64, Vec<stock::Balance>), String> {
        self.store
            .read(|c| Ok((outbox::last_seq(c)?, stock::all_balances(c)?)))
            .map_err(|e| format!("could not read the database: {e}"))
    }
}

impl Target for Commands {
    fn name(&self) -> &'static str {
        "commands"
    }
    fn share(&self) -> u64 {
        50
    }
    fn last_input(&self) -> &str {
        &self.last
    }
    fn detail(&self) -> String {
        format!(
            " ({} decoded as commands, {} recorded)",
            self.decoded.get(),
            self.recorded.get()
        )
    }
    fn once(&mut self) -> Result<(), String> {
        let kind = self.inputs[0].rng().random_range(0..KINDS.len());
        self.last = self.inputs[kind].next();
        self.runs += 1;
        let outcome = match KINDS[kind] {
            "open" => self.run(receiving::open_blind_receipt),
            "receive" => self.run(receiving::receive_line),
            "close" => self.run(receiving::close_receipt),
            "putaway" => self.run(putaway::confirm_putaway),
            "move" => self.run(moves::confirm_move),
            "pick_task" => self.run(picking::create_pick_task),
            "pick" => self.run(picking::confirm_pick),
            "start_count" => self.run(counting::start_count),
            "count" => self.run(counting::submit_count),
            "approve" => self.run(counting::approve_count),
            "return" => self.run(returns::receive_return),
            "inspect" => self.run::<InspectReturnLine, _>(returns::inspect_return_line),
            "release" => self.run(quality::release_stock),
            _ => self.run(corrections::void_movement),
        };
        if self.runs.is_multiple_of(INTEGRITY_EVERY) {
            let report = self.store.verify_integrity().map_err(|e| e.to_string())?;
            if !report.is_ok() {
                return Err(format!("the books no longer balance: {report:?}"));
            }
        }
        outcome
    }
}
