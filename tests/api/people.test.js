'use strict';
// People (docs/api.md "Platform 1 → People"): registration by staff, validation, dedupe, search
// with and without diacritics, area limits, audit of staff reads, QR revocation, printable cards,
// bad input, and the role matrix of the People and Citizen sign-in routes.
//
// Choices where the contract leaves room (kept here, and in the README):
// - POST /api/v1/people needs full_name, date_of_birth and commune_code; the rest is optional.
//   An optional client_id (8-64 of [A-Za-z0-9_-]) makes a retry answer the same person.
// - Dedupe matches, in order: client_id, cccd, cmnd, bhyt, then phone + folded name + birth date.
//   A duplicate recorded outside the caller's area is answered as {"id","code"} only.
// - GET /api/v1/people/{id} answers the bare person object (like GET /api/v1/accounts/{id}).
// - A citizen asking for someone they may not see gets 403 whether or not the id exists.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, REPO_ROOT } = require('../lib/server');
const { ROLES, UNITS, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const {
  uniquePhone, uniqueCccd, citizenLogin, citizenWithProfile, createPerson, PERSON_KEYS,
} = require('../lib/people');

let srv;
let admin;               // national admin token
const tokens = {};       // role -> token (Hà Nội accounts, as in authz-matrix)
let hcmCommune;          // commune_admin at Tân Định (HCM)
let hcmPerson;           // a person living in Tân Định
let citizen;             // {token, person} living in Phúc Xá

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  tokens.national_admin = admin;
  for (const role of ROLES.slice(1)) {
    const username = `p.${role.replace(/_/g, '.')}`;
    await createAccount(srv, admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tokens[role] = await srv.login(username, PASSWORD);
  }
  await createAccount(srv, admin, { username: 'p.hcm.commune', role: 'commune_admin', unit_code: UNITS.tanDinh });
  hcmCommune = await srv.login('p.hcm.commune', PASSWORD);
  hcmPerson = (await createPerson(srv, admin, {
    full_name: 'Nguyễn Văn An', date_of_birth: '1991-05-05', commune_code: UNITS.tanDinh, cccd: uniqueCccd(),
  })).person;
  citizen = await citizenWithProfile(srv, admin, uniquePhone(), { street: '3 Quán Thánh' });
});
after(async () => { if (srv) await srv.stop(); });

/** The database apart from the tables every request may touch. */
function stableStats() {
  const s = srv.dbStats();
  delete s.tables.audit_log;
  delete s.tables.login_attempts;
  delete s.tables.sessions;
  return s;
}

async function auditActions(unit = 'VN') {
  const r = await srv.api('GET', `/api/v1/audit?unit=${unit}&limit=500`, { token: admin });
  assertStatus(r, 200);
  return r.json.entries || r.json.audit || r.json;
}

