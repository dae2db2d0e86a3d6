'use strict';
// Vaccination: reference data, sites and sessions, registration, bookings and invitations (with
// the outbox), on-site check-in by personal QR, screening (defer/refer), doses with intervals and
// mixing, certificates (HC1, PNG, PDF), the citizen's record, adverse events, oversight, the FHIR
// export (checked by a FHIR R4 validator written here), 50 concurrent bookings for one seat,
// role/area checks and bad input.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { vnToday, vnDateText } = require('../lib/vn-time');
const { UNITS, createAccount, assertError, assertStatus, uniqueName } = require('../lib/fixtures');
const { citizenWithProfile, createPerson, uniquePhone, uniqueCccd } = require('../lib/people');

// ---------------------------------------------------------------- FHIR R4 rules (Patient, Immunization, Bundle)
//
// The checks the FHIR R4 specification makes for what we export: Bundle.type from its value set
// and a fullUrl + resource per entry (bdl-7: fullUrl unique); Patient: identifier system/value,
// HumanName with family or given or text, gender from administrative-gender, birthDate a FHIR
// date; Immunization: the required elements status (immunization-status), vaccineCode (a
// CodeableConcept whose codings have system + code), patient (a Reference resolving inside the
// Bundle) and occurrence[x] (dateTime or string), plus protocolApplied.doseNumber[x] when given.

const BUNDLE_TYPES = ['document', 'message', 'transaction', 'transaction-response', 'batch', 'batch-response',
  'history', 'searchset', 'collection'];
const GENDERS = ['male', 'female', 'other', 'unknown'];
const IMM_STATUS = ['completed', 'entered-in-error', 'not-done'];
const FHIR_DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
const FHIR_DATETIME = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const URI = /^\S+:\S+$/;

function checkCodeableConcept(cc, where, out) {
  if (!cc || typeof cc !== 'object') { out.push(`${where}: missing CodeableConcept`); return; }
  if (!Array.isArray(cc.coding) || cc.coding.length === 0) {
    if (typeof cc.text !== 'string') out.push(`${where}: needs coding or text`);
    return;
  }
  cc.coding.forEach((c, i) => {
    if (typeof c.system !== 'string' || !URI.test(c.system)) out.push(`${where}.coding[${i}].system must be a URI`);
    if (typeof c.code !== 'string' || !/^[^\s]+( [^\s]+)*$/.test(c.code)) out.push(`${where}.coding[${i}].code must be a code`);
  });
}

function checkPatient(r, out) {
  if (r.identifier !== undefined) {
    if (!Array.isArray(r.identifier)) out.push('Patient.identifier must be an array');
    else r.identifier.forEach((id, i) => {
      if (typeof id.system !== 'string' || !URI.test(id.system)) out.push(`Patient.identifier[${i}].system must be a URI`);
      if (typeof id.value !== 'string' || !id.value) out.push(`Patient.identifier[${i}].value missing`);
      if (id.type) checkCodeableConcept(id.type, `Patient.identifier[${i}].type`, out);
    });
  }
  if (r.name !== undefined) {
    if (!Array.isArray(r.name)) out.push('Patient.name must be an array');
    else r.name.forEach((n, i) => {
      if (!n.family && !(Array.isArray(n.given) && n.given.length) && !n.text) out.push(`Patient.name[${i}] is empty`);
      if (n.given !== undefined && (!Array.isArray(n.given) || n.given.some((g) => typeof g !== 'string'))) out.push(`Patient.name[${i}].given must be strings`);
    });
  }
  if (r.gender !== undefined && !GENDERS.includes(r.gender)) out.push(`Patient.gender ${r.gender} not in administrative-gender`);
  if (r.birthDate !== undefined && (typeof r.birthDate !== 'string' || !FHIR_DATE.test(r.birthDate))) out.push(`Patient.birthDate ${r.birthDate} is not a FHIR date`);
}

