// Venues: a venue owner registers venues, follows their status and downloads posters;
// officials approve or reject the venues of their area. One venue's page has the poster
// links, the way to the visitor scanner and the day's visitor log with downloads.

import { h, replace, clear, loading, field, withBusy, tx } from '../dom.js';
import { get, post, idempotentPost, fingerprint, seg, isAbort } from '../api.js';
import { current } from '../session.js';
import { isOfficial } from '../roles.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatTime, formatNumber, formatDay } from '../i18n.js';
import { unitPicker } from '../components/unit-picker.js';
import { link, navigate } from '../router.js';

export const VENUE_TYPES = ['restaurant', 'cafe', 'market', 'supermarket', 'school', 'office', 'factory', 'hospital',
  'clinic', 'hotel', 'transport', 'religious', 'government', 'other'];
const STATUSES = ['pending', 'approved', 'rejected'];


export function statusBadge(status, testid) {
  const cls = status === 'approved' ? 'badge badge-on' : status === 'rejected' ? 'badge badge-off' : 'badge badge-wait';
  return h('span', { class: cls, testid, 'data-status': status, t: `venue.status.${STATUSES.includes(status) ? status : 'pending'}` });
}

/* ---------------------------------------------------------------- list */

export async function venuesView({ root, query, signal }) {
  const me = current();
  const official = isOfficial(me.role);
  const status = official ? (query.has('status') ? query.get('status') : 'pending') : '';
  const listBox = h('div', { testid: 'venues-list-box' }, loading());
  const toolbar = h('div', { class: 'actions' });
  root.appendChild(h('section', { class: 'panel', testid: 'venues-view' },
    h('h1', { t: official ? 'venues.title_official' : 'venues.title_owner' }), toolbar, listBox));

  if (!official) {
    toolbar.appendChild(h('a', { class: 'btn btn-primary btn-big', href: '#/venues/new', testid: 'venue-new', t: 'venues.register' }));
  } else {
    for (const s of ['pending', 'approved', 'rejected', '']) {
      toolbar.appendChild(h('a', {
        class: 'btn btn-small', href: link('/venues', { status: s || 'all' }), testid: `venues-filter-${s || 'all'}`,
        'aria-current': (status === s || (s === '' && status === 'all')) ? 'page' : null, t: s ? `venue.status.${s}` : 'venues.all',
      }));
    }
  }

  let res;
  try {
    res = await get('/api/v1/venues', { query: { status: status === 'all' ? '' : status }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(listBox, e.status === 403 ? accessDenied() : errorBox(e, 'list', 'venues-error'));
    return;
  }
  const venues = res.venues || [];
  if (!venues.length) {
    replace(listBox, h('p', { class: 'muted empty', testid: 'venues-empty', t: official ? 'venues.none_pending' : 'venues.none_own' }));
    return;
  }
  const ul = h('ul', { class: 'cards', testid: 'venues-list' });
  for (const v of venues) ul.appendChild(venueRow(v, official));
  replace(listBox, h('p', { class: 'meta', t: 'venues.count', tArgs: { n: formatNumber(venues.length) } }), ul);
}

function venueRow(v, official) {
  const actions = h('div', { class: 'card-actions actions' });
  const err = h('div');
  const badge = statusBadge(v.status, `venue-status-${v.id}`);
  const row = h('li', { class: 'card', testid: `venue-row-${v.id}`, 'data-code': v.code },
    h('div', { class: 'card-main' },
      h('a', { class: 'card-title', href: `#/venues/${v.id}`, testid: `venue-link-${v.id}` }, v.name),
      badge),
    h('div', { class: 'card-meta' }, h('span', { t: `venue.type.${v.type}` }), h('span', null, v.street || ''), h('code', null, v.code || '')),
    actions, err);
  if (official && v.status === 'pending') {
    const decide = (verb) => async (ev) => {
      clear(err);
      try {
        const updated = await withBusy(ev.currentTarget, () => post(`/api/v1/venues/${seg(v.id)}/${verb}`, {}));
        const st = (updated && (updated.status || (updated.venue && updated.venue.status))) || (verb === 'approve' ? 'approved' : 'rejected');
        badge.replaceWith(statusBadge(st, `venue-status-${v.id}`));
        clear(actions);
      } catch (e) {
        if (!isAbort(e)) err.appendChild(errorBox(e, 'update'));
      }
    };
    actions.appendChild(h('button', { type: 'button', class: 'btn btn-primary', testid: `venue-approve-${v.id}`, t: 'venues.approve', onclick: decide('approve') }));
    actions.appendChild(h('button', { type: 'button', class: 'btn btn-danger', testid: `venue-reject-${v.id}`, t: 'venues.reject', onclick: decide('reject') }));
  } else if (!official && v.status === 'approved') {
    actions.appendChild(h('a', { class: 'btn btn-primary', href: `#/venues/${v.id}/scan`, testid: `venue-scan-${v.id}`, t: 'venues.scan_visitors' }));
  }
  return row;
}

/* ---------------------------------------------------------------- register */

export function venueNewView({ root }) {
  const me = current();
  const name = field({ name: 'name', label: 'field.venue_name', attrs: { maxlength: 200, required: true, testid: 'venue-name-input' } });
  const typeSelect = h('select', { testid: 'venue-type' },
    h('option', { value: '', t: 'venues.choose_type' }), VENUE_TYPES.map((tp) => h('option', { value: tp, t: `venue.type.${tp}` })));
  const type = field({ name: 'type', label: 'field.venue_type', input: typeSelect });
  const picker = unitPicker({ name: 'commune_code', legend: 'field.commune_code', testid: 'venue-commune', rootCode: me.unit_code });
  const street = field({ name: 'street', label: 'field.street', attrs: { maxlength: 200, testid: 'venue-street' } });
  const capacity = field({ name: 'capacity', label: 'field.capacity', type: 'number', attrs: { min: 1, max: 1000000, inputmode: 'numeric', testid: 'venue-capacity' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'venue-submit', t: 'venues.register_submit' });
  const form = h('form', { class: 'form', testid: 'venue-form', novalidate: true },
    name.wrap, type.wrap, picker.el, street.wrap, capacity.wrap, errors, submit);
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'venue-new-view' },
    h('h1', { t: 'venues.register_title' }), h('p', { class: 'lead', t: 'venues.register_lead' }), form));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const body = { name: name.input.value.trim(), type: typeSelect.value, commune_code: picker.value(), street: street.input.value.trim() };
    const cap = capacity.input.value.trim();
    if (cap) body.capacity = Number(cap);
    for (const k of ['name', 'type', 'commune_code', 'street', 'capacity']) {
      if (!body[k]) { showFormError(form, errors, { status: 400, code: 'missing_field', field: k }, 'create'); return; }
    }
    try {
      const v = await withBusy(submit, () => idempotentPost(`venue.${fingerprint(body)}`, '/api/v1/venues',
        (clientId) => ({ client_id: clientId, ...body })));
      const venue = (v && v.venue) || v;
      navigate(`#/venues/${venue.id}`);
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
}

/* ---------------------------------------------------------------- one venue */

export async function venueView({ root, params, query, signal }) {
  const me = current();
  const box = h('section', { class: 'panel', testid: 'venue-view' }, loading());
  root.appendChild(box);
  let v;
  try {
    const res = await get(`/api/v1/venues/${seg(params.id)}`, { signal });
    v = (res && res.venue) || res;
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const base = `/api/v1/venues/${seg(v.id)}`;
  const posters = v.status === 'approved'
    ? h('div', { class: 'actions', testid: 'venue-posters' },
      h('a', { class: 'btn', href: `${base}/poster.pdf`, download: '', testid: 'venue-poster-pdf', t: 'venues.poster_pdf' }),
      h('a', { class: 'btn', href: `${base}/poster.png`, download: '', testid: 'venue-poster-png', t: 'venues.poster_png' }))
    : h('p', { class: 'muted', testid: 'venue-no-poster', t: v.status === 'rejected' ? 'venues.rejected_hint' : 'venues.pending_hint' });
  const scan = v.status === 'approved' && !isOfficial(me.role)
    ? h('a', { class: 'btn btn-primary btn-big btn-block', href: `#/venues/${v.id}/scan`, testid: 'venue-scan', t: 'venues.scan_visitors' }) : null;
  const log = visitorLog(v, query.get('date'), signal);
  replace(box,
    h('p', null, h('a', { href: '#/venues', t: 'venues.back' })),
    h('h1', { testid: 'venue-title' }, v.name), statusBadge(v.status, 'venue-status'),
    h('dl', { class: 'kv' },
      h('dt', { t: 'field.venue_type' }), h('dd', { t: `venue.type.${v.type}` }),
      h('dt', { t: 'field.street' }), h('dd', null, v.street || ''),
      h('dt', { t: 'venues.code' }), h('dd', null, h('code', { testid: 'venue-code' }, v.code || ''))),
    h('h2', { t: 'venues.poster' }), posters, scan,
    h('h2', { t: 'venues.visitors' }), log.el);
  log.load();
}

/**
 * A day's visitor log of a venue with CSV/XLSX download links. Without a date the server
 * gives today in Vietnam (the venue's day, whatever this device's clock zone).
 * Returns { el, load() } where load() resolves with the rows (null on failure).
 */
export function visitorLog(v, date, signal, { testid = 'visitors' } = {}) {
  const base = `/api/v1/venues/${seg(v.id)}/visitors`;
  const q = (fmt) => `${base}?${date ? `date=${encodeURIComponent(date)}&` : ''}format=${fmt}`;
  const list = h('div', { testid: `${testid}-box` }, loading());
  const day = h('strong', { testid: `${testid}-date`, 'data-date': date || '' }, formatDay(date));
  const el = h('div', { class: 'visitor-log', testid },
    h('p', { class: 'meta' }, h('span', { t: 'venues.visitors_on' }), ' ', day),
    h('div', { class: 'actions' },
      h('a', { class: 'btn btn-small', href: q('csv'), download: '', testid: `${testid}-csv`, t: 'venues.download_csv' }),
      h('a', { class: 'btn btn-small', href: q('xlsx'), download: '', testid: `${testid}-xlsx`, t: 'venues.download_xlsx' })),
    list);
  async function load() {
    try {
      const res = await get(base, { query: { date, format: 'json' }, signal });
      if (res.date) { day.textContent = formatDay(res.date); day.setAttribute('data-date', res.date); }
      const rows = res.visitors || [];
      if (!rows.length) { replace(list, h('p', { class: 'muted empty', testid: `${testid}-empty`, t: 'venues.no_visitors' })); return rows; }
      const ul = h('ul', { class: 'cards', testid: `${testid}-list`, 'data-count': String(rows.length) });
      for (const r of rows) {
        ul.appendChild(h('li', { class: 'card visitor', testid: `${testid}-row`, 'data-checkin': r.checkin_id },
          h('div', { class: 'card-main' },
            h('strong', { class: 'visitor-name' }, r.full_name || r.name || r.person_name || ''),
            h('span', { 'data-time': r.checked_in_at }, formatTime(r.checked_in_at))),
          h('div', { class: 'card-meta' },
            r.phone ? h('span', null, r.phone) : null,
            r.method ? h('span', { class: 'badge', t: `checkin.method.${r.method}` }) : null)));
      }
      replace(list, h('p', { class: 'meta', testid: `${testid}-count` }, tx('venues.visitor_count', { n: formatNumber(rows.length) })), ul);
      return rows;
    } catch (e) {
      if (!isAbort(e)) replace(list, errorBox(e, 'list'));
      return null;
    }
  }
  return { el, load };
}
