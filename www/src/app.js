// The ioclens page: one UI for the extension popup, the extension tab and the standalone page.
import * as core from './core.js';
import * as settingsStore from './settings.js';
import * as intel from './intel.js';
import * as packStore from './packstore.js';
import { STATUS_TEXT, enrich } from './remote.js';
import { attackUrl, copyButton, copyText, h } from './dom.js';

const $ = (id) => document.getElementById(id);
// Page-open marks (ms from navigation start) read by the browser test: boot (core.js started the wasm fetch and
// compile), start (this module ran), compiled, ready (instantiated), lookup (first answer), rendered (card in the
// DOM), painted (type, value and score on screen), firstLookup (card complete); lookupStart (the first lookup
// call began: `lookup - lookupStart` is what the first call into the core costs).
const timing = (globalThis.__ioclensTiming ??= {});
timing.start = performance.now();

const LOOKBACKS = ['1h', '24h', '7d', '30d', '90d'];
const SPL_PROFILES = ['cim', 'raw'];
const KQL_PROFILES = ['native', 'asim', 'defender'];
const queryOptions = { lookback: '7d', spl_profile: 'cim', kql_profile: 'native' };

let settings = { server: '', apiKey: '' };
let report = null; // { rows, filter, sortByScore }

function setBusy(text) {
  $('state').textContent = text;
}

function statusBadge(status, detail) {
  return h(
    'span',
    { class: `status status-${status}`, role: 'status', 'data-status': status, title: detail || '' },
    STATUS_TEXT[status] ?? status,
    detail ? ` (${detail})` : '',
  );
}

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, `Error: ${e?.message || e}`);
}

// ---------- the enrichment card ----------

function gauge(score) {
  return h(
    'div',
    { class: 'gauge' },
    h('meter', {
      min: 0,
      max: 100,
      low: 30,
      high: 60,
      optimum: 0,
      value: score.score,
      'aria-label': `risk score ${score.score} of 100`,
    }),
    h('span', { class: `score level-${score.level}`, 'data-field': 'score' }, String(score.score)),
    h('span', { class: `level level-${score.level}`, 'data-field': 'level' }, score.level),
    h('span', { class: 'confidence', 'data-field': 'confidence' }, `confidence ${score.confidence}`),
    h('span', { class: 'verdict' }, `verdict ${score.verdict}`),
  );
}

function factorList(score) {
  if (!score.factors?.length) return null;
  return h(
    'section',
    { class: 'factors', 'aria-label': 'score factors' },
    h('h3', {}, 'Why this score'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Factor'), h('th', { scope: 'col' }, 'Source'),
        h('th', { scope: 'col' }, 'Points'), h('th', { scope: 'col' }, 'Detail'))),
      h('tbody', {}, score.factors.map((f) =>
        h('tr', {}, h('td', {}, f.name), h('td', {}, f.source),
          h('td', { class: 'num' }, f.contribution > 0 ? `+${f.contribution}` : String(f.contribution)),
          h('td', {}, f.detail ?? '')))),
    ),
  );
}

function hitList(hits) {
  return h(
    'section',
    { class: 'hits', 'aria-label': 'warninglist and intel hits' },
    h('h3', {}, 'Lists and intel'),
    hits?.length
      ? h('ul', {}, hits.map((x) => h('li', { 'data-list': x.list, 'data-role': x.role },
        h('strong', {}, x.list), ` (${x.role})`, x.matched ? ` matched ${x.matched}` : '',
        x.detail ? `: ${x.detail}` : '')))
      : h('p', { class: 'muted' }, 'On no embedded list (not found is not proof of safety).'),
  );
}