function checkImmunization(r, fullUrls, out) {
  if (!IMM_STATUS.includes(r.status)) out.push(`Immunization.status ${r.status} missing or not in immunization-status`);
  if (!r.vaccineCode) out.push('Immunization.vaccineCode is required');
  else checkCodeableConcept(r.vaccineCode, 'Immunization.vaccineCode', out);
  if (!r.patient || typeof r.patient.reference !== 'string') out.push('Immunization.patient is required');
  else if (!fullUrls.has(r.patient.reference) && !/^Patient\//.test(r.patient.reference)) out.push(`Immunization.patient ${r.patient.reference} does not resolve`);
  const occ = ['occurrenceDateTime', 'occurrenceString'].filter((k) => r[k] !== undefined);
  if (occ.length !== 1) out.push('Immunization.occurrence[x] is required (exactly one)');
  else if (occ[0] === 'occurrenceDateTime' && !FHIR_DATETIME.test(r.occurrenceDateTime)) out.push(`Immunization.occurrenceDateTime ${r.occurrenceDateTime} is not a FHIR dateTime`);
  if (r.primarySource !== undefined && typeof r.primarySource !== 'boolean') out.push('Immunization.primarySource must be boolean');
  (r.protocolApplied || []).forEach((p, i) => {
    const dn = ['doseNumberPositiveInt', 'doseNumberString'].filter((k) => p[k] !== undefined);
    if (dn.length !== 1) out.push(`Immunization.protocolApplied[${i}].doseNumber[x] is required`);
    if (p.doseNumberPositiveInt !== undefined && !(Number.isInteger(p.doseNumberPositiveInt) && p.doseNumberPositiveInt > 0)) out.push(`Immunization.protocolApplied[${i}].doseNumberPositiveInt must be > 0`);
    (p.targetDisease || []).forEach((t, j) => checkCodeableConcept(t, `Immunization.protocolApplied[${i}].targetDisease[${j}]`, out));
  });
}

/** Answers the list of broken FHIR rules (empty when the Bundle is valid). */
function validateFhirBundle(b) {
  const out = [];
  if (!b || b.resourceType !== 'Bundle') return ['Bundle.resourceType must be Bundle'];
  if (!BUNDLE_TYPES.includes(b.type)) out.push(`Bundle.type ${b.type} not in bundle-type`);
  if (!Array.isArray(b.entry)) return [...out, 'Bundle.entry must be an array'];
  const fullUrls = new Set();
  for (const [i, e] of b.entry.entries()) {
    if (typeof e.fullUrl !== 'string' || !URI.test(e.fullUrl)) out.push(`Bundle.entry[${i}].fullUrl must be a URI`);
    else if (fullUrls.has(e.fullUrl)) out.push(`Bundle.entry[${i}].fullUrl repeats (bdl-7)`);
    else fullUrls.add(e.fullUrl);
  }
  for (const e of b.entry) {
    const r = e.resource;
    if (!r || typeof r.resourceType !== 'string') { out.push('Bundle.entry.resource missing'); continue; }
    if (r.id !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(r.id)) out.push(`${r.resourceType}.id ${r.id} is not a FHIR id`);
    if (r.resourceType === 'Patient') checkPatient(r, out);
    else if (r.resourceType === 'Immunization') checkImmunization(r, fullUrls, out);
    else out.push(`unexpected resource ${r.resourceType}`);
  }
  if (!b.entry.some((e) => e.resource && e.resource.resourceType === 'Patient')) out.push('Bundle has no Patient');
  return out;
}

let srv;
let adminToken;
const tok = {};
let seq = 0;
// Client ids are 8-64 characters of [A-Za-z0-9_-]: pad the pid so a short prefix still makes 8.
const cid = (p = 'c') => `${p}-${String(process.pid).padStart(6, '0')}-${++seq}`;

const vnDay = vnToday;

async function site(token = tok.commune, over = {}) {
  const r = await srv.api('POST', '/api/v1/vaccine/sites', {
    token,
    body: { client_id: cid('site'), name: 'Trạm Y tế Phúc Xá', address: '1 Phúc Xá', commune_code: UNITS.phucXa,
      capacity: { pfizer: 100, astrazeneca: 40 }, ...over },
  });
  assertStatus(r, 201, 'site');
  return r.json;
}

async function session(siteId, over = {}, token = tok.commune) {
  const r = await srv.api('POST', '/api/v1/vaccine/sessions', {
    token,
    body: { client_id: cid('ses'), site_id: siteId, product: 'pfizer', date: vnDay(), start: '00:00', end: '23:30',
      capacity: 10, ...over },
  });
  assertStatus(r, 201, 'session');
  return r.json;
}

before(async () => {
  srv = await startServer();
  adminToken = await srv.login('admin', srv.adminPassword);
  const mk = async (name, role, unit) => {
    const username = uniqueName(name.toLowerCase());
    await createAccount(srv, adminToken, { username, role, unit_code: unit });
    tok[name] = await srv.login(username, 'Mat-khau-Manh-2021');
  };
  await mk('province', 'province_admin', UNITS.hanoi);
  await mk('commune', 'commune_admin', UNITS.phucXa);
  await mk('vaccinator', 'vaccinator', UNITS.phucXa);
  await mk('sampler', 'sampler', UNITS.phucXa);
  await mk('vaccinatorOut', 'vaccinator', UNITS.tanDinh);
  await mk('communeOut', 'commune_admin', UNITS.trucBach);
});

after(async () => { if (srv) await srv.stop(); });

test('reference data: products with intervals and mixing, priority groups with screening', async () => {
  const p = await srv.api('GET', '/api/v1/vaccine/products');
  assertStatus(p, 200);
  const codes = p.json.products.map((x) => x.code);
  for (const c of ['astrazeneca', 'pfizer', 'moderna', 'sinopharm', 'sputnik-v', 'abdala']) assert.ok(codes.includes(c), c);
  assert.deepEqual(p.json.products.find((x) => x.code === 'pfizer').intervals_days, [[21, 84]]);
  assert.ok(Array.isArray(p.json.mixing));
  const g = await srv.api('GET', '/api/v1/vaccine/priority-groups');
  assertStatus(g, 200);
  assert.equal(g.json.groups[0].code, 'health_workers');
  assert.ok(g.json.screening.some((s) => s.if_yes === 'defer'));
  assert.ok(g.json.screening.some((s) => s.if_yes === 'refer'));
});

test('sites and sessions: idempotent creation, daily capacity per product is never exceeded', async () => {
  const body = { client_id: cid('site'), name: 'Điểm tiêm Ba Đình', commune_code: UNITS.phucXa, capacity: { moderna: 30 } };
  const a = await srv.api('POST', '/api/v1/vaccine/sites', { token: tok.commune, body });
  assertStatus(a, 201);
  assert.equal(a.json.capacity.moderna, 30);
  const b = await srv.api('POST', '/api/v1/vaccine/sites', { token: tok.commune, body });
  assertStatus(b, 200);
  assert.equal(b.json.id, a.json.id);
  const s1 = await session(a.json.id, { product: 'moderna', capacity: 20 });
  assert.equal(s1.remaining, 20);
  const over = await srv.api('POST', '/api/v1/vaccine/sessions', {
    token: tok.commune,
    body: { client_id: cid(), site_id: a.json.id, product: 'moderna', date: vnDay(), start: '13:00', end: '17:00', capacity: 11 },
  });
  assertError(over, 409, 'conflict', 'capacity');
  const noProduct = await srv.api('POST', '/api/v1/vaccine/sessions', {
    token: tok.commune,
    body: { client_id: cid(), site_id: a.json.id, product: 'pfizer', date: vnDay(), start: '13:00', end: '17:00', capacity: 1 },
  });
  assertError(noProduct, 400, 'invalid_field', 'product');
  const outside = await srv.api('POST', '/api/v1/vaccine/sites', {
    token: tok.communeOut, body: { ...body, client_id: cid() },
  });
  assertError(outside, 403, 'forbidden');
  const list = await srv.api('GET', '/api/v1/vaccine/sites', { token: tok.vaccinator });
  assertStatus(list, 200);
  assert.ok(list.json.sites.some((x) => x.id === a.json.id));
  const listOut = await srv.api('GET', '/api/v1/vaccine/sites', { token: tok.vaccinatorOut });
  assert.ok(!listOut.json.sites.some((x) => x.id === a.json.id));
});

test('a citizen registers, books, is checked in by QR, screened, vaccinated and gets a certificate', async () => {
  const citizen = await citizenWithProfile(srv, adminToken, uniquePhone('91'), { full_name: 'Nguyễn Văn Thành', date_of_birth: '1980-03-15', sex: 'male' });
  const pid = citizen.person.id;
  // registration, idempotent; eligibility by age
  const regBody = { client_id: cid('reg'), person_id: pid, priority_group: 'general' };
  const reg = await srv.api('POST', '/api/v1/vaccine/registrations', { token: citizen.token, body: regBody });
  assertStatus(reg, 201);
  assert.equal(reg.json.source, 'self');
  assertStatus(await srv.api('POST', '/api/v1/vaccine/registrations', { token: citizen.token, body: regBody }), 200);
  assertError(await srv.api('POST', '/api/v1/vaccine/registrations', { token: citizen.token, body: { ...regBody, client_id: cid() } }),
    409, 'conflict', 'person_id');
  const young = await citizenWithProfile(srv, adminToken, uniquePhone('91'), { date_of_birth: '1990-01-01' });
  assertError(await srv.api('POST', '/api/v1/vaccine/registrations', {
    token: young.token, body: { client_id: cid(), person_id: young.person.id, priority_group: 'elderly' } }),
  400, 'invalid_field', 'priority_group');
  assertError(await srv.api('POST', '/api/v1/vaccine/registrations', {
    token: young.token, body: { client_id: cid(), person_id: young.person.id, priority_group: 'chronic_disease' } }),
  400, 'invalid_field', 'conditions');
  assertStatus(await srv.api('POST', '/api/v1/vaccine/registrations', {
    token: young.token, body: { client_id: cid(), person_id: young.person.id, priority_group: 'chronic_disease', conditions: ['chronic_disease'] } }), 201);

  const st = await site();
  const se = await session(st.id);
  const book = { client_id: cid('book'), person_id: pid, session_id: se.id };
  const b = await srv.api('POST', '/api/v1/vaccine/bookings', { token: citizen.token, body: book });
  assertStatus(b, 201);
  assert.equal(b.json.status, 'confirmed');
  assert.equal(b.json.dose_number, 1);
  assert.ok(b.json.slot_start >= se.starts_at && b.json.slot_end <= se.ends_at && b.json.slot_end > b.json.slot_start);
  assertStatus(await srv.api('POST', '/api/v1/vaccine/bookings', { token: citizen.token, body: book }), 200);
  assertError(await srv.api('POST', '/api/v1/vaccine/bookings', { token: citizen.token, body: { ...book, client_id: cid() } }),
    409, 'conflict', 'person_id');
  const seAfter = await srv.api('GET', `/api/v1/vaccine/sessions/${se.id}`, { token: tok.vaccinator });
  assert.equal(seAfter.json.booked, 1);

  // check-in by personal QR
  const qr = await srv.api('GET', '/api/v1/me/qr', { token: citizen.token });
  assertStatus(qr, 200);
  const ck = await srv.api('POST', '/api/v1/vaccine/checkins', {
    token: tok.vaccinator, body: { client_id: cid('ck'), site_id: st.id, qr: qr.json.payload } });
  assertStatus(ck, 201);
  assert.equal(ck.json.person_id, pid);
  assert.equal(ck.json.appointment_id, b.json.id);
  assert.equal(ck.json.outcome, 'pending');
  assert.ok(ck.json.checklist.length >= 5);
  const outsideCk = await srv.api('POST', '/api/v1/vaccine/checkins', {
    token: tok.vaccinatorOut, body: { client_id: cid('ck'), site_id: st.id, qr: qr.json.payload } });
  assertError(outsideCk, 403, 'forbidden');
  assertError(await srv.api('POST', '/api/v1/vaccine/checkins', {
    token: tok.vaccinator, body: { client_id: cid('ck'), site_id: st.id, qr: 'CDN1.Pnot-a-real-code' } }), 400, 'invalid_field', 'qr');

  const answers = Object.fromEntries(ck.json.checklist.map((c) => [c.code, false]));
  // a dose before screening is refused
  const early = await srv.api('POST', '/api/v1/vaccine/doses', {
    token: tok.vaccinator, body: { client_id: cid(), visit_id: ck.json.id, product: 'pfizer', lot: 'FF1234' } });
  assertError(early, 409, 'conflict', 'visit_id');
  // fever defers, with the reason
  const sc1 = await srv.api('POST', `/api/v1/vaccine/visits/${ck.json.id}/screening`, {
    token: tok.vaccinator, body: { answers: { ...answers, acute_illness: true } } });
  assertStatus(sc1, 200);
  assert.equal(sc1.json.outcome, 'defer');
  assert.deepEqual(sc1.json.reasons, ['acute_illness']);
  assert.ok(sc1.json.defer_until > Date.now() / 1000);
  assertError(await srv.api('POST', '/api/v1/vaccine/doses', {
    token: tok.vaccinator, body: { client_id: cid(), visit_id: ck.json.id, product: 'pfizer', lot: 'FF1234' } }), 409, 'conflict', 'visit_id');
  // anaphylaxis refers (refer beats defer)
  const sc2 = await srv.api('POST', `/api/v1/vaccine/visits/${ck.json.id}/screening`, {
    token: tok.vaccinator, body: { answers: { ...answers, acute_illness: true, anaphylaxis_previous_dose: true } } });
  assert.equal(sc2.json.outcome, 'refer');
  assert.deepEqual(sc2.json.reasons.sort(), ['acute_illness', 'anaphylaxis_previous_dose']);
  const sc3 = await srv.api('POST', `/api/v1/vaccine/visits/${ck.json.id}/screening`, {
    token: tok.vaccinator, body: { answers } });
  assert.equal(sc3.json.outcome, 'proceed');

  // a product the person may not have (age) and then the dose
  const doseBody = { client_id: cid('dose'), visit_id: ck.json.id, product: 'pfizer', lot: 'FF1234' };
  const t0 = Math.floor(Date.now() / 1000);
  const d1 = await srv.api('POST', '/api/v1/vaccine/doses', { token: tok.vaccinator, body: doseBody });
  assertStatus(d1, 201);
  assert.equal(d1.json.dose_number, 1);
  assert.equal(d1.json.observation_until - d1.json.administered_at, 1800);
  assert.ok(d1.json.administered_at >= t0 - 5);
  assert.ok(d1.json.certificate_id > 0);
  assert.equal(d1.json.next_earliest - d1.json.administered_at, 21 * 86400);
  assert.equal(d1.json.record.status, 'partial');
  assert.equal(d1.json.record.next_dose.dose_number, 2);
  const retry = await srv.api('POST', '/api/v1/vaccine/doses', { token: tok.vaccinator, body: doseBody });
  assertStatus(retry, 200);
  assert.equal(retry.json.id, d1.json.id);

  // the interval: a second dose today is refused
  const ck2 = await srv.api('POST', '/api/v1/vaccine/checkins', {
    token: tok.vaccinator, body: { client_id: cid('ck'), site_id: st.id, person_id: pid } });
  assertStatus(ck2, 201);
  await srv.api('POST', `/api/v1/vaccine/visits/${ck2.json.id}/screening`, { token: tok.vaccinator, body: { answers } });
  assertError(await srv.api('POST', '/api/v1/vaccine/doses', {
    token: tok.vaccinator, body: { client_id: cid(), visit_id: ck2.json.id, product: 'pfizer', lot: 'FF1' } }),
  409, 'conflict', 'administered_at');
  assertError(await srv.api('POST', '/api/v1/vaccine/doses', {
    token: tok.vaccinator, body: { client_id: cid(), visit_id: ck2.json.id, product: 'sinopharm', lot: 'FF1' } }),
  409, 'conflict', 'product');

  // certificate: JSON with HC1, PNG, PDF; the citizen sees it, a stranger does not
  const cert = await srv.api('GET', `/api/v1/vaccine/certificates/${d1.json.certificate_id}`, { token: citizen.token });
  assertStatus(cert, 200);
  assert.match(cert.json.hc1, /^HC1:[0-9A-Z $%*+\-./:]+$/);
  assert.match(cert.json.uvci, /^URN:UVCI:01:VN:/);
  // decoded and verified against this database's issuer key; the payload is the DCC vaccination entry
  const ver = srv.cli(['dcc', 'verify', cert.json.hc1]);
  assert.equal(ver.status, 0, ver.stdout + ver.stderr);
  const vj = JSON.parse(ver.stdout);
  assert.equal(vj.valid, true);
  assert.equal(vj.payload.dob, '1980-03-15');
  assert.equal(vj.payload.nam.fnt, 'NGUYEN');
  assert.equal(vj.payload.nam.gnt, 'VAN<THANH');
  assert.deepEqual({ ...vj.payload.v[0], ci: undefined }, { tg: '840539006', vp: '1119349007', mp: 'EU/1/20/1528',
    ma: 'ORG-100030215', dn: 1, sd: 2, dt: vnDay(), co: 'VN', is: 'Ministry of Health of Viet Nam', ci: undefined });
  assert.equal(vj.payload.v[0].ci, cert.json.uvci);
  const png = await fetch(`${srv.url}/api/v1/vaccine/certificates/${d1.json.certificate_id}/qr.png`, {
    headers: { authorization: `Bearer ${citizen.token}` } });
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  const pngBytes = Buffer.from(await png.arrayBuffer());
  assert.deepEqual([...pngBytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const pdf = await fetch(`${srv.url}/api/v1/vaccine/certificates/${d1.json.certificate_id}/certificate.pdf`, {
    headers: { authorization: `Bearer ${tok.vaccinator}` } });
  assert.equal(pdf.status, 200);
  assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
  assertError(await srv.api('GET', `/api/v1/vaccine/certificates/${d1.json.certificate_id}`, { token: young.token }), 404, 'not_found');
  assertError(await srv.api('GET', `/api/v1/vaccine/certificates/${d1.json.certificate_id}`, { token: tok.vaccinatorOut }), 403, 'forbidden');

  // the citizen's page data
  const me = await srv.api('GET', '/api/v1/me/vaccinations', { token: citizen.token });
  assertStatus(me, 200);
  assert.equal(me.json.people[0].person.id, pid);
  assert.equal(me.json.people[0].status, 'partial');
  assert.equal(me.json.people[0].doses.length, 1);
  assert.equal(me.json.people[0].certificates[0].hc1, cert.json.hc1);
  assert.equal(me.json.people[0].next_appointment, null);

  // adverse event by the citizen, then oversight
  const ae = await srv.api('POST', '/api/v1/vaccine/adverse-events', {
    token: citizen.token, body: { client_id: cid('ae'), dose_id: d1.json.id, severity: 'mild', description: 'Sốt nhẹ, đau chỗ tiêm' } });
  assertStatus(ae, 201);
  assert.equal(ae.json.source, 'citizen');
  const ae2 = await srv.api('POST', '/api/v1/vaccine/adverse-events', {
    token: tok.vaccinator, body: { client_id: cid('ae'), dose_id: d1.json.id, severity: 'severe', description: 'Phản vệ độ II' } });
  assertStatus(ae2, 201);
  assertError(await srv.api('POST', '/api/v1/vaccine/adverse-events', {
    token: young.token, body: { client_id: cid('ae'), dose_id: d1.json.id, severity: 'mild', description: 'x' } }), 400, 'invalid_field', 'dose_id');
  const ov = await srv.api('GET', '/api/v1/vaccine/oversight/adverse-events', { token: tok.commune });
  assertStatus(ov, 200);
  assert.ok(ov.json.by_severity.mild >= 1 && ov.json.by_severity.severe >= 1);
  const cov = await srv.api('GET', `/api/v1/vaccine/oversight/coverage?by=commune&from=${vnDay(-1)}&to=${vnDay(1)}`, { token: tok.province });
  assertStatus(cov, 200);
  const row = cov.json.rows.find((x) => x.key === UNITS.phucXa);
  assert.ok(row && row.doses >= 1 && row.first_doses >= 1, cov.text);
  for (const by of ['day', 'age_group', 'priority_group', 'product']) {
    const c = await srv.api('GET', `/api/v1/vaccine/oversight/coverage?by=${by}`, { token: tok.commune });
    assertStatus(c, 200, by);
    assert.ok(c.json.rows.length >= 1, by);
  }
  const ageRow = (await srv.api('GET', '/api/v1/vaccine/oversight/coverage?by=age_group', { token: tok.commune })).json.rows;
  assert.ok(ageRow.some((x) => x.key === '18-49'));
  const sites = await srv.api('GET', '/api/v1/vaccine/oversight/sites', { token: tok.commune });
  assertStatus(sites, 200);
  const sr = sites.json.rows.find((x) => x.site_id === st.id);
  assert.equal(sr.capacity, 100);
  assert.equal(sr.doses, 1);
  const covOut = await srv.api('GET', '/api/v1/vaccine/oversight/coverage?by=commune', { token: tok.communeOut });
  assert.ok(!covOut.json.rows.some((x) => x.key === UNITS.phucXa));
  assertError(await srv.api('GET', `/api/v1/vaccine/oversight/coverage?unit=${UNITS.phucXa}`, { token: tok.communeOut }), 403, 'forbidden');

  // FHIR export, audited
  const fh = await srv.api('GET', `/api/v1/people/${pid}/fhir`, { token: tok.vaccinator });
  assertStatus(fh, 200);
  assert.match(fh.headers.get('content-type'), /^application\/fhir\+json/);
  const problems = validateFhirBundle(fh.json);
  assert.deepEqual(problems, []);
  const imm = fh.json.entry.filter((e) => e.resource.resourceType === 'Immunization');
  assert.equal(imm.length, 1);
  assert.ok(imm[0].resource.vaccineCode.coding.some((c) => c.system === 'http://hl7.org/fhir/sid/cvx' && c.code === '208'));
  assert.ok(imm[0].resource.vaccineCode.coding.some((c) => c.system === 'http://snomed.info/sct' && c.code === '1119349007'));
  assert.equal(imm[0].resource.lotNumber, 'FF1234');
  const audit = await srv.api('GET', '/api/v1/audit?limit=50', { token: adminToken });
  assert.ok(audit.json.entries ? audit.json.entries.some((e) => e.action === 'vaccine_fhir.export')
    : JSON.stringify(audit.json).includes('vaccine_fhir.export'));
  assertError(await srv.api('GET', `/api/v1/people/${pid}/fhir`, { token: citizen.token }), 403, 'forbidden');
});

test('the FHIR validator refuses broken resources (it can fail)', () => {
  const good = {
    resourceType: 'Bundle', type: 'collection', entry: [
      { fullUrl: 'urn:uuid:1', resource: { resourceType: 'Patient', identifier: [{ system: 'https://x', value: '1' }],
        name: [{ family: 'Nguyễn', given: ['An'] }], gender: 'male', birthDate: '1980-01-02' } },
      { fullUrl: 'urn:uuid:2', resource: { resourceType: 'Immunization', status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }] },
        patient: { reference: 'urn:uuid:1' }, occurrenceDateTime: '2021-09-01T10:00:00+07:00' } },
    ],
  };
  assert.deepEqual(validateFhirBundle(good), []);
  const bad = JSON.parse(JSON.stringify(good));
  bad.type = 'collectionz';
  bad.entry[0].resource.gender = 'M';
  bad.entry[0].resource.birthDate = '01/02/1980';
  delete bad.entry[1].resource.status;
  delete bad.entry[1].resource.occurrenceDateTime;
  bad.entry[1].resource.patient = { reference: 'urn:uuid:9' };
  const p = validateFhirBundle(bad).join('\n');
  for (const w of ['Bundle.type', 'Patient.gender', 'Patient.birthDate', 'Immunization.status', 'Immunization.occurrence', 'Immunization.patient']) {
    assert.ok(p.includes(w), `${w} in ${p}`);
  }
});

