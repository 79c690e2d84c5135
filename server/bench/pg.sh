#!/usr/bin/env bash
# PostgreSQL store at scale, measured with PostgreSQL's own pgbench (no ioclens build needed):
#
#   server/bench/pg.sh [ROWS] [SECONDS]       defaults: 10000000 rows, 20 s per query shape
#
# Starts a throw-away cluster (scripts/lib/pg-cluster.sh; fsync off, default shared_buffers 128 MB), creates the
# store's schema with the migrations' SQL, fills `iocs` with ROWS rows server-side (generate_series; the same
# distribution as server/benches/iocs_page.rs: 24 feeds, 40 % IPv4 / 30 % domains / 15 % URLs / 10 % SHA-256 /
# 5 % MD5, last_seen over one year) with the indexes built after the load, then runs, one client each:
#  - the filtered 100-row feed page statements exactly as store::page_sql writes them (first page), p50/p99;
#  - the lookup statement of store_pg::lookup on random existing values, with 1 and with 4 clients (lookups/s).
# Figures are the database's alone (no HTTP, no JSON): compare with `cargo bench --bench iocs_page`
# (SQLite through the real HTTP router) only with that in mind. Removes everything it made.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-10000000}"
secs="${2:-20}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
tmp="$(mktemp -d)"
chmod 755 "$tmp"
trap 'bash scripts/lib/pg-cluster.sh stop "$tmp/pg"; rm -rf "$tmp"' EXIT
url="$(bash scripts/lib/pg-cluster.sh start "$tmp/pg")"
PGPASSWORD="$(cat "$tmp/pg/password")"
export PGPASSWORD
psql() { "$bin/psql" -qX -v ON_ERROR_STOP=1 "$url" "$@"; }
# The schema: the migration SQL of server/src/store_pg.rs, applied by `ioclens db migrate` in normal use; here
# without the indexes, which are built after the load.
psql <<'SQL'
CREATE TABLE feeds(id bigint PRIMARY KEY, name text NOT NULL UNIQUE, category bigint NOT NULL,
  confidence bigint NOT NULL, sectors bigint NOT NULL, tags text NOT NULL, reference_url text, format text NOT NULL,
  fingerprint text NOT NULL, ingested_at bigint NOT NULL, records bigint NOT NULL, generation bigint NOT NULL);
CREATE UNLOGGED TABLE iocs(id bigint NOT NULL, feed_id bigint NOT NULL, kind bigint NOT NULL, value text NOT NULL,
  category bigint NOT NULL, confidence bigint NOT NULL, sectors bigint NOT NULL, first_seen bigint NOT NULL,
  last_seen bigint NOT NULL, occurrences bigint NOT NULL, context text, tags text, threat_type text,
  malware_family text, reference_url text, generation bigint NOT NULL, status bigint NOT NULL DEFAULT 0,
  valid_until bigint, port bigint NOT NULL DEFAULT 0);
INSERT INTO feeds SELECT f, 'bench-' || f, f % 3, 2, (1 << (f % 16)) | (1 << ((f * 7) % 16)), '', NULL, 'txt',
  'bench', 1800000000, 0, 1 FROM generate_series(1, 24) f;
SQL
t0=$(date +%s.%N)
psql -v rows="$rows" <<'SQL'
INSERT INTO iocs(id, feed_id, kind, value, category, confidence, sectors, first_seen, last_seen, occurrences, tags,
                 generation)
SELECT i + 1, f, k,
  CASE k WHEN 0 THEN format('%s.%s.%s.%s', 1 + (i >> 24) % 223, (i >> 16) % 256, (i >> 8) % 256, i % 256)
         WHEN 3 THEN format('h%s.bench%s.example', i, i % 97)
         WHEN 4 THEN format('http://h%s.bench.example/p/%s', i, i % 1000)
         WHEN 8 THEN lpad(to_hex(i), 64, '0') ELSE lpad(to_hex(i), 32, '0') END,
  f % 3, 1 + (random() * 2)::int, (1::bigint << (f % 16)::int) | (1::bigint << ((f * 7) % 16)::int), ls - 86400 * 30, ls, 1, 'bench', 1
FROM (SELECT i, 1 + i % 24 AS f,
        CASE WHEN i % 20 < 8 THEN 0 WHEN i % 20 < 14 THEN 3 WHEN i % 20 < 17 THEN 4 WHEN i % 20 < 19 THEN 8 ELSE 6 END AS k,
        1768464000 + (i * 31536000) / :rows + (random() * 3600)::bigint AS ls
      FROM generate_series(0::bigint, :rows - 1) i) s;
