"""Where the Python hosts get the plain C-ABI core module they ship: the newest built copy, else a fresh build.

One home for this rule: ``plugin-sentinel/build.py`` (and the package's build hook, ``plugin-sentinel/setup.py``)
and ``plugin-splunk/build.py`` call :func:`find_or_build`. A clean clone has no built module; with cargo and the
wasm32 target installed it is built here (``cargo build --profile wasm``, as ``plugin-splunk/build-core.sh`` does),
otherwise the build stops with the exact commands to run.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

# The outputs of `cargo xtask wasm` and of the plain cargo build below; the newest wins (never a stale copy).
CANDIDATES = (
    "dist/abi/ioclens_core.wasm",
    "target/wasm32-unknown-unknown/wasm/ioclens_wasm_abi.wasm",
)
BUILD = (
    "cargo",
    "build",
    "--locked",
    "--profile",
    "wasm",
    "--target",
    "wasm32-unknown-unknown",
    "-p",
    "ioclens-wasm-abi",
)


class CoreModuleMissing(RuntimeError):
    """No core module is built and none could be built here; the message says what to run."""


def find(root: str, explicit: str | None = None) -> str | None:
    """``explicit`` if given, else the most recently built candidate under ``root``, else None."""
    if explicit:
        if not os.path.isfile(explicit):
            raise CoreModuleMissing(f"core module {explicit!r} does not exist")
        return explicit
    found = [os.path.join(root, rel) for rel in CANDIDATES if os.path.isfile(os.path.join(root, rel))]
    return max(found, key=os.path.getmtime) if found else None


def find_or_build(root: str, explicit: str | None = None, log=print) -> str:
    """Like :func:`find`, but builds the module with cargo when none is built yet."""
    found = find(root, explicit)
    if found:
        return found
    command = " ".join(shlex.quote(part) for part in BUILD)
    help_text = (
        "no ioclens core module is built. From the repository root run:\n"
        "  rustup target add wasm32-unknown-unknown\n"
        f"  {command}\n"
        "then install again."
    )
    if not os.path.isfile(os.path.join(root, "wasm", "abi", "Cargo.toml")):
        raise CoreModuleMissing(help_text.replace("From the repository root", "From an ioclens checkout"))
    if shutil.which("cargo") is None:
        raise CoreModuleMissing(help_text)
    log(f"building the core module: {command}")
    if subprocess.run(BUILD, cwd=root, check=False).returncode != 0:
        raise CoreModuleMissing(help_text)
    built = os.path.join(root, CANDIDATES[-1])
    if not os.path.isfile(built):
        raise CoreModuleMissing(help_text)
    return built
