// WASM speed figures in Node (run by wasm/bench.sh; prints medians). Throughput and per-call figures are CPU time
// of the Node process (`process.cpuUsage()`: user + system, all threads, so GC and background compilation count),
// each sample repeating the work for ≥ 0.3 s of CPU, after one warm-up call. First-call figures are wall time in
// fresh processes (that is what a user waits for).
// - first call after instantiate (wasm-bindgen module);
// - extraction MiB/s on dist/bench-report.txt through the wasm-bindgen module and every plain-ABI build present;
// - classify / lookup µs per call, and where a lookup's time goes (module compute, answer decode, JSON.parse).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { DIST } from './golden.mjs';

const require = createRequire(import.meta.url);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const REPORT = path.join(DIST, 'bench-report.txt');

/** CPU seconds per `f()`: median of 7 samples, each repeating `f` for ≥ 0.3 s of CPU in batches of ≥ 2 ms. */
function cpuPerCall(f) {
  const w = performance.now();
  f(); f();
  const batch = Math.min(1e6, Math.max(1, Math.ceil(2 / ((performance.now() - w) / 2))));
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  return median(Array.from({ length: 7 }, () => {
    const t0 = cpu();
    let n = 0, t;
    do { for (let i = 0; i < batch; i++) f(); n += batch; t = cpu() - t0; } while (t < 0.3);
    return t / n;
  }));
}

if (process.argv[2] === 'first-call') {
  // Child mode: one fresh instantiate + first call, printed as JSON.
  const t0 = performance.now();
  const wasm = require(path.join(DIST, 'node', 'ioclens_wasm.js'));
  const t1 = performance.now();
  wasm.classify({ value: 'hxxps://evil[.]com/gate.php' });
  const t2 = performance.now();
  wasm.extract({ text: 'seen 185.220.101[.]1 and evil[.]com' });
  const t3 = performance.now();
  wasm.lookup({ value: '185.220.101.1', now: 1767225600 });
  const t4 = performance.now();
  console.log(JSON.stringify({ instantiate: t1 - t0, first_classify: t2 - t1, first_extract: t3 - t2, first_lookup: t4 - t3 }));
  process.exit(0);
}

if (process.argv[2] !== 'steady') {
  const runs = [];
  for (let i = 0; i < 7; i++) {
    runs.push(JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname, 'first-call']).toString()));
  }
  for (const k of ['instantiate', 'first_classify', 'first_extract', 'first_lookup']) {
    console.log(`node wasm-bindgen ${k}: ${median(runs.map((r) => r[k])).toFixed(2)} ms wall (median of 7 fresh processes)`);
  }
}

const wasm = require(path.join(DIST, 'node', 'ioclens_wasm.js'));
const text = fs.readFileSync(REPORT, 'utf8');
const mib = Buffer.byteLength(text) / (1024 * 1024);
console.log(`node wasm-bindgen extract: ${(mib / cpuPerCall(() => wasm.extract({ text }))).toFixed(1)} MiB/s CPU (objects out; median of 7, ${Buffer.byteLength(text)} bytes)`);

/** The plain-ABI module from JS (the glue docs/wasm.md describes); `call` returns the answer's JSON text. */
async function abi(file) {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {});
  const { memory, alloc, call } = instance.exports;
  const decoder = new TextDecoder();
  let block = 0, cap = 0;
  const raw = (op, json) => {
    const bytes = Buffer.from(json);
    if (bytes.length > cap) { block = alloc(bytes.length); cap = bytes.length; }
    new Uint8Array(memory.buffer, block, bytes.length).set(bytes);
    const packed = BigInt.asUintN(64, call(op, block, bytes.length));
    return [Number(packed >> 32n), Number(packed & 0xffffffffn)];
  };
  const text = (op, json) => { const [p, n] = raw(op, json); return decoder.decode(new Uint8Array(memory.buffer, p, n)); };
  return { raw, text };
}

const LOOKUP = { value: '185.220.101.1', now: 1767225600 };
const builds = fs.readdirSync(DIST).filter((d) => d.startsWith('abi') && fs.existsSync(path.join(DIST, d, 'ioclens_core.wasm'))).sort();
for (const dir of builds) {
  const m = await abi(path.join(DIST, dir, 'ioclens_core.wasm'));
  const req = JSON.stringify({ text });
  console.log(`node ${dir} extract: ${(mib / cpuPerCall(() => m.text(2, req))).toFixed(1)} MiB/s CPU (JSON text out; median of 7)`);
  const lreq = JSON.stringify(LOOKUP);
  console.log(`node ${dir} lookup: ${(cpuPerCall(() => m.raw(3, lreq)) * 1e6).toFixed(1)} µs/call CPU compute only, `
    + `${(cpuPerCall(() => m.text(3, lreq)) * 1e6).toFixed(1)} µs + decode, `
    + `${(cpuPerCall(() => JSON.parse(m.text(3, lreq))) * 1e6).toFixed(1)} µs + JSON.parse`);
}

for (const [op, req] of [['classify', { value: 'hxxps://evil[.]com/gate.php' }], ['lookup', LOOKUP]]) {
  console.log(`node wasm-bindgen ${op}: ${(cpuPerCall(() => wasm[op](req)) * 1e6).toFixed(1)} µs/call CPU (median of 7)`);
}
const answer = JSON.stringify({ ok: wasm.lookup(LOOKUP) });
console.log(`node JSON.parse of one lookup answer (${answer.length} bytes): ${(cpuPerCall(() => JSON.parse(answer)) * 1e6).toFixed(1)} µs CPU`);
