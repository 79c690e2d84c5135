#!/usr/bin/env python3
"""Puts the WebAssembly core into the package: ``src/ioclens/_wasm/`` (git-ignored, shipped as package data).

One source of truth: the loader is ``wasm/python/ioclens_wasm/`` (``__init__.py`` and ``remote.py``, shared with the
Splunk app) and the
module is the plain C-ABI build of ``wasm/abi``, found or built by ``wasm/python/core_module.py`` (the newest of
``dist/abi/ioclens_core.wasm`` and ``target/wasm32-unknown-unknown/wasm/ioclens_wasm_abi.wasm``; with neither, a
``cargo build --profile wasm``). ``pip install ./plugin-sentinel`` runs this through ``setup.py`` when the folder is
empty, so one command installs a working package from a clean clone.

    python3 plugin-sentinel/build.py [--wasm PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY_DIR = os.path.join(ROOT, "wasm", "python")
LOADER_DIR = os.path.join(PY_DIR, "ioclens_wasm")
LOADER = os.path.join(LOADER_DIR, "__init__.py")
DEST = os.path.join(HERE, "src", "ioclens", "_wasm")


def in_checkout() -> bool:
    """True when this package sits in an ioclens checkout (the loader and the module can be had)."""
    return os.path.isfile(LOADER)


def loader_modules() -> list:
    """The shared loader's Python files (names), copied into ``DEST`` as they are."""
    return sorted(name for name in os.listdir(LOADER_DIR) if name.endswith(".py"))


def complete() -> bool:
    """True when ``DEST`` holds the module and every file of the shared loader (a checkout's loader may have
    gained a file since ``DEST`` was filled)."""
    if not os.path.isfile(os.path.join(DEST, "ioclens_core.wasm")):
        return False
    return not in_checkout() or all(os.path.isfile(os.path.join(DEST, name)) for name in loader_modules())


def fill(explicit: str | None = None, log=print) -> None:
    """Copies the shared loader and the (found or freshly built) core module into ``DEST``."""
    spec = importlib.util.spec_from_file_location("ioclens_core_module", os.path.join(PY_DIR, "core_module.py"))
    core_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(core_module)
    wasm = core_module.find_or_build(ROOT, explicit, log=log)
    os.makedirs(DEST, exist_ok=True)
    for name in loader_modules():
        shutil.copyfile(os.path.join(LOADER_DIR, name), os.path.join(DEST, name))
    shutil.copyfile(wasm, os.path.join(DEST, "ioclens_core.wasm"))
    log(f"build.py: {os.path.relpath(wasm, ROOT)} + shared loader -> {os.path.relpath(DEST, ROOT)}/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wasm", help="the plain C-ABI core module (default: the newest built one, else build it)")
    args = parser.parse_args()
    if not in_checkout():
        sys.exit("build.py: run it from an ioclens checkout (wasm/python/ioclens_wasm is missing)")
    try:
        fill(args.wasm)
    except RuntimeError as err:
        sys.exit(f"build.py: {err}")


if __name__ == "__main__":
    main()
