#!/usr/bin/env bash
# PostgreSQL store: a throw-away cluster (scripts/lib/pg-cluster.sh), then
#  1. the store's PostgreSQL tests (migrations, `db copy` with checksums) in the server's existing lib test
#     binary (IOCLENS_REQUIRE_PG=1: without the cluster they fail instead of skipping);
#  1b. the whole server API suite (tests/api.rs, tests/hardening.rs) on PostgreSQL (IOCLENS_TEST_STORE=postgres;
#     ~75 s of test time, the binaries already built by 10-rust);
#  2. the CLI end to end: an SQLite store with a feed and a key is copied with `ioclens db copy`, the password
#     coming only from the environment and appearing in no output.
#  3. replicas: two `ioclens serve` over the cluster, real HTTP on 127.0.0.1: a key works on both, its rate limit
#     is counted across both, a revocation reaches both within a second, a feed added to the store is served by both;
#  4. faults: PostgreSQL stopped under traffic (503 + Retry-After, reconnect, no replica dies), kill -9 mid-ingest.
# Cost: ~10 s for the cluster plus the lib test binary (already built by 10-rust) and the CLI (built by 40-server),
# ~85 s for the API suite on PostgreSQL, ~40 s of schemathesis, ~15 s for 3 and 4 (3 min 45 s in all, measured
# on 2 loaded cores with the test binaries built in the stage).
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
# The server API suite again, every server on PostgreSQL (a schema each); the two hardening tests that damage the
# SQLite file itself stay SQLite-only.
IOCLENS_TEST_STORE=postgres cargo test -p ioclens-server --test api --test hardening --locked --quiet -- \
  --skip health_notices_a_damaged_store --skip internal_errors_keep_their_details_in_the_log
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

# 3. Replicas: two `ioclens serve` over the one PostgreSQL store (A by --db, B by IOCLENS_DATABASE_URL), real HTTP.
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
psql() { "$pgbin/psql" -qAtX -v ON_ERROR_STOP=1 "$url" "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pa="$(free_port)"; pb="$(free_port)"
"$bin" serve --db "$url" --listen "127.0.0.1:$pa" 2> "$tmp/a.log" & a_pid=$!
IOCLENS_DATABASE_URL="$url" "$bin" serve --listen "127.0.0.1:$pb" 2> "$tmp/b.log" & b_pid=$!
trap 'kill "$a_pid" "$b_pid" 2>/dev/null || true; cleanup' EXIT
for p in "$pa" "$pb"; do
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$p/health" >/dev/null 2>&1 && break; sleep 0.1; done
done
code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "http://127.0.0.1:$2/api/v1/lookup?ioc=evil.example"; }
# A key made (on the shared store) works on both; its 5/minute limit is counted once across them.
key="$("$bin" keys create --db "$url" --name replicas --rate-limit 5 2>/dev/null)"
got="$(for p in "$pa" "$pb" "$pa" "$pb" "$pa" "$pb" "$pa"; do printf '%s ' "$(code "$key" "$p")"; done)"
[ "$got" = "200 200 200 200 200 429 429 " ] || { echo "shared rate limit: $got" >&2; exit 1; }
# A revoked key stops on both replicas within a second (KEY_RECHECK) of the revocation.
key2="$("$bin" keys create --db "$url" --name revoked --rate-limit 0 2>/dev/null)"
[ "$(code "$key2" "$pa")$(code "$key2" "$pb")" = "200200" ] || { echo "new key refused" >&2; exit 1; }
"$bin" keys revoke --db "$url" "${key2:0:12}"
t0=$(date +%s%N)
for p in "$pa" "$pb"; do
  until [ "$(code "$key2" "$p")" = 403 ]; do sleep 0.05; done
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -le 1300 ] || { echo "revocation took ${ms} ms to reach both replicas" >&2; exit 1; }
# A feed ingested into the store (through `feed add`, not through A or B) is served by both.
printf 'replica-feed.example\n' > "$tmp/r.txt"
"$bin" feed add "$tmp/r.txt" --db "$url" --source replicated --category government >/dev/null 2>&1
key3="$("$bin" keys create --db "$url" --name reader --rate-limit 0 2>/dev/null)"
for p in "$pa" "$pb"; do
  curl -fsS -H "Authorization: Bearer $key3" "http://127.0.0.1:$p/api/v1/lookup?ioc=replica-feed.example" \
    | grep -q '"feed_name":"replicated"' || { echo "replica $p does not serve the new feed" >&2; exit 1; }
