"""A minimal remote scorer on 127.0.0.1 for the Extism remote-scoring tests (Python and Node).

The first path segment picks the behaviour; the rest must be ``/api/v1/lookup`` (docs/api.md):
``/ok`` the ``{meta, data}`` envelope (score 91, critical, high), ``/flat`` the older flat shape,
``/slow`` the envelope after 5 s, ``/429`` rate limited, ``/500`` a server error. A request without
``Authorization: Bearer test-key`` gets 401. Run as a script it prints its port and serves until killed.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "test-key"
REQUESTS: list = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, doc: dict, headers: dict | None = None) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): expected

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        mode, _, rest = url.path.lstrip("/").partition("/")
        query = parse_qs(url.query)
        REQUESTS.append({"mode": mode, "path": "/" + rest, "query": query, "auth": self.headers.get("Authorization")})
        if "/" + rest != "/api/v1/lookup":
            return self._send(404, {"error": {"message": "not found"}})
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            return self._send(401, {"error": {"message": "bad key"}})
        ioc = (query.get("ioc") or [""])[0]
        envelope = {
            "meta": {"generated_at": "2026-01-01T00:00:00Z", "feed_version": "test-1", "source": "test"},
            "data": {
                "found": True,
                "ioc_value": ioc,
                "ioc_type": (query.get("type") or [""])[0],
                "confidence": "high",
                "risk": {"score": 91, "level": "critical"},
                "mitre_techniques": ["T1090.003"],
                "sources": [{"source_feed": "test-feed", "source_category": "community"}],
            },
        }
        if mode == "ok":
            return self._send(200, envelope)
        if mode == "flat":
            return self._send(200, {"value": ioc, "type": "ipv4", "risk_score": "high", "confidence": "medium",
                                    "mitre_techniques": [{"id": "T1071", "name": "Application Layer Protocol"}]})
        if mode == "slow":
            time.sleep(5)
            return self._send(200, envelope)
        if mode == "429":
            return self._send(429, {"error": {"message": "slow down"}}, {"Retry-After": "60"})
        if mode == "500":
            return self._send(500, {"error": {"message": "boom"}})
        return self._send(404, {"error": {"message": "unknown mode"}})


def start() -> tuple[ThreadingHTTPServer, int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


if __name__ == "__main__":
    srv, port = start()
    print(port, flush=True)
    try:
        sys.stdin.read()  # serve until the parent closes our stdin or kills us
    finally:
        srv.shutdown()
