"""Signed intel packs in Splunk: the ``ioclens_pack`` modular input keeps one, every command process loads it.

- The modular input (``bin/ioclens_pack.py``, inputs.conf ``[ioclens_pack://<name>]`` with ``url`` and
  ``public_key``; the server's API key, when it needs one, in storage/passwords like the feed's) downloads the pack
  on its ``interval`` through the shared loader's ``ioclens_wasm/pack.py``: ``If-None-Match`` with the kept ETag,
  the signature from ``X-Ioclens-Signature`` (or ``<url>.sig`` on a static host), then the core's ``load_pack``
  decides; only a pack the core accepted is written to the pack directory (``pack.bin``, ``pack.sig``,
  ``pack.json``: the last check, its status and the public key it was checked with).
- Each command process loads the kept pack once, when its core starts (:func:`load_kept`): the core verifies it
  again with the key recorded by the input, so a damaged file or a pack from before a key change is refused and
  the embedded intel answers. No REST call and no network at command start.

The pack directory: ``IOCLENS_PACK_DIR``, else ``$SPLUNK_HOME/var/lib/ioclens/intel`` (outside the read-only app
directory), else ``<tmp>/ioclens-<uid>/intel`` (development).
"""

import os
import re
from urllib.parse import urlsplit

from . import APP_NAME

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
DEFAULT_TIMEOUT = 60.0


def pack_dir():
    """Where the modular input keeps the pack and the commands find it."""
    override = os.environ.get("IOCLENS_PACK_DIR")
    if override:
        return override
    splunk_home = os.environ.get("SPLUNK_HOME")
    if splunk_home:
        return os.path.join(splunk_home, "var", "lib", APP_NAME, "intel")
    from .core import _temp_cache_dir

    return os.path.join(_temp_cache_dir(), "intel")


def validate(params):
    """Checks an ``ioclens_pack`` input's parameters; raises ValueError with the message splunkd shows."""
    url = str(params.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be the http(s) URL of a pack, e.g. https://ioclens.example:8080/api/v1/intel/pack")
    if parts.fragment or parts.username or parts.password:
        raise ValueError("url must not carry a fragment or credentials (the key lives in storage/passwords)")
    if not _HEX64.match(str(params.get("public_key") or "").strip()):
        raise ValueError("public_key must be the server's pack-signing public key: 64 hex digits (serve prints it)")


def _timeout(params):
    try:
        return min(max(float(params.get("timeout") or DEFAULT_TIMEOUT), 1.0), 600.0)
    except ValueError:
        return DEFAULT_TIMEOUT


def run(params, api_key, core, log, directory=None):
    """One run of the input: refresh the kept pack. Returns the state the shared loader recorded (``status`` ``ok``,
    ``not_modified``, ``refused`` or ``failed``); the caller logs it."""
    import ioclens_wasm
    from ioclens_wasm import pack as packs

    directory = directory or pack_dir()
    key = str(params["public_key"]).strip().lower()
    state = packs.refresh(
        core.load_pack,
        str(params["url"]).strip(),
        key,
        directory,
        api_key=api_key,
        timeout=_timeout(params),
        core_error=ioclens_wasm.IoclensError,
        # The key configured now: command processes verify the kept pack again with it.
        extra={"public_key": key},
    )
    log(
        "ioclens pack {}: {}{}".format(
            state.get("url"),
            state.get("status"),
            " ({})".format(state["error"]) if state.get("error") else "",
        )
    )
    return state


def load_kept(core, directory=None):
    """Loads the kept pack into ``core`` (a command process's core, once); returns the core's answer
    (``{entries, created_at, sources}``) or None when there is none or the core refuses it. Never raises."""
    try:
        import ioclens_wasm
        from ioclens_wasm import pack as packs

        directory = directory or pack_dir()
        key = packs.read_state(directory).get("public_key")
        if not key:
            return None
        return packs.load_cached(core.load_pack, directory, key, ioclens_wasm.IoclensError)["loaded"]
    except Exception:  # noqa: BLE001 - a kept pack that cannot be loaded leaves the embedded intel, never a failed search
        return None