done
echo "replicas: shared keys, rate limit (5/min across two), revocation in ${ms} ms, shared feed"
# schemathesis against replica A, as 40-server runs it on SQLite (a smaller budget: the same operations, another
# store behind them), when that stage's venv is there.
venv="${IOCLENS_SERVER_VENV:-$PWD/.venv-server}"
if [ -x "$venv/bin/schemathesis" ]; then
  "$venv/bin/schemathesis" run "http://127.0.0.1:$pa/api/v1/openapi.json" \
    --header "Authorization: Bearer $key3" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "${IOCLENS_FUZZ_EXAMPLES:-20}" --max-time "${IOCLENS_FUZZ_SECONDS:-40}" \
    --seed 7 --workers 1 --report-dir "$tmp/report" --warnings off >"$tmp/fuzz.log" 2>&1 \
    || { tail -60 "$tmp/fuzz.log"; echo "schemathesis on PostgreSQL failed" >&2; exit 1; }
  echo "schemathesis on PostgreSQL: $(grep -Eo '[0-9]+ passed' "$tmp/fuzz.log" | head -1)"
elif [ -n "${CI:-}" ]; then
  echo "no schemathesis venv (scripts/setup.d/40-server.sh)" >&2; exit 1
fi

# 4. Faults. PostgreSQL stopped under traffic: 503 store_unavailable with Retry-After, no replica dies, and both
#    answer again once it is back, without a restart.
bash scripts/lib/pg-cluster.sh pause "$cluster"
for p in "$pa" "$pb"; do
  h="$(curl -s -D- -o "$tmp/down.json" -H "Authorization: Bearer $key3" "http://127.0.0.1:$p/api/v1/iocs?limit=1")"
  grep -q '^HTTP/1.1 503' <<<"$h" && grep -qi '^retry-after: 1' <<<"$h" \
    && grep -q '"store_unavailable"' "$tmp/down.json" || { echo "down: $h" >&2; exit 1; }
done
bash scripts/lib/pg-cluster.sh resume "$cluster"
for p in "$pa" "$pb"; do
  for _ in $(seq 1 50); do [ "$(code "$key3" "$p")" = 200 ] && break; sleep 0.1; done
  [ "$(code "$key3" "$p")" = 200 ] || { echo "replica $p did not reconnect" >&2; exit 1; }
done
kill -0 "$a_pid" "$b_pid" || { echo "a replica died" >&2; exit 1; }
# kill -9 of an ingest mid-COPY leaves the old feed whole: 100,000 rows replace `replicated`'s one, and the writer
# is killed while PostgreSQL is receiving them.
python3 -c 'print("\n".join(f"h{i}.kill9.example" for i in range(100000)))' > "$tmp/big.txt"
"$bin" feed add "$tmp/big.txt" --db "$url" --source replicated --category government >/dev/null 2>&1 &
w_pid=$!
seen=0
for _ in $(seq 1 1000); do
  [ "$(psql -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY iocs%'")" = 1 ] && { seen=1; break; }
  sleep 0.01
done
kill -9 "$w_pid"; wait "$w_pid" 2>/dev/null || true
[ "$seen" = 1 ] || { echo "the ingest was never seen in its COPY (killed at another point)" >&2; exit 1; }
sleep 0.5
rows="$(psql -c "SELECT f.records, count(i.id) FROM feeds f LEFT JOIN iocs i ON i.feed_id = f.id WHERE f.name = 'replicated' GROUP BY f.records")"
[ "$rows" = "1|1" ] || { echo "after kill -9 mid-ingest the feed holds $rows (records|rows), not the old 1|1" >&2; exit 1; }
curl -fsS -H "Authorization: Bearer $key3" "http://127.0.0.1:$pb/api/v1/lookup?ioc=replica-feed.example" \
  | grep -q '"feed_name":"replicated"' || { echo "the old feed is not served after the kill" >&2; exit 1; }
# Run to completion, the new feed replaces it whole.
"$bin" feed add "$tmp/big.txt" --db "$url" --source replicated --category government >/dev/null 2>&1
rows="$(psql -c "SELECT f.records, count(i.id) FROM feeds f JOIN iocs i ON i.feed_id = f.id WHERE f.name = 'replicated' GROUP BY f.records")"
[ "$rows" = "100000|100000" ] || { echo "the completed ingest holds $rows" >&2; exit 1; }
echo "faults: 503 + Retry-After while down, reconnect after restart, kill -9 mid-COPY keeps the old feed"
echo "postgres: ok"
