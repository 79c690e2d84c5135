"""Remote scoring for the Python hosts: the HTTP between the core's ``remote_request`` and ``merge_remote``.

The Splunk app and the Sentinel package copy this file with the loader (``ioclens_wasm/``); it is edited only here.
Each host reads its own configuration (Splunk: ioclens.conf and storage/passwords; Sentinel: arguments,
environment, msticpyconfig) and hands the server's URL, key and timeout to :class:`RemoteScorer`.

The core decides everything else: which values are sent and how (``remote_request``), and what the answer means
(``merge_remote`` reads the HTTP status and body, or the transport error text, and sets ``score.remote_status``:
``ok``, ``disabled``, ``timeout``, ``rate_limited`` or ``error``). Whatever goes wrong, the local answer stands.
The key is sent as ``Authorization: Bearer``, never in the URL. After a timeout or a refused connection the rest of
the batch skips the server instead of waiting once per value.
"""

from __future__ import annotations

import socket
import ssl
import urllib.error
import urllib.request
from typing import Any, Callable, Optional
from urllib.parse import urlencode

__all__ = ["RemoteScorer", "merge_remote"]


class RemoteScorer:
    """Calls the server once per value and remembers a dead server for the rest of the process (or batch)."""

    def __init__(self, url: str, api_key: str, timeout: float):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._broken: Optional[str] = None

    def fetch(self, path: str, query: list) -> tuple:
        """GET ``<url><path>?<query>`` -> ``(http_status, body_text, error_text)``; status 0 = no HTTP answer."""
        if self._broken:
            return 0, None, "skipped after an earlier failure: " + self._broken
        request = urllib.request.Request(  # noqa: S310 - the hosts accept only http(s) URLs
            f"{self.url}{path}?{urlencode(query)}",
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"},
        )
        try:
            context = ssl.create_default_context() if self.url.startswith("https:") else None
            with urllib.request.urlopen(request, timeout=self.timeout, context=context) as response:  # noqa: S310
                return response.status, response.read().decode("utf-8", "replace"), None
        except urllib.error.HTTPError as error:
            detail = f"HTTP {error.code}"
            if error.code == 429:
                detail += f", retry after {error.headers.get('Retry-After', '?')}"
            return error.code, error.read().decode("utf-8", "replace"), detail
        except (socket.timeout, TimeoutError):
            self._broken = f"no answer within {self.timeout} s (timed out)"
            return 0, None, self._broken
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                self._broken = f"no answer within {self.timeout} s (timed out)"
            else:
                self._broken = f"cannot reach the server: {error.reason}"
            return 0, None, self._broken
        except (ValueError, OSError) as error:
            return 0, None, f"bad answer: {error}"


def merge_remote(
    call: Callable[[str, dict], Any], scorer: RemoteScorer, package: dict, core_error: type = Exception
) -> tuple:
    """``(package, remote_error)``: one value's ``lookup`` package with the server's answer merged in by the core.

    ``call(op, request)`` runs a core operation and returns its ``ok`` value (raising ``core_error`` on an error
    answer). The status is the package's ``score.remote_status`` (the core's word); ``remote_error`` is the detail a
    host shows beside it, empty when the server answered.
    """
    ioc_type = package.get("ioc_type")
    if ioc_type in (None, "", "unknown"):
        return package, "not an indicator"
    try:
        target = call("remote_request", {"value": package.get("ioc_value") or "", "type": ioc_type})
    except core_error as error:
        return package, f"no remote request: {error}"
    if not target:
        return package, "the core sends no remote request for this value"
    status, body, error = scorer.fetch(target["path"], [tuple(pair) for pair in target.get("query") or []])
    merge: dict = {"local": package, "status": status}
    if body is not None:
        merge["response"] = body
    if error:
        merge["error"] = error
    try:
        return call("merge_remote", merge), error or ""
    except core_error as failure:  # fail-open: the local answer stands
        return package, f"merge failed: {failure}"
