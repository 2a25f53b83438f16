#!/usr/bin/env bash
# Starts a local Tryton 8.2 server (SQLite, database "wms") for the ERP connector's tests.
#
# Usage: scripts/tryton-up.sh [WORKDIR] [PORT]     (defaults: target/tryton 8000)
#   - creates a virtualenv in WORKDIR/venv and pip-installs Tryton 8.2 (skipped if trytond is there)
#   - writes WORKDIR/trytond.conf (sqlite, path WORKDIR/db, web listen 127.0.0.1:PORT)
#   - creates and initialises database "wms" (admin password "admin123", modules stock stock_lot
#     stock_lot_sled purchase sale with dependencies); skipped if already initialised
#   - starts `trytond -c WORKDIR/trytond.conf -d wms` in the background (pid in WORKDIR/trytond.pid,
#     log in WORKDIR/trytond.log) and waits until common.server.version answers on /rpc/
# JSON-RPC endpoint afterwards: http://127.0.0.1:PORT/wms/rpc/ (login admin / admin123).
# TRYTON_POSTGRES=postgresql://USER@HOST:PORT keeps database "wms" on that PostgreSQL server
#   (psycopg 3 from PyPI, as trytond 8.2 requires) instead of SQLite; TRYTON_WORKERS=N (N > 1) serves Tryton's WSGI
#   application (trytond.application:app) from gunicorn with N worker processes instead of the
#   single-process development server: the production-like set-up the ERP connector posts to
#   side by side (several processes need PostgreSQL: SQLite takes one writer at a time).
# Seed demo data with: WORKDIR/venv/bin/python scripts/tryton_seed.py --url http://127.0.0.1:PORT seed
#   (any python3 works: the seeder uses the standard library only)
# Stop:  kill "$(cat WORKDIR/trytond.pid)"   (delete WORKDIR for a fresh database)
set -euo pipefail

workdir="${1:-target/tryton}"
port="${2:-8000}"
mkdir -p "$workdir"
workdir="$(cd "$workdir" && pwd)"
venv="$workdir/venv"
dbdir="$workdir/db"
conf="$workdir/trytond.conf"
pidfile="$workdir/trytond.pid"
log="$workdir/trytond.log"
url="http://127.0.0.1:$port/rpc/"

version_answers() {
  curl -fsS -m 2 -H 'Content-Type: application/json' \
    -d '{"id":0,"method":"common.server.version","params":[]}' "$url" 2>/dev/null \
    | grep -q '"result"'
}

# Already running (from this work directory)?
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  if version_answers; then
    echo "trytond already running (pid $(cat "$pidfile")) on $url" >&2
    exit 0
  fi
fi

