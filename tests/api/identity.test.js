'use strict';
// One person, one record (docs/api.md "People": matching, merges; "Citizen sign-in": claims):
// names stored NFC and found however they were typed, phones normalised, identifiers that
// disagree with a record are a 409 naming what disagrees, a match takes the identifiers a
// registration brings, a sign-in claims the walk-in records of its phone and name, and health
// staff merge (and un-merge) two records of one person.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { uniquePhone, uniqueCccd, lastOtp, citizenLogin } = require('../lib/people');
const { testingSession, cid } = require('../lib/testing-setup');

let srv;
let t;          // testing session: tokens, session, tubes
let admin;
let hcmAdmin;
let tubeSeq = 0;

before(async () => {
  srv = await startServer();
  t = await testingSession(srv, { tubes: 12 });
  admin = t.adminToken;
  await createAccount(srv, admin, { username: 'id.hcm', role: 'province_admin', unit_code: UNITS.hcm });
  hcmAdmin = await srv.login('id.hcm', PASSWORD);
});
after(async () => { if (srv) await srv.stop(); });

const api = (method, path, token, body) => srv.api(method, path, { token, body });
const register = (body) => api('POST', '/api/v1/people', t.officialToken,
  { date_of_birth: '1975-08-19', commune_code: UNITS.phucXa, ...body });

/** A walk-in sampled at the site by phone and name, with a negative result: the person's id. */
async function walkInWithResult(phone, fullName) {
  const tube = t.tubes[tubeSeq++];
  let r = await api('POST', '/api/v1/testing/samples', t.samplerToken,
    { client_id: cid('smp'), session_id: t.session.id, tube_id: tube, phone, full_name: fullName });
  assertStatus(r, 201, 'walk-in');
  const id = r.json.person.id;
  r = await api('POST', '/api/v1/testing/results', t.labToken, { tube_id: tube, result: 'negative' });
  assertStatus(r, 200, 'result');
  return id;
}

function stats() {
  const s = srv.dbStats();
  delete s.tables.audit_log;
  delete s.tables.login_attempts;
  return s;
}

// "Nguyễn Thị Hường" decomposed (NFD), as some phones and spreadsheets send it.
const NFD_NAME = 'Nguye\u0302\u0303n Thi\u0323 Hu\u031bo\u031b\u0300ng';
const NFC_NAME = 'Nguyễn Thị Hường';

describe('names and phones', () => {
  test('a name sent decomposed (NFD) is stored NFC, found by search, and matched, not duplicated', async () => {
    assert.notEqual(NFD_NAME, NFC_NAME);
    assert.equal(NFD_NAME.normalize('NFC'), NFC_NAME);
    const phone = uniquePhone('96');
    const first = await register({ full_name: NFD_NAME, phone });
    assertStatus(first, 201);
    assert.equal(first.json.person.full_name, NFC_NAME);
    const again = await register({ full_name: NFC_NAME, phone });
    assertStatus(again, 200);
    assert.equal(again.json.person.id, first.json.person.id);
    for (const q of [NFC_NAME, NFD_NAME, 'nguyen thi huong']) {
      const s = await api('GET', `/api/v1/people/search?q=${encodeURIComponent(q)}`, t.officialToken);
      assertStatus(s, 200);
      assert.ok(s.json.people.some((p) => p.id === first.json.person.id), `search ${q}`);
    }
  });

  test('a walk-in name sent NFD is stored NFC and is the same person as the NFC one', async () => {
    const phone = uniquePhone('96');
    const tube = t.tubes[tubeSeq++];
    const r = await api('POST', '/api/v1/testing/samples', t.samplerToken,
      { client_id: cid('smp'), session_id: t.session.id, tube_id: tube, phone, full_name: NFD_NAME });
    assertStatus(r, 201);
    const p = await api('GET', `/api/v1/people/${r.json.person.id}`, admin); // no commune yet: the nation's
    assert.equal(p.json.full_name, NFC_NAME);
    const checkin = await register({ full_name: NFC_NAME, phone });
    assert.equal(checkin.json.person.id, r.json.person.id, 'the walk-in, completed with a birth date');
    assert.equal(checkin.json.person.date_of_birth, '1975-08-19');
  });

  test('phones given as +84…, 84… and 0… are one phone', async () => {
    const phone = uniquePhone('97');
    const a = await register({ full_name: 'Trần Quốc Toản', phone: `84${phone.slice(1)}` });
    assertStatus(a, 201);
    assert.equal(a.json.person.phone, phone);
    const b = await register({ full_name: 'Tran Quoc Toan', phone: `+84${phone.slice(1)}` });
    assert.equal(b.json.person.id, a.json.person.id);
    const s = await api('GET', `/api/v1/people/search?phone=84${phone.slice(1)}`, t.officialToken);
    assert.deepEqual(s.json.people.map((p) => p.id), [a.json.person.id]);
  });
});

