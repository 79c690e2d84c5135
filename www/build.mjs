#!/usr/bin/env node
// Builds the page and the extension into www/dist/ and packs the extension zips into ../dist/.
//
//   node www/build.mjs            # after `cargo xtask wasm` (which writes dist/web/)
//
// Output: www/dist/ (the unpacked Chromium extension and the standalone page `ioclens serve` hosts at `/`),
// dist/ioclens-extension.zip (Chromium, MV3) and dist/ioclens-extension-firefox.zip (Firefox MV3 manifest).
// Plain copies: the sources are ES modules the browser loads as they are; nothing is bundled or transpiled.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const src = path.join(here, 'src');
const out = path.join(here, 'dist');
const pkg = path.join(root, 'dist', 'web');

const PKG_FILES = ['ioclens_wasm.js', 'ioclens_wasm_bg.wasm'];
for (const f of PKG_FILES) {
  if (!fs.existsSync(path.join(pkg, f))) {
    console.error(`build.mjs: ${path.join(pkg, f)} is missing: run \`cargo xtask wasm\` first`);
    process.exit(1);
  }
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'pkg'), { recursive: true });
for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(out, f));
for (const f of PKG_FILES) fs.copyFileSync(path.join(pkg, f), path.join(out, 'pkg', f));
// The standalone page is the same page under the name a static server serves at `/`.
fs.copyFileSync(path.join(src, 'app.html'), path.join(out, 'index.html'));

const manifest = JSON.parse(fs.readFileSync(path.join(src, 'manifest.json'), 'utf8'));
const firefox = structuredClone(manifest);
firefox.background = { scripts: ['sw.js'], type: 'module' };
delete firefox.minimum_chrome_version;
// No data reaches the developer: lookups run locally and go only to a server the user configured (AMO asks
// every new extension to say so: `data_collection_permissions`).
// Firefox 140 (ESR) is the first to read that key; 142 on Android.
firefox.browser_specific_settings = {
  gecko: { id: 'ioclens@ioclens.invalid', strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
  gecko_android: { strict_min_version: '142.0' },
};
fs.writeFileSync(path.join(out, 'manifest.firefox.json'), `${JSON.stringify(firefox, null, 2)}\n`);

// ---------- zip (stored + deflated entries, no dependency) ----------
function zip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  const dosTime = 0; // 1980-01-01 00:00: reproducible archives
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, nameBuf, deflated);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4);
    cen.writeUInt16LE(20, 6);
    cen.writeUInt16LE(0x0800, 8);
    cen.writeUInt16LE(8, 10);
    cen.writeUInt16LE(dosTime, 12);
    cen.writeUInt16LE(dosDate, 14);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(deflated.length, 20);
    cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(nameBuf.length, 28);
    cen.writeUInt32LE(offset, 42);
    central.push(cen, nameBuf);
    offset += local.length + nameBuf.length + deflated.length;
  }
  const cenSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cenSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

function files(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((d) =>
    d.isDirectory() ? files(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]);
}

// The extension does not need the standalone page's index.html; the Firefox manifest replaces manifest.json.
const extFiles = files(out).filter((f) => f !== 'index.html' && f !== 'manifest.firefox.json');
const read = (f) => fs.readFileSync(path.join(out, f));
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
const chromeZip = zip(extFiles.map((name) => ({ name, data: read(name) })));
const firefoxZip = zip(extFiles.map((name) => ({
  name,
  data: name === 'manifest.json' ? read('manifest.firefox.json') : read(name),
})));
fs.writeFileSync(path.join(root, 'dist', 'ioclens-extension.zip'), chromeZip);
fs.writeFileSync(path.join(root, 'dist', 'ioclens-extension-firefox.zip'), firefoxZip);
const wasmBytes = fs.statSync(path.join(out, 'pkg', 'ioclens_wasm_bg.wasm')).size;
console.log(`www/dist: ${extFiles.length} files (wasm ${wasmBytes} bytes)`);
console.log(`dist/ioclens-extension.zip: ${chromeZip.length} bytes; dist/ioclens-extension-firefox.zip: ${firefoxZip.length} bytes`);
