#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and benchmarks, the one place every PostgreSQL test starts it from.
#
#   scripts/lib/pg-cluster.sh start DIR   # initdb in DIR, start on a free 127.0.0.1 port; prints the URL
#   scripts/lib/pg-cluster.sh stop DIR    # stop it (immediate) and remove DIR
#   scripts/lib/pg-cluster.sh pause DIR / resume DIR   # stop / start the same cluster (fault tests)
#
# The URL is postgres://ioclens@127.0.0.1:PORT/ioclens; the password is in DIR/password (scram-sha-256), for
# PGPASSWORD or IOCLENS_DATABASE_PASSWORD_FILE, never on a command line. initdb refuses to run as root, so as
# root (CI) the cluster belongs to the `postgres` user the Debian package creates (`runuser`); otherwise to the
# caller. Sockets stay in DIR (no /var/run/postgresql needed); logs in DIR/log.
set -euo pipefail
cmd="${1:?start|stop|pause|resume DIR}"
dir="${2:?DIR}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (scripts/setup.d/45-postgres.sh)" >&2; exit 1; }
as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/password"
    chmod 600 "$dir/password"
    as "$bin/initdb" -D "$dir/data" -U ioclens --pwfile="$dir/password" --auth=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "$port" > "$dir/port"
    # Small and fast: a test cluster, not a tuned one (fsync off: nothing here outlives the test).
    as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null
    PGPASSWORD="$(cat "$dir/password")" "$bin/psql" -qX -h 127.0.0.1 -p "$port" -U ioclens -d postgres \
      -c 'CREATE DATABASE ioclens' >/dev/null
    echo "postgres://ioclens@127.0.0.1:$port/ioclens"
    ;;
  pause) as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  resume)
    port="$(cat "$dir/port")"
    as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null
    ;;
  stop)
    [ -d "$dir/data" ] && as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
