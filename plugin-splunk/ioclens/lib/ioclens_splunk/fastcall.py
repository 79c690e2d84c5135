"""A faster path into the same module instance the shared loader created: ``wasmtime_func_call_unchecked`` with
preallocated raw argument slots and direct memory copies, instead of wasmtime-py's checked ``Func.__call__``
(which rebuilds the function type and boxes every value on each call: about 5x the cost per crossing).

Same ABI as the loader (``alloc``, ``call``, ``dealloc``, answers ``ptr << 32 | len``), same instance and store,
so answers are identical; the tests compare both paths. Built only when the loader exposes its instance the way
``wasm/python/ioclens_wasm`` does today (``_store``, ``_memory``, ``_alloc``, ``_call``, ``_dealloc``, ``_lock``)
and wasmtime exposes ``wasmtime_func_call_unchecked``; otherwise :func:`accelerate` returns None and the
caller keeps the loader's public ``call_raw``.
"""

import ctypes

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF


class FastCalls:
    def __init__(self, loader_core, ops):
        from wasmtime import _ffi as ffi

        self._ffi = ffi
        self._ops = {name: index for index, name in enumerate(ops)}
        self._lock = loader_core._lock
        self._store = loader_core._store
        self._memory = loader_core._memory
        self._alloc = ctypes.byref(loader_core._alloc._func)
        self._call = ctypes.byref(loader_core._call._func)
        self._dealloc = ctypes.byref(loader_core._dealloc._func)
        self._slots = (ffi.wasmtime_val_raw * 3)()
        self._trap = ctypes.POINTER(ffi.wasm_trap_t)()
        self._buf_ptr = 0
        self._buf_cap = 0

    def _invoke(self, func, nslots):
        ffi = self._ffi
        error = ffi.wasmtime_func_call_unchecked(
            self._store._context(), func, self._slots, nslots, ctypes.byref(self._trap)
        )
        if error or self._trap:
            from wasmtime import Trap, WasmtimeError

            if error:
                raise WasmtimeError._from_ptr(error)
            trap, self._trap = self._trap, ctypes.POINTER(ffi.wasm_trap_t)()
            raise Trap._from_ptr(trap)

    def _base(self):
        return ctypes.addressof(self._memory.data_ptr(self._store).contents)

    def _request_buffer(self, size):
        """A block of at least ``size`` bytes owned by this object and reused across calls (the module only reads
        the request): one ``alloc`` per growth instead of an ``alloc`` + ``dealloc`` pair per call."""
        if size > self._buf_cap:
            slots = self._slots
            if self._buf_ptr:
                slots[0].i32 = self._buf_ptr
                slots[1].i32 = self._buf_cap
                self._buf_ptr, self._buf_cap = 0, 0
                self._invoke(self._dealloc, 2)
            capacity = max(size, 64 * 1024)
            slots[0].i32 = capacity
            self._invoke(self._alloc, 1)
            ptr = slots[0].i32 & _MASK32
            if ptr == 0:
                raise MemoryError("ioclens: the module could not allocate the request")
            self._buf_ptr, self._buf_cap = ptr, capacity
        return self._buf_ptr

    def call_raw(self, op, request):
        """Same contract as the loader's ``call_raw``: JSON text in, the core's JSON text out."""
        index = self._ops.get(op, _MASK32)
        data = request.encode("utf-8")
        size = len(data)
        slots = self._slots
        with self._lock:
            ptr = 0
            if size:
                ptr = self._request_buffer(size)
                ctypes.memmove(self._base() + ptr, data, size)
            slots[0].i32 = index
            slots[1].i32 = ptr
            slots[2].i32 = size
            self._invoke(self._call, 3)
            packed = slots[0].i64 & _MASK64
            out_ptr, out_len = packed >> 32, packed & _MASK32
            try:
                return ctypes.string_at(self._base() + out_ptr, out_len).decode("utf-8")
            finally:
                slots[0].i32 = out_ptr
                slots[1].i32 = out_len
                self._invoke(self._dealloc, 2)


def accelerate(loader_core, ops):
    """A FastCalls over ``loader_core``'s instance, or None when the internals it needs are not there."""
    try:
        from wasmtime import _ffi as ffi

        if not hasattr(ffi, "wasmtime_func_call_unchecked"):
            return None
        for name in ("_lock", "_store", "_memory", "_alloc", "_call", "_dealloc"):
            if not hasattr(loader_core, name):
                return None
        fast = FastCalls(loader_core, ops)
        # Self-check on a harmless op: both paths must agree byte for byte before the fast one is used.
        if fast.call_raw("version", "{}") != loader_core.call_raw("version", "{}"):
            return None
        return fast
    except Exception:  # noqa: BLE001 - any surprise means: keep the loader's own path
        return None
