#!/usr/bin/env bash
# PostgreSQL from Debian's packages, for the PostgreSQL-store tests (scripts/test.d/45-postgres.sh). Only the
# binaries are needed: the tests start a throw-away cluster of their own (scripts/lib/pg-cluster.sh), so the
# package's default cluster is not created. Idempotent: skipped when `initdb` and `pg_ctl` are present.
# Cost: ~40 MB of packages, ~20 s with a warm apt mirror.
set -euo pipefail
have() { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
if have; then
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | head -1
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL is missing: install the Debian package 'postgresql' (needs root)" >&2
  exit 1
fi
# No `main` cluster: the tests make their own.
mkdir -p /etc/postgresql-common
if ! grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
  echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
ls -d /usr/lib/postgresql/*/bin | head -1
