#!/usr/bin/env bash
# Peak memory of `ioclens lookup` streaming N values from stdin (default 1,000,000; target ≤ 100 MB RSS).
# Usage: scripts/bench-lookup-rss.sh [N] [IOCLENS_BINARY]   (default binary: target/release/ioclens)
# Prints the count of answers, the wall time and the peak RSS (GNU time's maximum resident set size).
set -euo pipefail
n=${1:-1000000}
bin=${2:-target/release/ioclens}
[ -x "$bin" ] || cargo build --release -p ioclens-cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Distinct public-looking IPv4 addresses and domains, one per line.
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) {
  if (i % 2) printf "45.%d.%d.%d\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256;
  else printf "host%07d.example-%d.com\n", i, i % 97 } }' > "$tmp/values.txt"
/usr/bin/time -f '%M %e' -o "$tmp/time" "$bin" lookup --format jsonl --no-pack --now 1790000000 \
  < "$tmp/values.txt" | wc -l > "$tmp/count" || true
read -r rss secs < "$tmp/time"
echo "values: $n  answers: $(cat "$tmp/count")  wall: ${secs} s  peak RSS: $((rss / 1024)) MiB"
