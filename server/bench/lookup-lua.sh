#!/usr/bin/env bash
# Prints the wrk script of the lookup benchmarks (server/bench/load.sh, server/bench/replicas.sh): GET
# /api/v1/lookup rotating through 2,000 values.
set -euo pipefail
cd "$(dirname "$0")/../.."
# 2,000 lookup values: 1,000 IPsum IPs (every 3rd defanged), 600 Maltrail domains, 400 not in any feed.
{
  echo 'local v = {'
  awk -F'\t' 'NR>2 && NR<=1002 { ip=$1; if (NR%3==0) gsub(/\./, "[.]", ip); printf "%c%s%c,\n", 34, ip, 34 }' data/intel/ipsum.tsv
  awk -F'\t' '$2=="domain" { if (n++ < 600) printf "%c%s%c,\n", 34, $1, 34 }' data/intel/maltrail_iocs.tsv
  for i in $(seq 1 400); do printf '"clean-%d.example",\n' "$i"; done
  echo '}'
  cat <<'LUA'
local i = 0
local function esc(s) return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/lookup?ioc=" .. esc(v[(i % #v) + 1]))
end
LUA
}
