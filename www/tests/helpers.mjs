// Shared by the browser suites (www.test.mjs, firefox.test.mjs) and the measuring script (page-open.mjs): the
// binaries and browser flags, a free port, the page-open timing and a plain static host.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The `ioclens` binary the tests start (`IOCLENS_BIN`, default the debug build). */
export const BIN = process.env.IOCLENS_BIN || path.join(root, 'target', 'debug', 'ioclens');
/** Debian's Chromium (`CHROMIUM` overrides). */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Chromium flags for this closed network (docs/www.md): no background connections, no GPU, no sandbox as root. */
export const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A plain static host of `dir` on 127.0.0.1, the wasm module sent as `wasmType`, with `headers` on every
 * answer (none by default: no cache validators). */
export async function staticHost(dir, wasmType, headers = {}) {
  const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': wasmType };
  const srv = http.createServer((req, res) => {
    const f = path.join(dir, path.normalize(new URL(req.url, 'http://x').pathname));
    if (!f.startsWith(dir) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(f)] ?? 'application/octet-stream' });
    fs.createReadStream(f).pipe(res);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { srv, url: `http://127.0.0.1:${srv.address().port}` };
}

/** Opens `url` in `page` and returns, once the card is complete, the page's marks (`globalThis.__ioclensTiming`,
 * ms from navigation start), the navigation, resource and paint timing entries. The page is not touched until
 * then: Playwright's `goto` would wait for the load event and its selector engine is a script it injects and
 * compiles in the page, on the main thread the card needs; even a one-line CDP `Runtime.evaluate` costs the
 * page's main thread a few ms the first time. So the first look is 1 s after the navigation committed (the card
 * is complete long before on any machine this runs on), then every 50 ms. */
export async function openTimed(ctx, page, url, firstLook = 1000) {
  const cdp = await ctx.newCDPSession(page);
  await page.goto(url, { waitUntil: 'commit' });
  const get = async (expression) => (await cdp.send('Runtime.evaluate', { expression, returnByValue: true })).result.value;
  const done = () => get(`/app\\.html/.test(location.pathname) && document.body?.dataset.ready === 'true'
    && document.querySelector('#card[data-complete="true"]') !== null`);
  await new Promise((r) => setTimeout(r, firstLook));
  for (let i = 0; !(await done()); i++) {
    if (i > 600) throw new Error(`${url}: no complete card after 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const timing = await get(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = Object.fromEntries(performance.getEntriesByType('resource').map((e) => [
      e.name.replace(/^.*\\//, '').replace(/\\?.*$/, ''),
      { start: e.startTime, reqStart: e.requestStart, resStart: e.responseStart, end: e.responseEnd,
        size: e.transferSize, encoded: e.encodedBodySize },
    ]));
    const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
    return {
      nav: {
        fetchStart: nav.fetchStart, requestStart: nav.requestStart, responseStart: nav.responseStart,
        responseEnd: nav.responseEnd, domInteractive: nav.domInteractive,
        dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
      },
      res,
      paint,
      marks: { ...globalThis.__ioclensTiming },
    };
  })()`);
  await cdp.detach();
  return timing;
}
