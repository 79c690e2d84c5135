#!/usr/bin/env bash
# Repository lints that build nothing: spelling (typos; words and paths in _typos.toml), what may enter the
# dependency graph (cargo-deny: licences, bans, sources; deny.toml, which also says how to run the advisories
# check where the network allows) and dependencies no code uses (cargo-shear). Tools from
# scripts/setup.d/15-lint-tools.sh. About 20 s under load.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv-lint/bin/typos
.venv-lint/bin/cargo-deny --locked check --hide-inclusion-graph licenses bans sources
.venv-lint/bin/cargo-shear
