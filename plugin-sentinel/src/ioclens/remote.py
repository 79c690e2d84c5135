"""Remote scoring against an ioclens server (``GET /api/v1/lookup``, docs/api.md), fail-open.

Where the server is, first match wins:

1. arguments (``remote=RemoteConfig(url, api_key)``, or the msticpy provider's ``Url``/``AuthKey`` args);
2. environment: ``IOCLENS_URL`` and ``IOCLENS_API_KEY`` (``IOCLENS_TIMEOUT`` seconds, default 3);
3. msticpyconfig.yaml: ``TIProviders: Ioclens: Args: {Url: …, AuthKey: …}`` (read through msticpy's own settings,
   so ``env:``/Key Vault indirections work), when msticpy is installed and ``MSTICPYCONFIG`` names a file.

This module only finds the configuration. The HTTP and the core's ``remote_request`` / ``merge_remote`` around it
are the shared loader's (``ioclens._wasm.remote``, copied from ``wasm/python/ioclens_wasm/remote.py`` like the
loader): the core decides ``remote_status`` (``ok``, ``disabled``, ``timeout``, ``rate_limited``, ``error``) and the
merged score. Whatever goes wrong, the local answer stands.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

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
