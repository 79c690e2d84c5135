//! `load_pack`: a long-lived WASM host hands the core a signed intel pack once; later `lookup` and
//! `lookup_many` calls in the same instance use it exactly as the CLI does with `--pack` (the pack's sources
//! replace the embedded ones, its creation date drives `stale-intel`). The policy "an unsigned or badly signed
//! pack is refused" is [`crate::intel::signature::verify_pack`], the same check `intel pull` makes.
//!
//! A WASM instance is single-threaded and the host owns its lifetime, so the loaded pack is instance state
//! here rather than a value every request would have to carry (megabytes per call).
use super::ApiError;
use crate::intel::pack::LoadedPack;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, PoisonError};

/// The pack of this instance, once `load_pack` accepted one.
static LOADED: Mutex<Option<LoadedPack>> = Mutex::new(None);

/// `load_pack` request: the pack file's bytes (standard base64), its detached signature (128 hex digits, the
/// `.sig` file the server publishes) and the public key the host trusts (64 hex digits).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoadPackRequest {
    pub pack_base64: String,
    pub(super) signature: String,
    pub(super) public_key: String,
}

/// `load_pack` answer: what is now loaded.
#[derive(Debug, Serialize)]
pub(super) struct LoadPackResponse {
    /// Entries in the pack.
    pub(super) entries: usize,
    /// The pack's creation time (Unix seconds).
    pub(super) created_at: i64,
    /// The sources it carries (each replaces the embedded source of that name).
    pub(super) sources: Vec<String>,
}

/// Verifies and installs a pack; on any refusal the previously loaded pack (if any) stays.
///
/// # Errors
/// Base64 that does not decode, a bad key or signature, a signature that does not verify, a damaged pack.
pub(super) fn load_pack(req: &LoadPackRequest) -> Result<LoadPackResponse, ApiError> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(req.pack_base64.trim())
        .map_err(|e| ApiError::bad_request(format!("pack_base64 is not base64: {e}")))?;
    crate::intel::signature::verify_pack(&bytes, &req.signature, &req.public_key)
        .map_err(|e| ApiError::bad_request(format!("pack refused: {e}")))?;
    let loaded = LoadedPack::verify(bytes)
        .map_err(|e| ApiError::bad_request(format!("pack refused: {e}")))?;
    let pack = loaded.pack();
    let answer = LoadPackResponse {
        entries: pack.len(),
        created_at: pack.created_at(),
        sources: pack.source_names().map(|(name, _)| name.to_owned()).collect(),
    };
    *LOADED.lock().unwrap_or_else(PoisonError::into_inner) = Some(loaded);
    Ok(answer)
}

/// Runs `f` with the loaded pack, if any.
pub(super) fn with_pack<T>(f: impl FnOnce(Option<&crate::intel::pack::Pack<'_>>) -> T) -> T {
    let guard = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    let pack = guard.as_ref().map(LoadedPack::pack);
    f(pack.as_ref())
}
