// Intel pack settings, storage and download (docs/www.md, "Intel packs"). No core here: the extension's service
// worker imports this file too, downloads on its alarm and leaves the bytes as `pending`; the next page hands
// them to the core (intel.js), which decides. Settings live where the server settings do (chrome.storage.local
// in the extension, localStorage on the page); the pack bytes and the last check's state in IndexedDB.
const KEYS = ['packUrl', 'packKey', 'packMaxAge'];
/** Hours between two downloads when none is set. */
export const DEFAULT_MAX_AGE_HOURS = 6;
/** Largest pack accepted from the network (bytes). */
export const MAX_BYTES = 512 << 20;
const TIMEOUT_MS = 60000;
const ext = () => globalThis.chrome?.storage?.local;

/** `{packUrl, packKey, packMaxAge}` (hours); empty strings and the default when unset. */
export async function loadSettings() {
  const got = ext()
    ? await chrome.storage.local.get(KEYS)
    : Object.fromEntries(KEYS.map((k) => [k, globalThis.localStorage?.getItem(`ioclens.${k}`)]));
  const age = Number(got.packMaxAge);
  return {
    packUrl: got.packUrl || '',
    packKey: got.packKey || '',
    packMaxAge: Number.isFinite(age) && age >= 0 && got.packMaxAge !== '' && got.packMaxAge != null ? age : DEFAULT_MAX_AGE_HOURS,
  };
}

/** Stores the three settings. */
export async function saveSettings({ packUrl, packKey, packMaxAge }) {
  const s = { packUrl, packKey, packMaxAge: String(packMaxAge) };
  if (ext()) await chrome.storage.local.set(s);
  else for (const k of KEYS) localStorage.setItem(`ioclens.${k}`, s[k]);
}

/** The pack URL as typed → `{url}` (http/https, no credentials), or `{error}`. */
export function normalizePackUrl(text) {
  const t = text.trim();
  if (!t) return { url: '' };
  let u;
  try {
    u = new URL(t);
  } catch {
    return { error: 'the pack URL is not a URL (expected https://host/api/v1/intel/pack)' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: 'only http and https pack URLs' };
  if (u.username || u.password) return { error: 'no credentials in the pack URL (the API key field is sent)' };
  return { url: u.href };
}

// ---------- IndexedDB: records `current` (the pack the core accepted), `pending`, `state` ----------

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('ioclens-intel', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('intel');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, work) {
  const d = await db();
  try {
    return await new Promise((resolve, reject) => {
      const t = d.transaction('intel', mode);
      const r = work(t.objectStore('intel'));
      t.oncomplete = () => resolve(r?.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    d.close();
  }
}

/** The stored record `name` (`current`, `pending`, `state`), or undefined. */
export const get = (name) => tx('readonly', (s) => s.get(name));
/** Stores `value` as `name`. */
export const put = (name, value) => tx('readwrite', (s) => s.put(value, name));
/** Deletes `name`. */
export const remove = (name) => tx('readwrite', (s) => s.delete(name));

/** Merges `fields` into the stored state (the last check: status, error, dates, the core's answer). */
export async function setState(fields) {
  const next = { ...((await get('state')) ?? {}), ...fields };
  await put('state', next);
  return next;
}

/** True when the last check is older than the configured age (or there was none). */
export async function due(settings, now = Date.now()) {
  const state = await get('state');
  if (!state?.checkedAt || state.url !== settings.packUrl) return true;
  return now - state.checkedAt >= settings.packMaxAge * 3600 * 1000;
}

async function getWithTimeout(url, headers) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    return await fetch(url, { headers, signal: ctl.signal, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new Error(e?.name === 'AbortError' ? `${url}: no answer within ${TIMEOUT_MS / 1000} s` : `${url}: cannot reach the server`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET packUrl` with `If-None-Match: etag` (and the API key as `Authorization: Bearer` when the pack comes from
 * the configured server's origin, never elsewhere) → `{status: 200|304, bytes, signature, etag}`; the signature
 * is the `X-Ioclens-Signature` header, else the text of `<packUrl>.sig` (a static host). Throws an Error whose
 * message says why there is no pack (HTTP status, timeout, size); never the key.
 */
export async function download(packUrl, { etag, server, apiKey } = {}) {
  const headers = new Headers({ Accept: 'application/octet-stream' });
  if (apiKey && server && new URL(packUrl).origin === new URL(server).origin) headers.set('Authorization', `Bearer ${apiKey}`);
  if (etag) headers.set('If-None-Match', etag);
  const res = await getWithTimeout(packUrl, headers);
  if (res.status === 304) return { status: 304, etag: res.headers.get('etag') || etag };
  if (!res.ok) throw new Error(`${packUrl}: HTTP ${res.status}`);
  if (Number(res.headers.get('content-length')) > MAX_BYTES) throw new Error(`${packUrl}: larger than ${MAX_BYTES} bytes`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_BYTES) throw new Error(`${packUrl}: larger than ${MAX_BYTES} bytes`);
  let signature = res.headers.get('x-ioclens-signature');
  if (!signature) {
    headers.delete('If-None-Match');
    const sig = await getWithTimeout(`${packUrl}.sig`, headers);
    if (!sig.ok) throw new Error(`${packUrl}: no X-Ioclens-Signature header and ${packUrl}.sig: HTTP ${sig.status}`);
    signature = await sig.text();
  }
  return { status: 200, bytes, signature: signature.trim(), etag: res.headers.get('etag') };
}

/** The service worker's scheduled download: a new pack is stored as `pending` (the next page verifies it). */
export async function downloadPending(settings, server) {
  if (!settings.packUrl) return null;
  const current = await get('current');
  const etag = current?.url === settings.packUrl ? current.etag : undefined;
  try {
    const got = await download(settings.packUrl, { etag, ...server });
    if (got.status === 200) await put('pending', { ...got, url: settings.packUrl, fetchedAt: Date.now() });
    return setState({ url: settings.packUrl, checkedAt: Date.now(), download: got.status === 200 ? 'pending' : 'not_modified' });
  } catch (e) {
    return setState({ url: settings.packUrl, checkedAt: Date.now(), status: 'failed', error: e.message });
  }
}
