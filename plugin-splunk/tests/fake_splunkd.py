"""A small splunkd REST stand-in on 127.0.0.1 that records every request (no Splunk exists on this machine).

It answers only what the app calls, in splunkd's JSON shapes (``output_mode=json``):
- ``GET  /servicesNS/nobody/ioclens/configs/conf-<conf>/<stanza>``        -> ``{"entry": [{"name", "content"}]}``
- ``GET  /servicesNS/nobody/ioclens/storage/passwords/<realm>:<user>:``   -> ``{"entry": [{"content": {"clear_password"}}]}``
- ``POST /servicesNS/nobody/ioclens/storage/collections/data/<c>/batch_save`` (JSON array) -> list of ``_key``
- what the setup page posts (form bodies, as splunkd's REST API takes them):
  ``POST configs/conf-<conf>/<stanza>`` updates a stanza (404 when absent), ``POST configs/conf-<conf>`` with
  ``name`` creates one (409 when present); ``POST storage/passwords`` with ``name``, ``realm``, ``password``
  creates a secret (409 when present), ``POST storage/passwords/<realm>:<user>:`` with ``password`` updates it
  (404 when absent); ``POST apps/local/<app>`` records app settings (``configured``).
Requests without ``Authorization: Splunk <session key>`` get 401, like splunkd.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

SESSION_KEY = "test-session-key-7f3a"
PREFIX = "/servicesNS/nobody/ioclens/"


class FakeSplunkd:
    def __init__(self):
        self.confs = {}  # (conf, stanza) -> dict
        self.passwords = {}  # "realm:user:" -> secret
        self.kvstore = {}  # collection -> {key: doc}
        self.apps = {}  # app -> settings posted to apps/local/<app>
        self.requests = []  # (method, path, headers dict, body bytes)
        self.fail_batch_save = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, document):
                body = json.dumps(document).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                fake.requests.append((method, path, dict(self.headers), body))
                if self.headers.get("Authorization") != "Splunk " + SESSION_KEY:
                    return self._send(401, {"messages": [{"type": "WARN", "text": "call not properly authenticated"}]})
                if not path.startswith(PREFIX):
                    return self._send(404, {"messages": [{"type": "ERROR", "text": "not found"}]})
                parts = [unquote(p) for p in path[len(PREFIX) :].split("/")]
                if method == "GET" and len(parts) == 3 and parts[0] == "configs" and parts[1].startswith("conf-"):
                    content = fake.confs.get((parts[1][5:], parts[2]))
                    if content is None:
                        return self._send(404, {"messages": [{"type": "ERROR", "text": "no stanza"}]})
                    return self._send(200, {"entry": [{"name": parts[2], "content": content}]})
                if method == "GET" and len(parts) == 3 and parts[:2] == ["storage", "passwords"]:
                    secret = fake.passwords.get(parts[2])
                    if secret is None:
                        return self._send(404, {"messages": [{"type": "ERROR", "text": "no password"}]})
                    return self._send(200, {"entry": [{"name": parts[2], "content": {"clear_password": secret}}]})
                if (
                    method == "POST"
                    and len(parts) == 5
                    and parts[:3] == ["storage", "collections", "data"]
                    and parts[4] == "batch_save"
                ):
                    if fake.fail_batch_save:
                        return self._send(503, {"messages": [{"type": "ERROR", "text": "KV Store is initializing"}]})
                    docs = json.loads(body.decode("utf-8"))
                    collection = fake.kvstore.setdefault(parts[3], {})
                    for doc in docs:
                        collection[doc["_key"]] = doc
                    return self._send(200, [doc["_key"] for doc in docs])
                if method == "POST" and parts[0] in ("configs", "storage", "apps") and not parts[-1].endswith("_save"):
                    return self._setup_post(parts, body)
                return self._send(404, {"messages": [{"type": "ERROR", "text": "unknown endpoint"}]})

            def _setup_post(self, parts, body):
                form = {k: v for k, v in parse_qsl(body.decode("utf-8"), keep_blank_values=True) if k != "output_mode"}
                conflict = {"messages": [{"type": "ERROR", "text": "An object with name already exists"}]}
                missing = {"messages": [{"type": "ERROR", "text": "Could not find object"}]}
                if len(parts) == 2 and parts[0] == "configs" and parts[1].startswith("conf-"):
                    key = (parts[1][5:], form.pop("name", ""))
                    if not key[1] or key in fake.confs:
                        return self._send(409, conflict)
                    fake.confs[key] = form
                    return self._send(201, {"entry": [{"name": key[1], "content": form}]})
                if len(parts) == 3 and parts[0] == "configs" and parts[1].startswith("conf-"):
                    stanza = fake.confs.get((parts[1][5:], parts[2]))
                    if stanza is None:
                        return self._send(404, missing)
                    stanza.update(form)
                    return self._send(200, {"entry": [{"name": parts[2], "content": stanza}]})
                if parts == ["storage", "passwords"]:
                    name = "{}:{}:".format(form.get("realm", ""), form.get("name", ""))
                    if not form.get("name") or "password" not in form:
                        return self._send(400, {"messages": [{"type": "ERROR", "text": "name and password required"}]})
                    if name in fake.passwords:
                        return self._send(409, conflict)
                    fake.passwords[name] = form["password"]
                    return self._send(201, {"entry": [{"name": name, "content": {}}]})
                if len(parts) == 3 and parts[:2] == ["storage", "passwords"]:
                    if parts[2] not in fake.passwords:
                        return self._send(404, missing)
                    if set(form) != {"password"}:
                        return self._send(400, {"messages": [{"type": "ERROR", "text": "only password can change"}]})
                    fake.passwords[parts[2]] = form["password"]
                    return self._send(200, {"entry": [{"name": parts[2], "content": {}}]})
                if len(parts) == 3 and parts[:2] == ["apps", "local"]:
                    fake.apps.setdefault(parts[2], {}).update(form)
                    return self._send(200, {"entry": [{"name": parts[2], "content": fake.apps[parts[2]]}]})
                return self._send(404, {"messages": [{"type": "ERROR", "text": "unknown endpoint"}]})

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = "http://127.0.0.1:{}".format(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
