// Browser tests of www/ in Debian Chromium through playwright-core: the unpacked MV3 extension and the
// standalone page served by a real `ioclens serve` on 127.0.0.1. Expected answers come from the native CLI
// (`ioclens lookup --format json`) for a sample of the shared corpus, and from hand-written values.
//
//   node --test --test-concurrency=1 www/tests/www.test.mjs     (after `node www/build.mjs`)
//
// Env: IOCLENS_BIN (default target/debug/ioclens), CHROMIUM (default /usr/bin/chromium).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM, FLAGS, freePort, openTimed, staticHost } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = path.join(root, 'www', 'dist');
const IMG = path.join(root, 'docs', 'img');
const SAMPLES = path.join(root, 'tests', 'fixtures', 'documents');
// Roles whose lists are in the `offline-intel` tier only (core/src/intel/mod.rs): absent from the browser build.
const TIER2 = new Set(['popular_domains', 'provider_ip_ranges', 'vpn_ranges', 'dns_resolvers', 'abusable_services',
  'hashes', 'email', 'blocklist', 'malware']);
const XSS = '<img src=x onerror=alert(1)>';
const REPORT = `Incident 2026-11 summary.
The loader beaconed to hxxps://evil-updates[.]com/gate.php and to 185.220.101[.]4 over TCP/443.
Dropper MD5 44d88612fea8a8f36de82e1278abb02f; exploited CVE-2024-3400 on the edge firewall.
Phishing came from billing@invoices-secure[.]net. Persistence: T1547.001.`;
// Hand-written from the text above: the non-implied indicators the report table must list.
const REPORT_EXPECT = [
  ['url', 'https://evil-updates.com/gate.php'],
  ['ipv4', '185.220.101.4'],
  ['md5', '44d88612fea8a8f36de82e1278abb02f'],
  ['cve', 'CVE-2024-3400'],
  ['email', 'billing@invoices-secure.net'],
  ['attack', 'T1547.001'],
];

// ---------- fixtures: corpus sample, native answers, server ----------

/** First classification case per type from the shared corpus (Python's tomllib reads the TOML). */
function corpusSample() {
  const py = `
import glob, json, tomllib
seen, out = set(), []
for f in sorted(glob.glob(${JSON.stringify(path.join(root, 'tests/corpus'))} + '/classify-*.toml')):
    for c in tomllib.load(open(f, 'rb')).get('case', []):
        t = c.get('type')
        if not t or t == 'unknown' or t in seen or 'extract' in c or '\\n' in c['input']:
            continue
        seen.add(t); out.append({'name': c['name'], 'input': c['input'], 'type': t, 'canonical': c['canonical']})
print(json.dumps(out))`;
  return JSON.parse(execFileSync('python3', ['-c', py], { encoding: 'utf8' }));
}

