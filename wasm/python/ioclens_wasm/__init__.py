"""ioclens-core from Python through wasmtime-py: the one loader both Python plugins share.

The Splunk app (``plugin-splunk``) and the Sentinel package (``plugin-sentinel``) copy this directory, together
with ``dist/abi/ioclens_core.wasm``, into their own trees at build time (as ``ioclens_wasm/`` with the module
beside this file as ``ioclens_core.wasm``); it is edited only here.

It loads the plain C-ABI module (``alloc``, ``dealloc``, ``call(op, ptr, len) -> ptr << 32 | len``, JSON in and
out, no imports; the answer is the module's until the next call) and compiles it once: the compiled native code is
cached as ``<cache_dir>/ioclens-<sha256 of the wasm>-wasmtime<version>-<platform>-<machine>.cwasm``, written
atomically (temporary file + ``os.replace``), and deserialised on later starts (milliseconds instead of a Cranelift
compile). Only files this loader wrote into its own cache directory are ever deserialised.

Calls take a fast path when the installed wasmtime-py allows it: ``wasmtime_func_call_unchecked`` with
preallocated raw argument slots and direct ``ctypes`` copies in and out of linear memory, instead of
``Func.__call__``, which rebuilds the function type and boxes every value on each call (several times the cost
of a ``classify``). The fast path is checked against the checked one on ``version`` at load time and is
skipped when anything it relies on is missing or differs; ``IOCLENS_NO_FASTCALL=1`` or ``Core(fast=False)``
turns it off. Answers are identical either way (``Core.fast`` says which path is in use).

    >>> core = Core()
    >>> core.classify("8.8.8[.]8")["type"]
    'ipv4'

Answers are the core's JSON: ``call`` returns ``{"ok": ...}`` or ``{"error": {...}}``; the helpers return the
``ok`` value and raise :class:`IoclensError` otherwise.
"""

from __future__ import annotations

import base64
import ctypes
import hashlib
import json
import os
import platform
import sys
import tempfile
import threading
from typing import Any, Optional

import wasmtime

__all__ = ["Core", "IoclensError", "default_wasm_path"]

#: The one operation number the ABI fixes: ``version`` is 0. The module's ``version`` answer lists every operation
#: in its numbering (``ioclens_core::api::OPS``), so the loader reads the rest from the module it loaded.
_VERSION_OP = 0

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF

#: The smallest request block the loader allocates in the module (reused across calls, grown on demand).
_MIN_REQUEST_BLOCK = 64 * 1024

_MODULE_NAME = "ioclens_core.wasm"


class IoclensError(Exception):
    """An ``{"error": {kind, message, input?}}`` answer."""

    def __init__(self, error: dict):
        super().__init__(error.get("message", ""))
        self.kind = error.get("kind")
        self.input = error.get("input")
        self.error = error


def default_wasm_path() -> str:
    """``ioclens_core.wasm`` beside this file (how the plugins ship it), else ``IOCLENS_WASM``."""
    env = os.environ.get("IOCLENS_WASM")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), _MODULE_NAME)


def _default_cache_dir() -> str:
    env = os.environ.get("IOCLENS_WASM_CACHE")
    if env:
        return env
    return os.path.join(tempfile.gettempdir(), "ioclens-wasm-cache")


def _cache_name(wasm: bytes) -> str:
    digest = hashlib.sha256(wasm).hexdigest()
    version = getattr(wasmtime, "__version__", None) or _wasmtime_version()
    machine = f"{sys.platform}-{platform.machine()}".lower()
    return f"ioclens-{digest}-wasmtime{version}-{machine}.cwasm"