# 1. virtualenv + Tryton 8.2
if [ ! -x "$venv/bin/trytond" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q \
    'trytond~=8.2.0' 'trytond-stock~=8.2.0' 'trytond-stock-lot~=8.2.0' \
    'trytond-stock-lot-sled~=8.2.0' 'trytond-purchase~=8.2.0' 'trytond-sale~=8.2.0' \
    'trytond-product~=8.2.0' 'trytond-company~=8.2.0'
fi
workers="${TRYTON_WORKERS:-1}"
postgres="${TRYTON_POSTGRES:-}"
if [ -n "$postgres" ] && ! "$venv/bin/python" -c 'import psycopg, psycopg_pool' 2>/dev/null; then
  "$venv/bin/pip" install -q 'psycopg[binary,pool]~=3.3.9'
fi
if [ "$workers" -gt 1 ] && [ ! -x "$venv/bin/gunicorn" ]; then
  "$venv/bin/pip" install -q 'gunicorn~=27.0.1'
fi

# 2. configuration
mkdir -p "$dbdir"
cache=""
if [ -n "$postgres" ]; then
  # Several processes share one database: each hears of the others' cache changes at once over
  # PostgreSQL's LISTEN/NOTIFY (clean_timeout = 0), not after the default 300 s (a worker would
  # refuse the seeder's purchase lines with "User in companies" until then).
  cache=$'[cache]\nclean_timeout = 0\n'
  # trytond names its backend by the scheme: postgresql:// (postgres:// is the same server).
  uri="postgresql://${postgres#*://}"
  uri="${uri%/}/"
else
  uri="sqlite://"
fi
cat >"$conf" <<EOF
[database]
uri = $uri
path = $dbdir

[web]
listen = 127.0.0.1:$port

$cache
EOF

# 3. database "wms" (the .sqlite file must exist before trytond-admin)
passfile="$workdir/adminpass"
printf 'admin123\n' >"$passfile"
chmod 600 "$passfile"
db="$dbdir/wms.sqlite"
initialised=0
if [ -n "$postgres" ]; then
  # Database "wms" on the server: initialised when its modules are; created when missing.
  if "$venv/bin/python" - "$postgres" <<'EOF'; then initialised=1; fi
import sys, psycopg
try:
    with psycopg.connect(sys.argv[1].rstrip("/") + "/wms") as con:
        row = con.execute("SELECT state FROM ir_module WHERE name = 'stock_lot_sled'").fetchone()
except psycopg.Error:
    row = None
sys.exit(0 if row and row[0] == 'activated' else 1)
EOF
elif [ -s "$db" ] && "$venv/bin/python" - "$db" <<'EOF'; then initialised=1; fi
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
try:
    row = con.execute(
        "SELECT state FROM ir_module WHERE name = 'stock_lot_sled'").fetchone()
except sqlite3.Error:
    row = None
sys.exit(0 if row and row[0] == 'activated' else 1)
EOF
if [ "$initialised" = 0 ]; then
  if [ -n "$postgres" ]; then
    "$venv/bin/python" - "$postgres" <<'EOF'
import sys, psycopg
with psycopg.connect(sys.argv[1].rstrip("/") + "/postgres", autocommit=True) as con:
    con.execute("DROP DATABASE IF EXISTS wms WITH (FORCE)")
    con.execute("CREATE DATABASE wms ENCODING 'UTF8' TEMPLATE template0")
EOF
  else
    touch "$db"
  fi
  # trytond-admin asks for the admin's e-mail on stdin when it creates a database (EOFError
  # without a terminal; `--email ''` does not help): answer with an empty line.
  # A failed initialisation removes the database so that the next run starts afresh.
  printf '\n' | TRYTONPASSFILE="$passfile" "$venv/bin/trytond-admin" -c "$conf" -d wms --all \
    -u stock stock_lot stock_lot_sled purchase sale --activate-dependencies \
    >"$workdir/trytond-admin.log" 2>&1 \
    || { tail -30 "$workdir/trytond-admin.log" >&2; rm -f "$db"; exit 1; }
fi

# 4. server in the background
if version_answers; then
  echo "port $port is already serving something else; not starting trytond" >&2
  exit 1
fi
# `-d wms` loads the database's pool at start-up: trytond 8.2.1 started without it answers the
# first common.db.login with {"error":["'res.user'",""]} (KeyError) for ever, because
# Cache.sync registers an empty pool for the database before security.login can initialise it.
if [ "$workers" -gt 1 ]; then
  # TRYTOND_DATABASE_NAMES loads the pool in each worker at start-up, as `-d wms` does.
  TRYTOND_CONFIG="$conf" TRYTOND_DATABASE_NAMES=wms nohup "$venv/bin/gunicorn" \
    --workers "$workers" --bind "127.0.0.1:$port" --timeout 60 \
    trytond.application:app >>"$log" 2>&1 </dev/null &
else
  nohup "$venv/bin/trytond" -c "$conf" -d wms >>"$log" 2>&1 </dev/null &
fi
echo $! >"$pidfile"
for _ in $(seq 1 120); do
  if version_answers; then
    echo "trytond up (pid $(cat "$pidfile"), $workers worker(s), $([ -n "$postgres" ] && echo PostgreSQL || echo SQLite)): http://127.0.0.1:$port/wms/rpc/" >&2
    exit 0
  fi
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "trytond exited; see $log" >&2
    tail -30 "$log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "trytond did not answer on $url within 60 s; see $log" >&2
exit 1
