#!/usr/bin/env bash
# Every test dockhand has: formatting, lints, and the whole suite (unit, integration, property,
# crash). Run from anywhere in the checkout; stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
