//! Battery pulls: a child process runs receive / putaway / close commands in a loop and is killed
//! with SIGKILL at random moments, at least 200 times. After every kill the database must open,
//! pass `verify_integrity()` (balances = ledger, seq gap-free, hash chain intact), and hold every
//! command the child reported as committed, each with its events — and no command without them.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dockhand_core::{Store, ops, outbox};
use rand::Rng;
use uuid::Uuid;

fn kills() -> usize {
    std::env::var("DOCKHAND_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

#[test]
fn killing_the_device_at_random_moments_never_loses_or_half_writes_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("device.db");
    let mut rng = rand::rng();
    let mut reported = 0usize;
    let mut killed_mid_run = 0usize;
    let started = Instant::now();
    for round in 0..kills() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockhand"))
            .args(["soak", "--db"])
            .arg(&db)
            .args(["--seed", &(round + 1).to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.random_range(1_000..40_000)));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(
            status.code().is_none(),
            "the soak child stopped by itself ({status}): {stderr}"
        );
        killed_mid_run += 1;

        let store = Store::open(&db, "soak-device")
            .unwrap_or_else(|e| panic!("round {round}: the database did not reopen: {e}"));
        let report = store.verify_integrity().unwrap();
        assert!(report.is_ok(), "round {round}: {report:?}");
        // Only complete lines: the kill may cut the last one short.
        for line in stdout.lines().filter(|l| l.len() >= 46) {
            let mut words = line.split_whitespace();
            let (Some("committed"), Some(kind), Some(id)) =
                (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let Ok(op_id) = Uuid::parse_str(id) else {
                continue;
            };
            reported += 1;
            assert!(
                store.read(|c| ops::is_committed(c, op_id)).unwrap(),
                "round {round}: {kind} {op_id} was reported committed but is missing"
            );
            let events = store
                .read(|c| outbox::events_of_operation(c, op_id))
                .unwrap();
            let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
            match kind {
                "receive" => assert_eq!(types, ["receiving.line_received"]),
                "putaway" => assert_eq!(types, ["putaway.confirmed"]),
                "open" => assert_eq!(types, ["receiving.blind_opened"]),
                "close" => assert_eq!(types.last(), Some(&"receiving.closed"), "{types:?}"),
                other => panic!("unexpected report {other}"),
            }
        }
        // No command without its events, no events without their command.
        let (bare_ops, orphan_events): (i64, i64) = store
            .read(|c| {
                Ok((
                    c.query_row("SELECT COUNT(*) FROM operations WHERE op_id NOT IN (SELECT op_id FROM outbox)", [], |r| r.get(0))?,
                    c.query_row("SELECT COUNT(*) FROM outbox WHERE op_id NOT IN (SELECT op_id FROM operations)", [], |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!((bare_ops, orphan_events), (0, 0), "round {round}");
    }
    let store = Store::open(&db, "soak-device").unwrap();
    let counts = store.read(outbox::counts).unwrap();
    let committed: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM operations", [], |r| r.get(0))?))
        .unwrap();
    eprintln!(
        "{killed_mid_run} kills in {:.1} s: {reported} commits reported by the child, {committed} commands and {} events in the database",
        started.elapsed().as_secs_f64(),
        counts.last_seq
    );
    assert_eq!(killed_mid_run, kills());
    assert!(reported as i64 <= committed);
    assert!(
        committed >= kills() as i64,
        "the child did too little work between kills to test anything"
    );
}
