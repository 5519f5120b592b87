#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and benches: initdb + pg_ctl in a temp dir,
# listening on 127.0.0.1 only (no Unix socket outside the temp dir), trust auth for the one local
# user. Prints `export TEST_DATABASE_URL=...` and `export PG_THROWAWAY_DIR=...` on stdout;
# `server/throwaway-pg.sh stop <dir>` stops it and removes the dir. Needs Debian's postgresql
# binaries (/usr/lib/postgresql/*/bin). As root, the cluster runs as the `postgres` user.
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "no PostgreSQL binaries under /usr/lib/postgresql" >&2; exit 1; }
AS=""; [ "$(id -u)" -eq 0 ] && AS="runuser -u postgres --"

if [ "${1:-}" = "stop" ]; then
  DIR=$2
  $AS "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  exit 0
fi

PORT=${PG_PORT:-$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null || echo 55432)}
DIR=$(mktemp -d /tmp/deepsteer-pg.XXXXXX)
chmod 755 "$DIR"
[ -n "$AS" ] && chown postgres "$DIR"
$AS "$BIN/initdb" -D "$DIR/data" -U deepsteer --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
$AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c max_connections=200 -c fsync=on" start >/dev/null \
  || { cat "$DIR/server.log" >&2; exit 1; }
$AS "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U deepsteer deepsteer
echo "export PG_THROWAWAY_DIR=$DIR"
echo "export TEST_DATABASE_URL=postgres://deepsteer@127.0.0.1:$PORT/deepsteer"
