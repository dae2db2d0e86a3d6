// The public COVID-safety map (docs/api-safety.md): each facility of a province, district or
// commune as a point coloured by today's status (safe, at risk, unsafe, not assessed), drawn
// with Leaflet over the province outlines the server ships (components/place-map.js), and the
// same facilities as a list for phones. No sign-in. Also the owner's daily self-assessment and
// the commune's inspection, on a venue's page.

import { h, replace, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort } from '../api.js';
import { errorBox, showFormError, clearFormErrors } from '../errors.js';
import { currentPosition } from '../components/photo-camera.js';
import { formatNumber } from '../i18n.js';
import { placeMap } from '../components/place-map.js';
import { unitPicker } from '../components/unit-picker.js';

const COLOURS = { safe: '#2e7d32', at_risk: '#f9a825', unsafe: '#c62828', not_assessed: '#757575' };
const ORDER = ['unsafe', 'at_risk', 'not_assessed', 'safe'];

export async function safetyMapView({ root, query, signal }) {
  const unit = /^\d{2}(\d(\d{2})?)?$/.test(query.get('unit') || '') ? query.get('unit') : '01';
  const picker = unitPicker({ name: 'unit', legend: 'safety.pick_unit', testid: 'safety-unit', initial: unit });
  const show = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'safety-show', t: 'safety.show',
    onclick: () => { if (picker.value()) window.location.hash = `#/safety?unit=${picker.value()}`; } });
  const box = h('div', { testid: 'safety-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'safety-view' },
    h('h1', { t: 'safety.title' }), h('p', { class: 'lead', t: 'safety.lead' }),
    h('details', { class: 'more' }, h('summary', { t: 'safety.pick_unit' }), picker.el, show), box));
  let res;
  try {
    res = await get('/api/v1/public/safety', { query: { unit }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, errorBox(e, 'list'));
    return;
  }
  const features = res.features || [];
  const counts = Object.fromEntries(ORDER.map((s) => [s, 0]));
  for (const f of features) counts[f.properties.status] += 1;
  const legend = h('ul', { class: 'safety-legend', testid: 'safety-legend' },
    ORDER.map((s) => h('li', { testid: `safety-count-${s}`, 'data-count': String(counts[s]) },
      h('span', { class: `safety-dot safety-${s}`, 'aria-hidden': 'true' }), h('span', { t: `safety.status.${s}` }), ` ${formatNumber(counts[s])}`)));
  if (!features.length) {
    replace(box, legend, h('p', { class: 'muted empty', testid: 'safety-empty', t: 'safety.none' }));
    return;
  }
  const map = placeMap({
    testid: 'safety-map',
    points: features.map((f) => ({
      lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0], colour: COLOURS[f.properties.status] || COLOURS.not_assessed,
      kind: f.properties.status, label: f.properties.name, id: f.properties.venue_id,
    })),
  });
  const sorted = features.slice().sort((a, b) => ORDER.indexOf(a.properties.status) - ORDER.indexOf(b.properties.status)
    || a.properties.name.localeCompare(b.properties.name, 'vi'));
  const list = h('ul', { class: 'cards', testid: 'safety-list' }, sorted.map((f) => {
    const p = f.properties;
    return h('li', { class: 'card', testid: `safety-facility-${p.venue_id}`, 'data-status': p.status },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, p.name),
        h('span', { class: `badge safety-badge safety-${p.status}`, t: `safety.status.${p.status}` })),
      h('div', { class: 'card-meta' },
        p.score != null ? h('span', { t: 'safety.score', tArgs: { score: p.score } }) : null,
        p.inspected ? h('span', { t: 'safety.inspected' }) : null));
  }));
  replace(box, legend, map.el, h('h2', { t: 'safety.list' }), h('p', { class: 'muted', t: 'safety.count', tArgs: { n: formatNumber(features.length) } }), list);
}

/* ---------------------------------------------------------------- on a venue's page */