describe('registration', () => {
  test('a person with every field: 201, normalised, the documented keys', async () => {
    const cccd = uniqueCccd();
    const body = await createPerson(srv, tokens.commune_admin, {
      full_name: 'Nguyễn Thị Mai', date_of_birth: '1988-12-01', sex: 'female', phone: '+84912000111', cccd,
      bhyt: 'dn4010100000001', street: '12 Phó Đức Chính',
    });
    assert.equal(body.existing, false);
    const p = body.person;
    assert.deepEqual(Object.keys(p).sort(), [...PERSON_KEYS].sort());
    assert.equal(p.phone, '0912000111');
    assert.equal(p.bhyt, 'DN4010100000001');
    assert.equal(p.cccd, cccd);
    assert.equal(p.cmnd, null);
    assert.equal(p.household_id, null);
    assert.match(p.code, /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$/);
    const g = await srv.api('GET', `/api/v1/people/${p.id}`, { token: tokens.commune_admin });
    assertStatus(g, 200);
    assert.deepEqual(g.json, p);
  });

  test('the same CCCD again is the existing person (200, existing: true, nothing written)', async () => {
    const cccd = uniqueCccd();
    const first = await createPerson(srv, tokens.sampler, { full_name: 'Hoàng Văn Nam', cccd });
    const before = stableStats();
    const again = await createPerson(srv, tokens.sampler, { full_name: 'Hoang Van Nam', cccd }, 200);
    assert.equal(again.existing, true);
    assert.equal(again.person.id, first.person.id);
    assert.equal(again.person.full_name, 'Hoàng Văn Nam');
    assert.deepEqual(stableStats().tables.persons, before.tables.persons);
  });

  test('the same CMND, BHYT or client_id again is the existing person', async () => {
    const a = await createPerson(srv, tokens.sampler, { cmnd: '123000456' });
    assert.equal((await createPerson(srv, tokens.sampler, { cmnd: '123000456' }, 200)).person.id, a.person.id);
    const b = await createPerson(srv, tokens.sampler, { bhyt: 'HS4011234500001', full_name: 'Vũ Thị Lan' });
    assert.equal((await createPerson(srv, tokens.sampler, { bhyt: 'hs4011234500001', full_name: 'Vu Thi Lan' }, 200)).person.id, b.person.id);
    const c = await createPerson(srv, tokens.sampler, { client_id: 'retry-0001-abcd', full_name: 'Đinh Công Tráng' });
    const c2 = await createPerson(srv, tokens.sampler, { client_id: 'retry-0001-abcd', full_name: 'Đinh Công Tráng' }, 200);
    assert.equal(c2.person.id, c.person.id);
    assert.equal(c2.existing, true);
  });

  test('same phone + name without diacritics + birth date is the existing person; another birth date is not', async () => {
    const phone = uniquePhone('97');
    const a = await createPerson(srv, tokens.vaccinator, { full_name: 'Trần Quốc Toản', phone, date_of_birth: '1970-02-03' });
    const same = await createPerson(srv, tokens.vaccinator,
      { full_name: 'TRAN  quoc toan', phone: `+84${phone.slice(1)}`, date_of_birth: '1970-02-03' }, 200);
    assert.equal(same.person.id, a.person.id);
    const other = await createPerson(srv, tokens.vaccinator, { full_name: 'Trần Quốc Toản', phone, date_of_birth: '1998-02-03' });
    assert.notEqual(other.person.id, a.person.id);
    assert.equal(other.existing, false);
  });

  test('a duplicate recorded outside the caller\'s area is answered with its id and code only', async () => {
    const r = await srv.api('POST', '/api/v1/people', {
      token: tokens.commune_admin,
      body: { full_name: 'Nguyễn Văn An', date_of_birth: '1991-05-05', commune_code: UNITS.phucXa, cccd: hcmPerson.cccd },
    });
    assertStatus(r, 200);
    assert.equal(r.json.existing, true);
    assert.deepEqual(r.json.person, { id: hcmPerson.id, code: hcmPerson.code });
    const entries = await auditActions(UNITS.tanDinh);
    assert.ok(entries.some((e) => e.action === 'person.match' && e.subject_id === String(hcmPerson.id)
      && e.actor_username === 'p.commune.admin'), JSON.stringify(entries.slice(0, 5)));
  });

  test('registering in a commune outside the caller\'s area is 403 naming commune_code', async () => {
    const before = stableStats();
    const r = await srv.api('POST', '/api/v1/people', {
      token: tokens.commune_admin,
      body: { full_name: 'Lý Thường Kiệt', date_of_birth: '1950-01-01', commune_code: UNITS.tanDinh },
    });
    assertError(r, 403, 'forbidden', 'commune_code');
    const r2 = await srv.api('POST', '/api/v1/people', {
      token: tokens.sampler, // Phúc Xá
      body: { full_name: 'Lý Thường Kiệt', date_of_birth: '1950-01-01', commune_code: UNITS.trucBach },
    });
    assertError(r2, 403, 'forbidden', 'commune_code');
    assert.deepEqual(stableStats(), before);
  });
});

