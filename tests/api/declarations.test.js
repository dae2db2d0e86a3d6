'use strict';
// Health and travel declarations (docs/api.md "Platform 1 → Declarations"): every kind, the
// validation table (each bad field named, database unchanged), client_id idempotency, the signed
// QR through POST /api/v1/declarations/scan (and a tampered one refused), the flagged list scoped
// by area and day, the role matrix, and what one citizen may see of another.
//
// Places: "inside" persons live in Phúc Xá (00001, Ba Đình, Hà Nội), inside every Hà Nội account's
// area; "outside" persons live in Tân Định (26734, Quận 1, Hồ Chí Minh).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { vnToday } = require('../lib/vn-time');
const {
  ROLES, UNITS, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount, assertError, assertStatus,
} = require('../lib/fixtures');

const REF_RE = /^TK-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$/;
const QR_RE = /^CDN1\.D\.(TK-\d{8}-[0-9A-HJKMNP-TV-Z]{6})\.([A-Za-z0-9_-]{1,15})\.([A-Za-z0-9_-]+)$/;

let srv;
let admin;               // national admin token
const tokens = {};       // staff role -> token
const people = {};       // name -> person object
const citizens = {};     // name -> {token, person}
let clientSeq = 0;

const clientId = () => { clientSeq += 1; return `decl-${process.pid}-${clientSeq}-${Date.now()}`; };

const localDate = vnToday;

const HEALTH_OK = { kind: 'health', health_status: 'well', symptoms: [], exposure: [] };
const HEALTH_FLAGGED = { kind: 'health', health_status: 'unwell', symptoms: ['fever', 'cough'], exposure: ['contact_with_case'] };
const travelOk = () => ({
  kind: 'domestic_travel', origin_commune: UNITS.phucXa, destination_commune: UNITS.tanDinh,
  vehicle: 'motorbike', vehicle_number: '29b1-123.45', travel_date: localDate(3),
});
const entryOk = () => ({
  kind: 'entry', from_country: 'KR', entry_point: 'Sân bay quốc tế Nội Bài', flight_number: 'vn417',
  arrival_date: localDate(0),
});

async function createPerson(fields) {
  const r = await srv.api('POST', '/api/v1/people', { token: admin, body: fields });
  assert.ok(r.status === 201 || r.status === 200, `create person: ${r.status} ${r.text}`);
  return r.json.person;
}

