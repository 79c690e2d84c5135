"""Remote scoring is configured through splunkd (ioclens.conf [remote] + storage/passwords) and fails open: the
local answer stands and remote_status / remote_error say why. The failing servers are real HTTP servers on
127.0.0.1 (stdlib http.server) that answer 429, 500, or too late."""

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ioclens_server
import pytest
from conftest import needs_core

pytestmark = needs_core


class _Server:
    def __init__(self, status, delay=0.0, body=None):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append((self.path, dict(self.headers)))
                time.sleep(delay)
                payload = json.dumps(body or {"error": {"code": "x", "message": "y", "request_id": "r"}}).encode()
                try:
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "17")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:{}".format(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _configure(splunkd, url, key="k-123", timeout="0.5"):
    splunkd.confs[("ioclens", "remote")] = {"url": url, "timeout": timeout, "enabled": "false"}
    if key:
        splunkd.passwords["ioclens:api_key:"] = key


def _run(splunk, splunkd, session_key, args=("field=ioc", "remote=t"), values=("8.8.8[.]8", "evil[.]example")):
    rows = [{"ioc": v} for v in values]
    return splunk("ioclens", list(args), [rows], splunkd_uri=splunkd.uri, session_key=session_key)


@pytest.mark.parametrize(
    ("status", "delay", "remote_status", "detail"),
    [
        (429, 0.0, "rate_limited", "HTTP 429, retry after 17"),
        (500, 0.0, "error", "HTTP 500"),
        (401, 0.0, "error", "HTTP 401"),
        (200, 2.0, "timeout", "no answer within 0.5 s (timed out)"),
    ],
)
def server_failures_fall_back_to_the_local_answer(splunk, splunkd, session_key, status, delay, remote_status, detail):
    server = _Server(status, delay)
    try:
        _configure(splunkd, server.url)
        run = _run(splunk, splunkd, session_key)
    finally:
        server.close()
    assert run.returncode == 0 and run.errors() == [], run.stderr
    first, second = run.rows
    assert first["ioc_type"] == "ipv4" and first["ioc_value"] == "8.8.8.8"
    assert first["remote_status"] == remote_status
    assert detail in first["remote_error"]
    path, headers = server.requests[0]
    assert path.startswith("/api/v1/lookup?ioc=8.8.8.8&")
    assert "type=ipv4" in path
    assert headers["Authorization"] == "Bearer k-123"
    assert "k-123" not in path
    if delay:
        # The second value does not wait again: the scorer remembers the dead server.
        assert second["remote_status"] == "timeout"
        assert "skipped after an earlier failure" in second["remote_error"]
        assert len(server.requests) == 1


def unreachable_server_is_an_error_status(splunk, splunkd, session_key):
    _configure(splunkd, "http://127.0.0.1:9")
    run = _run(splunk, splunkd, session_key)
    assert run.returncode == 0 and run.errors() == [], run.stderr
    assert run.rows[0]["remote_status"] == "error"
    assert "cannot reach the server" in run.rows[0]["remote_error"]
    assert run.rows[0]["ioc_type"] == "ipv4"


def missing_api_key_disables_remote_with_a_warning(splunk, splunkd, session_key):
    _configure(splunkd, "http://127.0.0.1:9", key=None)
    run = _run(splunk, splunkd, session_key)
    assert run.returncode == 0 and run.errors() == [], run.stderr
    assert run.rows[0]["remote_status"] == "disabled"
    assert "no API key in storage/passwords" in run.rows[0]["remote_error"]
    assert any("remote scoring is off" in w for w in run.warnings())
    # The key is never looked for in a conf file: the only secret request is storage/passwords.
    paths = [p for _, p, _, _ in splunkd.requests]
    assert any(
        p.endswith("/storage/passwords/ioclens%3Aapi_key%3A") or p.endswith("/storage/passwords/ioclens:api_key:")
        for p in paths
    )


def wrong_session_key_fails_open(splunk, splunkd):
    _configure(splunkd, "http://127.0.0.1:9")
    run = _run(splunk, splunkd, "not-the-key")
    assert run.returncode == 0 and run.errors() == [], run.stderr
    assert run.rows[0]["remote_status"] == "disabled"
    assert "cannot read the remote configuration" in run.rows[0]["remote_error"]


def remote_off_by_default_adds_no_remote_fields(splunk, splunkd, session_key):
    _configure(splunkd, "http://127.0.0.1:9")
    run = _run(splunk, splunkd, session_key, args=("field=ioc",))
    assert run.returncode == 0 and run.errors() == [], run.stderr
    assert "remote_status" not in run.rows[0]


def enabled_in_conf_turns_remote_on_unless_remote_f(splunk, splunkd, session_key):
    _configure(splunkd, "http://127.0.0.1:9")
    splunkd.confs[("ioclens", "remote")]["enabled"] = "true"
    on = _run(splunk, splunkd, session_key, args=("field=ioc",))
    off = _run(splunk, splunkd, session_key, args=("field=ioc", "remote=f"))
    assert on.rows[0]["remote_status"] == "error"
    assert "remote_status" not in off.rows[0]


@pytest.mark.skipif(
    not os.path.exists(ioclens_server.BIN) and not os.environ.get("IOCLENS_REQUIRE_SERVER"),
    reason="no ioclens binary with `serve` built yet",
)
def real_server_answer_is_merged(splunk, splunkd, session_key, tmp_path):
    """`| ioclens remote=t` against a real `ioclens serve` holding a feed with 185.220.101.4."""
    with ioclens_server.server(tmp_path) as server:
        _configure(splunkd, server["url"], key=server["key"], timeout="10")
        run = _run(splunk, splunkd, session_key, values=("185.220.101[.]4", "CVE-2024-3094"))
    assert run.returncode == 0 and run.errors() == [], run.stderr
    first = run.rows[0]
    assert first["ioc_value"] == "185.220.101.4"
    assert first["remote_status"] == "ok", first
    assert first["remote_error"] == ""
