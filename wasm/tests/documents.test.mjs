// The documents module (`dist/node-documents`, wasm-opt'ed) reads the committed sample documents exactly like the
// native `ioclens extract --format json` (its output written to `dist/documents-native/` by
// scripts/test.d/30-wasm.sh), and its known indicators are there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { DIST, ROOT, normalise } from './golden.mjs';

const require = createRequire(import.meta.url);
const docs = require(path.join(DIST, 'node-documents', 'ioclens_documents_wasm.js'));
const SAMPLES = path.join(ROOT, 'tests', 'fixtures', 'documents');
const NATIVE = path.join(DIST, 'documents-native');

/** The module's answer for a sample and the native CLI's. */
function both(name) {
  const bytes = new Uint8Array(fs.readFileSync(path.join(SAMPLES, name)));
  const native = JSON.parse(fs.readFileSync(path.join(NATIVE, `${name}.json`), 'utf8'));
  return { wasm: docs.extractDocument(bytes), native, bytes };
}

const samples = fs.readdirSync(SAMPLES).filter((f) => /\.(pdf|docx|eml)$/.test(f)).sort();

test('the samples are all there', () => {
  assert.deepEqual(samples, ['broken.pdf', 'encrypted.pdf', 'phish.eml', 'report.docx', 'report.pdf']);
});

for (const name of samples) {
  test(`${name}: the same answer as the native CLI`, () => {
    const { wasm, native, bytes } = both(name);
    assert.equal(normalise(wasm), normalise(native), name);
    assert.equal(docs.sniffDocument(bytes), native.format, `${name}: sniffed format`);
  });
}

test('known indicators come through with their parts', () => {
  const has = (doc, type, canonical, part) =>
    doc.iocs.some((m) => m.type === type && m.canonical === canonical && m.part === part);
  const pdf = both('report.pdf').wasm;
  assert.equal(pdf.format, 'pdf');
  assert.ok(has(pdf, 'url', 'https://update-check.kalo.top/gate.php', 'page 1'));
  assert.ok(has(pdf, 'email', 'ops@lantern-files.com', 'page 2'));
  assert.equal(pdf.iocs.find((m) => m.canonical === '45.77.12.9').port, 8443);
  const docx = both('report.docx').wasm;
  assert.ok(has(docx, 'sha1', '2ff135a99a7079e5cc657a35bc9054bad021841d', 'document.xml'));
  const eml = both('phish.eml').wasm;
  assert.equal(eml.attachments.length, 1);
  assert.equal(eml.attachments[0].sha256, '4b6666e17f60d0e45f43106a8ae8722acdeb01e05eda3fd6dfbc3e1e503bbd4d');
  assert.ok(has(eml, 'url', 'http://pay.kalo.top/inv/7731', 'attachment invoice.pdf > page 1'));
  const enc = both('encrypted.pdf').wasm;
  assert.equal(enc.iocs.length, 0);
  assert.ok(enc.diagnostics.some((d) => d.code.startsWith('pdf-')), normalise(enc.diagnostics));
});

test('binary, truncated and empty input are answers, never a throw', () => {
  // Binary content and a ZIP that is not a DOCX are refused with a diagnostic; empty input is empty text.
  for (const bytes of [new Uint8Array([0, 1, 2, 3, 0xff, 0]), new Uint8Array([0x50, 0x4b, 3, 4])]) {
    const doc = docs.extractDocument(bytes);
    assert.equal(doc.iocs.length, 0);
    assert.ok(doc.diagnostics.some((d) => d.code === 'not-a-document'), normalise(doc));
  }
  const empty = docs.extractDocument(new Uint8Array(0));
  assert.deepEqual([empty.iocs.length, empty.parts.length > 0 || empty.format === 'text'], [0, true]);
  // A text file is text: the same extractor as the core module.
  const text = docs.extractDocument(new TextEncoder().encode('C2 at hxxp://evil-updates[.]com/x and 185.220.101.4'));
  assert.equal(text.format, 'text');
  assert.ok(text.iocs.some((m) => m.canonical === 'http://evil-updates.com/x'));
});