function nativeLookup(values, now) {
  const out = execFileSync(BIN, ['lookup', '--format', 'json', '--now', String(now), '--', ...values],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

/** `ioclens extract --format json` of a sample document: `type value` of every distinct indicator, sorted. */
function nativeDocument(name) {
  const doc = JSON.parse(execFileSync(BIN, ['extract', '--format', 'json', path.join(SAMPLES, name)],
    { encoding: 'utf8' }));
  return { doc, rows: doc.unique.map((u) => `${u.type} ${u.canonical}`).sort() };
}

async function startServer(tmp, dataDir) {
  const port = await freePort();
  const db = path.join(tmp, 'ioclens.db');
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--www', dist, '--demo',
    '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const key = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ioclens serve did not start: ${err}`)), 60000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /demo API key[^:]*:\s*(\S+)/.exec(err);
      if (m && /serving/.test(err)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`ioclens serve exited ${code}: ${err}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const limited = execFileSync(BIN, ['keys', 'create', '--db', db, '--name', 'limited', '--rate-limit', '1'],
    { encoding: 'utf8' }).split('\n')[0].trim();
  // The pack-signing public key `serve` prints: what an admin copies into the options page.
  const publicKey = /public key[^:]*:\s*([0-9a-f]{64})/.exec(err)?.[1];
  assert.ok(publicKey, `ioclens serve printed its pack-signing key: ${err}`);
  return { proc, url, key, limited, port, publicKey };
}

// A value only the intel pack lists (a `plain` list fetched by `ioclens intel update` from a local host).
const PACK_ONLY = 'www-pack-only-c2.xyz';
const OTHER_KEY = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'; // RFC 8032 test 2: not the server's

/** An intel pack made by the CLI in `dataDir` (what `ioclens serve --data-dir` then publishes, signed). */
async function makePack(tmp, dataDir) {
  const srcDir = fs.mkdtempSync(path.join(tmp, 'list-'));
  fs.writeFileSync(path.join(srcDir, 'list.txt'), `# www test list\n${PACK_ONLY}\n45.95.147.77\n`);
  const { srv, url } = await staticHost(srcDir, 'application/wasm');
  try {
    const catalogue = path.join(srcDir, 'catalogue.toml');
    fs.writeFileSync(catalogue, `[[source]]\nname = "www-test"\nurl = "${url}/list.txt"\nformat = "plain"\n` +
      'category = "c2"\nconfidence = 90\nevery = "1h"\nenabled = true\nlicence = "test fixture"\n');
    // Asynchronous: the list is served by this process's own event loop.
    await promisify(execFile)(BIN, ['intel', 'update', '--catalogue', catalogue, '--data-dir', dataDir]);
  } finally {
    srv.close();
  }
  assert.ok(fs.existsSync(path.join(dataDir, 'intel', 'pack.bin')), 'ioclens intel update wrote a pack');
}

/** A plain page holding the report, for the "extract indicators from this page" path. */
async function startReportPage() {
  const port = await freePort();
  const html = `<!doctype html><title>report</title><pre>${REPORT.replaceAll('<', '&lt;')}</pre>`;
  const srv = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  return { srv, url: `http://127.0.0.1:${port}/report.html` };
}

// ---------- page helpers ----------

async function analyse(page, text) {
  await page.fill('#input', text);
  await page.click('#go');
}

async function readCard(page) {
  // The card is painted in two steps (type, value, score first); read it once it is complete.
  await page.waitForSelector('#card[data-complete="true"]');
  return page.evaluate(() => {
    const card = document.getElementById('card');
    const f = (n) => card.querySelector(`[data-field="${n}"]`)?.textContent ?? null;
    const q = (t) => card.querySelector(`figure[data-target="${t}"] pre`)?.textContent ?? null;
    return {
      type: f('type'),
      canonical: f('canonical'),
      defanged: f('defanged'),
      score: Number(f('score')),
      level: f('level'),
      confidence: f('confidence'),
      hits: [...card.querySelectorAll('[data-list]')].map((li) => `${li.dataset.role}:${li.dataset.list}`),
      techniques: [...card.querySelectorAll('[data-technique]')].map((li) => li.dataset.technique),
      links: [...card.querySelectorAll('a.chip')].map((a) => a.href),
      spl: q('spl'),
      kql: q('kql'),
      sigma: q('sigma'),
      status: card.querySelector('.status')?.dataset.status,
    };
  });
}

async function lookupCard(page, value) {
  await page.evaluate(() => document.getElementById('result').replaceChildren());
  await analyse(page, value);
  return readCard(page);
}

/** Waits for the card's remote status to settle (the first render says disabled while asking). */
async function cardStatus(page, value) {
  await page.evaluate(() => document.getElementById('result').replaceChildren());
  await analyse(page, value);
  await page.waitForFunction(() => {
    const s = document.querySelector('#card .status');
    return s && !/asking/.test(s.textContent);
  });
  return page.$eval('#card .status', (s) => s.dataset.status);
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]');
}

/** The suite shared by the extension and the standalone page. */
function suite(name, env) {
  describe(name, () => {
    test('corpus sample: card equals the native core (type, canonical, score, techniques, SPL, KQL)', async () => {
      const page = await env.open('app.html');
      await ready(page);
      const sample = env.sample;
      assert.ok(sample.length >= 8, `corpus sample too small: ${sample.length}`);
      let compared = 0;
      for (const [i, c] of sample.entries()) {
        const want = env.native[i];
        const got = await lookupCard(page, c.input);
        assert.equal(got.type, c.type, `${c.name}: type`);
        assert.equal(got.canonical, c.canonical, `${c.name}: canonical`);
        assert.equal(got.status, 'disabled', `${c.name}: no server configured yet`);
        assert.equal(got.type, want.ioc_type, `${c.name}: native type`);
        if (want.hunting.splunk_query) assert.equal(got.spl, want.hunting.splunk_query, `${c.name}: SPL`);
        if (want.hunting.kql_query) assert.equal(got.kql, want.hunting.kql_query, `${c.name}: KQL`);
        const tier1 = want.hits.filter((x) => !TIER2.has(x.role)).map((x) => `${x.role}:${x.list}`);
        assert.deepEqual(got.hits.filter((x) => !TIER2.has(x.split(':')[0])), tier1, `${c.name}: tier-1 hits`);
        if (want.hits.some((x) => TIER2.has(x.role))) {
          // The native CLI carries the tier-2 packs (`offline-intel`); the browser module does not, so the
          // score and the techniques drawn from those packs may differ. Checked above: type, value, queries.
          env.tier2Skipped.push(c.name);
          continue;
        }
        assert.equal(got.score, want.risk.score, `${c.name}: score`);
        assert.equal(got.level, want.risk.level, `${c.name}: level`);
        const wantTech = (want.attack?.length ? want.attack : want.mitre_techniques).map((t) => t.id);
        assert.deepEqual(got.techniques, wantTech, `${c.name}: techniques`);
        for (const url of got.links) assert.match(url, /^https:\/\/attack\.mitre\.org\/(techniques|tactics)\//);
        compared++;
      }
      console.log(`[${name}] corpus sample: ${sample.length} values; score/level/techniques equal to native for ${compared}; ` +
        `tier-2-only evidence (not in the browser build) for: ${env.tier2Skipped.join(', ') || 'none'}`);
      assert.ok(compared * 2 >= sample.length, 'most of the sample is compared in full');
      await page.close();
    });

    test('card details: defanged form, gauge, ATT&CK chip link, lookback control, Sigma', async () => {
      const page = await env.open('app.html');
      await ready(page);
      const got = await lookupCard(page, 'hxxps://evil[.]com/gate.php');
      assert.equal(got.type, 'url');
      assert.equal(got.canonical, 'https://evil.com/gate.php');
      assert.equal(got.defanged, 'hxxps://evil[.]com/gate.php');
      const t = await lookupCard(page, 'T1059.001');
      assert.equal(t.type, 'attack');
      assert.deepEqual(t.links.slice(0, 1), ['https://attack.mitre.org/techniques/T1059/001/']);
      const ip = await lookupCard(page, '185.220.101[.]4');
      assert.match(ip.spl, /earliest=-7d latest=now/);
      await page.selectOption('#card-lookback', '30d');
      await page.waitForFunction(() => /earliest=-30d latest=now/.test(document.querySelector('figure[data-target=spl] pre').textContent));
      const kql = await page.$eval('figure[data-target=kql] pre', (e) => e.textContent);
      assert.match(kql, /\b30d\b/);
      await page.selectOption('#card-lookback', '7d');
      assert.ok((await readCard(page)).sigma.includes('185.220.101.4'), 'Sigma rule names the value');
      await page.close();
    });

    test('XSS value is shown as text', async () => {
      const page = await env.open('app.html');
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs++;
        d.dismiss();
      });
      await ready(page);
      const got = await lookupCard(page, XSS);
      assert.equal(got.type, 'unknown');
      assert.equal(got.canonical, XSS);
      assert.equal(await page.$$eval('#result img', (x) => x.length), 0);
      assert.equal(dialogs, 0);
      await page.close();
    });

    test('report: table, type filter, sort by score, defanged copy, click opens card, combined hunt', async () => {
      const page = await env.open('app.html');
      await ready(page);
      await analyse(page, REPORT);
      await page.waitForSelector('#report-table');
      const rows = () => page.$$eval('#report-table tbody tr', (trs) => trs.map((tr) => ({
        type: tr.dataset.type, value: tr.dataset.value, score: Number(tr.children[2].textContent),
        shown: tr.children[1].textContent })));
      const all = await rows();
      for (const [type, value] of REPORT_EXPECT) {
        assert.ok(all.some((r) => r.type === type && r.value === value), `report lists ${type} ${value}`);
      }
      const url = all.find((r) => r.type === 'url');
      assert.equal(url.shown, 'hxxps://evil-updates[.]com/gate.php', 'values are shown defanged');
      if (env.screenshots) await page.screenshot({ path: path.join(IMG, 'report.png'), fullPage: true });
      await page.selectOption('#type-filter', 'ipv4');
      assert.deepEqual((await rows()).map((r) => r.type), ['ipv4']);
      await page.selectOption('#type-filter', '');
      await page.click('#sort-score');
      const sorted = (await rows()).map((r) => r.score);
      assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
      if (env.clipboard) {
        await page.click('#copy-defanged');
        const text = await page.evaluate(() => navigator.clipboard.readText());
        assert.ok(text.split('\n').includes('185[.]220[.]101[.]4'), text);
        assert.ok(!text.includes('https://'), 'copy is defanged');
      }
      const spl = await page.$eval('figure[data-target=spl] pre', (e) => e.textContent);
      const kql = await page.$eval('figure[data-target=kql] pre', (e) => e.textContent);
      assert.ok(spl.includes('185.220.101.4') && spl.includes('44d88612fea8a8f36de82e1278abb02f'), 'one SPL hunt');
      assert.ok(kql.includes('185.220.101.4') && kql.includes('evil-updates.com'), 'one KQL hunt');
      await page.click('#report-table tr[data-type="ipv4"] button.link');
      const card = await readCard(page);
      assert.equal(card.canonical, '185.220.101.4');
      await page.click('button.back');
      await page.waitForSelector('#report-table');
      await page.close();
    });

    test('documents: an opened PDF and DOCX and a dropped e-mail fill the report through the lazy module', async () => {
      const page = await env.open('app.html');
      await ready(page);
      // The documents script marks its evaluation (`__ioclensTiming.documents`); the page's resource timing also
      // lists what was fetched (extension pages do not report their own files there).
      const loadedAt = () => page.evaluate(() => globalThis.__ioclensTiming?.documents ?? null);
      const fetched = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)
        .filter((n) => /documents/.test(n)).map((n) => n.replace(/^.*\//, '')));
      await lookupCard(page, '185.220.101[.]4');
      assert.equal(await loadedAt(), null, 'a page that is only typed into never loads the documents module');
      assert.deepEqual(await fetched(), []);
      const rows = () => page.$$eval('#report-table tbody tr', (trs) =>
        trs.map((tr) => `${tr.dataset.type} ${tr.dataset.value}`).sort());
      const where = (value) => page.$eval(`#report-table tr[data-value="${value}"] td.parts`, (td) => td.textContent);
      // Opened through the file input.
      await page.setInputFiles('#file', path.join(SAMPLES, 'report.pdf'));
      await page.waitForSelector('#document[data-format="pdf"]');
      const pdf = nativeDocument('report.pdf');
      assert.ok(pdf.rows.includes('url https://update-check.kalo.top/gate.php'), pdf.rows.join('\n'));
      assert.deepEqual(await rows(), pdf.rows, 'the PDF report lists what the native CLI extracts');
      assert.equal(await where('ops@lantern-files.com'), 'page 2');
      assert.ok((await loadedAt()) > 0, 'the documents script ran once a file was given');
      if (env.clipboard) {
        // The standalone page: the hashed script and module were fetched then.
        const loaded = await fetched();
        assert.ok(loaded.some((n) => /^documents\.[0-9a-f]{16}\.js$/.test(n)), `documents script fetched: ${loaded}`);
        assert.ok(loaded.some((n) => /^ioclens_documents_wasm_bg\.[0-9a-f]{16}\.wasm$/.test(n)), `module: ${loaded}`);
      }
      await page.setInputFiles('#file', path.join(SAMPLES, 'report.docx'));
      await page.waitForSelector('#document[data-format="docx"]');
      assert.deepEqual(await rows(), nativeDocument('report.docx').rows, 'the DOCX report');
      // Dropped on the page, as a user drags a saved e-mail onto it.
      const eml = fs.readFileSync(path.join(SAMPLES, 'phish.eml')).toString('base64');
      const dt = await page.evaluateHandle((b64) => {
        const d = new DataTransfer();
        d.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'phish.eml', { type: 'message/rfc822' }));
        return d;
      }, eml);
      await page.dispatchEvent('main', 'dragover', { dataTransfer: dt });
      await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
      await page.waitForSelector('#document[data-format="email"]');
      const mail = nativeDocument('phish.eml');
      assert.deepEqual(await rows(), mail.rows, 'the e-mail report');
      const sha = await page.$$eval('#document [data-sha256]', (li) => li.map((x) => x.dataset.sha256));
      assert.deepEqual(sha, mail.doc.attachments.map((a) => a.sha256));
      assert.deepEqual(sha, ['4b6666e17f60d0e45f43106a8ae8722acdeb01e05eda3fd6dfbc3e1e503bbd4d']);
      assert.equal(await where('194.87.31.206'), 'header:Received[1]');
      // An encrypted PDF is a diagnostic on the page, not an error.
      await page.setInputFiles('#file', path.join(SAMPLES, 'encrypted.pdf'));
      await page.waitForSelector('#document[data-format="pdf"] .diagnostics');
      assert.deepEqual(await rows(), []);
      await page.close();
    });

    test('layout: 400 px without horizontal scroll, labelled controls, keyboard reachable', async () => {
      const page = await env.open('app.html?popup=1', { width: 400, height: 700 });
      await ready(page);
      await lookupCard(page, '185.220.101[.]4');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `horizontal overflow ${overflow}px at 400px`);
      const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
        els.filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim())).map((e) => e.outerHTML));
      assert.deepEqual(unlabelled, []);
      if (env.screenshots) await page.screenshot({ path: path.join(IMG, 'card.png'), fullPage: true });
      await page.evaluate(() => document.activeElement?.blur());
      const seen = new Set();
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        seen.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ''));
      }
      for (const id of ['input', 'go', 'card-lookback']) assert.ok(seen.has(id), `Tab reaches #${id}`);
      assert.ok(seen.has('copy'), 'Tab reaches the copy buttons');
      await page.emulateMedia({ colorScheme: 'dark' });
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, 'rgb(20, 23, 27)', 'dark mode colours');
      await page.close();
    });

    test('first card after page open (5 fresh page loads, medians)', async () => {
      // "After the page opens": from navigation start (performance.timeOrigin) to the card's type, value and
      // score painted. The page is opened and read through helpers.mjs, which leaves the page's main thread
      // alone until the card is complete (no Playwright selector script, no wait for the load event).
      const runs = [];
      for (let i = 0; i < 5; i++) {
        const page = await env.ctx.newPage();
        await page.setViewportSize({ width: 1100, height: 900 });
        const t = await openTimed(env.ctx, page, env.url(`app.html?q=${encodeURIComponent('8.8.8[.]8')}`));
        assert.equal((await readCard(page)).canonical, '8.8.8.8');
        const res = (re) => Object.entries(t.res).find(([f]) => re.test(f))?.[1];
        const fcp = t.paint['first-contentful-paint'];
        runs.push({ ...t.marks, fetchEnd: res(/\.wasm$/)?.end, script: res(/^app\..*\.js$/)?.end,
          afterReady: t.marks.painted - t.marks.ready, fcp, afterFcp: t.marks.painted - fcp });
        await page.close();
      }
      const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[2];
      const ms = (k) => (median(k) === undefined || Number.isNaN(median(k)) ? '-' : `${median(k).toFixed(1)}`);
      // Marks, all in ms from navigation start: page script fetched (`script`; none for the extension's local
      // files), wasm fetch and compile started (`boot`), app code runs (`start`), wasm bytes fetched,
      // module compiled, instantiated (ready), first lookup answered, card in the DOM, card painted, card
      // complete.
      const marks = ['script', 'boot', 'start', 'fetchEnd', 'compiled', 'ready', 'lookup', 'rendered', 'painted',
        'firstLookup'];
      console.log(`[${name}] first card, median of 5 page loads (ms from navigation start, load ` +
        `${os.loadavg()[0].toFixed(1)}): ${marks.map((k) => `${k} ${ms(k)}`).join(', ')}; ` +
        `painted ${ms('afterReady')} ms after ready; each open, painted: ` +
        `${runs.map((r) => r.painted.toFixed(1)).join(' ')}`);
      // The same opens from the moment the page is on screen (its first contentful paint: the header and the
      // input box), and, for comparison, when this browser on this machine puts an empty page on screen at all.
      const blank = await blankFirstPaint(env.ctx);
      console.log(`[${name}] page on screen (first contentful paint) at ${ms('fcp')} ms, first card painted ` +
        `${ms('afterFcp')} ms after it; an empty page's first contentful paint here: ${blank.toFixed(1)} ms ` +
        `(median of 5)`);
      env.timings.push({ name, runs, blank });
      // Loose on purpose: a timed test must not flake on a loaded machine; the figure is reported, not gated.
      assert.ok(median('painted') <= 600, `first card painted at ${median('painted')} ms`);
    });

    test('options against a real ioclens serve: the core\'s ok, rate_limited and error', async () => {
      const page = await env.open('options.html');
      await ready(page);
      const check = async (server, key) => {
        await page.fill('#server', server);
        await page.fill('#api-key', key);
        await page.click('#test');
        await page.waitForFunction(() => !/testing/.test(document.getElementById('options-status').textContent));
        return page.$eval('#options-status .status', (s) => s.dataset.status);
      };
      assert.equal(await check(env.server.url, env.server.key), 'ok');
      assert.equal(await check(env.server.url, 'ioc_wrong'), 'error');
      assert.equal(await check(`http://127.0.0.1:${env.deadPort}`, env.server.key), 'error');
      // Save the good server: every result now carries the remote status.
      await page.fill('#server', env.server.url);
      await page.fill('#api-key', env.server.key);
      await page.click('#save');
      await page.waitForFunction(() => document.querySelector('#options-status .status[data-status="ok"]'));
      const app = await env.open('app.html');
      await ready(app);
      assert.equal(await cardStatus(app, '8.8.8.8'), 'ok');
      // A key limited to one request a minute: the second lookup is refused and the card stays local.
      await page.fill('#api-key', env.server.limited);
      await page.click('#save');
      await page.waitForFunction(() => /saved/.test(document.getElementById('options-status').textContent));
      const app2 = await env.open('app.html');
      await ready(app2);
      assert.equal(await cardStatus(app2, '1.1.1.1'), 'rate_limited');
      const local = await readCard(app2);
      assert.equal(local.type, 'ipv4', 'fail-open: the card is still complete');
      // A refused key and a closed port: the card says so and is still the full local result.
      for (const [server, key, want] of [[env.server.url, 'ioc_wrong', 'error'], [`http://127.0.0.1:${env.deadPort}`, env.server.key, 'error']]) {
        await page.fill('#server', server);
        await page.fill('#api-key', key);
        await page.click('#save');
        await page.waitForFunction(() => /saved/.test(document.getElementById('options-status').textContent));
        const app3 = await env.open('app.html');
        await ready(app3);
        assert.equal(await cardStatus(app3, '8.8.8.8'), want, `card status with ${server} ${key}`);
        assert.equal((await readCard(app3)).canonical, '8.8.8.8');
        await app3.close();
      }
      await page.click('#clear');
      await app.close();
      await app2.close();
      await page.close();
    });

    test('intel pack: downloaded from ioclens serve, verified by the core, kept across pages; a wrong key is refused', async () => {
      const opts = await env.open('options.html');
      await ready(opts);
      await setServer(opts, env.server.url, env.server.key);
      const got = await savePack(opts, `${env.server.url}/api/v1/intel/pack`, env.server.publicKey);
      assert.equal(got.status, 'ok', got.text);
      assert.match(got.text, /intel pack loaded · \d{4}-\d{2}-\d{2} · 2 entries/);
      // Local only from here: the card's evidence comes from the kept pack, not from the server.
      await opts.click('#clear');
      for (let round = 0; round < 2; round++) {
        const app = await env.open('app.html');
        await ready(app);
        assert.equal(await app.$eval('#intel-state', (e) => e.dataset.status), 'ok', `page ${round}: the kept pack loads`);
        const card = await lookupCard(app, PACK_ONLY);
        assert.equal(card.status, 'disabled');
        assert.equal(card.score, env.packNative.risk.score, 'score equals the native CLI with the same pack');
        assert.equal(card.level, env.packNative.risk.level);
        assert.ok((await packFactors(app)).includes('feed:www-test'), 'the factor names the pack source');
        await app.close();
      }
      // A key that did not sign the pack: the core refuses it, the options say why, and the pages no longer use it.
      await setServer(opts, env.server.url, env.server.key);
      const refused = await savePack(opts, `${env.server.url}/api/v1/intel/pack`, OTHER_KEY);
      assert.equal(refused.status, 'refused', refused.text);
      assert.match(refused.text, /does not verify/);
      await opts.click('#clear');
      const app = await env.open('app.html');
      await ready(app);
      assert.equal(await app.$eval('#intel-state', (e) => e.dataset.status), 'refused');
      assert.match(await app.$eval('#intel-state', (e) => e.textContent), /does not verify/);
      await lookupCard(app, PACK_ONLY);
      assert.ok(!(await packFactors(app)).includes('feed:www-test'), 'the refused pack is not used');
      await opts.click('#pack-clear');
      await opts.waitForFunction(() => document.querySelector('#pack-status [data-status="off"]'));
      await app.close();
      await opts.close();
    });
  });
}

