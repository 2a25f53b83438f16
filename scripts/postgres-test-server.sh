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
# TLS for the hub's PostgreSQL-over-TLS tests: a throwaway CA and a server certificate for
# localhost and 127.0.0.1; role `tlsonly` may connect over TLS only (pg_hba), so a test that gets
# in as tlsonly proves the connection was encrypted.
ca=""
if command -v openssl >/dev/null 2>&1; then
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=dockhand test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3 \
      -extfile ext.cnf -out server.crt 2>/dev/null
    cp server.crt server.key data/
    chmod 600 data/server.key
    if [ "$(id -u)" = 0 ]; then chown postgres data/server.crt data/server.key; fi
    printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >> data/postgresql.conf
    { printf 'hostssl all tlsonly 127.0.0.1/32 trust\nhostnossl all tlsonly 127.0.0.1/32 reject\n'
      cat data/pg_hba.conf; } > data/pg_hba.new && mv data/pg_hba.new data/pg_hba.conf
    if [ "$(id -u)" = 0 ]; then chown postgres data/pg_hba.conf; fi
  ) && ca="$dir/ca.crt"
fi
# A free port: the one asked for, or the first of a few random ones that starts.
for attempt in 1 2 3 4 5; do
  port="${DOCKHAND_PG_PORT:-$((40000 + RANDOM % 20000))}"
  if "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null; then
    break
  fi
  [ "$attempt" = 5 ] && { cat "$dir/log" >&2; exit 1; }
done
if [ -n "$ca" ]; then
  "${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE tlsonly SUPERUSER LOGIN" >/dev/null
  echo "export DOCKHAND_TEST_POSTGRES_CA=$ca"
fi
echo "export DOCKHAND_TEST_POSTGRES=postgres://postgres@127.0.0.1:$port/postgres"
echo "export DOCKHAND_PG_DIR=$dir"
echo "export DOCKHAND_PG_STOP='${as_pg[*]} $bin/pg_ctl -D $dir/data -m fast stop'"
