"""The local splunkd REST API, through splunklib.binding with the session key splunkd hands to the process.

JSON only (``output_mode=json``); no Atom parsing. Used for the app's ``ioclens.conf``, the API key in
``storage/passwords`` and the KV-store collections.
"""

import json
from urllib.parse import quote, urlsplit

from splunklib import binding

from . import APP_NAME

# storage/passwords entry holding the ioclens server API key: realm "ioclens", username "api_key".
PASSWORD_REALM = APP_NAME
PASSWORD_USER = "api_key"


def _encoded(path):
    """Our paths quote their own segments (``ioclens%3Aapi_key%3A``); splunklib must not quote them again."""
    return binding.UrlEncoded(path, skip_encode=True)


class Splunkd:
    """A splunkd connection in the app's namespace (owner ``nobody``)."""

    def __init__(self, uri, session_key, app=APP_NAME):
        parts = urlsplit(uri)
        self._context = binding.Context(
            scheme=parts.scheme or "https",
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 8089,
            token=session_key,
            app=app,
            owner="nobody",
        )

    def get_json(self, path, **query):
        """GET ``path`` in the app namespace with ``output_mode=json``; returns the decoded body."""
        response = self._context.get(_encoded(path), output_mode="json", **query)
        return json.loads(response.body.read().decode("utf-8") or "{}")

    def post_json(self, path, document):
        """POST a JSON document (KV-store data endpoints take JSON bodies)."""
        response = self._context.post(
            _encoded(path),
            headers=[("Content-Type", "application/json")],
            body=json.dumps(document, separators=(",", ":")),
        )
        return json.loads(response.body.read().decode("utf-8") or "null")

    def conf_stanza(self, conf, stanza):
        """The settings of ``[stanza]`` in ``<conf>.conf`` (merged by splunkd across default/local), or {}."""
        try:
            body = self.get_json("configs/conf-{}/{}".format(conf, quote(stanza, safe="")))
        except binding.HTTPError as error:
            if error.status == 404:
                return {}
            raise
        entries = body.get("entry") or []
        return dict(entries[0].get("content") or {}) if entries else {}

    def password(self, realm=PASSWORD_REALM, username=PASSWORD_USER):
        """The clear-text secret stored as ``realm:username:`` in storage/passwords, or None."""
        name = "{}:{}:".format(realm, username)
        try:
            body = self.get_json("storage/passwords/{}".format(quote(name, safe="")))
        except binding.HTTPError as error:
            if error.status == 404:
                return None
            raise
        for entry in body.get("entry") or []:
            secret = (entry.get("content") or {}).get("clear_password")
            if secret:
                return secret
        return None

    def kv_batch_save(self, collection, documents):
        """Upserts documents (each with ``_key``) into a KV-store collection; returns the saved keys."""
        return self.post_json("storage/collections/data/{}/batch_save".format(quote(collection, safe="")), documents)