def _wasmtime_version() -> str:
    """The installed wasmtime-py version, from its ``.dist-info`` directory name (importlib.metadata costs
    ~60 ms at every start, a third of a cached load); the native library's identity when there is none."""
    package = os.path.dirname(os.path.abspath(wasmtime.__file__))
    try:
        for name in os.listdir(os.path.dirname(package)):
            if name.startswith("wasmtime-") and name.endswith(".dist-info"):
                return name[len("wasmtime-") : -len(".dist-info")]
    except OSError:
        pass
    lib = os.path.join(package, f"{sys.platform}-{platform.machine()}".lower())
    try:
        st = os.stat(lib)
        return f"lib{st.st_size}-{st.st_mtime_ns}"
    except OSError:
        return "unknown"


def _load_module(engine: wasmtime.Engine, wasm: bytes, cache_dir: Optional[str]) -> wasmtime.Module:
    """Deserialise the cached compilation, or compile and cache it (atomically)."""
    if cache_dir is None:
        return wasmtime.Module(engine, wasm)
    path = os.path.join(cache_dir, _cache_name(wasm))
    if os.path.exists(path):
        try:
            return wasmtime.Module.deserialize_file(engine, path)
        except Exception:  # noqa: BLE001 - stale or truncated: recompile and overwrite
            pass
    module = wasmtime.Module(engine, wasm)
    try:
        os.makedirs(cache_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".cwasm")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(module.serialize())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only cache directory only costs the compile time
    return module


