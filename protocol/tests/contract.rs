//! The event types are spelled in one place: this crate. Everywhere else code names them through
//! `EventKind` / `EventBody`, so renaming or adding one is a compile error where it matters, not a
//! string that silently stops matching.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use dockhand_protocol::EventKind;

/// Rust sources of the workspace outside this crate.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | ".git" | "protocol" | "testdata" | "node_modules" | "build" | ".gradle"
            ) {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_event_type_is_spelled_outside_the_protocol_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("core/src/outbox.rs")),
        "the walk found the workspace's sources ({} files)",
        files.len()
    );
    let quoted: Vec<String> = EventKind::ALL
        .iter()
        .flat_map(|k| [format!("\"{k}\""), format!("'{k}'")])
        .collect();
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if let Some(q) = quoted.iter().find(|q| line.contains(q.as_str())) {
                found.push(format!(
                    "{}:{}: {q} (use EventKind / EventBody)",
                    file.strip_prefix(&root).unwrap_or(file).display(),
                    n + 1
                ));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
