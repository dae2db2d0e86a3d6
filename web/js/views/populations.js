// Populations by unit and age band (docs/api-situation.md "Populations"): the figures of the
// official's unit and of each unit below it, and for national and province admins the upload of
// a CSV or XLSX file with its row report. A unit without its own figure shows "unknown".

import { h, replace, clear, loading, field } from '../dom.js';
import { get, isAbort } from '../api.js';
import { errorBox, accessDenied, submitFile } from '../errors.js';
import { formatNumber } from '../i18n.js';
import { link } from '../router.js';
import * as session from '../session.js';

const BANDS = ['all', '18', '50', '65'];
const MAX_FILE = 4 * 1024 * 1024;

function popCells(p) {
  return BANDS.map((b) => h('td', { class: 'num', 'data-band': b },
    p[b] === null || p[b] === undefined ? h('span', { class: 'muted', t: 'populations.unknown' }) : formatNumber(p[b])));
}

function uploadForm(signal, onDone) {
  const fileInput = h('input', { type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', testid: 'pop-file' });
  const fileField = field({ name: 'file', label: 'populations.file', hint: 'populations.file_hint', input: fileInput });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'pop-upload', t: 'populations.upload' });
  const form = h('form', { class: 'form card', testid: 'pop-form', novalidate: true }, fileField.wrap, errors, send);
  const report = h('div', { testid: 'pop-report', 'aria-live': 'polite' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(report);
    const res = await submitFile(form, errors, { input: fileInput, button: send, max: MAX_FILE, path: '/api/v1/populations/upload', signal });
    if (!res) return;
    replace(report,
      h('div', { class: res.bad ? 'alert alert-denied' : 'alert alert-ok', testid: 'pop-summary', 'data-bad': String(res.bad), 'data-valid': String(res.valid) },
        h('p', { class: 'alert-title', t: 'populations.summary', tArgs: { rows: res.rows, valid: res.valid, bad: res.bad } })),
      res.errors.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'pop-errors' },
        h('thead', null, h('tr', null, h('th', { class: 'num', t: 'testing.col.line' }), h('th', { t: 'testing.col.field' }), h('th', { t: 'testing.col.reason' }))),
        h('tbody', null, res.errors.map((e) => h('tr', { testid: `pop-error-${e.line}`, 'data-field': e.field || '' },
          h('td', { class: 'num' }, String(e.line)), h('td', null, e.field || ''), h('td', { t: `populations.error.${e.code}` })))))) : null,
      res.errors_truncated ? h('p', { class: 'muted', t: 'testing.import_truncated' }) : null);
    onDone();
  });
  return h('div', null, h('h2', { t: 'populations.upload_title' }), h('p', { class: 'muted', t: 'populations.format' }), form, report);
}

export async function populationsView({ root, query, signal }) {
  const me = session.current() || {};
  const unit = query.get('unit') || '';
  const box = h('div', { testid: 'pop-box' }, loading());
  const canUpload = me.role === 'national_admin' || me.role === 'province_admin';
  async function load() {
    let res;
    try {
      res = await get('/api/v1/populations', { query: { unit }, signal });
    } catch (e) {
      if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
      return;
    }
    const head = h('thead', null, h('tr', null, h('th', { t: 'populations.unit' }),
      ...BANDS.map((b) => h('th', { class: 'num', t: `populations.band.${b}` }))));
    const rows = [h('tr', { testid: `pop-row-${res.code}`, class: 'sit-section' }, h('th', { scope: 'row' }, res.name), ...popCells(res.population))];
    for (const r of res.rows) {
      rows.push(h('tr', { testid: `pop-row-${r.code}` },
        h('th', { scope: 'row' }, h('a', { href: link('/populations', { unit: r.code }) }, r.name)), ...popCells(r.population)));
    }
    replace(box, h('div', { class: 'table-wrap' }, h('table', { class: 'table sit-table', testid: 'pop-table' }, head, h('tbody', null, rows))));
  }
  root.appendChild(h('section', { class: 'panel', testid: 'populations-view' },
    h('p', null, h('a', { href: link('/situation', { unit }), t: 'populations.back' })),
    h('h1', { t: 'populations.title' }), h('p', { class: 'lead', t: 'populations.lead' }), box,
    canUpload ? uploadForm(signal, load) : null));
  await load();
}
