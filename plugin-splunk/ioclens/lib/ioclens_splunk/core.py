"""One core instance per process, loaded through the shared wasmtime loader with a compiled-module cache.

splunkd starts a command process per search (and per indexer), so start-up matters: the first process compiles
``core.wasm`` with Cranelift and writes the native module atomically into the cache; later processes deserialize it.
The cache lives in ``$SPLUNK_HOME/var/run/ioclens/`` (writable by splunkd, outside the app directory, which is
read-only on Splunk Cloud); without ``SPLUNK_HOME`` (tests, development) in ``<tmp>/ioclens-<uid>/``.
``IOCLENS_CACHE_DIR`` overrides both.
"""

import json
import os
import sys
import tempfile
import time

from . import APP_NAME

LIB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP_DIR = os.path.dirname(LIB_DIR)

# splunklib points tempfile.tempdir at the search's dispatch directory during getinfo; take the process default now.
_DEFAULT_TMP = tempfile.gettempdir()


class CoreError(Exception):
    """An error answer from the core (``{"error": {kind, message}}``) or a module that cannot be loaded."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def cache_dir():
    """The directory for the compiled-module cache (created on demand by the loader)."""
    override = os.environ.get("IOCLENS_CACHE_DIR")
    if override:
        return override
    splunk_home = os.environ.get("SPLUNK_HOME")
    if splunk_home:
        return os.path.join(splunk_home, "var", "run", APP_NAME)
    return _temp_cache_dir()


def _temp_cache_dir():
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return os.path.join(_DEFAULT_TMP, "{}-{}".format(APP_NAME, uid))


def wasm_path():
    """The core module shipped in the app."""
    return os.path.join(LIB_DIR, "ioclens_wasm", "core.wasm")


class Core:
    """The loaded module plus how it was loaded (for the inspector)."""

    def __init__(self):
        started = time.perf_counter()
        try:
            import ioclens_wasm
        except ImportError as error:
            message = "the ioclens core loader is missing from the app: {}".format(error)
            raise CoreError("unavailable", message) from None
        path = wasm_path()
        if not os.path.exists(path):
            raise CoreError("unavailable", "the ioclens core module is missing from the app: {}".format(path))
        wanted = cache_dir()
        try:
            self._module = ioclens_wasm.load(path, cache_dir=wanted)
        except OSError:
            # An unwritable run directory must not stop the search: use the per-user temp cache instead.
            fallback = _temp_cache_dir()
            if fallback == wanted:
                raise
            self._module = ioclens_wasm.load(path, cache_dir=fallback)
        self.load_seconds = time.perf_counter() - started
        self.cached = bool(getattr(self._module, "from_cache", False))

    def call(self, op, request):
        """Runs ``op`` on ``request`` (a dict) and returns the ``ok`` value; raises CoreError on an error answer."""
        answer = self._module.call(op, json.dumps(request, separators=(",", ":")))
        if isinstance(answer, (bytes, str)):
            answer = json.loads(answer)
        if "ok" in answer:
            return answer["ok"]
        error = answer.get("error") or {}
        raise CoreError(str(error.get("kind", "error")), str(error.get("message", "core error")))

    def has_op(self, op):
        """True when this build of the core answers ``op``."""
        try:
            return op in self.call("version", {}).get("ops", [])
        except CoreError:
            return False


_CORE = None


def get_core():
    """The process-wide core; loaded on first use."""
    global _CORE  # noqa: PLW0603 - one module instance per process is the point
    if _CORE is None:
        _CORE = Core()
    return _CORE


def describe_load(core):
    """One line for the search inspector: how long the module took to load and whether the cache served it."""
    return "ioclens core loaded in {:.0f} ms ({}) on Python {}.{}".format(
        core.load_seconds * 1000.0,
        "cached compiled module" if core.cached else "compiled, cache written",
        sys.version_info[0],
        sys.version_info[1],
    )
