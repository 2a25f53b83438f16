#!/usr/bin/env bash
# dockhand under stress, in one command (README "Reliability"):
#   1. KILLS SIGKILLs of a handheld process running every kind of command while its sync engine
#      pushes to a hub; after each kill the database reopens whole with every reported command,
#      and at the end the hub has every event once (cli/tests/crash.rs);
#   2. FAULT_EVENTS events from four devices through a fault-injecting proxy (resets, lost
#      responses, 500s, truncation, slowness) with FAULT_RESTARTS hub kills and restarts, on
#      SQLite and PostgreSQL; every event arrives once, in order (hub/tests/faults.rs);
#   3. 8 threads scanning and receiving SCAN_COMMANDS each on one device while it syncs
#      (hub/tests/scanning.rs);
#   4. FUZZ_EXECS mutated inputs against the GS1 parser, scan resolution, every command's input
#      and the hub's HTTP router (`dockhand fuzz`).
# Full scale (the default): KILLS=1000 FAULT_EVENTS=100000 FAULT_RESTARTS=5 SCAN_COMMANDS=2500
# FUZZ_EXECS=10000000, about 15 minutes here. SMALL=1 runs it at the size the test suite uses
# (scripts/test-all.sh, and so .ci/run). Ends with "reliability: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -n "${SMALL:-}" ]; then
    : "${KILLS:=100}" "${FAULT_EVENTS:=8000}" "${FAULT_RESTARTS:=2}" "${SCAN_COMMANDS:=100}"
    : "${FUZZ_EXECS:=300000}"
    profile=()
    bin=target/debug/dockhand
else
    : "${KILLS:=1000}" "${FAULT_EVENTS:=100000}" "${FAULT_RESTARTS:=5}" "${SCAN_COMMANDS:=2500}"
    : "${FUZZ_EXECS:=10000000}"
    profile=(--release)
    bin=target/release/dockhand
fi

if [ -z "${DOCKHAND_TEST_POSTGRES:-}" ]; then
    if eval "$(bash scripts/postgres-test-server.sh)"; then
        trap '$DOCKHAND_PG_STOP >/dev/null 2>&1 || true; rm -rf "$DOCKHAND_PG_DIR"' EXIT
    else
        echo "== PostgreSQL not available: the fault run covers SQLite only"
    fi
fi

passed=0
failed=0
log=$(mktemp)
step() {
    local name=$1
    shift
    echo "== $name"
    if "$@" 2>&1 | tee "$log"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "== $name FAILED"
    fi
    summary+=("$name: $(grep -E "$pattern" "$log" | tr '\n' ' ')")
}
summary=()

pattern='kills in|once each after'
DOCKHAND_CRASH_KILLS=$KILLS step "kills ($KILLS)" \
    cargo test --locked --workspace --test crash -- --nocapture

pattern='events from 4 devices'
DOCKHAND_FAULT_EVENTS=$FAULT_EVENTS DOCKHAND_FAULT_RESTARTS=$FAULT_RESTARTS \
    step "faults ($FAULT_EVENTS events, $FAULT_RESTARTS hub restarts)" \
    cargo test --locked --workspace --test faults -- --nocapture --test-threads 1

pattern='threads,'
DOCKHAND_SCAN_COMMANDS=$SCAN_COMMANDS step "8 scanning threads during sync" \
    cargo test --locked --workspace --test scanning -- --nocapture --test-threads 1

pattern='executions'
# The steps above name --workspace, and the small run builds through scripts/build-debug.sh: the
# features `cargo test --workspace` builds with, so after it nothing recompiles.
if [ -n "${SMALL:-}" ]; then
    bash scripts/build-debug.sh
else
    cargo build --locked --release -p dockhand-cli
fi
step "fuzz ($FUZZ_EXECS executions)" "$bin" fuzz --execs "$FUZZ_EXECS"

rm -f "$log"
echo
echo "== summary"
for line in "${summary[@]}"; do
    echo "  $line"
done
echo "reliability: $passed passed, $failed failed"
[ "$failed" = 0 ]
