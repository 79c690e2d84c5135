#!/usr/bin/env bash
# Hunting queries: dump every query the generator can produce (corpus cases x profiles x hostile values x
# batch forms) and check it with third-party tools: the Rust SPL lint against the CIM field list,
# Microsoft's Kusto.Language against data/sentinel_schemas.json (zero errors, zero KS205), sigma-cli check,
# pySigma conversions (Splunk backend; Kusto backend with the microsoft_xdr, sentinel_asim and azure_monitor
# pipelines) and stix2-patterns. Needs scripts/setup.d/20-node-kusto.sh and 21-python-queries.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test --locked -q -p ioclens-core --test spl_lint --test query_snapshots
# The matrix dump is an ignored test of query_snapshots (a build step, not a check): run it by name.
cargo test --locked -q -p ioclens-core --test query_snapshots -- --ignored --exact dump_matrix
matrix=target/query-matrix.json
node tests/kql/kqlcheck.js data/sentinel_schemas.json "$matrix"
.venv-queries/bin/python tests/portable/check_portable.py "$matrix"
