// Service worker: the two context-menu entries. Selected text or the page's text is handed to the ioclens page
// through chrome.storage.session (never synced, gone when the browser closes).
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
