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