describe('search', () => {
  let hn;
  before(async () => {
    hn = (await createPerson(srv, tokens.commune_admin, {
      full_name: 'Nguyễn Văn An', date_of_birth: '1992-07-07', phone: '0988000777', cccd: uniqueCccd(),
      bhyt: 'GD4010000000777',
    })).person;
    await createPerson(srv, tokens.commune_admin, { full_name: 'Đặng Thùy Trâm', date_of_birth: '1942-11-26', cmnd: '987654321' });
  });

  const ids = (r) => r.json.people.map((p) => p.id);

  test('by name with diacritics, without, in upper case and with words left out', async () => {
    for (const q of ['Nguyễn Văn An', 'nguyen van an', 'NGUYEN VAN AN', 'nguyen an', 'Nguyễn An']) {
      const r = await srv.api('GET', `/api/v1/people/search?q=${encodeURIComponent(q)}`, { token: tokens.commune_admin });
      assertStatus(r, 200, q);
      assert.ok(ids(r).includes(hn.id), `${q}: ${r.text}`);
      assert.ok(!ids(r).includes(hcmPerson.id), `${q} leaks a person of HCM: ${r.text}`);
      for (const p of r.json.people) assert.equal(p.commune_code, UNITS.phucXa);
    }
    const d = await srv.api('GET', `/api/v1/people/search?q=${encodeURIComponent('dang thuy tram')}`, { token: tokens.commune_admin });
    assert.equal(d.json.people.length, 1);
    assert.equal(d.json.people[0].full_name, 'Đặng Thùy Trâm');
    const none = await srv.api('GET', '/api/v1/people/search?q=khong%20co%20ai', { token: tokens.commune_admin });
    assert.deepEqual(none.json.people, []);
  });

  test('results are limited to the caller\'s area', async () => {
    const q = '/api/v1/people/search?q=nguyen%20van%20an';
    const nat = await srv.api('GET', q, { token: admin });
    assert.ok(ids(nat).includes(hn.id) && ids(nat).includes(hcmPerson.id));
    const hcm = await srv.api('GET', q, { token: hcmCommune });
    assert.ok(ids(hcm).includes(hcmPerson.id) && !ids(hcm).includes(hn.id));
    const district = await srv.api('GET', q, { token: tokens.district_admin });
    assert.ok(ids(district).includes(hn.id) && !ids(district).includes(hcmPerson.id));
    const limited = await srv.api('GET', `${q}&limit=1`, { token: admin });
    assert.equal(limited.json.people.length, 1);
  });

  test('by phone, CCCD, CMND and BHYT', async () => {
    const t = { token: tokens.sampler };
    assert.deepEqual(ids(await srv.api('GET', '/api/v1/people/search?phone=%2B84988000777', t)), [hn.id]);
    assert.deepEqual(ids(await srv.api('GET', `/api/v1/people/search?cccd=${hn.cccd}`, t)), [hn.id]);
    // samplers see people masked: name, birth year and the last three characters of each number
    const c = await srv.api('GET', '/api/v1/people/search?cccd=987654321', t);
    assert.equal(c.json.people[0].cmnd, '******321');
    assert.equal(c.json.people[0].birth_year, '1942');
    assert.equal(c.json.people[0].date_of_birth, undefined);
    assert.equal(c.json.people[0].masked, true);
    const full = await srv.api('GET', '/api/v1/people/search?cccd=987654321', { token: tokens.commune_admin });
    assert.equal(full.json.people[0].cmnd, '987654321');
    assert.deepEqual(ids(await srv.api('GET', '/api/v1/people/search?bhyt=gd4010000000777', t)), [hn.id]);
    const outside = await srv.api('GET', `/api/v1/people/search?cccd=${hcmPerson.cccd}`, t);
    assert.deepEqual(outside.json.people, []);
  });

  test('searches and reads by staff are audited', async () => {
    await srv.api('GET', '/api/v1/people/search?q=audit%20me', { token: tokens.tracer });
    await srv.api('GET', `/api/v1/people/${hn.id}`, { token: tokens.tracer });
    assertError(await srv.api('GET', `/api/v1/people/${hn.id}/card.png`, { token: tokens.tracer }), 403, 'forbidden');
    await srv.api('GET', `/api/v1/people/${hn.id}/card.png`, { token: tokens.commune_admin });
    const entries = await auditActions(UNITS.phucXa);
    const mine = entries.filter((e) => e.actor_username === 'p.tracer');
    const cards = entries.filter((e) => e.actor_username === 'p.commune.admin');
    assert.ok(mine.some((e) => e.action === 'person.search'), JSON.stringify(mine));
    assert.ok(mine.some((e) => e.action === 'person.read' && e.subject_id === String(hn.id)), JSON.stringify(mine));
    assert.ok(cards.some((e) => e.action === 'person.card' && e.subject_id === String(hn.id)), JSON.stringify(cards));
  });
});

