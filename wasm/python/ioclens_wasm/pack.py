"""Signed intel packs for the Python hosts: the HTTP and the disk around the core's ``load_pack``.

The Splunk app and the Sentinel package copy this file with the loader (``ioclens_wasm/``); it is edited only here.
Each host reads its own configuration (Splunk: ioclens.conf ``[pack]`` and storage/passwords; Sentinel: arguments
and environment) and calls :func:`refresh` (download, verify, keep) or :func:`load_cached` (start-up).

The core decides whether a pack is usable: ``load_pack`` checks the ed25519 signature with the public key the host
was configured with (never the server's own ``X-Ioclens-Public-Key`` header), then the checksum and records, and
answers ``{entries, created_at, sources}`` or an error saying why (docs/intel.md, "Signed packs"). This module only
moves bytes: ``GET <url>`` with ``If-None-Match`` (an ``ETag`` answer is remembered, so an unchanged pack is a
``304`` and nothing is rewritten), the signature from the ``X-Ioclens-Signature`` header, or for a static host
without it from ``<url>.sig``; a pack the core accepted is written to ``<dir>/pack.bin`` + ``pack.sig`` (temporary
file, fsync, rename) and a refused one is never written, so the previous pack stays in use.

``<dir>/pack.json`` records the last check (what the hosts show): ``status`` is what happened to the download —
``ok`` (a new pack loaded), ``not_modified`` (``304``: the kept pack loaded), ``refused`` (the core's error in
``error``), ``failed`` (no usable answer: HTTP error, timeout, too large) — with the URL (never a key), the
``ETag``, ``checked_at`` and ``fetched_at`` (Unix seconds), and the core's ``entries``, ``created_at`` and
``sources`` of the pack in use.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Optional

__all__ = ["PackError", "download", "due", "load_cached", "read_state", "refresh"]

PACK = "pack.bin"
SIGNATURE = "pack.sig"
STATE = "pack.json"
#: Largest pack accepted from the network (bytes); a bigger answer is a ``failed`` download, not a full disk.
MAX_BYTES = 512 << 20
DEFAULT_TIMEOUT = 60.0


class PackError(Exception):
    """A download that produced no pack (the message names the URL and why, never a key)."""


def _get(url: str, headers: dict, timeout: float, max_bytes: int) -> tuple:
    """``(status, headers, body)`` of a GET; ``304`` has an empty body. Raises PackError for anything else."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the hosts accept only http(s) URLs
    try:
        context = ssl.create_default_context() if url.startswith("https:") else None
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise PackError(f"{url}: the answer is larger than {max_bytes} bytes")
            return response.status, response.headers, body
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return 304, error.headers, b""
        raise PackError(f"{url}: HTTP {error.code}") from None
    except (socket.timeout, TimeoutError):
        raise PackError(f"{url}: no answer within {timeout} s (timed out)") from None
    except urllib.error.URLError as error:
        raise PackError(f"{url}: cannot reach the server: {error.reason}") from None
    except (ValueError, OSError) as error:
        raise PackError(f"{url}: bad answer: {error}") from None


