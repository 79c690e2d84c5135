// Settings: the remote server URL and API key. In the extension they live in `chrome.storage.local` (never
// synced); on the standalone page, in this origin's `localStorage`. Never logged.
const KEYS = ['server', 'apiKey'];
const hasExt = () => Boolean(globalThis.chrome?.storage?.local);

/** `{server, apiKey}`; empty strings when unset. */
export async function load() {
  if (hasExt()) {
    const got = await chrome.storage.local.get(KEYS);
    return { server: got.server || '', apiKey: got.apiKey || '' };
  }
  return {
    server: localStorage.getItem('ioclens.server') || '',
    apiKey: localStorage.getItem('ioclens.apiKey') || '',
  };
}

/** Stores both values. */
export async function save({ server, apiKey }) {
  if (hasExt()) {
    await chrome.storage.local.set({ server, apiKey });
    return;
  }
  localStorage.setItem('ioclens.server', server);
  localStorage.setItem('ioclens.apiKey', apiKey);
}

/** `https://host:port` with no trailing slash, or an error message. */
export function normalizeServer(text) {
  const t = text.trim();
  if (!t) return { server: '' };
  let u;
  try {
    u = new URL(t);
  } catch {
    return { error: 'not a URL (expected http://host:port or https://host)' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: 'only http and https servers' };
  if (u.username || u.password) return { error: 'put the key in the API key field, not in the URL' };
  if (u.search || u.hash) return { error: 'no query string or fragment in the server URL' };
  return { server: `${u.origin}${u.pathname.replace(/\/+$/, '')}` };
}
