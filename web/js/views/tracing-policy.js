// The tracing policy (docs/api-tracing.md, docs/access.md): what a new F1 gets. The national
// policy is edited by the national admin; a province may have its own, set or removed by the
// national admin (any province) or the province's admins (their own). Everyone else, and a
// province admin looking at the national policy, sees the policy in force read-only.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, put, del, seg, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { markI18n } from '../i18n.js';
import { getChildren, NATION } from '../units.js';
import { unitNameOnly } from './tracing-cases.js';

/* Number fields: name, label, unit of measure, bounds (src/tracing/tracing.c, tracing_policy_apply). */
const NUMBERS = [
  ['window_days_before', 'policy.window_days_before', 'policy.unit.days', 0, 14],
  ['window_max_days', 'policy.window_max_days', 'policy.unit.days', 1, 60],
  ['quarantine_days', 'policy.quarantine_days', 'policy.unit.days', 1, 60],
  ['checkins_per_day', 'policy.checkins_per_day', 'policy.unit.times', 1, 12],
  ['radius_m', 'policy.radius_m', 'policy.unit.metres', 10, 5000],
  ['grace_minutes', 'policy.grace_minutes', 'policy.unit.minutes', 0, 720],
];
const PLACES = ['home', 'centre'];

/**
 * A policy as a form. opts: { testid, editable, onSave(body) -> policy, extra (nodes after the
 * save button) }. Read-only: the inputs are disabled and there is no save button.
 */
function policyForm(policy, { testid, editable, onSave, extra = [] }) {
  const inputs = {};
  const wraps = [];
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: Boolean(policy.enabled), disabled: !editable, testid: `${testid}-enabled` });
  wraps.push(h('div', { class: 'field', 'data-field': 'enabled' },
    h('label', { class: 'check check-big' }, enabled, h('span', { t: 'policy.enabled' }))));
  // A field the server does not answer (an older server) is left out rather than sent empty.
  const numbers = NUMBERS.filter(([name]) => name in policy);
  for (const [name, label, unit, min, max] of numbers) {
    const f = field({
      name, label, type: 'number', hint: 'policy.range',
      attrs: { value: String(policy[name] ?? ''), min: String(min), max: String(max), inputmode: 'numeric', disabled: !editable, testid: `${testid}-${name}` },
    });
    markI18n(f.wrap.querySelector('.hint'), 'text', 'policy.range', { min, max, unit: { t: unit } });
    const withUnit = h('div', { class: 'with-unit' });
    f.input.replaceWith(withUnit);
    withUnit.append(f.input, h('span', { class: 'unit-of', t: unit }));
    inputs[name] = f.input;
    wraps.push(f.wrap);
  }
  const placeSel = h('select', { disabled: !editable, testid: `${testid}-place_kind` },
    PLACES.map((p) => h('option', { value: p, selected: policy.place_kind === p, t: `policy.place.${p}` })));
  const place = field({ name: 'place_kind', label: 'policy.place_kind', input: placeSel });
  wraps.push(place.wrap);
  const days = field({
    name: 'test_days', label: 'policy.test_days', hint: 'policy.test_days_hint',
    attrs: { value: (policy.test_days || []).join(', '), inputmode: 'numeric', autocomplete: 'off', disabled: !editable, testid: `${testid}-test_days` },
  });
  wraps.push(days.wrap);

  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const msg = h('div', { 'aria-live': 'polite' });
  const save = editable ? h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: `${testid}-save`, t: 'common.save' }) : null;
  const form = h('form', { class: 'form policy-form', testid, novalidate: true, 'data-editable': String(Boolean(editable)) },
    h('div', { class: 'row' }, wraps.slice(0, 1)), h('div', { class: 'row' }, wraps.slice(1)), errors, msg, save, extra);

  if (editable) {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      clear(msg);
      const body = { enabled: enabled.checked, place_kind: placeSel.value };
      for (const [name] of numbers) {
        const v = inputs[name].value.trim();
        if (v === '') { showFormError(form, errors, { status: 400, code: 'missing_field', field: name }, 'update'); return; }
        if (!/^\d+$/.test(v)) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: name }, 'update'); return; }
        body[name] = Number(v);
      }
      const parts = days.input.value.split(/[\s,;]+/).filter(Boolean);
      if (parts.some((d) => !/^\d+$/.test(d))) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'test_days' }, 'update'); return; }
      body.test_days = parts.map(Number);
      try {
        await withBusy(save, () => onSave(body));
      } catch (e) {
        if (!isAbort(e)) showFormError(form, errors, e, 'update');
        return;
      }
      msg.appendChild(h('p', { class: 'alert alert-ok', role: 'status', testid: `${testid}-saved`, t: 'tracing.saved' }));
    });
  }
  return form;
}

/** Where a policy comes from, in words. */
function sourceLine(policy, testid) {
  const own = policy.source && policy.source !== NATION;
  return h('p', { class: 'meta', testid, 'data-source': policy.source || '' },
    own ? h('span', { t: 'policy.source_province' }) : h('span', { t: 'policy.source_national' }),
    own ? [' ', unitNameOnly(policy.source)] : null);
}

