'use strict';
// Staff accounts: creation down the hierarchy, scope of lists and reads, conflicts, disabling,
// and the audit log of it all.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, ACCOUNT_KEYS, createAccount, assertError, assertStatus } = require('../lib/fixtures');

let srv;
let admin;            // national admin token
const acc = {};       // accounts created, by short name
const tok = {};       // tokens, by short name

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
});
after(async () => { if (srv) await srv.stop(); });

const post = (token, body) => srv.api('POST', '/api/v1/accounts', { token, body });
const base = (over) => ({ password: PASSWORD, full_name: 'Nguyễn Thị Hoa', ...over });

function checkAccount(a, expected) {
  for (const k of ACCOUNT_KEYS) assert.ok(k in a, `account lacks ${k}: ${JSON.stringify(a)}`);
  assert.ok(Number.isInteger(a.id) && a.id > 0, `id ${a.id}`);
  assert.ok(Number.isInteger(a.created_at), `created_at ${a.created_at}`);
  assert.ok(Math.abs(a.created_at - Date.now() / 1000) < 3600, `created_at ${a.created_at} is now-ish`);
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(a[k], v, `account.${k}`);
  for (const k of Object.keys(a)) assert.doesNotMatch(k, /pass|hash|salt/i, `no password material (${k})`);
}

test('the national admin creates province admins', async () => {
  const r = await post(admin, base({ username: 'tinh.ha.noi', role: 'province_admin', unit_code: UNITS.hanoi, full_name: 'Trần Văn Tỉnh' }));
  assertStatus(r, 201);
  checkAccount(r.json, {
    username: 'tinh.ha.noi', role: 'province_admin', unit_code: '01', unit_name: 'Thành phố Hà Nội',
    full_name: 'Trần Văn Tỉnh', phone: null, disabled: false,
  });
  acc.hnProv = r.json;
  acc.hcmProv = await createAccount(srv, admin, { username: 'tinh.hcm', role: 'province_admin', unit_code: UNITS.hcm });
  tok.hnProv = await srv.login('tinh.ha.noi', PASSWORD);
  tok.hcmProv = await srv.login('tinh.hcm', PASSWORD);
});

test('a province admin creates a district admin and operational roles in its province', async () => {
  const r = await post(tok.hnProv, base({ username: 'huyen.ba.dinh', role: 'district_admin', unit_code: UNITS.baDinh, phone: '0912345678' }));
  assertStatus(r, 201);
  checkAccount(r.json, { role: 'district_admin', unit_code: '001', unit_name: 'Quận Ba Đình', disabled: false });
  assert.equal(r.json.phone, '0912345678');
  acc.bd = r.json;
  tok.bd = await srv.login('huyen.ba.dinh', PASSWORD);

  const t = await post(tok.hnProv, base({ username: 'truy.vet.px', role: 'tracer', unit_code: UNITS.phucXa, full_name: "Lê O'Neil-Minh Jr." }));
  assertStatus(t, 201);
  checkAccount(t.json, { role: 'tracer', unit_code: '00001', unit_name: 'Phường Phúc Xá', full_name: "Lê O'Neil-Minh Jr." });
  acc.tracer = t.json;

  const l = await post(tok.hnProv, base({ username: 'xet.nghiem.hn', role: 'lab', unit_code: UNITS.hanoi }));
  assertStatus(l, 201, 'operational role at the province itself');
  acc.lab = l.json;
});

test('a district admin creates a commune admin in its district', async () => {
  const r = await post(tok.bd, base({ username: 'xa.phuc.xa', role: 'commune_admin', unit_code: UNITS.phucXa, phone: '+84987654321' }));
  assertStatus(r, 201);
  checkAccount(r.json, { username: 'xa.phuc.xa', role: 'commune_admin', unit_code: '00001', unit_name: 'Phường Phúc Xá' });
  assert.equal(r.json.phone, '0987654321', '+84 numbers are stored as 0xxxxxxxxx');
  acc.px = r.json;
  tok.px = await srv.login('xa.phuc.xa', PASSWORD);
});

