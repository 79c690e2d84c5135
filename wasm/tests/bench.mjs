// WASM speed figures in Node (run by wasm/bench.sh; prints medians):
// - first call after instantiate, each in a fresh process (wasm-bindgen module, and the plain-ABI module);
// - extraction MiB/s on dist/bench-report.txt through the wasm-bindgen module and the plain-ABI module;
// - classify / lookup µs per call.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { DIST } from './golden.mjs';

const require = createRequire(import.meta.url);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const REPORT = path.join(DIST, 'bench-report.txt');

if (process.argv[2] === 'first-call') {
  // Child mode: one fresh instantiate + first call, printed as JSON.
  const t0 = performance.now();
  const wasm = require(path.join(DIST, 'node', 'ioclens_wasm.js'));
  const t1 = performance.now();
  wasm.classify({ value: 'hxxps://evil[.]com/gate.php' });
  const t2 = performance.now();
  wasm.extract({ text: 'seen 185.220.101[.]1 and evil[.]com' });
  const t3 = performance.now();
  console.log(JSON.stringify({ instantiate: t1 - t0, first_classify: t2 - t1, first_extract: t3 - t2 }));
  process.exit(0);
}

const runs = [];
for (let i = 0; i < 7; i++) {
  runs.push(JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname, 'first-call']).toString()));
}
for (const k of ['instantiate', 'first_classify', 'first_extract']) {
  console.log(`node wasm-bindgen ${k}: ${median(runs.map((r) => r[k])).toFixed(2)} ms (median of 7 fresh processes)`);
}

const wasm = require(path.join(DIST, 'node', 'ioclens_wasm.js'));
const text = fs.readFileSync(REPORT, 'utf8');
const mib = Buffer.byteLength(text) / (1024 * 1024);
const rate = (f) => median(Array.from({ length: 7 }, () => { const t = performance.now(); f(); return mib / ((performance.now() - t) / 1000); }));
console.log(`node wasm-bindgen extract: ${rate(() => wasm.extract({ text })).toFixed(1)} MiB/s (median of 7, ${Buffer.byteLength(text)} bytes)`);

// The plain-ABI module from JS (15 lines of glue, as HOSTS.md describes).
for (const [label, file] of [['abi', 'abi/ioclens_core.wasm'], ['abi+simd128', 'abi-simd/ioclens_core.wasm'], ['abi opt-level=3', 'abi-o3/ioclens_core.wasm']]) {
  const p = path.join(DIST, file);
  if (!fs.existsSync(p)) continue;
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(p), {});
  const { memory, alloc, dealloc, call } = instance.exports;
  const callRaw = (op, json) => {
    const bytes = Buffer.from(json);
    const ptr = alloc(bytes.length);
    new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
    const packed = call(op, ptr, bytes.length);
    dealloc(ptr, bytes.length);
    const outPtr = Number(BigInt.asUintN(64, packed) >> 32n), outLen = Number(BigInt.asUintN(64, packed) & 0xffffffffn);
    return Buffer.from(memory.buffer, outPtr, outLen).toString('utf8');
  };
  const req = JSON.stringify({ text });
  console.log(`node ${label} extract: ${rate(() => callRaw(2, req)).toFixed(1)} MiB/s (median of 7)`);
}

for (const [op, req] of [['classify', { value: 'hxxps://evil[.]com/gate.php' }], ['lookup', { value: '185.220.101.1', now: 1767225600 }]]) {
  try { wasm[op](req); } catch { continue; }
  const per = median(Array.from({ length: 7 }, () => {
    const t = performance.now();
    for (let i = 0; i < 1000; i++) wasm[op](req);
    return (performance.now() - t) * 1000 / 1000;
  }));
  console.log(`node wasm-bindgen ${op}: ${per.toFixed(2)} µs/call (median of 7×1000)`);
}
