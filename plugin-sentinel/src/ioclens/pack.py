"""Signed intel packs in a notebook: ``ioclens.load_pack(url=..., public_key=...)``.

Downloads the pack an ioclens server publishes at ``GET /api/v1/intel/pack`` (or any static host serving the pack
file with ``<url>.sig`` beside it, or reads a local file), lets the core verify it with the public key you trust and
use it for every later lookup of this process, and keeps it on disk so the next kernel starts with it. The HTTP and
the disk are the shared loader's (``ioclens._wasm.pack``, copied from ``wasm/python/ioclens_wasm/pack.py``); the
verdict on a pack (signature, checksum, records) and everything it changes in a lookup are the core's.

Configuration, first match wins: arguments; environment ``IOCLENS_PACK_URL``, ``IOCLENS_PACK_PUBLIC_KEY`` (64 hex
digits, printed by ``ioclens serve``), ``IOCLENS_API_KEY``, ``IOCLENS_PACK_DIR`` (default
``$XDG_CACHE_HOME/ioclens/intel`` or ``~/.cache/ioclens/intel``), ``IOCLENS_PACK_MAX_AGE`` (hours between
downloads, default 6: a younger kept pack is loaded without asking the server).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from ._core import core, error_type

DEFAULT_MAX_AGE_HOURS = 6.0

_loaded: Optional[PackStatus] = None


@dataclass
class PackStatus:
    """What happened: ``status`` is ``ok`` (a new pack loaded), ``not_modified`` (the server's pack is the kept
    one, loaded), ``cached`` (a kept pack younger than ``max_age_hours`` loaded without asking), ``refused`` (the
    core refused the pack; ``error`` says why), ``failed`` (no download; ``error`` says why). ``entries``,
    ``created_at`` and ``sources`` are the core's answer for the pack now in use (``None`` when there is none: the
    embedded intel answers)."""

    status: str
    error: str = ""
    url: str = ""
    entries: Optional[int] = None
    created_at: Optional[int] = None
    sources: list = field(default_factory=list)
    fetched_at: Optional[int] = None
    checked_at: Optional[int] = None
    directory: str = ""

    @property
    def loaded(self) -> bool:
        return self.entries is not None


def default_dir() -> str:
    """``IOCLENS_PACK_DIR``, else ``$XDG_CACHE_HOME/ioclens/intel``, else ``~/.cache/ioclens/intel``."""
    explicit = os.environ.get("IOCLENS_PACK_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ioclens", "intel")


def _status(state: dict, directory: str, status: Optional[str] = None) -> PackStatus:
    return PackStatus(
        status=status or str(state.get("status") or "failed"),
        error=str(state.get("error") or ""),
        url=str(state.get("url") or ""),
        entries=state.get("entries"),
        created_at=state.get("created_at"),
        sources=list(state.get("sources") or []),
        fetched_at=state.get("fetched_at"),
        checked_at=state.get("checked_at"),
        directory=directory,
    )


def load_pack(
    url: Optional[str] = None,
    public_key: Optional[str] = None,
    *,
    path: Optional[str] = None,
    signature: Optional[str] = None,
    api_key: Optional[str] = None,
    cache_dir: Optional[str] = None,
    max_age_hours: Optional[float] = None,
    timeout: float = 60.0,
) -> PackStatus:
    """Loads a signed intel pack into this process's core and returns what happened (never raises for a bad or
    missing pack: the embedded intel, or the pack loaded before, keeps answering).

    ``path`` loads a local pack file instead of downloading (its signature from ``signature`` or ``<path>.sig``).
    ``max_age_hours=0`` always asks the server (a ``304`` when nothing changed)."""
    from ._wasm import pack as packs

    global _loaded
    key = (public_key or os.environ.get("IOCLENS_PACK_PUBLIC_KEY") or "").strip()
    failure = error_type()
    the_core = core()
    if path is not None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            if signature is None:
                with open(path + ".sig", encoding="ascii") as handle:
                    signature = handle.read()
        except (OSError, ValueError) as error:
            return PackStatus(status="failed", error=f"cannot read the pack: {error}")
        try:
            answer = the_core.load_pack(data, signature, key)
        except failure as error:
            return PackStatus(status="refused", error=str(error))
        _loaded = PackStatus(
            status="ok",
            url=path,
            entries=answer.get("entries"),
            created_at=answer.get("created_at"),
            sources=list(answer.get("sources") or []),
        )
        return _loaded
    url = (url or os.environ.get("IOCLENS_PACK_URL") or "").strip()
    directory = cache_dir or default_dir()
    if not url:
        return PackStatus(status="failed", error="no pack URL (url= or IOCLENS_PACK_URL)", directory=directory)
    if max_age_hours is None:
        try:
            max_age_hours = float(os.environ.get("IOCLENS_PACK_MAX_AGE") or DEFAULT_MAX_AGE_HOURS)
        except ValueError:
            max_age_hours = DEFAULT_MAX_AGE_HOURS
    state = packs.read_state(directory)
    if state.get("url") == url and not packs.due(directory, max_age_hours * 3600.0):
        kept = packs.load_cached(the_core.load_pack, directory, key, failure)
        if kept["loaded"] is not None:
            state.update(kept["loaded"], error="")
            _loaded = _status(state, directory, "cached")
            return _loaded
    state = packs.refresh(
        the_core.load_pack,
        url,
        key,
        directory,
        api_key=api_key or os.environ.get("IOCLENS_API_KEY"),
        timeout=timeout,
        core_error=failure,
    )
    result = _status(state, directory)
    if result.loaded:
        _loaded = result
    return result


def pack_status() -> Optional[PackStatus]:
    """The pack this process loaded last (``None``: the embedded intel only)."""
    return _loaded