/** The national policy: a form for the national admin, read-only for everyone else who may read it. */
async function nationalSection(box, signal, editable) {
  let p;
  try {
    p = await get('/api/v1/tracing/policy', { query: { unit: NATION }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  replace(box, h('h2', { t: 'policy.national' }),
    editable ? null : h('p', { class: 'hint', testid: 'policy-national-readonly', t: 'policy.national_readonly' }),
    policyForm(p, { testid: 'policy-national', editable, onSave: (body) => put('/api/v1/tracing/policy', body) }));
}

/**
 * A province's policy: its own (edit, remove) or the national one (read-only, with a button to
 * set the province's own starting from it). editable: the caller may set the province's policy.
 */
async function provinceSection(box, province, signal, editable) {
  replace(box, loading());
  let p;
  try {
    p = await get('/api/v1/tracing/policy', { query: { unit: province }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const own = p.source === province;
  const heading = h('h2', null, h('span', { t: 'policy.province_title' }), ' ', unitNameOnly(province, 'policy-province-name'));
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const path = `/api/v1/tracing/policy/${seg(province)}`;
  if (!editable) {
    replace(box, heading, sourceLine(p, 'policy-province-source'), policyForm(p, { testid: 'policy-province', editable: false }));
    return;
  }
  if (!own) {
    const start = h('button', { type: 'button', class: 'btn btn-block', testid: 'policy-override-start', t: 'policy.override_start' });
    start.addEventListener('click', () => {
      replace(box, heading, h('p', { class: 'hint', t: 'policy.override_hint' }),
        policyForm(p, { testid: 'policy-province', editable: true, onSave: async (body) => {
          await put(path, body);
          provinceSection(box, province, signal, editable);
        } }));
    });
    replace(box, heading, sourceLine(p, 'policy-province-source'),
      policyForm(p, { testid: 'policy-province', editable: false }), start);
    return;
  }
  // Removing takes two taps: the first asks, the second removes.
  const remove = h('button', { type: 'button', class: 'btn btn-danger btn-block', testid: 'policy-override-remove', t: 'policy.override_remove' });
  const sure = h('button', { type: 'button', class: 'btn btn-danger btn-block', testid: 'policy-override-remove-confirm', t: 'policy.override_remove_confirm', hidden: true });
  remove.addEventListener('click', () => { remove.hidden = true; sure.hidden = false; sure.focus(); });
  sure.addEventListener('click', async () => {
    try {
      await withBusy(sure, () => del(path));
      provinceSection(box, province, signal, editable);
    } catch (e) {
      if (!isAbort(e)) replace(errors, errorBox(e, 'update'));
    }
  });
  replace(box, heading, sourceLine(p, 'policy-province-source'),
    policyForm(p, { testid: 'policy-province', editable: true, onSave: (body) => put(path, body),
      extra: [h('div', { class: 'danger-zone' }, remove, sure, errors)] }));
}

export async function policyView({ root, signal }) {
  const me = current();
  const national = h('div', { class: 'policy-part', testid: 'policy-national-box' }, loading());
  const province = h('div', { class: 'policy-part', testid: 'policy-province-box' });
  const section = h('section', { class: 'panel', testid: 'policy-view' },
    h('h1', { t: 'policy.title' }), h('p', { class: 'lead', t: 'policy.lead' }));
  root.appendChild(section);

  if (me.role === 'national_admin') {
    section.append(national, province);
    nationalSection(national, signal, true);
    // Any province's own policy: chosen from the list of provinces, by name.
    // Disabled until the provinces have arrived, so nothing is chosen from a half-filled list.
    const sel = h('select', { testid: 'policy-province-select', disabled: true, 'aria-busy': 'true' },
      h('option', { value: '', t: 'policy.choose_province' }));
    const pick = field({ name: 'province', label: 'policy.province_pick', input: sel });
    province.before(h('div', { class: 'form' }, pick.wrap));
    getChildren(NATION).then((list) => {
      for (const u of list) sel.appendChild(h('option', { value: u.code }, u.name_with_type || u.name));
      sel.disabled = false;
      sel.removeAttribute('aria-busy');
    }).catch((e) => { if (!isAbort(e)) province.appendChild(errorBox(e, 'other')); });
    sel.addEventListener('change', () => {
      if (sel.value) provinceSection(province, sel.value, signal, true);
      else clear(province);
    });
    return;
  }
  // Everyone else sees the policy in force where they work; a province admin may set their own.
  let here;
  try {
    here = await get('/api/v1/tracing/policy', { signal });
  } catch (e) {
    if (!isAbort(e)) section.appendChild(e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  section.append(h('p', { class: 'hint', testid: 'policy-national-readonly', t: 'policy.national_readonly' }), province);
  if (me.role === 'province_admin') {
    provinceSection(province, me.unit_code, signal, true);
    return;
  }
  replace(province, h('h2', { t: 'policy.in_force' }), sourceLine(here, 'policy-province-source'),
    policyForm(here, { testid: 'policy-province', editable: false }));
}