describe('strong identifiers', () => {
  test('a new CCCD with someone else\'s BHYT is a 409 naming what disagrees; nothing is stored', async () => {
    const bhyt = `DN40101${String(process.pid).padStart(8, '0').slice(-8)}`;
    const owner = await register({ full_name: 'Lý Thường Kiệt', date_of_birth: '1950-01-01', bhyt });
    assertStatus(owner, 201);
    const cccd = uniqueCccd();
    const before = stats();
    const r = await register({ full_name: 'Người Khác', date_of_birth: '1990-09-09', cccd, bhyt });
    assertError(r, 409, 'conflict', 'full_name');
    assert.match(r.json.error.message, /bhyt/);
    assert.equal(r.json.person, undefined, 'never the other person');
    assertError(await register({ full_name: 'Lý Thường Kiệt', date_of_birth: '1990-09-09', cccd, bhyt }), 409, 'conflict', 'date_of_birth');
    assert.deepEqual(stats(), before);
    const s = await api('GET', `/api/v1/people/search?cccd=${cccd}`, t.officialToken);
    assert.deepEqual(s.json.people, []);
  });

  test('a matching registration adds the CCCD it brings instead of dropping it', async () => {
    const bhyt = `GD40101${String(process.pid + 1).padStart(8, '0').slice(-8)}`;
    const first = await register({ full_name: 'Trần Hưng Đạo', date_of_birth: '1960-02-02', bhyt });
    const cccd = uniqueCccd();
    const r = await register({ full_name: 'Tran Hung Dao', date_of_birth: '1960-02-02', bhyt, cccd, sex: 'male' });
    assertStatus(r, 200);
    assert.equal(r.json.existing, true);
    assert.equal(r.json.person.id, first.json.person.id);
    assert.equal(r.json.person.cccd, cccd);
    assert.equal(r.json.person.sex, 'male');
    assert.equal(r.json.person.full_name, 'Trần Hưng Đạo', 'the recorded name is kept');
    const s = await api('GET', `/api/v1/people/search?cccd=${cccd}`, t.officialToken);
    assert.deepEqual(s.json.people.map((p) => p.id), [first.json.person.id]);
  });

  test('a CCCD and a BHYT of two different people are a 409', async () => {
    const a = await register({ full_name: 'Phạm Ngũ Lão', date_of_birth: '1955-05-05', cccd: uniqueCccd() });
    const bhyt = `HT30101${String(process.pid + 2).padStart(8, '0').slice(-8)}`;
    await register({ full_name: 'Phạm Ngũ Lão', date_of_birth: '1955-05-05', bhyt, phone: uniquePhone('96') });
    const before = stats();
    const r = await register({ full_name: 'Phạm Ngũ Lão', date_of_birth: '1955-05-05', cccd: a.json.person.cccd, bhyt });
    assertError(r, 409, 'conflict', 'bhyt');
    assert.deepEqual(stats(), before);
  });

  test('same phone, name and birth date with a different CCCD is a 409, not the first person', async () => {
    const phone = uniquePhone('96');
    const first = await register({ full_name: 'Yết Kiêu', date_of_birth: '1970-07-07', phone, cccd: uniqueCccd() });
    assertStatus(first, 201);
    const before = stats();
    const r = await register({ full_name: 'Yết Kiêu', date_of_birth: '1970-07-07', phone, cccd: uniqueCccd() });
    assertError(r, 409, 'conflict', 'cccd');
    assert.equal(r.json.person, undefined);
    assert.deepEqual(stats(), before);
  });
});

