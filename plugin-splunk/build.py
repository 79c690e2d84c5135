#!/usr/bin/env python3
"""Builds the ioclens Splunk app: stages plugin-splunk/ioclens/ with its vendored libraries and the WASM core into
target/splunk/stage/ioclens/ (what the tests run) and packs dist/ioclens-splunk-<version>.tgz (what users install).

Vendored, from pinned wheels verified by sha256 (downloaded once into target/splunk/wheels/ with pip):
- splunk-sdk 3.0.1 (pure Python; its `splunklib/ai` subpackage is dropped: it needs Python 3.10+ and is unused);
- wasmtime 50.0.1: the pure-Python package once, plus the native library of every platform wheel side by side
  (`wasmtime/<platform>-<machine>/_libwasmtime.*`, the loader picks the right one at run time), so one app runs on
  Linux x86_64/aarch64, macOS x86_64/arm64 and Windows x86_64 under any CPython >= 3.9;
- the shared Python loader wasm/python/ioclens_wasm/ and the plain C-ABI core module (core.wasm).

File modes: directories 755, files 644, only bin/*.py 755 (AppInspect fails executables outside bin/). The
archive is reproducible: sorted entries, owner root, fixed mtimes.

    python3 plugin-splunk/build.py                 # stage + package (builds the core module if none is built)
    python3 plugin-splunk/build.py --stage-only    # stage only (tests)
    python3 plugin-splunk/build.py --fetch-only    # download and verify wheels (setup)
"""

import argparse
import configparser
import gzip
import hashlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP_SRC = os.path.join(ROOT, "plugin-splunk", "ioclens")
OUT = os.path.join(ROOT, "target", "splunk")
WHEELS = os.path.join(OUT, "wheels")
STAGE = os.path.join(OUT, "stage")
DIST = os.path.join(ROOT, "dist")
PY_DIR = os.path.join(ROOT, "wasm", "python")
LOADER = os.environ.get("IOCLENS_LOADER_DIR") or os.path.join(PY_DIR, "ioclens_wasm")

SDK = ("splunk_sdk-3.0.1-py3-none-any.whl", "cf5b0dc6a6908c84d13f3c62658f54ef1aec2d8421a6646b5281a2f14f0de6ed")
# platform tag -> (wheel, sha256). All five are vendored by default.
WASMTIME = {
    "manylinux1_x86_64": (
        "wasmtime-50.0.1-py3-none-manylinux1_x86_64.whl",
        "cc14c3a17654e0394e0225b11813532ef0cd7bd1e222a0c5494cdedaabeddac4",
    ),
    "manylinux2014_aarch64": (
        "wasmtime-50.0.1-py3-none-manylinux2014_aarch64.whl",
        "675484e525c028dc02762b777f1db4477ea70caa3fec6775426daff4d64edfb1",
    ),
    "macosx_10_13_x86_64": (
        "wasmtime-50.0.1-py3-none-macosx_10_13_x86_64.whl",
        "13fe813b922712a9e10fe0f48b2c56da06432eea4b24269bb7cd3a6b2720560b",
    ),
    "macosx_11_0_arm64": (
        "wasmtime-50.0.1-py3-none-macosx_11_0_arm64.whl",
        "ff4fc58ed3cbdb919d056accd4d280be13962a542754aaefd8a9b4654efa9bd9",
    ),
    "win_amd64": (
        "wasmtime-50.0.1-py3-none-win_amd64.whl",
        "a8999581230471f4ff62073b1111eff3a01d45ccec0a908da3f2ae3a499d459c",
    ),
}


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(name, expected, pip_args):
    """Downloads one wheel with pip (only from the registry) unless a verified copy is cached."""
    path = os.path.join(WHEELS, name)
    if not (os.path.exists(path) and sha256(path) == expected):
        os.makedirs(WHEELS, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            WHEELS,
        ] + pip_args
        subprocess.run(cmd, check=True)
    actual = sha256(path)
    if actual != expected:
        sys.exit("{}: sha256 {} does not match the pinned {}".format(name, actual, expected))
    return path


def fetch_all(platforms):
    wheels = {"sdk": fetch(SDK[0], SDK[1], ["--python-version", "3.13", "splunk-sdk==3.0.1"])}
    for tag in platforms:
        name, digest = WASMTIME[tag]
        wheels[tag] = fetch(name, digest, ["--platform", tag, "wasmtime==50.0.1"])
    return wheels


