"""A real `ioclens serve` on 127.0.0.1 for the tests: a store with one STIX feed and an API key, built with the
ioclens CLI from this repository (target/debug/ioclens, or IOCLENS_BIN)."""

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IOCLENS_BIN") or os.path.join(ROOT, "target", "debug", "ioclens")


def bundle(indicators, seen="2026-11-20T10:00:00Z", first_id=1):
    objects = []
    for i, pattern in enumerate(indicators):
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": "indicator--00000000-0000-4000-8000-{:012d}".format(first_id + i),
                "created": seen,
                "modified": seen,
                "name": "test indicator {}".format(i),
                "pattern": pattern,
                "pattern_type": "stix",
                "valid_from": seen,
            }
        )
    return {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objects}


FIRST = [
    "[ipv4-addr:value = '185.220.101.4']",
    "[domain-name:value = 'update-check-service.xyz']",
    "[url:value = 'http://update-check-service.xyz/gate.php']",
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[email-addr:value = 'billing@invoice-portal.xyz']",
]
SECOND = ["[ipv4-addr:value = '45.155.205.233']"]


def cli(*args, db):
    proc = subprocess.run([BIN] + list(args) + ["--db", str(db)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(tmp_path, data_dir=None):
    """``data_dir``: the server's data directory (its intel pack and signing key); default the environment's."""
    db = tmp_path / "ioclens.db"
    feed = tmp_path / "first.json"
    feed.write_text(json.dumps(bundle(FIRST)))
    cli("feed", "add", str(feed), "--source", "splunk-test", "--category", "government", "--confidence", "high", db=db)
    key = cli("keys", "create", "--name", "splunk", "--rate-limit", "0", db=db).strip().splitlines()[-1].strip()
    port = _free_port()
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    proc = subprocess.Popen(
        [BIN, "serve", "--db", str(db), "--listen", "127.0.0.1:{}".format(port)] + extra,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = "http://127.0.0.1:{}".format(port)
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
        yield {"url": url, "key": key, "db": db, "tmp": tmp_path}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
