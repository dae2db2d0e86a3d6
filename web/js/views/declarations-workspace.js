// The commune health station's declarations (docs/api.md "Declarations"): the flagged list of the
// last 24 hours (or today, or the last 7 days), each person to call with their symptoms in words
// and a note to mark them handled; and a scan page that reads a declaration's QR code with the
// camera and shows the declaration in words.

import { h, replace, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatTime, formatDay, formatNumber, markI18n } from '../i18n.js';
import { countryName } from '../countries.js';
import { link, navigate } from '../router.js';
import { unitNameEl } from '../units.js';
import { vnToday, vnDaysAgo } from '../vn-time.js';
import { qrScanner, scannerButtons } from '../components/qr-scanner.js';
import { refreshNavCounts } from './work.js';

/** Roles that read the flagged list and mark it; and those that scan (docs/access.md). */
export const FLAGGED_ROLES = ['national_admin', 'province_admin', 'district_admin', 'commune_admin', 'tracer'];
export const SCAN_ROLES = [...FLAGGED_ROLES, 'sampler', 'vaccinator'];

const RANGES = ['24h', 'today', '7d'];
const DECLARATION_QR_RE = /^CDN1\.D\.TK-\d{8}-[0-9A-Z]{6}\./;

function rangeQuery(range) {
  if (range === 'today') return { date: vnToday() };
  if (range === '7d') return { from: vnDaysAgo(6), to: vnToday() };
  return {};
}

/** Translated words for a list of codes, joined: "Sốt, Ho". */
function wordList(prefix, codes, testid) {
  const el = h('span', { testid });
  codes.forEach((c, i) => {
    if (i) el.appendChild(document.createTextNode(', '));
    el.appendChild(h('span', { t: `${prefix}.${c}` }));
  });
  return el;
}

/* ---------------------------------------------------------------- the flagged list */

export async function flaggedView({ root, query, signal }) {
  const range = RANGES.includes(query.get('range')) ? query.get('range') : '24h';
  const onlyOpen = query.get('open') === '1';
  const tabs = h('div', { class: 'segmented', role: 'group', tLabel: 'flagged.range' },
    RANGES.map((r) => h('button', { type: 'button', class: 'seg', testid: `flagged-range-${r}`, 'aria-pressed': String(r === range),
      t: `flagged.range.${r}`, onclick: () => navigate(link('/declarations', { range: r, open: onlyOpen ? '1' : '' })) })));
  const openBox = h('input', { type: 'checkbox', id: 'flagged-open', checked: onlyOpen, testid: 'flagged-only-open',
    onchange: (ev) => navigate(link('/declarations', { range, open: ev.target.checked ? '1' : '' })) });
  const summary = h('p', { class: 'lead', testid: 'flagged-summary', 'aria-live': 'polite' });
  const box = h('div', { testid: 'flagged-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'flagged-view' },
    h('h1', { t: 'flagged.title' }), h('p', { class: 'hint', t: 'flagged.lead' }),
    h('p', null, h('a', { href: '#/declarations/scan', class: 'btn', testid: 'flagged-to-scan', t: 'flagged.to_scan' })),
    tabs, h('label', { class: 'check', htmlFor: 'flagged-open' }, openBox, h('span', { t: 'flagged.only_open' })), summary, box));

  let res;
  try {
    res = await get('/api/v1/declarations/flagged', { query: rangeQuery(range), signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const showSummary = () => {
    summary.setAttribute('data-pending', String(res.pending));
    markI18n(summary, 'text', 'flagged.summary', { n: formatNumber(res.people.length), pending: formatNumber(res.pending) });
  };
  showSummary();
  const people = onlyOpen ? res.people.filter((p) => !p.handled) : res.people;
  if (!people.length) {
    replace(box, h('p', { class: 'muted empty', testid: 'flagged-empty', t: onlyOpen && res.people.length ? 'flagged.all_handled' : 'flagged.none' }));
    return;
  }
  replace(box, h('ul', { class: 'cards', testid: 'flagged-list' }, people.map((p) => flaggedCard(p, () => {
    res.pending -= 1;
    showSummary();
  }))));
}

function handledLine(m) {
  return h('p', { class: 'alert alert-ok', testid: 'flagged-handled' },
    h('span', { t: 'flagged.handled_by', tArgs: { who: m.by_name || m.by_username || '', at: formatTime(m.at) } }),
    m.note ? h('span', { class: 'note breakable' }, ` — ${m.note}`) : null);
}

function flaggedCard(p, onHandled) {
  const status = h('span', { class: `badge ${p.handled ? 'badge-on' : 'badge-off'}`, testid: `flagged-status-${p.person_id}`,
    'data-handled': String(!!p.handled), t: p.handled ? 'flagged.status.handled' : 'flagged.status.open' });
  const action = h('div', { testid: `flagged-action-${p.person_id}` });
  const card = h('li', { class: 'card', testid: `flagged-${p.person_id}`, 'data-handled': String(!!p.handled) },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, p.full_name || h('span', { t: 'flagged.unknown_person' })), status),
    h('div', { class: 'card-meta' },
      p.phone ? h('a', { class: 'btn btn-call', href: `tel:${p.phone}`, testid: `flagged-call-${p.person_id}` },
        h('span', { t: 'flagged.call' }), ` ${p.phone}`) : h('span', { class: 'muted', t: 'flagged.no_phone' }),
      p.commune_code ? unitNameEl(p.commune_code) : null),
    p.symptoms.length ? h('p', null, h('span', { class: 'muted', t: 'flagged.symptoms' }), ' ', wordList('symptom', p.symptoms, `flagged-symptoms-${p.person_id}`)) : null,
    p.exposure.length ? h('p', null, h('span', { class: 'muted', t: 'flagged.exposure' }), ' ', wordList('exposure', p.exposure, `flagged-exposure-${p.person_id}`)) : null,
    h('p', { class: 'muted' }, h('span', { t: 'flagged.last_declared' }), ' ', h('span', { 'data-time': p.last_declared_at }, formatTime(p.last_declared_at)),
      p.references.length > 1 ? h('span', { t: 'flagged.n_declarations', tArgs: { n: formatNumber(p.references.length) } }) : null),
    action);
  if (p.handled) {
    action.appendChild(handledLine(p.handled));
    return card;
  }
  const note = field({ name: 'note', label: 'flagged.note', input: h('textarea', { rows: 2, maxlength: 500, testid: `flagged-note-${p.person_id}` }) });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: `flagged-mark-${p.person_id}`, t: 'flagged.mark' });
  const form = h('form', { class: 'form', novalidate: true }, note.wrap, errors, save);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const text = note.input.value.trim();
    try {
      const r = await withBusy(save, () => post(`/api/v1/declarations/${seg(p.last_reference)}/handled`, text ? { note: text } : {}));
      card.setAttribute('data-handled', 'true');
      status.className = 'badge badge-on';
      status.setAttribute('data-handled', 'true');
      markI18n(status, 'text', 'flagged.status.handled');
      replace(action, handledLine(r.handled));
      if (r.marked) { onHandled(); refreshNavCounts(); }
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  action.appendChild(form);
  return card;
}