describe('sign-in claims walk-in records', () => {
  test('a result sampled before the first sign-in reaches the page of the person who signs in with that phone and name', async () => {
    const phone = uniquePhone('98');
    const walkIn = await walkInWithResult(phone, 'Đặng Thị Lụa');
    await srv.api('POST', '/api/v1/citizen/otp', { body: { phone: `+84${phone.slice(1)}` } });
    const code = await lastOtp(srv, admin, phone);
    const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code, full_name: 'Dang Thi Lua' } });
    assertStatus(login, 200);
    assert.equal(login.json.person.id, walkIn, 'the walk-in record became theirs');
    assert.equal(login.json.person.full_name, 'Đặng Thị Lụa');
    const r = await api('GET', '/api/v1/me/results', login.json.token);
    assertStatus(r, 200);
    assert.equal(r.json.people[0].person.id, walkIn);
    assert.equal(r.json.people[0].results[0].status, 'negative');
  });

  test('a citizen who names themself on the profile claims the walk-in: merged, the old id resolves', async () => {
    const phone = uniquePhone('98');
    const walkIn = await walkInWithResult(phone, 'Bùi Thị Xuân');
    const login = await citizenLogin(srv, admin, phone);
    assert.notEqual(login.person.id, walkIn);
    let r = await api('GET', '/api/v1/me/results', login.token);
    assert.deepEqual(r.json.people[0].results, []);
    r = await api('PUT', '/api/v1/me', login.token, { full_name: 'Bùi Thị Xuân', date_of_birth: '1988-08-08', commune_code: UNITS.phucXa });
    assertStatus(r, 200);
    r = await api('GET', '/api/v1/me/results', login.token);
    assert.equal(r.json.people[0].person.id, login.person.id);
    assert.equal(r.json.people[0].results[0].status, 'negative');
    const old = await api('GET', `/api/v1/people/${walkIn}`, t.officialToken);
    assertStatus(old, 200);
    assert.equal(old.json.id, login.person.id, 'the merged id resolves to the kept record');
    const s = await api('GET', `/api/v1/people/search?phone=${phone}`, t.officialToken);
    assert.deepEqual(s.json.people.map((p) => p.id), [login.person.id], 'one person, one record');
  });

  test('a walk-in of the same phone with another name stays apart', async () => {
    const phone = uniquePhone('98');
    const child = await walkInWithResult(phone, 'Lê Văn Tèo');
    const login = await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } })
      .then(() => lastOtp(srv, admin, phone))
      .then((code) => srv.api('POST', '/api/v1/citizen/login', { body: { phone, code, full_name: 'Lê Thị Mẹ' } }));
    assertStatus(login, 200);
    assert.notEqual(login.json.person.id, child);
    const r = await api('GET', '/api/v1/me/results', login.json.token);
    assert.equal(r.json.people.length, 1);
    assert.deepEqual(r.json.people[0].results, []);
  });

  test('a bad full_name at sign-in is a 400 naming it, and no code is spent', async () => {
    const phone = uniquePhone('98');
    await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
    const code = await lastOtp(srv, admin, phone);
    assertError(await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code, full_name: 'x1<' } }), 400, 'invalid_field', 'full_name');
    assertStatus(await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } }), 200);
  });
});

