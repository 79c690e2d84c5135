// The Firefox variant of the extension: Mozilla's addons-linter on the packed zip (no error, no warning), then
// the unpacked extension installed in Debian's Firefox ESR (headless, WebDriver BiDi `webExtension.install`
// through puppeteer-core) renders a card equal to the native core's answer.
//
//   node --test firefox.test.mjs     (after `node www/build.mjs` and `cargo build -p ioclens-cli`)
//
// Env: IOCLENS_BIN (default target/debug/ioclens), FIREFOX (default /usr/bin/firefox-esr).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { BIN } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = path.join(root, 'www', 'dist');
const zip = path.join(root, 'dist', 'ioclens-extension-firefox.zip');
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const GECKO_ID = 'ioclens@ioclens.invalid';
// moz-extension:// hosts are a per-profile random UUID; the test profile pins it through this preference.
const UUID = '6c0f3b8e-2d4a-4b6e-9a1f-0e5d7c3b2a19';
const VALUE = 'hxxps://evil[.]com/gate.php';

test('addons-linter: the Firefox zip has no error and no warning', () => {
  const linter = path.join(here, 'node_modules', '.bin', 'addons-linter');
  const res = spawnSync(linter, ['--output', 'json', zip], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const report = JSON.parse(res.stdout);
  const messages = [...report.errors, ...report.warnings].map((m) => `${m.code} ${m.file ?? ''}: ${m.message}`);
  assert.deepEqual(messages, []);
  assert.equal(report.summary.errors, 0);
  const manifest = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.firefox.json'), 'utf8'));
  assert.equal(manifest.browser_specific_settings.gecko.id, GECKO_ID);
  assert.deepEqual(manifest.background, { scripts: ['sw.js'], type: 'module' });
});

test('Firefox ESR: the installed extension renders the card of the native core', { timeout: 120000 }, async () => {
  // The test copy is the Firefox package plus one line in the background script that opens the card: WebDriver
  // BiDi refuses to navigate a tab to a moz-extension:// page, but the extension may open its own page.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ioclens-ff-'));
  fs.cpSync(dist, dir, { recursive: true });
  fs.copyFileSync(path.join(dir, 'manifest.firefox.json'), path.join(dir, 'manifest.json'));
  fs.rmSync(path.join(dir, 'manifest.firefox.json'));
  fs.rmSync(path.join(dir, 'index.html'));
  fs.appendFileSync(path.join(dir, 'sw.js'),
    `\nbrowser.tabs.create({ url: browser.runtime.getURL('app.html?q=${encodeURIComponent(VALUE)}') });\n`);
  const want = JSON.parse(execFileSync(BIN, ['lookup', '--format', 'json', '--', VALUE], { encoding: 'utf8' }))[0];

  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi',
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }) },
  });
  try {
    assert.match(await browser.version(), /^firefox\/\d+/);
    assert.equal(await browser.installExtension(dir), GECKO_ID);
    const href = `moz-extension://${UUID}/app.html?q=${encodeURIComponent(VALUE)}`;
    let page;
    for (let i = 0; i < 300 && !page; i++) {
      for (const p of await browser.pages()) {
        if ((await p.evaluate(() => location.href).catch(() => '')) === href) page = p;
      }
      if (!page) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(page, 'the extension opened its page');
    await page.waitForSelector('#card[data-complete="true"]', { timeout: 60000 });
    const got = await page.evaluate(() => {
      const f = (n) => document.querySelector(`#card [data-field="${n}"]`)?.textContent ?? null;
      const q = (t) => document.querySelector(`#card figure[data-target="${t}"] pre`)?.textContent ?? null;
      return { type: f('type'), canonical: f('canonical'), defanged: f('defanged'), score: Number(f('score')),
        spl: q('spl'), kql: q('kql'), status: document.querySelector('#card .status')?.dataset.status,
        timing: globalThis.__ioclensTiming };
    });
    assert.equal(got.type, 'url');
    assert.equal(got.canonical, 'https://evil.com/gate.php');
    assert.equal(got.defanged, 'hxxps://evil[.]com/gate.php');
    assert.equal(got.status, 'disabled');
    assert.equal(got.type, want.ioc_type);
    assert.equal(got.spl, want.hunting.splunk_query);
    assert.equal(got.kql, want.hunting.kql_query);
    assert.ok(got.score >= 0 && got.score <= 100, `score ${got.score}`);
    const t = got.timing;
    console.log(`[firefox ${(await browser.version()).split('/')[1]}] card rendered ${t.rendered.toFixed(0)} ms, ` +
      `complete ${t.firstLookup.toFixed(0)} ms after navigation start (wasm ready at ${t.ready.toFixed(0)} ms)`);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
