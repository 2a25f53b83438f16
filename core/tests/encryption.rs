//! Encrypted device databases (SQLCipher, feature `encryption`): unreadable without the key, a
//! wrong key refused with a sentence, the right key gives everything back. Without the feature, a
//! key is refused before any file is made.
#![allow(clippy::unwrap_used)]

use dockhand_core::{Store, StoreOptions};

#[cfg(not(feature = "encryption"))]
#[test]
fn a_build_without_encryption_refuses_a_key_and_makes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let err = Store::open_with(
        &path,
        StoreOptions::new("HH-1").with_encryption_key("correct horse battery staple"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("no encryption"), "{err}");
    assert!(!path.exists());
}

#[cfg(feature = "encryption")]
#[test]
fn an_encrypted_database_opens_only_with_its_key() {
    use dockhand_core::{catalog, sample};
    let dir = tempfile::tempdir().unwrap();
    let (plain, secret) = (dir.path().join("plain.db"), dir.path().join("secret.db"));
    let key = "correct horse battery staple";
    for (path, options) in [
        (&plain, StoreOptions::new("HH-1")),
        (&secret, StoreOptions::new("HH-1").with_encryption_key(key)),
    ] {
        let store = Store::open_with(path, options).unwrap();
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
    }
    // The plain file shows SQLite's header and the catalog; the encrypted one shows neither.
    let bytes = |p: &std::path::Path| {
        let mut all = std::fs::read(p).unwrap();
        all.extend(std::fs::read(p.with_extension("db-wal")).unwrap_or_default());
        all
    };
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains(&bytes(&plain), "SQLite format 3"));
    assert!(contains(&bytes(&plain), "Paper towels"));
    assert!(!contains(&bytes(&secret), "SQLite format 3"));
    assert!(!contains(&bytes(&secret), "Paper towels"));

    let before = std::fs::read(&secret).unwrap();
    let no_key = Store::open(&secret, "HH-1").unwrap_err();
    assert_eq!(no_key.code(), "database_unreadable");
    assert!(no_key.to_string().contains("needs its key"), "{no_key}");
    let wrong = Store::open_with(
        &secret,
        StoreOptions::new("HH-1").with_encryption_key("incorrect horse battery staple"),
    )
    .unwrap_err();
    assert!(
        wrong
            .to_string()
            .contains("encryption key does not open it"),
        "{wrong}"
    );
    assert_eq!(
        std::fs::read(&secret).unwrap(),
        before,
        "refused opens leave the file as it was"
    );

    let store =
        Store::open_with(&secret, StoreOptions::new("HH-1").with_encryption_key(key)).unwrap();
    let counts = store.read(catalog::counts).unwrap();
    assert_eq!(counts.items, sample::warehouse().items.len());
    assert!(store.verify_integrity().unwrap().is_ok());
}

#[cfg(feature = "encryption")]
mod keys {
    use std::path::{Path, PathBuf};

    use dockhand_core::keys::{self, change_key, generate_key};
    use dockhand_core::receiving::{self, OpenBlindReceipt, ReceiveLine};
    use dockhand_core::{ScannedGoods, Store, StoreOptions, catalog, outbox, sample, stock};
    use uuid::Uuid;

    fn open(path: &Path, key: Option<&str>) -> dockhand_core::Result<Store> {
        let mut options = StoreOptions::new("HH-K");
        options.encryption_key = key.map(str::to_string);
        Store::open_with(path, options)
    }

    /// A device with one blind receipt and `units` towels received on DOCK-01.
    fn device_with_stock(path: &Path, key: Option<&str>, units: i64) {
        let store = open(path, key).unwrap();
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
        receiving::open_blind_receipt(
            &store,
            &OpenBlindReceipt {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                receipt_id: "BLIND-1".into(),
                reference: "delivery".into(),
                supplier: "Nordic".into(),
            },
        )
        .unwrap();
        receive(&store, units);
    }

    fn receive(store: &Store, units: i64) {
        receiving::receive_line(
            store,
            &ReceiveLine {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                receipt_id: "BLIND-1".into(),
                dock: "DOCK-01".into(),
                scan: ScannedGoods::barcode(sample::TOWELS_EA),
                quantity: units,
                lpn: None,
                approval: None,
            },
        )
        .unwrap();
    }

    fn on_dock(store: &Store) -> i64 {
        store
            .read(|c| stock::balances_at_location(c, "DOCK-01"))
            .unwrap()
            .iter()
            .map(|b| b.quantity)
            .sum()
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        all.sort();
        all
    }