function techniqueChips(r) {
  const list = r.attack?.length ? r.attack : (r.mitre_techniques ?? []).map((t) => ({ ...t, tactics: [] }));
  return h(
    'section',
    { class: 'attack', 'aria-label': 'ATT&CK techniques' },
    h('h3', {}, 'ATT&CK'),
    list.length
      ? h('ul', { class: 'chips' }, list.map((t) => {
        const url = attackUrl(t.id);
        const tactics = (t.tactics ?? []).map((x) => x.name).join(', ');
        const label = [t.id, t.name, tactics].filter(Boolean).join(' · ');
        const body = [h('span', { class: 'chip-id' }, t.id), t.name ? ` ${t.name}` : '',
          tactics ? h('span', { class: 'chip-tactic' }, tactics) : ''];
        return h('li', { 'data-technique': t.id, title: t.reason || '' },
          url ? h('a', { class: 'chip', href: url, target: '_blank', rel: 'noopener noreferrer',
            'aria-label': label }, body) : h('span', { class: 'chip' }, body));
      }))
      : h('p', { class: 'muted' }, 'No technique mapped.'),
  );
}

function select(id, label, values, current, onChange) {
  const s = h('select', { id }, values.map((v) => h('option', { value: v, selected: v === current }, v)));
  s.addEventListener('change', () => onChange(s.value));
  return h('label', { for: id }, `${label} `, s);
}

function codeBlock(target, title, text) {
  const code = h('code', {}, text || '');
  return h(
    'figure',
    { class: 'query', 'data-target': target },
    h('figcaption', {}, h('span', {}, title),
      text ? copyButton(`Copy ${title} query`, () => code.textContent) : h('span', { class: 'muted' }, 'none')),
    h('pre', { tabindex: 0, 'aria-label': `${title} query` }, code),
  );
}

function sigmaOf(huntResult) {
  return (huntResult?.groups ?? []).flatMap((g) => g.sigma ?? []).map((q) => q.query).join('\n---\n');
}

function queryControls(onChange, idPrefix) {
  const set = (k) => (v) => {
    queryOptions[k] = v;
    onChange();
  };
  return h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'query options' },
    select(`${idPrefix}-lookback`, 'Lookback', LOOKBACKS, queryOptions.lookback, set('lookback')),
    select(`${idPrefix}-spl`, 'SPL profile', SPL_PROFILES, queryOptions.spl_profile, set('spl_profile')),
    select(`${idPrefix}-kql`, 'KQL profile', KQL_PROFILES, queryOptions.kql_profile, set('kql_profile')),
  );
}

function queriesFor(r) {
  const blocks = h('div', { class: 'blocks' });
  const fill = (res) => {
    let sigma = '';
    try {
      sigma = sigmaOf(core.hunt([{ type: res.ioc_type, value: res.ioc_value }], { ...queryOptions, targets: ['sigma'] }));
    } catch {
      sigma = '';
    }
    blocks.replaceChildren(
      codeBlock('spl', 'Splunk SPL', res.hunting?.splunk_query),
      codeBlock('kql', 'Sentinel KQL', res.hunting?.kql_query),
      codeBlock('sigma', 'Sigma', sigma),
    );
  };
  fill(r);
  const rerun = () => {
    try {
      fill(core.lookup(r.classification.input || r.ioc_value, { query: { ...queryOptions } }));
    } catch (e) {
      blocks.replaceChildren(errorBox(e));
    }
  };
  return h(
    'section',
    { class: 'queries', 'aria-label': 'hunting queries' },
    h('h3', {}, 'Hunt'),
    r.hunting?.detection_guidance ? h('p', { class: 'guidance' }, r.hunting.detection_guidance) : null,
    queryControls(rerun, 'card'),
    blocks,
  );
}

/** Resolves once the browser has painted the current DOM (after 100 ms at most: a hidden tab paints nothing). */
function afterPaint() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => {
      clearTimeout(timer);
      resolve();
    }, 0));
  });
}

/** The card in two parts: `article` holds type, value, defanged form and score (the first paint); `complete()`
 * appends factors, hits, techniques, queries and diagnostics and sets `data-complete`. */
