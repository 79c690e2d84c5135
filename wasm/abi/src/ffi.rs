//! The exports (wasm32 only: the ABI packs 32-bit pointers).
use ioclens_core::api;
use std::sync::{Mutex, PoisonError};

/// The last answer of [`call`], owned by the module until the next `call` (so the host frees nothing it did
/// not allocate, and a request costs one host→module call when the host reuses its request block).
static LAST_ANSWER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Reserves `len` bytes and returns their address (0 for an empty or impossible request).
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: u32) -> u32 {
    if len == 0 {
        return 0;
    }
    let mut buf: Vec<u8> = Vec::new();
    if buf.try_reserve_exact(len as usize).is_err() {
        return 0;
    }
    // The block is handed to the host and reclaimed by `dealloc` with the same length.
    let mut buf = std::mem::ManuallyDrop::new(buf);
    buf.as_mut_ptr() as usize as u32
}

/// Releases a block from [`alloc`], or the current answer of [`call`] early (hosts written for the first
/// version of this ABI free every answer; that stays valid).
///
/// # Safety
/// `ptr`/`len` must be a pair [`alloc`] returned and not yet released, or the pair the last `call` returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dealloc(ptr: u32, len: u32) {
    if ptr == 0 || len == 0 {
        return;
    }
    {
        let mut last = LAST_ANSWER.lock().unwrap_or_else(PoisonError::into_inner);
        if !last.is_empty() && last.as_ptr() as usize as u32 == ptr {
            // The answer block is the module's: drop it here instead of at the next `call`.
            *last = Vec::new();
            return;
        }
    }
    // SAFETY: not the answer block, so by the contract a (ptr, len) pair from `alloc`, whose capacity is exactly
    // `len`: the layout matches the original allocation.
    drop(unsafe { Vec::from_raw_parts(ptr as usize as *mut u8, 0, len as usize) });
}

/// Runs operation `op` on the JSON request at `ptr..ptr+len`; returns `answer_ptr << 32 | answer_len`. The
/// answer stays valid until the next `call`; the host may leave it (it is freed then) or `dealloc` it.
///
/// # Safety
/// `ptr..ptr+len` must be readable memory of this module (a block from [`alloc`]), or `len` must be 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn call(op: u32, ptr: u32, len: u32) -> u64 {
    let bytes: &[u8] = if ptr == 0 || len == 0 {
        &[]
    } else {
        // SAFETY: the host wrote `len` bytes into a block it got from `alloc`; we only read them.
        unsafe { std::slice::from_raw_parts(ptr as usize as *const u8, len as usize) }
    };
    let answer = match std::str::from_utf8(bytes) {
        Ok(input) => api::call_index(op, input),
        Err(e) => {
            api::error_json(&api::ApiError::bad_request(format!("request is not UTF-8: {e}")))
        }
    };
    let mut last = LAST_ANSWER.lock().unwrap_or_else(PoisonError::into_inner);
    *last = answer.into_bytes();
    let len = last.len() as u64;
    let ptr = last.as_ptr() as usize as u64;
    (ptr << 32) | len
}
