// The check-in page a venue poster's QR code opens: /c/<venue code>?k=<kid>&s=<signature>.
//
// Shows the venue; a signed-in citizen checks in self and managed family members with one
// tap; anyone else gives a phone number and name once (remembered on this phone). Every
// submission carries a client id kept until the server answers, so a retry (lost answer,
// reload, back online) never checks anyone in twice. The confirmation shows a live clock
// so staff can tell it from a screenshot.

import { applyTranslations, getLang, setLang, onLangChange, t, formatTime } from './i18n.js';
import { h, replace, field, withBusy, uid, loading } from './dom.js';
import { api, idempotentPost, fingerprint, seg, isAbort } from './api.js';
import { errorBox, showFormError, clearFormErrors } from './errors.js';
import { vnHhmmss, VN_ZONE } from './vn-time.js';

const VISITOR_KEY = 'cordon.visitor';
const view = document.getElementById('view');

function wireLang() {
  const render = (lang) => {
    for (const b of document.querySelectorAll('.lang-btn')) b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang));
    document.title = `${t('checkin.page_title')} — Cordon`;
  };
  for (const b of document.querySelectorAll('.lang-btn')) b.addEventListener('click', () => setLang(b.getAttribute('data-lang')));
  onLangChange(render);
  applyTranslations(document);
  render(getLang());
}

