// Shared helpers for the Node host tests: the native answers and JSON normalisation.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');

/** `dist/golden.json`, written by `cargo run -p ioclens-wasm-abi --example golden`. */
export function golden() {
  return JSON.parse(fs.readFileSync(path.join(DIST, 'golden.json'), 'utf8'));
}

/** JSON text with object keys sorted at every level: equal values give equal text. */
export function normalise(value) {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v);
}

/** JS export name of each core operation in the wasm-bindgen module. */
export const JS_NAMES = {
  version: 'version', classify: 'classify', extract: 'extract', lookup: 'lookup',
  hunt: 'hunt', attack: 'attack', merge_remote: 'mergeRemote', remote_request: 'remoteRequest',
};

/** Operations without a named export of their own (wasm-bindgen and Extism): reached through `call`. */
export const CALL_ONLY = new Set(['lookup_many', 'defang', 'load_pack']);
