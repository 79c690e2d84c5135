#!/usr/bin/env bash
# Lookups/s of two `ioclens serve` replicas over one local PostgreSQL next to one process over SQLite, on the same
# machine, with the same store contents and the same wrk load:
#
#   server/bench/replicas.sh [DURATION] [CONNECTIONS]      defaults: 20s, 32 (per wrk)
#   IOCLENS_BIN=/path/to/ioclens server/bench/replicas.sh …  measure that binary instead of building one
#
# The store: the built-in IPsum and Maltrail feeds (~158k indicators) and one unlimited key, in SQLite, copied
# into a throw-away PostgreSQL cluster (scripts/lib/pg-cluster.sh, fsync off) with `ioclens db copy`. Load: two
# wrk processes (1 thread, CONNECTIONS connections each) rotating through the 2,000 values of
# server/bench/lookup-lua.sh, both on the one SQLite server, then one on each replica. Everything (servers,
# PostgreSQL, wrk) shares the machine's cores, so the figures compare the two layouts, they do not size either.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-20s}"
conns="${2:-32}"
if [ -n "${IOCLENS_BIN:-}" ]; then
  bin="$IOCLENS_BIN"
else
  cargo build --release -p ioclens-cli --locked --quiet
  bin="$PWD/target/release/ioclens"
fi
tmp="$(mktemp -d)"
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash scripts/lib/pg-cluster.sh stop "$tmp/pg" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
db="$tmp/store.db"
"$bin" feed add --builtin ipsum --db "$db" >/dev/null 2>&1
"$bin" feed add --builtin maltrail --db "$db" >/dev/null 2>&1
key="$("$bin" keys create --name load --rate-limit 0 --db "$db" 2>/dev/null)"
url="$(bash scripts/lib/pg-cluster.sh start "$tmp/pg")"
PGPASSWORD="$(cat "$tmp/pg/password")"
export PGPASSWORD
"$bin" db copy --from "$db" --to "$url" >/dev/null
bash server/bench/lookup-lua.sh > "$tmp/lookup.lua"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() { # STORE PORT THREADS
  "$bin" serve --db "$1" --listen "127.0.0.1:$2" --threads "$3" --max-connections 512 \
    --max-connections-per-client 512 2>>"$tmp/serve.log" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$2/health" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "server on $2 did not start" >&2; cat "$tmp/serve.log" >&2; exit 1
}
load() { # PORT_A PORT_B: two wrk at once, summed requests/s
  local w=()
  for p in "$1" "$2"; do
    wrk -t1 -c"$conns" -d3s -H "Authorization: Bearer $key" -s "$tmp/lookup.lua" "http://127.0.0.1:$p" >/dev/null &
    w+=($!)
  done
  wait "${w[@]}"   # the wrk runs only: the servers are background jobs too
  w=()
  wrk -t1 -c"$conns" -d"$duration" --latency -H "Authorization: Bearer $key" -s "$tmp/lookup.lua" \
    "http://127.0.0.1:$1" > "$tmp/w1.txt" &
  w+=($!)
  wrk -t1 -c"$conns" -d"$duration" --latency -H "Authorization: Bearer $key" -s "$tmp/lookup.lua" \
    "http://127.0.0.1:$2" > "$tmp/w2.txt" &
  w+=($!)
  wait "${w[@]}"
  cat "$tmp/w1.txt" "$tmp/w2.txt" | awk '/Requests\/sec/ {r += $2} / 99%/ {p = p " " $2}
    /Non-2xx/ {e += $NF} END {printf "%.0f lookups/s (p99 per wrk:%s; non-2xx: %d)\n", r, p, e}'
}
s1="$(free_port)"
serve "$db" "$s1" 2
printf 'SQLite, one process (2 worker threads):          '
load "$s1" "$s1"
kill "${pids[0]}"
a="$(free_port)"; b="$(free_port)"
serve "$url" "$a" 1
serve "$url" "$b" 1
printf 'PostgreSQL, two replicas (1 worker thread each): '
load "$a" "$b"