describe('merge', () => {
  let citizen;
  let walkIn;
  let mergeId;
  const MERGE = '/api/v1/people/merge';

  before(async () => {
    const phone = uniquePhone('99');
    citizen = await citizenLogin(srv, admin, phone);
    await api('PUT', '/api/v1/me', citizen.token, { full_name: 'Hồ Xuân Hương', date_of_birth: '1972-03-03', commune_code: UNITS.phucXa });
    // typed differently at the site, with another phone: no claim, staff merge it
    walkIn = await walkInWithResult(uniquePhone('99'), 'Xuân Hương');
  });

  test('bad input is a 4xx naming the field, nothing stored', async () => {
    const before = stats();
    assertError(await api('POST', MERGE, t.officialToken, { merge_id: walkIn }), 400, 'missing_field', 'keep_id');
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: citizen.person.id }), 400, 'missing_field', 'merge_id');
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: walkIn, merge_id: walkIn }), 400, 'invalid_field', 'merge_id');
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: citizen.person.id, merge_id: 99999999 }), 404, 'not_found', 'merge_id');
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: citizen.person.id, merge_id: walkIn, client_id: 'x' }), 400, 'invalid_field', 'client_id');
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: citizen.person.id, merge_id: walkIn, extra: 1 }), 400, 'unknown_field', 'extra');
    assertError(await api('POST', MERGE, t.samplerToken, { keep_id: citizen.person.id, merge_id: walkIn }), 403, 'forbidden');
    assertError(await api('POST', MERGE, hcmAdmin, { keep_id: citizen.person.id, merge_id: walkIn }), 403, 'forbidden');
    assertError(await api('POST', MERGE, citizen.token, { keep_id: citizen.person.id, merge_id: walkIn }), 403, 'forbidden');
    assert.deepEqual(stats(), before);
  });

  test('two records with different CCCDs are two people: 409', async () => {
    const a = await register({ full_name: 'Mạc Đĩnh Chi', cccd: uniqueCccd() });
    const b = await register({ full_name: 'Mạc Đĩnh Chi', cccd: uniqueCccd(), date_of_birth: '1976-01-01' });
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: a.json.person.id, merge_id: b.json.person.id }), 409, 'conflict', 'cccd');
  });

  test('two records that both hold a once-per-person record (a vaccination registration) are a 409; nothing moves', async () => {
    const a = await register({ full_name: 'Lê Hoàn', date_of_birth: '1941-01-01', cccd: uniqueCccd() });
    const b = await register({ full_name: 'Le Hoan', date_of_birth: '1941-01-01', phone: uniquePhone('99') });
    for (const p of [a, b]) {
      const reg = await api('POST', '/api/v1/vaccine/registrations', t.officialToken,
        { client_id: cid('reg'), person_id: p.json.person.id, priority_group: 'general' });
      assertStatus(reg, 201);
    }
    const before = stats();
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: a.json.person.id, merge_id: b.json.person.id }), 409, 'conflict', 'merge_id');
    assert.deepEqual(stats(), before);
    const still = await api('GET', `/api/v1/people/${b.json.person.id}`, t.officialToken);
    assert.equal(still.json.id, b.json.person.id);
  });

  test('merging moves the links, the merged id resolves to the kept record, audited; a retry is the same merge', async () => {
    const body = { keep_id: citizen.person.id, merge_id: walkIn, client_id: cid('merge') };
    const r = await api('POST', MERGE, t.officialToken, body);
    assertStatus(r, 201);
    mergeId = r.json.id;
    assert.equal(r.json.person.id, citizen.person.id);
    assert.ok(r.json.person.phone, 'kept record has a phone');
    const again = await api('POST', MERGE, t.officialToken, body);
    assertStatus(again, 200);
    assert.equal(again.json.id, mergeId);
    const res = await api('GET', '/api/v1/me/results', citizen.token);
    assert.equal(res.json.people[0].results[0].status, 'negative', 'the sample moved to the kept person');
    const old = await api('GET', `/api/v1/people/${walkIn}`, t.officialToken);
    assert.equal(old.json.id, citizen.person.id);
    assertError(await api('POST', MERGE, t.officialToken, { keep_id: walkIn, merge_id: citizen.person.id }), 409, 'conflict', 'keep_id');
    const audit = await api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, admin);
    assert.ok(audit.json.entries.some((e) => e.action === 'person.merge' && e.subject_id === String(citizen.person.id)), 'audited');
  });

  test('chained merges resolve to the last kept record and are undone last first', async () => {
    const ids = [];
    for (const n of ['Ngô Quyền', 'Ngo Quyen', 'NGÔ QUYỀN']) {
      ids.push((await register({ full_name: n, date_of_birth: '1938-03-03', phone: uniquePhone('99') })).json.person.id);
    }
    const m1 = await api('POST', MERGE, t.officialToken, { keep_id: ids[1], merge_id: ids[0] });
    assertStatus(m1, 201);
    const m2 = await api('POST', MERGE, t.officialToken, { keep_id: ids[2], merge_id: ids[1] });
    assertStatus(m2, 201);
    for (const id of ids) assert.equal((await api('GET', `/api/v1/people/${id}`, t.officialToken)).json.id, ids[2]);
    assertError(await api('POST', `${MERGE}/${m1.json.id}/undo`, t.officialToken), 409, 'conflict', 'id');
    assertStatus(await api('POST', `${MERGE}/${m2.json.id}/undo`, t.officialToken), 200);
    assert.equal((await api('GET', `/api/v1/people/${ids[0]}`, t.officialToken)).json.id, ids[1]);
    assertStatus(await api('POST', `${MERGE}/${m1.json.id}/undo`, t.officialToken), 200);
    for (const id of ids) assert.equal((await api('GET', `/api/v1/people/${id}`, t.officialToken)).json.id, id);
  });

  test('undo puts back what the merge moved', async () => {
    assertError(await api('POST', `${MERGE}/${mergeId}/undo`, hcmAdmin), 403, 'forbidden');
    const r = await api('POST', `${MERGE}/${mergeId}/undo`, t.officialToken);
    assertStatus(r, 200);
    assert.equal(r.json.undone, true);
    const res = await api('GET', '/api/v1/me/results', citizen.token);
    assert.deepEqual(res.json.people[0].results, [], 'the sample is the walk-in\'s again');
    const back = await api('GET', `/api/v1/people/${walkIn}`, admin);
    assert.equal(back.json.id, walkIn);
    assert.ok(back.json.phone);
    const me = await api('GET', '/api/v1/me', citizen.token);
    assert.equal(me.json.person.phone, citizen.person.phone);
    assertError(await api('POST', `${MERGE}/${mergeId}/undo`, t.officialToken), 409, 'conflict', 'id');
    assertError(await api('POST', `${MERGE}/99999999/undo`, t.officialToken), 404, 'not_found', 'id');
    const audit = await api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, admin);
    assert.ok(audit.json.entries.some((e) => e.action === 'person.merge_undo'), 'audited');
  });
});