async function setServer(page, server, key) {
  await page.fill('#server', server);
  await page.fill('#api-key', key);
  await page.click('#save');
  await page.waitForFunction(() => /saved/.test(document.getElementById('options-status').textContent));
}

/** Saves the pack settings (which downloads now) and returns the final `{status, text}` of the pack line. */
async function savePack(page, url, key, age = '6') {
  await page.fill('#pack-url', url);
  await page.fill('#pack-key', key);
  await page.fill('#pack-age', age);
  await page.evaluate(() => document.getElementById('pack-status').replaceChildren());
  await page.click('#pack-save');
  await page.waitForFunction(() => {
    const s = document.querySelector('#pack-status [data-status]');
    return s && s.dataset.status !== 'busy';
  });
  return page.$eval('#pack-status [data-status]', (s) => ({ status: s.dataset.status, text: s.textContent }));
}

/** The sources of the card's score factors. */
const packFactors = (page) => page.$$eval('#card .factors tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));

/** Median first contentful paint of an empty page (one line of text, one tiny script) over 5 opens from a Node
 * static server on 127.0.0.1: what the browser needs to show any page at all on this machine. */
async function blankFirstPaint(ctx) {
  const dir = fs.mkdtempSync(path.join(tmp, 'blank-'));
  fs.writeFileSync(path.join(dir, 'blank.html'), '<!doctype html><meta charset="utf-8"><title>blank</title>' +
    '<script src="blank.js"></script><p>blank</p>');
  fs.writeFileSync(path.join(dir, 'blank.js'), 'globalThis.blank = true;');
  const { srv, url } = await staticHost(dir, 'application/wasm');
  const fcps = [];
  try {
    for (let i = 0; i < 5; i++) {
      const page = await ctx.newPage();
      await page.goto(`${url}/blank.html`, { waitUntil: 'commit' });
      await new Promise((r) => setTimeout(r, 500));
      const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
      assert.ok(typeof fcp === 'number', 'the empty page was painted');
      fcps.push(fcp);
      await page.close();
    }
  } finally {
    srv.close();
  }
  return fcps.sort((a, b) => a - b)[2];
}

// ---------- environments ----------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ioclens-www-'));
const shared = { timings: [] };
const tier2 = () => ({ tier2Skipped: [] });

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'app.html')), 'run node www/build.mjs first');
  fs.mkdirSync(IMG, { recursive: true });
  shared.sample = corpusSample();
  shared.native = nativeLookup(shared.sample.map((c) => c.input), Math.floor(Date.now() / 1000));
  const dataDir = path.join(tmp, 'data');
  await makePack(tmp, dataDir);
  shared.server = await startServer(tmp, dataDir);
  [shared.packNative] = [JSON.parse(execFileSync(BIN, ['lookup', '--format', 'json', '--', PACK_ONLY],
    { encoding: 'utf8', env: { ...process.env, IOCLENS_DATA_DIR: dataDir } }))].flat();
  shared.deadPort = await freePort();
  shared.report = await startReportPage();
});

