// "Việc cần làm ngay" on the citizen home: what needs doing now, for the citizen and each family
// member they manage, read from their own routes: an active quarantine order and its next
// check-in (GET /api/v1/me/quarantine), a result that needs a retest and where
// (GET /api/v1/me/results), a dose that is due and an unanswered vaccination invitation
// (GET /api/v1/me/vaccinations). A source that fails is left out; the others still show.

import { h, replace, loading } from '../dom.js';
import { get, isAbort } from '../api.js';
import { formatTime, formatDay } from '../i18n.js';
import { unitNameEl } from '../units.js';

const nowS = () => Math.floor(Date.now() / 1000);

function quarantineItems(res) {
  return (res.orders || []).filter((o) => o.status === 'active').map((o) => {
    const slot = o.current_slot;
    const who = o.member ? o.member.full_name : null;
    const next = slot ? (slot.open
      ? h('span', { t: 'todo.checkin_open', tArgs: { until: formatTime(slot.end) } })
      : h('span', { t: 'todo.checkin_next', tArgs: { at: formatTime(slot.start) } })) : null;
    return { kind: 'quarantine', person: who, href: '#/me/quarantine', urgent: !!(slot && slot.open),
      title: h('span', { t: 'todo.quarantine', tArgs: { end: formatDay(o.end_date) } }), detail: next };
  });
}

function retestItems(res) {
  const out = [];
  (res.people || []).forEach((p, i) => {
    const latest = (p.results || [])[0];
    if (!latest || (latest.status !== 'pool_positive_retest' && latest.status !== 'invalid')) return;
    const site = latest.retest_site;
    out.push({ kind: 'retest', person: i ? (p.person && p.person.full_name) : null, href: '#/me/results', urgent: true,
      title: h('span', { t: `todo.retest.${latest.status}` }),
      detail: site ? h('span', null, h('span', { t: 'todo.retest_where' }), ' ', h('strong', null, site.name || ''),
        site.address ? `, ${site.address}` : '', site.commune_code ? ', ' : '', site.commune_code ? unitNameEl(site.commune_code) : null) : null });
  });
  return out;
}

function vaccineItems(res) {
  const out = [];
  (res.people || []).forEach((rec, i) => {
    const who = i ? (rec.person && rec.person.full_name) : null;
    const appt = rec.next_appointment;
    if (appt && appt.status === 'invited') {
      out.push({ kind: 'invitation', person: who, href: '#/me/health', urgent: true,
        title: h('span', { t: 'todo.invitation', tArgs: { n: appt.dose_number } }),
        detail: h('span', null, `${formatTime(appt.slot_start)} — ${appt.site_name || ''}`) });
    } else if (!appt && rec.next_dose && rec.next_dose.earliest && rec.next_dose.earliest <= nowS()) {
      out.push({ kind: 'dose', person: who, href: '#/me/health', urgent: false,
        title: h('span', { t: 'todo.dose_due', tArgs: { n: rec.next_dose.dose_number } }),
        detail: rec.next_dose.latest ? h('span', { t: 'todo.dose_before', tArgs: { at: formatTime(rec.next_dose.latest) } }) : null });
    }
  });
  return out;
}

/** The panel; fills itself in. */
export function citizenTodoPanel(signal) {
  const box = h('div', { testid: 'todo-box' }, loading());
  const el = h('div', { class: 'todo', testid: 'todo' }, h('h2', { t: 'todo.title' }), box);
  (async () => {
    const read = (path, fn) => get(path, { signal }).then(fn, (e) => { if (isAbort(e)) throw e; return []; });
    let lists;
    try {
      lists = await Promise.all([
        read('/api/v1/me/quarantine', quarantineItems),
        read('/api/v1/me/results', retestItems),
        read('/api/v1/me/vaccinations', vaccineItems),
      ]);
    } catch {
      return; // navigated away
    }
    const items = lists.flat().sort((a, b) => Number(b.urgent) - Number(a.urgent));
    if (!items.length) { replace(box, h('p', { class: 'muted empty', testid: 'todo-none', t: 'todo.none' })); return; }
    replace(box, h('ul', { class: 'cards todo-list', testid: 'todo-list' }, items.map((it, i) =>
      h('li', { class: `card todo-${it.kind}`, testid: `todo-${i}`, 'data-kind': it.kind },
        h('a', { class: 'todo-link', href: it.href },
          it.person ? h('span', { class: 'todo-person', testid: `todo-${i}-person` }, it.person) : null,
          h('strong', { class: 'card-title' }, it.title),
          it.detail ? h('span', { class: 'todo-detail' }, it.detail) : null)))));
  })();
  return el;
}
