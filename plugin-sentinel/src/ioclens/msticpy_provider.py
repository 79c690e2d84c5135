"""msticpy threat-intel provider ``Ioclens``: the ioclens core's score as a ``TIProvider``, offline.

Two ways to register it (both verified by the tests):

1. plugin folder: ``msticpy.init.mp_plugins.read_plugins([ioclens.msticpy_provider.plugin_folder()])`` (or
   ``PluginFolders:`` in msticpyconfig.yaml) plus ``TIProviders: {Ioclens: {Primary: true, Provider: "Ioclens"}}``
   in msticpyconfig.yaml, then ``TILookup(providers=["Ioclens"])``;
2. directly, without any config: ``TILookup(primary_providers=[Ioclens()])`` or ``register(ti)`` on an existing
   ``TILookup`` (``register()`` alone does what the plugin loader does).

Pivots: ``Pivot().reload_pivots(providers=[ti])`` → ``IpAddress.ti.lookup_ip``, ``Dns.ti.lookup_dns``,
``Url.ti.lookup_url``, ``File.ti.lookup_file_hash`` … route here.

Severity (msticpy's scale ``unknown < information < warning < high``) from the core's risk level:
``info``/``low`` → ``information``, ``medium`` → ``warning``, ``high``/``critical`` → ``high``; a value the core
does not recognise as an indicator → ``unknown``. ``Result`` is True when the core produced an assessment;
``Details`` carries score, level, confidence, verdict, the factors' reasons, ATT&CK techniques/tactics and the
remote status. Provider args (msticpyconfig ``Args``): ``Url``, ``AuthKey``, ``Timeout`` for remote scoring (else
``IOCLENS_URL``/``IOCLENS_API_KEY``); ``Remote: false`` keeps it strictly offline.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Optional

import pandas as pd
from msticpy.context.tiproviders.result_severity import ResultSeverity
from msticpy.context.tiproviders.ti_provider_base import TIProvider

from . import api
from .remote import DEFAULT_TIMEOUT, RemoteConfig

__all__ = ["SEVERITY", "Ioclens", "IoclensTI", "plugin_folder", "register"]

#: Core risk level → msticpy ResultSeverity.
SEVERITY = {
    "info": ResultSeverity.information,
    "low": ResultSeverity.information,
    "medium": ResultSeverity.warning,
    "high": ResultSeverity.high,
    "critical": ResultSeverity.high,
}

#: ioclens type → msticpy IoCType name (types msticpy has no name for are looked up as given).
MSTICPY_TYPES = {
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "domain": "dns",
    "url": "url",
    "md5": "md5_hash",
    "sha1": "sha1_hash",
    "sha256": "sha256_hash",
    "sha512": "file_hash",
    "email": "email",
}


class Ioclens(TIProvider):
    """ioclens: offline IOC scoring (0–100), ATT&CK mapping and verdicts from the ioclens core (WebAssembly)."""

    PROVIDER_NAME: ClassVar[str] = "Ioclens"
    _QUERIES: ClassVar[dict[str, Any]] = {
        t: None for t in ("ipv4", "ipv6", "dns", "url", "md5_hash", "sha1_hash", "sha256_hash", "file_hash", "email")
    }

    def __init__(self, **kwargs: Any):
        super().__init__()
        self.description = "ioclens offline IOC scoring and ATT&CK mapping"
        self._remote: Any = _remote_from_args(kwargs)
        now = kwargs.get("Now") or kwargs.get("now")
        self._now: Optional[int] = int(now) if now is not None else None

    @property
    def name(self) -> str:
        return self.PROVIDER_NAME

    def lookup_ioc(
        self,
        ioc: str,
        ioc_type: Optional[str] = None,
        query_type: Optional[str] = None,
        **kwargs: Any,
    ) -> pd.DataFrame:
        """One observable → a one-row msticpy result frame."""
        if not isinstance(ioc, str):
            ioc = "" if ioc is None else str(ioc)
        canonical = ioc
        if ioc_type is None:
            # The core recognises defanged and unusual forms msticpy's regexes miss; tell msticpy what it is.
            classified = api.classify(ioc)
            ioc_type = MSTICPY_TYPES.get(classified.get("type", "unknown"))
            canonical = classified.get("canonical") or ioc
        result = self._check_ioc_type(ioc=canonical, ioc_type=ioc_type, query_subtype=query_type)
        result["Ioc"] = ioc
        result["Provider"] = kwargs.get("provider_name") or self.PROVIDER_NAME
        if result["Status"] == 0 and canonical != ioc:
            result["SafeIoc"] = canonical
        result["Reference"] = self._reference()
        if ioc_type is None:
            result["Status"] = 2  # LookupStatus.NOT_SUPPORTED
            result["IocType"] = "unknown"
            result["Details"] = "Not an indicator ioclens can score."
        if result["Status"]:
            result["Severity"] = ResultSeverity.unknown.name
            return pd.DataFrame([result])
        looked = api.lookup(ioc, now=self._now, remote=self._remote, hunting=False)
        response = looked.raw
        if looked.remote_error:
            response = {**response, "remote_error": looked.remote_error}
        found, severity, details = self.parse_results(response)
        result["Result"] = found
        result["Severity"] = severity.name
        result["Details"] = details
        result["RawResult"] = looked.raw
        return pd.DataFrame([result])

    def parse_results(self, response: dict) -> tuple:
        """``(assessed, severity, details)`` from the core's lookup package."""
        if not isinstance(response, dict) or response.get("ioc_type", "unknown") == "unknown":
            return False, ResultSeverity.unknown, "Not an indicator ioclens can score."
        looked = api.Lookup.from_package(response.get("ioc_value", ""), response, response.get("remote_error", ""))
        score = response.get("score") or {}
        details = {
            "Score": looked.score,
            "Level": looked.level,
            "Confidence": looked.confidence,
            "Verdict": looked.verdict,
            "Found": looked.found,
            "Reasons": [f.get("reason") for f in score.get("factors") or [] if f.get("reason")],
            "Techniques": looked.techniques,
            "Tactics": looked.tactics,
            "MalwareFamily": looked.malware_family,
            "RemoteStatus": looked.remote_status,
        }
        if looked.remote_error:
            details["RemoteError"] = looked.remote_error
        return True, SEVERITY.get(looked.level, ResultSeverity.unknown), details

    def _reference(self) -> str:
        if isinstance(self._remote, RemoteConfig) and self._remote.usable:
            return f"{self._remote.url}/api/v1/lookup"
        return "ioclens core (offline)"