test('invitations: all-or-nothing, SMS with date and slot in the outbox; confirm, move, cancel', async () => {
  const st = await site();
  const se = await session(st.id, { capacity: 2, start: '08:00', end: '09:00' });
  const people = [];
  for (let i = 0; i < 3; i++) people.push((await createPerson(srv, tok.commune, { phone: uniquePhone('97'), cccd: uniqueCccd() })).person);
  const tooMany = await srv.api('POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, {
    token: tok.commune, body: { client_id: cid('inv'), person_ids: people.map((p) => p.id) } });
  assertError(tooMany, 409, 'conflict');
  assert.equal((await srv.api('GET', `/api/v1/vaccine/sessions/${se.id}`, { token: tok.commune })).json.booked, 0);
  const invBody = { client_id: cid('inv'), person_ids: people.slice(0, 2).map((p) => p.id) };
  const inv = await srv.api('POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, { token: tok.commune, body: invBody });
  assertStatus(inv, 201);
  assert.equal(inv.json.appointments.length, 2);
  assert.ok(inv.json.appointments.every((a) => a.status === 'invited'));
  const again = await srv.api('POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, { token: tok.commune, body: invBody });
  assertStatus(again, 201);
  assert.deepEqual(again.json.appointments.map((a) => a.id), inv.json.appointments.map((a) => a.id));
  assert.equal((await srv.api('GET', `/api/v1/vaccine/sessions/${se.id}`, { token: tok.commune })).json.booked, 2);
  const out = await srv.api('GET', `/api/v1/outbox?recipient=${people[0].phone}&kind=vaccine_invitation`, { token: adminToken });
  assertStatus(out, 200);
  assert.equal(out.json.messages.length, 1);
  // the day written as in Vietnamese text (dd/mm/yyyy), not as the API's ISO date
  assert.ok(out.json.messages[0].body.includes(`ngay ${vnDateText(vnDay())}`), out.json.messages[0].body);
  assert.match(out.json.messages[0].body, /08:[03]0-0[89]:[03]0/);

  const a0 = inv.json.appointments[0];
  const c = await srv.api('POST', `/api/v1/vaccine/appointments/${a0.id}/confirm`, { token: tok.vaccinator });
  assertStatus(c, 200);
  assert.equal(c.json.status, 'confirmed');
  // ask for another slot: the seat is freed
  const se2 = await session(st.id, { capacity: 5, date: vnDay(1) });
  const mv = await srv.api('POST', `/api/v1/vaccine/appointments/${a0.id}/reschedule`, { token: tok.commune, body: { session_id: se2.id } });
  assertStatus(mv, 200);
  assert.equal(mv.json.session_id, se2.id);
  assert.equal((await srv.api('GET', `/api/v1/vaccine/sessions/${se.id}`, { token: tok.commune })).json.booked, 1);
  assert.equal((await srv.api('GET', `/api/v1/vaccine/sessions/${se2.id}`, { token: tok.commune })).json.booked, 1);
  const a1 = inv.json.appointments[1];
  const rq = await srv.api('POST', `/api/v1/vaccine/appointments/${a1.id}/reschedule`, { token: tok.commune });
  assertStatus(rq, 200);
  assert.equal(rq.json.status, 'reschedule_requested');
  assert.equal((await srv.api('GET', `/api/v1/vaccine/sessions/${se.id}`, { token: tok.commune })).json.booked, 0);
  const cn = await srv.api('POST', `/api/v1/vaccine/appointments/${mv.json.id}/cancel`, { token: tok.commune });
  assertStatus(cn, 200);
  assert.equal(cn.json.status, 'cancelled');
  assert.equal((await srv.api('GET', `/api/v1/vaccine/sessions/${se2.id}`, { token: tok.commune })).json.booked, 0);
  assertError(await srv.api('POST', `/api/v1/vaccine/appointments/${mv.json.id}/confirm`, { token: tok.commune }), 409, 'conflict');
});

test('50 concurrent clients book the one remaining seat: exactly one succeeds', async () => {
  const st = await site();
  const se = await session(st.id, { capacity: 1 });
  const people = await Promise.all(Array.from({ length: 50 }, async () => (await createPerson(srv, tok.commune, {})).person));
  const results = await Promise.all(people.map((p) => srv.api('POST', '/api/v1/vaccine/bookings', {
    token: tok.vaccinator, body: { client_id: cid('race'), person_id: p.id, session_id: se.id } })));
  const ok = results.filter((r) => r.status === 201);
  const full = results.filter((r) => r.status === 409);
  assert.equal(ok.length, 1, results.map((r) => r.status).join(','));
  assert.equal(full.length, 49);
  for (const r of full) assert.equal(r.json.error.field, 'session_id');
  const after = await srv.api('GET', `/api/v1/vaccine/sessions/${se.id}`, { token: tok.vaccinator });
  assert.equal(after.json.booked, 1);
  assert.equal(after.json.remaining, 0);
});

test('20 sessions created at once against a site\'s daily capacity: never more seats than the capacity', async () => {
  const st = await site(tok.commune, { capacity: { astrazeneca: 100 } });
  const date = vnDay(3);
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => srv.api('POST', '/api/v1/vaccine/sessions', {
    token: tok.commune,
    body: { client_id: cid('cap'), site_id: st.id, product: 'astrazeneca', date, start: `${String(i % 10 + 7).padStart(2, '0')}:00`, end: '17:00', capacity: 15 },
  })));
  const created = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status === 409);
  // 6 sessions of 15 fit in 100 doses; the 7th would make 105.
  assert.equal(created.length, 6, results.map((r) => r.status).join(','));
  assert.equal(refused.length, 14);
  for (const r of refused) assert.equal(r.json.error.field, 'capacity');
  const list = await srv.api('GET', `/api/v1/vaccine/sessions?site_id=${st.id}&date=${date}`, { token: tok.commune });
  assertStatus(list, 200);
  const items = list.json.sessions;
  assert.equal(items.reduce((n, x) => n + x.capacity, 0), 90);
});

