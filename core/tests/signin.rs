//! Badge + PIN: signing in on a handheld, the lockout after wrong PINs, and the approval matrix —
//! every kind of approval against every kind of approver, with the database unchanged whenever
//! one is refused (a wrong PIN adds only its own count).
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::*;
use dockhand_core::catalog::{MasterData, Operator, Role};
use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::counting::{
    self, ApproveCount, CountOutcome, CountTaskRequest, CountedLine, CreateCountTask, StartCount,
    SubmitCount,
};
use dockhand_core::credentials::{self, Approval, Credential, LOCK_MINUTES, MAX_PIN_FAILURES};
use dockhand_core::receiving::{self, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{Policy, ScannedGoods, Store, catalog, outbox, putaway, sample};
use uuid::Uuid;

/// The sample warehouse, its badges and lee (an inactive supervisor) on a store that requires
/// sign-in, as a real handheld does.
fn handheld() -> Fixture {
    let f = empty_with(Policy::default());
    let mut data = sample::warehouse();
    data.credentials = sample_credentials();
    catalog::upsert_master_data(&f.store, &data).unwrap();
    receiving::load_expected_receipts(&f.store, &[sample::asn()]).unwrap();
    f
}

fn sign_in(store: &Store, operator: &str) {
    let b = badge_of(operator);
    credentials::sign_in(store, &b.badge, &b.pin).unwrap();
}

/// The hub sends `operator` a badge with a PIN.
fn issue_badge(store: &Store, operator: &str, badge: &str, pin: &str) {
    let credential = Credential {
        operator_id: operator.into(),
        badge: badge.into(),
        pin_hash: credentials::hash_pin(operator, badge, pin).unwrap(),
    };
    catalog::upsert_master_data(
        store,
        &MasterData {
            credentials: vec![credential],
            ..MasterData::default()
        },
    )
    .unwrap();
}

/// The dump without the wrong-PIN counts.
fn dump_but_pin_failures(store: &Store) -> Vec<String> {
    dump(store)
        .into_iter()
        .filter(|l| !l.starts_with("pin_failures"))
        .collect()
}

#[test]
fn once_a_device_holds_badges_every_command_is_the_signed_in_operators() {
    let f = handheld();
    let receive_as = |who: &str| {
        let mut cmd = receive(towel_cases(), 1);
        cmd.operator = who.into();
        receiving::receive_line(&f.store, &cmd)
    };
    let err = assert_rejected(&f.store, "not_signed_in", || receive_as("alice"));
    assert_message_names(&err, &["alice", "nobody is", "badge and PIN"]);
    assert_eq!(credentials::signed_in(&f.store).unwrap(), None);

    // bob signs in: alice's name on a command is not enough.
    sign_in(&f.store, "bob");
    let err = assert_rejected(&f.store, "not_signed_in", || receive_as("alice"));
    assert_message_names(&err, &["alice", "bob is"]);
    let done = receive_as("bob").unwrap();
    assert_eq!(done.base_quantity, 24);

    // alice takes the handheld: bob is signed out by her sign-in.
    let alice = credentials::sign_in(&f.store, "BADGE-0001", "111111").unwrap();
    assert_eq!((alice.id.as_str(), alice.role), ("alice", Role::Operator));
    assert_rejected(&f.store, "not_signed_in", || receive_as("bob"));
    receive_as("alice").unwrap();

    // Signed out: nobody's commands run; the sign-in survives a restart until then.
    let path = f.path();
    drop(f.store);
    let store = Store::open(&path, "handheld-07").unwrap();
    assert_eq!(
        credentials::signed_in(&store).unwrap().map(|o| o.id),
        Some("alice".into())
    );
    assert_eq!(credentials::sign_out(&store).unwrap(), Some("alice".into()));
    let mut cmd = receive(towel_cases(), 1);
    cmd.operator = "alice".into();
    assert_rejected(&store, "not_signed_in", || {
        receiving::receive_line(&store, &cmd)
    });
}

#[test]
fn five_wrong_pins_lock_a_badge_for_a_while_and_a_new_pin_from_the_hub_unlocks_it() {
    let f = handheld();
    // Not a PIN at all: told apart, not counted.
    let err = credentials::sign_in(&f.store, "BADGE-0002", "22a2").unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_message_names(&err, &["PIN", "6 to 12 digits"]);
    let err = assert_rejected(&f.store, "unknown_badge", || {
        credentials::sign_in(&f.store, &format!("BADGE-{}", "9".repeat(200)), "222222")
    });
    assert!(err.to_string().len() < 120, "{err}");

    for left in (1..MAX_PIN_FAILURES).rev() {
        let err = credentials::sign_in(&f.store, "BADGE-0002", "222223").unwrap_err();
        assert_eq!(err.code(), "wrong_pin");
        assert_message_names(&err, &["BADGE-0002", &format!("{left} more wrong PIN")]);
        assert!(!err.to_string().contains("222223"), "{err}");
    }
    let err = credentials::sign_in(&f.store, "BADGE-0002", "222223").unwrap_err();
    assert_eq!(err.code(), "badge_locked");
    assert_message_names(&err, &["BADGE-0002", "5 wrong PINs", "2026-11-27 07:15"]);
    // Locked: the right PIN does not open it either, and nobody is signed in.
    let err = credentials::sign_in(&f.store, "BADGE-0002", "222222").unwrap_err();
    assert_eq!(err.code(), "badge_locked");
    assert_eq!(credentials::signed_in(&f.store).unwrap(), None);
    // Other badges are not affected.
    sign_in(&f.store, "alice");

    // After the lock, one guess: a wrong one locks the badge again at once (moving the clock
    // buys one guess per lock period, not five).
    f.clock.advance(Duration::minutes(LOCK_MINUTES + 1));
    let err = credentials::sign_in(&f.store, "BADGE-0002", "222224").unwrap_err();
    assert_eq!(err.code(), "badge_locked");
    assert_message_names(&err, &["6 wrong PINs"]);
    f.clock.advance(Duration::minutes(LOCK_MINUTES + 1));
    // The right PIN works and the count starts again.
    assert_eq!(
        credentials::sign_in(&f.store, "BADGE-0002", "222222")
            .unwrap()
            .id,
        "bob"
    );
    let failures: i64 = f
        .store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM pin_failures", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(failures, 0);

    // Locked again; a new PIN from the hub unlocks the badge at once.
    for _ in 0..MAX_PIN_FAILURES {
        credentials::sign_in(&f.store, "BADGE-0002", "000000").unwrap_err();
    }
    assert_eq!(
        credentials::sign_in(&f.store, "BADGE-0002", "222222")
            .unwrap_err()
            .code(),
        "badge_locked"
    );
    issue_badge(&f.store, "bob", "BADGE-0002", "864213");
    assert_eq!(
        credentials::sign_in(&f.store, "BADGE-0002", "222222")
            .unwrap_err()
            .code(),
        "wrong_pin"
    );
    credentials::sign_in(&f.store, "BADGE-0002", "864213").unwrap();
}

#[test]
fn wrong_pins_tried_in_parallel_each_count() {
    let f = handheld();
    let outcomes: Vec<String> = std::thread::scope(|s| {
        let tries: Vec<_> = (0..12)
            .map(|n| {
                let store = &f.store;
                s.spawn(move || {
                    let pin = format!("{:06}", 900_000 + n);
                    credentials::sign_in(store, "BADGE-0002", &pin)
                        .unwrap_err()
                        .code()
                        .to_string()
                })
            })
            .collect();
        tries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    // Every attempt was counted before its PIN was hashed: at most four were told "wrong PIN",
    // the fifth locked the badge and the rest found it locked.
    let wrong = outcomes.iter().filter(|c| *c == "wrong_pin").count();
    let locked = outcomes.iter().filter(|c| *c == "badge_locked").count();
    assert_eq!((wrong, locked), (4, 8), "{outcomes:?}");
    let (failures, locked_until): (i64, Option<String>) = f
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT failures, locked_until FROM pin_failures WHERE badge = 'BADGE-0002'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(failures, 5);
    assert!(locked_until.is_some());
}

#[test]
fn a_badge_given_to_someone_else_or_an_inactive_operator_does_not_sign_in() {
    let f = handheld();
    sign_in(&f.store, "sam");
    // sam's badge is handed to bob (a replacement card): it is bob's now, sam has none, and sam
    // is signed out.
    issue_badge(&f.store, "bob", "BADGE-0003", "222222");
    assert_eq!(credentials::signed_in(&f.store).unwrap(), None);
    assert_eq!(
        credentials::sign_in(&f.store, "BADGE-0003", "222222")
            .unwrap()
            .id,
        "bob"
    );
    assert_eq!(
        credentials::sign_in(&f.store, "BADGE-0002", "222222")
            .unwrap_err()
            .code(),
        "unknown_badge"
    );
    // alice leaves while signed in: she is signed out, and her badge no longer signs in.
    sign_in(&f.store, "alice");
    catalog::upsert_master_data(
        &f.store,
        &MasterData {
            operators: vec![Operator {
                id: "alice".into(),
                name: "Alice Moreau".into(),
                role: Role::Operator,
                active: false,
            }],
            ..MasterData::default()
        },
    )
    .unwrap();
    assert_eq!(credentials::signed_in(&f.store).unwrap(), None);
    let err = credentials::sign_in(&f.store, "BADGE-0001", "111111").unwrap_err();
    assert_eq!(err.code(), "operator_inactive");
    // A hash a handheld should not compute, or not Argon2id at all, is refused on arrival.
    for (hash, words) in [
        (
            "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "exceed what a handheld computes",
        ),
        ("$2b$12$abcdefghijklmnopqrstuv", "unreadable"),
        ("111111", "unreadable"),
    ] {
        let err = assert_rejected(&f.store, "invalid_input", || {
            catalog::upsert_master_data(
                &f.store,
                &MasterData {
                    credentials: vec![Credential {
                        operator_id: "bob".into(),
                        badge: "BADGE-0002".into(),
                        pin_hash: hash.into(),
                    }],
                    ..MasterData::default()
                },
            )
        });
        assert_message_names(&err, &["bob", words]);
    }
}

// ---- the approval matrix --------------------------------------------------------------------

/// What waits for a supervisor.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// 5 cases of milk on a line of 4 (tolerance 5 %).
    OverReceipt,
    /// Milk with 8 days left (30 required).
    ShortDated,
    /// Drills counted one short twice: 129.00, beyond the 100.00 threshold.
    CountVariance,
    /// A received line voided.
    Void,
}

/// A handheld where `need` waits for approval; `by` did the work (received, counted first,
/// recorded the movement), `asks` holds the handheld and asks for the approval.
struct Waiting {
    f: Fixture,
    need: Needs,
    asks: String,
    task_or_event: String,
}

fn waiting(need: Needs, by: &str, asks: &str) -> Waiting {
    let f = handheld();
    common::add_supervisor_lee(&f.store);
    let s = &f.store;
    let task_or_event = match need {
        Needs::OverReceipt | Needs::ShortDated => String::new(),
        Needs::Void => {
            sign_in(s, by);
            let mut cmd = receive(towel_cases(), 1);
            cmd.operator = by.into();
            receiving::receive_line(s, &cmd)
                .unwrap()
                .event_id
                .to_string()
        }
        Needs::CountVariance => {
            sign_in(s, "alice");
            receiving::open_blind_receipt(
                s,
                &OpenBlindReceipt {
                    op_id: op(),
                    operator: "alice".into(),
                    receipt_id: "DN-1".into(),
                    reference: "drills".into(),
                    supplier: "Tools".into(),
                },
            )
            .unwrap();
            let drill = |serial: &str| ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial);
            for serial in ["SN-1", "SN-2", "SN-3"] {
                let mut cmd = receive(drill(serial), 1);
                cmd.receipt_id = "DN-1".into();
                receiving::receive_line(s, &cmd).unwrap();
                let mut put = move_to(drill(serial), 1, "A-01-03", "43");
                put.operator = "alice".into();
                put.override_reason = Some("test shelf".into());
                putaway::confirm_putaway(s, &put).unwrap();
            }
            counting::create_count_task(
                s,
                &CreateCountTask {
                    op_id: op(),
                    operator: "alice".into(),
                    task: CountTaskRequest {
                        task_id: "CC-D".into(),
                        location: Some("A-01-03".into()),
                        sku: None,
                        reason: "weekly".into(),
                    },
                },
            )
            .unwrap();
            let second = if by == "bob" { "alice" } else { "bob" };
            let mut outcome = None;
            for (round, who) in [by, second].into_iter().enumerate() {
                sign_in(s, who);
                if round == 0 {
                    counting::start_count(
                        s,
                        &StartCount {
                            op_id: op(),
                            operator: who.into(),
                            task_id: "CC-D".into(),
                        },
                    )
                    .unwrap();
                }
                let submitted = counting::submit_count(
                    s,
                    &SubmitCount {
                        op_id: op(),
                        operator: who.into(),
                        task_id: "CC-D".into(),
                        lines: ["SN-1", "SN-2"]
                            .map(|sn| CountedLine {
                                location: None,
                                scan: drill(sn),
                                quantity: 1,
                                counted_at: None,
                            })
                            .to_vec(),
                    },
                )
                .unwrap();
                outcome = Some(submitted.outcome);
            }
            assert_eq!(outcome, Some(CountOutcome::ApprovalRequired));
            "CC-D".into()
        }
    };
    sign_in(s, asks);
    Waiting {
        f,
        need,
        asks: asks.into(),
        task_or_event,
    }
}

impl Waiting {
    /// Runs the command that needs the approval; the approver recorded in its event.
    fn approve(&self, approval: Approval) -> dockhand_core::Result<Option<String>> {
        let s = &self.f.store;
        let op_id: Uuid = match self.need {
            Needs::OverReceipt | Needs::ShortDated => {
                let mut cmd: ReceiveLine = match self.need {
                    Needs::OverReceipt => receive(milk_scan(sample::MILK_CS), 5),
                    _ => receive(
                        ScannedGoods::barcode(sample::MILK_CS)
                            .with_lot("L-SHORT")
                            .with_expiry(date(2026, 12, 5)),
                        1,
                    ),
                };
                cmd.operator = self.asks.clone();
                cmd.approval = Some(approval);
                receiving::receive_line(s, &cmd)?;
                cmd.op_id
            }
            Needs::CountVariance => {
                let cmd = ApproveCount {
                    op_id: op(),
                    operator: self.asks.clone(),
                    task_id: self.task_or_event.clone(),
                    approval,
                };
                counting::approve_count(s, &cmd)?;
                cmd.op_id
            }
            Needs::Void => {
                let cmd = VoidMovement {
                    op_id: op(),
                    operator: self.asks.clone(),
                    event_id: self.task_or_event.parse().unwrap(),
                    reason: "scanned twice".into(),
                    approval,
                };
                corrections::void_movement(s, &cmd)?;
                cmd.op_id
            }
        };
        let events = s.read(|c| outbox::events_of_operation(c, op_id))?;
        assert!(!events.is_empty());
        assert!(events.iter().all(|e| e.user_id == self.asks));
        Ok(events[0].payload["approved_by"].as_str().map(String::from))
    }
}

#[test]
fn the_approval_matrix() {
    let lee_inactive = |w: &Waiting| {
        catalog::upsert_master_data(
            &w.f.store,
            &MasterData {
                operators: vec![Operator {
                    id: "lee".into(),
                    name: "Lee Park".into(),
                    role: Role::Supervisor,
                    active: false,
                }],
                ..MasterData::default()
            },
        )
        .unwrap();
    };
    for need in [
        Needs::OverReceipt,
        Needs::ShortDated,
        Needs::CountVariance,
        Needs::Void,
    ] {
        // (whose work, who asks, approver, expected code or "ok")
        let mut rows: Vec<(&str, &str, Approval, &str)> = vec![
            ("alice", "alice", badge_of("sam"), "ok"),
            ("alice", "alice", badge_of("lee"), "ok"),
            (
                "alice",
                "alice",
                Approval::new("BADGE-0003", "333334"),
                "wrong_pin",
            ),
            (
                "alice",
                "alice",
                Approval::new("BADGE-7777", "333333"),
                "unknown_badge",
            ),
            (
                "alice",
                "alice",
                Approval::new("BADGE-0003", ""),
                "invalid_input",
            ),
            ("alice", "alice", badge_of("bob"), "not_a_supervisor"),
        ];
        // Four eyes: a supervisor never approves their own work or their own request.
        match need {
            Needs::OverReceipt | Needs::ShortDated => {
                rows.push(("sam", "sam", badge_of("sam"), "self_approval"));
            }
            Needs::CountVariance => {
                rows.push(("sam", "bob", badge_of("sam"), "self_approval"));
                rows.push(("sam", "bob", badge_of("lee"), "ok"));
            }
            Needs::Void => {
                rows.push(("sam", "bob", badge_of("sam"), "self_approval"));
                rows.push(("bob", "sam", badge_of("sam"), "self_approval"));
                rows.push(("bob", "sam", badge_of("lee"), "ok"));
            }
        }
        for (by, asks, approval, expected) in rows {
            let w = waiting(need, by, asks);
            let who = approval.badge.clone();
            let case = format!("{need:?}: work of {by}, asked by {asks}, approved by {who}");
            let before = dump_but_pin_failures(&w.f.store);
            match (w.approve(approval), expected) {
                (Ok(approved_by), "ok") => {
                    let expected_by = if who == "BADGE-0009" { "lee" } else { "sam" };
                    assert_eq!(approved_by.as_deref(), Some(expected_by), "{case}");
                }
                (Ok(_), _) => panic!("{case}: approved, expected {expected}"),
                (Err(e), _) => {
                    assert_eq!(e.code(), expected, "{case}: {e}");
                    assert_eq!(before, dump_but_pin_failures(&w.f.store), "{case}");
                    if expected == "self_approval" {
                        assert_message_names(&e, &["another supervisor"]);
                    }
                }
            }
        }
        // An inactive supervisor's badge approves nothing.
        let w = waiting(need, "alice", "alice");
        lee_inactive(&w);
        let err = assert_rejected(&w.f.store, "operator_inactive", || {
            w.approve(badge_of("lee"))
        });
        assert_message_names(&err, &["lee"]);
    }
}

#[test]
fn a_pin_never_reaches_the_operation_log_the_outbox_or_debug_output() {
    let w = waiting(Needs::OverReceipt, "alice", "alice");
    issue_badge(&w.f.store, "sam", "BADGE-0003", "97531864");
    let approval = Approval::new("BADGE-0003", "97531864");
    w.approve(approval.clone()).unwrap();
    let everything = dump(&w.f.store);
    assert!(everything.iter().any(|l| l.contains("$argon2id$")));
    let stored: Vec<&String> = everything
        .iter()
        .filter(|l| l.contains("97531864"))
        .collect();
    assert!(stored.is_empty(), "a PIN was stored: {stored:?}");
    // Not in the operation's fingerprint either: commands differing only in the PIN are one.
    let mut cmd = receive(milk_scan(sample::MILK_CS), 5);
    cmd.approval = Some(approval.clone());
    let with_pin = dockhand_core::ops::fingerprint("receiving.receive_line", &cmd).unwrap();
    cmd.approval = Some(Approval::new("BADGE-0003", "000000"));
    let other_pin = dockhand_core::ops::fingerprint("receiving.receive_line", &cmd).unwrap();
    assert_eq!(with_pin, other_pin);
    assert!(!format!("{approval:?}").contains("97531864"));
    let json = serde_json::to_string(&cmd).unwrap();
    assert!(!json.contains("000000"), "{json}");
}

#[test]
fn a_retry_of_an_approved_command_returns_its_first_result_without_the_pin() {
    let w = waiting(Needs::OverReceipt, "alice", "alice");
    let s = &w.f.store;
    let mut cmd = receive(milk_scan(sample::MILK_CS), 5);
    cmd.approval = Some(badge_of("sam"));
    let first = receiving::receive_line(s, &cmd).unwrap();
    assert_eq!(first.approved_by.as_deref(), Some("sam"));
    // The app retries after a timeout; the supervisor has walked away (no PIN), and meanwhile
    // someone locked sam's badge with wrong PINs.
    for _ in 0..MAX_PIN_FAILURES {
        credentials::sign_in(s, "BADGE-0003", "000000").unwrap_err();
    }
    let before = dump(s);
    cmd.approval = Some(Approval::new("BADGE-0003", ""));
    assert_eq!(receiving::receive_line(s, &cmd).unwrap(), first);
    assert_eq!(before, dump(s), "a replay wrote something");
    // A new operation with that badge is refused: the lock holds.
    cmd.op_id = op();
    cmd.approval = Some(badge_of("sam"));
    assert_eq!(
        receiving::receive_line(s, &cmd).unwrap_err().code(),
        "badge_locked"
    );
}
