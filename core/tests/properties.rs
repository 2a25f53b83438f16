//! Random shifts: sequences of receive / putaway / close / open commands, good and bad, replayed or
//! not. Whatever happens, every committed command has exactly its events, a rejected one changes
//! nothing, seq stays gap-free, the hash chain verifies, balances equal the ledger, and no stock
//! appears or vanishes (everything received is somewhere; everything put away left the docks).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::putaway::{self, ConfirmPutaway, PutawayRequest};
use dockhand_core::receiving::{self, CloseReceipt, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{ScannedGoods, Store, outbox, sample, stock};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Receive {
        goods: usize,
        quantity: i64,
        on_asn: bool,
        dock: usize,
        approve: bool,
        replay: bool,
    },
    Putaway {
        goods: usize,
        quantity: i64,
        dock: usize,
        destination: usize,
        wrong_check: bool,
        reason: bool,
        replay: bool,
    },
    Close {
        asn: bool,
    },
    OpenBlind,
}

fn goods(i: usize) -> ScannedGoods {
    match i {
        0 => ScannedGoods::barcode(sample::TOWELS_EA),
        1 => ScannedGoods::barcode(sample::TOWELS_CS),
        2 => ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1"),
        3 => ScannedGoods::barcode(sample::COFFEE_CS).with_lot("C-2"),
        4 => ScannedGoods::barcode(sample::MILK_EA)
            .with_lot("L1")
            .with_expiry(date(2027, 3, 1)),
        5 => ScannedGoods::barcode(sample::VITAMINS_EA)
            .with_lot("V1")
            .with_expiry(date(2027, 6, 30)),
        // Short-dated: accepted into quarantine only with a supervisor.
        6 => ScannedGoods::barcode(sample::MILK_EA)
            .with_lot("L0")
            .with_expiry(date(2026, 12, 10)),
        // Unknown label.
        _ => ScannedGoods::barcode("0000000000000"),
    }
}

const DOCKS: [&str; 3] = ["DOCK-01", "DOCK-02", "A-01-01"];
/// (code, check string); index 0 means "the suggestion".
const DESTINATIONS: [(&str, &str); 5] = [
    ("", ""),
    ("A-01-03", "43"),
    ("A-01-05", "55"),
    ("QA-01", "91"),
    ("STAGE-01", "81"),
];

/// Mostly the first dock, sometimes the second, now and then a storage bin (an error).
fn dock() -> impl Strategy<Value = usize> {
    prop_oneof![7 => Just(0usize), 2 => Just(1usize), 1 => Just(2usize)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..8usize, -1..6i64, any::<bool>(), dock(), prop::bool::weighted(0.2), prop::bool::weighted(0.2))
            .prop_map(|(goods, quantity, on_asn, dock, approve, replay)| Step::Receive { goods, quantity, on_asn, dock, approve, replay }),
        8 => (0..8usize, 0..5i64, dock(), prop_oneof![3 => Just(0usize), 2 => 1..5usize], prop::bool::weighted(0.15), any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(goods, quantity, dock, destination, wrong_check, reason, replay)| Step::Putaway { goods, quantity, dock, destination, wrong_check, reason, replay }),
        1 => any::<bool>().prop_map(|asn| Step::Close { asn }),
        1 => Just(Step::OpenBlind),
    ]
}

#[derive(Default)]
struct Shift {
    blind: u32,
    received: i64,
    put_away: i64,
}

fn last_seq(store: &Store) -> i64 {
    store.read(outbox::counts).unwrap().last_seq
}

/// Runs `command` and checks its events (`expected(result)` of them) or, when it fails, that
/// nothing changed; when `replay`, runs it again and checks nothing more was written.
fn check<R: PartialEq + std::fmt::Debug>(
    store: &Store,
    op_id: uuid::Uuid,
    replay: bool,
    expected_events: impl Fn(&R) -> usize,
    command: impl Fn() -> dockhand_core::Result<R>,
) -> Option<R> {
    let before = dump(store);
    let seq = last_seq(store);
    match command() {
        Ok(result) => {
            let events = store
                .read(|c| outbox::events_of_operation(c, op_id))
                .unwrap();
            assert_eq!(
                events.len(),
                expected_events(&result),
                "events of {result:?}"
            );
            assert_eq!(
                events.iter().map(|e| e.seq).collect::<Vec<_>>(),
                ((seq + 1)..=(seq + events.len() as i64)).collect::<Vec<_>>()
            );
            if replay {
                let after = dump(store);
                assert_eq!(
                    command().unwrap(),
                    result,
                    "a replay must return the first result"
                );
                assert_eq!(after, dump(store), "a replay must write nothing");
            }
            Some(result)
        }
        Err(e) => {
            assert_ne!(e.kind(), dockhand_core::ErrorKind::Storage, "{e}");
            assert_eq!(
                before,
                dump(store),
                "rejected command changed the database: {e}"
            );
            None
        }
    }
}

