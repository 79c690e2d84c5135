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
