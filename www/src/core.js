// The ioclens core, compiled to WebAssembly (wasm-bindgen `--target web` package copied into `pkg/`).
// Every operation goes through `call(op, request)`, the same JSON dispatcher every other host uses.
import init, { call } from './pkg/ioclens_wasm.js';

const timing = (globalThis.__ioclensTiming ??= {});

/** Resolves once the module is compiled and instantiated: from the compile `boot.js` started when the page
 * began to load, or (a page without `boot.js`) by fetching and compiling it now. */
export const ready = (globalThis.__ioclensWasm
  ? globalThis.__ioclensWasm.then((module) => init({ module_or_path: module }))
  : init()
).then((exports) => {
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