SQL
t1=$(date +%s.%N)
psql <<'SQL'
ALTER TABLE iocs SET LOGGED;
ALTER TABLE iocs ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX iocs_value ON iocs(value, kind, feed_id, port);
CREATE INDEX iocs_recent ON iocs(last_seen, id, kind, confidence, category, sectors);
CREATE INDEX iocs_kind ON iocs(kind, last_seen, id, confidence, category, sectors);
CREATE INDEX iocs_feed ON iocs(feed_id, generation);
CREATE INDEX iocs_kind_first ON iocs(kind, first_seen);
VACUUM ANALYZE iocs;
VACUUM ANALYZE feeds;
SQL
t2=$(date +%s.%N)
size="$(psql -At -c "SELECT pg_size_pretty(pg_total_relation_size('iocs'))")"
printf 'store: %s rows, load %.0f s, indexes + analyze %.0f s, iocs %s\n' "$rows" \
  "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$size"
cols="i.id, i.kind, i.value, i.confidence, i.category, i.sectors, i.first_seen, i.last_seen, i.occurrences, \
i.context, i.tags, i.threat_type, i.malware_family, coalesce(i.reference_url, f.reference_url), f.name, f.format, \
i.status, i.valid_until, i.port"
page() { echo "SELECT $cols FROM iocs i JOIN feeds f ON f.id = i.feed_id $1 ORDER BY i.last_seen DESC, i.id DESC LIMIT 101 OFFSET 0;"; }
# The shapes of server/benches/iocs_page.rs (kind codes: ipv4 0, domain 3, url 4, md5 6, sha256 8; a sector is
# one bit of `sectors`).
declare -A shapes=(
  ["limit=100"]="$(page "")"
  ["type=ipv4"]="$(page "WHERE i.kind = 0")"
  ["type=md5"]="$(page "WHERE i.kind = 6")"
  ["confidence=high"]="$(page "WHERE i.confidence = 3")"
  ["category=government"]="$(page "WHERE i.category = 0")"
  ["sector (one bit)"]="$(page "WHERE (i.sectors & 32) != 0")"
  ["type=domain&confidence=high&category=commercial"]="$(page "WHERE i.kind = 3 AND i.confidence = 3 AND i.category = 1")"
  ["type=sha256&sector"]="$(page "WHERE i.kind = 8 AND (i.sectors & 1024) != 0")"
  ["since=2026-12-01"]="$(page "WHERE i.first_seen >= 1764547200 AND i.last_seen >= 1764547200")"
  ["since..until one day, type=url"]="$(page "WHERE i.kind = 4 AND i.first_seen >= 1748736000 AND i.last_seen >= 1748736000 AND i.first_seen <= 1748822400")"
)
printf '%-52s %9s %9s %9s\n' "feed page (first 100 rows)" "pages/s" "p50 ms" "p99 ms"
for name in "${!shapes[@]}"; do
  echo "${shapes[$name]}" > "$tmp/q.sql"
  ( cd "$tmp" && "$bin/pgbench" -n -M prepared -c 1 -T "$secs" -f q.sql -l --log-prefix=lat "$url" > out.txt 2>&1 ) || { cat "$tmp/out.txt"; exit 1; }
  python3 - "$name" "$tmp" <<'PY'
import glob, sys
lat = sorted(int(l.split()[2]) for f in glob.glob(sys.argv[2] + "/lat*") for l in open(f))
tps = [l for l in open(sys.argv[2] + "/out.txt") if l.startswith("tps")][0].split()[2]
q = lambda p: lat[min(len(lat) - 1, round((len(lat) - 1) * p))] / 1000
print(f"{sys.argv[1]:<52} {float(tps):>9.0f} {q(0.5):>9.2f} {q(0.99):>9.2f}")
PY
  rm -f "$tmp"/lat*
done
# Lookups: the statement of store_pg::lookup on a random existing IPv4 (ids with i % 20 < 8 are IPv4).
cat > "$tmp/lookup.sql" <<EOF2
\set i random(0, $rows - 1)
\set j (:i / 20) * 20 + (:i % 8)
SELECT count(*), max(ingested_at) FROM feeds;
SELECT $cols FROM iocs i JOIN feeds f ON f.id = i.feed_id WHERE i.value = format('%s.%s.%s.%s', 1 + (:j::bigint >> 24) % 223, (:j::bigint >> 16) % 256, (:j::bigint >> 8) % 256, :j::bigint % 256) AND i.kind = 0 AND (0::bigint = 0 OR i.port IN (0, 0::bigint));
EOF2
for c in 1 4; do
  ( cd "$tmp" && "$bin/pgbench" -n -M prepared -c "$c" -j "$c" -T "$secs" -f lookup.sql "$url" > out.txt 2>&1 ) || { cat "$tmp/out.txt"; exit 1; }
  printf 'lookups, %s client(s): %s/s, mean latency %s ms\n' "$c" \
    "$(grep '^tps' "$tmp/out.txt" | awk '{printf "%.0f", $3}')" "$(grep '^latency average' "$tmp/out.txt" | awk '{print $4}')"
done