/** Signs a citizen in by one-time code (read back from the outbox); completes the profile when given. */
async function citizenLogin(phone, profile) {
  let r = await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
  assertStatus(r, 202, 'otp');
  r = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp&limit=1`, { token: admin });
  assertStatus(r, 200, 'outbox');
  const code = /\b(\d{6})\b/.exec(r.json.messages[0].text)[1];
  r = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } });
  assertStatus(r, 200, 'citizen login');
  const c = { token: r.json.token, person: r.json.person };
  if (profile) {
    r = await srv.api('PUT', '/api/v1/me', { token: c.token, body: profile });
    assertStatus(r, 200, 'complete profile');
    c.person = r.json.person || r.json;
  }
  return c;
}

async function declare(token, personId, fields, expected = 201) {
  const body = { client_id: clientId(), person_id: personId, ...fields };
  const r = await srv.api('POST', '/api/v1/declarations', { token, body });
  assertStatus(r, expected, `declare ${JSON.stringify(body)}`);
  return r.json;
}

/** The database minus the tables every request may touch (audit trail, login window). */
function snapshot() {
  const t = { ...srv.dbStats().tables };
  delete t.audit_log;
  delete t.login_attempts;
  delete t.sessions;
  return t;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  tokens.national_admin = admin;
  for (const role of ROLES.slice(1)) {
    const username = `d.${role.replace(/_/g, '.')}`;
    await createAccount(srv, admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tokens[role] = await srv.login(username, PASSWORD);
  }
  people.inside = await createPerson({
    full_name: 'Trần Thị Bình', date_of_birth: '1985-03-12', sex: 'female', phone: '0987000001',
    cccd: '001185000001', commune_code: UNITS.phucXa, street: '5 Phó Đức Chính',
  });
  people.outside = await createPerson({
    full_name: 'Lê Văn Cường', date_of_birth: '1979-11-02', sex: 'male', phone: '0987000002',
    cccd: '079079000002', commune_code: UNITS.tanDinh, street: '20 Hai Bà Trưng',
  });
  citizens.a = await citizenLogin('0912000001', {
    full_name: 'Phạm Văn An', date_of_birth: '1990-04-30', sex: 'male', commune_code: UNITS.phucXa,
    street: '12 Phó Đức Chính',
  });
  citizens.b = await citizenLogin('0912000002', {
    full_name: 'Hoàng Thị Bích', date_of_birth: '1992-06-15', sex: 'female', commune_code: UNITS.trucBach,
    street: '3 Trúc Bạch',
  });
  const r = await srv.api('POST', '/api/v1/me/family', {
    token: citizens.a.token,
    body: { full_name: 'Phạm Minh Khang', date_of_birth: '2015-09-01', sex: 'male', commune_code: UNITS.phucXa,
      street: '12 Phó Đức Chính' },
  });
  assertStatus(r, 201, 'add family member');
  people.member = r.json.person || r.json;
});
after(async () => { if (srv) await srv.stop(); });

describe('kinds', () => {
  test('health, as the citizen for self: reference, signed QR, not flagged', async () => {
    const d = await declare(citizens.a.token, citizens.a.person.id, HEALTH_OK);
    assert.match(d.reference, REF_RE);
    assert.equal(d.reference.slice(3, 11), localDate(0).replace(/-/g, ''), 'reference carries the local date');
    const m = QR_RE.exec(d.qr);
    assert.ok(m, d.qr);
    assert.equal(m[1], d.reference);
    assert.equal(d.kind, 'health');
    assert.equal(d.person_id, citizens.a.person.id);
    assert.deepEqual(d.symptoms, []);
    assert.deepEqual(d.exposure, []);
    assert.equal(d.health_status, 'well');
    assert.equal(d.flagged, false);
    assert.equal(d.commune_code, UNITS.phucXa);
    assert.equal(d.vehicle, undefined, 'no travel fields on a health declaration');
    const v = await srv.api('POST', '/api/v1/qr/verify', { body: { payload: d.qr } });
    assertStatus(v, 200, 'verify');
    assert.equal(v.json.valid, true);
  });

  test('health with symptoms and exposure is flagged', async () => {
    const d = await declare(citizens.a.token, citizens.a.person.id, HEALTH_FLAGGED);
    assert.equal(d.flagged, true);
    assert.deepEqual(d.symptoms, ['fever', 'cough']);
    assert.deepEqual(d.exposure, ['contact_with_case']);
    const e = await declare(citizens.a.token, citizens.a.person.id,
      { kind: 'health', health_status: 'well', exposure: ['visited_outbreak_area'] });
    assert.equal(e.flagged, true, 'exposure alone flags');
  });

  test('a road vehicle\'s number is a plate, written one way; a train\'s is kept as typed', async () => {
    const car = await declare(tokens.commune_admin, people.inside.id, { ...travelOk(), vehicle: 'car', vehicle_number: '47a 12345' });
    assert.equal(car.vehicle_number, '47A-123.45');
    const train = await declare(tokens.commune_admin, people.inside.id, { ...travelOk(), vehicle: 'train', vehicle_number: 'se1' });
    assert.equal(train.vehicle_number, 'SE1');
  });

  test('domestic travel, by staff for a person in area', async () => {
    const d = await declare(tokens.commune_admin, people.inside.id, travelOk());
    assert.equal(d.kind, 'domestic_travel');
    assert.equal(d.origin_commune, UNITS.phucXa);
    assert.equal(d.destination_commune, UNITS.tanDinh);
    assert.equal(d.vehicle, 'motorbike');
    assert.equal(d.vehicle_number, '29B1-123.45');
    assert.equal(d.travel_date, localDate(3));
    assert.equal(d.flagged, false);
    assert.equal(d.declared_by_staff, true);
    assert.equal(d.symptoms, undefined);
    const audit = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: admin });
    assert.ok(audit.json.entries.some((e) => e.action === 'declaration.create' && e.subject_id === d.reference),
      'staff declaring is audited');
  });

  test('entry, optional flight number absent', async () => {
    const d = await declare(citizens.a.token, citizens.a.person.id, entryOk());
    assert.equal(d.from_country, 'KR');
    assert.equal(d.flight_number, 'VN417');
    assert.equal(d.arrival_date, localDate(0));
    const body = entryOk();
    delete body.flight_number;
    const e = await declare(citizens.a.token, citizens.a.person.id, body);
    assert.equal(e.flight_number, null);
  });

  test('GET by reference answers the same declaration with its QR', async () => {
    const d = await declare(citizens.a.token, citizens.a.person.id, travelOk());
    const r = await srv.api('GET', `/api/v1/declarations/${d.reference}`, { token: citizens.a.token });
    assertStatus(r, 200);
    assert.deepEqual(r.json, d);
    const s = await srv.api('GET', `/api/v1/declarations/${d.reference}`, { token: tokens.tracer });
    assertStatus(s, 200);
    const audit = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: admin });
    assert.ok(audit.json.entries.some((e) => e.action === 'declaration.read' && e.subject_id === d.reference
      && e.actor_username === 'd.tracer'), 'staff read is audited');
    assertError(await srv.api('GET', '/api/v1/declarations/TK-20210801-0000ZZ', { token: admin }),
      404, 'not_found', 'ref');
    assertError(await srv.api('GET', '/api/v1/declarations/not-a-reference', { token: admin }),
      400, 'invalid_field', 'ref');
  });
});

describe('idempotency', () => {
  test('the same client_id answers 200 with the same declaration and writes nothing', async () => {
    const body = { client_id: clientId(), person_id: citizens.a.person.id, ...HEALTH_FLAGGED };
    const first = await srv.api('POST', '/api/v1/declarations', { token: citizens.a.token, body });
    assertStatus(first, 201);
    const before1 = snapshot();
    const again = await srv.api('POST', '/api/v1/declarations', { token: citizens.a.token, body });
    assertStatus(again, 200);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.json.reference, first.json.reference);
    assert.deepEqual(snapshot(), before1);
  });

  test('concurrent retries make one declaration', async () => {
    const body = { client_id: clientId(), person_id: citizens.a.person.id, ...HEALTH_OK };
    const rs = await Promise.all([1, 2, 3, 4].map(() => srv.api('POST', '/api/v1/declarations',
      { token: citizens.a.token, body })));
    const statuses = rs.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 201], rs.map((r) => r.text).join('\n'));
    assert.equal(new Set(rs.map((r) => r.json.reference)).size, 1);
  });

  test('a client_id used for another person is a conflict', async () => {
    const body = { client_id: clientId(), person_id: people.inside.id, ...HEALTH_OK };
    assertStatus(await srv.api('POST', '/api/v1/declarations', { token: admin, body }), 201);
    const other = { ...body, person_id: people.outside.id };
    assertError(await srv.api('POST', '/api/v1/declarations', { token: admin, body: other }),
      409, 'conflict', 'client_id');
  });
});

describe('validation', () => {
  const base = (fields) => ({ client_id: clientId(), person_id: citizens.a.person.id, ...fields });
  const travel = (over) => base({ ...travelOk(), ...over });
  const entry = (over) => base({ ...entryOk(), ...over });
  const health = (over) => base({ ...HEALTH_OK, ...over });
  const without = (obj, key) => { const o = { ...obj }; delete o[key]; return o; };
  const CASES = [
    // [name, body(), status, code, field]
    ['no client_id', () => without(health({}), 'client_id'), 400, 'missing_field', 'client_id'],
    ['short client_id', () => health({ client_id: 'abc' }), 400, 'invalid_field', 'client_id'],
    ['client_id with spaces', () => health({ client_id: 'abc def ghi' }), 400, 'invalid_field', 'client_id'],
    ['no person_id', () => without(health({}), 'person_id'), 400, 'missing_field', 'person_id'],
    ['person_id a string', () => health({ person_id: '1' }), 400, 'invalid_field', 'person_id'],
    ['person_id zero', () => health({ person_id: 0 }), 400, 'invalid_field', 'person_id'],
    ['no kind', () => without(health({}), 'kind'), 400, 'missing_field', 'kind'],
    ['unknown kind', () => health({ kind: 'vaccination' }), 400, 'invalid_field', 'kind'],
    ['unknown symptom', () => health({ symptoms: ['fever', 'headache'] }), 400, 'invalid_field', 'symptoms'],
    ['symptoms not an array', () => health({ symptoms: 'fever' }), 400, 'invalid_field', 'symptoms'],
    ['symptom twice', () => health({ symptoms: ['cough', 'cough'] }), 400, 'invalid_field', 'symptoms'],
    ['unknown exposure', () => health({ exposure: ['concert'] }), 400, 'invalid_field', 'exposure'],
    ['no health_status', () => without(health({}), 'health_status'), 400, 'missing_field', 'health_status'],
    ['bad health_status', () => health({ health_status: 'fine' }), 400, 'invalid_field', 'health_status'],
    ['travel field on health', () => health({ vehicle: 'car' }), 400, 'unknown_field', 'vehicle'],
    ['unknown origin commune', () => travel({ origin_commune: '99999' }), 400, 'invalid_field', 'origin_commune'],
    ['origin a district', () => travel({ origin_commune: UNITS.baDinh }), 400, 'invalid_field', 'origin_commune'],
    ['unknown destination', () => travel({ destination_commune: '00002' }), 400, 'invalid_field', 'destination_commune'],
    ['malformed destination', () => travel({ destination_commune: 'ABCDE' }), 400, 'invalid_field', 'destination_commune'],
    ['no origin', () => without(travel({}), 'origin_commune'), 400, 'missing_field', 'origin_commune'],
    ['unknown vehicle', () => travel({ vehicle: 'horse' }), 400, 'invalid_field', 'vehicle'],
    ['bad vehicle number', () => travel({ vehicle_number: '29B<script>' }), 400, 'invalid_field', 'vehicle_number'],
    ['car number not a plate', () => travel({ vehicle: 'car', vehicle_number: 'ABC-123' }), 400, 'invalid_field', 'vehicle_number'],
    ['plate province 05', () => travel({ vehicle: 'car', vehicle_number: '05A-123.45' }), 400, 'invalid_field', 'vehicle_number'],
    ['bus plate series O', () => travel({ vehicle: 'bus', vehicle_number: '47O-123.45' }), 400, 'invalid_field', 'vehicle_number'],
    ['travel date not a date', () => travel({ travel_date: '2021-02-30' }), 400, 'invalid_field', 'travel_date'],
    ['travel date other format', () => travel({ travel_date: '30/08/2021' }), 400, 'invalid_field', 'travel_date'],
    ['travel date 31 days away', () => travel({ travel_date: localDate(31) }), 400, 'invalid_field', 'travel_date'],
    ['travel date 31 days ago', () => travel({ travel_date: localDate(-31) }), 400, 'invalid_field', 'travel_date'],
    ['no travel date', () => without(travel({}), 'travel_date'), 400, 'missing_field', 'travel_date'],
    ['country lower case', () => entry({ from_country: 'kr' }), 400, 'invalid_field', 'from_country'],
    ['country three letters', () => entry({ from_country: 'KOR' }), 400, 'invalid_field', 'from_country'],
    ['country unassigned', () => entry({ from_country: 'UK' }), 400, 'invalid_field', 'from_country'],
    ['country a number', () => entry({ from_country: 84 }), 400, 'invalid_field', 'from_country'],
    ['no entry point', () => without(entry({}), 'entry_point'), 400, 'missing_field', 'entry_point'],
    ['entry point too long', () => entry({ entry_point: 'x'.repeat(101) }), 400, 'invalid_field', 'entry_point'],
    ['bad flight number', () => entry({ flight_number: 'VN 417' }), 400, 'invalid_field', 'flight_number'],
    ['arrival not a date', () => entry({ arrival_date: '2021-13-01' }), 400, 'invalid_field', 'arrival_date'],
    ['health field on entry', () => entry({ symptoms: [] }), 400, 'unknown_field', 'symptoms'],
    ['unknown field', () => health({ temperature: 38.5 }), 400, 'unknown_field', undefined],
    ['unknown person', () => health({ person_id: 999999 }), 404, 'not_found', undefined],
  ];

  test('the table is large enough', () => assert.ok(CASES.length >= 35));

  test('each bad field is named and nothing is written', async () => {
    // One good declaration first, so the QR signing key exists before the snapshot.
    await declare(citizens.a.token, citizens.a.person.id, HEALTH_OK);
    const before1 = snapshot();
    for (const [name, body, status, code, field] of CASES) {
      const r = await srv.api('POST', '/api/v1/declarations', { token: admin, body: body() });
      try {
        assertError(r, status, code, field);
      } catch (e) {
        e.message = `${name}: ${e.message}`;
        throw e;
      }
    }
    assert.deepEqual(snapshot(), before1);
  });

  test('bad JSON and bad scan input', async () => {
    assertError(await srv.api('POST', '/api/v1/declarations', { token: admin, rawBody: '{"kind":' }),
      400, 'invalid_json');
    assertError(await srv.api('POST', '/api/v1/declarations/scan', { token: admin, body: {} }),
      400, 'missing_field', 'qr');
    assertError(await srv.api('POST', '/api/v1/declarations/scan', { token: admin, body: { qr: 42 } }),
      400, 'invalid_field', 'qr');
    assertError(await srv.api('POST', '/api/v1/declarations/scan', { token: admin, body: { qr: 'hello' } }),
      400, 'invalid_field', 'qr');
  });
});

describe('QR scan', () => {
  test('round trip: a sampler in area reads the declaration and the name', async () => {
    const d = await declare(citizens.a.token, citizens.a.person.id, HEALTH_FLAGGED);
    const r = await srv.api('POST', '/api/v1/declarations/scan', { token: tokens.sampler, body: { qr: d.qr } });
    assertStatus(r, 200);
    assert.equal(r.json.declaration.reference, d.reference);
    assert.deepEqual(r.json.declaration.symptoms, ['fever', 'cough']);
    assert.equal(r.json.person.id, citizens.a.person.id);
    assert.equal(r.json.person.full_name, 'Phạm Văn An');
    const audit = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: admin });
    assert.ok(audit.json.entries.some((e) => e.action === 'declaration.scan' && e.subject_id === d.reference
      && e.actor_username === 'd.sampler'), 'scan is audited');
  });

  test('tampered codes are refused', async () => {
    const d = await declare(citizens.a.token, citizens.a.person.id, HEALTH_OK);
    const other = await declare(citizens.b.token, citizens.b.person.id, HEALTH_OK);
    const [, ref, kid, sig] = QR_RE.exec(d.qr);
    const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const bad = [
      `CDN1.D.${ref}.${kid}.${flip(sig, 5)}`,                  // signature changed
      `CDN1.D.${other.reference}.${kid}.${sig}`,                // reference swapped, old signature
      `CDN1.D.${ref}.nokey.${sig}`,                              // unknown key
      `CDN1.D.${ref}.${kid}`,                                    // no signature
      d.qr.replace('CDN1.D.', 'CDN1.P.'),                        // type changed
    ];
    for (const qr of bad) {
      const r = await srv.api('POST', '/api/v1/declarations/scan', { token: admin, body: { qr } });
      assertError(r, 400, 'invalid_field', 'qr');
    }
    // A valid personal QR is not a declaration.
    const p = await srv.api('GET', '/api/v1/me/qr', { token: citizens.a.token });
    assertStatus(p, 200, 'personal QR');
    assert.match(p.json.payload, /^CDN1\.P\./);
    assertError(await srv.api('POST', '/api/v1/declarations/scan', { token: admin, body: { qr: p.json.payload } }),
      400, 'invalid_field', 'qr');
  });

  test('outside the area: 403', async () => {
    const d = await declare(admin, people.outside.id, HEALTH_OK);
    assertError(await srv.api('POST', '/api/v1/declarations/scan', { token: tokens.checkpoint_officer, body: { qr: d.qr } }),
      403, 'forbidden');
    assertStatus(await srv.api('POST', '/api/v1/declarations/scan', { token: admin, body: { qr: d.qr } }), 200);
  });
});

describe('flagged list', () => {
  let flaggedInside;
  let flaggedOutside;
  before(async () => {
    flaggedInside = await declare(tokens.sampler, people.inside.id,
      { kind: 'health', health_status: 'unwell', symptoms: ['loss_of_taste_smell'], exposure: [] });
    await declare(tokens.sampler, people.inside.id,
      { kind: 'health', health_status: 'well', symptoms: [], exposure: ['returned_from_abroad'] });
    flaggedOutside = await declare(admin, people.outside.id, HEALTH_FLAGGED);
  });

  const find = (list, personId) => list.people.find((p) => p.person_id === personId);

  test('the commune health station sees its flagged persons with name, phone, symptoms and exposure', async () => {
    const r = await srv.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.phucXa}&date=${localDate(0)}`,
      { token: tokens.commune_admin });
    assertStatus(r, 200);
    assert.equal(r.json.unit, UNITS.phucXa);
    assert.equal(r.json.date, localDate(0));
    const p = find(r.json, people.inside.id);
    assert.ok(p, JSON.stringify(r.json));
    assert.equal(p.full_name, 'Trần Thị Bình');
    assert.equal(p.phone, '0987000001');
    assert.equal(p.commune_code, UNITS.phucXa);
    assert.deepEqual(p.symptoms, ['loss_of_taste_smell']);
    assert.deepEqual(p.exposure, ['returned_from_abroad']);
    assert.ok(p.references.includes(flaggedInside.reference));
    assert.equal(p.references.length, 2, 'one entry per person, every flagged declaration listed');
    assert.ok(find(r.json, citizens.a.person.id), 'the citizen who declared symptoms is listed');
    assert.equal(find(r.json, people.outside.id), undefined, 'nobody from outside the unit');
    assert.equal(find(r.json, citizens.b.person.id), undefined, 'unflagged persons are not listed');
    const audit = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: admin });
    assert.ok(audit.json.entries.some((e) => e.action === 'declaration.flagged' && e.actor_username === 'd.commune.admin'));
  });

  test('a district tracer sees the same through the district; the default unit is the caller\'s', async () => {
    const r = await srv.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.baDinh}`,
      { token: tokens.district_admin });
    assertStatus(r, 200);
    assert.ok(find(r.json, people.inside.id));
    assert.equal(find(r.json, people.outside.id), undefined);
    const t = await srv.api('GET', '/api/v1/declarations/flagged', { token: tokens.tracer });
    assertStatus(t, 200);
    assert.equal(t.json.unit, UNITS.phucXa);
    assert.ok(find(t.json, people.inside.id));
  });

  test('Hồ Chí Minh is another area', async () => {
    const r = await srv.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.hcm}`, { token: admin });
    assertStatus(r, 200);
    const p = find(r.json, people.outside.id);
    assert.ok(p);
    assert.ok(p.references.includes(flaggedOutside.reference));
    assert.equal(find(r.json, people.inside.id), undefined);
    assertError(await srv.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.hcm}`, { token: tokens.province_admin }),
      403, 'forbidden');
  });

  test('another day is another list', async () => {
    const r = await srv.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.phucXa}&date=${localDate(-1)}`,
      { token: tokens.commune_admin });
    assertStatus(r, 200);
    assert.deepEqual(r.json.people, []);
  });

  test('bad parameters are named', async () => {
    assertError(await srv.api('GET', '/api/v1/declarations/flagged?unit=00001&date=2021-02-30', { token: admin }),
      400, 'invalid_field', 'date');
    assertError(await srv.api('GET', '/api/v1/declarations/flagged?unit=00001&date=today', { token: admin }),
      400, 'invalid_field', 'date');
    assertError(await srv.api('GET', '/api/v1/declarations/flagged?unit=XYZ', { token: admin }),
      400, 'invalid_field', 'unit');
  });
});