/** { code, kid, sig } from the page URL. */
export function posterFromLocation(loc = window.location) {
  const m = /\/c\/([^/?#]+)\/?$/.exec(loc.pathname);
  const q = new URLSearchParams(loc.search);
  return { code: m ? decodeURIComponent(m[1]) : '', kid: q.get('k') || '', sig: q.get('s') || '' };
}

function readVisitor() {
  try {
    const v = JSON.parse(window.localStorage.getItem(VISITOR_KEY) || 'null');
    if (v && typeof v.phone === 'string' && typeof v.full_name === 'string') return v;
  } catch { /* nothing remembered */ }
  return null;
}

function saveVisitor(v) {
  try { window.localStorage.setItem(VISITOR_KEY, JSON.stringify(v)); } catch { /* not remembered */ }
}


/** A clock that ticks every second (HH:MM:SS and the date): a screenshot stays still, this does not. */
function liveClock() {
  const time = h('span', { class: 'clock-time', testid: 'confirm-clock' });
  const date = h('span', { class: 'clock-date', testid: 'confirm-date' });
  const el = h('div', { class: 'clock', role: 'timer', 'aria-live': 'off' }, time, date);
  const tick = () => {
    const d = new Date();
    time.textContent = vnHhmmss(d.getTime() / 1000);
    date.textContent = d.toLocaleDateString(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { weekday: 'long', year: 'numeric', month: '2-digit', day: '2-digit', timeZone: VN_ZONE });
    el.setAttribute('data-epoch', String(Math.floor(d.getTime() / 1000)));
  };
  tick();
  setInterval(tick, 1000);
  return el;
}

function venueHeader(venue) {
  return h('div', { class: 'venue-head' },
    h('p', { class: 'muted small', t: 'checkin.at' }),
    h('h1', { class: 'venue-name', testid: 'venue-name' }, venue.name || venue.code),
    venue.address ? h('p', { class: 'meta', testid: 'venue-address' }, venue.address) : null);
}

function confirmation(venue, names, res) {
  const times = (res.checkins || []).map((c) => c.checked_in_at).filter(Boolean);
  const at = times.length ? Math.min(...times) : res.server_time;
  return h('section', { class: 'panel panel-narrow confirm', testid: 'checkin-confirmed' },
    h('div', { class: 'confirm-mark', 'aria-hidden': 'true' }, '✓'),
    h('p', { class: 'confirm-title', t: 'checkin.done' }),
    h('h1', { class: 'venue-name', testid: 'confirm-venue' }, venue.name || venue.code),
    liveClock(),
    h('ul', { class: 'confirm-people', testid: 'confirm-people' }, names.map((n) => h('li', null, n))),
    at ? h('p', { class: 'meta' }, h('span', { t: 'checkin.at_time' }), ' ', h('span', { 'data-time': at, testid: 'confirm-at' }, formatTime(at))) : null,
    h('p', { class: 'meta', 'data-count': String((res.checkins || []).length), testid: 'confirm-count', t: 'checkin.count', tArgs: { n: (res.checkins || []).length } }),
    h('p', null, h('a', { class: 'btn btn-block', href: '/#/', testid: 'confirm-home', t: 'checkin.home' })));
}

async function main() {
  wireLang();
  const poster = posterFromLocation();
  if (!poster.code) { replace(view, h('section', { class: 'panel', testid: 'checkin-bad-link' }, h('p', { class: 'alert alert-error', t: 'checkin.bad_link' }))); return; }

  replace(view, loading());
  let venue;
  let me = null;
  try {
    const [v, m] = await Promise.all([
      api('GET', `/api/v1/venues/by-code/${seg(poster.code)}`, { auth: false }),
      api('GET', '/api/v1/me', { auth: false }).catch((e) => { if (e.status === 401 || e.status === 403) return null; throw e; }),
    ]);
    venue = v;
    me = m;
  } catch (e) {
    const retry = h('button', { type: 'button', class: 'btn btn-block', testid: 'retry', t: 'common.retry', onclick: () => window.location.reload() });
    replace(view, h('section', { class: 'panel panel-narrow', testid: 'checkin-error' },
      e.status === 404 ? h('p', { class: 'alert alert-error', testid: 'venue-unknown', t: 'checkin.unknown_venue' }) : errorBox(e, 'other'),
      e.status === 404 ? null : retry));
    return;
  }

  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const form = h('form', { class: 'form', testid: 'checkin-form', novalidate: true });
  const panel = h('section', { class: 'panel panel-narrow', testid: 'checkin-view', 'data-venue': venue.code },
    venueHeader(venue),
    venue.status && venue.status !== 'approved' ? h('p', { class: 'alert alert-denied', testid: 'venue-not-approved', t: 'checkin.not_approved' }) : null,
    form);
  replace(view, panel);

  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-huge', testid: 'checkin-submit', t: 'checkin.submit' });
  let build; // () => { body, names } or null when the form is not complete

  if (me && me.person) {
    const group = [me.person, ...(me.managed || []).filter((p) => p.id !== me.person.id)];
    const boxes = group.map((p) => {
      const id = uid('who');
      // Only the signed-in person is chosen at first: the family are one tap away.
      const input = h('input', { type: 'checkbox', id, value: String(p.id), checked: p.id === me.person.id, testid: `checkin-person-${p.id}` });
      return { p, input, el: h('label', { class: 'check check-big', htmlFor: id }, input, h('span', null, p.full_name || p.phone || '')) };
    });
    const everyone = group.length > 1
      ? h('button', { type: 'button', class: 'btn btn-block', testid: 'checkin-all-family', t: 'checkin.all_family',
        onclick: () => { for (const b of boxes) b.input.checked = true; } })
      : null;
    form.appendChild(h('fieldset', { class: 'field checks', 'data-field': 'person_ids' },
      h('legend', { t: group.length > 1 ? 'checkin.who_group' : 'checkin.who' }), boxes.map((b) => b.el), everyone));
    build = () => {
      const chosen = boxes.filter((b) => b.input.checked);
      if (!chosen.length) return { missing: 'person_ids' };
      return { body: { person_ids: chosen.map((b) => b.p.id) }, names: chosen.map((b) => b.p.full_name || b.p.phone || '') };
    };
  } else {
    const known = readVisitor();
    const phone = field({ name: 'phone', label: 'field.phone', type: 'tel', hint: 'hint.phone',
      attrs: { inputmode: 'tel', autocomplete: 'tel', maxlength: 16, testid: 'checkin-phone', value: known ? known.phone : '' } });
    const name = field({ name: 'full_name', label: 'field.full_name',
      attrs: { autocomplete: 'name', maxlength: 100, testid: 'checkin-name', value: known ? known.full_name : '' } });
    const fields = h('div', { class: 'form-fields', hidden: Boolean(known) }, phone.wrap, name.wrap);
    if (known) {
      const change = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'checkin-change-visitor', t: 'checkin.change_visitor',
        onclick: () => { fields.hidden = false; change.parentElement.remove(); phone.input.focus(); } });
      form.appendChild(h('p', { class: 'visitor', testid: 'checkin-known-visitor' },
        h('span', { t: 'checkin.as' }), ' ', h('strong', null, known.full_name), ` (${known.phone}) `, change));
    }
    form.appendChild(fields);
    form.appendChild(h('p', { class: 'small' }, h('a', { href: `/#/citizen/login`, testid: 'checkin-citizen-login', t: 'checkin.citizen_login' })));
    build = () => {
      const b = { phone: phone.input.value.replace(/[\s.-]/g, ''), full_name: name.input.value.trim() };
      if (!b.phone) return { missing: 'phone' };
      if (!b.full_name) return { missing: 'full_name' };
      return { body: b, names: [b.full_name], remember: b };
    };
  }
  form.appendChild(errors);
  form.appendChild(submit);

  let lastFailedOffline = false;
  async function send() {
    clearFormErrors(form, errors);
    const built = build();
    if (built.missing) {
      if (built.missing === 'person_ids') errors.appendChild(h('p', { class: 'alert alert-error', role: 'alert', testid: 'form-error', t: 'checkin.choose_someone' }));
      else showFormError(form, errors, { status: 400, code: 'missing_field', field: built.missing }, 'create');
      return;
    }
    const body = { venue_code: venue.code || poster.code, ...(poster.sig && poster.kid ? { venue_sig: `${poster.kid}.${poster.sig}` } : {}), ...built.body };
    try {
      const res = await withBusy(submit, () => idempotentPost(`checkin.${fingerprint(body)}`, '/api/v1/checkins',
        (clientId) => ({ client_id: clientId, ...body }), { auth: false }));
      lastFailedOffline = false;
      if (built.remember) saveVisitor(built.remember);
      const v = res.venue && res.venue.name ? res.venue : venue;
      replace(view, confirmation(v, built.names, res));
      window.scrollTo(0, 0);
    } catch (e) {
      if (isAbort(e)) return;
      lastFailedOffline = e.status === 0;
      showFormError(form, errors, e, 'create');
      if (lastFailedOffline) errors.appendChild(h('p', { class: 'hint', testid: 'checkin-will-retry', t: 'checkin.will_retry' }));
    }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); send(); });
  // Back online after a failed attempt: try again with the same client id.
  window.addEventListener('online', () => { if (lastFailedOffline && document.body.contains(submit)) send(); });
  submit.focus();
}

main().catch((e) => {
  console.error(e);
  replace(view, h('section', { class: 'panel' }, errorBox(e, 'other')));
});
