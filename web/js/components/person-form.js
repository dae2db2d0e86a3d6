// The fields of a person (docs/api.md "People"): name, date of birth, sex, one identity
// document (CCCD or the older CMND), health-insurance number, commune and street.
// Used for the citizen's own profile and for adding a family member.

import { h, field } from '../dom.js';
import { markI18n } from '../i18n.js';
import { unitPicker } from './unit-picker.js';
import { vnToday } from '../vn-time.js';

const SEXES = ['male', 'female', 'other'];

/**
 * opts.prefix   data-testid prefix (default person)
 * opts.person   values to start with
 * opts.phone    true to show an (optional) phone field
 * Returns { el, picker, body() } where body() is the request body (empty fields left out).
 */
export function personFields(opts = {}) {
  const p = opts.person || {};
  const tid = opts.prefix || 'person';
  const fullName = field({
    name: 'full_name', label: 'field.full_name',
    attrs: { autocomplete: 'name', maxlength: 100, required: true, testid: `${tid}-full-name`, value: p.full_name || '' },
  });
  const dob = field({
    name: 'date_of_birth', label: 'field.date_of_birth', type: 'date',
    attrs: { required: true, min: '1900-01-01', max: vnToday(), testid: `${tid}-dob`, value: p.date_of_birth || '' },
  });
  const sexSelect = h('select', { testid: `${tid}-sex` },
    h('option', { value: '', t: 'person.choose_sex' }),
    SEXES.map((s) => h('option', { value: s, t: `sex.${s}`, selected: p.sex === s })));
  const sex = field({ name: 'sex', label: 'field.sex', input: sexSelect });

  const docKind = p.cmnd && !p.cccd ? 'cmnd' : 'cccd';
  const kindSelect = h('select', { testid: `${tid}-id-kind` },
    h('option', { value: 'cccd', t: 'person.id_cccd', selected: docKind === 'cccd' }),
    h('option', { value: 'cmnd', t: 'person.id_cmnd', selected: docKind === 'cmnd' }));
  const kind = field({ name: 'id_kind', label: 'field.id_kind', input: kindSelect });
  const idNumber = field({
    name: docKind, label: 'field.id_number', hint: `hint.${docKind}`,
    attrs: { inputmode: 'numeric', autocomplete: 'off', maxlength: 12, testid: `${tid}-id-number`, value: p[docKind] || '' },
  });
  kindSelect.addEventListener('change', () => {
    // Server errors name cccd or cmnd: the wrapper follows the chosen kind so the right one lights up.
    idNumber.wrap.setAttribute('data-field', kindSelect.value);
    const hint = idNumber.wrap.querySelector('.hint');
    if (hint) markI18n(hint, 'text', `hint.${kindSelect.value}`);
  });

  const bhyt = field({
    name: 'bhyt', label: 'field.bhyt', hint: 'hint.bhyt',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', maxlength: 15, testid: `${tid}-bhyt`, value: p.bhyt || '' },
  });
  const phone = opts.phone ? field({
    name: 'phone', label: 'field.phone_optional', type: 'tel', hint: 'hint.phone',
    attrs: { inputmode: 'tel', autocomplete: 'off', maxlength: 16, testid: `${tid}-phone`, value: p.phone || '' },
  }) : null;
  const picker = unitPicker({ name: 'commune_code', legend: 'field.commune_code', testid: `${tid}-commune`, initial: p.commune_code || undefined });
  const street = field({
    name: 'street', label: 'field.street',
    attrs: { autocomplete: 'street-address', maxlength: 200, testid: `${tid}-street`, value: p.street || '' },
  });

  const el = h('div', { class: 'form-fields' },
    fullName.wrap, dob.wrap, sex.wrap,
    h('div', { class: 'row row-2' }, kind.wrap, idNumber.wrap),
    bhyt.wrap, phone ? phone.wrap : null, picker.el, street.wrap);

  function body() {
    const b = {
      full_name: fullName.input.value.trim(),
      date_of_birth: dob.input.value,
      sex: sexSelect.value,
      commune_code: picker.value(),
      street: street.input.value.trim(),
    };
    const id = idNumber.input.value.replace(/\s/g, '');
    if (id) b[kindSelect.value] = id;
    const ins = bhyt.input.value.replace(/\s/g, '').toUpperCase();
    if (ins) b.bhyt = ins;
    if (phone) {
      const ph = phone.input.value.replace(/[\s.-]/g, '');
      if (ph) b.phone = ph;
    }
    for (const k of Object.keys(b)) if (b[k] === '') delete b[k];
    return b;
  }

  return { el, picker, body, required: ['full_name', 'date_of_birth', 'sex', 'commune_code'] };
}
