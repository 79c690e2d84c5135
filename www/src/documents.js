// The documents module (`ioclens-documents-wasm`, wasm-bindgen `--target web` package `pkg-documents/`): PDF,
// DOCX and e-mail reading for a dropped or opened file. app.js imports this file only when it is given a file,
// so a page that is only typed into never downloads it (docs/www.md, "Documents").
import init, { extractDocument } from './pkg-documents/ioclens_documents_wasm.js';

// The build defines IOCLENS_DOCUMENTS_WASM, the module's content-hashed name (build.mjs).
/* global IOCLENS_DOCUMENTS_WASM */
const WASM_URL = new URL(typeof IOCLENS_DOCUMENTS_WASM === 'string' ? IOCLENS_DOCUMENTS_WASM
  : 'pkg/ioclens_documents_wasm_bg.wasm', import.meta.url);

// When this module was evaluated (ms from navigation start): the browser test reads it to prove the lazy load.
(globalThis.__ioclensTiming ??= {}).documents = performance.now();

let ready;

/** The file's bytes (`Uint8Array`) → `DocumentExtraction`, the object `ioclens extract --format json` prints:
 * the format is read from the content (PDF, DOCX, e-mail, HTML, text), never from the file name. */
export async function readDocument(bytes) {
  ready ??= init({ module_or_path: WASM_URL });
  await ready;
  return extractDocument(bytes);
}
