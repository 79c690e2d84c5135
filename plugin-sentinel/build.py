#!/usr/bin/env python3
"""Puts the WebAssembly core into the package before ``pip install ./plugin-sentinel``.

One source of truth: the loader is ``wasm/python/ioclens_wasm/__init__.py`` (shared with the Splunk app) and the
module is the plain C-ABI build of ``wasm/abi`` (``cargo xtask wasm`` → ``dist/abi/ioclens_core.wasm``, or
``cargo build --profile wasm --target wasm32-unknown-unknown -p ioclens-wasm-abi`` →
``target/wasm32-unknown-unknown/wasm/ioclens_wasm_abi.wasm``). Both are copied into ``src/ioclens/_wasm/``
(git-ignored), which pyproject.toml ships as package data.

    python3 plugin-sentinel/build.py [--wasm PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LOADER = os.path.join(ROOT, "wasm", "python", "ioclens_wasm", "__init__.py")
CANDIDATES = (
    "dist/abi/ioclens_core.wasm",
    "target/wasm32-unknown-unknown/wasm/ioclens_wasm_abi.wasm",
)
DEST = os.path.join(HERE, "src", "ioclens", "_wasm")


def find_wasm(explicit: str | None) -> str:
    """``--wasm``, else the most recently built candidate (never a stale copy next to a new one)."""
    if explicit:
        return explicit
    found = [os.path.join(ROOT, c) for c in CANDIDATES if os.path.exists(os.path.join(ROOT, c))]
    if not found:
        sys.exit("build.py: no core module; run `cargo xtask wasm` or `bash plugin-splunk/build-core.sh` first")
    return max(found, key=os.path.getmtime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wasm", help="the plain C-ABI core module (default: the newest built one)")
    args = parser.parse_args()
    wasm = find_wasm(args.wasm)
    os.makedirs(DEST, exist_ok=True)
    shutil.copyfile(LOADER, os.path.join(DEST, "__init__.py"))
    shutil.copyfile(wasm, os.path.join(DEST, "ioclens_core.wasm"))
    print(f"build.py: {os.path.relpath(wasm, ROOT)} + shared loader -> {os.path.relpath(DEST, ROOT)}/")


if __name__ == "__main__":
    main()
