// Where the first card's time goes: opens the page N times in Debian Chromium (headless, the test suite's flags)
// as the unpacked extension, as the standalone page served by `ioclens serve`, and as the same files on a plain
// Node static server, and prints per host the medians of the navigation and resource timing entries, the
// page's own marks (`globalThis.__ioclensTiming`) and the renderers' CPU time per open. With `--trace DIR` it
// also writes one Chrome trace per host (the last open; load it in chrome://tracing or Perfetto) and prints the
// main thread's wasm and script events from it.
//
//   node www/tests/page-open.mjs [--opens 7] [--hosts ext,page,static,static-cached] [--trace DIR]    (after node www/build.mjs)
//
// A measuring script, not a test: nothing is asserted. Env: IOCLENS_BIN (default target/debug/ioclens),
// CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM, FLAGS, freePort, openTimed, staticHost } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
// --dist DIR: another build of the page (e.g. the previous commit's, for an A/B comparison).
const dist = path.resolve(opt('dist', path.join(root, 'www', 'dist')));
const OPENS = Number(opt('opens', '7'));
const HOSTS = opt('hosts', 'ext,page,static').split(',');
const TRACE = opt('trace', null);
const ALL = args.includes('--trace-all'); // trace every open (slower) and print the medians of its main-thread costs
const QUERY = `app.html?q=${encodeURIComponent('8.8.8[.]8')}`;
// --typed: open the popup with no query, wait until it is ready and idle, then submit a value as a user would
// and time that first lookup (the page's marks, from the submit instead of from navigation start).
const TYPED = args.includes('--typed');
// --first-look MS: how long after the commit the page is first looked at (helpers.mjs; default 1000).
const FIRST_LOOK = Number(opt('first-look', '1000'));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ioclens-open-'));

async function serve() {
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--db', path.join(tmp, 'db'), '--listen', `127.0.0.1:${port}`, '--www', dist],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) return { proc, url };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('ioclens serve did not start');
}

/** CPU time of every browser process (CDP `SystemInfo.getProcessInfo`). */
async function rendererCpu(cdp) {
  // SystemInfo.getProcessInfo: cpuTime in seconds per process since it started.
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo').catch(() => ({ processInfo: [] }));
  return processInfo;
}

/** Opens the page, waits for it to be ready and 500 ms idle, submits a value, returns the marks relative to the
 * submit. */
async function typed(ctx, page, url) {
  const cdp = await ctx.newCDPSession(page);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await new Promise((r) => setTimeout(r, 500));
  const value = process.env.TYPED_VALUE || 'hxxp://198.51.100[.]7:8080/stage2.bin';
  const { result } = await cdp.send('Runtime.evaluate', { returnByValue: true, expression: `(() => {
    const t0 = performance.now();
    document.getElementById('input').value = ${JSON.stringify(value)};
    document.getElementById('go').click();
    return t0;
  })()` });
  await page.waitForSelector('#card[data-complete="true"]');
  const marks = await page.evaluate(() => ({ ...globalThis.__ioclensTiming }));
  await cdp.detach();
  const rel = Object.fromEntries(['lookup', 'rendered', 'painted'].map((k) => [k, marks[k] - result.value]));
  return { nav: {}, res: {}, paint: {}, marks: { ...marks, ...rel, boot: undefined, start: undefined } };
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : undefined;
};
const fmt = (x) => (x === undefined ? '-' : x.toFixed(1));

function report(name, runs) {
  const line = (label, pick) => `${label} ${fmt(median(runs.map(pick)))}`;
  console.log(`\n[${name}] median of ${runs.length} opens, ms from navigation start`);
  console.log(`  document: ${[
    line('fetchStart', (r) => r.nav.fetchStart), line('requestStart', (r) => r.nav.requestStart),
    line('responseStart', (r) => r.nav.responseStart), line('responseEnd', (r) => r.nav.responseEnd),
    line('domInteractive', (r) => r.nav.domInteractive), line('DCL end', (r) => r.nav.dcl),
    line('load end', (r) => r.nav.load)].join(', ')}`);
  const files = [...new Set(runs.flatMap((r) => Object.keys(r.res)))];
  for (const f of files) {
    const sizes = runs.map((r) => r.res[f]?.size);
    console.log(`  ${f}: ${[line('start', (r) => r.res[f]?.start), line('request', (r) => r.res[f]?.reqStart),
      line('response', (r) => r.res[f]?.resStart), line('end', (r) => r.res[f]?.end)].join(', ')}; transfer ${median(sizes) ?? '-'} B`);
  }
  const marks = ['boot', 'start', 'compiled', 'ready', 'lookupStart', 'lookup', 'rendered', 'painted', 'firstLookup'];
  console.log(`  marks: ${marks.filter((k) => runs.some((r) => r.marks[k] !== undefined))
    .map((k) => line(k, (r) => r.marks[k])).join(', ')}`);
  console.log(`  paint: ${line('first-paint', (r) => r.paint['first-paint'])}, ${line('first-contentful-paint', (r) => r.paint['first-contentful-paint'])}`);
  console.log(`  CPU of all renderers per open, until the first look (ms): ${line('median', (r) => r.cpu)}`);
  console.log(`  each open, painted: ${runs.map((r) => fmt(r.marks.painted)).join(' ')}`);
}

