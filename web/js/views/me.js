// The citizen's own pages: home (personal QR card and the main actions), profile, check-ins.

import { h, replace, loading, withBusy, tx } from '../dom.js';
import { get, put, isAbort } from '../api.js';
import { current, refreshCitizen } from '../session.js';
import { errorBox, showFormError, clearFormErrors } from '../errors.js';
import { formatTime, formatNumber } from '../i18n.js';
import { personCard } from '../components/person-card.js';
import { personFields } from '../components/person-form.js';
import { showBanner } from '../banner.js';
import { navigate } from '../router.js';

/** Everyone the citizen may act for: self first, then managed members. */
export function people(me = current()) {
  const list = [];
  if (me && me.person && me.person.id) list.push(me.person);
  for (const m of (me && me.managed) || []) if (!list.some((p) => p.id === m.id)) list.push(m);
  return list;
}

export function personName(p) {
  return (p && (p.full_name || p.phone)) || '';
}

export async function meHomeView({ root }) {
  const me = current();
  const p = me.person;
  const section = h('section', { class: 'panel', testid: 'me-view' });
  root.appendChild(section);

  const actions = h('div', { class: 'tiles' },
    h('a', { class: 'tile tile-primary', href: '#/scan', testid: 'scan-poster', t: 'me.scan_poster' }),
    h('a', { class: 'tile', href: '#/me/declare', testid: 'go-declare', t: 'me.declare' }),
    h('a', { class: 'tile', href: '#/me/family', testid: 'go-family', t: 'me.family' }),
    h('a', { class: 'tile', href: '#/me/checkins', testid: 'go-checkins', t: 'me.checkins' }),
    h('a', { class: 'tile', href: '#/me/profile', testid: 'go-profile', t: 'me.profile' }));

  append(section,
    h('h1', { testid: 'me-name' }, personName(p)),
    me.profile_complete ? null
      : h('div', { class: 'alert alert-denied', role: 'status', testid: 'profile-incomplete' },
        h('p', { class: 'alert-title', t: 'me.profile_incomplete' }),
        h('p', null, h('a', { href: '#/me/profile', class: 'btn btn-primary', testid: 'complete-profile', t: 'me.complete_profile' }))),
    actions,
    h('h2', { t: 'me.my_qr' }),
    h('p', { class: 'hint', t: 'me.my_qr_hint' }),
    me.profile_complete ? personCard(p, { testid: 'my-card' }) : h('p', { class: 'muted', testid: 'my-card-missing', t: 'me.qr_after_profile' }));
}

function append(el, ...kids) {
  for (const k of kids) if (k) el.appendChild(k);
}

export async function profileView({ root }) {
  const me = current();
  const form = personFields({ prefix: 'profile', person: me.person });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'profile-save', t: 'common.save' });
  const phoneLine = h('p', { class: 'meta', testid: 'profile-phone' }, tx('me.phone_is', { phone: me.person.phone || '' }));
  const f = h('form', { class: 'form', testid: 'profile-form', novalidate: true }, phoneLine, form.el, errors, submit);
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'profile-view' },
    h('h1', { t: 'me.profile_title' }), f));

  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(f, errors);
    const body = form.body();
    for (const k of form.required) {
      if (!body[k]) { showFormError(f, errors, { status: 400, code: 'missing_field', field: k }, 'update'); return; }
    }
    try {
      await withBusy(submit, async () => {
        await put('/api/v1/me', body);
        await refreshCitizen();
      });
      showBanner('me.profile_saved', 'info');
      navigate('#/me');
    } catch (e) {
      if (!isAbort(e)) showFormError(f, errors, e, 'update');
    }
  });
}

const METHOD_KEYS = { poster: 'checkin.method.poster', staff_qr: 'checkin.method.staff_qr', staff_id: 'checkin.method.staff_id' };

export async function myCheckinsView({ root, signal }) {
  const me = current();
  const box = h('div', { testid: 'my-checkins-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'my-checkins-view' },
    h('h1', { t: 'me.checkins_title' }), h('p', { class: 'lead', t: 'me.checkins_lead' }), box));
  const names = new Map(people(me).map((p) => [p.id, personName(p)]));
  try {
    // Without person_id the server answers the citizen's own and managed members' check-ins.
    const res = await get('/api/v1/me/checkins', { signal });
    const all = (res.checkins || []).slice();
    all.sort((a, b) => b.checked_in_at - a.checked_in_at);
    if (!all.length) { replace(box, h('p', { class: 'muted empty', testid: 'my-checkins-empty', t: 'me.no_checkins' })); return; }
    const ul = h('ul', { class: 'cards', testid: 'my-checkins' });
    for (const c of all) {
      ul.appendChild(h('li', { class: 'card', testid: `my-checkin-${c.id}` },
        h('div', { class: 'card-main' },
          h('strong', { class: 'card-title' }, c.venue_name || ''),
          h('span', { 'data-time': c.checked_in_at }, formatTime(c.checked_in_at))),
        h('div', { class: 'card-meta' },
          h('span', null, names.get(c.person_id) || ''),
          h('span', { class: 'badge', t: METHOD_KEYS[c.method] || 'checkin.method.other' }))));
    }
    replace(box, h('p', { class: 'meta', t: 'me.checkins_count', tArgs: { n: formatNumber(all.length) } }), ul);
  } catch (e) {
    if (!isAbort(e)) replace(box, errorBox(e, 'other'));
  }
}
