// Remote scoring through the Extism plugin under the Node host, against the real HTTP server of
// remote_server.py on 127.0.0.1. Node SDK 1.0.3 has no call timeout: the host's `fetch` carries one
// (AbortSignal.timeout). After a failed host HTTP call the SDK's worker is gone, so the host loads a fresh
// plugin for `lookup_fallback` (extism/README.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import createPlugin from '@extism/extism';
import { DIST } from './golden.mjs';

const WASM = path.join(DIST, 'extism', 'ioclens.wasm');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REQUEST = { value: '185.220.101[.]1', now: 1767225600 };
let server;
let port;
let local;

function load({ config, allowedHosts = ['127.0.0.1'] } = {}) {
  return createPlugin({ wasm: [{ path: WASM }] }, {
    useWasi: false,
    runInWorker: true,
    allowedHosts,
    config,
    functions: { 'extism:host/env': { http_headers: () => 0n } },
    fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(1500) }),
  });
}

/** The host pattern: lookup; when the host's HTTP fails, a fresh plugin answers lookup_fallback. */
async function lookup(mode, { key = 'test-key', allowedHosts, base } = {}) {
  const config = { api_url: base ?? `http://127.0.0.1:${port}/${mode}` };
  if (key) config.api_key = key;
  const plugin = await load({ config, allowedHosts });
  try {
    return { got: JSON.parse((await plugin.call('lookup', JSON.stringify(REQUEST))).text()).ok, trapped: false };
  } catch (e) {
    const fresh = await load();
    try {
      const out = await fresh.call('lookup_fallback', JSON.stringify({ request: REQUEST, error: String(e) }));
      return { got: JSON.parse(out.text()).ok, trapped: true };
    } finally {
      await fresh.close();
    }
  } finally {
    await plugin.close().catch(() => {});
  }
}

function assertLocalStands(got, status) {
  assert.equal(got.score.remote_status, status);
  assert.deepEqual(got.risk, local.risk);
  assert.equal(got.score.remote_score, undefined);
}

before(async () => {
  server = spawn('python3', [path.join(HERE, 'remote_server.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  port = await new Promise((resolve, reject) => {
    server.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    server.once('exit', (code) => reject(new Error(`remote_server.py exited with ${code}`)));
  });
  const plugin = await load();
  local = JSON.parse((await plugin.call('lookup', JSON.stringify(REQUEST))).text()).ok;
  await plugin.close();
});

after(() => {
  server.stdin.end();
  server.kill();
});

test('ok: the remote score is merged', async () => {
  const { got, trapped } = await lookup('ok');
  assert.equal(trapped, false);
  assert.equal(got.score.remote_status, 'ok');
  assert.equal(got.score.remote_score, 91);
  assert.equal(got.risk.score, Math.max(91, local.risk.score));
  assert.ok(got.mitre_techniques.some((t) => t.id === 'T1090.003'));
});

test('429 and 500 keep the local result', async () => {
  assertLocalStands((await lookup('429')).got, 'rate_limited');
  assertLocalStands((await lookup('500')).got, 'error');
});

test('timeout falls back to the local result', async () => {
  const { got, trapped } = await lookup('slow');
  assert.equal(trapped, true);
  assertLocalStands(got, 'timeout');
});

test('a host not in allowedHosts falls back to the local result', async () => {
  const { got, trapped } = await lookup('ok', { allowedHosts: ['example.invalid'] });
  assert.equal(trapped, true);
  assertLocalStands(got, 'error');
});
