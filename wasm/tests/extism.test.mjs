// The Extism plugin under the Node host (@extism/extism 1.0.3) answers the corpus like the native core.
// Extism JS SDK pitfalls (docs/wasm.md): `runInWorker: true` (HTTP only works in a worker) and an `http_headers` stub (PDK 1.4.1
// imports it, SDK 1.0.3 does not provide it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import createPlugin from '@extism/extism';
import { CALL_ONLY, DIST, golden } from './golden.mjs';

const WASM = path.join(DIST, 'extism', 'ioclens.wasm');

export function load(options = {}) {
  return createPlugin({ wasm: [{ path: WASM }] }, {
    useWasi: false,
    runInWorker: true,
    functions: { 'extism:host/env': { http_headers: () => 0n } },
    ...options,
  });
}

const plugin = await load();
after(() => plugin.close());

test('every corpus answer equals the native core byte for byte', async () => {
  const { entries } = golden();
  assert.ok(entries.length > 0);
  for (const { name, op, request, raw } of entries) {
    const out = CALL_ONLY.has(op)
      ? await plugin.call('call', JSON.stringify({ op, input: JSON.parse(request) }))
      : await plugin.call(op, request);
    assert.equal(out.text(), raw, name);
  }
});

test('generic call and bad input', async () => {
  const v = JSON.parse((await plugin.call('call', JSON.stringify({ op: 'version', input: {} }))).text());
  assert.equal(v.ok.offline_intel, false);
  const e = JSON.parse((await plugin.call('classify', '{"value":')).text());
  assert.equal(e.error.kind, 'bad_request');
});
