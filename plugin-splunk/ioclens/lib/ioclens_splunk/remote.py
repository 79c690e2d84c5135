"""Remote scoring against an ioclens server (``GET /api/v1/lookup``), fail-open.

Configuration: ``ioclens.conf`` ``[remote]`` ``url`` / ``timeout`` / ``enabled`` (README/ioclens.conf.spec); the
API key lives in ``storage/passwords`` (realm ``ioclens``, user ``api_key``), never in a .conf file. The key is sent
as ``Authorization: Bearer``, never in the URL. Whatever goes wrong, the local answer stands and ``remote_status``
(decided by the core: ``ok``, ``disabled``, ``timeout``, ``rate_limited``, ``error``) says what happened, with
``remote_error`` giving the detail. After a timeout or a connection failure the rest of the search skips the
server instead of waiting once per event.
"""

import socket
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

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


class RemoteScorer:
    """Calls the server once per value and remembers a dead server for the rest of the process.

    The host only does the HTTP: the core's ``merge_remote`` reads the HTTP status and body (or, when no answer
    came, the transport error text) and decides ``remote_status`` and the merged score.
    """

    def __init__(self, config):
        self.config = config
        self._broken = None

    def fetch(self, path, query):
        """GET ``<url><path>?<query>`` -> ``(http_status, body_text, error_text)``; status 0 = no HTTP answer."""
        config = self.config
        if self._broken:
            return 0, None, "skipped after an earlier failure: " + self._broken
        request = urllib.request.Request(  # noqa: S310 - load_config accepts only http(s) URLs
            "{}{}?{}".format(config.url, path, urlencode(query)),
            headers={"Authorization": "Bearer " + config.api_key, "Accept": "application/json"},
        )
        try:
            context = ssl.create_default_context() if config.url.startswith("https:") else None
            with urllib.request.urlopen(request, timeout=config.timeout, context=context) as response:  # noqa: S310
                return response.status, response.read().decode("utf-8", "replace"), None
        except urllib.error.HTTPError as error:
            detail = "HTTP {}".format(error.code)
            if error.code == 429:
                detail += ", retry after {}".format(error.headers.get("Retry-After", "?"))
            return error.code, error.read().decode("utf-8", "replace"), detail
        except (socket.timeout, TimeoutError):
            self._broken = "no answer within {} s (timed out)".format(config.timeout)
            return 0, None, self._broken
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                self._broken = "no answer within {} s (timed out)".format(config.timeout)
            else:
                self._broken = "cannot reach the server: {}".format(error.reason)
            return 0, None, self._broken
        except (ValueError, OSError) as error:
            return 0, None, "bad answer: {}".format(error)