after(() => {
  shared.server?.proc.kill();
  shared.report?.srv.close();
  // The browser profiles and the server's database (≈ 12 MB a run).
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Reading the clipboard back needs the `clipboardRead` permission in an extension, which it does not ask for;
// the standalone run checks the copied text.
const ext = { ...shared, ...tier2(), timings: shared.timings, clipboard: false, screenshots: true };
describe('extension', () => {
  let ctx;
  let id;
  let sw;
  before(async () => {
    Object.assign(ext, shared);
    // The test copy also holds the 127.0.0.1 host permission: a headless browser cannot click the prompt
    // `chrome.permissions.request` shows for the configured server (the shipped manifest has none).
    const dir = path.join(tmp, 'ext');
    fs.cpSync(dist, dir, { recursive: true });
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    m.host_permissions = ['http://127.0.0.1/*'];
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile-ext'), {
      executablePath: CHROMIUM, headless: true,
      args: [`--disable-extensions-except=${dir}`, `--load-extension=${dir}`, ...FLAGS],
    });
    [sw] = ctx.serviceWorkers();
    if (!sw) sw = await ctx.waitForEvent('serviceworker');
    id = sw.url().split('/')[2];
    ext.ctx = ctx;
    ext.url = (p) => `chrome-extension://${id}/${p}`;
    ext.open = async (p, viewport = { width: 1100, height: 900 }) => {
      const page = await ctx.newPage();
      await page.setViewportSize(viewport);
      await page.goto(`chrome-extension://${id}/${p}`);
      return page;
    };
  });
  after(async () => ctx?.close());

  test('manifest: MV3, exact permissions, CSP, no host permissions', () => {
    const m = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
    assert.equal(m.manifest_version, 3);
    assert.deepEqual([...m.permissions].sort(), ['activeTab', 'alarms', 'contextMenus', 'scripting', 'storage']);
    assert.equal(m.host_permissions, undefined);
    assert.equal(m.content_security_policy.extension_pages, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    const ff = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.firefox.json'), 'utf8'));
    assert.deepEqual(ff.background, { scripts: ['sw.js'], type: 'module' });
    assert.deepEqual(ff.permissions, m.permissions);
    // Page open (docs/www.md): one self-contained script, the wasm preloaded, the stylesheet inlined; the script
    // and the module named after their content (build.mjs).
    const app = fs.readFileSync(path.join(dist, 'app.html'), 'utf8');
    const scripts = [...app.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    assert.equal(scripts.length, 1);
    const [, script] = /^<script type="module" src="(app\.[0-9a-f]{16}\.js)">$/.exec(scripts[0]) ?? [];
    assert.ok(script && fs.existsSync(path.join(dist, script)), scripts[0]);
    const [, wasm] = /<link rel="preload" href="(pkg\/ioclens_wasm_bg\.[0-9a-f]{16}\.wasm)" as="fetch" type="application\/wasm" crossorigin>/.exec(app) ?? [];
    assert.ok(wasm && fs.existsSync(path.join(dist, wasm)), 'the hashed wasm module is preloaded');
    assert.ok(fs.readFileSync(path.join(dist, script), 'utf8').includes(JSON.stringify(wasm)), 'the script loads that module');
    assert.doesNotMatch(app, /rel="stylesheet"/);
    assert.match(app, /<style>/);
    assert.equal(fs.readFileSync(path.join(dist, 'index.html'), 'utf8'), app);
    // The documents script is the one thing a bundle imports, at run time, by its hashed name, and only app's.
    const [docs] = fs.readdirSync(dist).filter((x) => /^documents\.[0-9a-f]{16}\.js$/.test(x));
    assert.ok(docs, 'the documents script is built');
    assert.ok(fs.readFileSync(path.join(dist, script), 'utf8').includes(`import("./${docs}")`), 'app imports it by name');
    for (const f of fs.readdirSync(dist).filter((x) => /\.[0-9a-f]{16}\.js$/.test(x))) {
      const text = fs.readFileSync(path.join(dist, f), 'utf8');
      assert.doesNotMatch(text, /^\s*import\b/m, `${f} is one bundle`);
      assert.equal(text.split(/\bimport\(/).length - 1, f === script ? 1 : 0, `${f}: dynamic imports`);
    }
    for (const f of fs.readdirSync(dist).filter((x) => x.endsWith('.html'))) {
      const html = fs.readFileSync(path.join(dist, f), 'utf8');
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${f}: no inline script`);
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${f}: no inline handler`);
    }
  });

  test('context menu: "Look up with ioclens" on a selection opens the card', async () => {
    const opened = ctx.waitForEvent('page');
    await sw.evaluate(() => self.ioclensHandleMenu({ menuItemId: 'ioclens-lookup', selectionText: 'hxxps://evil[.]com/gate.php' }, undefined));
    const page = await opened;
    await ready(page);
    const card = await readCard(page);
    assert.equal(card.type, 'url');
    assert.equal(card.canonical, 'https://evil.com/gate.php');
    await page.close();
  });

  test('context menu: "Extract indicators from this page" fills the report table', async () => {
    const src = await ctx.newPage();
    await src.goto(shared.report.url);
    const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, shared.report.url);
    assert.ok(tabId !== undefined, 'report tab found');
    const opened = ctx.waitForEvent('page');
    await sw.evaluate((t) => self.ioclensHandleMenu({ menuItemId: 'ioclens-extract' }, { id: t, url: 'report' }), tabId);
    const page = await opened;
    await ready(page);
    await page.waitForSelector('#report-table');
    const rows = await page.$$eval('#report-table tbody tr', (trs) => trs.map((tr) => `${tr.dataset.type} ${tr.dataset.value}`));
    for (const [type, value] of REPORT_EXPECT) assert.ok(rows.includes(`${type} ${value}`), `${type} ${value} in ${rows}`);
    await page.close();
    await src.close();
  });

  suite('extension pages', ext);

  test('intel pack schedule: an alarm downloads the pack as pending, the next page verifies and uses it', async () => {
    await sw.evaluate(async ([url, key, server, apiKey]) => {
      await chrome.storage.local.set({ packUrl: url, packKey: key, packMaxAge: '6', server, apiKey });
    }, [`${shared.server.url}/api/v1/intel/pack`, shared.server.publicKey, shared.server.url, shared.server.key]);
    let alarm;
    for (let i = 0; i < 50 && !alarm; i++) {
      alarm = await sw.evaluate(() => chrome.alarms.get('ioclens-pack'));
      if (!alarm) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(alarm?.periodInMinutes, 360, 'the alarm follows "download again after"');
    const state = await sw.evaluate(() => self.ioclensPackAlarm());
    assert.equal(state.download, 'pending', JSON.stringify(state));
    await sw.evaluate(() => chrome.storage.local.set({ server: '', apiKey: '' }));
    const app = await ext.open('app.html');
    await ready(app);
    assert.equal(await app.$eval('#intel-state', (e) => e.dataset.status), 'ok');
    await lookupCard(app, PACK_ONLY);
    assert.ok((await packFactors(app)).includes('feed:www-test'));
    // Unchanged on the server: the next alarm is a 304 and stores nothing.
    await sw.evaluate(([server, apiKey]) => chrome.storage.local.set({ server, apiKey }), [shared.server.url, shared.server.key]);
    assert.equal((await sw.evaluate(() => self.ioclensPackAlarm())).download, 'not_modified');
    await sw.evaluate(() => chrome.storage.local.set({ packUrl: '', packKey: '', server: '', apiKey: '' }));
    for (let i = 0; i < 50 && alarm; i++) {
      alarm = await sw.evaluate(() => chrome.alarms.get('ioclens-pack'));
      if (alarm) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(alarm, undefined, 'no pack, no alarm');
    await app.close();
  });
});

const page = { ...shared, ...tier2(), clipboard: false, screenshots: false };
describe('standalone page (ioclens serve)', () => {
  let browser;
  let ctx;
  before(async () => {
    Object.assign(page, shared, { clipboard: true, screenshots: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    ctx = await browser.newContext();
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: shared.server.url });
    page.ctx = ctx;
    page.url = (p) => `${shared.server.url}/${p}`;
    page.open = async (p, viewport = { width: 1100, height: 900 }) => {
      const pg = await ctx.newPage();
      await pg.setViewportSize(viewport);
      await pg.goto(`${shared.server.url}/${p}`);
      return pg;
    };
  });
  after(async () => browser?.close());

  test('served at / with the wasm content type; hashed files immutable, the page revalidated', async () => {
    const res = await fetch(`${shared.server.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.match(html, /<title>ioclens<\/title>/);
    const [, wasmName] = /href="(pkg\/[^"]+\.wasm)"/.exec(html);
    const [, script] = /src="(app\.[0-9a-f]{16}\.js)"/.exec(html);
    const wasm = await fetch(`${shared.server.url}/${wasmName}`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    for (const r of [wasm, await fetch(`${shared.server.url}/${script}`)]) {
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    }
  });

  test('another static host that serves the wasm as application/octet-stream: the page still works', async () => {
    // The page cannot stream-compile without `application/wasm`; it compiles the downloaded bytes instead.
    const { srv, url } = await staticHost(dist, 'application/octet-stream');
    try {
      const pg = await ctx.newPage();
      await pg.goto(`${url}/app.html?q=${encodeURIComponent('8.8.8[.]8')}`);
      await ready(pg);
      const card = await readCard(pg);
      assert.equal(card.type, 'ipv4');
      assert.equal(card.canonical, '8.8.8.8');
      assert.equal(card.defanged, '8[.]8[.]8[.]8');
      assert.ok(await pg.evaluate(() => globalThis.__ioclensTiming.compiled > 0), 'the page compiled the module');
      await pg.close();
    } finally {
      srv.close();
    }
  });

  suite('standalone page', page);
});
