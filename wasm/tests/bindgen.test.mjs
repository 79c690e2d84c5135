// The wasm-bindgen module (`dist/node`, wasm-opt'ed) answers the whole corpus exactly like the native core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CALL_ONLY, DIST, JS_NAMES, golden, normalise } from './golden.mjs';

const require = createRequire(import.meta.url);
const wasm = require(path.join(DIST, 'node', 'ioclens_wasm.js'));
const { entries } = golden();

/** Calls a named export and rebuilds the `{ok}`/`{error}` envelope the native core answers. */
function answer(op, input) {
  try {
    return { ok: CALL_ONLY.has(op) ? wasm.call(op, input) : wasm[JS_NAMES[op]](input) };
  } catch (e) {
    assert.equal(e.name, 'IoclensError', `${op}: unexpected exception ${e}`);
    const error = { kind: e.kind, message: e.message };
    if (e.input !== undefined) error.input = e.input;
    return { error };
  }
}

test('every corpus answer equals the native core', () => {
  assert.ok(entries.length > 0);
  for (const { name, op, input, answer: want } of entries) {
    assert.equal(normalise(answer(op, input)), normalise(want), name);
    // The generic entry point gives the same answer.
    let viaCall;
    try { viaCall = { ok: wasm.call(op, input) }; } catch (e) { viaCall = { error: { kind: e.kind } }; }
    if ('ok' in want) assert.equal(normalise(viaCall), normalise({ ok: want.ok }), `${name} via call`);
    else assert.equal(viaCall.error.kind, want.error.kind, `${name} via call`);
  }
});

test('exports are the documented ones', () => {
  for (const name of [...Object.values(JS_NAMES), 'call']) {
    assert.equal(typeof wasm[name], 'function', name);
  }
});

test('bad requests throw IoclensError with a kind, never a trap', () => {
  const cases = [
    [() => wasm.classify({}), 'bad_request'],
    [() => wasm.classify({ value: 1 }), 'bad_request'],
    [() => wasm.classify('8.8.8.8'), 'bad_request'],
    [() => wasm.classify({ value: 'x', type: 'nope' }), 'invalid_option'],
    [() => wasm.classify({ value: 10n }), 'bad_request'],
    [() => wasm.call('nope', {}), 'unknown_op'],
    [() => wasm.extract({ text: '\ud800' }), 'bad_request'],
  ];
  for (const [f, kind] of cases) {
    assert.throws(f, (e) => e.name === 'IoclensError' && e.kind === kind && typeof e.message === 'string');
  }
  // The module is still usable afterwards.
  assert.equal(wasm.version().version.length > 0, true);
  assert.equal(wasm.version(null).offline_intel, false, 'the WASM build carries tier-1 data only');
});

test('cyclic request objects are refused cleanly', () => {
  const o = { value: 'x' };
  o.self = o;
  assert.throws(() => wasm.classify(o), (e) => e.name === 'IoclensError' && e.kind === 'bad_request');
});