def download(
    url: str,
    api_key: Optional[str] = None,
    etag: Optional[str] = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> dict:
    """``GET url`` (``Authorization: Bearer`` when a key is given, ``If-None-Match`` when an ETag is known) ->
    ``{"status": 200|304, "pack": bytes, "signature": str, "etag": str|None}``. The signature is the
    ``X-Ioclens-Signature`` header, else the text of ``<url>.sig``. Raises PackError when there is no pack."""
    headers = {"Accept": "application/octet-stream"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if etag:
        headers["If-None-Match"] = etag
    status, got, body = _get(url, headers, timeout, max_bytes)
    answer = {"status": status, "pack": body, "signature": "", "etag": got.get("ETag") or etag}
    if status == 304:
        return answer
    signature = got.get("X-Ioclens-Signature")
    if not signature:
        headers.pop("If-None-Match", None)
        headers["Accept"] = "text/plain"
        _, _, text = _get(url + ".sig", headers, timeout, 4096)
        signature = text.decode("ascii", "replace")
    answer["signature"] = signature.strip()
    return answer


def read_state(directory: str) -> dict:
    """The last check recorded in ``<directory>/pack.json`` (``{}`` before the first)."""
    try:
        with open(os.path.join(directory, STATE), encoding="utf-8") as handle:
            state = json.load(handle)
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def due(directory: str, max_age_seconds: float, now: Optional[float] = None) -> bool:
    """True when the last check of ``directory`` is older than ``max_age_seconds`` (or there was none)."""
    checked = read_state(directory).get("checked_at")
    if not isinstance(checked, (int, float)):
        return True
    return (time.time() if now is None else now) - checked >= max_age_seconds


def _write(directory: str, name: str, data: bytes) -> None:
    """Writes ``<directory>/<name>`` atomically: a temporary file beside it, fsynced, renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, os.path.join(directory, name))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _cached(directory: str) -> Optional[tuple]:
    try:
        with open(os.path.join(directory, PACK), "rb") as handle:
            pack = handle.read()
        with open(os.path.join(directory, SIGNATURE), encoding="ascii") as handle:
            return pack, handle.read().strip()
    except (OSError, ValueError):
        return None


LoadPack = Callable[[bytes, str, str], dict]


def load_cached(load: LoadPack, directory: str, public_key: str, core_error: type = Exception) -> dict:
    """Hands the kept pack of ``directory`` to the core (``load(pack, signature, public_key)``, e.g. a loader's
    ``Core.load_pack``), which verifies it again: a file changed on disk is refused like a bad download.
    Returns ``{"loaded": answer|None, "error": str}``."""
    kept = _cached(directory)
    if kept is None:
        return {"loaded": None, "error": "no kept pack"}
    try:
        return {"loaded": load(kept[0], kept[1], public_key), "error": ""}
    except core_error as error:
        return {"loaded": None, "error": f"kept pack refused: {error}"}


def refresh(
    load: LoadPack,
    url: str,
    public_key: str,
    directory: str,
    api_key: Optional[str] = None,
    timeout: float = DEFAULT_TIMEOUT,
    core_error: type = Exception,
    max_bytes: int = MAX_BYTES,
    extra: Optional[dict] = None,
) -> dict:
    """Downloads the pack at ``url`` (conditionally), lets the core verify and load it, and keeps it in
    ``directory``; whatever fails, the kept pack (if the core still accepts it) is what is loaded afterwards.
    Returns the new state (also written to ``<directory>/pack.json``, see the module docstring, with ``extra``'s
    fields: a host's own notes, never a secret)."""
    os.makedirs(directory, exist_ok=True)
    previous = read_state(directory)
    kept = _cached(directory) is not None
    now = int(time.time())
    state: dict[str, Any] = {
        "url": url,
        "etag": previous.get("etag") if kept and previous.get("url") == url else None,
        "checked_at": now,
        "fetched_at": previous.get("fetched_at") if kept else None,
        "error": "",
        **(extra or {}),
    }
    loaded = None
    try:
        got = download(url, api_key, state["etag"], timeout, max_bytes)
    except PackError as error:
        state.update(status="failed", error=str(error))
        got = None
    if got is not None and got["status"] == 304:
        state["status"] = "not_modified"
    elif got is not None:
        try:
            loaded = load(got["pack"], got["signature"], public_key)
        except core_error as error:
            state.update(status="refused", error=str(error))
        else:
            _write(directory, PACK, got["pack"])
            _write(directory, SIGNATURE, got["signature"].encode("ascii") + b"\n")
            state.update(status="ok", etag=got["etag"], fetched_at=now)
    if loaded is None and kept:
        again = load_cached(load, directory, public_key, core_error)
        loaded = again["loaded"]
        if again["error"] and not state["error"]:
            state.update(status="refused", error=again["error"])
    if loaded is not None:
        state.update(entries=loaded.get("entries"), created_at=loaded.get("created_at"), sources=loaded.get("sources"))
    _write(directory, STATE, json.dumps(state, sort_keys=True).encode("utf-8"))
    return state
