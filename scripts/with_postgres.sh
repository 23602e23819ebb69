#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb + pg_ctl on a free port,
# DATABASE_URL exported for the command, cluster removed afterwards.
set -euo pipefail

PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "with_postgres: PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql" >&2
  exit 2
fi
TMP="$(mktemp -d /tmp/qz-pg.XXXXXX)"
chmod 755 "$TMP"
RUN=()
if [ "$(id -u)" = "0" ]; then
  chown postgres "$TMP"
  RUN=(runuser -u postgres --)
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

cleanup() {
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

"${RUN[@]}" "$PGBIN/initdb" -D "$TMP/data" -A trust -U qz -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w \
  -o "-p $PORT -k $TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"${RUN[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U qz qz

export DATABASE_URL="postgres://qz@127.0.0.1:$PORT/qz"
echo "with_postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PORT" >&2
"$@"
