//! Damaged and read-only device databases, as support receives them: `inspect` reports physical
//! corruption (exit 1) and writes nothing beside a file, even on read-only media; `salvage`
//! recovers the unsent events SQLite can still read.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dockhand_core::workload::Workload;
use dockhand_core::{Store, StoreOptions, outbox};

fn dockhand(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockhand"))
        .args(args)
        .env_remove("DOCKHAND_DB_KEY")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A plain device database with `commands` workload commands, none synced, closed cleanly.
fn device(dir: &Path, commands: usize) -> PathBuf {
    let path = dir.join("device.db");
    let store = Store::open_with(&path, StoreOptions::new("HH-DAMAGED")).unwrap();
    Workload::seed_store(&store).unwrap();
    let mut mix = Workload::new(7);
    for _ in 0..commands {
        mix.step(&store).unwrap();
    }
    path
}

fn page_size(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap();
    match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536,
        n => n as usize,
    }
}

/// A copy of `path` with page `page` (1-based) overwritten from byte 8 on.
fn with_page_destroyed(path: &Path, page: usize, out: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let size = page_size(path);
    let start = (page - 1) * size;
    for (i, b) in bytes[start + 8..start + size].iter_mut().enumerate() {
        *b = (i * 151 % 251) as u8;
    }
    std::fs::write(out, bytes).unwrap();
}

