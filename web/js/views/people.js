// The people registry of the commune health station and the officials above it (docs/api.md
// "People"): one search box for a name (with or without diacritics), a phone, a CCCD or CMND, a
// BHYT number or the code printed on a card; ticking people to print their cards ten to an A4
// sheet; and registering a new person.  A person's own page is people-person.js.

import { h, replace, loading, field, withBusy } from '../dom.js';
import { get, post, idempotentPost, isAbort } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatDay, markI18n, formatNumber } from '../i18n.js';
import { link, navigate } from '../router.js';
import { unitNameEl as unitName } from '../units.js';
import { personFields } from '../components/person-form.js';
import { showBanner } from '../banner.js';
import { current as currentSession } from '../session.js';

const LIMIT = 50;

/* A card code: ten Crockford base-32 characters (no I, L, O or U). */
const CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/i;

/**
 * The searches a typed text stands for, most exact first: the search parameter and its value.
 * A code drawn without a digit (about one in forty) also reads as a name, and one of ten digits
 * starting with 0 as a phone number: those are tried both ways (a phone nobody has, then a code).
 */
export function searchQueries(raw) {
  const text = String(raw || '').trim();
  const compact = text.replace(/[\s.-]/g, '');
  if (/^\d{9}$|^\d{12}$/.test(compact)) return [{ cccd: compact }];
  if (/^(0|\+?84)\d{9}$/.test(compact)) return CODE.test(compact) ? [{ phone: compact }, { code: compact }] : [{ phone: compact }];
  if (/^[A-Za-z]{2}\d{13}$/.test(compact)) return [{ bhyt: compact.toUpperCase() }];
  if (CODE.test(compact)) return /\d/.test(compact) ? [{ code: compact.toUpperCase() }] : [{ code: compact.toUpperCase() }, { q: text }];
  return text ? [{ q: text }] : [];
}

/** The people a typed text finds: the first of its searches that finds anyone. */
export async function searchPeople(queries, { limit, signal } = {}) {
  let list = [];
  for (const q of queries) {
    list = (await get('/api/v1/people/search', { query: limit ? { ...q, limit } : q, signal })).people || [];
    if (list.length) break;
  }
  return list;
}

/** Downloads a sheet of cards (POST /api/v1/people/cards.pdf) as a file named for the day. */
export async function downloadSheet(body, name = 'the-qr') {
  const blob = await post('/api/v1/people/cards.pdf', body, { blob: true });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `${name}.pdf`, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function personRow(p, selected, onToggle) {
  const box = h('input', { type: 'checkbox', testid: `person-select-${p.id}`, checked: selected.has(p.id) });
  box.addEventListener('change', () => onToggle(p.id, box.checked));
  const id = p.cccd || p.cmnd || p.bhyt || p.phone;
  return h('li', { class: 'card', testid: `person-row-${p.id}` },
    h('div', { class: 'card-main' },
      h('a', { class: 'card-title', href: `#/people/${p.id}`, testid: `person-open-${p.id}` }, p.full_name || h('span', { t: 'people.no_name' })),
      h('label', { class: 'check people-pick' }, box, h('span', { t: 'people.pick' }))),
    h('div', { class: 'card-meta' },
      p.date_of_birth ? h('span', null, formatDay(p.date_of_birth)) : null,
      id ? h('span', null, id) : null,
      p.commune_code ? unitName(p.commune_code) : null));
}

export async function peopleView({ root, query, signal }) {
  const typed = query.get('q') || '';
  const input = field({ name: 'q', label: 'people.search_label', type: 'search', hint: 'people.search_hint',
    attrs: { value: typed, autocomplete: 'off', maxlength: 100, testid: 'people-search-input' } });
  const msg = h('div', { class: 'form-errors', 'aria-live': 'polite' });
  const form = h('form', { class: 'form', novalidate: true, testid: 'people-search-form', role: 'search' }, input.wrap, msg,
    h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'people-search-submit', t: 'people.search' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(link('/people', { q: input.input.value.trim() }));
  });

  const selected = new Set();
  const count = h('p', { class: 'muted', testid: 'people-selected-count', 'aria-live': 'polite' });
  const printBtn = h('button', { type: 'button', class: 'btn btn-block', testid: 'people-print-selected', t: 'people.print_selected', disabled: true });
  const printMsg = h('div', { 'aria-live': 'polite', testid: 'people-print-msg' });
  function updateCount() {
    markI18n(count, 'text', 'people.selected', { n: formatNumber(selected.size) });
    printBtn.disabled = selected.size === 0;
  }
  updateCount();
  printBtn.addEventListener('click', async () => {
    replace(printMsg, loading('people.printing'));
    try {
      await withBusy(printBtn, () => downloadSheet({ ids: [...selected] }));
      replace(printMsg, h('p', { class: 'alert alert-ok', testid: 'people-print-done', t: 'people.printed', tArgs: { n: formatNumber(selected.size) } }));
    } catch (e) {
      if (!isAbort(e)) replace(printMsg, errorBox(e, 'other'));
    }
  });

  const box = h('div', { testid: 'people-results' });
  root.appendChild(h('section', { class: 'panel', testid: 'people-view' },
    h('h1', { t: 'people.title' }), h('p', { class: 'lead', t: 'people.lead' }),
    h('p', null, h('a', { class: 'btn btn-block', href: '#/people/new', testid: 'people-new', t: 'people.new' })),
    form, box));

  const queries = searchQueries(typed);
  if (!queries.length) return;
  replace(box, loading());
  let list;
  try {
    list = await searchPeople(queries, { limit: LIMIT, signal });
  } catch (e) {
    if (isAbort(e)) return;
    if (e.status === 403) replace(box, accessDenied());
    else if (e.status === 400) { replace(box); showFormError(form, msg, { ...e, field: 'q' }, 'other'); }
    else replace(box, errorBox(e, 'list'));
    return;
  }
  if (!list.length) {
    replace(box, h('p', { class: 'muted empty', testid: 'people-empty', t: 'people.none' }),
      h('a', { class: 'btn', href: '#/people/new', t: 'people.new' }));
    return;
  }
  const toggle = (id, on) => { if (on) selected.add(id); else selected.delete(id); updateCount(); };
  replace(box, h('ul', { class: 'cards', testid: 'people-list' }, list.map((p) => personRow(p, selected, toggle))),
    list.length >= LIMIT ? h('p', { class: 'muted', t: 'people.more_hint' }) : null,
    count, printBtn, printMsg);
}

/* ---------------------------------------------------------------- registering */

export async function personNewView({ root }) {
  const me = currentSession();
  // The picker starts at the caller's own unit: a commune's staff register their commune's people.
  const fields = personFields({ prefix: 'new-person', phone: true, person: { commune_code: me && me.unit_code !== 'VN' ? me.unit_code : undefined } });
  const msg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: 'new-person-msg' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'new-person-save', t: 'people.register' });
  const form = h('form', { class: 'form', novalidate: true, testid: 'new-person-form' }, fields.el, msg, save);
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'new-person-view' },
    h('p', null, h('a', { href: '#/people', t: 'people.back' })),
    h('h1', { t: 'people.new' }), h('p', { class: 'lead', t: 'people.new_lead' }), form));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, msg);
    try {
      const res = await withBusy(save, () => idempotentPost('people.new', '/api/v1/people', (clientId) => ({ ...fields.body(), client_id: clientId })));
      showBanner(res.existing ? 'people.existing' : 'people.registered', 'info');
      navigate(`#/people/${res.person.id}`);
    } catch (e) {
      if (!isAbort(e)) showFormError(form, msg, e, 'create');
    }
  });
}
