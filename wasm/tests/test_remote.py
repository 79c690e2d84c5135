"""The shared remote scorer of the Python hosts (``wasm/python/ioclens_wasm/remote.py``) against real HTTP servers on
127.0.0.1 and the real core module: the host does the HTTP, the core's ``merge_remote`` names the outcome.

Run with the other Python host tests (``scripts/test.d/30-wasm.sh``).
"""

from __future__ import annotations

import http.server
import os
import socket
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "wasm", "python"))

import ioclens_wasm  # noqa: E402
from ioclens_wasm.remote import RemoteScorer, merge_remote  # noqa: E402

ABI_WASM = os.path.join(ROOT, "dist", "abi", "ioclens_core.wasm")
NOW = 1_790_000_000


class _Server:
    """A real HTTP server answering every GET with ``status`` (after ``delay`` s) and recording the requests."""

    def __init__(self, status: int, delay: float = 0.0, body: str = '{"error":{"code":"x"}}'):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server name
                seen.append((self.path, self.headers.get("Authorization")))
                time.sleep(delay)
                data = body.encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "7")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout case): nothing to answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SharedRemoteScorer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cache = tempfile.TemporaryDirectory()
        cls.core = ioclens_wasm.Core(ABI_WASM, cache_dir=cls.cache.name)

    @classmethod
    def tearDownClass(cls):
        cls.cache.cleanup()

    def call(self, op, request):
        return self.core._ok(op, request)

    def package(self, value="evil.example"):
        return self.call("lookup", {"value": value, "now": NOW, "options": {"hunting": False}})

    def merged(self, scorer, value="evil.example"):
        package, error = merge_remote(self.call, scorer, self.package(value), ioclens_wasm.IoclensError)
        return package["score"]["remote_status"], error

    def test_http_failures_are_the_cores_status_words(self):
        for status, want in ((429, "rate_limited"), (500, "error"), (401, "error")):
            server = _Server(status)
            try:
                got, error = self.merged(RemoteScorer(server.url, "ioc_secret", 3.0))
                self.assertEqual(got, want, status)
                self.assertIn(f"HTTP {status}", error)
                path, auth = server.seen[0]
                self.assertTrue(path.startswith("/api/v1/lookup?"), path)
                self.assertIn("evil.example", path)
                self.assertNotIn("ioc_secret", path, "the key never goes into the URL")
                self.assertEqual(auth, "Bearer ioc_secret")
            finally:
                server.close()

    def test_a_dead_server_is_asked_once(self):
        scorer = RemoteScorer(f"http://127.0.0.1:{_closed_port()}", "k", 3.0)
        got, error = self.merged(scorer)
        self.assertEqual(got, "error")
        self.assertIn("cannot reach the server", error)
        got, error = self.merged(scorer, "evil2.example")
        self.assertEqual(got, "error")
        self.assertIn("skipped after an earlier failure", error)

    def test_a_slow_server_is_a_timeout(self):
        server = _Server(200, delay=1.0)
        try:
            got, error = self.merged(RemoteScorer(server.url, "k", 0.2))
            self.assertEqual(got, "timeout")
            self.assertIn("timed out", error)
        finally:
            server.close()

    def test_values_that_are_not_indicators_are_not_sent(self):
        server = _Server(200)
        try:
            package, error = merge_remote(
                self.call, RemoteScorer(server.url, "k", 3.0), self.package("not an indicator at all"), Exception
            )
            self.assertEqual(error, "not an indicator")
            self.assertEqual(package["score"]["remote_status"], "disabled")
            self.assertEqual(server.seen, [])
        finally:
            server.close()

    def test_the_core_bounds_long_values_itself(self):
        # No host cut: a value longer than any indicator reaches the core whole and comes back `unknown`, with why.
        package = self.package("a" * 70_000)
        self.assertEqual(package["ioc_type"], "unknown")
        self.assertIn("longer than", package["classification"]["reason"])


if __name__ == "__main__":
    unittest.main()
