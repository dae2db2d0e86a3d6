'use strict';
// Family members a citizen manages (docs/api.md "Citizen sign-in": /api/v1/me/family): adding,
// dedupe and linking, households, visibility (a member is seen by its manager and by staff in
// its area, by no other citizen), removal, bad input.
//
// Choices where the contract leaves room (kept here, and in the README):
// - POST answers the bare person: 201 when the member was created or linked, 200 when the caller
//   already manages that person (a retry).
// - A member has one manager. An existing record is linked only when it describes the person
//   typed (same folded name and birth date; otherwise 409 naming what disagrees) and nobody
//   manages it, and then only with proof: 202 {status: pending, link_request_id, proof}; with
//   proof code_sent a code went to that person's phone (their sign-in phone if they have one)
//   and POST /me/family/confirm completes the link; with staff_approval (no phone) commune
//   staff approve or refuse it (/api/v1/family/requests).
// - Household: a member with the caller's commune and street (compared folded), or with no
//   address at all (then it takes the caller's), joins the caller's household; the household id
//   is the id of the person who founded it. Other members get no household.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { uniquePhone, uniqueCccd, citizenLogin, citizenWithProfile, createPerson } = require('../lib/people');

let srv;
let admin;
let a;      // citizen A at Phúc Xá, 3 Quán Thánh
let b;      // citizen B at Phúc Xá
let phucXaStaff;
let phucXaAdmin;
let hcmStaff;

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  a = await citizenWithProfile(srv, admin, uniquePhone(), { full_name: 'Nguyễn Thị A', street: '3 Quán Thánh' });
  b = await citizenWithProfile(srv, admin, uniquePhone(), { full_name: 'Trần Văn B', street: '9 Hàng Đào' });
  await createAccount(srv, admin, { username: 'f.phucxa', role: 'tracer', unit_code: UNITS.phucXa });
  phucXaStaff = await srv.login('f.phucxa', PASSWORD);
  await createAccount(srv, admin, { username: 'f.phucxa.admin', role: 'commune_admin', unit_code: UNITS.phucXa });
  phucXaAdmin = await srv.login('f.phucxa.admin', PASSWORD);
  await createAccount(srv, admin, { username: 'f.hcm', role: 'province_admin', unit_code: UNITS.hcm });
  hcmStaff = await srv.login('f.hcm', PASSWORD);
});
after(async () => { if (srv) await srv.stop(); });

const FAMILY = '/api/v1/me/family';
const add = (who, body) => srv.api('POST', FAMILY, { token: who.token, body });

function stableStats() {
  const s = srv.dbStats();
  delete s.tables.audit_log;
  delete s.tables.login_attempts;
  return s;
}

