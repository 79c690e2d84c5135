"""The one core instance of the process: the shared wasmtime loader (``ioclens._wasm``, copied from
``wasm/python/ioclens_wasm`` by ``build.py``) over the plain C-ABI module shipped beside it.

The compiled native code is cached (``IOCLENS_WASM_CACHE`` or ``<tmp>/ioclens-wasm-cache``), so a notebook
kernel after the first one starts in milliseconds.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

_lock = threading.Lock()
_core: Optional[Any] = None


def core() -> Any:
    """The loaded core (loaded on first use)."""
    global _core
    if _core is None:
        with _lock:
            if _core is None:
                try:
                    from . import _wasm
                except ImportError as error:  # the package was installed without build.py
                    raise RuntimeError(
                        "ioclens: the WebAssembly core is missing from the package "
                        f"({error}); run `python3 plugin-sentinel/build.py` before `pip install`"
                    ) from None
                _core = _wasm.Core()
    return _core


def error_type() -> type:
    """The loader's error class (an ``{"error": …}`` answer from the core)."""
    from . import _wasm

    return _wasm.IoclensError