describe('area limits', () => {
  test('a Hà Nội commune admin cannot read a person of Hồ Chí Minh City; HCM and national admins can', async () => {
    const path = `/api/v1/people/${hcmPerson.id}`;
    assertError(await srv.api('GET', path, { token: tokens.commune_admin }), 403, 'forbidden');
    assertError(await srv.api('GET', path, { token: tokens.province_admin }), 403, 'forbidden');
    assertError(await srv.api('GET', `${path}/card.pdf`, { token: tokens.commune_admin }), 403, 'forbidden');
    assertError(await srv.api('POST', `${path}/qr/revoke`, { token: tokens.commune_admin }), 403, 'forbidden');
    assertStatus(await srv.api('GET', path, { token: hcmCommune }), 200);
    assertStatus(await srv.api('GET', path, { token: admin }), 200);
  });

  test('a sampler at Phúc Xá cannot read a person of Trúc Bạch; the Ba Đình district admin can', async () => {
    const p = (await createPerson(srv, tokens.district_admin, { commune_code: UNITS.trucBach, full_name: 'Bùi Thị Xuân' })).person;
    assertError(await srv.api('GET', `/api/v1/people/${p.id}`, { token: tokens.sampler }), 403, 'forbidden');
    assertStatus(await srv.api('GET', `/api/v1/people/${p.id}`, { token: tokens.district_admin }), 200);
  });

  test('an unknown id is 404 for staff', async () => {
    assertError(await srv.api('GET', '/api/v1/people/999999', { token: admin }), 404, 'not_found', 'id');
  });
});

