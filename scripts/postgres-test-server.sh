#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the hub's tests on 127.0.0.1 and prints its URL.
# Uses Debian's packages (apt-get install postgresql); data lives in a temporary directory and the
# server trusts local connections only. Usage: eval "$(scripts/postgres-test-server.sh)"
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
dir="$(mktemp -d /tmp/dockhand-pg.XXXXXX)"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
# A free port: the one asked for, or the first of a few random ones that starts.
for attempt in 1 2 3 4 5; do
  port="${DOCKHAND_PG_PORT:-$((40000 + RANDOM % 20000))}"
  if "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null; then
    break
  fi
  [ "$attempt" = 5 ] && { cat "$dir/log" >&2; exit 1; }
done
echo "export DOCKHAND_TEST_POSTGRES=postgres://postgres@127.0.0.1:$port/postgres"
echo "export DOCKHAND_PG_DIR=$dir"
echo "export DOCKHAND_PG_STOP='${as_pg[*]} $bin/pg_ctl -D $dir/data -m fast stop'"