describe('citizen visibility', () => {
  test('A lists own and managed members\' declarations, never B\'s', async () => {
    const own = await declare(citizens.a.token, citizens.a.person.id, HEALTH_OK);
    const kid = await declare(citizens.a.token, people.member.id, HEALTH_OK);
    const theirs = await declare(citizens.b.token, citizens.b.person.id, HEALTH_FLAGGED);

    let r = await srv.api('GET', '/api/v1/declarations', { token: citizens.a.token });
    assertStatus(r, 200);
    assert.ok(r.json.declarations.length >= 1);
    assert.ok(r.json.declarations.every((d) => d.person_id === citizens.a.person.id));
    assert.equal(r.json.declarations[0].reference, own.reference, 'newest first');
    assert.ok(r.json.declarations.every((d) => QR_RE.test(d.qr)));

    r = await srv.api('GET', `/api/v1/declarations?person_id=${people.member.id}`, { token: citizens.a.token });
    assertStatus(r, 200);
    assert.deepEqual(r.json.declarations.map((d) => d.reference), [kid.reference]);
    assertStatus(await srv.api('GET', `/api/v1/declarations/${kid.reference}`, { token: citizens.a.token }), 200);

    assertError(await srv.api('GET', `/api/v1/declarations?person_id=${citizens.b.person.id}`, { token: citizens.a.token }),
      403, 'forbidden');
    assertError(await srv.api('GET', `/api/v1/declarations/${theirs.reference}`, { token: citizens.a.token }),
      403, 'forbidden');
    assertError(await srv.api('GET', `/api/v1/declarations/${own.reference}`, { token: citizens.b.token }),
      403, 'forbidden');
    const before1 = snapshot();
    assertError(await srv.api('POST', '/api/v1/declarations', {
      token: citizens.a.token, body: { client_id: clientId(), person_id: citizens.b.person.id, ...HEALTH_OK },
    }), 403, 'forbidden');
    assert.deepEqual(snapshot(), before1);
    r = await srv.api('GET', '/api/v1/declarations', { token: citizens.b.token });
    assert.ok(r.json.declarations.every((d) => d.person_id === citizens.b.person.id));
    assertError(await srv.api('GET', '/api/v1/declarations?person_id=abc', { token: citizens.a.token }),
      400, 'invalid_field', 'person_id');
  });
});