class Core:
    """One instance of the module. Thread-safe (calls are serialised); create one per process and reuse it."""

    def __init__(
        self, wasm_path: Optional[str] = None, cache_dir: Optional[str] = "default", fast: Optional[bool] = None
    ):
        """``cache_dir=None`` disables the compile cache; ``"default"`` uses ``IOCLENS_WASM_CACHE`` or a
        directory under the system temp dir. ``fast=False`` keeps wasmtime-py's checked calls; ``None`` (the
        default) uses the fast path unless ``IOCLENS_NO_FASTCALL`` is set."""
        with open(wasm_path or default_wasm_path(), "rb") as f:
            wasm = f.read()
        if cache_dir == "default":
            cache_dir = _default_cache_dir()
        self._engine = wasmtime.Engine()
        self._store = wasmtime.Store(self._engine)
        module = _load_module(self._engine, wasm, cache_dir)
        instance = wasmtime.Instance(self._store, module, [])
        exports = instance.exports(self._store)
        self._memory = exports["memory"]
        self._alloc = exports["alloc"]
        self._dealloc = exports["dealloc"]
        self._call = exports["call"]
        self._lock = threading.Lock()
        self._buf_ptr, self._buf_len = 0, 0
        self._op_index = {"version": _VERSION_OP}
        version = self._call_raw_checked("version", "{}")
        #: Operation names in the module's numbering, from its own ``version`` answer.
        self.ops: tuple = tuple(json.loads(version)["ok"]["ops"])
        self._op_index = {name: index for index, name in enumerate(self.ops)}
        self._fast = None
        if fast is not False and not os.environ.get("IOCLENS_NO_FASTCALL"):
            self._fast = _FastPath.attach(self, version)

    @property
    def fast(self) -> bool:
        """True when calls take the unchecked fast path."""
        return self._fast is not None

    def call_raw(self, op: str, request: str) -> str:
        """Runs ``op`` on a JSON request text and returns the answer text, exactly as the core wrote it."""
        if self._fast is not None:
            return self._fast.call_raw(op, request)
        return self._call_raw_checked(op, request)

    def _call_raw_checked(self, op: str, request: str) -> str:
        """``call_raw`` through wasmtime-py's public, checked ``Func.__call__``."""
        index = self._op_index.get(op, _MASK32)  # an unknown number: the module answers unknown_op itself
        data = request.encode("utf-8")
        with self._lock:
            store = self._store
            if len(data) > self._buf_len:
                # One request block, grown on demand and reused: a call is then one host→module call
                # (wasmtime-py spends tens of µs per call, far more than a classify).
                if self._buf_len:
                    self._dealloc(store, self._buf_ptr, self._buf_len)
                    self._buf_ptr, self._buf_len = 0, 0
                size = max(len(data), _MIN_REQUEST_BLOCK)
                ptr = self._alloc(store, size)
                if ptr == 0:
                    raise MemoryError("ioclens: the module could not allocate the request")
                self._buf_ptr, self._buf_len = ptr, size
            if data:
                self._memory.write(store, data, self._buf_ptr)
            packed = self._call(store, index, self._buf_ptr if data else 0, len(data))
            out_ptr, out_len = packed >> 32, packed & 0xFFFFFFFF
            # The answer belongs to the module until the next call: copy it, free nothing.
            return bytes(self._memory.read(store, out_ptr, out_ptr + out_len)).decode("utf-8")

    def call(self, op: str, request: Any = None) -> dict:
        """Runs ``op`` on a request object (or JSON text) and returns the parsed answer envelope."""
        text = request if isinstance(request, str) else json.dumps(request or {}, ensure_ascii=False)
        return json.loads(self.call_raw(op, text))

    def _ok(self, op: str, request: dict) -> Any:
        answer = self.call(op, request)
        if "error" in answer:
            raise IoclensError(answer["error"])
        return answer["ok"]

    def version(self) -> dict:
        return self._ok("version", {})

    def classify(self, value: str, type: Optional[str] = None) -> dict:  # noqa: A002 - the wire name
        req = {"value": value}
        if type is not None:
            req["type"] = type
        return self._ok("classify", req)

    def extract(self, text: str) -> dict:
        return self._ok("extract", {"text": text})

    def lookup(self, value: str, now: int, options: Optional[dict] = None) -> dict:
        req: dict = {"value": value, "now": now}
        if options is not None:
            req["options"] = options
        return self._ok("lookup", req)

    def lookup_many(
        self, values: list, now: int, options: Optional[dict] = None, fields: Optional[list] = None
    ) -> list:
        """``lookup`` for each value in one call: a list of ``{"ok": package}`` or ``{"error": {...}}`` items in
        the order of ``values`` (one bad item does not fail the others). ``fields`` keeps only those dotted
        paths of each package (``ioclens_core::api::LOOKUP_FIELDS``), e.g. ``["risk", "score.verdict"]``."""
        req: dict = {"values": values, "now": now}
        if options is not None:
            req["options"] = options
        if fields is not None:
            req["fields"] = fields
        return self._ok("lookup_many", req)["results"]

    def defang(self, value: str, type: Optional[str] = None) -> str:  # noqa: A002 - the wire name
        """The display form of a value by the core's rule (``hxxps://evil[.]com``); with ``type`` (from a lookup
        or extract answer) only network types change, without it the value is classified first."""
        req: dict = {"value": value}
        if type is not None:
            req["type"] = type
        return self._ok("defang", req)["value"]

    def load_pack(self, pack: bytes, signature: str, public_key: str) -> dict:
        """Hands a signed intel pack (the file's bytes, its ``.sig`` text, the trusted public key as 64 hex
        digits) to the core, which verifies it (``ioclens_core::intel::signature``) and, once accepted, uses it
        for every later ``lookup``/``lookup_many`` on this instance, as the CLI does with a pack. A refused pack
        raises ``IoclensError`` and leaves the previous one in place. Returns ``{entries, created_at, sources}``."""
        req = {
            "pack_base64": base64.b64encode(pack).decode("ascii"),
            "signature": signature.strip(),
            "public_key": public_key.strip(),
        }
        return self._ok("load_pack", req)

    def hunt(self, values: list, options: Optional[dict] = None) -> dict:
        return self._ok("hunt", {"values": values, "options": options or {}})

    def attack(self, id: str) -> dict:  # noqa: A002 - the wire name
        return self._ok("attack", {"id": id})

    def merge_remote(self, local: dict, status: int, response: Any = None, error: Optional[str] = None) -> dict:
        """Merges a remote scorer's answer (HTTP ``status`` and body) into a ``lookup`` result; ``status`` 0
        with the client's ``error`` text when no answer came. The core decides; this only forwards."""
        req: dict = {"local": local, "status": status, "response": response}
        if error is not None:
            req["error"] = error
        return self._ok("merge_remote", req)

    def remote_request(self, value: str, type: str) -> Optional[dict]:  # noqa: A002 - the wire name
        """The HTTP request (method, path, query, headers) to send to a remote scorer, or ``None``."""
        return self._ok("remote_request", {"value": value, "type": type})


