//! `ioclens-core` as a plain C-ABI WebAssembly module: no imports, JSON bytes in and out.
//!
//! This is what the Python wrappers (Splunk, Sentinel) load through wasmtime-py, and it runs in any WebAssembly
//! host with a few lines of glue. The ABI:
//!
//! * `alloc(len: u32) -> u32` — reserve `len` bytes in linear memory for the host to write a request into
//!   (0 when `len` is 0 or memory is exhausted);
//! * `dealloc(ptr: u32, len: u32)` — release a block returned by `alloc` (or the current answer early);
//! * `call(op: u32, ptr: u32, len: u32) -> u64` — run operation number `op` (its index in
//!   `ioclens_core::api::OPS`: 0 version, 1 classify, 2 extract, 3 lookup, 4 hunt, 5 attack, 6 `merge_remote`,
//!   7 `remote_request`, 8 `lookup_many`, 9 `defang`, 10 `load_pack`)
//!   on the UTF-8 JSON request at `ptr..ptr+len`, and return the answer's location packed as
//!   `ptr << 32 | len`. The answer is `{"ok": …}` or `{"error": {"kind", "message"}}` (see `ioclens_core::api`).
//!   The answer stays valid until the next `call`, which frees it; a host may also `dealloc` it earlier (the
//!   first version of this ABI required that, and hosts written for it keep working). The request block stays
//!   the host's, to reuse for the next request or to `dealloc`.
//!
//! # Safety
//! This crate is the only one in the workspace that allows `unsafe`: raw pointers are how a host without
//! bindings hands bytes across. The host must pass back exactly the `(ptr, len)` pairs it was given.
#[cfg(target_arch = "wasm32")]
pub mod ffi;
