#!/usr/bin/env bash
# dockhand against a real Tryton, end to end, on loopback:
#   1. Tryton 8.2 from PyPI in a virtualenv, a fresh SQLite database "wms" (scripts/tryton-up.sh),
#      seeded with the sample warehouse's products (EANs), bins and areas, a purchase with its
#      supplier shipment, a sale with its customer shipment, a customer return (tryton_seed.py);
#   2. dockhand-hub with the Tryton connector (--erp tryton://admin@127.0.0.1:PORT/wms);
#   3. the demo's handhelds work offline (receive, put away, pick with a short pick, count with an
#      approval, inspect returns, void a scan) and then sync (`dockhand demo --hub`);
#   4. waits until the connector has posted every accepted event, then compares Tryton's
#      quantities by location and lot with the hub's stock view:
#      "tryton quantities match: N of N lines"; exit 1 on any difference; the demo's count of a
#      shelf another handheld filled offline left no document in Tryton (tryton_shared_count.py);
#   5. through the Python binding: Tryton's documents and changes reach a new handheld
#      (tryton_pull_check.py), a receipt against Tryton's ASN completes that supplier shipment
#      (tryton_documents.py; quantities compared again), and a business error reaches the device
#      (tryton_business_error.py).
# FAULT=1 also kills the hub (SIGKILL) three times while it posts and restarts it: nothing may be
# posted twice or missed. HUB_POSTGRES=postgres://USER@HOST:PORT/DB runs the hub on PostgreSQL (a
# fresh database dockhand_e2e on that server) instead of SQLite. TRYTON_POSTGRES=postgres://USER@
# HOST:PORT keeps Tryton's database on PostgreSQL and TRYTON_WORKERS=N serves it from N processes
# (scripts/tryton-up.sh); ERP_CONCURRENCY=N is the hub's --erp-concurrency (documents posted at
# once; default the hub's). Without FAULT the run ends with `dockhand bench --erp-only` on the same
# Tryton: ERP_BENCH_EVENTS (400) events of the workload posted one at a time, then as the hub does.
set -euo pipefail
cd "$(dirname "$0")/.."

work="${WORK:-target/tryton-e2e}"
# Free ports unless given: another Tryton or hub on this machine must not be talked to.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tryton_port="${TRYTON_PORT:-$(free_port)}"
hub_port="${HUB_PORT:-$(free_port)}"
while [ "$hub_port" = "$tryton_port" ]; do hub_port=$(free_port); done
# The standby hub instance (HUB_POSTGRES runs) gets a port of its own too, not hub_port + 1: that
# one may be taken.
standby_port=$(free_port)
while [ "$standby_port" = "$hub_port" ] || [ "$standby_port" = "$tryton_port" ]; do standby_port=$(free_port); done
mkdir -p "$work"
work="$(cd "$work" && pwd)"
hub_url="http://127.0.0.1:$hub_port"
tryton_url="http://127.0.0.1:$tryton_port"

# A fresh database every run (the virtualenv is kept).
[ -f "$work/trytond.pid" ] && kill "$(cat "$work/trytond.pid")" 2>/dev/null || true
rm -rf "$work/db" "$work/hub.db"* "$work/trytond.pid"
if [ -n "${TRYTON_POSTGRES:-}" ]; then
    psql -q -v ON_ERROR_STOP=1 "${TRYTON_POSTGRES%/}/postgres" -c "DROP DATABASE IF EXISTS wms WITH (FORCE)"
fi
if [ -n "${HUB_POSTGRES:-}" ]; then
    psql -q -v ON_ERROR_STOP=1 "$HUB_POSTGRES" -c "DROP DATABASE IF EXISTS dockhand_e2e" \
        -c "CREATE DATABASE dockhand_e2e"
    hub_db="${HUB_POSTGRES%/*}/dockhand_e2e"
    echo "hub database: PostgreSQL ($hub_db)"
else
    hub_db="$work/hub.db"
    echo "hub database: SQLite ($hub_db)"
