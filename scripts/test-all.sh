#!/usr/bin/env bash
# Every test dockhand has: formatting, lints, the whole Rust suite (unit, integration, property,
# crash), then the app-side suites on bindings generated from the library just built (Kotlin on a
# JVM, Python from a wheel, the Android sample's logic; scripts/test-apps.sh), the supervisor's
# console in Debian's Chromium (scripts/test-console.sh), the labels round trip (ZPL rendered by
# another engine, decoded by zxing-cpp; scripts/test-labels.sh), and dockhand against
# a real Tryton from PyPI, twice (scripts/tryton-e2e.sh; the second time the hub is killed while it
# posts). Run from anywhere in the checkout; ends with one line "tests: N passed, M failed" over
# all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
# As in CI: a test run gains nothing from incremental compilation, which keeps ~2 GB more on disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Each step's header says when it started, so a slow run shows where its time went.
step() { echo "== $* (at $((SECONDS / 60))m$((SECONDS % 60))s)"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
log=$(mktemp)
cleanup() { rm -f "$log"; }
# The hub's tests run on SQLite and on PostgreSQL: start a throwaway server when none is given.
if [ -z "${DOCKHAND_TEST_POSTGRES:-}" ]; then
    if eval "$(bash scripts/postgres-test-server.sh)"; then
        echo "== PostgreSQL for the hub tests: $DOCKHAND_TEST_POSTGRES"
        cleanup() { rm -f "$log"; $DOCKHAND_PG_STOP >/dev/null 2>&1 || true; rm -rf "$DOCKHAND_PG_DIR"; }
    else
        echo "== PostgreSQL not available: the hub's PostgreSQL tests will say so (and fail in CI)"
    fi
fi
trap cleanup EXIT
step "cargo test"
status=0
cargo test --workspace --locked 2>&1 | tee "$log" || status=$?
step "reliability, small (scripts/reliability.sh; full scale is the same command without SMALL)"
SMALL=1 bash scripts/reliability.sh 2>&1 | tee -a "$log" || status=$?
step "app suites (scripts/test-apps.sh)"
bash scripts/test-apps.sh 2>&1 | tee -a "$log" || status=$?
step "the console in a real browser (scripts/test-console.sh)"
bash scripts/test-console.sh 2>&1 | tee -a "$log" || status=$?
step "labels: rendered by another ZPL engine, decoded by zxing-cpp (scripts/test-labels.sh)"
bash scripts/test-labels.sh 2>&1 | tee -a "$log" || status=$?
step "Tryton end to end (scripts/tryton-e2e.sh; then FAULT=1: the hub, on PostgreSQL, killed while it posts)"
e2e_passed=0
e2e_failed=0
# The second run's hub stores on PostgreSQL when a server is up (the one the hub tests use).
# The first run's Tryton keeps its database on that server and serves from 4 processes (the
# production-like set-up whose events/s the run reports); the second's is the single-process
# development server on SQLite.
for fault in 0 1; do
    hub_postgres=""
    tryton_postgres=""
    tryton_workers=1
    if [ "$fault" = 1 ]; then
        hub_postgres="${DOCKHAND_TEST_POSTGRES:-}"
    elif [ -n "${DOCKHAND_TEST_POSTGRES:-}" ]; then
        tryton_postgres="${DOCKHAND_TEST_POSTGRES%/*}"
        tryton_workers=4
    fi
    if FAULT=$fault HUB_POSTGRES="$hub_postgres" TRYTON_POSTGRES="$tryton_postgres" \
        TRYTON_WORKERS=$tryton_workers bash scripts/tryton-e2e.sh 2>&1 | tee -a "$log"; then
        e2e_passed=$((e2e_passed + 1))
    else
        e2e_failed=$((e2e_failed + 1))
        status=1
    fi
done
echo "e2e tests: $e2e_passed passed, $e2e_failed failed" | tee -a "$log"
echo "time: $((SECONDS / 60))m$((SECONDS % 60))s"
echo "disk: target/ holds $(du -sh target 2>/dev/null | cut -f1), $(df -h . | awk 'NR == 2 { print $4 }') left on the device"
awk '/^test result:/ { p += $4; f += $6 }
     /^app tests:/ { p += $3; f += $5 }
     /^browser tests:/ { p += $3; f += $5 }
     /^label tests:/ { p += $3; f += $5 }
     /^e2e tests:/ { p += $3; f += $5 }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
