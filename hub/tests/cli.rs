//! The `dockhand-hub` command: CSV and JSON imports, device tokens issued by an administrator.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use dockhand_core::sync::protocol::{ChangeKind, DeviceToken};
use dockhand_hub::store::prelude::*;

fn hub(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dockhand-hub"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

/// `dockhand-hub import FILE --kind KIND --database DB`.
fn import(file: &std::path::Path, kind: &str, db: &str) -> std::process::Output {
    hub(&[
        "import",
        file.to_str().unwrap(),
        "--kind",
        kind,
        "--database",
        db,
    ])
}

#[test]
fn csv_files_load_master_data_and_receipts_with_a_line_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let items = dir.path().join("items.csv");
    std::fs::write(
        &items,
        "sku,description,base_unit,tracking,min_shelf_life_days,inspection_required,abc_class,unit_value_cents,putaway_zone\n\
         MILK-1L,Milk 1 L,EA,lot_expiry,10,false,A,129,\n\
         TOWEL-2P,Paper towels,EA,none,0,false,C,250,B\n",
    )
    .unwrap();
    let out = import(&items, "items", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 changed, 0 unchanged"));
    let receipts = dir.path().join("asn.csv");
    std::fs::write(
        &receipts,
        "receipt_id,reference,supplier,line_no,sku,quantity,unit,lot,sscc\n\
         ASN-7,PO-77,Nordic Foods,1,MILK-1L,48,,L1,\n\
         ASN-7,PO-77,Nordic Foods,2,TOWEL-2P,24,EA,,\n\
         ASN-8,PO-78,Paper Co,1,TOWEL-2P,10,,,\n",
    )
    .unwrap();
    let out = import(&receipts, "expected_receipts", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    let changes = store.changes("main", 0, 100).unwrap();
    let receipts: Vec<_> = changes
        .iter()
        .filter(|(_, c)| c.kind == ChangeKind::ExpectedReceipt)
        .map(|(_, c)| c.data.clone())
        .collect();
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[0]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(receipts[0]["lines"][0]["lot"], "L1");
    assert_eq!(receipts[0]["lines"][1]["unit"], "EA");

    let rmas = dir.path().join("rmas.csv");
    std::fs::write(
        &rmas,
        "return_id,reference,customer,line_no,sku,quantity,lot,serial\n\
         RMA-9,SO-9,Corner Shop,1,MILK-1L,2,L1,\n\
         RMA-9,SO-9,Corner Shop,2,TOWEL-2P,1,,\n",
    )
    .unwrap();
    let out = import(&rmas, "expected_returns", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rma: Vec<_> = store
        .changes("main", 0, 100)
        .unwrap()
        .into_iter()
        .filter(|(_, c)| c.kind == ChangeKind::ExpectedReturn)
        .collect();
    assert_eq!(rma.len(), 1);
    assert_eq!(rma[0].1.data["customer"], "Corner Shop");
    assert_eq!(rma[0].1.data["lines"][1]["sku"], "TOWEL-2P");

    // Pick tasks with and without a ship-by time.
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "task_id,order_ref,staging,ship_by,line_no,sku,quantity,unit,lot\n\
         T-1,SO-1,STAGE-01,2026-12-04T17:00:00+01:00,1,MILK-1L,6,,\n\
         T-1,SO-1,STAGE-01,2026-12-04T17:00:00+01:00,2,TOWEL-2P,2,,\n\
         T-2,SO-2,STAGE-01,,1,TOWEL-2P,1,,\n",
    )
    .unwrap();
    let out = import(&orders, "pick_tasks", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tasks: Vec<_> = store
        .changes("main", 0, 100)
        .unwrap()
        .into_iter()
        .filter(|(_, c)| c.kind == ChangeKind::PickTask)
        .map(|(_, c)| c.data)
        .collect();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0]["ship_by"], "2026-12-04T17:00:00+01:00");
    assert_eq!(tasks[0]["lines"].as_array().unwrap().len(), 2);
    assert!(tasks[1].get("ship_by").is_none(), "{}", tasks[1]);
    let changes = store.changes("main", 0, 100).unwrap();

    // A bad row names the file, the row and what is wrong; nothing of that file is loaded.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "sku,description,base_unit,tracking,abc_class\nDRILL,Drill,EA,serial,A\nVITC,Vitamins,EA,sometimes,B\n",
    )
    .unwrap();
    let out = import(&bad, "items", db);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv row 3") && err.contains("sometimes"),
        "{err}"
    );
    assert_eq!(store.changes("main", 0, 100).unwrap().len(), changes.len());
    let out = import(&bad, "pallets", db);
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"pallets\" is not a kind"));
}

