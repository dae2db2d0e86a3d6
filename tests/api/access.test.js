'use strict';
// Access regressions: records that were once reachable by the wrong role or from the wrong area,
// each closed by the view table (docs/access.md) and the area rule, tested through the API.
// One server for the file: Hà Nội accounts at Phúc Xá / Ba Đình / Hà Nội, and Hồ Chí Minh City
// accounts at Tân Định (HCM).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { vnToday } = require('../lib/vn-time');
const { assertError, assertStatus, createAccount, uniqueName, PASSWORD, UNITS } = require('../lib/fixtures');
const { createPerson, uniqueCccd, uniquePhone, citizenWithProfile } = require('../lib/people');
const { clientId, venueOwner, venue } = require('../lib/checkin');

let srv;
let admin;
const tok = {}; // name -> token

let seq = 0;
const cid = (p) => `${p}-${process.pid}-${++seq}-${Date.now() % 100000}`;
const vnDay = () => vnToday();

async function account(name, role, unit) {
  const username = uniqueName(name.toLowerCase());
  await createAccount(srv, admin, { username, role, unit_code: unit });
  tok[name] = await srv.login(username, PASSWORD);
}

let hanoiPerson; // lives at Phúc Xá, with every identifier
let hcmSession;  // a vaccination session at Tân Định

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await account('hnCommune', 'commune_admin', UNITS.phucXa);
  await account('hnSampler', 'sampler', UNITS.phucXa);
  await account('hnLab', 'lab', UNITS.phucXa);
  await account('hnVenue', 'venue_owner', UNITS.phucXa);
  await account('hnCheckpoint', 'checkpoint_officer', UNITS.phucXa);
  await account('hcmProvince', 'province_admin', UNITS.hcm);
  await account('hcmCommune', 'commune_admin', UNITS.tanDinh);
  await account('hcmVaccinator', 'vaccinator', UNITS.tanDinh);
  hanoiPerson = (await createPerson(srv, tok.hnCommune, {
    full_name: 'Đinh Công Tráng', date_of_birth: '1969-09-02', phone: '0987654321', cccd: uniqueCccd(),
    bhyt: 'GD4010000012345', street: '9 Phúc Xá',
  })).person;
  const site = await srv.api('POST', '/api/v1/vaccine/sites', { token: tok.hcmCommune, body: {
    client_id: cid('site'), name: 'Trạm Y tế phường Tân Định', address: '1 Tân Định', commune_code: UNITS.tanDinh,
    capacity: { pfizer: 100 } } });
  assertStatus(site, 201, 'site');
  const session = await srv.api('POST', '/api/v1/vaccine/sessions', { token: tok.hcmCommune, body: {
    client_id: cid('ses'), site_id: site.json.id, product: 'pfizer', date: vnDay(), start: '00:00', end: '23:30',
    capacity: 10 } });
  assertStatus(session, 201, 'session');
  hcmSession = session.json;
});

after(async () => { if (srv) await srv.stop(); });

/** The person's identifiers must not appear anywhere in a refused answer. */
function assertNoIdentity(r, p) {
  for (const v of [p.full_name, p.phone, p.cccd, p.bhyt, p.street]) {
    assert.ok(!r.text.includes(v), `answer leaks ${v}: ${r.text}`);
  }
}

test('labs, venue owners and checkpoint officers do not read people; samplers read them masked', async () => {
  const path = `/api/v1/people/${hanoiPerson.id}`;
  for (const who of ['hnLab', 'hnVenue', 'hnCheckpoint']) {
    const r = await srv.api('GET', path, { token: tok[who] });
    assertError(r, 403, 'forbidden');
    assertNoIdentity(r, hanoiPerson);
    assertError(await srv.api('GET', `${path}/card.png`, { token: tok[who] }), 403, 'forbidden');
    assertError(await srv.api('POST', `${path}/qr/revoke`, { token: tok[who] }), 403, 'forbidden');
  }
  const s = await srv.api('GET', path, { token: tok.hnSampler });
  assertStatus(s, 200);
  assert.equal(s.json.full_name, hanoiPerson.full_name);
  assert.equal(s.json.birth_year, '1969');
  assert.equal(s.json.phone, '*******321');
  assert.equal(s.json.cccd, `*********${hanoiPerson.cccd.slice(-3)}`);
  assert.equal(s.json.bhyt, '************345');
  assert.equal(s.json.street, undefined);
  assert.equal(s.json.date_of_birth, undefined);
  const full = await srv.api('GET', path, { token: tok.hnCommune });
  assert.equal(full.json.cccd, hanoiPerson.cccd);
});