class _FastPath:
    """The same exports of the same instance, called through ``wasmtime_func_call_unchecked`` (wasmtime's C API
    for callers that know the signature: here ``alloc(i32) -> i32``, ``call(i32, i32, i32) -> i64``,
    ``dealloc(i32, i32)``) with three preallocated ``wasmtime_val_raw`` slots, and ``ctypes.memmove`` /
    ``string_at`` on linear memory. Shares the loader's lock and request block."""

    def __init__(self, core: Core):
        from wasmtime import _ffi as ffi

        self._ffi = ffi
        self._core = core
        self._context = core._store._context()
        self._call = ctypes.byref(core._call._func)
        self._alloc = ctypes.byref(core._alloc._func)
        self._dealloc = ctypes.byref(core._dealloc._func)
        self._slots = (ffi.wasmtime_val_raw * 3)()
        self._trap = ctypes.POINTER(ffi.wasm_trap_t)()

    @classmethod
    def attach(cls, core: Core, version: str) -> Optional["_FastPath"]:
        """A fast path over ``core``'s instance, or None when this wasmtime-py lacks what it needs or it does not
        give the ``version`` answer the checked path gave."""
        try:
            from wasmtime import _ffi as ffi

            if not hasattr(ffi, "wasmtime_func_call_unchecked") or not hasattr(ffi, "wasmtime_val_raw"):
                return None
            fast = cls(core)
            if fast.call_raw("version", "{}") != version:
                return None
            return fast
        except Exception:  # noqa: BLE001 - any surprise means: keep the checked path
            return None

    def _invoke(self, func, nslots: int) -> None:
        ffi = self._ffi
        error = ffi.wasmtime_func_call_unchecked(self._context, func, self._slots, nslots, ctypes.byref(self._trap))
        if error or self._trap:
            from wasmtime import Trap, WasmtimeError

            if error:
                raise WasmtimeError._from_ptr(error)
            trap, self._trap = self._trap, ctypes.POINTER(ffi.wasm_trap_t)()
            raise Trap._from_ptr(trap)

    def _base(self) -> int:
        # Re-read after every call: the memory may have grown (and moved).
        return ctypes.addressof(self._core._memory.data_ptr(self._core._store).contents)

    def _request_block(self, size: int) -> int:
        core, slots = self._core, self._slots
        if size > core._buf_len:
            if core._buf_len:
                slots[0].i32 = core._buf_ptr
                slots[1].i32 = core._buf_len
                core._buf_ptr, core._buf_len = 0, 0
                self._invoke(self._dealloc, 2)
            capacity = max(size, _MIN_REQUEST_BLOCK)
            slots[0].i32 = capacity
            self._invoke(self._alloc, 1)
            ptr = slots[0].i32 & _MASK32
            if ptr == 0:
                raise MemoryError("ioclens: the module could not allocate the request")
            core._buf_ptr, core._buf_len = ptr, capacity
        return core._buf_ptr

    def call_raw(self, op: str, request: str) -> str:
        data = request.encode("utf-8")
        size = len(data)
        slots = self._slots
        with self._core._lock:
            ptr = 0
            if size:
                ptr = self._request_block(size)
                ctypes.memmove(self._base() + ptr, data, size)
            slots[0].i32 = self._core._op_index.get(op, _MASK32)
            slots[1].i32 = ptr
            slots[2].i32 = size
            self._invoke(self._call, 3)
            packed = slots[0].i64 & _MASK64
            out_ptr, out_len = packed >> 32, packed & _MASK32
            # The answer belongs to the module until the next call: copy it, free nothing.
            return ctypes.string_at(self._base() + out_ptr, out_len).decode("utf-8")
