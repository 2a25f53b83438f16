//! One owner per table: `stock` alone reads and writes the ledger and the balances. A workflow
//! that needs stock asks `stock`; a statement naming those tables anywhere else in the workspace's
//! sources fails here with its file and line.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_stock_module_names_the_ledger_or_the_balances_in_sql() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let stock = root.join("core/src/stock");
    let mut files = Vec::new();
    for crate_src in [
        "core/src",
        "hub/src",
        "cli/src",
        "bindings/src",
        "protocol/src",
    ] {
        sources(&root.join(crate_src), &mut files);
    }
    assert!(files.len() > 50, "found {} source files", files.len());
    let table = |word: &str| {
        let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
        w.eq_ignore_ascii_case("balances") || w.eq_ignore_ascii_case("ledger")
    };
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&stock)) {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let names_table = words.windows(2).any(|w| {
                ["FROM", "JOIN", "INTO", "UPDATE"]
                    .iter()
                    .any(|k| w[0].eq_ignore_ascii_case(k))
                    && table(w[1])
            });
            if names_table {
                found.push(format!(
                    "{}:{}: {}",
                    file.strip_prefix(&root).unwrap_or(file).display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL on the ledger or the balances outside core/src/stock (ask stock instead):\n{}",
        found.join("\n")
    );
}
