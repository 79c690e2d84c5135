"""Signed intel packs: download from a real HTTP server on 127.0.0.1, verify through the core, keep on disk.

The pack is the golden dump's signed test pack (wasm/abi/examples/golden.rs); with it loaded, lookups must answer
as the native core did (its ``pack.lookup.*`` entries). The process core is shared by every test of this session,
so the tests that load a pack use a fresh core instance, or a fresh Python process for ``ioclens.load_pack``.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import GOLDEN

from ioclens import _wasm
from ioclens._wasm import pack as packs

SECRET = "s3cret-api-key-never-logged"


@pytest.fixture(scope="module")
def signed(golden):  # noqa: ARG001 - `golden` skips or fails when the dump is missing
    by_name = {e["name"]: e for e in json.loads(GOLDEN.read_text(encoding="utf-8"))["entries"]}
    req = by_name["pack-load"]["input"]
    lookups = {n: e for n, e in by_name.items() if n.startswith("pack.lookup.")}
    assert lookups, "the golden dump has lookups with the pack loaded"
    return {
        "pack": base64.b64decode(req["pack_base64"]),
        "signature": req["signature"],
        "public_key": req["public_key"],
        "answer": by_name["pack-load"]["answer"]["ok"],
        "lookups": lookups,
    }


class PackServer:
    """Serves ``/api/v1/intel/pack`` as ``ioclens serve`` does (ETag, If-None-Match -> 304, the signature header)
    and ``/static/pack.bin`` + ``/static/pack.bin.sig`` as a plain static host does; records every request."""

    def __init__(self, pack: bytes, signature: str):
        self.pack, self.signature, self.requests, self.status = pack, signature, [], 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's name
                outer.requests.append((self.path, dict(self.headers)))
                etag = '"' + outer.pack[-32:-16].hex() + '"'
                if outer.status != 200:
                    self.send_response(outer.status)
                    self.end_headers()
                elif self.path == "/api/v1/intel/pack":
                    if self.headers.get("If-None-Match") == etag:
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.end_headers()
                        return
                    self._send(outer.pack, {"ETag": etag, "X-Ioclens-Signature": outer.signature})
                elif self.path == "/static/pack.bin":
                    self._send(outer.pack, {})
                elif self.path == "/static/pack.bin.sig":
                    self._send(outer.signature.encode() + b"\n", {})
                else:
                    self.send_response(404)
                    self.end_headers()

            def _send(self, body, headers):
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server(signed):
    srv = PackServer(signed["pack"], signed["signature"])
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def fresh_core():
    return _wasm.Core()


def assert_lookups_with_pack(core, signed):
    for name, e in signed["lookups"].items():
        assert core.lookup(e["input"]["value"], e["input"]["now"]) == e["answer"]["ok"], name


def test_download_verify_keep_then_304(server, signed, tmp_path):
    core = fresh_core()
    url = server.url + "/api/v1/intel/pack"
    state = packs.refresh(core.load_pack, url, signed["public_key"], str(tmp_path), api_key=SECRET)
    assert state["status"] == "ok" and state["error"] == ""
    assert state["entries"] == signed["answer"]["entries"] and state["sources"] == signed["answer"]["sources"]
    assert (tmp_path / "pack.bin").read_bytes() == signed["pack"]
    assert (tmp_path / "pack.sig").read_text().strip() == signed["signature"]
    assert_lookups_with_pack(core, signed)
    assert server.requests[0][1]["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in (tmp_path / "pack.json").read_text()
    # Unchanged on the server: a conditional request answered 304, the kept pack loaded into a new process core.
    mtime = (tmp_path / "pack.bin").stat().st_mtime_ns
    again = fresh_core()
    state = packs.refresh(again.load_pack, url, signed["public_key"], str(tmp_path))
    assert state["status"] == "not_modified" and state["entries"] == signed["answer"]["entries"]
    assert server.requests[-1][1]["If-None-Match"] == '"' + signed["pack"][-32:-16].hex() + '"'
    assert (tmp_path / "pack.bin").stat().st_mtime_ns == mtime
    assert_lookups_with_pack(again, signed)


def test_static_host_with_sig_file(server, signed, tmp_path):
    core = fresh_core()
    state = packs.refresh(core.load_pack, server.url + "/static/pack.bin", signed["public_key"], str(tmp_path))
    assert state["status"] == "ok", state
    assert [p for p, _ in server.requests] == ["/static/pack.bin", "/static/pack.bin.sig"]


def test_bad_signature_is_refused_and_nothing_written(server, signed, tmp_path):
    core = fresh_core()
    before = core.lookup(*_first_lookup(signed))
    server.pack = signed["pack"][:-1] + bytes([signed["pack"][-1] ^ 1])
    state = packs.refresh(core.load_pack, server.url + "/api/v1/intel/pack", signed["public_key"], str(tmp_path))
    assert state["status"] == "refused" and "does not verify" in state["error"]
    assert state.get("entries") is None
    assert not (tmp_path / "pack.bin").exists()
    assert core.lookup(*_first_lookup(signed)) == before  # still the embedded intel


def test_wrong_key_keeps_the_previous_pack(server, signed, tmp_path):
    core = fresh_core()
    url = server.url + "/static/pack.bin"
    assert packs.refresh(core.load_pack, url, signed["public_key"], str(tmp_path))["status"] == "ok"
    kept = (tmp_path / "pack.bin").read_bytes()
    other_key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"  # RFC 8032 test 2
    state = packs.refresh(fresh_core().load_pack, url, other_key, str(tmp_path))
    assert state["status"] == "refused" and "does not verify" in state["error"]
    assert (tmp_path / "pack.bin").read_bytes() == kept


def test_server_failure_loads_the_kept_pack(server, signed, tmp_path):
    url = server.url + "/api/v1/intel/pack"
    assert packs.refresh(fresh_core().load_pack, url, signed["public_key"], str(tmp_path))["status"] == "ok"
    server.status = 500
    core = fresh_core()
    state = packs.refresh(core.load_pack, url, signed["public_key"], str(tmp_path))
    assert state["status"] == "failed" and state["error"].endswith("HTTP 500")
    assert state["entries"] == signed["answer"]["entries"]  # the kept pack, verified again, is in use
    assert_lookups_with_pack(core, signed)


def test_tampered_kept_pack_is_refused(server, signed, tmp_path):
    url = server.url + "/api/v1/intel/pack"
    packs.refresh(fresh_core().load_pack, url, signed["public_key"], str(tmp_path))
    data = bytearray((tmp_path / "pack.bin").read_bytes())
    data[100] ^= 0xFF
    (tmp_path / "pack.bin").write_bytes(bytes(data))
    kept = packs.load_cached(fresh_core().load_pack, str(tmp_path), signed["public_key"], _wasm.IoclensError)
    assert kept["loaded"] is None and "refused" in kept["error"]


def _first_lookup(signed):
    e = next(iter(signed["lookups"].values()))
    return e["input"]["value"], e["input"]["now"]


SCRIPT = """
import json, sys, ioclens
status = ioclens.load_pack(max_age_hours=float(sys.argv[1]))
value, now = sys.argv[2], int(sys.argv[3])
print(json.dumps({"status": status.status, "error": status.error, "entries": status.entries,
                  "loaded": ioclens.pack_status() is not None, "lookup": ioclens.lookup(value, now=now).raw}))