test('a venue owner registering a visitor learns only the id and code, even of an existing person', async () => {
  const r = await srv.api('POST', '/api/v1/people', { token: tok.hnVenue, body: {
    full_name: hanoiPerson.full_name, date_of_birth: '1969-09-02', cccd: hanoiPerson.cccd, commune_code: UNITS.phucXa } });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  assert.deepEqual(Object.keys(r.json.person).sort(), ['code', 'id']);
  assertNoIdentity(r, hanoiPerson);
});

test('an HCM vaccinator cannot check in a Hà Nội person by id, nor learn who it is', async () => {
  const site = hcmSession.site_id;
  const r = await srv.api('POST', '/api/v1/vaccine/checkins', { token: tok.hcmVaccinator,
    body: { client_id: cid('ck'), site_id: site, person_id: hanoiPerson.id } });
  assertError(r, 400, 'invalid_field', 'person_id');
  assertNoIdentity(r, hanoiPerson);
  // an id nobody has gets the very same answer
  const none = await srv.api('POST', '/api/v1/vaccine/checkins', { token: tok.hcmVaccinator,
    body: { client_id: cid('ck'), site_id: site, person_id: 99999999 } });
  assertError(none, 400, 'invalid_field', 'person_id');
  assert.equal(none.json.error.message.replace('99999999', 'X'), r.json.error.message.replace(String(hanoiPerson.id), 'X'));
  // a person of the vaccinator's own area is checked in by id as before
  const local = (await createPerson(srv, tok.hcmCommune, { full_name: 'Trương Định', commune_code: UNITS.tanDinh })).person;
  const ok = await srv.api('POST', '/api/v1/vaccine/checkins', { token: tok.hcmVaccinator,
    body: { client_id: cid('ck'), site_id: site, person_id: local.id } });
  assertStatus(ok, 201);
});

test('an HCM province admin cannot invite a Hà Nội person to an HCM session', async () => {
  const before = await srv.api('GET', `/api/v1/vaccine/sessions/${hcmSession.id}`, { token: tok.hcmProvince });
  const r = await srv.api('POST', `/api/v1/vaccine/sessions/${hcmSession.id}/invitations`, { token: tok.hcmProvince,
    body: { client_id: cid('inv'), person_ids: [hanoiPerson.id] } });
  assertError(r, 403, 'forbidden', 'person_ids[0]');
  assertNoIdentity(r, hanoiPerson);
  const afterwards = await srv.api('GET', `/api/v1/vaccine/sessions/${hcmSession.id}`, { token: tok.hcmProvince });
  assert.equal(afterwards.json.remaining, before.json.remaining, 'no seat was taken');
});

