#!/usr/bin/env bash
# Load benchmark of GET /api/v1/lookup on 127.0.0.1 with wrk (Debian package; scripts/setup.d/40-server.sh).
#
#   server/bench/load.sh [DURATION] [CONNECTIONS]      defaults: 60s, 64
#   IOCLENS_BIN=/path/to/ioclens server/bench/load.sh …  measure that binary instead of building one
#
# Builds the release binary, loads the built-in IPsum and Maltrail feeds (~158k indicators) into a fresh store,
# starts `ioclens serve` (2 worker threads), and drives it with wrk (2 threads) rotating through 2,000 values
# (found IPs and domains, defanged forms, values in no feed). wrk runs on the same 2 cores, so the figures are a
# floor. Prints requests/s, p50/p90/p99 latency and the server's RSS sampled every second over the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-60s}"
conns="${2:-64}"
command -v wrk >/dev/null || bash scripts/setup.d/40-server.sh
if [ -n "${IOCLENS_BIN:-}" ]; then
  bin="$IOCLENS_BIN"   # compare binaries (e.g. before/after a change) under the same machine load
else
  cargo build --release -p ioclens-cli --locked --quiet
  bin="$PWD/target/release/ioclens"
fi
tmp="$(mktemp -d)"
db="$tmp/store.db"
"$bin" feed add --builtin ipsum --db "$db" >/dev/null 2>&1
"$bin" feed add --builtin maltrail --db "$db" >/dev/null 2>&1
key="$("$bin" keys create --name load --rate-limit 0 --db "$db" 2>/dev/null)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# wrk is one client with many connections: lift the per-client cap (default 50) to the connection cap (binaries
# from before the caps have no such flags).
caps=()
"$bin" serve --help | grep -q -- --max-connections-per-client &&
  caps=(--max-connections 512 --max-connections-per-client 512)
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 "${caps[@]}" 2>"$tmp/serve.log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done

bash server/bench/lookup-lua.sh > "$tmp/lookup.lua"

: > "$tmp/rss"
# VmRSS and RssAnon: the server memory-maps the store, so VmRSS also counts the store's pages it has read
# (file-backed, shared with the page cache, bounded by the store's size); RssAnon is the heap alone.
( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {r=$2} /RssAnon/ {a=$2} END {print r, a}' "/proc/$pid/status" >> "$tmp/rss" 2>/dev/null || true; sleep 1; done ) &
sampler=$!
# Warm-up, then the measured run. The server's CPU time (utime + stime, clock ticks) is read around the run so the
# CPU cost per request can be reported even when other work shares the cores.
wrk -t2 -c"$conns" -d5s -H "Authorization: Bearer $key" -s "$tmp/lookup.lua" "http://127.0.0.1:$port" >/dev/null
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
cpu_before="$(cpu_ticks)"
wrk -t2 -c"$conns" -d"$duration" --latency -H "Authorization: Bearer $key" -s "$tmp/lookup.lua" \
  "http://127.0.0.1:$port" | tee "$tmp/wrk.txt"
cpu_after="$(cpu_ticks)"
kill "$sampler" 2>/dev/null || true
echo "== summary (2 cores shared by server and wrk; $conns connections; $duration)"
awk '/Requests\/sec/ {print "requests/s: " $2} / 50%/ {print "p50: " $2} / 90%/ {print "p90: " $2} / 99%/ {print "p99: " $2}' "$tmp/wrk.txt"
for col in 1 2; do
  awk -v c="$col" 'NR==1 {first=$c} {if ($c>max) max=$c; if (min=="" || $c<min) min=$c; last=$c} END {
    printf "%s KiB: first %d, min %d, max %d, last %d (%d samples)\n", (c==1 ? "RSS" : "RssAnon"), first, min, max, last, NR }' "$tmp/rss"
done
requests="$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")"
hz="$(getconf CLK_TCK)"
awk -v a="$cpu_before" -v b="$cpu_after" -v n="$requests" -v hz="$hz" 'BEGIN {
  s = (b - a) / hz; us = s * 1e6 / n
  printf "server CPU: %.1f s for %d requests = %.0f us/request -> %.0f requests/s per dedicated core\n", s, n, us, 1e6 / us }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