fn run(store: &Store, shift: &mut Shift, step: &Step) {
    let blind_id = format!("B-{}", shift.blind);
    match step.clone() {
        Step::Receive {
            goods: g,
            quantity,
            on_asn,
            dock,
            approve,
            replay,
        } => {
            let cmd = ReceiveLine {
                op_id: op(),
                operator: "alice".into(),
                receipt_id: if on_asn { sample::ASN.into() } else { blind_id },
                dock: DOCKS[dock].into(),
                scan: goods(g),
                quantity,
                lpn: None,
                approved_by: approve.then(|| "sam".into()),
            };
            if let Some(r) = check(
                store,
                cmd.op_id,
                replay,
                |_| 1,
                || receiving::receive_line(store, &cmd),
            ) {
                shift.received += r.base_quantity;
            }
        }
        Step::Putaway {
            goods: g,
            quantity,
            dock,
            destination,
            wrong_check,
            reason,
            replay,
        } => {
            let scan = goods(g);
            let (to, check_string) = if destination == 0 {
                let request = PutawayRequest {
                    from: DOCKS[dock].into(),
                    scan: scan.clone(),
                    lpn: None,
                };
                match putaway::suggest_putaway(store, &request) {
                    Ok(task) => {
                        let loc = store
                            .read(|c| {
                                dockhand_core::catalog::location_by_code(
                                    c,
                                    &task.suggestion.location,
                                )
                            })
                            .unwrap();
                        (loc.location.code, loc.location.check_string)
                    }
                    Err(_) => ("A-01-01".to_string(), "41".to_string()),
                }
            } else {
                (
                    DESTINATIONS[destination].0.to_string(),
                    DESTINATIONS[destination].1.to_string(),
                )
            };
            let cmd = ConfirmPutaway {
                op_id: op(),
                operator: "bob".into(),
                from: DOCKS[dock].into(),
                scan,
                lpn: None,
                quantity,
                to,
                check_string: if wrong_check {
                    "00".into()
                } else {
                    check_string
                },
                override_reason: reason.then(|| "bin label damaged".into()),
            };
            if let Some(r) = check(
                store,
                cmd.op_id,
                replay,
                |_| 1,
                || putaway::confirm_putaway(store, &cmd),
            ) {
                shift.put_away += r.base_quantity;
            }
        }
        Step::Close { asn } => {
            let cmd = CloseReceipt {
                op_id: op(),
                operator: "alice".into(),
                receipt_id: if asn { sample::ASN.into() } else { blind_id },
            };
            check(
                store,
                cmd.op_id,
                false,
                |r: &receiving::ReceiptClosed| r.discrepancies.len() + 1,
                || receiving::close_receipt(store, &cmd),
            );
        }
        Step::OpenBlind => {
            let cmd = OpenBlindReceipt {
                op_id: op(),
                operator: "bob".into(),
                receipt_id: format!("B-{}", shift.blind + 1),
                reference: "delivery note".into(),
                supplier: "ToolCo".into(),
            };
            if check(
                store,
                cmd.op_id,
                false,
                |_| 1,
                || receiving::open_blind_receipt(store, &cmd),
            )
            .is_some()
            {
                shift.blind += 1;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_shift_keeps_the_ledger_the_outbox_and_the_stock_consistent(steps in prop::collection::vec(step(), 1..60)) {
        let f = seeded();
        let mut shift = Shift::default();
        run(&f.store, &mut shift, &Step::OpenBlind);
        for s in &steps {
            run(&f.store, &mut shift, s);
        }
        let report = f.store.verify_integrity().unwrap();
        prop_assert!(report.is_ok(), "{report:?}");
        let balances = f.store.read(stock::all_balances).unwrap();
        let total: i64 = balances.iter().map(|b| b.quantity).sum();
        let off_docks: i64 = balances.iter().filter(|b| !b.location.starts_with("DOCK")).map(|b| b.quantity).sum();
        prop_assert_eq!(total, shift.received, "stock appeared or vanished");
        prop_assert_eq!(off_docks, shift.put_away, "putaway quantities do not add up");
        // Every committed command is recorded once, and every event belongs to one.
        let (ops, orphans): (i64, i64) = f.store.read(|c| Ok((
            c.query_row("SELECT COUNT(*) FROM operations", [], |r| r.get(0))?,
            c.query_row("SELECT COUNT(*) FROM outbox WHERE op_id NOT IN (SELECT op_id FROM operations)", [], |r| r.get(0))?,
        ))).unwrap();
        prop_assert!(ops >= 1);
        prop_assert_eq!(orphans, 0);
    }
}