test('roles and area: each role inside / outside / anonymous gets exactly 2xx, 403 or 401', async () => {
  const st = await site();
  const person = (await createPerson(srv, tok.commune, {})).person;
  const roles = [
    ['national_admin', adminToken, true], ['province', tok.province, true], ['commune', tok.commune, true],
    ['vaccinator', tok.vaccinator, true], ['sampler', tok.sampler, false], ['vaccinatorOut', tok.vaccinatorOut, 'area'],
    ['communeOut', tok.communeOut, 'area'],
  ];
  const routes = [
    // [method, path, body(fn), who: admin|staff, area-scoped]
    ['GET', `/api/v1/vaccine/sites/${st.id}`, null, 'staff'],
    ['GET', `/api/v1/vaccine/sites?unit=${UNITS.phucXa}`, null, 'staff'],
    ['GET', `/api/v1/vaccine/registrations?unit=${UNITS.phucXa}`, null, 'admin'],
    ['GET', `/api/v1/vaccine/oversight/coverage?unit=${UNITS.phucXa}`, null, 'admin'],
    ['GET', `/api/v1/vaccine/oversight/sites?unit=${UNITS.phucXa}`, null, 'admin'],
    ['GET', `/api/v1/vaccine/adverse-events?unit=${UNITS.phucXa}`, null, 'admin'],
    ['GET', `/api/v1/people/${person.id}/fhir`, null, 'staff'],
    ['GET', `/api/v1/people/${person.id}/vaccinations`, null, 'staff'],
    ['POST', '/api/v1/vaccine/sessions', () => ({ client_id: cid(), site_id: st.id, product: 'astrazeneca', date: vnDay(), start: '08:00', end: '09:00', capacity: 1 }), 'admin'],
  ];
  for (const [method, path, body, who] of routes) {
    assertError(await srv.api(method, path, { body: body ? body() : undefined }), 401, 'unauthenticated');
    for (const [name, token, inside] of roles) {
      const r = await srv.api(method, path, { token, body: body ? body() : undefined });
      const isAdmin = ['national_admin', 'province', 'commune', 'communeOut'].includes(name);
      const roleOk = who === 'staff' ? (isAdmin || name.startsWith('vaccinator')) : isAdmin;
      const want = !roleOk ? 403 : inside === 'area' ? 403 : null;
      if (want) assertStatus(r, want, `${name} ${method} ${path}`);
      else assert.ok(r.status >= 200 && r.status < 300, `${name} ${method} ${path}: ${r.status} ${r.text}`);
    }
  }
  assertError(await srv.api('GET', '/api/v1/me/vaccinations', {}), 401, 'unauthenticated');
  assertError(await srv.api('GET', '/api/v1/me/vaccinations', { token: tok.commune }), 403, 'forbidden');
});

