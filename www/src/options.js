// Options: server URL + API key, a connection test, and the host permission for that one server.
import * as settingsStore from './settings.js';
import { STATUS_TEXT, testConnection } from './remote.js';
import { h } from './dom.js';
import { setup as setupPack } from './packoptions.js';

const $ = (id) => document.getElementById(id);

function show(status, detail) {
  $('options-status').replaceChildren(
    h('span', { class: `status status-${status}`, 'data-status': status }, STATUS_TEXT[status] ?? status),
    detail ? ` ${detail}` : '',
  );
}

/** Asks for the host permission of the configured server only (extension builds; no-op on the page). */
async function requestHost(server) {
  if (!server || !globalThis.chrome?.permissions?.request) return true;
  const origins = [`${new URL(server).origin}/*`];
  try {
    if (await chrome.permissions.contains({ origins })) return true;
    return await chrome.permissions.request({ origins });
  } catch {
    return false;
  }
}

async function read() {
  const n = settingsStore.normalizeServer($('server').value);
  if (n.error) {
    show('error', n.error);
    return null;
  }
  return { server: n.server, apiKey: $('api-key').value.trim() };
}

async function main() {
  const s = await settingsStore.load();
  $('server').value = s.server;
  $('api-key').value = s.apiKey;
  if (!globalThis.chrome?.runtime?.id) $('back-link').setAttribute('href', './');
  $('options').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const next = await read();
    if (!next) return;
    const granted = await requestHost(next.server);
    await settingsStore.save(next);
    if (!next.server) {
      show('disabled', 'saved: no server, local only');
      return;
    }
    if (!granted) {
      show('error', 'saved, but the permission for this server was not granted');
      return;
    }
    const r = await testConnection(next);
    show(r.status, `saved; ${r.detail}`);
  });
  $('test').addEventListener('click', async () => {
    const next = await read();
    if (!next) return;
    show('disabled', 'testing…');
    const r = await testConnection(next);
    show(r.status, r.detail);
  });
  $('clear').addEventListener('click', async () => {
    $('server').value = '';
    $('api-key').value = '';
    await settingsStore.save({ server: '', apiKey: '' });
    show('disabled', 'server forgotten: local only');
  });
  await setupPack();
  document.body.dataset.ready = 'true';
}

main();
