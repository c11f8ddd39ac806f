#!/usr/bin/env bash
# A throwaway PostgreSQL server for the scenario-store tests.
#
#   eval "$(bash scripts/ensure_postgres.sh start)"   # prints export lines: URL and data dir
#   bash scripts/ensure_postgres.sh stop "$PLANNER_TEST_POSTGRES_DIR"
#
# `start` installs Debian's postgresql with apt-get when it is missing (as root), creates a
# cluster under a new temporary directory with initdb run as the `postgres` user, starts it
# on a free port on 127.0.0.1 (trust authentication: it lives only for the test run) and
# prints `export PLANNER_TEST_POSTGRES_URL=...` and `export PLANNER_TEST_POSTGRES_DIR=...`.
# Without root and without a server it fails with what to install: a missing database is an
# error, never a skipped test.
set -euo pipefail

fail() {
  cat >&2 <<MSG
No PostgreSQL server for the scenario-store tests: $1
Either run \`make test\` as root (it installs Debian's postgresql and starts a throwaway
server), or install it yourself (sudo apt-get install -y postgresql) and run as root, or
point PLANNER_TEST_POSTGRES_URL at a server you may create tables in, e.g.
  PLANNER_TEST_POSTGRES_URL=postgresql://user:pass@localhost:5432/planner_test make test
MSG
  exit 1
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

start() {
  if [ -n "${PLANNER_TEST_POSTGRES_URL:-}" ]; then
    echo "export PLANNER_TEST_POSTGRES_URL='$PLANNER_TEST_POSTGRES_URL'"
    return
  fi
  [ "$(id -u)" = "0" ] || fail "this is not root, so it cannot install or run one as postgres."
  local bin
  bin=$(pg_bin || true)
  if [ -z "$bin" ]; then
    command -v apt-get >/dev/null 2>&1 || fail "no apt-get to install postgresql with."
    echo "Installing Debian's postgresql for the scenario-store tests..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin || true)
    [ -n "$bin" ] || fail "apt-get installed postgresql but no initdb was found."
  fi
  id postgres >/dev/null 2>&1 || fail "there is no 'postgres' user to run the server as."
  local dir port
  dir=$(mktemp -d /tmp/planner-pg.XXXXXX)
  chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; fail "the server did not start (log above)."; }
  echo "export PLANNER_TEST_POSTGRES_URL='postgresql://postgres@127.0.0.1:$port/postgres'"
  echo "export PLANNER_TEST_POSTGRES_DIR='$dir'"
}

stop() {
  local dir="${1:-}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  local bin
  bin=$(pg_bin || true)
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop <dir>" >&2; exit 2 ;;
esac