/* ---------------------------------------------------------------- one declaration in words */

function row(label, value, testid) {
  return h('div', { class: 'kv-row', testid }, h('dt', { t: label }), h('dd', null, value));
}

/** A declaration object (docs/api.md) as a list of labelled lines in the page's words. */
export function declarationInWords(d, personName) {
  const rows = [
    row('scan_decl.person', personName || '', 'decl-person'),
    row('scan_decl.kind', h('span', { t: `declare.kind.${d.kind}` }), 'decl-kind'),
    row('scan_decl.declared_at', h('span', { 'data-time': d.declared_at }, formatTime(d.declared_at)), 'decl-at'),
    row('declare.reference', d.reference, 'decl-reference'),
  ];
  if (d.kind === 'health') {
    rows.push(row('field.health_status', h('span', { t: `health_status.${d.health_status}` }), 'decl-health'));
    rows.push(row('field.symptoms', d.symptoms.length ? wordList('symptom', d.symptoms) : h('span', { t: 'scan_decl.none' }), 'decl-symptoms'));
    rows.push(row('field.exposure', d.exposure.length ? wordList('exposure', d.exposure) : h('span', { t: 'scan_decl.none' }), 'decl-exposure'));
  } else if (d.kind === 'domestic_travel') {
    rows.push(row('field.origin_commune', unitNameEl(d.origin_commune), 'decl-origin'));
    rows.push(row('field.destination_commune', unitNameEl(d.destination_commune), 'decl-destination'));
    rows.push(row('field.vehicle', h('span', null, h('span', { t: `vehicle.${d.vehicle}` }), d.vehicle_number ? ` ${d.vehicle_number}` : ''), 'decl-vehicle'));
    rows.push(row('field.travel_date', formatDay(d.travel_date), 'decl-travel-date'));
  } else if (d.kind === 'entry') {
    rows.push(row('field.from_country', countryName(d.from_country), 'decl-country'));
    rows.push(row('field.entry_point', d.entry_point, 'decl-entry-point'));
    if (d.flight_number) rows.push(row('field.flight_number', d.flight_number, 'decl-flight'));
    rows.push(row('field.arrival_date', formatDay(d.arrival_date), 'decl-arrival'));
  }
  return h('div', { class: 'card result-card', testid: 'decl-words', 'data-reference': d.reference },
    d.flagged ? h('p', { class: 'alert alert-denied', testid: 'decl-flagged', t: 'scan_decl.flagged' })
      : h('p', { class: 'alert alert-ok', testid: 'decl-not-flagged', t: 'scan_decl.not_flagged' }),
    h('dl', { class: 'kv' }, rows));
}

/* ---------------------------------------------------------------- the scan page */

export async function scanDeclarationView({ root, signal }) {
  const result = h('div', { 'aria-live': 'polite', testid: 'scan-decl-result' });
  const showError = (key) => replace(result, h('p', { class: 'alert alert-denied', testid: 'scan-decl-error', t: key }));
  let busy = false;
  async function lookUp(qr) {
    busy = true;
    replace(result, loading());
    try {
      const r = await post('/api/v1/declarations/scan', { qr }, { signal });
      replace(result, declarationInWords(r.declaration, r.person && r.person.full_name));
    } catch (e) {
      if (isAbort(e)) return;
      if (e.status === 400 && e.field === 'qr') showError('scan_decl.bad_code');
      else if (e.status === 403) showError('scan_decl.outside');
      else replace(result, errorBox(e, 'other'));
    } finally {
      busy = false;
    }
  }
  const scanner = qrScanner({
    signal,
    testid: 'decl-scanner',
    onCode(text) {
      if (busy) return false;
      if (!DECLARATION_QR_RE.test(text)) { showError('scan_decl.not_declaration'); return false; }
      lookUp(text);
      return false;
    },
  });
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'scan-decl-start', t: 'scan_decl.start' });
  const stopBtn = h('button', { type: 'button', class: 'btn btn-block', testid: 'scan-decl-stop', t: 'scan_decl.stop', hidden: true });
  scannerButtons(scanner, startBtn, stopBtn);
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'scan-decl-view' },
    h('h1', { t: 'scan_decl.title' }), h('p', { class: 'lead', t: 'scan_decl.lead' }),
    startBtn, stopBtn, scanner.el, result));
}