// ---------------------------------------------------------------------------------------------
// Role matrix: every route x every role x inside / outside the area, plus anonymous.
// For citizens "inside" is their own person, "outside" another citizen's.

const MATRIX = `
method route                            scope    natl prov dist comm smpl lab  vacc trac chkp venu citz anon
POST   /api/v1/declarations             inside   2xx  2xx  2xx  2xx  2xx  403  2xx  2xx  403  403  2xx  401
POST   /api/v1/declarations             outside  2xx  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/declarations             inside   403  403  403  403  403  403  403  403  403  403  2xx  401
GET    /api/v1/declarations             outside  403  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/declarations/{ref}       inside   2xx  2xx  2xx  2xx  2xx  403  2xx  2xx  403  403  2xx  401
GET    /api/v1/declarations/{ref}       outside  2xx  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/declarations/flagged     inside   2xx  2xx  2xx  2xx  403  403  403  2xx  403  403  403  401
GET    /api/v1/declarations/flagged     outside  2xx  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/declarations/scan        inside   2xx  2xx  2xx  2xx  2xx  403  2xx  2xx  403  403  403  401
POST   /api/v1/declarations/scan        outside  2xx  403  403  403  403  403  403  403  403  403  403  401
`;
const ABBREV = {
  natl: 'national_admin', prov: 'province_admin', dist: 'district_admin', comm: 'commune_admin',
  smpl: 'sampler', lab: 'lab', vacc: 'vaccinator', trac: 'tracer', chkp: 'checkpoint_officer',
  venu: 'venue_owner', citz: 'citizen', anon: 'anonymous',
};
const ROWS = (() => {
  const lines = MATRIX.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const cols = lines[0].slice(3);
  return lines.slice(1).map(([method, route, scope, ...cells]) => {
    assert.equal(cells.length, cols.length);
    const expect = {};
    cols.forEach((c, i) => { expect[ABBREV[c]] = cells[i]; });
    return { method, route, scope, expect };
  });
})();