function card(r, remote) {
  const c = r.classification ?? {};
  const fanged = core.defang(r.ioc_value, r.ioc_type);
  const article = h(
    'article',
    { class: 'card', id: 'card', 'data-type': r.ioc_type, 'data-complete': 'false', 'aria-label': 'enrichment card' },
    h('header', {},
      h('span', { class: `type type-${r.ioc_type}`, 'data-field': 'type' }, r.ioc_type),
      h('code', { class: 'canonical', 'data-field': 'canonical' }, r.ioc_value),
      statusBadge(remote.status, remote.detail)),
    r.ioc_type === 'unknown'
      ? h('p', { class: 'muted' }, c.reason ? `Not an indicator: ${c.reason}` : 'Not an indicator.')
      : fanged === r.ioc_value ? null
      : h('p', { class: 'defanged' }, 'Defanged: ', h('code', { 'data-field': 'defanged' }, fanged), ' ',
        copyButton('Copy defanged value', () => fanged)),
    gauge(r.score),
    r.malware_family ? h('p', {}, 'Malware family: ', h('strong', {}, r.malware_family)) : null,
  );
  const complete = () => {
    article.append(...[
      factorList(r.score),
      hitList(r.hits),
      techniqueChips(r),
      r.ioc_type === 'unknown' ? null : queriesFor(r),
      r.diagnostics?.length
        ? h('ul', { class: 'diagnostics' }, r.diagnostics.map((d) => h('li', {}, `${d.code}: ${d.message}`)))
        : null,
    ].filter(Boolean));
    article.dataset.complete = 'true';
    return article;
  };
  return { article, complete };
}

async function showCard(value, { back } = {}) {
  const out = $('result');
  let local;
  try {
    timing.lookupStart ??= performance.now();
    local = core.lookup(value, { query: { ...queryOptions } });
    timing.lookup ??= performance.now();
  } catch (e) {
    out.replaceChildren(errorBox(e));
    return null;
  }
  const nav = back ? h('button', { type: 'button', class: 'back', onclick: back }, '← Back to report') : null;
  // Type, value and score are painted first; the rest of the card (queries, one more core call) follows.
  const first = card(local, { status: 'disabled', detail: settings.server ? 'asking the server…' : 'no server configured' });
  out.replaceChildren(...(nav ? [nav] : []), first.article);
  timing.rendered ??= performance.now();
  await afterPaint();
  timing.painted ??= performance.now();
  first.complete();
  if (settings.server) {
    const remote = await enrich(local, settings);
    out.replaceChildren(...(nav ? [nav] : []), card(remote.result, remote).complete());
  }
  $('card')?.focus?.();
  return local;
}

// ---------- the report table ----------

function renderReport() {
  const { rows, filter, sortByScore, about } = report;
  // A document's rows say which parts (page, header, attachment) mention them.
  const hasParts = Boolean(about);
  let shown = filter ? rows.filter((r) => r.type === filter) : rows.slice();
  if (sortByScore) shown.sort((a, b) => b.score - a.score || a.value.localeCompare(b.value));
  const types = [...new Set(rows.map((r) => r.type))];
  const typeSel = h('select', { id: 'type-filter' }, h('option', { value: '' }, 'all types'),
    types.map((t) => h('option', { value: t, selected: t === filter }, t)));
  typeSel.addEventListener('change', () => {
    report.filter = typeSel.value;
    renderReport();
    $('type-filter').focus();
  });
  const sortBtn = h('button', { type: 'button', id: 'sort-score', 'aria-pressed': String(sortByScore) },
    sortByScore ? 'Sorted by score' : 'Sort by score');
  sortBtn.addEventListener('click', () => {
    report.sortByScore = !report.sortByScore;
    renderReport();
    $('sort-score').focus();
  });
  const copyAll = h('button', { type: 'button', id: 'copy-defanged', 'aria-label': 'Copy all shown indicators, defanged' },
    'Copy all (defanged)');
  copyAll.addEventListener('click', () => copyText(shown.map((r) => core.defang(r.value, r.type)).join('\n'), copyAll));

  const table = h('table', { class: 'report', id: 'report-table' },
    h('caption', {}, `${shown.length} of ${rows.length} indicators`),
    h('thead', {}, h('tr', {}, ['Type', 'Indicator', 'Score', 'Level', 'Seen', ...(hasParts ? ['Where'] : [])]
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, shown.map((r) => h('tr', { 'data-type': r.type, 'data-value': r.value },
      h('td', {}, r.type),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openFromReport(r.value) },
        core.defang(r.value, r.type))),
      h('td', { class: 'num' }, String(r.score)),
      h('td', { class: `level-${r.level}` }, r.level),
      h('td', { class: 'num' }, `${r.count}×${r.implied ? ' (implied)' : ''}`),
      ...(hasParts ? [h('td', { class: 'parts' }, partsText(r.parts))] : [])))));

  $('result').replaceChildren(h('section', { class: 'report-view', id: 'report', 'aria-label': 'report' },
    about ?? null,
    h('div', { class: 'controls' }, h('label', { for: 'type-filter' }, 'Type ', typeSel), sortBtn, copyAll,
      statusBadge('disabled', settings.server ? 'table scores are local; a card asks the server' : 'no server configured')),
    table, combinedHunt(rows)));
}

