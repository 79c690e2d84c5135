//! `ioclens-documents` for browsers and Node through wasm-bindgen: its own module, loaded only when a page is
//! given a file (a dropped PDF, DOCX or e-mail), so the main module (`ioclens-wasm`) keeps its size budget.
//!
//! `extractDocument(bytes)` takes the file's bytes (`Uint8Array`) and returns the `DocumentExtraction` as a plain JS
//! object — the same JSON `ioclens extract --format json` prints for that file. It never throws on content: what
//! cannot be read is in `diagnostics`.
//!
//! ```js
//! import init, { extractDocument } from './ioclens_documents_wasm.js';
//! await init();
//! const doc = extractDocument(new Uint8Array(await file.arrayBuffer()));
//! doc.iocs.map((m) => `${m.part}: ${m.type} ${m.canonical}`);
//! ```
use wasm_bindgen::prelude::*;

/// Reads `bytes` as whatever their content is (PDF, DOCX, e-mail, HTML, text) and extracts every indicator.
#[wasm_bindgen(js_name = extractDocument)]
pub fn extract_document(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let doc = ioclens_documents::extract(bytes);
    let json = serde_json::to_string(&doc).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&json)
}

/// What `bytes` are, from their content: `pdf`, `docx`, `email`, `html`, `text`, `zip` or `binary`.
#[wasm_bindgen(js_name = sniffDocument)]
pub fn sniff_document(bytes: &[u8]) -> String {
    ioclens_documents::sniff(bytes).as_str().to_owned()
}