#[test]
fn badges_from_a_csv_file_are_stored_only_as_pin_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let operators = dir.path().join("operators.csv");
    std::fs::write(
        &operators,
        "id,name,role,active\nana,Ana Ruiz,operator,true\nsam,Sam L,supervisor,true\n",
    )
    .unwrap();
    assert!(import(&operators, "operators", db).status.success());
    let badges = dir.path().join("badges.csv");
    // A PIN with a leading zero stays text.
    std::fs::write(
        &badges,
        "operator_id,badge,pin\nana,BADGE-A1,081500\nsam,BADGE-S1,97531864\n",
    )
    .unwrap();
    let out = import(&badges, "badges", db);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("2 changed, 0 unchanged"),
        "{stdout}"
    );
    let again = import(&badges, "badges", db);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 changed, 2 unchanged"));
    // The hub's database holds hashes, never the PINs (checked over every byte of the file).
    let bytes = std::fs::read(db).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("$argon2id$"));
    assert!(!text.contains("97531864"));
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    let pins: Vec<String> = store
        .changes("main", 0, 100)
        .unwrap()
        .into_iter()
        .filter(|(_, c)| c.kind == ChangeKind::Credential)
        .map(|(_, c)| c.data.to_string())
        .collect();
    assert_eq!(pins.len(), 2);
    assert!(
        pins.iter()
            .all(|p| !p.contains("081500") && !p.contains("97531864"))
    );

    // A bad PIN names the row and the rule, never the PIN; nothing is loaded.
    std::fs::write(&badges, "operator_id,badge,pin\nana,BADGE-A2,12x4567\n").unwrap();
    let out = import(&badges, "badges", db);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ana") && err.contains("6 to 12 digits"),
        "{err}"
    );
    assert!(!err.contains("12x4567"), "{err}");
}

#[test]
fn serve_that_cannot_listen_leaves_no_database_behind() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let db = dir.path().join("new-hub.db");
    let out = hub(&[
        "serve",
        "--listen",
        &address,
        "--database",
        db.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains(&format!("cannot listen on {address}")),
        "{err}"
    );
    assert!(
        !db.exists(),
        "a hub that could not listen created {}",
        db.display()
    );
}

