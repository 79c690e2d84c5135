"""Shared fixtures: the native core's golden answers, a real `ioclens serve` on 127.0.0.1, an offline msticpy.

The package under test is the installed one (``pip install ./plugin-sentinel`` after ``build.py``), not the source
tree, so the tests also prove the wasm module and the loader made it into the package.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("IOCLENS_BIN") or str(ROOT / "target" / "debug" / "ioclens")
GOLDEN = ROOT / "dist" / "golden.json"
#: The `now` of every golden lookup (wasm/abi/examples/golden.rs): 2026-01-01T00:00:00Z.
GOLDEN_NOW = 1_767_225_600

# Environment that would switch remote scoring on behind a test's back.
_REMOTE_ENV = ("IOCLENS_URL", "IOCLENS_API_KEY", "IOCLENS_TIMEOUT", "MSTICPYCONFIG")


def pytest_configure(config):
    # msticpy's domain checks call tldextract, which tries to download the Public Suffix List: keep it offline.
    with contextlib.suppress(ImportError):
        import tldextract

        tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@pytest.fixture(autouse=True)
def _no_ambient_remote(monkeypatch):
    for name in _REMOTE_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def golden() -> dict:
    if not GOLDEN.exists():
        if os.environ.get("IOCLENS_REQUIRE_CORE"):
            pytest.fail(f"{GOLDEN} is missing: run the golden dump (scripts/test.d/60-sentinel.sh)")
        pytest.skip(f"{GOLDEN} is missing")
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    # The golden dump ends with a stateful part: `load_pack` keeps a signed pack in the module for the lookups
    # after it (wasm/tests replay that part in order). This package shares one core per process, so its tests
    # take the stateless entries before the first `load_pack` only.
    entries = data["entries"]
    cut = next((i for i, e in enumerate(entries) if e["op"] == "load_pack"), len(entries))
    data["entries"] = entries[:cut]
    return data


STIX_FEED = [
    "[ipv4-addr:value = '185.220.101.4']",
    "[domain-name:value = 'update-check-service.xyz']",
    "[url:value = 'http://update-check-service.xyz/gate.php']",
]


def _bundle(patterns, seen="2026-11-20T10:00:00Z"):
    objects = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--00000000-0000-4000-8000-{i + 1:012d}",
            "created": seen,
            "modified": seen,
            "name": f"test indicator {i}",
            "pattern": p,
            "pattern_type": "stix",
            "valid_from": seen,
        }
        for i, p in enumerate(patterns)
    ]
    return {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objects}


def _cli(*args, db):
    proc = subprocess.run([BIN, *args, "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A real ``ioclens serve`` with one STIX feed (government, high confidence) and an API key."""
    if not os.path.exists(BIN):
        if os.environ.get("IOCLENS_REQUIRE_SERVER"):
            pytest.fail(f"{BIN} is missing: cargo build -p ioclens-cli")
        pytest.skip(f"{BIN} is missing")
    tmp = tmp_path_factory.mktemp("server")
    db = tmp / "ioclens.db"
    feed = tmp / "feed.json"
    feed.write_text(json.dumps(_bundle(STIX_FEED)))
    _cli(
        "feed", "add", str(feed), "--source", "sentinel-test", "--category", "government", "--confidence", "high", db=db
    )
    key = _cli("keys", "create", "--name", "sentinel", "--rate-limit", "0", db=db).strip().splitlines()[-1].strip()
    port = free_port()
    proc = subprocess.Popen(
        [BIN, "serve", "--db", str(db), "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/health", timeout=1).read()
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise AssertionError("ioclens serve did not start: " + proc.stderr.read().decode()) from None
            time.sleep(0.2)
    try:
        yield {"url": url, "key": key}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
