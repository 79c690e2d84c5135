// Options: the intel pack settings (URL, trusted public key, age), "save and update now" and "forget". The core
// decides whether a pack is accepted (intel.js); this page only reports its answer.
import * as intel from './intel.js';
import * as packStore from './packstore.js';
import * as settingsStore from './settings.js';
import { h } from './dom.js';

const $ = (id) => document.getElementById(id);

function show(state) {
  const bad = state.status === 'refused' || state.status === 'failed';
  $('pack-status').replaceChildren(h('span', { class: `status status-${bad ? 'error' : state.status === 'off' ? 'disabled' : 'ok'}`,
    'data-status': state.status }, intel.describe(state)));
}

/** Asks for the pack host's permission (extension builds; no-op on the page). */
async function requestHost(url) {
  if (!url || !globalThis.chrome?.permissions?.request) return true;
  const origins = [`${new URL(url).origin}/*`];
  try {
    return (await chrome.permissions.contains({ origins })) || (await chrome.permissions.request({ origins }));
  } catch {
    return false;
  }
}

/** Wires the pack form; called by options.js. */
export async function setup() {
  const s = await packStore.loadSettings();
  $('pack-url').value = s.packUrl;
  $('pack-key').value = s.packKey;
  $('pack-age').value = String(s.packMaxAge);
  const state = await packStore.get('state').catch(() => undefined);
  show(s.packUrl && state ? state : { status: 'off' });
  $('pack').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const n = packStore.normalizePackUrl($('pack-url').value);
    if (n.error) return show({ status: 'failed', error: n.error });
    const age = Number($('pack-age').value);
    const next = { packUrl: n.url, packKey: $('pack-key').value.trim(),
      packMaxAge: Number.isFinite(age) && age >= 0 && $('pack-age').value !== '' ? age : packStore.DEFAULT_MAX_AGE_HOURS };
    const granted = await requestHost(next.packUrl);
    await packStore.saveSettings(next);
    if (!next.packUrl) return show({ status: 'off' });
    if (!granted) return show({ status: 'failed', error: 'saved, but the permission for this host was not granted' });
    show({ status: 'busy' });
    show(await intel.refresh(next, await settingsStore.load()));
  });
  $('pack-clear').addEventListener('click', async () => {
    $('pack-url').value = '';
    $('pack-key').value = '';
    await packStore.saveSettings({ packUrl: '', packKey: '', packMaxAge: packStore.DEFAULT_MAX_AGE_HOURS });
    await Promise.all(['current', 'pending', 'state'].map((k) => packStore.remove(k)));
    show({ status: 'off' });
  });
}
