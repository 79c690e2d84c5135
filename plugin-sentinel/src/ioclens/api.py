"""The Python face of the core's JSON operations. Wrappers translate; the core decides.

Every result keeps the core's answer unchanged in ``raw`` (an attribute, or a ``raw`` column of lookup frames;
:func:`extraction` for the whole extraction), so the tests can compare it with the native core's answer for the
shared corpus. Nothing is kept in ``DataFrame.attrs``: pandas deep-copies attrs on every operation.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import pandas as pd

from . import _core
from .remote import RemoteConfig

try:
    from ._wasm import IoclensError
except ImportError:  # the package was installed without build.py: say so on first use, not at import

    class IoclensError(Exception):  # type: ignore[no-redef]
        """An ``{"error": {kind, message}}`` answer from the core."""

        def __init__(self, error: dict):
            super().__init__(error.get("message", ""))
            self.kind = error.get("kind")
            self.input = error.get("input")
            self.error = error


__all__ = [
    "Hunt",
    "IoclensError",
    "Lookup",
    "attack",
    "classify",
    "extract",
    "extraction",
    "hunt",
    "lookup",
    "version",
]

#: Columns of :func:`lookup` frames, in order.
LOOKUP_COLUMNS = (
    "ioc",
    "ioc_type",
    "ioc_value",
    "score",
    "level",
    "confidence",
    "verdict",
    "found",
    "techniques",
    "tactics",
    "malware_family",
    "remote_status",
    "remote_error",
    "raw",
)
#: Columns of :func:`extract` frames (one row per distinct indicator), in order.
EXTRACT_COLUMNS = ("type", "value", "count", "start", "end", "implied")
#: Columns of :meth:`Hunt.to_frame`, in order.
HUNT_COLUMNS = ("type", "target", "profile", "title", "values", "chunk", "query")
TARGETS = ("spl", "kql", "sigma", "stix")
#: Values per ``lookup_many`` call when enriching many (one crossing into the module per batch).
LOOKUP_BATCH = 1000


def _call(op: str, request: dict) -> Any:
    answer = _core.core().call(op, request)
    if "error" in answer:
        raise IoclensError(answer["error"])
    return answer["ok"]


def _now(now: Optional[Union[int, float]]) -> int:
    if now is None:
        return int(time.time())
    if isinstance(now, bool) or not isinstance(now, (int, float)):
        raise TypeError(f"ioclens: now must be Unix seconds (int), not {type(now).__name__}")
    return int(now)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"ioclens: {what} must be a str, not {type(value).__name__}")
    return value


def _values(values: Any, what: str) -> Optional[list]:
    """A list of str from a list/tuple/Series/Index/iterable, ``None`` for a single str. Checked before any call,
    so a bad element fails the whole batch before anything happens."""
    if isinstance(values, str):
        return None
    if isinstance(values, (bytes, bytearray, Mapping)) or not isinstance(values, Iterable):
        raise TypeError(f"ioclens: {what} must be a str or a list of str, not {type(values).__name__}")
    out = list(values)
    for i, v in enumerate(out):
        if not isinstance(v, str):
            raise TypeError(f"ioclens: {what}[{i}] must be a str, not {type(v).__name__} ({v!r})")
    return out


def version() -> dict:
    """``{version, ops, offline_intel, warninglist_roles}`` of the loaded core."""
    return _call("version", {})


def classify(value: str, type: Optional[str] = None) -> dict:  # noqa: A002 - the wire name
    """Type, canonical value and facts of one value (the core's ``Classified``)."""
    req: dict = {"value": _text(value, "value")}
    if type is not None:
        req["type"] = _text(type, "type")
    return _call("classify", req)


@dataclass
class Lookup:
    """One value's enrichment. ``raw`` is the core's whole package (SOC Defenders' field names + ioclens's)."""

    ioc: str
    ioc_type: str
    ioc_value: str
    score: int
    level: str
    confidence: str
    verdict: str
    found: bool
    techniques: list
    tactics: list
    malware_family: Optional[str]
    remote_status: str
    remote_error: str
    raw: dict = field(repr=False)

    @property
    def kql(self) -> Optional[str]:
        """The primary Sentinel hunting query of the package, when the type has one."""
        return (self.raw.get("hunting") or {}).get("kql_query") or None

    @property
    def spl(self) -> Optional[str]:
        return (self.raw.get("hunting") or {}).get("splunk_query") or None

    @classmethod
    def from_package(cls, ioc: str, package: dict, remote_error: str = "") -> Lookup:
        score = package.get("score") or {}
        tactics: list = []
        for mapping in package.get("attack") or []:
            for tactic in mapping.get("tactics") or []:
                name = tactic.get("name")
                if name and name not in tactics:
                    tactics.append(name)
        return cls(
            ioc=ioc,
            ioc_type=package.get("ioc_type", "unknown"),
            ioc_value=package.get("ioc_value", ioc),
            score=int((package.get("risk") or {}).get("score", 0)),
            level=(package.get("risk") or {}).get("level", "info"),
            confidence=package.get("confidence", "low"),
            verdict=score.get("verdict", ""),
            found=bool(package.get("found", False)),
            techniques=[t.get("id") for t in package.get("mitre_techniques") or [] if t.get("id")],
            tactics=tactics,
            malware_family=package.get("malware_family"),
            remote_status=score.get("remote_status", "disabled"),
            remote_error=remote_error,
            raw=package,
        )

    def row(self) -> dict:
        return {c: getattr(self, c) for c in LOOKUP_COLUMNS}


class _Remote:
    """Resolves the ``remote=`` argument once per batch and does the HTTP for it."""

    def __init__(self, remote: Union[None, bool, RemoteConfig]):
        if remote is False:
            self.config: Optional[RemoteConfig] = None
        elif isinstance(remote, RemoteConfig):
            self.config = remote
        elif remote is None or remote is True:
            self.config = RemoteConfig.discover()
            if self.config is None and remote is True:
                self.config = RemoteConfig(source="discovery", problem="no IOCLENS_URL and no msticpyconfig entry")
        else:
            raise TypeError(f"ioclens: remote must be None, True, False or a RemoteConfig, not {type(remote).__name__}")
        self.scorer = None
        if self.config is not None and self.config.usable:
            from ._wasm.remote import RemoteScorer

            self.scorer = RemoteScorer(self.config.url, self.config.api_key or "", self.config.timeout)

    def merge(self, package: dict) -> tuple:
        """``(package, remote_error)``: the package with the remote evidence merged in by the core."""
        if self.config is None:
            return package, ""
        if self.scorer is None:
            return package, f"remote scoring is off: {self.config.problem}"
        from ._wasm.remote import merge_remote

        return merge_remote(_call, self.scorer, package, IoclensError)


def _lookup_options(type: Optional[str], hunting: bool, lookback: Optional[str], profile: Optional[str]) -> dict:  # noqa: A002
    options: dict = {"hunting": bool(hunting)}
    if type is not None:
        options["type"] = _text(type, "type")
    query: dict = {}
    if lookback is not None:
        query["lookback"] = _text(lookback, "lookback")
    if profile is not None:
        query["kql_profile"] = _text(profile, "profile")
    if query:
        options["query"] = query
    return options


def lookup(
    value: Union[str, Iterable[str]],
    *,
    type: Optional[str] = None,  # noqa: A002 - the wire name
    now: Optional[Union[int, float]] = None,
    hunting: bool = True,
    lookback: Optional[str] = None,
    profile: Optional[str] = None,
    remote: Union[None, bool, RemoteConfig] = None,
) -> Union[Lookup, pd.DataFrame]:
    """Enriches one value (→ :class:`Lookup`) or many (→ a DataFrame, one row per input, in order).

    ``now`` is the scoring time in Unix seconds (default: the clock). ``remote``: ``None`` uses a server when
    ``IOCLENS_URL``/msticpyconfig configure one, ``False`` never, ``True`` always (status ``disabled`` with the
    reason in ``remote_error`` when none is configured), or an explicit :class:`RemoteConfig`.
    """
    many = _values(value, "value")
    now_s = _now(now)
    options = _lookup_options(type, hunting, lookback, profile)
    server = _Remote(remote)
    if many is None:
        return _lookup_one(value, now_s, options, server)  # type: ignore[arg-type]
    results = []
    for start in range(0, len(many), LOOKUP_BATCH):
        batch = many[start : start + LOOKUP_BATCH]
        request = {"values": batch, "options": options, "now": now_s}
        for v, item in zip(batch, _call("lookup_many", request)["results"]):
            if "ok" in item:
                package, error = server.merge(item["ok"])
                results.append(Lookup.from_package(v, package, error))
            else:  # an item the batch could not answer: the one-value call says why
                results.append(_lookup_one(v, now_s, options, server))
    return pd.DataFrame([r.row() for r in results], columns=list(LOOKUP_COLUMNS))


def _lookup_one(value: str, now: int, options: dict, server: _Remote) -> Lookup:
    package = _call("lookup", {"value": value, "options": options, "now": now})
    package, error = server.merge(package)
    return Lookup.from_package(value, package, error)


def extraction(text: str) -> dict:
    """The core's whole extraction of a text: every mention with its span (``iocs``), the distinct indicators
    (``unique``), ATT&CK and threat-actor context mentions (``context``) and ``diagnostics``."""
    return _call("extract", {"text": _text(text, "text")})


def extract(text: str) -> pd.DataFrame:
    """Every distinct indicator in a text, one row each (``type, value, count, start, end, implied``) in order of
    first mention; :func:`extraction` gives the core's full answer."""
    found = extraction(text)
    rows = [
        {
            "type": u["type"],
            "value": u["canonical"],
            "count": u["count"],
            "start": (u.get("first") or {}).get("start"),
            "end": (u.get("first") or {}).get("end"),
            "implied": bool(u.get("implied", False)),
        }
        for u in found.get("unique") or []
    ]
    return pd.DataFrame(rows, columns=list(EXTRACT_COLUMNS))


@dataclass
class Hunt:
    """The core's hunting queries for a set of values. ``queries`` are those of the requested target(s)."""

    queries: list
    notes: list
    lookup_csv: Optional[str]
    raw: dict = field(repr=False)
    #: The window the queries are bounded with (``7d`` unless ``lookback=`` said otherwise).
    lookback: str = "7d"

    @property
    def kql(self) -> list:
        """The KQL query texts, primary query of each type first."""
        return [q["query"] for q in self.queries if q["target"] == "kql"]

    @property
    def spl(self) -> list:
        return [q["query"] for q in self.queries if q["target"] == "spl"]

    def by_type(self, target: str = "kql") -> dict:
        """``{ioc type: [query text, …]}`` for one target."""
        out: dict = {}
        for q in self.queries:
            if q["target"] == target:
                out.setdefault(q["type"], []).append(q["query"])
        return out

    def to_frame(self) -> pd.DataFrame:
        rows = [{c: q.get(c) for c in HUNT_COLUMNS} for q in self.queries]
        return pd.DataFrame(rows, columns=list(HUNT_COLUMNS))


def hunt(
    values: Union[str, Iterable[Any]],
    target: Union[str, Iterable[str]] = "kql",
    *,
    profile: Optional[str] = None,
    lookback: Optional[str] = None,
    include_ti: Optional[bool] = None,
    exclusions: Optional[Iterable[str]] = None,
    batch_size: Optional[int] = None,
    watchlist: Optional[str] = None,
) -> Hunt:
    """Hunting queries for indicators. ``values``: raw strings (defanged or not, classified by the core; values
    that are not indicators are skipped with a note), ``{"type", "value"}`` dicts, or an :func:`extract` /
    :func:`lookup` frame. ``target``: ``kql`` (default), ``spl``, ``sigma``, ``stix``, a list of them or ``all``.
    ``profile``: ``native``/``asim``/``defender`` for KQL, ``cim``/``raw`` for SPL. ``lookback``: ``7d``, ``24h`` …
    """
    items = _hunt_values(values)
    if target == "all":
        targets = list(TARGETS)
    elif isinstance(target, str):
        targets = [target]
    else:
        targets = [_text(t, "target") for t in target]
    for t in targets:
        if t not in TARGETS:
            raise ValueError(f"ioclens: unknown target {t!r} (targets: {', '.join(TARGETS)}, all)")
    options: dict = {"targets": targets}
    if lookback is not None:
        options["lookback"] = _text(lookback, "lookback")
    if profile is not None:
        _text(profile, "profile")
        if "kql" in targets and profile in ("native", "asim", "defender"):
            options["kql_profile"] = profile
        elif "spl" in targets and profile in ("cim", "raw"):
            options["spl_profile"] = profile
        else:
            raise ValueError(
                f"ioclens: profile {profile!r} does not fit target(s) {targets} "
                "(kql: native, asim, defender; spl: cim, raw)"
            )
    if include_ti is not None:
        options["include_ti"] = bool(include_ti)
    if exclusions is not None:
        options["exclusions"] = _values(exclusions, "exclusions") or [_text(exclusions, "exclusions")]
    if batch_size is not None:
        options["batch_size"] = batch_size
    if watchlist is not None:
        options["watchlist"] = _text(watchlist, "watchlist")
    answer = _call("hunt", {"values": items, "options": options})
    queries = []
    for group in answer.get("groups") or []:
        for t in targets:
            queries.extend(group.get(t) or [])
    return Hunt(
        queries=queries,
        notes=answer.get("notes") or [],
        lookup_csv=answer.get("lookup_csv"),
        raw=answer,
        lookback=options.get("lookback", "7d"),
    )


def _hunt_values(values: Any) -> list:
    if isinstance(values, pd.DataFrame):
        for type_col, value_col in (("type", "value"), ("ioc_type", "ioc_value")):
            if type_col in values.columns and value_col in values.columns:
                frame = values[values[type_col] != "unknown"]
                return [{"type": t, "value": v} for t, v in zip(frame[type_col], frame[value_col])]
        raise ValueError("ioclens: a hunt frame needs type/value (extract) or ioc_type/ioc_value (lookup) columns")
    if isinstance(values, str):
        return [values]
    if isinstance(values, (bytes, bytearray, Mapping)) or not isinstance(values, Iterable):
        raise TypeError(f"ioclens: values must be a str, a list or a DataFrame, not {type(values).__name__}")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, Mapping) and isinstance(v.get("type"), str) and isinstance(v.get("value"), str):
            out.append({"type": v["type"], "value": v["value"]})
        else:
            raise TypeError(f"ioclens: values[{i}] must be a str or a {{'type', 'value'}} dict, not {v!r}")
    return out


def attack(id: str) -> dict:  # noqa: A002 - the wire name
    """Everything the embedded ATT&CK catalogue knows about one id (technique, tactic, group, software …)."""
    return _call("attack", {"id": _text(id, "id")})
