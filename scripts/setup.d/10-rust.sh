#!/usr/bin/env bash
# Rust toolchain pieces. rust-toolchain.toml pins the toolchain (1.95.0 with clippy, rustfmt and the wasm32
# target). Build machines cannot download toolchains, so when no toolchain of that name is installed but an installed
# one (the machine's `stable`) is that very version, it is registered under the pinned name (a link to the same
# directory); only where neither exists does rustup install it (this needs the Rust distribution server).
set -euo pipefail
cd "$(dirname "$0")/../.."
want="$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)"
toolchains="${RUSTUP_HOME:-$HOME/.rustup}/toolchains"
if ! rustup toolchain list | grep -q "^$want-"; then
  linked=""
  for t in $(rustup toolchain list | awk '{print $1}'); do
    if [ "$(rustup run "$t" rustc --version 2>/dev/null | awk '{print $2}')" = "$want" ]; then
      ln -s "$toolchains/$t" "$toolchains/$want-${t#*-}"
      linked="$t"
      echo "rust: toolchain $want is the installed $t (linked)"
      break
    fi
  done
  [ -n "$linked" ] || rustup toolchain install "$want" --profile minimal
fi
# Components and target of the pinned toolchain (a no-op when they are there).
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown
cargo fetch --locked --quiet