describe('check-ins cannot be forged', () => {
  let v;          // an approved venue at Phúc Xá, with its poster signature
  let citizen;    // a verified citizen of Phúc Xá
  let tracer;
  const post = (body, token) => srv.api('POST', '/api/v1/checkins', { token, body });

  before(async () => {
    const owner = await venueOwner(srv, admin, uniqueName('own'), UNITS.phucXa);
    v = await venue(srv, owner.token, tok.hnCommune, { name: 'Quán Bún Chả Hàng Mành' });
    citizen = await citizenWithProfile(srv, admin, uniquePhone(), { full_name: 'Vũ Thị Sáu', street: '2 Phúc Xá' });
    await account('hnTracer', 'tracer', UNITS.phucXa);
    tracer = tok.hnTracer;
  });

  test('without the poster\'s signature there is no check-in', async () => {
    const body = { client_id: clientId(), venue_code: v.code, phone: uniquePhone(), full_name: 'Ai Đó' };
    assertError(await post(body), 400, 'missing_field', 'venue_sig');
    assertError(await post({ ...body, venue_sig: 'k1.AAAA' }), 400, 'invalid_field', 'venue_sig');
  });

  test('someone else\'s phone and name land on an unverified contact, never on the citizen', async () => {
    const r = await post({ client_id: clientId(), venue_code: v.code, venue_sig: v.sig, phone: citizen.person.phone,
      full_name: 'Vũ Thị Sáu' });
    assertStatus(r, 201);
    assert.notEqual(r.json.checkins[0].person_id, citizen.person.id);
    const mine = await srv.api('GET', '/api/v1/me/checkins', { token: citizen.token });
    assert.deepEqual(mine.json.checkins, [], 'nothing on the citizen\'s own page');
    // a registered record with that phone and name is not reached either
    const reg = (await createPerson(srv, tok.hnCommune, { full_name: 'Lò Văn Giàng', phone: '0911222333' })).person;
    const r2 = await post({ client_id: clientId(), venue_code: v.code, venue_sig: v.sig, phone: '0911222333',
      full_name: 'Lò Văn Giàng' });
    assertStatus(r2, 201);
    assert.notEqual(r2.json.checkins[0].person_id, reg.id);
  });

  test('a case at the venue makes the forged contact an unverified F1 with no orders until a tracer confirms', async () => {
    const f0 = (await createPerson(srv, tok.hnCommune, { full_name: 'Hà Văn Ca', cccd: uniqueCccd() })).person;
    const ck = await srv.api('POST', `/api/v1/venues/${v.id}/checkins`, { token: v.ownerToken,
      body: { client_id: clientId(), cccd: f0.cccd } });
    assertStatus(ck, 201, 'F0 at the venue');
    const forged = await post({ client_id: clientId(), venue_code: v.code, venue_sig: v.sig, phone: uniquePhone(),
      full_name: 'Khách Vãng Lai' });
    assertStatus(forged, 201);
    const contactPerson = forged.json.checkins[0].person_id;
    const kase = await srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: clientId(),
      person_id: f0.id, test_date: vnDay(), isolated_date: vnDay() } });
    assertStatus(kase, 201, 'case');
    assertStatus(await srv.api('POST', '/api/v1/tracing/runs', { token: tracer, body: { case_ids: [kase.json.id] } }),
      201, 'run');
    const list = await srv.api('GET', `/api/v1/tracing/contacts?case_id=${kase.json.id}`, { token: tracer });
    const k = list.json.contacts.find((c) => c.person_id === contactPerson);
    assert.ok(k, list.text);
    assert.equal(k.degree, 1);
    assert.equal(k.unverified, true);
    const orders = async () => (await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}`, { token: tracer }))
      .json.orders.filter((o) => o.person_id === contactPerson);
    assert.deepEqual(await orders(), [], 'no quarantine order for an unverified contact');
    // the tracer reaches the person and confirms: now the policy applies
    const c = await srv.api('PATCH', `/api/v1/tracing/contacts/${k.id}`, { token: tracer, body: { confirm: true } });
    assertStatus(c, 200);
    assert.equal(c.json.unverified, false);
    assert.equal((await orders()).length, 1);
    assertError(await srv.api('PATCH', `/api/v1/tracing/contacts/${k.id}`, { token: tracer, body: { confirm: false } }),
      400, 'invalid_field', 'confirm');
  });

  test('one phone without sign-in is limited per hour: 429 with Retry-After', async () => {
    const phone = uniquePhone();
    let last;
    for (let i = 0; i < 25; i += 1) {
      last = await post({ client_id: clientId(), venue_code: v.code, venue_sig: v.sig, phone, full_name: 'Trần Văn Lặp' });
      if (last.status !== 201) break;
    }
    assertError(last, 429, 'rate_limited');
    assert.ok(Number(last.headers.get('retry-after')) > 0, 'Retry-After');
    // a signed-in citizen is not limited by it
    const own = await post({ client_id: clientId(), venue_code: v.code, venue_sig: v.sig }, citizen.token);
    assertStatus(own, 201);
  });
});

describe('orders follow tracing\'s decisions once per person', () => {
  let v;
  let tracer;
  before(async () => {
    const owner = await venueOwner(srv, admin, uniqueName('own'), UNITS.phucXa);
    v = await venue(srv, owner.token, tok.hnCommune, { name: 'Nhà hàng Hai Bà' });
    tracer = tok.hnTracer || (await account('hnTracer', 'tracer', UNITS.phucXa), tok.hnTracer);
  });

  test('an F1 of two cases has one active order; a confirmed case gets none as an F1', async () => {
    const person = async (name) => (await createPerson(srv, tok.hnCommune, { full_name: name, cccd: uniqueCccd() })).person;
    const [x, z, y] = [await person('Mai Hắc Đế'), await person('Lý Bí'), await person('Triệu Quang Phục')];
    for (const p of [x, z, y]) {
      assertStatus(await srv.api('POST', `/api/v1/venues/${v.id}/checkins`, { token: v.ownerToken,
        body: { client_id: clientId(), cccd: p.cccd } }), 201, 'check-in');
    }
    const cases = [];
    for (const p of [x, z]) {
      const r = await srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: clientId(),
        person_id: p.id, test_date: vnDay(), isolated_date: vnDay() } });
      assertStatus(r, 201, 'case');
      cases.push(r.json.id);
    }
    assertStatus(await srv.api('POST', '/api/v1/tracing/runs', { token: tracer, body: { case_ids: cases } }), 201, 'run');
    const orders = (await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}&limit=1000`, { token: tracer }))
      .json.orders;
    assert.equal(orders.filter((o) => o.person_id === y.id).length, 1, 'one active order for the F1 of both cases');
    assert.equal(orders.filter((o) => o.person_id === z.id || o.person_id === x.id).length, 0,
      'confirmed cases are F1 of each other but get no quarantine order');
    // they still stay linked in the chain
    const contacts = (await srv.api('GET', `/api/v1/tracing/contacts?case_id=${cases[0]}`, { token: tracer })).json.contacts;
    assert.ok(contacts.some((c) => c.person_id === z.id), 'the other case is still a contact of the first');
  });
});