test('a commune admin creates a sampler in its commune', async () => {
  const r = await post(tok.px, base({ username: 'lay.mau.px', role: 'sampler', unit_code: UNITS.phucXa }));
  assertStatus(r, 201);
  checkAccount(r.json, { username: 'lay.mau.px', role: 'sampler', unit_code: '00001' });
  acc.sampler = r.json;
  tok.sampler = await srv.login('lay.mau.px', PASSWORD);
  const m = await srv.api('GET', '/api/v1/auth/me', { token: tok.sampler });
  assertStatus(m, 200);
  assert.equal(m.json.id, acc.sampler.id);
});

test('the HCM province admin creates accounts in HCM', async () => {
  acc.hcmSampler = await createAccount(srv, tok.hcmProv, { username: 'lay.mau.tan.dinh', role: 'sampler', unit_code: UNITS.tanDinh });
  acc.hcmDistrict = await createAccount(srv, tok.hcmProv, { username: 'huyen.quan.1', role: 'district_admin', unit_code: UNITS.quan1 });
});

test('admins cannot create accounts outside their scope', async () => {
  assertError(await post(tok.hnProv, base({ username: 'x.out.1', role: 'sampler', unit_code: UNITS.tanDinh })), 403, 'forbidden');
  assertError(await post(tok.hnProv, base({ username: 'x.out.2', role: 'district_admin', unit_code: UNITS.quan1 })), 403, 'forbidden');
  assertError(await post(tok.bd, base({ username: 'x.out.3', role: 'sampler', unit_code: '00037' })), 403, 'forbidden'); // Phúc Tân, Hoàn Kiếm: outside Ba Đình
  assertError(await post(tok.px, base({ username: 'x.out.4', role: 'sampler', unit_code: UNITS.trucBach })), 403, 'forbidden'); // Trúc Bạch: a neighbour of Phúc Xá
  assertError(await post(tok.bd, base({ username: 'x.out.5', role: 'sampler', unit_code: UNITS.hanoi })), 403, 'forbidden'); // the province is above the district admin
});

test('admins create admin roles only of a lower level', async () => {
  assertError(await post(tok.hnProv, base({ username: 'x.lvl.1', role: 'province_admin', unit_code: UNITS.hanoi })), 403, 'forbidden');
  assertError(await post(tok.hnProv, base({ username: 'x.lvl.2', role: 'province_admin', unit_code: UNITS.hcm })), 403, 'forbidden');
  assertError(await post(tok.hnProv, base({ username: 'x.lvl.3', role: 'national_admin', unit_code: UNITS.nation })), 403, 'forbidden');
  assertError(await post(tok.bd, base({ username: 'x.lvl.4', role: 'district_admin', unit_code: UNITS.baDinh })), 403, 'forbidden');
  assertError(await post(tok.px, base({ username: 'x.lvl.5', role: 'commune_admin', unit_code: UNITS.phucXa })), 403, 'forbidden');
  assertError(await post(admin, base({ username: 'x.lvl.6', role: 'national_admin', unit_code: UNITS.nation })), 403, 'forbidden');
});

test('operational roles cannot create accounts', async () => {
  assertError(await post(tok.sampler, base({ username: 'x.op.1', role: 'sampler', unit_code: UNITS.phucXa })), 403, 'forbidden');
});

test('an admin role must sit at a unit of its level', async () => {
  const r1 = await post(admin, base({ username: 'x.wrong.level.1', role: 'province_admin', unit_code: UNITS.baDinh }));
  assert.equal(r1.status, 400, r1.text);
  assert.equal(r1.json.error.code, 'invalid_field');
  const r2 = await post(tok.hnProv, base({ username: 'x.wrong.level.2', role: 'commune_admin', unit_code: UNITS.baDinh }));
  assert.equal(r2.status, 400, r2.text);
  assert.equal(r2.json.error.code, 'invalid_field');
});