fn quick_check_fails(path: &Path) -> bool {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let result: rusqlite::Result<String> =
        conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
    !matches!(result.as_deref(), Ok("ok"))
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn inspect_fails_on_every_single_page_corruption_sqlite_detects() {
    let dir = tempfile::tempdir().unwrap();
    let path = device(dir.path(), 300);
    let pages = std::fs::metadata(&path).unwrap().len() as usize / page_size(&path);
    let out = dockhand(&["inspect", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("storage (SQLite integrity_check):\n  OK"),
        "{}",
        text(&out)
    );

    let (mut detected, mut missed) = (0, Vec::new());
    for page in 2..=pages {
        let copy = dir.path().join(format!("page-{page}.db"));
        with_page_destroyed(&path, page, &copy);
        if !quick_check_fails(&copy) {
            continue; // a free page, or damage SQLite itself cannot see
        }
        let out = dockhand(&["inspect", copy.to_str().unwrap()]);
        match out.status.code() {
            Some(1) => {
                detected += 1;
                assert!(text(&out).contains("FAILED"), "{}", text(&out));
            }
            _ => missed.push((page, text(&out))),
        }
        std::fs::remove_file(&copy).unwrap();
    }
    assert!(
        missed.is_empty(),
        "inspect passed damaged pages: {missed:?}"
    );
    assert!(
        detected >= pages / 2,
        "{detected} of {pages} pages were detected"
    );
    println!(
        "{detected} of {} single-page corruptions detected, 0 missed",
        pages - 1
    );
}

#[test]
fn inspect_opens_copies_on_read_only_media_and_writes_nothing_beside_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = device(dir.path(), 40);
    // A support copy taken while the app was running: the database and its WAL.
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    let store = Store::open_with(&path, StoreOptions::new("HH-DAMAGED")).unwrap();
    Workload::new(8).step(&store).unwrap();
    let wal = dir.path().join("device.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    std::fs::copy(&path, media.join("with-wal.db")).unwrap();
    std::fs::copy(&wal, media.join("with-wal.db-wal")).unwrap();
    let events = store.read(outbox::counts).unwrap().last_seq;
    drop(store);
    std::fs::copy(&path, media.join("clean.db")).unwrap();

    let before = listing(&media);
    for name in ["with-wal.db", "clean.db"] {
        let db = media.join(name);
        let out = dockhand(&["inspect", db.to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", text(&out));
        let events_line = format!("{events} events (last seq {events})");
        assert!(text(&out).contains(&events_line), "{name}: {}", text(&out));
    }
    assert_eq!(listing(&media), before, "inspect wrote beside the files");

    // Really read-only: as an unprivileged user in a directory it cannot write to.
    let unprivileged = |args: &[&str]| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_dockhand"))
            .args(args)
            .env("TMPDIR", "/tmp")
            .output()
    };
    use std::os::unix::fs::PermissionsExt;
    let is_root = unprivileged(&["--version"]).is_ok_and(|o| o.status.success());
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&media, std::fs::Permissions::from_mode(0o555)).unwrap();
    for name in ["with-wal.db", "clean.db"] {
        let db = media.join(name);
        let out = if is_root {
            unprivileged(&["inspect", db.to_str().unwrap()]).unwrap()
        } else {
            dockhand(&["inspect", db.to_str().unwrap()])
        };
        assert!(
            out.status.success(),
            "{name} on read-only media: {}",
            text(&out)
        );
    }
    std::fs::set_permissions(&media, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(listing(&media), before);
}

#[test]
fn inspect_reads_an_older_devices_file_from_an_upgraded_copy_and_leaves_it_as_it_came() {
    let dir = tempfile::tempdir().unwrap();
    let path = device(dir.path(), 40);
    let events = Store::open_with(&path, StoreOptions::new("HH-DAMAGED"))
        .unwrap()
        .read(outbox::counts)
        .unwrap()
        .last_seq;
    // The same file as a version-4 app left it: no badges, no sign-in, no other-lot records, no
    // hub stock, no task claims or settled exceptions, no reserved totals.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "ALTER TABLE pick_tasks DROP COLUMN ship_by;
         DROP TABLE replenishment_tasks; ALTER TABLE locations DROP COLUMN replenish_sku;
         ALTER TABLE locations DROP COLUMN replenish_min; ALTER TABLE locations DROP COLUMN replenish_max;
         ALTER TABLE locations DROP COLUMN max_units;
         DROP INDEX ledger_by_lpn; DROP TABLE handling_units; DROP TABLE sscc_blocks; DROP TABLE kept_local; DROP TABLE task_claims; DROP TABLE exception_settlements;
         DROP TABLE hub_stock;
         ALTER TABLE sync_state DROP COLUMN stock_cursor;
         ALTER TABLE sync_state DROP COLUMN hub_applied_seq;
         DROP TABLE receipt_other_lots;
         DROP TABLE signed_in; DROP TABLE pin_failures; DROP TABLE credentials;
         DROP TRIGGER reserved_totals_add; DROP TRIGGER reserved_totals_take;
         DROP TRIGGER reserved_totals_change; DROP TABLE reserved_totals;
         PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(raw);
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    std::fs::copy(&path, media.join("v4.db")).unwrap();
    let before = listing(&media);
    let out = dockhand(&["inspect", media.join("v4.db").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let events_line = format!("{events} events (last seq {events})");
    assert!(text(&out).contains(&events_line), "{}", text(&out));
    assert_eq!(
        listing(&media),
        before,
        "inspect changed or wrote beside the file"
    );
}

#[test]
fn salvage_recovers_the_unsent_events_around_a_destroyed_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = device(dir.path(), 400);
    let (expected, public_key) = {
        let store = Store::open_with(&path, StoreOptions::new("HH-DAMAGED")).unwrap();
        (
            store.read(|c| outbox::pending(c, 100_000)).unwrap(),
            store.public_key().unwrap(),
        )
    };
    let pages = std::fs::metadata(&path).unwrap().len() as usize / page_size(&path);

    // The whole file: everything comes back.
    let out_file = dir.path().join("whole.jsonl");
    let out = dockhand(&[
        "salvage",
        path.to_str().unwrap(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let batches = read_batches(&out_file);
    let recovered: Vec<_> = batches.iter().flat_map(|b| b.events.clone()).collect();
    assert_eq!(
        recovered,
        expected
            .iter()
            .map(|e| e.envelope.clone())
            .collect::<Vec<_>>()
    );
    assert!(
        batches
            .iter()
            .all(|b| b.device_id == "HH-DAMAGED" && b.events.len() <= 100)
    );

    // One page destroyed at a time: what is recovered is whole and signed, what is not is
    // reported, and together they account for every pending seq.
    let mut partial = 0;
    for page in 2..=pages {
        let copy = dir.path().join(format!("page-{page}.db"));
        with_page_destroyed(&path, page, &copy);
        let Ok(salvaged) = dockhand_core::salvage::salvage(&copy, None) else {
            continue; // the outbox's root or the schema itself is gone
        };
        for e in &salvaged.events {
            assert_eq!(e.computed_hash(), e.hash);
            assert!(verify(&public_key, e), "seq {} has a bad signature", e.seq);
        }
        let lost: i64 = salvaged.lost.iter().map(|(a, b)| b - a + 1).sum();
        if salvaged.unreadable_from.is_none() {
            assert_eq!(
                salvaged.events.len() as i64 + lost,
                expected.len() as i64,
                "page {page}: {:?}",
                salvaged.lost
            );
        }
        if lost > 0 && !salvaged.events.is_empty() {
            partial += 1;
            if partial == 1 {
                let out_file = dir.path().join("partial.jsonl");
                let out = dockhand(&[
                    "salvage",
                    copy.to_str().unwrap(),
                    "--out",
                    out_file.to_str().unwrap(),
                ]);
                assert_eq!(out.status.code(), Some(1), "{}", text(&out));
                assert!(text(&out).contains("lost: seq"), "{}", text(&out));
                let n: usize = read_batches(&out_file).iter().map(|b| b.events.len()).sum();
                assert_eq!(n, salvaged.events.len());
            }
        }
        std::fs::remove_file(&copy).unwrap();
    }
    assert!(partial > 0, "no page held only part of the outbox");
    println!("{partial} single-page corruptions salvaged in part");
}

#[test]
fn salvage_of_a_database_with_nothing_unsent_recovers_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let key = dockhand_core::keys::generate_key();
    let store = Store::open_with(
        &path,
        StoreOptions::new("HH-SYNCED").with_encryption_key(&key),
    )
    .unwrap();
    Workload::seed_store(&store).unwrap();
    drop(store);
    let out_file = dir.path().join("none.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_dockhand"))
        .args([
            "salvage",
            path.to_str().unwrap(),
            "--out",
            out_file.to_str().unwrap(),
        ])
        .env("DOCKHAND_DB_KEY", &key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("0 unsent events recovered"),
        "{}",
        text(&out)
    );
    // A wrong key is a wrong key, not damage.
    let out = Command::new(env!("CARGO_BIN_EXE_dockhand"))
        .args([
            "salvage",
            path.to_str().unwrap(),
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ])
        .env("DOCKHAND_DB_KEY", dockhand_core::keys::generate_key())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("encryption key does not open it"),
        "{}",
        text(&out)
    );
}

fn read_batches(path: &Path) -> Vec<dockhand_core::sync::protocol::EventBatch> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn verify(public_key_hex: &str, e: &dockhand_core::outbox::Envelope) -> bool {
    dockhand_core::identity::verify(public_key_hex, &e.hash, &e.signature).is_ok()
}
