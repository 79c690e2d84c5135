// Service worker: the two context-menu entries, and the intel pack's schedule (an alarm every "download again after"
// hours: the new pack is stored as pending, the next ioclens page hands it to the core, packstore.js). Selected text or the page's text is handed to the ioclens page
// through chrome.storage.session (never synced, gone when the browser closes).
import { downloadPending, loadSettings } from './packstore.js';
import { load as loadServer } from './settings.js';

const api = globalThis.browser ?? globalThis.chrome;

const MENU = [
  { id: 'ioclens-lookup', title: 'Look up with ioclens', contexts: ['selection'] },
  { id: 'ioclens-extract', title: 'Extract indicators from this page', contexts: ['page'] },
];

api.runtime.onInstalled.addListener(() => {
  api.contextMenus.removeAll(() => {
    for (const m of MENU) api.contextMenus.create(m);
  });
});

async function open(pending) {
  await api.storage.session.set({ pending });
  await api.tabs.create({ url: api.runtime.getURL('app.html?pending=1') });
}

/** Handles a context-menu click; exported on `self` so tests can call it. */
async function handleMenu(info, tab) {
  if (info.menuItemId === 'ioclens-lookup' && info.selectionText) {
    await open({ text: info.selectionText, source: 'selection' });
    return;
  }
  if (info.menuItemId === 'ioclens-extract' && tab?.id !== undefined) {
    const [res] = await api.scripting.executeScript({
      target: { tabId: tab.id },
      func: () => document.body?.innerText ?? '',
    });
    await open({ text: String(res?.result ?? ''), source: tab.url ?? 'page' });
  }
}

api.contextMenus.onClicked.addListener((info, tab) => {
  handleMenu(info, tab).catch(() => {});
});

self.ioclensHandleMenu = handleMenu;

// ---------- intel pack schedule ----------

const ALARM = 'ioclens-pack';

/** (Re)creates the alarm from the settings: none without a pack URL. */
async function schedule() {
  const s = await loadSettings();
  await api.alarms.clear(ALARM);
  if (s.packUrl && s.packKey) {
    const every = Math.max(60 * s.packMaxAge, 30);
    await api.alarms.create(ALARM, { delayInMinutes: every, periodInMinutes: every });
  }
}

/** The alarm's work: download a newer pack as pending; exported on `self` so tests can call it. */
async function packAlarm() {
  const [s, server] = await Promise.all([loadSettings(), loadServer()]);
  return downloadPending(s, server);
}

api.runtime.onInstalled.addListener(() => {
  schedule().catch(() => {});
});
api.runtime.onStartup?.addListener(() => {
  schedule().catch(() => {});
});
api.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && ('packUrl' in changes || 'packKey' in changes || 'packMaxAge' in changes)) schedule().catch(() => {});
});
api.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) packAlarm().catch(() => {});
});

self.ioclensPackAlarm = packAlarm;
