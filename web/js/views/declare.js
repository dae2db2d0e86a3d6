// Declarations (health, domestic travel, entry) for the citizen or a managed member,
// with the resulting reference and QR card, and the person's earlier declarations.

import { h, replace, clear, loading, field, withBusy, uid } from '../dom.js';
import { get, idempotentPost, fingerprint, isAbort, seg } from '../api.js';
import { current } from '../session.js';
import { errorBox, showFormError, clearFormErrors } from '../errors.js';
import { formatTime } from '../i18n.js';
import { unitPicker } from '../components/unit-picker.js';
import { people, personName } from './me.js';
import { vnToday } from '../vn-time.js';
import { countriesByName } from '../countries.js';

const KINDS = ['health', 'domestic_travel', 'entry'];
const SYMPTOMS = ['fever', 'cough', 'shortness_of_breath', 'sore_throat', 'loss_of_taste_smell', 'fatigue', 'other'];
const EXPOSURES = ['contact_with_case', 'visited_outbreak_area', 'returned_from_abroad'];
const VEHICLES = ['car', 'motorbike', 'bus', 'train', 'plane', 'ship', 'other'];

function checkGroup(name, values, prefix) {
  const boxes = values.map((v) => {
    const id = uid(name);
    const input = h('input', { type: 'checkbox', id, value: v, testid: `${prefix}-${v}` });
    return { v, input, el: h('label', { class: 'check', htmlFor: id }, input, h('span', { t: `${prefix}.${v}` })) };
  });
  const el = h('fieldset', { class: 'field checks', 'data-field': name }, h('legend', { t: `field.${name}` }), boxes.map((b) => b.el));
  return { el, value: () => boxes.filter((b) => b.input.checked).map((b) => b.v) };
}

function radioGroup(name, values, prefix, initial) {
  const group = uid(name);
  const boxes = values.map((v) => {
    const id = uid(name);
    const input = h('input', { type: 'radio', name: group, id, value: v, checked: v === initial, testid: `${prefix}-${v}` });
    return { v, input, el: h('label', { class: 'check', htmlFor: id }, input, h('span', { t: `${prefix}.${v}` })) };
  });
  const el = h('fieldset', { class: 'field checks', 'data-field': name }, h('legend', { t: `field.${name}` }), boxes.map((b) => b.el));
  return { el, value: () => (boxes.find((b) => b.input.checked) || {}).v || '' };
}

function healthFields() {
  const symptoms = checkGroup('symptoms', SYMPTOMS, 'symptom');
  const exposure = checkGroup('exposure', EXPOSURES, 'exposure');
  const status = radioGroup('health_status', ['well', 'unwell'], 'health_status', 'well');
  return {
    el: h('div', { class: 'form-fields' }, status.el, symptoms.el, exposure.el),
    body: () => ({ health_status: status.value(), symptoms: symptoms.value(), exposure: exposure.value() }),
  };
}

function travelFields(me) {
  const home = me.person && me.person.commune_code;
  const origin = unitPicker({ name: 'origin_commune', legend: 'field.origin_commune', testid: 'origin', initial: home || undefined });
  const dest = unitPicker({ name: 'destination_commune', legend: 'field.destination_commune', testid: 'destination' });
  const vehicleSelect = h('select', { testid: 'vehicle' },
    h('option', { value: '', t: 'declare.choose_vehicle' }), VEHICLES.map((v) => h('option', { value: v, t: `vehicle.${v}` })));
  const vehicle = field({ name: 'vehicle', label: 'field.vehicle', input: vehicleSelect });
  const number = field({ name: 'vehicle_number', label: 'field.vehicle_number', attrs: { maxlength: 20, autocomplete: 'off', autocapitalize: 'characters', testid: 'vehicle-number' } });
  const date = field({ name: 'travel_date', label: 'field.travel_date', type: 'date', attrs: { value: vnToday(), testid: 'travel-date' } });
  return {
    el: h('div', { class: 'form-fields' }, origin.el, dest.el, vehicle.wrap, number.wrap, date.wrap),
    body: () => {
      const b = { origin_commune: origin.value(), destination_commune: dest.value(), vehicle: vehicleSelect.value, travel_date: date.input.value };
      const n = number.input.value.trim();
      if (n) b.vehicle_number = n;
      return b;
    },
    required: ['origin_commune', 'destination_commune', 'vehicle', 'travel_date'],
  };
}