test('bad input: each a 4xx naming the field, nothing written', async () => {
  const st = await site();
  const se = await session(st.id);
  const person = (await createPerson(srv, tok.commune, {})).person;
  const snap = () => {
    const t = srv.dbStats().tables;
    return JSON.stringify(Object.keys(t).filter((n) => n.startsWith('vaccine_') || n === 'outbox').sort().map((n) => [n, t[n].rows, t[n].digest]));
  };
  const before = snap();
  const S = '/api/v1/vaccine/sites';
  const siteOk = { client_id: cid(), name: 'X', commune_code: UNITS.phucXa, capacity: { pfizer: 1 } };
  const sesOk = { client_id: cid(), site_id: st.id, product: 'pfizer', date: vnDay(), start: '08:00', end: '09:00', capacity: 1 };
  const cases = [
    ['site no client_id', 'POST', S, { ...siteOk, client_id: undefined }, 400, 'missing_field', 'client_id'],
    ['site unknown field', 'POST', S, { ...siteOk, colour: 'red' }, 400, 'unknown_field', 'colour'],
    ['site district not commune', 'POST', S, { ...siteOk, commune_code: UNITS.baDinh }, 400, 'invalid_field', 'commune_code'],
    ['site unknown product', 'POST', S, { ...siteOk, capacity: { covaxx: 3 } }, 400, 'invalid_field', 'capacity'],
    ['site zero capacity', 'POST', S, { ...siteOk, capacity: { pfizer: 0 } }, 400, 'invalid_field', 'capacity'],
    ['site capacity not object', 'POST', S, { ...siteOk, capacity: [1] }, 400, 'invalid_field', 'capacity'],
    ['session bad date', 'POST', '/api/v1/vaccine/sessions', { ...sesOk, date: '2021-02-30' }, 400, 'invalid_field', 'date'],
    ['session end before start', 'POST', '/api/v1/vaccine/sessions', { ...sesOk, end: '07:00' }, 400, 'invalid_field', 'end'],
    ['session bad start', 'POST', '/api/v1/vaccine/sessions', { ...sesOk, start: '8h' }, 400, 'invalid_field', 'start'],
    ['session unknown site', 'POST', '/api/v1/vaccine/sessions', { ...sesOk, site_id: 999999 }, 400, 'invalid_field', 'site_id'],
    ['session capacity 0', 'POST', '/api/v1/vaccine/sessions', { ...sesOk, capacity: 0 }, 400, 'invalid_field', 'capacity'],
    ['booking no session', 'POST', '/api/v1/vaccine/bookings', { client_id: cid(), person_id: person.id }, 400, 'missing_field', 'session_id'],
    ['booking unknown session', 'POST', '/api/v1/vaccine/bookings', { client_id: cid(), person_id: person.id, session_id: 999999 }, 400, 'invalid_field', 'session_id'],
    ['booking unknown person', 'POST', '/api/v1/vaccine/bookings', { client_id: cid(), person_id: 999999, session_id: se.id }, 400, 'invalid_field', 'person_id'],
    ['registration unknown group', 'POST', '/api/v1/vaccine/registrations', { client_id: cid(), person_id: person.id, priority_group: 'vip' }, 400, 'invalid_field', 'priority_group'],
    ['registration bad condition', 'POST', '/api/v1/vaccine/registrations', { client_id: cid(), person_id: person.id, priority_group: 'general', conditions: ['flu'] }, 400, 'invalid_field', 'conditions'],
    ['checkin neither qr nor person', 'POST', '/api/v1/vaccine/checkins', { client_id: cid(), site_id: st.id }, 400, 'missing_field', 'qr'],
    ['checkin unknown site', 'POST', '/api/v1/vaccine/checkins', { client_id: cid(), site_id: 999999, person_id: person.id }, 400, 'invalid_field', 'site_id'],
    ['dose unknown visit', 'POST', '/api/v1/vaccine/doses', { client_id: cid(), visit_id: 999999, product: 'pfizer', lot: 'A' }, 400, 'invalid_field', 'visit_id'],
    ['dose unknown product', 'POST', '/api/v1/vaccine/doses', { client_id: cid(), visit_id: 1, product: 'x', lot: 'A' }, 400, 'invalid_field', 'product'],
    ['dose lot too long', 'POST', '/api/v1/vaccine/doses', { client_id: cid(), visit_id: 1, product: 'pfizer', lot: 'A'.repeat(41) }, 400, 'invalid_field', 'lot'],
    ['adverse bad severity', 'POST', '/api/v1/vaccine/adverse-events', { client_id: cid(), dose_id: 1, severity: 'meh', description: 'x' }, 400, 'invalid_field', 'severity'],
    ['adverse unknown dose', 'POST', '/api/v1/vaccine/adverse-events', { client_id: cid(), dose_id: 999999, severity: 'mild', description: 'x' }, 400, 'invalid_field', 'dose_id'],
    ['invite empty', 'POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, { client_id: cid(), person_ids: [] }, 400, 'invalid_field', 'person_ids'],
    ['invite repeat', 'POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, { client_id: cid(), person_ids: [person.id, person.id] }, 400, 'invalid_field', 'person_ids[1]'],
    ['invite unknown person', 'POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, { client_id: cid(), person_ids: [999999] }, 400, 'invalid_field', 'person_ids[0]'],
    ['coverage bad by', 'GET', '/api/v1/vaccine/oversight/coverage?by=galaxy', undefined, 400, 'invalid_field', 'by'],
    ['coverage bad from', 'GET', '/api/v1/vaccine/oversight/coverage?from=yesterday', undefined, 400, 'invalid_field', 'from'],
    ['sites bad unit', 'GET', '/api/v1/vaccine/sites?unit=abc', undefined, 400, 'invalid_field', 'unit'],
    ['session id not a number', 'GET', '/api/v1/vaccine/sessions/abc', undefined, 400, 'invalid_field', 'id'],
    ['certificate not found', 'GET', '/api/v1/vaccine/certificates/999999', undefined, 404, 'not_found', 'id'],
    ['screening unknown visit', 'POST', '/api/v1/vaccine/visits/999999/screening', { answers: {} }, 404, 'not_found', 'id'],
    // client_id follows the one rule every domain uses: 8-64 characters of [A-Za-z0-9_-]
    ['site short client_id', 'POST', S, { ...siteOk, client_id: 'abc' }, 400, 'invalid_field', 'client_id'],
    ['site client_id with a space', 'POST', S, { ...siteOk, client_id: 'abc defgh' }, 400, 'invalid_field', 'client_id'],
    ['session client_id too long', 'POST', '/api/v1/vaccine/sessions', { ...sesOk, client_id: 'a'.repeat(65) }, 400, 'invalid_field', 'client_id'],
    ['booking client_id with a slash', 'POST', '/api/v1/vaccine/bookings', { client_id: 'a/b/c/d/e', person_id: person.id, session_id: se.id }, 400, 'invalid_field', 'client_id'],
    ['registration client_id with diacritics', 'POST', '/api/v1/vaccine/registrations', { client_id: 'đăng-ký-0001', person_id: person.id, priority_group: 'general' }, 400, 'invalid_field', 'client_id'],
    ['checkin client_id with a dot', 'POST', '/api/v1/vaccine/checkins', { client_id: 'visit.0001', site_id: st.id, person_id: person.id }, 400, 'invalid_field', 'client_id'],
    ['dose short client_id', 'POST', '/api/v1/vaccine/doses', { client_id: 'd1', visit_id: 1, product: 'pfizer', lot: 'A' }, 400, 'invalid_field', 'client_id'],
    ['adverse client_id with a space', 'POST', '/api/v1/vaccine/adverse-events', { client_id: 'ae 000001', dose_id: 1, severity: 'mild', description: 'x' }, 400, 'invalid_field', 'client_id'],
    ['invite short client_id', 'POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, { client_id: 'inv', person_ids: [person.id] }, 400, 'invalid_field', 'client_id'],
  ];
  for (const [name, method, path, body, status, code, field] of cases) {
    const r = await srv.api(method, path, { token: tok.commune, body });
    assert.equal(r.status, status, `${name}: ${r.status} ${r.text}`);
    assertError(r, status, code, field);
  }
  assert.equal(snap(), before, 'bad input wrote something');
  // screening answers must cover the checklist
  const ck = await srv.api('POST', '/api/v1/vaccine/checkins', { token: tok.vaccinator, body: { client_id: cid(), site_id: st.id, person_id: person.id } });
  assertStatus(ck, 201);
  const mid = snap();
  assertError(await srv.api('POST', `/api/v1/vaccine/visits/${ck.json.id}/screening`, { token: tok.vaccinator, body: { answers: { acute_illness: false } } }),
    400, 'missing_field', 'answers.anaphylaxis_previous_dose');
  assertError(await srv.api('POST', `/api/v1/vaccine/visits/${ck.json.id}/screening`, { token: tok.vaccinator, body: { answers: 'no' } }),
    400, 'invalid_field', 'answers');
  assertError(await srv.api('POST', `/api/v1/vaccine/visits/${ck.json.id}/screening`, { token: tok.vaccinator, body: { answers: { fever: 1 } } }),
    400, 'unknown_field', 'answers');
  assert.equal(snap(), mid);
  assert.notEqual(before, mid);
});
