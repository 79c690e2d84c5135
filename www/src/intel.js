// Intel packs in the pages: the kept pack is handed to the core at start (`loadPack`: the core verifies the
// signature with the configured public key, then the checksum and records; a refusal is its error message, shown
// as it is), a download the service worker left pending is verified the same way, and a pack older than the
// configured age is downloaded again (conditionally: `If-None-Match`). Only a pack the core accepted is kept.
import * as core from './core.js';
import * as store from './packstore.js';

/**
 * The state words the UI shows (`data-status`): `ok` a pack is loaded (new or kept), `not_modified` the server's
 * pack is the kept one, `refused` the core refused a pack (its reason in `error`), `failed` no download
 * (`error` says why), `off` no pack configured. `entries`, `createdAt` and `sources` are the core's answer.
 */
export const PACK_TEXT = {
  ok: 'intel pack loaded',
  not_modified: 'intel pack current',
  refused: 'intel pack refused',
  failed: 'intel pack download failed',
  off: 'no intel pack',
  busy: 'downloading the intel pack…',
};

function accept(answer) {
  return { entries: answer.entries, createdAt: answer.created_at, sources: answer.sources };
}

/** Hands a stored pack record to the core; → the core's answer, or throws its error. */
const hand = (rec, key) => core.loadPack(new Uint8Array(rec.bytes), rec.signature, key);

/**
 * At page start (after the core is ready): verify and promote a pending download, else load the kept pack.
 * → the state record (never throws: a refused pack leaves the embedded intel).
 */
export async function loadKept(settings) {
  if (!settings.packUrl || !settings.packKey) return { status: 'off' };
  const [pending, current] = await Promise.all([store.get('pending'), store.get('current'), core.ready]);
  if (pending) {
    await store.remove('pending');
    try {
      const answer = hand(pending, settings.packKey);
      await store.put('current', pending);
      return store.setState({ status: 'ok', error: '', fetchedAt: pending.fetchedAt, ...accept(answer) });
    } catch (e) {
      await store.setState({ status: 'refused', error: e.message });
    }
  }
  if (!current) return (await store.get('state')) ?? { status: 'off' };
  try {
    const answer = hand(current, settings.packKey);
    const state = (await store.get('state')) ?? {};
    return { ...state, ...accept(answer), status: state.status === 'refused' || state.status === 'failed' ? state.status : 'ok' };
  } catch (e) {
    return store.setState({ status: 'refused', error: `kept pack refused: ${e.message}`, entries: null });
  }
}

/** Downloads now (conditionally), lets the core decide, keeps an accepted pack. → the new state. */
export async function refresh(settings, server) {
  if (!settings.packUrl) return { status: 'off' };
  const [current] = await Promise.all([store.get('current'), core.ready]);
  const etag = current?.url === settings.packUrl ? current.etag : undefined;
  const base = { url: settings.packUrl, checkedAt: Date.now(), error: '' };
  let got;
  try {
    got = await store.download(settings.packUrl, { etag, ...server });
  } catch (e) {
    return store.setState({ ...base, status: 'failed', error: e.message });
  }
  if (got.status === 304) {
    try {
      return store.setState({ ...base, status: 'not_modified', ...accept(hand(current, settings.packKey)) });
    } catch (e) {
      return store.setState({ ...base, status: 'refused', error: `kept pack refused: ${e.message}`, entries: null });
    }
  }
  let answer;
  try {
    answer = hand(got, settings.packKey);
  } catch (e) {
    // Refused: nothing is kept; the pack loaded before (if any) stays in the core.
    return store.setState({ ...base, status: 'refused', error: e.message });
  }
  await store.put('current', { ...got, url: settings.packUrl, fetchedAt: base.checkedAt });
  return store.setState({ ...base, status: 'ok', fetchedAt: base.checkedAt, ...accept(answer) });
}

/** Downloads when the last check is older than the configured age. → the new state, or null (not due). */
export async function refreshIfDue(settings, server) {
  if (!settings.packUrl || !settings.packKey || !(await store.due(settings))) return null;
  return refresh(settings, server);
}

/** One line for the UI: `intel pack 2026-12-01 · 12,345 entries` / the refusal. */
export function describe(state) {
  const parts = [PACK_TEXT[state?.status] ?? state?.status ?? PACK_TEXT.off];
  if (state?.entries != null && state.createdAt) {
    parts.push(`${new Date(state.createdAt * 1000).toISOString().slice(0, 10)} · ${state.entries.toLocaleString('en')} entries`);
  }
  if (state?.error) parts.push(state.error);
  return parts.join(' · ');
}
