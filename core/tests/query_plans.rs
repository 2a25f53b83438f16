//! Every SQL statement written in `core/src`, planned by SQLite on the current schema: none walks a
//! table that grows with the warehouse's work (stock buckets, the ledger, the outbox, tasks,
//! handling units…) unless it is listed below with why. A pick used to ask every balance whether
//! its tote held anything; a command's cost must not grow with the shift (issue 18).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;

use dockhand_core::schema;
use rusqlite::Connection;

/// Tables whose rows grow with work done on the device.
const GROWING: &[&str] = &[
    "balances",
    "ledger",
    "outbox",
    "handling_units",
    "pick_tasks",
    "pick_allocations",
    "count_tasks",
    "count_results",
    "reservations",
    "receipts",
    "receipt_lines",
    "return_lines",
    "replenishment_tasks",
    "hub_stock",
    "exception_settlements",
];

/// Statements that walk a growing table by design: (a fragment of the SQL, why).
const WALKS: &[(&str, &str)] = &[
    ("WITH expected AS", "the integrity audit"),
    ("WITH led AS", "the integrity audit"),
    (
        "FROM balances b WHERE b.item_id = r.item_id",
        "the integrity audit of reservations",
    ),
    (
        "WITH summed AS",
        "the integrity audit of the reserved totals against the reservations",
    ),
    (
        "(SELECT COUNT(*) FROM hub_stock)",
        "row counts for the stock view's health and the integrity audit",
    ),
    (
        "FROM outbox ORDER BY seq DESC LIMIT 1",
        "reads the last row backwards: one step",
    ),
    (
        "FROM outbox WHERE signature IS NULL",
        "signs old events once, at a key's first use",
    ),
    (
        "(SELECT COUNT(*) FROM outbox)",
        "a key change counts the events it re-signs",
    ),
    (
        "SELECT COUNT(*) FROM outbox",
        "a rekey reports what it re-encrypted",
    ),
    (
        "COALESCE(SUM(state = 'pending'), 0)",
        "the outbox's totals for the sync screen",
    ),
    (
        "FROM exception_settlements s JOIN outbox",
        "the settlements list (a screen)",
    ),
    (
        "SELECT 'pick', t.id",
        "the task list a screen shows: every open task",
    ),
    (
        "FROM count_results r JOIN count_tasks",
        "the KPI report over a period",
    ),
    (
        "FROM return_lines WHERE outcome = 'restock'",
        "the KPI report over a period",
    ),
    (
        "FROM outbox WHERE event_type IN",
        "the KPI report over a period",
    ),
    (
        "FROM count_tasks t LEFT JOIN locations",
        "the count task list (a screen)",
    ),
    (
        "FROM reservations r JOIN items",
        "the reservations list (a screen)",
    ),
    (
        "GROUP BY status",
        "the stock summary by usability (a screen)",
    ),
    (
        "FROM balances b JOIN items i ON i.id = b.item_id JOIN locations",
        "stock lists (screens, export)",
    ),
    (
        "FROM ledger g JOIN items",
        "the ledger's sum, recomputed by the integrity audit",
    ),
    (
        "FROM hub_stock",
        "the stock pull rebuilds the view from the hub's buckets",
    ),
    (
        "FROM ledger WHERE op_id = ?1",
        "a void reads the voided command's legs (rare)",
    ),
    (
        "SELECT COUNT(*) FROM receipts",
        "the workload generator (tests, benchmarks)",
    ),
    (
        "FROM pick_tasks WHERE status IN ('open', 'in_progress')",
        "the open pick tasks (a screen)",
    ),
    (
        "FROM receipts WHERE status = 'open'",
        "the open receipts (a screen)",
    ),
    (
        "SUM(rl.expected_qty)",
        "an item's tracking or base unit changing (rare) checks what is expected",
    ),
    (
        "json_extract(o.payload, '$.reason') = 'removed'",
        "a shipment (once an order) reads what repacking removed; a table of its own would end the walk",
    ),
    (
        "FROM replenishment_tasks t JOIN locations",
        "the replenishment tasks (a screen)",
    ),
];

