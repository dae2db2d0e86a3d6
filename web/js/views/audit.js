// Audit log for admins: who did what, in a unit and everything below it.

import { h, replace, loading, field, tx } from '../dom.js';
import { get, isAbort } from '../api.js';
import { link, navigate } from '../router.js';
import { current } from '../session.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatTime, has } from '../i18n.js';
import { getUnit, unitName, unitNameEl, isNation, NATION } from '../units.js';
import { unitPicker } from '../components/unit-picker.js';
import { vnDateStart } from '../vn-time.js';

const LIMITS = [50, 100, 200, 500];

export async function auditView({ root, query, signal }) {
  const me = current();
  const unitCode = query.get('unit') || me.unit_code;
  const since = query.get('since') || '';
  const until = query.get('until') || '';
  const limit = LIMITS.includes(Number(query.get('limit'))) ? Number(query.get('limit')) : 100;

  /* ---- filters ---- */
  const unitShown = h('strong', { testid: 'audit-unit-name' }, h('code', null, unitCode));
  const changeUnit = h('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'audit-change-unit', 'aria-expanded': 'false', t: 'audit.change_unit' });
  const pickerSlot = h('div', { hidden: true });
  let picker = null;
  changeUnit.addEventListener('click', () => {
    const open = pickerSlot.hidden;
    pickerSlot.hidden = !open;
    changeUnit.setAttribute('aria-expanded', String(open));
    if (open && !picker) {
      picker = unitPicker({ rootCode: me.unit_code, initial: unitCode, name: 'unit', legend: 'field.unit', testid: 'audit-unit' });
      pickerSlot.appendChild(picker.el);
    }
  });

  const sinceF = field({ name: 'since', label: 'audit.since', type: 'date', attrs: { value: since, testid: 'audit-since' } });
  const untilF = field({ name: 'until', label: 'audit.until', type: 'date', attrs: { value: until, testid: 'audit-until' } });
  const limitSel = h('select', { testid: 'audit-limit' }, LIMITS.map((n) => h('option', { value: String(n), selected: n === limit }, String(n))));
  const limitF = field({ name: 'limit', label: 'audit.limit', input: limitSel });
  const apply = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'audit-apply', t: 'audit.apply' });

  const form = h('form', { class: 'form filters', testid: 'audit-filters', novalidate: true },
    h('p', { class: 'meta' }, h('span', { t: 'audit.unit' }), ' ', unitShown, ' ', changeUnit),
    pickerSlot,
    h('div', { class: 'row' }, sinceF.wrap, untilF.wrap, limitF.wrap),
    apply);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(link('/audit', {
      unit: picker ? picker.value() : unitCode,
      since: sinceF.input.value, until: untilF.input.value, limit: limitSel.value,
    }));
  });

  const listBox = h('div', { class: 'list-box', testid: 'audit-list-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'audit-view' },
    h('h1', { t: 'audit.title' }), form, listBox));

  (isNation({ code: unitCode }) ? Promise.resolve({ code: NATION, level: 0 }) : getUnit(unitCode))
    .then((u) => { if (!signal.aborted) replace(unitShown, unitName(u)); })
    .catch(() => {});

  /* ---- entries ---- */
  const q = { unit: unitCode, limit };
  const s = vnDateStart(since);
  const u = vnDateStart(until);
  if (s !== null) q.since = s;
  if (u !== null) q.until = u + 86399;
  let res;
  try {
    apply.disabled = true;
    res = await get('/api/v1/audit', { query: q, signal });
  } catch (e) {
    if (isAbort(e) || signal.aborted) return;
    replace(listBox, e.status === 403 ? accessDenied() : errorBox(e, 'list', 'audit-error'));
    return;
  } finally {
    apply.disabled = false;
  }
  const entries = res.entries || [];
  const ul = h('ul', { class: 'cards', testid: 'audit-list' });
  for (const e of entries) ul.appendChild(entryCard(e));
  replace(listBox,
    h('p', { class: 'meta', testid: 'audit-count', t: 'audit.count', tArgs: { n: entries.length } }),
    entries.length ? ul : h('p', { class: 'muted', testid: 'audit-empty', t: 'audit.empty' }));
}

function entryCard(e) {
  const actionKey = `audit.action.${e.action}`;
  const subject = e.subject_type
    ? [has(`audit.subject.${e.subject_type}`) ? tx(`audit.subject.${e.subject_type}`) : h('span', null, e.subject_type),
      e.subject_id !== null && e.subject_id !== undefined ? h('span', null, ` #${e.subject_id}`) : null]
    : null;
  return h('li', { class: 'card audit-entry', testid: `audit-entry-${e.id}`, 'data-action': e.action },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, has(actionKey) ? tx(actionKey) : h('code', null, e.action)),
      h('time', { 'data-time': String(e.at), datetime: Number.isFinite(e.at) ? new Date(e.at * 1000).toISOString() : null }, formatTime(e.at))),
    h('dl', { class: 'kv' },
      h('dt', { t: 'audit.actor' }), h('dd', null, e.actor_username || (e.actor_id ?? '—')),
      subject ? [h('dt', { t: 'audit.subject' }), h('dd', null, subject)] : null,
      e.unit_code ? [h('dt', { t: 'field.unit' }), h('dd', null, unitNameEl(e.unit_code))] : null,
      e.request_id ? [h('dt', { t: 'audit.request_id' }), h('dd', null, h('code', { class: 'breakable' }, e.request_id))] : null));
}
