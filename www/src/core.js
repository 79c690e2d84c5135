// The ioclens core, compiled to WebAssembly (wasm-bindgen `--target web` package, `pkg/`). Every operation goes
// through `call(op, request)`, the same JSON dispatcher every other host uses.
//
// The module is fetched and compiled the moment this file is evaluated (the page's `<link rel="preload">`
// already started the download while the head was parsed), so the compile runs while the rest of the page
// script is evaluated. Streaming compilation needs the `application/wasm` content type (the extension and
// `ioclens serve` send it); any other static host gets a plain compile of the downloaded bytes.
import init, { call } from './pkg/ioclens_wasm.js';

const timing = (globalThis.__ioclensTiming ??= {});
timing.boot = performance.now();

// Relative to this file: `www/src/` and the bundles in `www/dist/` both sit next to `pkg/`. The build defines
// IOCLENS_WASM, the module's content-hashed name (`pkg/ioclens_wasm_bg.<hash>.wasm`, build.mjs).
/* global IOCLENS_WASM */
const WASM_URL = new URL(typeof IOCLENS_WASM === 'string' ? IOCLENS_WASM : 'pkg/ioclens_wasm_bg.wasm', import.meta.url);

async function compile() {
  const res = await fetch(WASM_URL);
  if (!res.ok) throw new Error(`${WASM_URL.pathname}: HTTP ${res.status}`);
  const type = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
  const module = type === 'application/wasm' && WebAssembly.compileStreaming
    ? await WebAssembly.compileStreaming(res)
    : await WebAssembly.compile(await res.arrayBuffer());
  timing.compiled = performance.now();
  return module;
}

/** Resolves once the module is compiled and instantiated. */
export const ready = compile()
  .then((module) => init({ module_or_path: module }))
  .then((exports) => {
    timing.ready = performance.now();
    return exports;
  });

const now = () => Math.floor(Date.now() / 1000);

/** `classify {value}` → `Classified`. */
export const classify = (value) => call('classify', { value });
/** `extract {text}` → `Extraction`. */
export const extract = (text) => call('extract', { text });
/** `lookup {value, options, now}` → the enrichment package. */
export const lookup = (value, options = {}) => call('lookup', { value, options, now: now() });
/** `hunt {values, options}` → `Hunt` (queries grouped by type). */
export const hunt = (values, options = {}) => call('hunt', { values, options });
/** `remote_request {value, type}` → the HTTP request to send to a remote scorer, or `null`. */
export const remoteRequest = (value, type) => call('remote_request', { value, type });
/** `merge_remote {local, status, response?, error?}` → the local result merged with the remote answer. */
export const mergeRemote = (req) => call('merge_remote', req);
/** `defang {value, type}` → the display form (only network types change). */
export const defang = (value, type) => call('defang', { value, type }).value;
/** `version {}`. */
export const version = () => call('version', {});

/** Standard base64 of bytes (the wire form of `load_pack`), in chunks so large packs do not overflow the stack. */
function base64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** `load_pack {pack_base64, signature, public_key}`: hands a signed intel pack (its bytes, the 128-hex-digit
 *  signature, the trusted public key) to the core, which verifies it and uses it for every later lookup; a refused
 *  pack throws an `IoclensError` and leaves the previous one in place. → `{entries, created_at, sources}`. */
export const loadPack = (bytes, signature, publicKey) =>
  call('load_pack', { pack_base64: base64(bytes), signature: signature.trim(), public_key: publicKey.trim() });