test('a taken username answers 409, across scopes too', async () => {
  assertError(await post(tok.px, base({ username: 'lay.mau.px', role: 'sampler', unit_code: UNITS.phucXa })), 409, 'conflict', 'username');
  assertError(await post(admin, base({ username: 'admin', role: 'sampler', unit_code: UNITS.phucXa })), 409, 'conflict', 'username');
  assertError(await post(tok.hcmProv, base({ username: 'xa.phuc.xa', role: 'sampler', unit_code: UNITS.tanDinh })), 409, 'conflict', 'username');
});

test('lists hold exactly the accounts in scope', async () => {
  const list = async (token, q = '') => {
    const r = await srv.api('GET', `/api/v1/accounts${q}`, { token });
    assertStatus(r, 200, `list ${q}`);
    assert.ok(Array.isArray(r.json.accounts));
    assert.ok(Number.isInteger(r.json.total));
    for (const a of r.json.accounts) for (const k of ACCOUNT_KEYS) assert.ok(k in a, `listed account lacks ${k}`);
    return r.json;
  };
  const names = (l) => l.accounts.map((a) => a.username).sort();

  const hn = await list(tok.hnProv);
  assert.deepEqual(names(hn), ['huyen.ba.dinh', 'lay.mau.px', 'tinh.ha.noi', 'truy.vet.px', 'xa.phuc.xa', 'xet.nghiem.hn'].sort());
  assert.equal(hn.total, 6);

  const bd = await list(tok.bd);
  assert.deepEqual(names(bd), ['huyen.ba.dinh', 'lay.mau.px', 'truy.vet.px', 'xa.phuc.xa'].sort());

  const px = await list(tok.px);
  assert.deepEqual(names(px), ['lay.mau.px', 'truy.vet.px', 'xa.phuc.xa'].sort());

  const hcm = await list(tok.hcmProv);
  assert.deepEqual(names(hcm), ['huyen.quan.1', 'lay.mau.tan.dinh', 'tinh.hcm'].sort());

  const nat = await list(admin);
  assert.equal(nat.total, 10);

  const natHn = await list(admin, '?unit=01');
  assert.deepEqual(names(natHn), names(hn));
  const hnPx = await list(tok.hnProv, '?unit=00001');
  assert.deepEqual(names(hnPx), names(px));
});

test('list pagination with limit and offset', async () => {
  const r1 = await srv.api('GET', '/api/v1/accounts?unit=01&limit=2&offset=0', { token: admin });
  const r2 = await srv.api('GET', '/api/v1/accounts?unit=01&limit=2&offset=2', { token: admin });
  const r3 = await srv.api('GET', '/api/v1/accounts?unit=01&limit=2&offset=6', { token: admin });
  for (const r of [r1, r2, r3]) assertStatus(r, 200);
  assert.equal(r1.json.accounts.length, 2);
  assert.equal(r2.json.accounts.length, 2);
  assert.equal(r3.json.accounts.length, 0);
  assert.equal(r1.json.total, 6);
  assert.equal(r3.json.total, 6);
  const ids = [...r1.json.accounts, ...r2.json.accounts].map((a) => a.id);
  assert.equal(new Set(ids).size, 4, 'pages do not overlap');
});