/// The string literals of `source` that start with an SQL verb, as SQLite would read them.
fn statements(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let start = i + 1;
            let mut text = String::new();
            let mut j = start;
            while j < bytes.len() && bytes[j] != b'"' {
                if bytes[j] == b'\\' && j + 1 < bytes.len() {
                    match bytes[j + 1] {
                        b'\n' => {
                            j += 2;
                            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                                j += 1;
                            }
                            continue;
                        }
                        other => text.push(other as char),
                    }
                    j += 2;
                    continue;
                }
                text.push(bytes[j] as char);
                j += 1;
            }
            let sql = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if ["SELECT ", "UPDATE ", "INSERT ", "DELETE ", "WITH "]
                .iter()
                .any(|verb| sql.starts_with(verb))
            {
                out.push(sql);
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Table of each name a statement reads from (aliases included).
fn tables(sql: &str) -> HashMap<String, String> {
    let tokens: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .collect();
    let keyword = |t: &str| {
        matches!(
            t.to_ascii_uppercase().as_str(),
            "ON" | "WHERE"
                | "JOIN"
                | "LEFT"
                | "USING"
                | "ORDER"
                | "GROUP"
                | "LIMIT"
                | "SET"
                | "INNER"
                | "CROSS"
                | "UNION"
                | "VALUES"
                | "AS"
                | "NATURAL"
        )
    };
    let mut out = HashMap::new();
    for (i, t) in tokens.iter().enumerate() {
        if matches!(
            t.to_ascii_uppercase().as_str(),
            "FROM" | "JOIN" | "UPDATE" | "INTO"
        ) && let Some(table) = tokens.get(i + 1)
        {
            let table = table.trim_matches('"').to_string();
            out.insert(table.clone(), table.clone());
            let mut next = i + 2;
            if tokens
                .get(next)
                .is_some_and(|t| t.eq_ignore_ascii_case("AS"))
            {
                next += 1;
            }
            if let Some(alias) = tokens.get(next).filter(|a| !keyword(a)) {
                out.insert(alias.to_string(), table);
            }
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

#[test]
fn no_statement_walks_a_table_that_grows_with_work_unless_listed() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(schema::CURRENT).unwrap();
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let (mut planned, mut walks) = (0, Vec::new());
    let mut listed_used = vec![false; WALKS.len()];
    for (file, source) in &files {
        for sql in statements(source) {
            let numbered = (1..=99).rev().find(|n| sql.contains(&format!("?{n}")));
            let count = numbered.unwrap_or_else(|| sql.matches('?').count());
            let Ok(mut stmt) = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")) else {
                // A fragment completed at run time (format!): not a whole statement.
                continue;
            };
            let nulls = vec![rusqlite::types::Null; count];
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            planned += 1;
            let names = tables(&sql);
            for step in plan {
                let Some(rest) = step.strip_prefix("SCAN ") else {
                    continue;
                };
                let name = rest.split(' ').next().unwrap_or_default();
                let table = names.get(name).map_or(name, String::as_str);
                if !GROWING.contains(&table) {
                    continue;
                }
                match WALKS
                    .iter()
                    .position(|(fragment, _)| sql.contains(fragment))
                {
                    Some(k) => listed_used[k] = true,
                    None => walks.push(format!("{file}: {step} in {sql}")),
                }
            }
        }
    }
    assert!(
        planned > 200,
        "only {planned} statements found: the extraction broke"
    );
    assert!(
        walks.is_empty(),
        "{} statements walk a growing table (index it, or list it in WALKS with why):\n{}",
        walks.len(),
        walks.join("\n")
    );
    let unused: Vec<&str> = WALKS
        .iter()
        .zip(&listed_used)
        .filter(|(_, used)| !**used)
        .map(|((fragment, _), _)| *fragment)
        .collect();
    assert!(
        unused.is_empty(),
        "WALKS entries no statement matches any more: {unused:?}"
    );
}