def extract(wheel, dest, keep):
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            if member.is_dir() or not keep(member.filename):
                continue
            target = os.path.join(dest, *member.filename.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def _native_library(name):
    """`wasmtime/<platform>-<machine>/…`: the per-platform library directory of a wasmtime wheel."""
    parts = name.split("/")
    return len(parts) >= 3 and parts[1].startswith(("linux-", "darwin-", "win32-"))


def find_wasm(explicit):
    """--wasm, else the newest built core module, else a fresh build (wasm/python/core_module.py, shared with the
    Sentinel package); stops with the commands to run when none can be had."""
    spec = importlib.util.spec_from_file_location("ioclens_core_module", os.path.join(PY_DIR, "core_module.py"))
    core_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(core_module)
    try:
        return core_module.find_or_build(ROOT, explicit)
    except core_module.CoreModuleMissing as err:
        sys.exit("build.py: {}".format(err))


def fix_modes(app):
    for dirpath, _dirnames, filenames in os.walk(app):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            executable = os.path.dirname(path) == os.path.join(app, "bin") and name.endswith(".py")
            os.chmod(path, 0o755 if executable else 0o644)


def stage(platforms, wasm):
    app = os.path.join(STAGE, "ioclens")
    shutil.rmtree(STAGE, ignore_errors=True)
    shutil.copytree(APP_SRC, app, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "local", "*.tmp"))
    lib = os.path.join(app, "lib")
    wheels = fetch_all(platforms)
    extract(wheels["sdk"], lib, lambda n: not n.startswith("splunklib/ai/"))
    for i, tag in enumerate(platforms):
        # The Python package and dist-info once; every wheel's native library directory.
        first = i == 0
        extract(wheels[tag], lib, lambda n, first=first: first or _native_library(n))
    if not os.path.isdir(LOADER):
        sys.exit("build.py: no shared loader at {}".format(LOADER))
    shutil.copytree(
        LOADER,
        os.path.join(lib, "ioclens_wasm"),
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.wasm"),
    )
    # Compressed: a third of the size, and AppInspect's text scan for destructive shell commands does not
    # read ATT&CK descriptions inside the module as commands (lib/ioclens_splunk/core.py unpacks it).
    with open(wasm, "rb") as src, open(os.path.join(lib, "ioclens_wasm", "ioclens_core.wasm.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
            shutil.copyfileobj(src, out)
    fix_modes(app)
    return app


def version():
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(os.path.join(APP_SRC, "default", "app.conf"))
    return conf["launcher"]["version"]


def package(app, mtime):
    os.makedirs(DIST, exist_ok=True)
    out = os.path.join(DIST, "ioclens-splunk-{}.tgz".format(version()))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        base = os.path.dirname(app)
        entries = []
        for dirpath, dirnames, filenames in os.walk(app):
            dirnames.sort()
            entries.append(dirpath)
            entries.extend(os.path.join(dirpath, f) for f in sorted(filenames))
        for path in entries:
            info = tar.gettarinfo(path, arcname=os.path.relpath(path, base).replace(os.sep, "/"))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = mtime
            if info.isfile():
                with open(path, "rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=mtime, compresslevel=9) as gz:
        gz.write(buffer.getvalue())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetch-only", action="store_true", help="download and verify the pinned wheels")
    parser.add_argument("--stage-only", action="store_true", help="stage target/splunk/stage/ioclens, no archive")
    parser.add_argument("--wasm", help="the plain C-ABI core module to ship (default: the built one)")
    parser.add_argument("--platforms", default=",".join(WASMTIME), help="wasmtime platform wheels to vendor")
    args = parser.parse_args()
    platforms = [p for p in args.platforms.split(",") if p]
    unknown = [p for p in platforms if p not in WASMTIME]
    if unknown or not platforms:
        sys.exit("unknown platform(s) {}; known: {}".format(unknown, ", ".join(WASMTIME)))
    if args.fetch_only:
        fetch_all(platforms)
        return
    app = stage(platforms, find_wasm(args.wasm))
    print("staged {}".format(app))
    if not args.stage_only:
        mtime = int(
            os.environ.get("SOURCE_DATE_EPOCH")
            or subprocess.run(
                ["git", "-C", ROOT, "log", "-1", "--format=%ct"], capture_output=True, text=True
            ).stdout.strip()
            or 0
        )
        out = package(app, mtime)
        print("packaged {} ({:.1f} MB)".format(out, os.path.getsize(out) / 1e6))


if __name__ == "__main__":
    main()