#: The provider class under a descriptive alias (msticpy names providers by class name, hence ``Ioclens``).
IoclensTI = Ioclens


def _remote_from_args(args: dict) -> Any:
    """Provider args → the ``remote=`` argument of :func:`ioclens.lookup`."""
    remote = args.get("Remote")
    if remote is not None and str(remote).strip().lower() in ("0", "false", "no", "off"):
        return False
    url = args.get("Url") or args.get("URL")
    if url:
        return RemoteConfig(str(url), args.get("AuthKey"), args.get("Timeout", DEFAULT_TIMEOUT), "provider args")
    return None


def plugin_folder() -> str:
    """The folder to give ``mp_plugins.read_plugins`` or msticpyconfig ``PluginFolders``."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "msticpy_plugins")


def register(ti: Any = None, **kwargs: Any) -> type:
    """Puts :class:`Ioclens` in ``TILookup.CUSTOM_PROVIDERS`` (what the plugin loader does, so a msticpyconfig
    ``TIProviders: Ioclens`` entry resolves) and, given a ``TILookup``, adds an instance (``kwargs`` are the
    provider args) to it as a primary provider. Returns the class."""
    from msticpy.context.tilookup import TILookup

    TILookup.CUSTOM_PROVIDERS[Ioclens.PROVIDER_NAME] = Ioclens
    if ti is not None:
        ti.add_provider(Ioclens(**kwargs), name=Ioclens.PROVIDER_NAME, primary=True)
    return Ioclens
