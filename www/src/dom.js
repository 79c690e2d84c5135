// Small DOM helpers. Every value reaches the page through text nodes or setAttribute, never through HTML
// parsing, so an indicator like `<img src=x onerror=alert(1)>` is shown as text.

/** Builds an element: `h('a', { href, class: 'chip' }, 'text', child)`. Strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Copies `text`; the button says so for a moment. Falls back to a hidden textarea where the API is refused. */
export async function copyText(text, button) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const ta = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
  }
  if (button) {
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => {
      button.textContent = label;
    }, 1500);
  }
  return ok;
}

/** A copy button for `getText()`, labelled for screen readers. */
export function copyButton(label, getText) {
  const b = h('button', { type: 'button', class: 'copy', 'aria-label': label }, 'Copy');
  b.addEventListener('click', () => copyText(getText(), b));
  return b;
}

/** Defangs a canonical value for display, by the rules of the core's `normalize::defang` (a port: the wasm
 * module exports no defang and the lookup answer carries no defanged form; see docs/www.md). */
export function defang(canonical) {
  const p = canonical.indexOf('://');
  if (p >= 0) {
    const scheme = canonical.slice(0, p);
    const rest = canonical.slice(p + 3);
    const map = { http: 'hxxp', https: 'hxxps', ftp: 'fxp', ftps: 'fxps' };
    const out = map[scheme.toLowerCase()] ?? scheme;
    let end = rest.search(/[/?#]/);
    if (end < 0) end = rest.length;
    return `${out}://${rest.slice(0, end).replaceAll('.', '[.]')}${rest.slice(end)}`;
  }
  const at = canonical.indexOf('@');
  if (at >= 0 && !/\s/u.test(canonical)) {
    return `${canonical.slice(0, at)}[@]${canonical.slice(at + 1).replaceAll('.', '[.]')}`;
  }
  if (canonical.includes('.') && /^[A-Za-z0-9_.-]+$/.test(canonical)) {
    // A name whose last label is all digits is not a domain (no TLD is numeric): only an IPv4 address, where
    // every label is numeric, is defanged; `T1547.001` stays as it is.
    const numeric = (l) => /^\d+$/.test(l);
    const labels = canonical.split('.');
    if (!numeric(labels.at(-1)) || labels.every(numeric)) return canonical.replaceAll('.', '[.]');
  }
  return canonical;
}

/** The attack.mitre.org page of a technique, tactic, group or software id; `null` for anything else. */
export function attackUrl(id) {
  let m = /^T(\d{4})(?:\.(\d{3}))?$/.exec(id);
  if (m) return `https://attack.mitre.org/techniques/T${m[1]}/${m[2] ? `${m[2]}/` : ''}`;
  m = /^(TA|G|S|M|C)(\d{4})$/.exec(id);
  if (m) {
    const dir = { TA: 'tactics', G: 'groups', S: 'software', M: 'mitigations', C: 'campaigns' }[m[1]];
    return `https://attack.mitre.org/${dir}/${id}/`;
  }
  return null;
}