/** The owner's self-assessment for today: the checklist as boxes, and the facility's place. */
export function safetyAssessBox(v, signal) {
  const out = h('div', { testid: 'safety-result', 'aria-live': 'polite' });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const boxes = h('div', { class: 'checks', testid: 'safety-checks' }, loading());
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'safety-submit', t: 'safety.assess_submit' });
  const locate = h('button', { type: 'button', class: 'btn btn-block', testid: 'safety-locate', t: 'safety.use_location' });
  const form = h('form', { class: 'form card', testid: 'safety-form', novalidate: true }, boxes, errors, submit, locate, out);
  let checks = [];
  get('/api/v1/safety/checklist', { signal }).then((res) => {
    checks = res.checks || [];
    replace(boxes, checks.map((c) => h('label', { class: 'check', 'data-field': `checks.${c.code}` },
      h('input', { type: 'checkbox', name: c.code, testid: `safety-check-${c.code}` }), h('span', { t: `safety.check.${c.code}` }))));
  }).catch((e) => { if (!isAbort(e)) replace(boxes, errorBox(e, 'other')); });
  const send = async (body, button) => {
    clearFormErrors(form, errors);
    try {
      const res = await withBusy(button, () => post(`/api/v1/venues/${seg(v.id)}/safety`, body, { signal }));
      if (res.status) {
        replace(out, h('p', { class: `alert safety-done`, testid: 'safety-done', 'data-status': res.status },
          h('span', { class: `badge safety-badge safety-${res.status}`, t: `safety.status.${res.status}` }), ' ',
          h('span', { t: 'safety.score', tArgs: { score: res.score } })));
      } else {
        replace(out, h('p', { class: 'alert alert-ok', testid: 'safety-located', t: 'safety.location_set' }));
      }
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = { checks: Object.fromEntries(checks.map((c) => [c.code, !!form.querySelector(`input[name="${c.code}"]`).checked])) };
    send(body, submit);
  });
  locate.addEventListener('click', async () => {
    try {
      const p = await currentPosition();
      await send({ lat: p.lat, lon: p.lon }, locate);
    } catch (e) {
      replace(out, h('p', { class: 'alert alert-error', t: 'safety.no_location' }));
    }
  });
  return h('div', { testid: 'safety-assess' }, h('h2', { t: 'safety.assess_title' }), form);
}

/** Commune staff on site: today's status with a note, over the self-assessment. */
export function safetyInspectBox(v, signal) {
  const status = h('select', { testid: 'inspect-status' }, ['safe', 'at_risk', 'unsafe'].map((s) => h('option', { value: s, t: `safety.status.${s}` })));
  const statusField = field({ name: 'status', label: 'field.status', input: status });
  const note = field({ name: 'note', label: 'field.note', attrs: { maxlength: 500, testid: 'inspect-note' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-block btn-big', testid: 'inspect-submit', t: 'safety.inspect_submit' });
  const form = h('form', { class: 'form card', testid: 'inspect-form', novalidate: true }, statusField.wrap, note.wrap, errors, submit, out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    if (!note.input.value.trim()) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'note' }, 'create'); return; }
    try {
      await withBusy(submit, () => post(`/api/v1/venues/${seg(v.id)}/safety/inspection`, { status: status.value, note: note.input.value.trim() }, { signal }));
      replace(out, h('p', { class: 'alert alert-ok', testid: 'inspect-done', t: 'safety.inspected_done' }));
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  return h('div', { testid: 'safety-inspect' }, h('h2', { t: 'safety.inspect_title' }), form);
}

/* ---------------------------------------------------------------- commune staff: not assessed today */

/**
 * #/safety/missing: the approved venues of the caller's area with no assessment today, as cards
 * (phone first); "Kiểm tra tại chỗ" opens the on-site inspection under a card, and a saved one
 * marks the card done (it leaves the list on the next load).
 */
export async function safetyMissingView({ root, signal }) {
  const box = h('div', { testid: 'missing-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'safety-missing-view' },
    h('h1', { t: 'safety.missing_title' }), h('p', { class: 'lead', t: 'safety.missing_lead' }), box));
  let res;
  try {
    res = await get('/api/v1/safety/missing', { signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, errorBox(e, 'list'));
    return;
  }
  const venues = res.venues || [];
  if (!venues.length) {
    replace(box, h('p', { class: 'muted empty', testid: 'missing-empty', t: 'safety.missing_none' }));
    return;
  }
  const list = h('ul', { class: 'cards', testid: 'missing-list' }, venues.map((v) => {
    const slot = h('div', { testid: `missing-inspect-${v.id}` });
    const open = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: `missing-check-${v.id}`, t: 'safety.inspect_title' });
    open.addEventListener('click', () => {
      const inspect = safetyInspectBox(v, signal);
      replace(slot, inspect);
      open.hidden = true;
      // the inspection box says when it is saved; the card keeps that for the eye and the tests
      const done = new MutationObserver(() => {
        if (inspect.querySelector('[data-testid="inspect-done"]')) { card.dataset.inspected = 'true'; done.disconnect(); }
      });
      done.observe(inspect, { childList: true, subtree: true });
    });
    const card = h('li', { class: 'card', testid: `missing-venue-${v.id}` },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, v.name),
        h('span', { class: 'badge safety-badge safety-not_assessed', t: 'safety.status.not_assessed' })),
      h('div', { class: 'card-meta' }, h('span', { t: `venue.type.${v.type}` }), v.street ? h('span', null, v.street) : null,
        v.has_place ? null : h('span', { t: 'safety.no_place' })),
      open, slot);
    return card;
  }));
  replace(box, h('p', { class: 'muted', testid: 'missing-count', t: 'safety.count', tArgs: { n: formatNumber(venues.length) } }), list);
}