    #[test]
    fn keys_too_short_or_odd_are_refused_with_their_length_before_a_file_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.db");
        let err = open(&path, Some("s3cret")).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("6 characters long"), "{err}");
        assert!(err.to_string().contains("64 hex digits"), "{err}");
        assert!(open(&path, Some("pass\0word-long-enough-here")).is_err());
        assert!(!path.exists());
        // A raw key (64 hex digits) and a long passphrase both work.
        let raw = generate_key();
        assert_eq!(raw.len(), 64);
        assert!(open(&path, Some(&raw)).is_ok());
        let other = dir.path().join("passphrase.db");
        assert!(open(&other, Some("a passphrase of twenty-nine c")).is_ok());
        assert!(
            open(&other, Some(&raw)).is_err(),
            "a raw key is not the passphrase"
        );
        assert_eq!(keys::MIN_PASSPHRASE_CHARS, 16);
    }

    #[test]
    fn a_plain_database_is_encrypted_in_place_with_every_event_and_balance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.db");
        device_with_stock(&path, None, 7);
        let before = open(&path, None)
            .unwrap()
            .read(|c| outbox::pending(c, 100))
            .unwrap();
        let key = generate_key();
        let changed = change_key(&path, None, Some(&key)).unwrap();
        assert_eq!(changed.device_id, "HH-K");
        assert_eq!(changed.events, before.len() as i64);
        assert!(changed.encrypted);
        assert_eq!(
            files(dir.path()),
            vec![path.clone()],
            "no staging file or WAL left"
        );
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"));

        assert_eq!(open(&path, None).unwrap_err().code(), "database_unreadable");
        let store = open(&path, Some(&key)).unwrap();
        assert_eq!(on_dock(&store), 7);
        let after = store.read(|c| outbox::pending(c, 100)).unwrap();
        assert_eq!(after, before, "events, hashes and signatures carried over");
        // The chain goes on: the next event links to the last one carried over.
        receive(&store, 1);
        let next = store.read(|c| outbox::pending(c, 100)).unwrap();
        let (last, new) = (&next[next.len() - 2], &next[next.len() - 1]);
        assert_eq!((new.seq, &new.prev_hash), (last.seq + 1, &last.hash));
        assert!(store.verify_integrity().unwrap().is_ok());
    }

    #[test]
    fn rekey_replaces_the_key_and_a_wrong_current_key_leaves_the_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.db");
        let (old, new) = (generate_key(), generate_key());
        device_with_stock(&path, Some(&old), 5);
        let untouched = std::fs::read(&path).unwrap();

        let wrong = change_key(&path, Some(&generate_key()), Some(&new)).unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("encryption key does not open it"),
            "{wrong}"
        );
        let plain = change_key(&path, None, Some(&new)).unwrap_err();
        assert!(plain.to_string().contains("needs its key"), "{plain}");
        let same = change_key(&path, Some(&old), Some(&old)).unwrap_err();
        assert_eq!(same.code(), "invalid_input");
        assert_eq!(std::fs::read(&path).unwrap(), untouched);
        assert_eq!(files(dir.path()), vec![path.clone()]);

        // In use: another connection keeps the database open; nothing changes.
        let holder = open(&path, Some(&old)).unwrap();
        let busy = change_key(&path, Some(&old), Some(&new)).unwrap_err();
        assert!(busy.to_string().contains("open elsewhere"), "{busy}");
        drop(holder);
        assert!(open(&path, Some(&old)).is_ok());

        change_key(&path, Some(&old), Some(&new)).unwrap();
        assert!(open(&path, Some(&old)).is_err());
        assert_eq!(on_dock(&open(&path, Some(&new)).unwrap()), 5);

        // The replaced file keeps the original's permissions.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            let third = generate_key();
            change_key(&path, Some(&new), Some(&third)).unwrap();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            change_key(&path, Some(&third), Some(&new)).unwrap();
        }

        // And back to plain, for a development copy.
        let changed = change_key(&path, Some(&new), None).unwrap();
        assert!(!changed.encrypted);
        assert_eq!(on_dock(&open(&path, None).unwrap()), 5);
    }

    #[test]
    fn an_interrupted_rekey_leaves_only_a_staging_file_that_the_next_one_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.db");
        let key = generate_key();
        device_with_stock(&path, Some(&key), 3);
        // A crash mid-export leaves a partial staging file beside the database.
        let staging = dir.path().join("device.db.rekey");
        std::fs::write(&staging, b"half an export").unwrap();
        assert_eq!(on_dock(&open(&path, Some(&key)).unwrap()), 3);
        let new = generate_key();
        change_key(&path, Some(&key), Some(&new)).unwrap();
        assert!(!staging.exists());
        assert_eq!(on_dock(&open(&path, Some(&new)).unwrap()), 3);
    }
}

/// Apps open more than one database as they start (the device's, a second connection for sync):
/// the first keyed opens of a process, on several threads at once, all succeed. Each child
/// process below opens eight encrypted databases at the same instant; before SQLCipher's set-up
/// was awaited, 10 children in 600 had one refused.
#[cfg(feature = "encryption")]
#[test]
fn databases_keyed_on_eight_threads_as_a_process_starts_all_open() {
    const CHILD: &str = "DOCKHAND_TEST_KEYED_START_DIR";
    const THREADS: usize = 8;
    if let Ok(dir) = std::env::var(CHILD) {
        let start = std::sync::Arc::new(std::sync::Barrier::new(THREADS));
        let opened: Vec<_> = (0..THREADS)
            .map(|n| {
                let (start, path) = (
                    start.clone(),
                    std::path::Path::new(&dir).join(format!("{n}.db")),
                );
                std::thread::spawn(move || {
                    start.wait();
                    let options =
                        StoreOptions::new(format!("HH-{n}")).with_encryption_key("ab".repeat(32));
                    Store::open_with(&path, options)
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        for opened in opened {
            opened.join().unwrap().unwrap();
        }
        return;
    }
    let children: usize = std::env::var("DOCKHAND_KEYED_START_CHILDREN")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let me = std::env::current_exe().unwrap();
    let mut refused = Vec::new();
    for _ in 0..children {
        let dir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(&me)
            .args([
                "databases_keyed_on_eight_threads_as_a_process_starts_all_open",
                "--exact",
            ])
            .env(CHILD, dir.path())
            .output()
            .unwrap();
        if !child.status.success() {
            refused.push(
                String::from_utf8_lossy(&child.stdout)
                    .lines()
                    .filter(|l| l.contains("Err"))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    assert!(
        refused.is_empty(),
        "{} of {children} processes had a keyed open refused: {}",
        refused.len(),
        refused[0]
    );
}
