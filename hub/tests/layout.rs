//! The hub's source keeps its shape: the two backends share every statement they can, and the ERP
//! side does not reach into the HTTP layer.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// SQL string literals of the files under `dir`, normalised (placeholders `?n` and `$n` alike,
/// whitespace collapsed), with where each was found.
fn statements(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for file in rust_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, piece) in text.split('"').enumerate() {
            // Odd pieces are inside quotes (the sources have no escaped quotes in SQL).
            let start = piece.trim_start();
            let is_sql = ["SELECT ", "INSERT ", "UPDATE ", "DELETE "]
                .iter()
                .any(|k| start.starts_with(k));
            if i % 2 == 1 && is_sql && start.len() > "SELECT 1".len() {
                let normal = start
                    .replace('?', "$")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let line = text[..text.find(piece).unwrap()].lines().count();
                out.insert(normal, format!("{}:{line}", file.display()));
            }
        }
    }
    out
}

#[test]
fn no_statement_is_written_once_per_backend() {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let sqlite = statements(&store.join("sqlite"));
    let postgres = statements(&store.join("postgres"));
    let twice: Vec<String> = sqlite
        .iter()
        .filter_map(|(sql, at)| {
            postgres
                .get(sql)
                .map(|other| format!("{at} and {other}: {sql}"))
        })
        .collect();
    assert!(
        twice.is_empty(),
        "the same statement is written in both backends; make it one constant in store/:\n{}",
        twice.join("\n")
    );
    // The check sees the backends' own statements (the ones the dialects make differ).
    assert!(!sqlite.is_empty() && !postgres.is_empty());
}

#[test]
fn the_erp_side_does_not_call_the_http_layer_or_device_sync() {
    let erp = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/erp");
    let mut found = Vec::new();
    for file in rust_files(&erp) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if ["crate::api", "HubStore", "DeviceSync"]
                .iter()
                .any(|name| line.contains(name) && !line.trim_start().starts_with("//"))
            {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    // erp/mod.rs narrows a HubStore to the port: that one line is the door.
    found.retain(|l| {
        !l.contains("pub fn port(store: &Arc<dyn HubStore>)")
            && !l.contains("use crate::store::{ErpBook, Feed, HubStore, Lease};")
    });
    assert!(
        found.is_empty(),
        "erp/ reaches beyond its port:\n{}",
        found.join("\n")
    );
}

/// The placeholders of a statement in the order they first appear (`$n`, `?n`).
fn placeholders_in_order(sql: &str) -> Vec<u32> {
    let mut seen = Vec::new();
    let bytes = sql.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'$' || *b == b'?' {
            let digits: String = sql[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse::<u32>()
                && !seen.contains(&n)
            {
                seen.push(n);
            }
        }
    }
    seen
}

#[test]
fn every_statement_numbers_its_placeholders_in_the_order_they_first_appear() {
    // SQLite binds `$n` by order of first appearance, not by n: `$3` before `$1` would bind the
    // first value to it. Every statement of the hub, in both backends and shared, must read
    // $1, $2, $3… from left to right.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let out_of_order: Vec<String> = statements(&src)
        .into_iter()
        .filter_map(|(sql, at)| {
            let order = placeholders_in_order(&sql);
            let expected: Vec<u32> = (1..=order.len() as u32).collect();
            (order != expected).then(|| format!("{at}: {order:?} in {sql}"))
        })
        .collect();
    assert!(
        out_of_order.is_empty(),
        "statements whose placeholders do not read $1, $2… in order:\n{}",
        out_of_order.join("\n")
    );
    assert_eq!(placeholders_in_order("SET a = $2 WHERE b = $1"), [2, 1]);
}
