// Small DOM helpers. Text always goes in through textContent or text nodes;
// nothing here ever assigns innerHTML, so data from the server cannot inject markup.

import { markI18n } from './i18n.js';

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'type', 'name', 'id', 'htmlFor']);

/**
 * Create an element.
 *   h('button', { class: 'btn', testid: 'save', onclick: fn, t: 'common.save' })
 * Attribute keys:
 *   class        className
 *   testid       data-testid
 *   t / tArgs    translated text (kept up to date when the language changes)
 *   tPlaceholder translated placeholder, tLabel translated aria-label, tTitle translated title
 *   on<event>    event listener (function)
 *   value, checked, disabled, hidden, selected, ...  set as properties
 *   anything else: setAttribute (null/undefined/false are skipped)
 * Children: strings and numbers become text nodes, arrays are flattened, null/false skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, val] of Object.entries(attrs)) {
      if (val === undefined || val === null || val === false) continue;
      if (key === 'class') el.className = val;
      else if (key === 'testid') el.setAttribute('data-testid', val);
      else if (key === 't') markI18n(el, 'text', val, attrs.tArgs);
      else if (key === 'tArgs') continue;
      else if (key === 'tPlaceholder') markI18n(el, 'placeholder', val);
      else if (key === 'tLabel') markI18n(el, 'aria-label', val);
      else if (key === 'tTitle') markI18n(el, 'title', val);
      else if (key.startsWith('on') && typeof val === 'function') el.addEventListener(key.slice(2), val);
      else if (PROPS.has(key)) el[key] = val;
      else el.setAttribute(key, val === true ? '' : String(val));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

/** A translated text span. */
export function tx(key, args) {
  return h('span', { t: key, tArgs: args });
}

/** Spinner with a translated, screen-reader visible label. */
export function loading(key = 'common.loading') {
  return h('div', { class: 'loading', role: 'status', testid: 'loading' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), tx(key));
}

/**
 * Put a button into the busy state while `work` runs: disabled, spinner, aria-busy.
 * Returns whatever `work` returns (or rethrows).
 */
export async function withBusy(button, work) {
  setBusy(button, true);
  try {
    return await work();
  } finally {
    setBusy(button, false);
  }
}

export function setBusy(button, busy) {
  if (!button) return;
  button.disabled = busy;
  button.classList.toggle('busy', busy);
  if (busy) button.setAttribute('aria-busy', 'true');
  else button.removeAttribute('aria-busy');
}

/** A unique id for label/aria wiring. */
let idSeq = 0;
export function uid(prefix = 'f') {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/** A labelled form field. Returns { wrap, input }. */
export function field({ name, label, type = 'text', hint, input: custom, attrs = {} }) {
  const id = uid(name);
  const input = custom || h('input', { type, name, id, ...attrs });
  if (custom) { input.id = id; input.name = name; }
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint`, t: hint }) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  const wrap = h('div', { class: 'field', 'data-field': name },
    h('label', { htmlFor: id, t: label }), input, hintEl);
  return { wrap, input };
}