function combinedHunt(rows) {
  const blocks = h('div', { class: 'blocks' });
  const fill = () => {
    try {
      const res = core.hunt(rows.filter((r) => !r.implied).map((r) => ({ type: r.type, value: r.value })),
        { ...queryOptions, targets: ['spl', 'kql', 'sigma'] });
      const join = (k) => res.groups.flatMap((g) => g[k] ?? []).map((q) => q.query).join(k === 'sigma' ? '\n---\n' : '\n\n');
      blocks.replaceChildren(codeBlock('spl', 'Splunk SPL', join('spl')), codeBlock('kql', 'Sentinel KQL', join('kql')),
        codeBlock('sigma', 'Sigma', join('sigma')),
        ...(res.lookup_csv ? [codeBlock('csv', 'Lookup / watchlist CSV', res.lookup_csv)] : []));
    } catch (e) {
      blocks.replaceChildren(errorBox(e));
    }
  };
  fill();
  return h('section', { class: 'queries', 'aria-label': 'combined hunt' }, h('h3', {}, 'Combined hunt'),
    queryControls(fill, 'report'), blocks);
}

async function openFromReport(value) {
  await showCard(value, { back: () => renderReport() });
}

function showReport(text) {
  let ex;
  try {
    ex = core.extract(text);
  } catch (e) {
    $('result').replaceChildren(errorBox(e));
    return;
  }
  report = { rows: scoreRows(ex.unique), filter: '', sortByScore: false };
  renderReport();
}

/** The report rows of an extraction's `unique` list, each scored locally. */
function scoreRows(unique) {
  return unique.map((u) => {
    let score = 0;
    let level = 'info';
    try {
      const r = core.lookup(u.canonical, { type: u.type, hunting: false });
      score = r.risk.score;
      level = r.risk.level;
    } catch {
      // Shown as 0 / info; the card gives the error when opened.
    }
    return { type: u.type, value: u.canonical, count: u.count, implied: Boolean(u.implied), score, level,
      parts: u.parts ?? [] };
  });
}

// ---------- documents (a dropped or opened file) ----------

// The documents script, imported only when a file is given (docs/www.md, "Documents"). A literal specifier (Mozilla's
// linter refuses a computed one); build.mjs keeps it out of the bundle and renames it to the hashed file.
const readDocumentModule = () => import('./documents.js');

/** Reads a file through the documents module and shows its indicators as a report (with the parts each came
 * from, the attachments' digests and why anything could not be read). */
async function analyseFile(file) {
  if (!file) return;
  setBusy(`reading ${file.name}…`);
  let doc;
  try {
    const [{ readDocument }, bytes] = await Promise.all([readDocumentModule(), file.arrayBuffer(), core.ready]);
    doc = await readDocument(new Uint8Array(bytes));
  } catch (e) {
    setBusy('ready');
    $('result').replaceChildren(errorBox(e));
    return;
  }
  setBusy('ready');
  const about = h('section', { class: 'document', id: 'document', 'data-format': doc.format, 'aria-label': 'document' },
    h('p', {}, h('strong', {}, file.name), ` read as ${doc.format}: ${doc.parts.length} part${doc.parts.length === 1 ? '' : 's'}, `,
      `${doc.iocs.length} mention${doc.iocs.length === 1 ? '' : 's'}`),
    doc.attachments?.length
      ? h('ul', { class: 'attachments' }, doc.attachments.map((a) => h('li', { 'data-sha256': a.sha256 },
        `${a.name ?? a.part} (${a.content_type}, ${a.size} bytes): SHA-256 `, h('code', {}, a.sha256))))
      : null,
    doc.diagnostics?.length
      ? h('ul', { class: 'diagnostics' }, doc.diagnostics.map((d) => h('li', { 'data-code': d.code }, `${d.code}: ${d.message}`)))
      : null);
  report = { rows: scoreRows(doc.unique), filter: '', sortByScore: false, about };
  renderReport();
}

