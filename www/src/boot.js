// Starts fetching and compiling the core's WebAssembly module the moment the page begins to load, in parallel
// with the ES module graph and the UI (a classic `async` script: it needs none of the modules). `core.js`
// instantiates the compiled module. Streaming compilation needs the `application/wasm` content type (the
// extension and `ioclens serve` send it); any other static host gets a plain compile of the downloaded bytes.
(() => {
  const timing = (globalThis.__ioclensTiming ??= {});
  timing.boot = performance.now();
  const url = new URL('pkg/ioclens_wasm_bg.wasm', document.currentScript?.src || location.href);
  globalThis.__ioclensWasm = fetch(url)
    .then((res) => {
      if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
      const type = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
      return type === 'application/wasm' && WebAssembly.compileStreaming
        ? WebAssembly.compileStreaming(res)
        : res.arrayBuffer().then((bytes) => WebAssembly.compile(bytes));
    })
    .then((module) => {
      timing.compiled = performance.now();
      return module;
    });
  // core.js reports the failure; an unobserved rejection here would only add console noise.
  globalThis.__ioclensWasm.catch(() => {});
})();
