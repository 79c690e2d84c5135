#!/usr/bin/env bash
# Builds and installs the `ioclens` binary into ~/.cargo/bin (on PATH with a standard rustup install).
set -euo pipefail
cd "$(dirname "$0")"
cargo install --quiet --locked --path cli --root "${CARGO_HOME:-$HOME/.cargo}" --force
echo "installed: $(command -v ioclens || echo "${CARGO_HOME:-$HOME/.cargo}/bin/ioclens")"
