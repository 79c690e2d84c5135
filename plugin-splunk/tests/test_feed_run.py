"""The modular input against a real ``ioclens serve`` on 127.0.0.1 (the binary built from this repository), with
KV-store writes going to the fake splunkd: run with an input definition on stdin, as splunkd does."""

import json
import os
import time

import ioclens_server
import modinput
import pytest
from conftest import APP_DIR
from ioclens_server import BIN, SECOND
from ioclens_server import bundle as _bundle
from ioclens_server import cli as _cli

pytestmark = pytest.mark.skipif(
    not os.path.exists(BIN) and not os.environ.get("IOCLENS_REQUIRE_SERVER"),
    reason="no ioclens binary with `serve` built yet (server branch)",
)


@pytest.fixture
def server(tmp_path):
    with ioclens_server.server(tmp_path) as running:
        yield running


def _run(splunkd, session_key, params, checkpoint_dir, name="ioclens_feed://main"):
    xml = modinput.input_xml({name: params}, splunkd.uri, session_key, str(checkpoint_dir))
    return modinput.run(APP_DIR, [], xml)


def _docs(splunkd, collection):
    return list(splunkd.kvstore.get(collection, {}).values())


def feed_fills_es_collections_incrementally(server, splunkd, session_key, tmp_path):
    splunkd.passwords["ioclens:api_key:"] = server["key"]
    checkpoints = tmp_path / "checkpoints"
    params = {"url": server["url"], "category": "government", "page_size": "2", "lookback": "30d", "interval": "3600"}
    first = _run(splunkd, session_key, params, checkpoints)
    assert first.returncode == 0, first.stderr.decode()
    ips = {d.get("ip") or d.get("domain"): d for d in _docs(splunkd, "ip_intel")}
    assert set(ips) == {"185.220.101.4", "update-check-service.xyz"}
    assert [d["url"] for d in _docs(splunkd, "http_intel")] == ["http://update-check-service.xyz/gate.php"]
    assert [d["file_hash"] for d in _docs(splunkd, "file_intel")] == [
        "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"
    ]
    assert [d["src_user"] for d in _docs(splunkd, "email_intel")] == ["billing@invoice-portal.xyz"]
    doc = ips["185.220.101.4"]
    assert doc["threat_key"] == "ioclens:splunk-test"
    assert doc["weight"] == 3 and doc["confidence"] == "high" and doc["category"] == "government"
    assert doc["disabled"] is False and isinstance(doc["time"], int)
    # Paging with page_size=2 followed links.next; each batch_save carried the session key.
    saves = [r for r in splunkd.requests if r[1].endswith("/batch_save")]
    assert saves and all(h["Authorization"] == "Splunk " + session_key for _, _, h, _ in saves)
    state = json.loads((checkpoints / "ioclens_feed___main.json").read_text())
    assert state["since"].endswith("Z") and state["last_count"] == 5
    keys_before = {c: set(splunkd.kvstore[c]) for c in splunkd.kvstore}

    feed = server["tmp"] / "second.json"
    # A newly seen indicator (last_seen now): the server's since filters on last_seen.
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    feed.write_text(json.dumps(_bundle(SECOND, seen=now, first_id=100)))
    _cli(
        "feed",
        "add",
        str(feed),
        "--source",
        "splunk-test-2",
        "--category",
        "government",
        "--confidence",
        "low",
        db=server["db"],
    )
    second = _run(splunkd, session_key, params, checkpoints)
    assert second.returncode == 0, second.stderr.decode()
    log = second.stderr.decode()
    assert "since {}".format(state["since"]) in log
    ips = {d.get("ip") or d.get("domain") for d in _docs(splunkd, "ip_intel")}
    assert "45.155.205.233" in ips
    # Keys are stable: the first run's documents were updated in place, not duplicated.
    for collection, keys in keys_before.items():
        assert keys <= set(splunkd.kvstore[collection])
    assert len(splunkd.kvstore["ip_intel"]) == 3


def wrong_key_fails_without_moving_the_checkpoint(server, splunkd, session_key, tmp_path):
    splunkd.passwords["ioclens:api_key:"] = "ioc_wrong"
    checkpoints = tmp_path / "checkpoints"
    run = _run(splunkd, session_key, {"url": server["url"]}, checkpoints)
    assert run.returncode == 1
    assert b"HTTP 401" in run.stderr
    assert not checkpoints.exists() or not os.listdir(checkpoints)
    assert splunkd.kvstore == {}


def kv_store_failure_does_not_move_the_checkpoint(server, splunkd, session_key, tmp_path):
    splunkd.passwords["ioclens:api_key:"] = server["key"]
    splunkd.fail_batch_save = True
    checkpoints = tmp_path / "checkpoints"
    run = _run(splunkd, session_key, {"url": server["url"], "category": "government"}, checkpoints)
    assert run.returncode == 1
    assert b"batch_save failed" in run.stderr
    assert not checkpoints.exists() or not os.listdir(checkpoints)


def api_key_never_travels_in_the_url(server, splunkd, session_key, tmp_path):
    splunkd.passwords["ioclens:api_key:"] = server["key"]
    run = _run(splunkd, session_key, {"url": server["url"], "types": "cve"}, tmp_path / "cp")
    assert run.returncode == 0, run.stderr.decode()
    assert server["key"].encode() not in run.stderr