test('lists outside scope answer 403', async () => {
  assertError(await srv.api('GET', `/api/v1/accounts?unit=${UNITS.hcm}`, { token: tok.hnProv }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/accounts?unit=${UNITS.hanoi}`, { token: tok.bd }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/accounts?unit=${UNITS.trucBach}`, { token: tok.px }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/accounts?unit=${UNITS.nation}`, { token: tok.hnProv }), 403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/accounts', { token: tok.sampler }), 403, 'forbidden');
});

test('GET /accounts/{id} inside scope answers the account, outside 403, unknown 404', async () => {
  const r = await srv.api('GET', `/api/v1/accounts/${acc.sampler.id}`, { token: tok.hnProv });
  assertStatus(r, 200);
  assert.deepEqual(r.json, acc.sampler);
  assertStatus(await srv.api('GET', `/api/v1/accounts/${acc.sampler.id}`, { token: tok.px }), 200);
  assertError(await srv.api('GET', `/api/v1/accounts/${acc.hcmSampler.id}`, { token: tok.hnProv }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/accounts/${acc.hnProv.id}`, { token: tok.bd }), 403, 'forbidden'); // a district admin does not see its province admin
  assertError(await srv.api('GET', `/api/v1/accounts/${acc.lab.id}`, { token: tok.px }), 403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/accounts/999999', { token: admin }), 404, 'not_found');
});

test('PATCH updates name, phone and password; disabling stops sign-in', async () => {
  const p1 = await srv.api('PATCH', `/api/v1/accounts/${acc.sampler.id}`,
    { token: tok.px, body: { full_name: 'Phạm Thị Mẫu', phone: '0901234567' } });
  assertStatus(p1, 200);
  checkAccount(p1.json, { id: acc.sampler.id, username: 'lay.mau.px', full_name: 'Phạm Thị Mẫu', disabled: false });
  assert.equal(p1.json.phone, '0901234567');
  const g = await srv.api('GET', `/api/v1/accounts/${acc.sampler.id}`, { token: tok.px });
  assert.equal(g.json.full_name, 'Phạm Thị Mẫu');

  const p2 = await srv.api('PATCH', `/api/v1/accounts/${acc.sampler.id}`, { token: tok.hnProv, body: { disabled: true } });
  assertStatus(p2, 200);
  assert.equal(p2.json.disabled, true);
  assertError(await srv.api('GET', '/api/v1/auth/me', { token: tok.sampler }), 401, 'unauthenticated');
  assertError(await srv.api('POST', '/api/v1/auth/login', { body: { username: 'lay.mau.px', password: PASSWORD } }),
    401, 'unauthenticated');
  const g2 = await srv.api('GET', `/api/v1/accounts/${acc.sampler.id}`, { token: tok.px });
  assert.equal(g2.json.disabled, true);
});

test('PATCH outside scope answers 403 and changes nothing', async () => {
  assertError(await srv.api('PATCH', `/api/v1/accounts/${acc.hcmSampler.id}`,
    { token: tok.hnProv, body: { disabled: true } }), 403, 'forbidden');
  assertError(await srv.api('PATCH', `/api/v1/accounts/${acc.hnProv.id}`,
    { token: tok.bd, body: { password: 'Taken-Over-Pass-1' } }), 403, 'forbidden');
  assertError(await srv.api('PATCH', `/api/v1/accounts/${acc.tracer.id}`,
    { token: tok.hcmProv, body: { full_name: 'Ke Gian' } }), 403, 'forbidden');
  const g = await srv.api('GET', `/api/v1/accounts/${acc.hcmSampler.id}`, { token: tok.hcmProv });
  assert.equal(g.json.disabled, false);
  assertStatus(await srv.api('POST', '/api/v1/auth/login', { body: { username: 'tinh.ha.noi', password: PASSWORD } }), 200);
});

test('the audit log records account.create and account.read with the request id', async () => {
  const rid = `audit-create-${Date.now()}`;
  const c = await srv.api('POST', '/api/v1/accounts', {
    token: tok.hnProv, headers: { 'x-request-id': rid },
    body: base({ username: 'van.thu.hn', role: 'checkpoint_officer', unit_code: UNITS.baDinh }),
  });
  assertStatus(c, 201);
  const created = c.json;
  const rrid = `audit-read-${Date.now()}`;
  assertStatus(await srv.api('GET', `/api/v1/accounts/${created.id}`,
    { token: tok.hnProv, headers: { 'x-request-id': rrid } }), 200);

  const a = await srv.api('GET', '/api/v1/audit', { token: tok.hnProv });
  assertStatus(a, 200);
  const entries = a.json.entries;
  assert.ok(Array.isArray(entries));
  for (const e of entries) {
    for (const k of ['id', 'at', 'actor_id', 'actor_username', 'action', 'subject_type', 'subject_id', 'unit_code', 'request_id']) {
      assert.ok(k in e, `entry lacks ${k}: ${JSON.stringify(e)}`);
    }
  }
  const ce = entries.find((e) => e.action === 'account.create' && String(e.subject_id) === String(created.id));
  assert.ok(ce, `no account.create entry for ${created.id}: ${JSON.stringify(entries.slice(0, 5))}`);
  assert.equal(ce.actor_username, 'tinh.ha.noi');
  assert.equal(ce.actor_id, acc.hnProv.id);
  assert.equal(ce.request_id, rid);
  assert.ok(Math.abs(ce.at - Date.now() / 1000) < 600);

  const re = entries.find((e) => e.action === 'account.read' && String(e.subject_id) === String(created.id));
  assert.ok(re, 'no account.read entry');
  assert.equal(re.request_id, rrid);
  assert.equal(re.actor_username, 'tinh.ha.noi');

  // Entries made earlier in this file by the province admin are in its log too.
  assert.ok(entries.some((e) => e.action === 'account.create' && String(e.subject_id) === String(acc.bd.id)));
  assert.ok(entries.some((e) => e.action === 'account.update' && String(e.subject_id) === String(acc.sampler.id)));
  assert.ok(entries.some((e) => e.action === 'account.list'));
});

test('an admin of another province cannot read that audit log', async () => {
  assertError(await srv.api('GET', `/api/v1/audit?unit=${UNITS.hanoi}`, { token: tok.hcmProv }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: tok.hcmProv }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/audit?unit=${UNITS.hcm}`, { token: tok.hnProv }), 403, 'forbidden');
  const tracerToken = await srv.login('truy.vet.px', PASSWORD);
  assertError(await srv.api('GET', '/api/v1/audit', { token: tracerToken }), 403, 'forbidden');
  const own = await srv.api('GET', '/api/v1/audit', { token: tok.hcmProv });
  assertStatus(own, 200);
  const hnIds = new Set([acc.hnProv.id, acc.bd.id, acc.px.id, acc.sampler.id, acc.tracer.id, acc.lab.id].map(String));
  const hcmActors = new Set(['tinh.hcm', 'huyen.quan.1', 'lay.mau.tan.dinh']);
  const leaked = own.json.entries.filter((e) => !hcmActors.has(e.actor_username) && hnIds.has(String(e.subject_id)));
  assert.deepEqual(leaked, [], 'no entries about Hà Nội accounts in the HCM log');
  assert.ok(own.json.entries.every((e) => e.actor_username !== 'xa.phuc.xa' && e.actor_username !== 'huyen.ba.dinh'));
});

test('the national admin reads the audit of any unit; since/until/limit filter', async () => {
  const all = await srv.api('GET', '/api/v1/audit?unit=01&limit=500', { token: admin });
  assertStatus(all, 200);
  assert.ok(all.json.entries.length >= 5);
  const lim = await srv.api('GET', '/api/v1/audit?unit=01&limit=2', { token: admin });
  assertStatus(lim, 200);
  assert.equal(lim.json.entries.length, 2);
  const future = Math.floor(Date.now() / 1000) + 3600;
  const none = await srv.api('GET', `/api/v1/audit?unit=01&since=${future}`, { token: admin });
  assertStatus(none, 200);
  assert.deepEqual(none.json.entries, []);
  const past = await srv.api('GET', '/api/v1/audit?unit=01&until=1000000000', { token: admin });
  assertStatus(past, 200);
  assert.deepEqual(past.json.entries, []);
  const reads = await srv.api('GET', '/api/v1/audit?limit=500', { token: admin });
  assert.ok(reads.json.entries.some((e) => e.action === 'audit.read'), 'reading the audit is itself recorded');
  assert.ok(reads.json.entries.some((e) => e.action === 'auth.login'), 'logins are recorded');
});