#[test]
fn an_administrator_issues_a_device_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let out = hub(&[
        "device",
        "issue",
        "HH-42",
        "--name",
        "dock 4",
        "--database",
        db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token: DeviceToken = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(token.device_id, "HH-42");
    let store = dockhand_hub::sqlite::SqliteStore::open(&db).unwrap();
    let (device, _) = store
        .token(&dockhand_hub::api::token_hash(&token.token))
        .unwrap()
        .unwrap();
    assert_eq!(device, "HH-42");
    let out = hub(&["device", "issue", "  ", "--database", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a device id is letters, digits"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_csv_file_without_a_column_its_kind_needs_is_refused_even_without_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let file = dir.path().join("items.csv");
    std::fs::write(&file, "sku,description\n").unwrap();
    let out = import(&file, "items", db.to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has no column \"base_unit\"") && err.contains("\"sku,description\""),
        "{err}"
    );
}

#[test]
fn production_refuses_empty_or_short_secrets_at_start_up() {
    for args in [
        vec!["--admin-token", ""],
        vec![
            "--admin-token",
            "an-admin-token-long-enough",
            "--registration-secret",
            "",
        ],
        vec![
            "--admin-token",
            "an-admin-token-long-enough",
            "--registration-secret",
            "short",
        ],
    ] {
        let mut all = vec!["serve", "--production", "--listen", "127.0.0.1:0"];
        all.extend(args.iter().copied());
        let out = hub(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("production needs at least 16"), "{err}");
    }
}

#[test]
fn an_absurd_token_lifetime_is_refused_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    for hours in ["3000000000", "0", "18446744073709551615"] {
        let out = hub(&[
            "device",
            "issue",
            "HH-1",
            "--ttl-hours",
            hours,
            "--database",
            db.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{hours}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(hours) && err.contains("1..=8784"), "{err}");
    }
}

#[test]
fn an_administrator_revokes_a_device_and_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let issue = |extra: &[&str]| {
        let mut args = vec!["device", "issue", "HH-9", "--database", db];
        args.extend(extra);
        hub(&args)
    };
    let first: DeviceToken = serde_json::from_slice(&issue(&[]).stdout).unwrap();
    // Issuing again without --replace is refused: the id is taken.
    let again = issue(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already registered"));
    let out = hub(&["device", "revoke", "HH-9", "--database", db]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 token(s) stopped working"));
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    let lookup = |t: &str| store.token(&dockhand_hub::api::token_hash(t)).unwrap();
    assert_eq!(lookup(&first.token), None);
    let replaced: DeviceToken = serde_json::from_slice(&issue(&["--replace"]).stdout).unwrap();
    assert!(lookup(&replaced.token).is_some());
    let unknown = hub(&["device", "revoke", "HH-404", "--database", db]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("HH-404 is not registered"));
}

/// A full run of `serve` at debug level — start-up, a registration with the secret, a device's
/// events, failed authentications, admin reads — leaves no password, token or secret in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_logs_no_password_token_or_secret() {
    let Some(base) = common::postgres_base("the log check against PostgreSQL") else {
        return;
    };
    // A URL with a password (the test server trusts loopback and ignores it).
    let url = tokio::task::spawn_blocking(move || {
        dockhand_hub::postgres::create_database(&base, "dockhand_test_logs").unwrap()
    })
    .await
    .unwrap();
    let with_password = url.replacen("postgres@", "postgres:pg-password-hunter2@", 1);
    let admin = "admin-token-do-not-log-me";
    let secret = "registration-secret-do-not-log";
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockhand-hub"))
        .args([
            "serve",
            "--production",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &with_password,
            "--admin-token",
            admin,
            "--registration-secret",
            secret,
        ])
        .env("RUST_LOG", "debug")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    /// Kills the hub when the test ends, passed or not.
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stderr = child.stderr.take().unwrap();
    let child = Killed(child);
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
            let line = line.unwrap();
            if let Some(at) = line.find("url=http://") {
                let hub = line[at + 4..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_string();
                let _ = started_tx.send(hub);
            }
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    let hub = started_rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    let client = reqwest::Client::new();
    let device =
        dockhand_core::Store::open_in_memory(dockhand_core::StoreOptions::new("HH-L")).unwrap();
    dockhand_core::workload::Workload::seed_store(&device).unwrap();
    let token: DeviceToken = client
        .post(format!("{hub}/v1/devices/register"))
        .json(
            &serde_json::json!({"device_id": "HH-L", "registration_secret": secret,
                                   "public_key": device.public_key()}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events: Vec<dockhand_core::outbox::Envelope> = device
        .read(|c| dockhand_core::outbox::events(c, 1, 1000))
        .unwrap()
        .into_iter()
        .map(|e| e.envelope)
        .collect();
    let pushed = client
        .post(format!("{hub}/v1/events"))
        .bearer_auth(&token.token)
        .json(&serde_json::json!({"device_id": "HH-L", "events": events}))
        .send()
        .await
        .unwrap();
    assert_eq!(pushed.status(), 200);
    let wrong_device = "wrong-device-token-do-not-log";
    let wrong_admin = "wrong-admin-token-do-not-log";
    for (path, token) in [
        ("/v1/changes", wrong_device),
        ("/v1/admin/stock", wrong_admin),
        ("/v1/admin/stock", admin),
    ] {
        client
            .get(format!("{hub}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
    }
    let wrong_secret = client
        .post(format!("{hub}/v1/devices/register"))
        .json(&serde_json::json!({"device_id": "HH-M", "registration_secret": "guessed-secret-do-not-log",
                                   "public_key": device.public_key()}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_secret.status(), 403);
    // Badges with PINs: one imported (hashed), one refused (unknown operator).
    let sam = serde_json::json!({"id": "sam", "name": "Sam", "role": "supervisor", "active": true});
    for (operator, pin, status) in [("sam", "8642097531", 200), ("nobody", "5556667778", 400)] {
        let imported = client
            .post(format!("{hub}/v1/admin/import"))
            .bearer_auth(admin)
            .json(&serde_json::json!({"operators": [sam],
                "badges": [{"operator_id": operator, "badge": format!("B-{operator}"), "pin": pin}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(imported.status(), status);
    }
    drop(child);
    let log = reader.join().unwrap();
    assert!(log.contains("postgres:***@"), "{log}");
    assert_eq!(log.matches("authentication failed").count(), 3, "{log}");
    for secret in [
        "hunter2",
        admin,
        secret,
        &token.token,
        wrong_device,
        wrong_admin,
        "guessed-secret",
        "8642097531",
        "5556667778",
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

#[test]
fn erp_status_says_when_no_connector_ran_and_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-hub.db");
    let out = hub(&["erp", "status", "--database", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no hub database at"), "{said}");
    assert!(
        !missing.exists(),
        "erp status created {}",
        missing.display()
    );

    // A hub database that exists but was never served with --erp.
    let db = dir.path().join("hub.db");
    drop(dockhand_hub::sqlite::SqliteStore::open(&db).unwrap());
    let out = hub(&["erp", "status", "--database", db.to_str().unwrap()]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("ERP tryton: no connector has worked against this hub"),
        "{said}"
    );
}

#[test]
fn opening_balances_from_a_csv_file_become_the_hub_stock_and_a_bad_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let master = dir.path().join("master.json");
    std::fs::write(
        &master,
        serde_json::to_string(&dockhand_core::sync::protocol::Import {
            master: dockhand_core::sample::warehouse(),
            ..Default::default()
        })
        .unwrap(),
    )
    .unwrap();
    let out = hub(&["import", master.to_str().unwrap(), "--database", db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A spreadsheet's export: optional columns left empty, status empty meaning available.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "location,sku,lot,expiry,serial,lpn,status,quantity\n\
         P-01-01,TOWEL-2P,,,,,,30\n\
         A-01-02,COFFEE-500,,,,,,60\n\
         A-01-09,TOWEL-2P,,,,,,5\n",
    )
    .unwrap();
    let out = import(&bad, "opening_balances", db);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 of 3 opening balances refused, nothing written"),
        "{err}"
    );
    assert!(
        err.contains("item \"COFFEE-500\" is tracked by lot (lot): give the lot"),
        "{err}"
    );
    assert!(
        err.contains("location \"A-01-09\" is not in the hub's master data"),
        "{err}"
    );
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    assert_eq!(store.stock("main").unwrap(), Vec::new());
    drop(store);

    let good = dir.path().join("go-live.csv");
    std::fs::write(
        &good,
        "location,sku,lot,expiry,serial,lpn,status,quantity\n\
         P-01-01,TOWEL-2P,,,,,,30\n\
         A-01-02,COFFEE-500,C-7,,,,,60\n\
         C-01-01,MILK-1L,M-1,2027-03-01,,,,144\n\
         QA-01,VITC-60,V-1,2027-09-30,,,quarantined,12\n",
    )
    .unwrap();
    let out = import(&good, "opening_balances", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("opening balances: 4 buckets, 246 base units added to the hub's stock"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    let stock: Vec<_> = store
        .stock("main")
        .unwrap()
        .into_iter()
        .map(|l| (l.location, l.sku, l.lot, l.status, l.quantity))
        .collect();
    assert_eq!(
        stock,
        [
            ("A-01-02", "COFFEE-500", "C-7", "available", 60),
            ("C-01-01", "MILK-1L", "M-1", "available", 144),
            ("P-01-01", "TOWEL-2P", "", "available", 30),
            ("QA-01", "VITC-60", "V-1", "quarantined", 12),
        ]
        .map(|(a, b, c, d, q)| (
            a.to_string(),
            b.to_string(),
            c.to_string(),
            d.to_string(),
            q
        ))
    );
    drop(store);
    // The same file twice is refused: the shelves hold it once.
    let out = import(&good, "opening_balances", db);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("were recorded already, as hub event"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_administrator_adds_a_site_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let out = hub(&[
        "site",
        "add",
        "north",
        "--name",
        "North DC",
        "--database",
        db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("site north added (North DC)"));
    let again = hub(&["site", "add", "north", "--database", db]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("site north exists already"));
    let bad = hub(&["site", "add", "a b", "--database", db]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("site id \"a b\": 1 to 32 letters"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    // A task belongs to a site: with two, the import names it.
    let tasks = dir.path().join("counts.csv");
    std::fs::write(
        &tasks,
        "task_id,location,sku,reason\nCC-N1,P-01-01,,cycle count\n",
    )
    .unwrap();
    let unnamed = import(&tasks, "count_tasks", db);
    assert!(!unnamed.status.success());
    assert!(
        String::from_utf8_lossy(&unnamed.stderr)
            .contains("this hub serves 2 sites (main, north): name the site"),
        "{}",
        String::from_utf8_lossy(&unnamed.stderr)
    );
    let named = hub(&[
        "import",
        tasks.to_str().unwrap(),
        "--kind",
        "count_tasks",
        "--site",
        "north",
        "--database",
        db,
    ]);
    assert!(
        named.status.success(),
        "{}",
        String::from_utf8_lossy(&named.stderr)
    );
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    let keys = |site: &str| -> Vec<String> {
        store
            .changes(site, 0, 100)
            .unwrap()
            .into_iter()
            .map(|(_, c)| c.key)
            .collect()
    };
    assert_eq!(keys("north"), ["CC-N1"]);
    assert!(keys("main").is_empty());
}

#[test]
fn releasing_counts_says_what_is_wrong_when_none_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    // A hub database to work on.
    drop(dockhand_hub::sqlite::SqliteStore::open(db).unwrap());
    let nameless = hub(&["erp", "release-counts", "--by", " ", "--database", db]);
    assert!(!nameless.status.success());
    assert!(
        String::from_utf8_lossy(&nameless.stderr).contains("--by must name who releases"),
        "{}",
        String::from_utf8_lossy(&nameless.stderr)
    );
    let none = hub(&[
        "erp",
        "release-counts",
        "--by",
        "sam",
        "--task",
        "CC-9",
        "--database",
        db,
    ]);
    assert!(!none.status.success());
    assert!(
        String::from_utf8_lossy(&none.stderr)
            .contains("no count line of task CC-9 is held at site main"),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    let unknown_site = hub(&[
        "erp",
        "release-counts",
        "--by",
        "sam",
        "--site",
        "north",
        "--database",
        db,
    ]);
    assert!(
        String::from_utf8_lossy(&unknown_site.stderr).contains("there is no site \"north\""),
        "{}",
        String::from_utf8_lossy(&unknown_site.stderr)
    );
    let status = hub(&["erp", "status", "--json", "--database", db]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["counts_held"], 0);
}

#[test]
fn a_supervisor_settles_exceptions_and_assigns_tasks_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let text = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    // A hub with one exception raised and one pick task.
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    store
        .in_site_tx("main", &mut |tx| {
            tx.raise_exception(&dockhand_hub::store::NewException {
                kind: "stock_below_zero",
                code: "stock_below_zero".into(),
                subject: "CC-P-01-01-HH-2-7".into(),
                device_id: "HH-2".into(),
                event_ids: vec![],
                reason: "TOWEL-2P available at P-01-01 went to -2".into(),
                raised_at: "2026-12-04T09:00:00.000Z".into(),
            })
        })
        .unwrap();
    drop(store);
    let file = dir.path().join("tasks.json");
    std::fs::write(
        &file,
        r#"{"pick_tasks":[{"task_id":"T-1","order_ref":"SO-1","staging":"STAGE-01",
            "lines":[{"line_no":1,"sku":"TOWEL-2P","quantity":4}]}]}"#,
    )
    .unwrap();
    let out = hub(&["import", file.to_str().unwrap(), "--database", db]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        hub(&["device", "issue", "HH-1", "--database", db])
            .status
            .success()
    );

    let list = hub(&["exceptions", "list", "--state", "open", "--database", db]);
    assert!(list.status.success(), "{}", text(&list));
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).trim(),
        "#1 open stock_below_zero on HH-2 at 2026-12-04T09:00:00.000Z: TOWEL-2P available at \
         P-01-01 went to -2"
    );
    let retry = hub(&["exceptions", "retry", "1", "--by", "sam", "--database", db]);
    assert!(!retry.status.success());
    assert!(text(&retry).contains("exception 1 (stock_below_zero) has nothing to retry"));
    let missing = hub(&[
        "exceptions",
        "dismiss",
        "7",
        "--by",
        "sam",
        "--database",
        db,
    ]);
    assert!(
        text(&missing).contains("the hub has no exception 7"),
        "{}",
        text(&missing)
    );
    let resolved = hub(&[
        "exceptions",
        "resolve",
        "1",
        "--by",
        "sam",
        "--note",
        "recounted: 2 were on the top shelf",
        "--database",
        db,
    ]);
    assert!(resolved.status.success(), "{}", text(&resolved));
    assert!(
        text(&resolved).contains("\n    resolved by sam at "),
        "{}",
        text(&resolved)
    );
    assert!(text(&resolved).contains(": recounted: 2 were on the top shelf"));
    let open = hub(&["exceptions", "list", "--state", "open", "--database", db]);
    assert_eq!(
        String::from_utf8_lossy(&open.stdout).trim(),
        "no exception at site main"
    );

    let wrong = hub(&[
        "tasks",
        "assign",
        "T-1",
        "--kind",
        "putaway",
        "--by",
        "sam",
        "--database",
        db,
    ]);
    assert!(text(&wrong).contains("--kind \"putaway\" is not a task kind (pick or count)"));
    let unknown = hub(&[
        "tasks",
        "assign",
        "T-9",
        "--kind",
        "pick",
        "--device",
        "HH-1",
        "--by",
        "sam",
        "--database",
        db,
    ]);
    assert!(
        text(&unknown).contains("site main has no pick task T-9"),
        "{}",
        text(&unknown)
    );
    let assigned = hub(&[
        "tasks",
        "assign",
        "T-1",
        "--kind",
        "pick",
        "--device",
        "HH-1",
        "--by",
        "sam",
        "--database",
        db,
    ]);
    assert!(assigned.status.success(), "{}", text(&assigned));
    assert!(
        text(&assigned).starts_with("pick task T-1: assigned to HH-1 (by sam at "),
        "{}",
        text(&assigned)
    );
    let tasks = hub(&["tasks", "list", "--database", db]);
    assert!(
        String::from_utf8_lossy(&tasks.stdout)
            .starts_with("pick T-1 order SO-1 (1 lines): open; assigned to HH-1 (by sam at "),
        "{}",
        text(&tasks)
    );
}

#[test]
fn a_sign_in_link_is_for_an_existing_account_of_a_development_hub() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let out = hub(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--database",
        db,
        "--console-link",
        "nobody",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--console-link nobody: the hub has no console account nobody"),
        "{err}"
    );
    let out = hub(&[
        "serve",
        "--production",
        "--admin-token",
        "an-admin-token-long-enough",
        "--listen",
        "127.0.0.1:0",
        "--database",
        db,
        "--console-link",
        "anna",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn a_site_s_company_prefix_is_set_and_a_wrong_one_refused_with_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let bad = hub(&["site", "prefix", "main", "40123A5", "--database", db]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("\"40123A5\" is not a GS1 Company Prefix (7 to 10 digits)"),
        "{err}"
    );
    let nowhere = hub(&["site", "prefix", "north", "4012345", "--database", db]);
    assert_eq!(nowhere.status.code(), Some(2));
    let err = String::from_utf8_lossy(&nowhere.stderr);
    assert!(err.contains("this hub has no site \"north\""), "{err}");
    let set = hub(&[
        "site",
        "prefix",
        "main",
        "4012345",
        "--extension",
        "3",
        "--database",
        db,
    ]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let said = String::from_utf8_lossy(&set.stdout);
    assert!(
        said.contains("site main: SSCCs are minted as 3 4012345"),
        "{said}"
    );
    let store = dockhand_hub::open_store(db).unwrap();
    assert_eq!(
        store.site_prefix("main").unwrap(),
        Some(("4012345".to_string(), 3))
    );
}