describe('adding members', () => {
  let child;
  test('a member without an address lives with the citizen: same address, same household', async () => {
    const r = await add(a, { full_name: 'Nguyễn Văn Con', date_of_birth: '2015-06-01', sex: 'male' });
    assertStatus(r, 201);
    child = r.json;
    assert.equal(child.commune_code, UNITS.phucXa);
    assert.equal(child.street, '3 Quán Thánh');
    assert.equal(child.phone, null);
    assert.equal(child.household_id, a.person.id);
    const me = await srv.api('GET', '/api/v1/me', { token: a.token });
    assert.equal(me.json.person.household_id, a.person.id, 'the citizen founded the household');
    assert.deepEqual(me.json.managed.map((m) => m.id), [child.id]);
    const list = await srv.api('GET', FAMILY, { token: a.token });
    assertStatus(list, 200);
    assert.deepEqual(list.json.members.map((m) => m.id), [child.id]);
  });

  test('same commune and street (typed without diacritics) joins; another address does not', async () => {
    const same = await add(a, { full_name: 'Nguyễn Thị Bà', date_of_birth: '1940-01-01', commune_code: UNITS.phucXa, street: '3 quan thanh' });
    assertStatus(same, 201);
    assert.equal(same.json.household_id, a.person.id);
    const away = await add(a, { full_name: 'Nguyễn Văn Ông', date_of_birth: '1938-01-01', commune_code: UNITS.tanDinh, street: '1 Hai Bà Trưng' });
    assertStatus(away, 201);
    assert.equal(away.json.household_id, null);
    assert.equal(away.json.commune_code, UNITS.tanDinh);
  });

  test('the same member again (a retry) is 200 with the same person, nothing written', async () => {
    const cccd = uniqueCccd();
    const body = { full_name: 'Nguyễn Văn Cháu', date_of_birth: '2001-02-02', cccd };
    const first = await add(a, body);
    assertStatus(first, 201);
    const statsBefore = stableStats();
    const again = await add(a, { ...body, full_name: 'Nguyen Van Chau' });
    assertStatus(again, 200);
    assert.equal(again.json.id, first.json.id);
    const c1 = await add(a, { full_name: 'Lê Văn Khách', date_of_birth: '2003-03-03', client_id: 'fam-retry-0001' });
    const c2 = await add(a, { full_name: 'Lê Văn Khách', date_of_birth: '2003-03-03', client_id: 'fam-retry-0001' });
    assertStatus(c2, 200);
    assert.equal(c2.json.id, c1.json.id);
    const after = stableStats();
    delete after.tables.persons; delete statsBefore.tables.persons;
    delete after.tables.person_managers; delete statsBefore.tables.person_managers;
    assert.deepEqual(after, statsBefore);
  });

  test('a person registered by staff (no phone) waits for commune staff: 202, nothing linked until approved', async () => {
    const cccd = uniqueCccd();
    const rec = (await createPerson(srv, phucXaStaff, { full_name: 'Phan Bội Châu', date_of_birth: '1967-12-26', cccd })).person;
    const r = await add(b, { full_name: 'Phan Boi Chau', date_of_birth: '1967-12-26', cccd });
    assertStatus(r, 202);
    assert.deepEqual(Object.keys(r.json).sort(), ['link_request_id', 'proof', 'status']);
    assert.equal(r.json.status, 'pending');
    assert.equal(r.json.proof, 'staff_approval');
    let fam = await srv.api('GET', FAMILY, { token: b.token });
    assert.ok(!fam.json.members.some((m) => m.id === rec.id), 'not linked yet');
    assert.deepEqual(fam.json.pending.map((p) => p.link_request_id), [r.json.link_request_id]);
    assertStatus(await srv.api('GET', `/api/v1/people/${rec.id}`, { token: b.token }), 403);
    // asked again: the same request
    assert.equal((await add(b, { full_name: 'Phan Bội Châu', date_of_birth: '1967-12-26', cccd })).json.link_request_id, r.json.link_request_id);
    // staff elsewhere neither see nor decide it; the commune's staff do
    const hcmList = await srv.api('GET', `/api/v1/family/requests?unit=${UNITS.phucXa}`, { token: hcmStaff });
    assertStatus(hcmList, 403);
    assertStatus(await srv.api('POST', `/api/v1/family/requests/${r.json.link_request_id}/approve`, { token: hcmStaff }), 403);
    assertError(await srv.api('GET', '/api/v1/family/requests?unit=99999', { token: phucXaAdmin }), 400, 'invalid_field', 'unit');
    const national = await srv.api('GET', '/api/v1/family/requests', { token: admin });
    assertStatus(national, 200);
    assert.ok(national.json.requests.some((q) => q.link_request_id === r.json.link_request_id), 'the nation sees every commune');
    const list = await srv.api('GET', `/api/v1/family/requests?unit=${UNITS.phucXa}`, { token: phucXaAdmin });
    assertStatus(list, 200);
    const item = list.json.requests.find((q) => q.link_request_id === r.json.link_request_id);
    assert.equal(item.person.id, rec.id);
    assert.equal(item.requested_by.id, b.person.id);
    const ok = await srv.api('POST', `/api/v1/family/requests/${r.json.link_request_id}/approve`, { token: phucXaAdmin });
    assertStatus(ok, 200);
    assert.equal(ok.json.status, 'linked');
    fam = await srv.api('GET', FAMILY, { token: b.token });
    assert.ok(fam.json.members.some((m) => m.id === rec.id), 'linked after approval');
    assert.deepEqual(fam.json.pending, []);
    assertError(await srv.api('POST', `/api/v1/family/requests/${r.json.link_request_id}/refuse`, { token: phucXaAdmin }), 409, 'conflict', 'id');
    // A second citizen cannot claim the same person.
    const statsBefore = stableStats();
    assertError(await add(a, { full_name: 'Phan Bội Châu', date_of_birth: '1967-12-26', cccd }), 409, 'conflict', 'cccd');
    assert.deepEqual(stableStats(), statsBefore);
  });

  test('staff may refuse a request: nothing is linked', async () => {
    const cccd = uniqueCccd();
    const rec = (await createPerson(srv, phucXaStaff, { full_name: 'Ngô Thì Nhậm', date_of_birth: '1946-02-02', cccd })).person;
    const r = await add(b, { full_name: 'Ngô Thì Nhậm', date_of_birth: '1946-02-02', cccd });
    assertStatus(r, 202);
    const no = await srv.api('POST', `/api/v1/family/requests/${r.json.link_request_id}/refuse`, { token: phucXaAdmin });
    assertStatus(no, 200);
    assert.equal(no.json.status, 'refused');
    const fam = await srv.api('GET', FAMILY, { token: b.token });
    assert.ok(!fam.json.members.some((m) => m.id === rec.id));
    assertError(await srv.api('POST', '/api/v1/family/requests/999999/approve', { token: phucXaAdmin }), 404, 'not_found', 'id');
  });

  test('a CCCD recorded for someone else (another name or birth date) is 409 naming what disagrees', async () => {
    const cccd = uniqueCccd();
    await createPerson(srv, phucXaStaff, { full_name: 'Huỳnh Thúc Kháng', date_of_birth: '1926-10-01', cccd });
    assertError(await add(a, { full_name: 'Tên Khác', date_of_birth: '1926-10-01', cccd }), 409, 'conflict', 'full_name');
    assertError(await add(a, { full_name: 'Huỳnh Thúc Kháng', date_of_birth: '1900-10-01', cccd }), 409, 'conflict', 'date_of_birth');
  });

  test('a stranger added with the data printed on her ID card is never linked without her code', async () => {
    // The reported case: name, birth date and CCCD are on the card; the owner signs in with her own phone.
    const victimPhone = uniquePhone();
    const victim = await citizenWithProfile(srv, admin, victimPhone, { full_name: 'Võ Thị Sáu', date_of_birth: '1933-01-01', cccd: uniqueCccd() });
    const r = await add(a, { full_name: 'Võ Thị Sáu', date_of_birth: '1933-01-01', cccd: victim.person.cccd });
    assertStatus(r, 202);
    assert.equal(r.json.proof, 'code_sent');
    assert.equal(r.json.person, undefined, 'nothing about her before the proof');
    // nothing of hers is readable, her card cannot be revoked
    assertStatus(await srv.api('GET', `/api/v1/people/${victim.person.id}`, { token: a.token }), 403);
    const res = await srv.api('GET', '/api/v1/me/results', { token: a.token });
    assertStatus(res, 200);
    assert.ok(!res.json.people.some((p) => p.person.id === victim.person.id), 'her results are not listed');
    assertStatus(await srv.api('GET', `/api/v1/people/${victim.person.id}/vaccinations`, { token: a.token }), 403);
    assertStatus(await srv.api('GET', `/api/v1/me/qr?person_id=${victim.person.id}`, { token: a.token }), 403);
    assertStatus(await srv.api('POST', `/api/v1/people/${victim.person.id}/qr/revoke`, { token: a.token }), 403);
    // the code went to her phone, not to the asker; a guess is refused
    const out = await srv.api('GET', `/api/v1/outbox?recipient=${victimPhone}&kind=family`, { token: admin });
    assertStatus(out, 200);
    assert.equal(out.json.messages.length, 1);
    assert.doesNotMatch(out.json.messages[0].body, /\d{6}/, 'the stored text is masked');
    const code = /(\d{6})/.exec(out.json.messages[0].text)[1];
    const wrong = code === '000000' ? '111111' : '000000';
    const confirm = (body) => srv.api('POST', `${FAMILY}/confirm`, { token: a.token, body });
    assertError(await confirm({ link_request_id: r.json.link_request_id, code: wrong }), 400, 'invalid_field', 'code');
    assertError(await confirm({ link_request_id: r.json.link_request_id, code: 'abc' }), 400, 'invalid_field', 'code');
    assertError(await confirm({ code }), 400, 'missing_field', 'link_request_id');
    // another citizen cannot use the request
    assertError(await srv.api('POST', `${FAMILY}/confirm`, { token: b.token, body: { link_request_id: r.json.link_request_id, code } }), 404, 'not_found', 'link_request_id');
    assertStatus(await srv.api('GET', `/api/v1/people/${victim.person.id}`, { token: a.token }), 403);
    // she still reads her own record
    const own = await srv.api('GET', '/api/v1/me', { token: victim.token });
    assertStatus(own, 200);
    assert.equal(own.json.person.id, victim.person.id);
    // with her code (she agreed), the link is made
    const ok = await confirm({ link_request_id: r.json.link_request_id, code });
    assertStatus(ok, 201);
    assert.equal(ok.json.id, victim.person.id);
    assertStatus(await srv.api('GET', `/api/v1/people/${victim.person.id}`, { token: a.token }), 200);
    assertError(await confirm({ link_request_id: r.json.link_request_id, code }), 409, 'conflict', 'link_request_id');
    assertStatus(await srv.api('DELETE', `${FAMILY}/${victim.person.id}`, { token: a.token }), 204);
  });

  test('five wrong codes void the request', async () => {
    const phone = uniquePhone();
    const rec = (await createPerson(srv, phucXaStaff, { full_name: 'Đào Duy Từ', date_of_birth: '1972-05-05', phone })).person;
    const r = await add(a, { full_name: 'Dao Duy Tu', date_of_birth: '1972-05-05', phone });
    assertStatus(r, 202);
    assert.equal(r.json.proof, 'code_sent');
    const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=family`, { token: admin });
    const code = /(\d{6})/.exec(out.json.messages[0].text)[1];
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      assertStatus(await srv.api('POST', `${FAMILY}/confirm`, { token: a.token, body: { link_request_id: r.json.link_request_id, code: wrong } }), 400);
    }
    assertError(await srv.api('POST', `${FAMILY}/confirm`, { token: a.token, body: { link_request_id: r.json.link_request_id, code } }), 409, 'conflict', 'link_request_id');
    const fam = await srv.api('GET', FAMILY, { token: a.token });
    assert.ok(!fam.json.members.some((m) => m.id === rec.id));
  });

  test('the caller cannot add themself', async () => {
    const self = await srv.api('GET', '/api/v1/me', { token: b.token });
    const r = await add(b, { full_name: self.json.person.full_name, date_of_birth: self.json.person.date_of_birth, phone: self.json.person.phone });
    assertError(r, 409, 'conflict');
  });
});

describe('visibility', () => {
  let member;
  before(async () => {
    member = (await add(a, { full_name: 'Nguyễn Thị Riêng', date_of_birth: '2019-09-09' })).json;
  });

  test('the manager reads, prints and revokes the member; QR through /me/qr', async () => {
    assertStatus(await srv.api('GET', `/api/v1/people/${member.id}`, { token: a.token }), 200);
    assertStatus(await srv.api('GET', `/api/v1/people/${member.id}/card.pdf`, { token: a.token }), 200);
    const q = await srv.api('GET', `/api/v1/me/qr?person_id=${member.id}`, { token: a.token });
    assertStatus(q, 200);
    assert.ok(q.json.payload.startsWith(`CDN1.P.${member.code}.1.`), q.text);
    const rv = await srv.api('POST', `/api/v1/people/${member.id}/qr/revoke`, { token: a.token });
    assert.equal(rv.json.serial, 2);
  });

  test('citizen A cannot read citizen B\'s member, and B cannot read A\'s: 403', async () => {
    const bm = (await add(b, { full_name: 'Trần Thị Nhỏ', date_of_birth: '2020-02-02' })).json;
    for (const [who, id] of [[a, bm.id], [b, member.id]]) {
      for (const p of [`/api/v1/people/${id}`, `/api/v1/people/${id}/card.png`, `/api/v1/people/${id}/card.pdf`,
        `/api/v1/me/qr?person_id=${id}`]) {
        assertError(await srv.api('GET', p, { token: who.token }), 403, 'forbidden');
      }
      assertError(await srv.api('POST', `/api/v1/people/${id}/qr/revoke`, { token: who.token }), 403, 'forbidden');
      assertError(await srv.api('DELETE', `${FAMILY}/${id}`, { token: who.token }), 404, 'not_found', 'id');
    }
    const bl = await srv.api('GET', FAMILY, { token: b.token });
    assert.ok(!bl.json.members.some((m) => m.id === member.id));
    // Nor can a citizen read another citizen.
    assertError(await srv.api('GET', `/api/v1/people/${b.person.id}`, { token: a.token }), 403, 'forbidden');
  });

  test('staff of the member\'s area read it (audited); staff elsewhere get 403', async () => {
    assertStatus(await srv.api('GET', `/api/v1/people/${member.id}`, { token: phucXaStaff }), 200);
    assertError(await srv.api('GET', `/api/v1/people/${member.id}`, { token: hcmStaff }), 403, 'forbidden');
    const audit = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: admin });
    const entries = audit.json.entries || audit.json;
    assert.ok(entries.some((e) => e.action === 'person.read' && e.subject_id === String(member.id)
      && e.actor_username === 'f.phucxa'), audit.text.slice(0, 500));
  });

  test('DELETE stops managing: 204, then 403 for the former manager, the record stays', async () => {
    const m = (await add(a, { full_name: 'Nguyễn Văn Tạm', date_of_birth: '2011-11-11' })).json;
    const d = await srv.api('DELETE', `${FAMILY}/${m.id}`, { token: a.token });
    assertStatus(d, 204);
    assertError(await srv.api('GET', `/api/v1/people/${m.id}`, { token: a.token }), 403, 'forbidden');
    assertError(await srv.api('DELETE', `${FAMILY}/${m.id}`, { token: a.token }), 404, 'not_found', 'id');
    assertStatus(await srv.api('GET', `/api/v1/people/${m.id}`, { token: phucXaStaff }), 200);
    const list = await srv.api('GET', FAMILY, { token: a.token });
    assert.ok(!list.json.members.some((x) => x.id === m.id));
  });
});

describe('bad input', () => {
  const good = { full_name: 'Nguyễn Văn Hỏng', date_of_birth: '2000-01-01' };
  const w = (k, v) => ({ ...good, [k]: v });
  const CASES = [
    ['no full_name', 'POST', FAMILY, { date_of_birth: '2000-01-01' }, 400, 'missing_field', 'full_name'],
    ['no date_of_birth', 'POST', FAMILY, { full_name: 'An' }, 400, 'missing_field', 'date_of_birth'],
    ['future birth', 'POST', FAMILY, w('date_of_birth', '2999-12-31'), 400, 'invalid_field', 'date_of_birth'],
    ['bad sex', 'POST', FAMILY, w('sex', 'x'), 400, 'invalid_field', 'sex'],
    ['bad phone', 'POST', FAMILY, w('phone', '123'), 400, 'invalid_field', 'phone'],
    ['bad cccd', 'POST', FAMILY, w('cccd', '1234'), 400, 'invalid_field', 'cccd'],
    ['cccd and cmnd', 'POST', FAMILY, { ...good, cccd: uniqueCccd(), cmnd: '123456789' }, 400, 'invalid_field', 'cmnd'],
    ['bad bhyt', 'POST', FAMILY, w('bhyt', 'TE0000000000000'), 400, 'invalid_field', 'bhyt'],
    ['province as commune', 'POST', FAMILY, w('commune_code', '79'), 400, 'invalid_field', 'commune_code'],
    ['unknown field', 'POST', FAMILY, w('manager', 1), 400, 'unknown_field', 'manager'],
    ['not JSON', 'POST', FAMILY, { raw: 'nope' }, 400, 'invalid_json'],
    ['delete id text', 'DELETE', `${FAMILY}/abc`, null, 400, 'invalid_field', 'id'],
    ['delete id zero', 'DELETE', `${FAMILY}/0`, null, 400, 'invalid_field', 'id'],
    ['delete someone unmanaged', 'DELETE', `${FAMILY}/999999`, null, 404, 'not_found', 'id'],
  ];
  let statsBefore;
  test('setup', () => { statsBefore = stableStats(); });
  for (const [name, method, p, body, status, code, field] of CASES) {
    test(name, async () => {
      const opts = { token: a.token };
      if (body && body.raw !== undefined) opts.rawBody = body.raw;
      else if (body) opts.body = body;
      assertError(await srv.api(method, p, opts), status, code, field);
    });
  }
  test('nothing was written', () => { assert.deepEqual(stableStats(), statsBefore); });

  test('staff and anonymous callers have no family routes', async () => {
    assertError(await srv.api('GET', FAMILY, { token: phucXaStaff }), 403, 'forbidden');
    assertError(await srv.api('POST', FAMILY, { token: admin, body: good }), 403, 'forbidden');
    assertError(await srv.api('GET', FAMILY, {}), 401, 'unauthenticated');
    assertError(await srv.api('DELETE', `${FAMILY}/1`, {}), 401, 'unauthenticated');
  });
});

test('a citizen without a profile may add members; they get no household and no area yet', async () => {
  const c = await citizenLogin(srv, admin, uniquePhone());
  const r = await srv.api('POST', FAMILY, { token: c.token, body: { full_name: 'Mới Sinh', date_of_birth: '2024-01-01' } });
  assertStatus(r, 201);
  assert.equal(r.json.household_id, null);
  assert.equal(r.json.commune_code, null);
  assertStatus(await srv.api('GET', `/api/v1/people/${r.json.id}`, { token: c.token }), 200);
  assertError(await srv.api('GET', `/api/v1/people/${r.json.id}`, { token: phucXaStaff }), 403, 'forbidden');
  assertStatus(await srv.api('GET', `/api/v1/people/${r.json.id}`, { token: admin }), 200);
});