/** The renderer main thread of the page that instantiated the wasm module, and its navigation start. */
function pageThread(traceEvents) {
  const inst = traceEvents.find((e) => e.name === 'wasm.SyncInstantiate');
  if (!inst) return {};
  const nav = traceEvents.filter((e) => e.name === 'navigationStart' && e.pid === inst.pid
    && /app\.html/.test(e.args?.data?.documentLoaderURL ?? '')).at(-1);
  return { pid: inst.pid, tid: inst.tid, nav };
}

/** Main-thread time of one open by kind of work: layout, style, script evaluation, lazy wasm compilation… */
function traceCosts(file) {
  const { traceEvents } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { pid, tid } = pageThread(traceEvents);
  const sum = (re) => traceEvents.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && re.test(e.name))
    .reduce((n, e) => n + (e.dur ?? 0) / 1000, 0);
  return {
    commit: sum(/^RenderFrameImpl::CommitNavigation$/),
    parseHTML: sum(/^ParseHTML$/),
    style: sum(/^UpdateLayoutTree$/),
    layout: sum(/^Layout$/),
    paint: sum(/^Paint$/),
    evaluateScript: sum(/^EvaluateScript$|^v8\.evaluateModule$/),
    wasmStreaming: sum(/^wasm\.OnBytesReceived$|^wasm\.FinishStreaming$/),
    wasmInstantiate: sum(/^wasm\.SyncInstantiate$/),
    wasmLazyCompile: sum(/^wasm\.CompileLazy$/),
    gc: sum(/^MajorGC$|^MinorGC$|^V8\.GC_SCAVENGER$/),
  };
}

/** Sums the trace's renderer main-thread events by name between navigation start and the card. */
function summarizeTrace(file) {
  const { traceEvents } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { pid, tid, nav } = pageThread(traceEvents);
  if (pid === undefined) return;
  const main = { pid, tid };
  const evs = traceEvents.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur);
  const by = new Map();
  for (const e of evs) {
    const k = e.name;
    const v = by.get(k) ?? { n: 0, dur: 0 };
    v.n += 1;
    v.dur += e.dur / 1000;
    by.set(k, v);
  }
  // The main thread's long tasks (≥ 2 ms) from navigation start, with their longest nested events.
  if (nav) {
    const tasks = evs.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.dur >= 2000 && e.ts >= nav.ts);
    console.log('  main-thread tasks ≥ 2 ms (start ms from navigation start, duration, what is inside):');
    for (const t of tasks) {
      const inner = evs.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur
        && !/RunTask|Receive mojo|SimpleWatcher|AsyncTask Run|BlinkScheduler/.test(e.name))
        .sort((a, b) => b.dur - a.dur).slice(0, 4).map((e) => `${e.name} ${(e.dur / 1000).toFixed(1)}`);
      const wasmN = traceEvents.filter((e) => e.pid === main.pid && e.tid === main.tid && e.name === 'wasm.CompileLazy'
        && e.ts >= t.ts && e.ts <= t.ts + t.dur).length;
      console.log(`    ${((t.ts - nav.ts) / 1000).toFixed(1).padStart(7)} +${(t.dur / 1000).toFixed(1).padStart(5)}  ${inner.join(', ')}${wasmN ? `; ${wasmN} lazy wasm compiles` : ''}`);
    }
  }
  const top = [...by.entries()].sort((a, b) => b[1].dur - a[1].dur).slice(0, 25);
  console.log(`  trace ${path.basename(file)}: main thread, top events by total duration (ms, nested events overlap):`);
  for (const [k, v] of top) console.log(`    ${v.dur.toFixed(1).padStart(8)}  ×${String(v.n).padStart(4)}  ${k}`);
  const wasm = traceEvents.filter((e) => e.pid === main.pid && /wasm/i.test(e.name) && e.ph === 'X');
  const wasmBy = new Map();
  for (const e of wasm) {
    const v = wasmBy.get(`${e.name} (tid ${e.tid === main.tid ? 'main' : e.tid})`) ?? { n: 0, dur: 0 };
    v.n += 1;
    v.dur += (e.dur ?? 0) / 1000;
    wasmBy.set(`${e.name} (tid ${e.tid === main.tid ? 'main' : e.tid})`, v);
  }
  if (nav) {
    const lazy = traceEvents.filter((e) => e.pid === pid && e.name === 'wasm.CompileLazy');
    console.log(`  lazy wasm compiles: ${lazy.length}, first at ${lazy.length ? ((lazy[0].ts - nav.ts) / 1000).toFixed(1) : '-'} ms, ` +
      `threads ${[...new Set(lazy.map((e) => (e.tid === tid ? 'main' : e.tid)))].join(' ')}`);
  }
  console.log('  wasm events, all threads of the renderer:');
  for (const [k, v] of [...wasmBy.entries()].sort((a, b) => b[1].dur - a[1].dur).slice(0, 20)) {
    console.log(`    ${v.dur.toFixed(1).padStart(8)}  ×${String(v.n).padStart(4)}  ${k}`);
  }
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm',
  'disabled-by-default-v8.wasm.detailed', 'blink.user_timing', 'loading', 'navigation', 'toplevel', 'v8.execute',
  'disabled-by-default-v8.compile', 'blink'].join(',');