function acceptFiles() {
  const input = $('file');
  input.addEventListener('change', () => {
    analyseFile(input.files?.[0]);
    input.value = '';
  });
  // Anywhere on the page: a file dragged over it is dropped into it, never opened by the browser instead.
  const zone = document.body;
  zone.addEventListener('dragover', (ev) => {
    if (![...(ev.dataTransfer?.types ?? [])].includes('Files')) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dropping');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dropping'));
  zone.addEventListener('drop', (ev) => {
    const file = ev.dataTransfer?.files?.[0];
    zone.classList.remove('dropping');
    if (!file) return;
    ev.preventDefault();
    analyseFile(file);
  });
}

/** At most three part names, then how many more. */
function partsText(parts) {
  return parts.length > 3 ? `${parts.slice(0, 3).join(', ')} (+${parts.length - 3})` : parts.join(', ');
}

// ---------- input ----------

/** One indicator (no inner whitespace and classified) → card; anything else → report. */
async function analyse(text) {
  const t = text.trim();
  if (!t) return;
  await core.ready;
  const single = !/\s/u.test(t) || core.classify(t).type !== 'unknown';
  if (single || !core.extract(t).unique.length) await showCard(t);
  else showReport(t);
}

async function pending() {
  const params = new URLSearchParams(location.search);
  const q = params.get('q');
  if (q) return { text: q };
  if (params.has('pending') && globalThis.chrome?.storage?.session) {
    const { pending: p } = await chrome.storage.session.get('pending');
    await chrome.storage.session.remove('pending');
    return p ?? null;
  }
  return null;
}

async function main() {
  if (new URLSearchParams(location.search).has('popup')) document.documentElement.classList.add('popup');
  $('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    analyse($('input').value);
  });
  acceptFiles();
  const optionsLink = $('options-link');
  if (globalThis.chrome?.runtime?.openOptionsPage) {
    optionsLink.addEventListener('click', (ev) => {
      ev.preventDefault();
      chrome.runtime.openOptionsPage();
    });
  }
  // Settings and the pending text are read while the module compiles; nothing else waits before the first card.
  let p;
  let packSettings;
  [, settings, p, packSettings] = await Promise.all([core.ready, settingsStore.load(), pending(), packStore.loadSettings()]);
  $('server-state').replaceChildren(settings.server ? `server: ${settings.server}` : 'no server: local only');
  showPack(packSettings.packUrl ? await intel.loadKept(packSettings).catch(packFailed) : { status: 'off' });
  setBusy('ready');
  if (p?.text) {
    $('input').value = p.text;
    await analyse(p.text);
    timing.firstLookup = performance.now();
  }
  $('version').textContent = `ioclens ${core.version().version}`;
  document.body.dataset.ready = 'true';
  // A pack older than its configured age is downloaded again after the first card (later lookups use it).
  const next = await intel.refreshIfDue(packSettings, settings).catch(packFailed);
  if (next) showPack(next);
}

/** The header's intel pack line (intel.js); `data-status` is its state word. */
function showPack(state) {
  const el = $('intel-state');
  el.dataset.status = state.status;
  el.classList.toggle('error', state.status === 'refused' || state.status === 'failed');
  el.textContent = state.status === 'off' ? '' : intel.describe(state);
}

const packFailed = (e) => ({ status: 'failed', error: String(e?.message || e) });

main().catch((e) => {
  setBusy('failed to start');
  $('result').replaceChildren(errorBox(e));
});
