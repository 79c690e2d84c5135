// Remote scoring, fail-open: the core builds the request and merges the answer; this file only does the fetch.
import * as core from './core.js';

const TIMEOUT_MS = 5000;

/**
 * What the UI shows next to every result, keyed by the core's `score.remote_status` words (`merge_remote` decides
 * them; the connection test below answers in the same words).
 */
export const STATUS_TEXT = {
  ok: 'ok: remote score merged',
  disabled: 'local result only',
  timeout: 'timeout: local result only',
  rate_limited: 'rate-limited: local result only',
  error: 'error: local result only',
};

/** Sends a built request (`{method, path, query, headers}`) to `server`; never throws. */
export async function send(server, apiKey, req) {
  const url = new URL(req.path.replace(/^\/+/, ''), `${server}/`);
  for (const [k, v] of req.query) url.searchParams.append(k, v);
  const headers = new Headers(req.headers);
  if (apiKey) headers.set('Authorization', `Bearer ${apiKey}`);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, { method: req.method, headers, signal: ctl.signal, credentials: 'omit' });
    const text = await res.text();
    let body = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the core is given the text and reports an error status.
    }
    return { status: res.status, response: body };
  } catch (e) {
    const timedOut = e?.name === 'AbortError';
    return { status: 0, error: timedOut ? 'timeout' : 'server unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Merges a remote answer into a local lookup result when a server is configured.
 * Returns `{result, status, detail}`: status is the core's `score.remote_status` of the result.
 */
export async function enrich(local, settings) {
  const localStatus = local.score?.remote_status ?? 'disabled';
  if (!settings.server) return { result: local, status: localStatus, detail: 'no server configured' };
  const req = core.remoteRequest(local.ioc_value, local.ioc_type);
  if (!req) return { result: local, status: localStatus, detail: 'this type is not sent to the server' };
  const answer = await send(settings.server, settings.apiKey, req);
  let merged;
  try {
    merged = core.mergeRemote({
      local,
      status: answer.status,
      response: answer.response ?? null,
      error: answer.error ?? null,
    });
  } catch (e) {
    return { result: local, status: localStatus, detail: `merge failed: ${e?.message || e}` };
  }
  const status = merged.score?.remote_status ?? localStatus;
  let detail = answer.status ? `HTTP ${answer.status}` : answer.error || 'no answer';
  if (status === 'ok') detail = 'remote answer merged';
  return { result: merged, status, detail };
}

/** The "test connection" check: health without a key, then one keyed lookup (answered in the core's words). */
export async function testConnection(settings) {
  if (!settings.server) return { status: 'disabled', detail: 'no server configured' };
  const health = await send(settings.server, '', {
    method: 'GET',
    path: '/api/v1/health',
    query: [],
    headers: [['Accept', 'application/json']],
  });
  if (health.status === 0) return { status: health.error === 'timeout' ? 'timeout' : 'error', detail: health.error };
  if (health.status !== 200) return { status: 'error', detail: `health: HTTP ${health.status}` };
  const probe = await send(settings.server, settings.apiKey, {
    method: 'GET',
    path: '/api/v1/lookup',
    query: [['ioc', '8.8.8.8']],
    headers: [['Accept', 'application/json']],
  });
  const version = health.response?.version ? ` (server ${health.response.version})` : '';
  if (probe.status === 200) return { status: 'ok', detail: `key accepted${version}` };
  if (probe.status === 429) return { status: 'rate_limited', detail: 'HTTP 429: key over its rate limit' };
  const code = probe.response?.error?.code;
  return { status: 'error', detail: `lookup: HTTP ${probe.status}${code ? ` ${code}` : ''}` };
}