describe('role matrix', () => {
  const decl = {};
  before(async () => {
    decl.inside = await declare(citizens.a.token, citizens.a.person.id, HEALTH_FLAGGED);
    decl.outsideStaff = await declare(admin, people.outside.id, HEALTH_OK);
    decl.otherCitizen = await declare(citizens.b.token, citizens.b.person.id, HEALTH_OK);
  });

  test('covers every declarations route', () => {
    const routes = new Set(ROWS.map((r) => `${r.method} ${r.route}`));
    for (const r of ['POST /api/v1/declarations', 'GET /api/v1/declarations', 'GET /api/v1/declarations/{ref}',
      'GET /api/v1/declarations/flagged', 'POST /api/v1/declarations/scan']) assert.ok(routes.has(r), r);
    assert.equal(Object.keys(ROWS[0].expect).length, ROLES.length + 2);
  });

  function requestFor(row, who) {
    const citizen = who === 'citizen';
    const inside = row.scope === 'inside';
    // The person acted on: for staff an area resident; for a citizen self or another citizen.
    const personId = citizen || who === 'anonymous'
      ? (inside ? citizens.a.person.id : citizens.b.person.id)
      : (inside ? people.inside.id : people.outside.id);
    const target = citizen || who === 'anonymous'
      ? (inside ? decl.inside : decl.otherCitizen)
      : (inside ? decl.inside : decl.outsideStaff);
    switch (`${row.method} ${row.route}`) {
      case 'POST /api/v1/declarations':
        return { path: '/api/v1/declarations', body: { client_id: clientId(), person_id: personId, ...HEALTH_OK } };
      case 'GET /api/v1/declarations':
        return { path: `/api/v1/declarations?person_id=${personId}` };
      case 'GET /api/v1/declarations/{ref}':
        return { path: `/api/v1/declarations/${target.reference}` };
      case 'GET /api/v1/declarations/flagged':
        return { path: `/api/v1/declarations/flagged?unit=${inside ? UNITS.phucXa : UNITS.hcm}` };
      case 'POST /api/v1/declarations/scan':
        return { path: '/api/v1/declarations/scan', body: { qr: target.qr } };
      default: throw new Error(`no request for ${row.method} ${row.route}`);
    }
  }

  for (const row of ROWS) {
    describe(`${row.method} ${row.route} (${row.scope})`, () => {
      for (const [who, expected] of Object.entries(row.expect)) {
        test(who, async () => {
          const req = requestFor(row, who);
          let token;
          if (who === 'citizen') token = citizens.a.token;
          else if (who !== 'anonymous') token = tokens[who];
          const r = await srv.api(row.method, req.path, { token, body: req.body });
          const msg = `${row.method} ${req.path} as ${who}: expected ${expected}, got ${r.status} ${r.text.slice(0, 200)}`;
          if (expected === '2xx') assert.ok(r.status >= 200 && r.status < 300, msg);
          else assert.equal(String(r.status), expected, msg);
          if (expected === '401') assert.equal(r.json.error.code, 'unauthenticated', msg);
          if (expected === '403') assert.equal(r.json.error.code, 'forbidden', msg);
        });
      }
    });
  }
});