fi
hub_pid=""
standby_pid=""
cleanup() {
    [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
    [ -n "$standby_pid" ] && kill "$standby_pid" 2>/dev/null || true
    [ -f "$work/trytond.pid" ] && kill "$(cat "$work/trytond.pid")" 2>/dev/null || true
}
trap cleanup EXIT

started=$(date +%s)
bash scripts/tryton-up.sh "$work" "$tryton_port"
python3 scripts/tryton_seed.py --url "$tryton_url" seed >"$work/seed.json"
echo "tryton: up and seeded in $(( $(date +%s) - started )) s ($tryton_url)"

bash scripts/build-debug.sh
export DOCKHAND_ERP_PASSWORD=admin123
# start_hub [--erp]: the hub on $hub_port, with the Tryton connector when asked.
start_hub() {
    local erp=()
    [ "${1:-}" = --erp ] && erp=(--erp "tryton://admin@127.0.0.1:$tryton_port/wms" --erp-pull-seconds 1
        ${ERP_CONCURRENCY:+--erp-concurrency "$ERP_CONCURRENCY"})
    target/debug/dockhand-hub serve --listen "127.0.0.1:$hub_port" --database "$hub_db" \
        "${erp[@]}" >>"$work/hub.log" 2>&1 &
    hub_pid=$!
    for _ in $(seq 1 100); do
        curl -fsS -m 1 "$hub_url/health" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the hub did not start; see $work/hub.log" >&2
    exit 2
}
# The warehouse works before the connector is configured: the demo's handhelds load the sample
# master data into the hub, work offline and sync.
start_hub
# The site's GS1 Company Prefix: handhelds pack into cartons and pallets with SSCCs of their own
# blocks (the demo's outbound, tryton_documents.py).
target/debug/dockhand-hub site prefix main 4012345 --extension 3 --database "$hub_db" >/dev/null

erp_status() { target/debug/dockhand-hub erp status --json --database "$hub_db" 2>/dev/null || true; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }


target/debug/dockhand demo --hub "$hub_url" >"$work/demo.log" 2>&1 || {
    echo "the demo failed; see $work/demo.log" >&2
    tail -20 "$work/demo.log" >&2
    exit 1
}
# Then the hub is restarted with the Tryton connector: it posts the whole feed and pulls Tryton's
# products, locations and documents (merged with what the hub holds).
kill "$hub_pid" && wait "$hub_pid" 2>/dev/null || true
# CPU seconds used so far by Tryton (trytond or its gunicorn workers), PostgreSQL's processes and
# the hub: what the posting costs each, to say what dominates it.
cpu_seconds() {
    python3 - <<'CPU'
import os
tick = os.sysconf("SC_CLK_TCK")
used = {"tryton": 0, "postgres": 0, "hub": 0}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        args = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    # Its own time and that of its children that ended (a backend, a gunicorn worker).
    seconds = sum(int(f) for f in fields[11:15]) / tick
    if "gunicorn" in args or "trytond" in args:
        used["tryton"] += seconds
    elif args.startswith("postgres:") or "/bin/postgres" in args:
        used["postgres"] += seconds
    elif "dockhand-hub serve" in args:
        used["hub"] += seconds
print(" ".join(f"{used[k]:.2f}" for k in ("tryton", "postgres", "hub")))
CPU
}
cpu_before=$(cpu_seconds)
posting_started=$(date +%s.%N)
start_hub --erp
if [ -n "${HUB_POSTGRES:-}" ]; then
    # The first instance takes the posting lease before the second starts (otherwise whichever
    # asks first posts, and the check below would be a race).
    for _ in $(seq 1 100); do
        case "$(erp_status | python3 -c "import json,sys; print(json.load(sys.stdin).get('posting_instance') or '')")" in
            *":$hub_port") break ;;
        esac
        sleep 0.1
    done
    # A second hub instance on the same database, also told to post: it must wait while the first
    # holds the posting lease (restarts of the first resume at once: same host and address).
    target/debug/dockhand-hub serve --listen "127.0.0.1:$standby_port" --database "$hub_db" \
        --erp "tryton://admin@127.0.0.1:$tryton_port/wms" --erp-pull-seconds 1 >>"$work/hub2.log" 2>&1 &
    standby_pid=$!
fi
for _ in $(seq 1 300); do
    [ "$(erp_status | python3 -c "import json,sys; print(json.load(sys.stdin).get('last_pulled_at') or '')")" != "" ] && break
    sleep 0.1
done
echo "hub: first pull from Tryton done"
head=$(curl -fsS "$hub_url/v1/feed/events?limit=1" >/dev/null && erp_status | field feed_head)
echo "devices synced: $head events accepted by the hub"

if [ "${FAULT:-0}" = 1 ]; then
    # Kill the hub (SIGKILL) three times while it posts, each time restarting it: whatever it
    # was doing (creating a shipment, advancing it, recording it) is cut off.
    for at in 5 60 150; do
        for _ in $(seq 1 600); do
            posted=$(erp_status | field posted)
            [ "$posted" -ge "$at" ] && break
            sleep 0.05
        done
        kill -9 "$hub_pid"
        wait "$hub_pid" 2>/dev/null || true
        echo "fault: hub killed with SIGKILL after $posted of $head events posted; restarting"
        start_hub --erp
    done
fi

