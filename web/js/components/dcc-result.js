// The verdict of POST /api/v1/certificates/verify (docs/api-vaccine.md, "Verifying a
// certificate") shown for people: a big valid/invalid banner with the exact reason in words (the
// machine status stays in data-status, never on screen), then what the
// certificate says. Contents of an invalid certificate are shown under a warning: they are what
// the code claims, not something to trust.

import { h } from '../dom.js';
import { formatDay, formatTime, t } from '../i18n.js';

const KNOWN = ['ok', 'bad_prefix', 'bad_base45', 'bad_compression', 'bad_cbor', 'bad_cose', 'unknown_key',
  'bad_signature', 'expired', 'not_yet_valid', 'wrong_key_usage', 'bad_schema'];

/** Key of a status's sentence ("dcc.status.expired"). */
export function dccStatusKey(status) {
  return `dcc.status.${KNOWN.includes(status) ? status : 'other'}`;
}

function row(labelKey, value, testid) {
  if (value === null || value === undefined || value === '') return null;
  return h('div', { class: 'kv-row', testid }, h('dt', { t: labelKey }), h('dd', null, value));
}

function timeOf(epoch) {
  return epoch ? h('span', { 'data-time': epoch }, formatTime(epoch)) : null;
}

/** "Austria (AT)": a code with its value-set name when the verifier knows it. */
function named(name, code) {
  if (!code) return null;
  return name ? `${name} (${code})` : code;
}

/** A test result or test type in the page's language when it is a known code, else its value-set name. */
function coded(prefix, code, name) {
  if (!code) return null;
  const key = `dcc.${prefix}.${code}`;
  return t(key) !== key ? h('span', { t: key, 'data-code': code }) : h('span', { 'data-code': code }, name || code);
}

// A certificate's date as the reader writes dates (dd/mm/yyyy): a whole day, a month or a year
// of birth as the holder's record has it, or a moment with its time; the raw value stays in data-date.
function dateOf(v) {
  if (!v) return null;
  const s = String(v);
  let text = s;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) text = formatDay(s);
  else if (/^\d{4}-\d{2}$/.test(s)) text = `${s.slice(5)}/${s.slice(0, 4)}`;
  else if (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s))) text = formatTime(Math.floor(Date.parse(s) / 1000));
  return h('span', { 'data-date': s }, text);
}

function doseCard(d, i) {
  return h('li', { class: 'card', testid: `dcc-dose-${i}` },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title', testid: `dcc-dose-${i}-product` }, d.product_name || d.product || ''),
      h('span', { class: 'badge', testid: `dcc-dose-${i}-number` }, `${d.dose_number ?? '?'}/${d.total_doses ?? '?'}`),
      d.booster ? h('span', { class: 'badge badge-on', t: 'vax.booster' }) : null),
    h('dl', { class: 'kv' },
      row('dcc.date', dateOf(d.date), `dcc-dose-${i}-date`),
      row('dcc.country', named(d.country_name, d.country)),
      row('dcc.issuer', d.issuer),
      row('dcc.manufacturer', named(d.manufacturer_name, d.manufacturer)),
      row('dcc.uvci', d.uvci ? h('code', { class: 'wrap' }, d.uvci) : null, `dcc-dose-${i}-uvci`)));
}

function testCard(x, i) {
  return h('li', { class: 'card', testid: `dcc-test-${i}` },
    h('div', { class: 'card-main' }, h('strong', { class: 'card-title', t: 'dcc.test' }),
      h('span', { class: 'badge', testid: `dcc-test-${i}-result` }, coded('result', x.result, x.result_name))),
    h('dl', { class: 'kv' },
      row('dcc.collected_at', dateOf(x.collected_at)), row('dcc.test_type', coded('tt', x.test_type, x.test_type_name)),
      row('dcc.test_name', x.test_name), row('dcc.manufacturer', named(x.manufacturer_name, x.manufacturer)),
      row('dcc.centre', x.centre), row('dcc.country', named(x.country_name, x.country)), row('dcc.issuer', x.issuer),
      row('dcc.uvci', x.uvci ? h('code', { class: 'wrap' }, x.uvci) : null)));
}

function recoveryCard(x, i) {
  return h('li', { class: 'card', testid: `dcc-recovery-${i}` },
    h('div', { class: 'card-main' }, h('strong', { class: 'card-title', t: 'dcc.recovery' })),
    h('dl', { class: 'kv' },
      row('dcc.first_positive', dateOf(x.first_positive)), row('dcc.valid_from', dateOf(x.valid_from)), row('dcc.valid_until', dateOf(x.valid_until)),
      row('dcc.country', named(x.country_name, x.country)), row('dcc.issuer', x.issuer),
      row('dcc.uvci', x.uvci ? h('code', { class: 'wrap' }, x.uvci) : null)));
}

/** The whole verdict as one element (data-valid, data-status for tests and styles). */
export function dccResult(v) {
  const valid = v.valid === true;
  const c = v.certificate;
  const banner = h('div', {
    class: `verdict ${valid ? 'verdict-ok' : 'verdict-bad'}`, role: 'status', testid: 'verdict',
    'data-valid': String(valid), 'data-status': v.status,
  },
  h('p', { class: 'verdict-title', testid: 'verdict-title', t: valid ? 'dcc.valid' : 'dcc.invalid' }),
  h('p', { class: 'verdict-reason', testid: 'verdict-reason', t: dccStatusKey(v.status) }),
  // When it lapsed or starts: the reason's own date, in words.
  v.status === 'expired' && v.expires_at ? h('p', { testid: 'verdict-when' }, h('span', { t: 'dcc.expired_on' }), ' ', timeOf(v.expires_at)) : null,
  v.status === 'not_yet_valid' && v.issued_at ? h('p', { testid: 'verdict-when' }, h('span', { t: 'dcc.valid_from_time' }), ' ', timeOf(v.issued_at)) : null,
  // The checker's own words on what failed (which field, which byte), for whoever must fix the code.
  !valid && v.detail ? h('p', { class: 'muted small', testid: 'verdict-detail' }, h('span', { t: 'dcc.detail' }), ' ', h('span', { class: 'wrap' }, v.detail)) : null);
  const parts = [banner];
  if (c) {
    if (!valid) parts.push(h('p', { class: 'alert alert-denied', testid: 'verdict-untrusted', t: 'dcc.untrusted' }));
    parts.push(h('dl', { class: 'kv', testid: 'dcc-holder' },
      row('dcc.name', c.full_name, 'dcc-name'),
      row('dcc.name_icao', [c.name && c.name.family_icao, c.name && c.name.given_icao].filter(Boolean).join(' ')),
      row('dcc.dob', dateOf(c.date_of_birth), 'dcc-dob'),
      row('dcc.issuing_country', v.country, 'dcc-country'),
      row('dcc.issued_at', timeOf(v.issued_at)),
      row('dcc.expires_at', timeOf(v.expires_at), 'dcc-expires'),
      row('dcc.kid', v.kid ? h('code', null, v.kid) : null)));
    if (c.doses && c.doses.length) parts.push(h('ul', { class: 'cards', testid: 'dcc-doses' }, c.doses.map(doseCard)));
    if (c.tests && c.tests.length) parts.push(h('ul', { class: 'cards', testid: 'dcc-tests' }, c.tests.map(testCard)));
    if (c.recoveries && c.recoveries.length) parts.push(h('ul', { class: 'cards', testid: 'dcc-recoveries' }, c.recoveries.map(recoveryCard)));
  }
  return h('div', { class: 'dcc-result', testid: 'dcc-result', 'data-valid': String(valid), 'data-status': v.status }, parts);
}
