#!/usr/bin/env bash
# Builds the debug binaries the scripts run (target/debug/dockhand, target/debug/dockhand-hub)
# exactly as `cargo test --workspace` builds them: same packages, same features (the tests'
# dev-dependencies turn on features of shared crates such as serde_json and rusqlite). A narrower
# `cargo build -p dockhand-hub` resolves other features and recompiles ~100 crates, about 7 minutes
# here; after `cargo test --workspace` this is a no-op, and on its own it also builds the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked --no-run --quiet "$@"