deadline=$(( $(date +%s) + 300 ))
while :; do
    status=$(erp_status)
    pending=$(echo "$status" | field pending)
    [ "$pending" = 0 ] && break
    if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "the connector did not post everything within 300 s:" >&2
        target/debug/dockhand-hub erp status --database "$hub_db" >&2 || true
        exit 1
    fi
    sleep 0.2
done
finished=$(date +%s.%N)
cpu_after=$(cpu_seconds)
posted=$(echo "$status" | field posted)
refused=$(echo "$status" | field failed)
setup="Tryton: ${TRYTON_WORKERS:-1} process(es) on $([ -n "${TRYTON_POSTGRES:-}" ] && echo PostgreSQL || echo SQLite); hub --erp-concurrency ${ERP_CONCURRENCY:-default}"
python3 - "$posting_started" "$finished" "$posted" "$refused" "$setup" "$cpu_before" "$cpu_after" <<'EOF'
import sys
start, end, posted, refused = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"connector: {posted} events posted, {refused} refused in {end - start:.1f} s "
      f"({(posted + refused) / (end - start):.1f} events/s, including the first pull; {sys.argv[5]})")
used = [b - a for a, b in zip(map(float, sys.argv[6].split()), map(float, sys.argv[7].split()))]
events = max(posted + refused, 1)
print("CPU while posting: " + ", ".join(
    f"{name} {s:.1f} s ({s * 1000 / events:.0f} ms an event)"
    for name, s in zip(("Tryton", "PostgreSQL", "hub"), used))
    + f"; {end - start:.1f} s of wall time on {__import__('os').cpu_count()} cores"
    + " (a hub instance killed meanwhile is not counted)")
EOF
target/debug/dockhand-hub erp status --database "$hub_db" || true

if [ -n "$standby_pid" ]; then
    if ! kill -0 "$standby_pid" 2>/dev/null; then
        echo "the second hub instance stopped before the check; see $work/hub2.log" >&2
        grep -v NOTICE "$work/hub2.log" | cut -c1-300 | tail -20 >&2
        exit 1
    fi
    if grep -q "now posts to the ERP" "$work/hub2.log" || ! grep -q "this one waits" "$work/hub2.log"; then
        echo "the second hub instance did not wait for the posting lease; see $work/hub2.log" >&2
        grep -v NOTICE "$work/hub2.log" | cut -c1-300 | tail -20 >&2
        target/debug/dockhand-hub erp status --database "$hub_db" >&2 || true
        exit 1
    fi
    echo "second hub instance on the same database: waited for the posting lease, posted nothing"
fi

# No document twice: every dockhand reference appears once in Tryton.
python3 - "$tryton_url" <<'EOF'
import collections, os, sys
sys.path.insert(0, "scripts")
from tryton_seed import Client
c = Client(sys.argv[1], "wms", "admin", os.environ["DOCKHAND_ERP_PASSWORD"])
c.login()
refs = collections.Counter()
for model in ("stock.shipment.in", "stock.shipment.internal", "stock.shipment.out.return",
              "stock.shipment.in.return"):
    for row in c.search_read(model, [["reference", "like", "dockhand:%"]], ["reference", "state"]):
        refs[row["reference"]] += 1
        if row["state"] != "done":
            print(f"not done: {model} {row['reference']} is {row['state']}")
            sys.exit(1)
twice = [r for r, n in refs.items() if n > 1]
print(f"tryton documents from dockhand: {len(refs)}, posted twice: {len(twice)}")
sys.exit(1 if twice else 0)
EOF

python3 scripts/tryton_compare.py --hub "$hub_url" --tryton "$tryton_url"
# Two handhelds shared the stock and a third counted a shelf one of them filled offline: Tryton has
# the goods once and no document of the count.
python3 scripts/tryton_shared_count.py --hub "$hub_url" --tryton "$tryton_url"

# Through the Python binding: what Tryton holds and what changes in it reach a handheld; a business
# error from Tryton is visible at the hub with Tryton's sentence, shown on the device that recorded
# the event, and later events keep flowing.
bash scripts/bindings.sh >/dev/null
"$work/venv/bin/pip" install -q bindings/python
"$work/venv/bin/python" scripts/tryton_pull_check.py --hub "$hub_url" --tryton "$tryton_url"
# Work on Tryton's own documents completes them; quantities still agree. FAULT=1 kills the hub
# again while it completes them (after the third of the handheld's events is recorded: the
# receipt's scans are held, its close is being posted).
documents=("$work/venv/bin/python" scripts/tryton_documents.py --hub "$hub_url" --tryton "$tryton_url")
if [ "${FAULT:-0}" = 1 ]; then
    before=$(erp_status | field posted)
    "${documents[@]}" &
    documents_pid=$!
    for _ in $(seq 1 3000); do
        posted=$(erp_status | field posted)
        [ "$posted" -ge $((before + 3)) ] && break
        sleep 0.02
    done
    kill -9 "$hub_pid"
    wait "$hub_pid" 2>/dev/null || true
    echo "fault: hub killed with SIGKILL after $((posted - before)) of the handheld's events posted; restarting"
    start_hub --erp
    wait "$documents_pid"