function entryFields() {
  // Countries by name in the page's language; the server gets the ISO code.
  const countrySelect = h('select', { testid: 'from-country' },
    h('option', { value: '', t: 'declare.choose_country' }),
    countriesByName().map((c) => h('option', { value: c.code }, c.name)));
  const country = field({ name: 'from_country', label: 'field.from_country', input: countrySelect });
  const point = field({ name: 'entry_point', label: 'field.entry_point', hint: 'hint.entry_point', attrs: { maxlength: 100, testid: 'entry-point' } });
  const flight = field({ name: 'flight_number', label: 'field.flight_number', attrs: { maxlength: 10, autocapitalize: 'characters', testid: 'flight-number' } });
  const date = field({ name: 'arrival_date', label: 'field.arrival_date', type: 'date', attrs: { value: vnToday(), testid: 'arrival-date' } });
  return {
    el: h('div', { class: 'form-fields' }, country.wrap, point.wrap, flight.wrap, date.wrap),
    body: () => {
      const b = { from_country: countrySelect.value, entry_point: point.input.value.trim(), arrival_date: date.input.value };
      const f = flight.input.value.replace(/\s/g, '').toUpperCase();
      if (f) b.flight_number = f;
      return b;
    },
    required: ['from_country', 'entry_point', 'arrival_date'],
  };
}

/** The declaration's signed QR code as an image the server draws, to show at a checkpoint. */
function declarationQr(reference) {
  return h('figure', { class: 'decl-qr', testid: 'declare-qr' },
    h('img', { src: `/api/v1/declarations/${seg(reference)}/qr.png`, width: 240, height: 240, testid: 'declare-qr-img', tLabel: 'declare.qr_image', role: 'img' }),
    h('figcaption', { class: 'reference' }, reference));
}

export async function declareView({ root, query, signal }) {
  const me = current();
  const who = people(me);
  let kind = KINDS.includes(query.get('kind')) ? query.get('kind') : 'health';

  const personSelect = h('select', { testid: 'declare-person' },
    who.map((p) => h('option', { value: String(p.id) }, personName(p))));
  const personField = field({ name: 'person_id', label: 'field.person_id', input: personSelect });
  const tabs = h('div', { class: 'segmented', role: 'group', tLabel: 'declare.kind' });
  const kindBox = h('div');
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'declare-submit', t: 'declare.submit' });
  const form = h('form', { class: 'form', testid: 'declare-form', novalidate: true }, personField.wrap, tabs, kindBox, errors, submit);
  const result = h('div', { 'aria-live': 'polite' });
  const history = h('div', { testid: 'declare-history' });
  root.appendChild(h('section', { class: 'panel', testid: 'declare-view' },
    h('h1', { t: 'declare.title' }), result, form, h('h2', { t: 'declare.history' }), history));

  let fields = null;
  function showKind() {
    clearFormErrors(form, errors);
    for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.value === kind));
    fields = kind === 'health' ? healthFields() : kind === 'domestic_travel' ? travelFields(me) : entryFields();
    replace(kindBox, fields.el);
  }
  for (const k of KINDS) {
    tabs.appendChild(h('button', { type: 'button', class: 'seg', value: k, testid: `declare-kind-${k}`, t: `declare.kind.${k}`,
      onclick: () => { kind = k; showKind(); } }));
  }
  showKind();

  async function loadHistory() {
    const pid = personSelect.value;
    replace(history, loading());
    try {
      const res = await get('/api/v1/declarations', { query: { person_id: pid }, signal });
      const list = res.declarations || [];
      if (!list.length) { replace(history, h('p', { class: 'muted', t: 'declare.none' })); return; }
      replace(history, h('ul', { class: 'cards' }, list.map((d) => h('li', { class: 'card', testid: `declaration-${d.reference}` },
        h('div', { class: 'card-main' }, h('strong', null, d.reference), h('span', { 'data-time': d.declared_at }, formatTime(d.declared_at))),
        h('div', { class: 'card-meta' }, h('span', { class: 'badge', t: `declare.kind.${d.kind}` }),
          d.flagged ? h('span', { class: 'badge badge-off', t: 'declare.flagged' }) : null)))));
    } catch (e) {
      if (!isAbort(e)) replace(history, errorBox(e, 'other'));
    }
  }
  personSelect.addEventListener('change', loadHistory);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const body = { person_id: Number(personSelect.value), kind, ...fields.body() };
    for (const k of fields.required || []) {
      if (!body[k]) { showFormError(form, errors, { status: 400, code: 'missing_field', field: k }, 'create'); return; }
    }
    try {
      const res = await withBusy(submit, () => idempotentPost(`declare.${fingerprint(body)}`, '/api/v1/declarations',
        (clientId) => ({ client_id: clientId, ...body })));
      const d = (res && res.declaration) || res;
      replace(result, h('div', { class: 'card result-card', testid: 'declare-result' },
        h('p', { class: 'alert alert-ok', t: 'declare.done' }),
        h('p', null, h('span', { t: 'declare.reference' }), ' ', h('strong', { class: 'reference', testid: 'declare-reference' }, d.reference || '')),
        d.flagged ? h('p', { class: 'alert alert-denied', testid: 'declare-flagged', t: 'declare.flagged_hint' }) : null,
        h('p', { class: 'hint', t: 'declare.show_card' }),
        d.reference ? declarationQr(d.reference) : null));
      result.scrollIntoView({ block: 'start' });
      showKind();
      loadHistory();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });

  if (who.length) loadHistory(); else clear(history);
}