describe('personal QR and cards', () => {
  test('revoking bumps the serial and the old payload stops verifying', async () => {
    const p = (await createPerson(srv, tokens.commune_admin, { full_name: 'Cao Bá Quát' })).person;
    const r1 = await srv.api('POST', `/api/v1/people/${p.id}/qr/revoke`, { token: tokens.commune_admin });
    assertStatus(r1, 200);
    assert.equal(r1.json.serial, 2);
    // only health staff, the person and their managers revoke a card: a sampler may not
    assertError(await srv.api('POST', `/api/v1/people/${p.id}/qr/revoke`, { token: tokens.sampler }), 403, 'forbidden');
    const r2 = await srv.api('POST', `/api/v1/people/${p.id}/qr/revoke`, { token: tokens.district_admin });
    assert.equal(r2.json.serial, 3);
    // The citizen's own payload: valid now, revoked after the citizen revokes it.
    const q1 = await srv.api('GET', '/api/v1/me/qr', { token: citizen.token });
    assertStatus(q1, 200);
    assert.ok(q1.json.payload.startsWith(`CDN1.P.${citizen.person.code}.${q1.json.serial}.`), q1.text);
    const v1 = await srv.api('POST', '/api/v1/qr/verify', { body: { payload: q1.json.payload } });
    assertStatus(v1, 200);
    assert.equal(v1.json.valid, true, v1.text);
    const rv = await srv.api('POST', `/api/v1/people/${citizen.person.id}/qr/revoke`, { token: citizen.token });
    assert.equal(rv.json.serial, q1.json.serial + 1);
    const v2 = await srv.api('POST', '/api/v1/qr/verify', { body: { payload: q1.json.payload } });
    assert.equal(v2.json.valid, false, v2.text);
    assert.equal(v2.json.reason, 'revoked');
    const q2 = await srv.api('GET', '/api/v1/me/qr', { token: citizen.token });
    assert.equal(q2.json.serial, rv.json.serial);
    assert.notEqual(q2.json.payload, q1.json.payload);
  });

  test('card.png is a PNG and card.pdf a PDF, not cached', async () => {
    const png = await fetch(`${srv.url}/api/v1/people/${citizen.person.id}/card.png`,
      { headers: { authorization: `Bearer ${citizen.token}` } });
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.equal(png.headers.get('cache-control'), 'no-store');
    const pb = Buffer.from(await png.arrayBuffer());
    assert.deepEqual([...pb.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // CR80 at 150 dpi: about 506 x 319 pixels (IHDR width and height).
    assert.ok(Math.abs(pb.readUInt32BE(16) - 506) <= 2 && Math.abs(pb.readUInt32BE(20) - 319) <= 2,
      `${pb.readUInt32BE(16)}x${pb.readUInt32BE(20)}`);
    const pdf = await fetch(`${srv.url}/api/v1/people/${citizen.person.id}/card.pdf`,
      { headers: { authorization: `Bearer ${citizen.token}` } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const db = Buffer.from(await pdf.arrayBuffer());
    assert.equal(db.subarray(0, 5).toString('latin1'), '%PDF-');
  });
});

describe('bad input', () => {
  const good = { full_name: 'Ngô Thì Nhậm', date_of_birth: '1980-01-01', commune_code: UNITS.phucXa };
  const w = (k, v) => ({ ...good, [k]: v });
  const wo = (k) => { const c = { ...good }; delete c[k]; return c; };
  const P = '/api/v1/people';
  const S = '/api/v1/people/search';
  // [name, method, path, body | raw, status, code, field]
  const CASES = [
    ['no full_name', 'POST', P, wo('full_name'), 400, 'missing_field', 'full_name'],
    ['no date_of_birth', 'POST', P, wo('date_of_birth'), 400, 'missing_field', 'date_of_birth'],
    ['no commune_code', 'POST', P, wo('commune_code'), 400, 'missing_field', 'commune_code'],
    ['name with digits', 'POST', P, w('full_name', 'Ngô 3'), 400, 'invalid_field', 'full_name'],
    ['name of 101 letters', 'POST', P, w('full_name', 'a'.repeat(101)), 400, 'invalid_field', 'full_name'],
    ['name not a string', 'POST', P, w('full_name', ['Ngô']), 400, 'invalid_field', 'full_name'],
    ['name with SQL', 'POST', P, w('full_name', "x' OR 1=1 --"), 400, 'invalid_field', 'full_name'],
    ['date 1899-12-31', 'POST', P, w('date_of_birth', '1899-12-31'), 400, 'invalid_field', 'date_of_birth'],
    ['date in the future', 'POST', P, w('date_of_birth', '2999-01-01'), 400, 'invalid_field', 'date_of_birth'],
    ['date 2023-02-29', 'POST', P, w('date_of_birth', '2023-02-29'), 400, 'invalid_field', 'date_of_birth'],
    ['date 30/04/1990', 'POST', P, w('date_of_birth', '30/04/1990'), 400, 'invalid_field', 'date_of_birth'],
    ['sex M', 'POST', P, w('sex', 'M'), 400, 'invalid_field', 'sex'],
    ['phone landline', 'POST', P, w('phone', '0241234567'), 400, 'invalid_field', 'phone'],
    ['phone short', 'POST', P, w('phone', '091234567'), 400, 'invalid_field', 'phone'],
    ['cccd 11 digits', 'POST', P, w('cccd', '00109001234'), 400, 'invalid_field', 'cccd'],
    ['cccd province 097', 'POST', P, w('cccd', '097090012345'), 400, 'invalid_field', 'cccd'],
    ['cccd as a number', 'POST', P, w('cccd', 1090012345), 400, 'invalid_field', 'cccd'],
    ['cmnd 10 digits', 'POST', P, w('cmnd', '0123456789'), 400, 'invalid_field', 'cmnd'],
    ['cccd and cmnd', 'POST', P, { ...good, cccd: '001090099999', cmnd: '012345678' }, 400, 'invalid_field', 'cmnd'],
    ['bhyt level 0', 'POST', P, w('bhyt', 'DN0010123456789'), 400, 'invalid_field', 'bhyt'],
    ['bhyt province 00', 'POST', P, w('bhyt', 'DN4000123456789'), 400, 'invalid_field', 'bhyt'],
    ['bhyt 14 characters', 'POST', P, w('bhyt', 'DN401012345678'), 400, 'invalid_field', 'bhyt'],
    ['commune unknown', 'POST', P, w('commune_code', '99999'), 400, 'invalid_field', 'commune_code'],
    ['commune is a district', 'POST', P, w('commune_code', '001'), 400, 'invalid_field', 'commune_code'],
    ['street with a control character', 'POST', P, w('street', 'a\u0007b'), 400, 'invalid_field', 'street'],
    ['street too long', 'POST', P, w('street', 's'.repeat(201)), 400, 'invalid_field', 'street'],
    ['client_id too short', 'POST', P, w('client_id', 'abc'), 400, 'invalid_field', 'client_id'],
    ['unknown field', 'POST', P, w('id', 5), 400, 'unknown_field', 'id'],
    ['qr_serial is not a field', 'POST', P, w('qr_serial', 9), 400, 'unknown_field', 'qr_serial'],
    ['not JSON', 'POST', P, { raw: '{"full_name":' }, 400, 'invalid_json'],
    ['a JSON array', 'POST', P, { raw: '[]' }, 400, 'invalid_json'],
    ['search without a criterion', 'GET', S, null, 400, 'invalid_field', 'q'],
    ['search with two criteria', 'GET', `${S}?q=an&phone=0912345678`, null, 400, 'invalid_field', 'phone'],
    ['search q of punctuation', 'GET', `${S}?q=%25%25`, null, 400, 'invalid_field', 'q'],
    ['search phone bad', 'GET', `${S}?phone=12345`, null, 400, 'invalid_field', 'phone'],
    ['search cccd bad', 'GET', `${S}?cccd=12345`, null, 400, 'invalid_field', 'cccd'],
    ['search bhyt bad', 'GET', `${S}?bhyt=XX`, null, 400, 'invalid_field', 'bhyt'],
    ['search limit 0', 'GET', `${S}?q=an&limit=0`, null, 400, 'invalid_field', 'limit'],
    ['search limit 101', 'GET', `${S}?q=an&limit=101`, null, 400, 'invalid_field', 'limit'],
    ['id not a number', 'GET', '/api/v1/people/abc', null, 400, 'invalid_field', 'id'],
    ['id zero', 'GET', '/api/v1/people/0', null, 400, 'invalid_field', 'id'],
    ['revoke id negative', 'POST', '/api/v1/people/-1/qr/revoke', null, 400, 'invalid_field', 'id'],
    ['card id too big', 'GET', '/api/v1/people/99999999999999999999/card.png', null, 400, 'invalid_field', 'id'],
  ];
  let statsBefore;
  test('setup', () => { statsBefore = stableStats(); });
  for (const [name, method, p, body, status, code, field] of CASES) {
    test(name, async () => {
      const opts = { token: tokens.commune_admin };
      if (body && body.raw !== undefined) opts.rawBody = body.raw;
      else if (body) opts.body = body;
      const r = await srv.api(method, p, opts);
      assertError(r, status, code, field);
    });
  }
  test('nothing was written', () => { assert.deepEqual(stableStats(), statsBefore); });
});

// ---- role matrix: People and Citizen sign-in routes ----
// inside: the signed-in citizen's own person (lives at Phúc Xá, inside every Hà Nội account's
// area); outside: a person at Tân Định (HCM), a stranger to the citizen. self: the caller's own data.
const MATRIX = `
method route                          scope    natl prov dist comm smpl lab  vacc trac chkp venu citz anon
POST   /api/v1/people                 inside   2xx  2xx  2xx  2xx  2xx  403  2xx  2xx  403  2xx  403  401
POST   /api/v1/people                 outside  2xx  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/people/search          area     2xx  2xx  2xx  2xx  2xx  403  2xx  2xx  403  403  403  401
GET    /api/v1/people/{id}            inside   2xx  2xx  2xx  2xx  2xx  403  2xx  2xx  403  403  2xx  401
GET    /api/v1/people/{id}            outside  2xx  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/people/{id}/qr/revoke  inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  2xx  401
POST   /api/v1/people/{id}/qr/revoke  outside  2xx  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/people/{id}/card.png   inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  2xx  401
GET    /api/v1/people/{id}/card.png   outside  2xx  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/people/{id}/card.pdf   inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  2xx  401
GET    /api/v1/people/{id}/card.pdf   outside  2xx  403  403  403  403  403  403  403  403  403  403  401
PATCH  /api/v1/people/{id}            inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  403  401
PATCH  /api/v1/people/{id}            outside  2xx  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/people/{id}/timeline   inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  403  401
GET    /api/v1/people/{id}/timeline   outside  2xx  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/people/cards.pdf       inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  403  401
POST   /api/v1/people/cards.pdf       outside  2xx  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/people/merge           inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  403  401
POST   /api/v1/people/merge           outside  2xx  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/people/merge/{id}/undo inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  403  401
POST   /api/v1/people/merge/{id}/undo outside  2xx  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/citizen/otp            public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
POST   /api/v1/citizen/login          public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
GET    /api/v1/me                     self     403  403  403  403  403  403  403  403  403  403  2xx  401
PUT    /api/v1/me                     self     403  403  403  403  403  403  403  403  403  403  2xx  401
GET    /api/v1/me/qr                  self     403  403  403  403  403  403  403  403  403  403  2xx  401
GET    /api/v1/me/qr?person_id=ID     outside  403  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/me/family              self     403  403  403  403  403  403  403  403  403  403  2xx  401
POST   /api/v1/me/family/confirm      self     403  403  403  403  403  403  403  403  403  403  2xx  401
GET    /api/v1/me/family              self     403  403  403  403  403  403  403  403  403  403  2xx  401
DELETE /api/v1/me/family/{id}         self     403  403  403  403  403  403  403  403  403  403  2xx  401
GET    /api/v1/family/requests        area     2xx  2xx  2xx  2xx  403  403  403  403  403  403  403  401
POST   /api/v1/family/requests/{id}/approve inside 2xx 2xx 2xx 2xx 403  403  403  403  403  403  403  401
POST   /api/v1/family/requests/{id}/approve outside 2xx 403 403 403 403  403  403  403  403  403  403  401
POST   /api/v1/family/requests/{id}/refuse inside 2xx 2xx 2xx  2xx  403  403  403  403  403  403  403  401
`;
const ABBREV = {
  natl: 'national_admin', prov: 'province_admin', dist: 'district_admin', comm: 'commune_admin', smpl: 'sampler',
  lab: 'lab', vacc: 'vaccinator', trac: 'tracer', chkp: 'checkpoint_officer', venu: 'venue_owner', citz: 'citizen',
  anon: 'anonymous',
};
const ROWS = (() => {
  const lines = MATRIX.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const cols = lines[0].slice(3).map((c) => ABBREV[c]);
  assert.equal(cols.length, ROLES.length + 2);
  return lines.slice(1).map(([method, route, scope, ...cells]) => {
    assert.equal(cells.length, cols.length, route);
    return { method, route, scope, expect: Object.fromEntries(cols.map((c, i) => [c, cells[i]])) };
  });
})();

test('every People and Citizen sign-in route of docs/api.md has rows in the matrix', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'api.md'), 'utf8');
  const documented = new Set();
  let section = null;
  for (const line of doc.split('\n')) {
    const h = /^## (.+?)\s*$/.exec(line);
    if (h) section = h[1];
    if (section !== 'People' && !(section || '').startsWith('Citizen sign-in')) continue;
    const m = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`([^`]+)`( and `([^`]+)`)?/.exec(line);
    if (!m) continue;
    const p = m[2].replace(/\?.*$/, '');
    documented.add(`${m[1]} ${p}`);
    if (m[4]) documented.add(`${m[1]} ${p.replace(/[^/]+$/, m[4].replace(/^\//, ''))}`);
  }
  assert.ok(documented.size >= 13, [...documented].join(', '));
  const covered = new Set(ROWS.map((r) => `${r.method} ${r.route.replace(/\?.*$/, '')}`));
  for (const d of documented) assert.ok(covered.has(d), `${d} is not in the matrix`);
});

