"""Where the ioclens server for remote scoring is (``GET /api/v1/lookup``); the scoring itself fails open.

Configuration: ``ioclens.conf`` ``[remote]`` ``url`` / ``timeout`` / ``enabled`` (README/ioclens.conf.spec); the
API key lives in ``storage/passwords`` (realm ``ioclens``, user ``api_key``), never in a .conf file. The key is sent
as ``Authorization: Bearer``, never in the URL. Whatever goes wrong, the local answer stands and ``remote_status``
(decided by the core: ``ok``, ``disabled``, ``timeout``, ``rate_limited``, ``error``) says what happened, with
``remote_error`` giving the detail. After a timeout or a connection failure the rest of the search skips the
server instead of waiting once per event. The HTTP and the core calls around it are the shared loader's
(``ioclens_wasm/remote.py``, from wasm/python/ioclens_wasm/ like the loader itself); this module reads the
configuration only.
"""

from urllib.parse import urlsplit

from .splunkd import Splunkd

DEFAULT_TIMEOUT = 3.0
MAX_TIMEOUT = 30.0


class RemoteConfig:
    """Where the server is and how to authenticate."""

    def __init__(self, url="", api_key=None, timeout=DEFAULT_TIMEOUT, enabled=False, problem=None):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.enabled = enabled
        self.problem = problem


def _as_bool(value):
    return str(value).strip().lower() in ("1", "t", "true", "y", "yes", "on")


def load_config(splunkd_uri, session_key):
    """Reads ``[remote]`` from ioclens.conf and the API key from storage/passwords through splunkd."""
    if not splunkd_uri or not session_key:
        return RemoteConfig(problem="no splunkd session to read the remote configuration")
    try:
        client = Splunkd(splunkd_uri, session_key)
        stanza = client.conf_stanza("ioclens", "remote")
        url = str(stanza.get("url") or "").strip()
        try:
            timeout = min(max(float(stanza.get("timeout") or DEFAULT_TIMEOUT), 0.1), MAX_TIMEOUT)
        except ValueError:
            timeout = DEFAULT_TIMEOUT
        enabled = _as_bool(stanza.get("enabled", "false"))
        if not url:
            return RemoteConfig(enabled=enabled, problem="no server url in ioclens.conf [remote]")
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https"):
            return RemoteConfig(enabled=enabled, problem="server url must be http(s)")
        api_key = client.password()
        problem = None if api_key else "no API key in storage/passwords (realm ioclens, user api_key)"
        return RemoteConfig(url, api_key, timeout, enabled, problem)
    except Exception as error:  # noqa: BLE001 - fail-open: any failure becomes a status, never a failed search
        return RemoteConfig(problem="cannot read the remote configuration: {}".format(error))