"""


def test_load_pack_in_a_notebook_process(server, signed, tmp_path):
    # The public API, configured by environment, in fresh processes: download, then (younger than max age)
    # the kept pack without asking the server, and a lookup answering as the native core with the pack.
    env = {
        "IOCLENS_PACK_URL": server.url + "/api/v1/intel/pack",
        "IOCLENS_PACK_PUBLIC_KEY": signed["public_key"],
        "IOCLENS_PACK_DIR": str(tmp_path / "intel"),
        "IOCLENS_API_KEY": SECRET,
    }
    name, e = next(iter(signed["lookups"].items()))
    args = [e["input"]["value"], str(e["input"]["now"])]

    def run(max_age):
        import os

        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(max_age), *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        assert SECRET not in out.stdout + out.stderr
        return json.loads(out.stdout)

    first = run(6)
    assert (first["status"], first["error"], first["loaded"]) == ("ok", "", True)
    assert first["entries"] == signed["answer"]["entries"]
    assert first["lookup"] == e["answer"]["ok"], name
    seen = len(server.requests)
    second = run(6)
    assert second["status"] == "cached" and len(server.requests) == seen
    assert second["lookup"] == e["answer"]["ok"]
    third = run(0)
    assert third["status"] == "not_modified" and len(server.requests) == seen + 1


def test_load_pack_reports_problems_without_raising(tmp_path, monkeypatch):
    import ioclens

    monkeypatch.delenv("IOCLENS_PACK_URL", raising=False)
    assert ioclens.load_pack(cache_dir=str(tmp_path)).error.startswith("no pack URL")
    missing = ioclens.load_pack(path=str(tmp_path / "nope.bin"), public_key="00" * 32)
    assert missing.status == "failed" and "cannot read the pack" in missing.error