let cellSeq = 0;

/** Two records of one person in commune, as staff might register them twice: their ids. */
async function twoRecords(commune) {
  const a = await createPerson(srv, admin, { full_name: 'Đinh Bộ Lĩnh', date_of_birth: '1924-01-01', commune_code: commune, cccd: uniqueCccd() });
  const b = await createPerson(srv, admin, { full_name: 'Dinh Bo Linh', date_of_birth: '1924-01-01', commune_code: commune, phone: uniquePhone('96') });
  return [a.person.id, b.person.id];
}

async function requestFor(row, who) {
  const target = row.scope === 'outside' ? hcmPerson : citizen.person;
  const commune = row.scope === 'outside' ? UNITS.tanDinh : UNITS.phucXa;
  cellSeq += 1;
  switch (`${row.method} ${row.route}`) {
    case 'POST /api/v1/people':
      return { path: '/api/v1/people', body: { full_name: 'Mai Hắc Đế', date_of_birth: '1990-01-01', commune_code: commune, cccd: uniqueCccd() } };
    case 'GET /api/v1/people/search': return { path: '/api/v1/people/search?q=mai%20hac%20de' };
    case 'GET /api/v1/people/{id}': return { path: `/api/v1/people/${target.id}` };
    case 'POST /api/v1/people/{id}/qr/revoke': return { path: `/api/v1/people/${target.id}/qr/revoke` };
    case 'GET /api/v1/people/{id}/card.png': return { path: `/api/v1/people/${target.id}/card.png` };
    case 'GET /api/v1/people/{id}/card.pdf': return { path: `/api/v1/people/${target.id}/card.pdf` };
    case 'PATCH /api/v1/people/{id}': return { path: `/api/v1/people/${target.id}`, body: { street: `${cellSeq} Quán Thánh` } };
    case 'GET /api/v1/people/{id}/timeline': return { path: `/api/v1/people/${target.id}/timeline` };
    case 'POST /api/v1/people/cards.pdf': return { path: '/api/v1/people/cards.pdf', body: { ids: [target.id] } };
    case 'POST /api/v1/citizen/otp': return { path: '/api/v1/citizen/otp', body: { phone: uniquePhone('96') } };
    case 'POST /api/v1/citizen/login': {
      // a fresh phone and its real code, so "2xx" means signing in works whoever else is signed in
      const phone = uniquePhone('96');
      await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
      const { lastOtp } = require('../lib/people');
      return { path: '/api/v1/citizen/login', body: { phone, code: await lastOtp(srv, admin, phone) } };
    }
    case 'GET /api/v1/me': return { path: '/api/v1/me' };
    case 'PUT /api/v1/me': return { path: '/api/v1/me', body: { street: `${cellSeq} Quán Thánh` } };
    case 'GET /api/v1/me/qr': return { path: '/api/v1/me/qr' };
    case 'GET /api/v1/me/qr?person_id=ID': return { path: `/api/v1/me/qr?person_id=${target.id}` };
    case 'POST /api/v1/me/family':
      return { path: '/api/v1/me/family', body: { full_name: 'Con Thứ', date_of_birth: '2010-01-01', cccd: uniqueCccd() } };
    case 'GET /api/v1/me/family': return { path: '/api/v1/me/family' };
    case 'DELETE /api/v1/me/family/{id}': {
      const m = await srv.api('POST', '/api/v1/me/family',
        { token: citizen.token, body: { full_name: 'Con Út', date_of_birth: '2012-01-01', cccd: uniqueCccd() } });
      assertStatus(m, 201);
      return { path: `/api/v1/me/family/${m.json.id}` };
    }
    case 'POST /api/v1/people/merge': {
      const [a, b] = await twoRecords(commune);
      return { path: '/api/v1/people/merge', body: { keep_id: a, merge_id: b } };
    }
    case 'POST /api/v1/people/merge/{id}/undo': {
      const [a, b] = await twoRecords(commune);
      const m = await srv.api('POST', '/api/v1/people/merge', { token: admin, body: { keep_id: a, merge_id: b } });
      assertStatus(m, 201);
      return { path: `/api/v1/people/merge/${m.json.id}/undo` };
    }
    case 'POST /api/v1/me/family/confirm': {
      // a person recorded with a phone: adding them sends a code to that phone
      const phone = uniquePhone('96');
      await createPerson(srv, admin, { full_name: 'Lê Lợi', date_of_birth: '1985-08-08', phone, commune_code: UNITS.phucXa });
      const r = await srv.api('POST', '/api/v1/me/family', { token: citizen.token, body: { full_name: 'Lê Lợi', date_of_birth: '1985-08-08', phone } });
      assertStatus(r, 202);
      const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=family`, { token: admin });
      const code = /(\d{6})/.exec(out.json.messages[0].text)[1];
      return { path: '/api/v1/me/family/confirm', body: { link_request_id: r.json.link_request_id, code } };
    }
    case 'GET /api/v1/family/requests': return { path: `/api/v1/family/requests?unit=${UNITS.phucXa}` };
    case 'POST /api/v1/family/requests/{id}/approve':
    case 'POST /api/v1/family/requests/{id}/refuse': {
      // a person recorded without a phone: adding them waits for staff of their commune
      const cccd = uniqueCccd();
      await createPerson(srv, admin, { full_name: 'Trần Nhân Tông', date_of_birth: '1958-12-07', cccd, commune_code: commune });
      const r = await srv.api('POST', '/api/v1/me/family', { token: citizen.token, body: { full_name: 'Trần Nhân Tông', date_of_birth: '1958-12-07', cccd } });
      assertStatus(r, 202);
      return { path: `/api/v1/family/requests/${r.json.link_request_id}/${row.route.endsWith('approve') ? 'approve' : 'refuse'}` };
    }
    default: throw new Error(`no request for ${row.method} ${row.route}`);
  }
}

for (const row of ROWS) {
  describe(`matrix: ${row.method} ${row.route} (${row.scope})`, () => {
    for (const [who, expected] of Object.entries(row.expect)) {
      test(who, async () => {
        const req = await requestFor(row, who);
        const token = who === 'anonymous' ? undefined : who === 'citizen' ? citizen.token : tokens[who];
        const r = await srv.api(row.method, req.path, { token, body: req.body });
        const msg = `${row.method} ${req.path} as ${who}: expected ${expected}, got ${r.status} ${r.text.slice(0, 200)}`;
        if (expected === '2xx') assert.ok(r.status >= 200 && r.status < 300, msg);
        else {
          assert.equal(String(r.status), expected, msg);
          assert.equal(r.json.error.code, expected === '401' ? 'unauthenticated' : 'forbidden', msg);
        }
      });
    }
  });
}
