"""The ``ioclens_pack`` modular input against a real ``ioclens serve`` on 127.0.0.1 publishing a signed intel pack
(the golden dump's test pack in its data directory, signed with the server's own key), then the search commands
loading the kept pack at start. The API key comes from the fake splunkd's storage/passwords."""

import base64
import json
import os
import urllib.request

import ioclens_server
import modinput
import pytest
from conftest import APP_DIR, ROOT, needs_core

pytestmark = [
    needs_core,
    pytest.mark.skipif(
        not os.path.exists(ioclens_server.BIN) and not os.environ.get("IOCLENS_REQUIRE_SERVER"),
        reason="no ioclens binary built yet",
    ),
]

GOLDEN = os.path.join(ROOT, "dist", "golden.json")
ONLY_IN_PACK = "only-in-threatfox[.]example"  # a ThreatFox entry of the test pack (wasm/abi/examples/golden.rs)


@pytest.fixture(scope="module")
def golden_pack():
    if not os.path.exists(GOLDEN):
        pytest.skip("dist/golden.json is missing (scripts/test.d/30-wasm.sh or 60-sentinel.sh writes it)")
    with open(GOLDEN, encoding="utf-8") as handle:
        by_name = {e["name"]: e for e in json.load(handle)["entries"]}
    return base64.b64decode(by_name["pack-load"]["input"]["pack_base64"]), by_name["pack-load"]["answer"]["ok"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, golden_pack):
    tmp = tmp_path_factory.mktemp("pack-server")
    data = tmp / "data"
    (data / "intel").mkdir(parents=True)
    (data / "intel" / "pack.bin").write_bytes(golden_pack[0])
    with ioclens_server.server(tmp, data_dir=data) as running:
        url = running["url"] + "/api/v1/intel/pack"
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + running["key"]})
        with urllib.request.urlopen(request, timeout=10) as response:
            # The admin copies the key `ioclens serve` prints; the test reads the same key from the header.
            public_key = response.headers["X-Ioclens-Public-Key"]
        yield dict(running, pack_url=url, public_key=public_key)


@pytest.fixture
def served(server, tmp_path):
    """The server, and this test's own pack directory."""
    return dict(server, pack_dir=str(tmp_path / "kept"))


def _input(splunkd, session_key, served, tmp_path, **params):
    params = dict({"url": served["pack_url"], "public_key": served["public_key"]}, **params)
    xml = modinput.input_xml({"ioclens_pack://main": params}, splunkd.uri, session_key, str(tmp_path / "ckpt"))
    return modinput.run(APP_DIR, [], xml, script="ioclens_pack.py", extra_env={"IOCLENS_PACK_DIR": served["pack_dir"]})


def _state(served):
    with open(os.path.join(served["pack_dir"], "pack.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _lookup(splunk, served, value=ONLY_IN_PACK):
    run = splunk("ioclookup", [value], generating=True, env={"IOCLENS_PACK_DIR": served["pack_dir"]})
    assert run.returncode == 0 and run.errors() == [], run.stderr
    return run.rows[0]


def input_keeps_the_pack_and_commands_use_it(splunk, splunkd, session_key, served, tmp_path, golden_pack):
    before = _lookup(splunk, served)
    assert before["malware_family"] in ("", None)
    splunkd.passwords["ioclens:api_key:"] = served["key"]
    first = _input(splunkd, session_key, served, tmp_path)
    assert first.returncode == 0, first.stderr.decode()
    state = _state(served)
    assert state["status"] == "ok" and state["entries"] == golden_pack[1]["entries"]
    assert state["public_key"] == served["public_key"] and served["key"] not in json.dumps(state)
    with open(os.path.join(served["pack_dir"], "pack.bin"), "rb") as handle:
        assert handle.read() == golden_pack[0]
    # A command process started now loads the kept pack: the value only the pack lists is now ThreatFox's.
    after = _lookup(splunk, served)
    assert after["malware_family"] == "Remcos", after
    # Unchanged on the server: the second run is a 304 and rewrites nothing.
    mtime = os.stat(os.path.join(served["pack_dir"], "pack.bin")).st_mtime_ns
    second = _input(splunkd, session_key, served, tmp_path)
    assert second.returncode == 0, second.stderr.decode()
    assert _state(served)["status"] == "not_modified"
    assert os.stat(os.path.join(served["pack_dir"], "pack.bin")).st_mtime_ns == mtime


def wrong_public_key_is_refused_and_commands_fall_back(splunk, splunkd, session_key, served, tmp_path):
    splunkd.passwords["ioclens:api_key:"] = served["key"]
    assert _input(splunkd, session_key, served, tmp_path).returncode == 0
    other = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"  # RFC 8032 test 2, not the server's
    refused = _input(splunkd, session_key, served, tmp_path, public_key=other)
    assert refused.returncode != 0
    assert b"does not verify" in refused.stderr
    state = _state(served)
    assert state["status"] == "refused" and "does not verify" in state["error"]
    # The kept pack no longer verifies with the configured key: the commands answer from the embedded intel.
    assert _lookup(splunk, served)["malware_family"] in ("", None)


def missing_api_key_is_a_failed_run(splunkd, session_key, served, tmp_path):
    run = _input(splunkd, session_key, served, tmp_path)
    assert run.returncode != 0
    assert _state(served)["status"] == "failed" and _state(served)["error"].endswith("HTTP 401")
    assert not os.path.exists(os.path.join(served["pack_dir"], "pack.bin"))


def bad_parameters_are_refused_by_validation(splunkd, session_key, tmp_path):
    xml = modinput.validation_xml(
        {"url": "ftp://x", "public_key": "00" * 32}, splunkd.uri, session_key, str(tmp_path), "ioclens_pack://main"
    )
    run = modinput.run(APP_DIR, ["--validate-arguments"], xml, script="ioclens_pack.py")
    assert run.returncode != 0 and b"url must be" in run.stdout + run.stderr
    xml = modinput.validation_xml(
        {"url": "http://127.0.0.1:9/p", "public_key": "nope"}, splunkd.uri, session_key, str(tmp_path), "x"
    )
    run = modinput.run(APP_DIR, ["--validate-arguments"], xml, script="ioclens_pack.py")
    assert run.returncode != 0 and b"64 hex digits" in run.stdout + run.stderr
