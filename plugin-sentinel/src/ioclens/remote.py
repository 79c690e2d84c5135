"""Remote scoring against an ioclens server (``GET /api/v1/lookup``, docs/api.md), fail-open.

Where the server is, first match wins:

1. arguments (``remote=RemoteConfig(url, api_key)``, or the msticpy provider's ``Url``/``AuthKey`` args);
2. environment: ``IOCLENS_URL`` and ``IOCLENS_API_KEY`` (``IOCLENS_TIMEOUT`` seconds, default 3);
3. msticpyconfig.yaml: ``TIProviders: Ioclens: Args: {Url: …, AuthKey: …}`` (read through msticpy's own settings,
   so ``env:``/Key Vault indirections work), when msticpy is installed and ``MSTICPYCONFIG`` names a file.

The host only does the HTTP: the core's ``remote_request`` says what to send and ``merge_remote`` reads the
status and body (or the transport error) and decides ``remote_status`` (``ok``, ``disabled``, ``timeout``,
``rate_limited``, ``error``) and the merged score. Whatever goes wrong, the local answer stands. The key is sent
as ``Authorization: Bearer``, never in the URL. After a timeout or a refused connection the rest of the batch
skips the server instead of waiting once per value.
"""

from __future__ import annotations

import os
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlencode, urlsplit

DEFAULT_TIMEOUT = 3.0
MAX_TIMEOUT = 30.0


@dataclass
class RemoteConfig:
    """An ioclens server and its key. ``problem`` says why remote scoring cannot be used (then it is off)."""

    url: str = ""
    api_key: Optional[str] = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    source: str = "arguments"
    problem: Optional[str] = None

    def __post_init__(self) -> None:
        self.url = (self.url or "").strip().rstrip("/")
        try:
            self.timeout = min(max(float(self.timeout), 0.1), MAX_TIMEOUT)
        except (TypeError, ValueError):
            self.timeout = DEFAULT_TIMEOUT
        if self.problem is None:
            if not self.url:
                self.problem = "no server url"
            elif urlsplit(self.url).scheme not in ("http", "https") or not urlsplit(self.url).netloc:
                self.problem = f"server url must be http(s)://host[:port], not {self.url!r}"
            elif not self.api_key:
                self.problem = "no API key"

    @property
    def usable(self) -> bool:
        return self.problem is None

    @classmethod
    def from_env(cls) -> Optional[RemoteConfig]:
        url = os.environ.get("IOCLENS_URL")
        if not url:
            return None
        return cls(url, os.environ.get("IOCLENS_API_KEY"), os.environ.get("IOCLENS_TIMEOUT", DEFAULT_TIMEOUT), "env")

    @classmethod
    def from_msticpyconfig(cls) -> Optional[RemoteConfig]:
        """``TIProviders.Ioclens.Args`` of msticpyconfig.yaml, when msticpy is installed and configured."""
        if not os.environ.get("MSTICPYCONFIG"):
            return None
        try:
            from msticpy.common.provider_settings import get_provider_settings
        except ImportError:
            return None
        try:
            settings = get_provider_settings("TIProviders").get("Ioclens")
        except Exception as error:  # noqa: BLE001 - a broken config turns remote scoring off, never the lookup
            return cls(source="msticpyconfig", problem=f"cannot read msticpyconfig: {error}")
        if settings is None or not settings.args:
            return None
        args = settings.args
        url = args.get("Url") or args.get("URL")
        if not url:
            return None
        return cls(str(url), args.get("AuthKey"), args.get("Timeout", DEFAULT_TIMEOUT), "msticpyconfig")

    @classmethod
    def discover(cls) -> Optional[RemoteConfig]:
        """Environment first, then msticpyconfig; ``None`` when neither configures a server."""
        return cls.from_env() or cls.from_msticpyconfig()


class RemoteScorer:
    """Calls the server once per value and remembers a dead server for the rest of the batch."""

    def __init__(self, config: RemoteConfig):
        self.config = config
        self._broken: Optional[str] = None

    def fetch(self, path: str, query: list) -> tuple:
        """GET ``<url><path>?<query>`` → ``(http_status, body_text, error_text)``; status 0 = no HTTP answer."""
        config = self.config
        if self._broken:
            return 0, None, "skipped after an earlier failure: " + self._broken
        request = urllib.request.Request(  # noqa: S310 - RemoteConfig accepts only http(s) URLs
            f"{config.url}{path}?{urlencode(query)}",
            headers={"Authorization": f"Bearer {config.api_key}", "Accept": "application/json"},
        )
        try:
            context = ssl.create_default_context() if config.url.startswith("https:") else None
            with urllib.request.urlopen(request, timeout=config.timeout, context=context) as response:  # noqa: S310
                return response.status, response.read().decode("utf-8", "replace"), None
        except urllib.error.HTTPError as error:
            detail = f"HTTP {error.code}"
            if error.code == 429:
                detail += f", retry after {error.headers.get('Retry-After', '?')}"
            return error.code, error.read().decode("utf-8", "replace"), detail
        except (socket.timeout, TimeoutError):
            self._broken = f"no answer within {config.timeout} s (timed out)"
            return 0, None, self._broken
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                self._broken = f"no answer within {config.timeout} s (timed out)"
            else:
                self._broken = f"cannot reach the server: {error.reason}"
            return 0, None, self._broken
        except (ValueError, OSError) as error:
            return 0, None, f"bad answer: {error}"
