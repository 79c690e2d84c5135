#!/usr/bin/env bash
# PostgreSQL store: a throw-away cluster (scripts/lib/pg-cluster.sh), then
#  1. the store's PostgreSQL tests (migrations, `db copy` with checksums) in the server's existing lib test
#     binary (IOCLENS_REQUIRE_PG=1: without the cluster they fail instead of skipping);
#  2. the CLI end to end: an SQLite store with a feed and a key is copied with `ioclens db copy`, the password
#     coming only from the environment and appearing in no output.
# Cost: ~10 s for the cluster plus the lib test binary (already built by 10-rust) and the CLI (built by 40-server).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.d/45-postgres.sh >/dev/null
tmp="$(mktemp -d)"
chmod 755 "$tmp"
cluster="$tmp/pg"
cleanup() { bash scripts/lib/pg-cluster.sh stop "$cluster" || true; rm -rf "$tmp"; }
trap cleanup EXIT
url="$(bash scripts/lib/pg-cluster.sh start "$cluster")"
export IOCLENS_TEST_DATABASE_URL="$url" IOCLENS_REQUIRE_PG=1
PGPASSWORD="$(cat "$cluster/password")"
export PGPASSWORD
cargo test -p ioclens-server --lib --locked --quiet -- store_pg ingest::tests::an_ip_port
cargo build -p ioclens-cli --locked --quiet
bin="$PWD/target/debug/ioclens"
printf '91.215.85.22:443\n91.215.85.22\nevil.example\n' > "$tmp/feed.txt"
"$bin" feed add "$tmp/feed.txt" --db "$tmp/s.db" --source e2e --category community >/dev/null
"$bin" keys create --db "$tmp/s.db" --name e2e >/dev/null 2>&1
# A password in the URL is refused and not echoed.
if "$bin" db migrate --db "postgres://ioclens:$PGPASSWORD@127.0.0.1:1/x" > "$tmp/bad.out" 2>&1; then
  echo "a password in the URL was accepted" >&2; exit 1
fi
if grep -qF "$PGPASSWORD" "$tmp/bad.out"; then echo "the password was echoed" >&2; exit 1; fi
IOCLENS_DATABASE_URL="$url" "$bin" db copy --from "$tmp/s.db" > "$tmp/copy.json" 2>&1
python3 - "$tmp/copy.json" <<'PY'
import json, sys
r = {t["table"]: t for t in json.load(open(sys.argv[1]))}
assert (r["feeds"]["to_rows"], r["iocs"]["to_rows"], r["api_keys"]["to_rows"]) == (1, 3, 1), r
assert all(t["from_sha256"] == t["to_sha256"] for t in r.values()), r
print("db copy: feeds 1, iocs 3, api_keys 1, checksums equal")
PY
"$bin" db migrate --db "$url" | grep -qx 'schema 4'
# A second copy into the filled store is refused.
if "$bin" db copy --from "$tmp/s.db" --to "$url" >/dev/null 2>&1; then echo "copied twice" >&2; exit 1; fi
if grep -rqF "$PGPASSWORD" "$tmp/copy.json"; then echo "the password was echoed" >&2; exit 1; fi
echo "postgres: ok"