async function run(name, ctx, browser, urlOf) {
  const runs = [];
  for (let i = 0; i < OPENS; i++) {
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    const cdp = await browser.newBrowserCDPSession();
    const traceThis = TRACE && (ALL || i === OPENS - 1);
    if (traceThis) await browser.startTracing(page, { categories: CATEGORIES.split(',') });
    const before = await rendererCpu(cdp);
    const r = TYPED ? await typed(ctx, page, urlOf('app.html?popup=1')) : await openTimed(ctx, page, urlOf(QUERY), FIRST_LOOK);
    const afterInfo = await rendererCpu(cdp);
    // Every renderer's CPU time over the open (until the first look, helpers.mjs): the page's process, and the
    // spare renderer Chrome starts meanwhile for the next navigation.
    const cpu = afterInfo.filter((p) => p.type === 'renderer').reduce((n, p) => {
      const b = before.find((x) => x.id === p.id);
      return n + (p.cpuTime - (b?.cpuTime ?? 0)) * 1000;
    }, 0);
    r.cpu = cpu;
    if (traceThis) {
      const buf = await browser.stopTracing();
      fs.mkdirSync(TRACE, { recursive: true });
      const f = path.join(TRACE, `${name}.json`);
      fs.writeFileSync(f, buf);
      r.trace = f;
      r.costs = traceCosts(f);
    }
    runs.push(r);
    await cdp.detach();
    await page.close();
  }
  report(name, runs);
  if (ALL) {
    const keys = Object.keys(runs[0].costs ?? {});
    console.log(`  main-thread costs from the traces (median ms): ${keys.map((k) => `${k} ${fmt(median(runs.map((r) => r.costs?.[k])))}`).join(', ')}`);
  }
  const last = runs.at(-1);
  if (last.trace) summarizeTrace(last.trace);
  return runs;
}

const out = {};
try {
  console.log(`load: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (HOSTS.includes('ext')) {
    const ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile-ext'), {
      executablePath: CHROMIUM, headless: true,
      args: [`--disable-extensions-except=${dist}`, `--load-extension=${dist}`, ...FLAGS],
    });
    let [sw] = ctx.serviceWorkers();
    if (!sw) sw = await ctx.waitForEvent('serviceworker');
    const id = sw.url().split('/')[2];
    out.ext = await run('extension', ctx, ctx.browser() ?? chromium, (p) => `chrome-extension://${id}/${p}`);
    await ctx.close();
  }
  if (HOSTS.some((h) => h !== 'ext')) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    if (HOSTS.includes('page')) {
      const srv = await serve();
      try {
        const ctx = await browser.newContext();
        out.page = await run('page (ioclens serve)', ctx, browser, (p) => `${srv.url}/${p}`);
        await ctx.close();
      } finally {
        srv.proc.kill();
      }
    }
    for (const [host, headers] of [['static', {}], ['static-cached', { 'cache-control': 'max-age=3600' }]]) {
      if (!HOSTS.includes(host)) continue;
      const st = await staticHost(dist, 'application/wasm', headers);
      try {
        const ctx = await browser.newContext();
        out[host] = await run(`page (plain Node static host${headers['cache-control'] ? `, ${headers['cache-control']}` : ''})`,
          ctx, browser, (p) => `${st.url}/${p}`);
        await ctx.close();
      } finally {
        st.srv.close();
      }
    }
    await browser.close();
  }
  console.log(`load: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