else
    "${documents[@]}"
fi
python3 scripts/tryton_compare.py --hub "$hub_url" --tryton "$tryton_url"
"$work/venv/bin/python" scripts/tryton_business_error.py --hub "$hub_url" --tryton "$tryton_url" \
    --hub-db "$hub_db"

# Go-live with Tryton: a new hub takes Tryton's stock on hand as its opening balance (after
# pulling Tryton's master data), a handheld sees it, and it is never posted back (the hub's
# ERP feed stays empty). Stock in Tryton locations dockhand does not have (the warehouse's input
# and output) is listed, not loaded.
golive_db="$work/golive.db"
rm -f "$golive_db"*
erp_uri="tryton://admin@127.0.0.1:$tryton_port/wms"
target/debug/dockhand-hub erp opening-balance --erp "$erp_uri" --database "$golive_db" \
    | tee "$work/golive.log"
if target/debug/dockhand-hub erp opening-balance --erp "$erp_uri" --database "$golive_db" \
    >"$work/golive-again.log" 2>&1 || ! grep -q "already" "$work/golive-again.log"; then
    echo "the same stock on hand loaded twice; see $work/golive-again.log" >&2
    exit 1
fi
echo "go-live: loading Tryton's stock on hand again is refused: $(grep -o "dockhand-hub: .*already[^;]*" "$work/golive-again.log" | head -1)"
golive_port=$(free_port)
target/debug/dockhand-hub serve --listen "127.0.0.1:$golive_port" --database "$golive_db" \
    >>"$work/golive-hub.log" 2>&1 &
golive_pid=$!
for _ in $(seq 1 100); do
    curl -fsS -m 1 "http://127.0.0.1:$golive_port/health" >/dev/null 2>&1 && break
    sleep 0.1
done
"$work/venv/bin/python" scripts/tryton_go_live.py --hub "http://127.0.0.1:$golive_port" \
    --tryton "$tryton_url"
feed=$(curl -fsS "http://127.0.0.1:$golive_port/v1/feed/events?limit=10" \
    | python3 -c "import json,sys; print(len(json.load(sys.stdin)['events']))")
kill "$golive_pid" 2>/dev/null || true
wait "$golive_pid" 2>/dev/null || true
if [ "$feed" != 0 ]; then
    echo "the go-live hub's ERP feed holds $feed events: the opening balance would be posted back" >&2
    exit 1
fi
echo "go-live: nothing in the ERP's feed (the opening balance is not posted back)"
# The go-live hub goes live with the connector: three handhelds share its stock (one puts away
# offline, one counts that shelf, one picks), and Tryton ends with every bucket the hub holds and
# no document of the count.
target/debug/dockhand-hub serve --listen "127.0.0.1:$golive_port" --database "$golive_db" \
    --erp "$erp_uri" --erp-pull-seconds 1 >>"$work/golive-hub.log" 2>&1 &
golive_pid=$!
for _ in $(seq 1 100); do
    curl -fsS -m 1 "http://127.0.0.1:$golive_port/health" >/dev/null 2>&1 && break
    sleep 0.1
done
"$work/venv/bin/python" scripts/tryton_go_live_shared.py --hub "http://127.0.0.1:$golive_port" \
    --tryton "$tryton_url"
kill "$golive_pid" 2>/dev/null || true
wait "$golive_pid" 2>/dev/null || true

# Last, once nothing more is compared with Tryton's quantities: `dockhand bench`'s ERP figure on
# this Tryton (the workload's events posted one event at a time, then as the hub does by default,
# each from a hub of its own). Not in the FAULT run: its Tryton is the single-process server.
if [ "${FAULT:-0}" != 1 ]; then
    # Drills were made to need a lot above (the business error); the workload tracks them by serial.
    "$work/venv/bin/python" - "$tryton_url" <<'PY'
import os, sys
sys.path.insert(0, "scripts")
from tryton_seed import Client
c = Client(sys.argv[1], "wms", "admin", os.environ["DOCKHAND_ERP_PASSWORD"])
c.login()
drill = c.find_one("product.product", [["code", "=", "DRILL-X1"]], ["template"])
c.model("product.template", "write", [drill["template"]], {"lot_required": []})
PY
    target/debug/dockhand bench --dir "$work" --erp-only --tryton "$erp_uri" \
        --erp-events "${ERP_BENCH_EVENTS:-400}"
fi
