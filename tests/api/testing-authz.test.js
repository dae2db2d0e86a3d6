'use strict';
// Role and area matrix of the testing routes (docs/api-testing.md): every staff role inside and
// outside the area, a citizen and an anonymous caller, against each route -> exactly 2xx, 403
// or 401. "Inside": admins at VN/01/001/00001, the sampler assigned to the session, the lab at
// the session's lab unit (Ba Đình, 001), other roles at Phúc Xá. "Outside": admins at
// 79/760/26734, operational roles at Tân Định (26734), the lab at Quận 1 (760).
// The public lookups are rate-limited per address and have their own tests in testing.test.js.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { ROLES, PASSWORD, createAccount, assertStatus } = require('../lib/fixtures');

const IN_UNIT = { national_admin: 'VN', province_admin: '01', district_admin: '001', commune_admin: '00001', lab: '001' };
const OUT_UNIT = { province_admin: '79', district_admin: '760', commune_admin: '26734', lab: '760' };
const ADMINS = ['national_admin', 'province_admin', 'district_admin', 'commune_admin'];

let srv;
let admin;
const callers = []; // {name, role, where, token}
let seq = 0;
const cid = (p) => { seq += 1; return `${p}-${process.pid}-${seq}`; };
let phoneSeq = 0;
const phone = () => { phoneSeq += 1; return `097${String((process.pid * 1000 + phoneSeq) % 10000000).padStart(7, '0')}`; };

let site;
let session;
let tubes;
let labInToken;

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const role of ROLES) {
    for (const where of ['in', 'out']) {
      if (role === 'national_admin' && where === 'out') continue;
      let token;
      const unit = where === 'in' ? (IN_UNIT[role] || '00001') : (OUT_UNIT[role] || '26734');
      if (role === 'national_admin') {
        token = admin;
      } else {
        const username = `m.${role.replace(/_/g, '')}.${where}.${process.pid % 10000}`;
        const a = await createAccount(srv, admin, { username, role, unit_code: unit });
        token = await srv.login(username, PASSWORD);
        if (role === 'sampler' && where === 'in') callers.samplerId = a.id;
      }
      callers.push({ name: `${role}/${where}`, role, where, token });
    }
  }
  // a citizen
  const ph = phone();
  await srv.api('POST', '/api/v1/citizen/otp', { body: { phone: ph } });
  const o = await srv.api('GET', `/api/v1/outbox?recipient=${ph}&kind=otp&limit=1`, { token: admin });
  const code = /(\d{6})/.exec(o.json.messages[0].text)[1];
  const l = await srv.api('POST', '/api/v1/citizen/login', { body: { phone: ph, code } });
  callers.push({ name: 'citizen', role: 'citizen', where: 'in', token: l.json.token });
  callers.push({ name: 'anonymous', role: 'anonymous', where: 'in', token: null });

  let r = await srv.api('POST', '/api/v1/testing/sites', { token: admin, body: { client_id: cid('site'), name: 'Điểm A', commune_code: '00001' } });
  site = r.json;
  r = await srv.api('POST', '/api/v1/testing/sessions', { token: admin, body: { client_id: cid('sess'), site_id: site.id, date: '2021-09-01', team: 'Tổ 1', test_type: 'rt_pcr', lab_unit_code: '001', samplers: [callers.samplerId] } });
  assertStatus(r, 201);
  session = r.json;
  r = await srv.api('POST', `/api/v1/testing/sessions/${session.id}/tubes`, { token: admin, body: { client_id: cid('tubes'), count: 100 } });
  tubes = r.json.tubes;
  r = await srv.api('POST', '/api/v1/testing/samples', { token: admin, body: { client_id: cid('smp'), session_id: session.id, tube_id: tubes[0], phone: phone(), full_name: 'Ngô Văn Tám' } });
  assertStatus(r, 201);
  labInToken = callers.find((c) => c.name === 'lab/in').token;
  r = await srv.api('POST', '/api/v1/testing/results', { token: labInToken, body: { tube_id: tubes[0], result: 'negative' } });
  assertStatus(r, 200);
});

after(async () => { if (srv) await srv.stop(); });

const isAdmin = (c) => ADMINS.includes(c.role);
let tubeIdx = 1;
/** Each route: request builder and who gets 2xx (everyone else with a session: 403). */
const routes = [
  { name: 'POST sites', req: () => ['POST', '/api/v1/testing/sites', { client_id: cid('site'), name: 'B', commune_code: '00001' }], ok: (c) => isAdmin(c) && c.where === 'in' },
  { name: 'GET sites', req: () => ['GET', '/api/v1/testing/sites'], ok: (c) => isAdmin(c) || c.role === 'sampler' },
  { name: 'POST sessions', req: () => ['POST', '/api/v1/testing/sessions', { client_id: cid('sess'), site_id: site.id, date: '2021-09-02', team: 'T', test_type: 'rt_pcr', lab_unit_code: '001' }], ok: (c) => isAdmin(c) && c.where === 'in' },
  { name: 'GET sessions', req: () => ['GET', '/api/v1/testing/sessions'], ok: (c) => isAdmin(c) || c.role === 'sampler' || c.role === 'lab' },
  { name: 'GET session', req: () => ['GET', `/api/v1/testing/sessions/${session.id}`], ok: (c) => c.where === 'in' && (isAdmin(c) || c.role === 'sampler' || c.role === 'lab') },
  { name: 'POST samplers', req: () => ['POST', `/api/v1/testing/sessions/${session.id}/samplers`, { account_id: callers.samplerId }], ok: (c) => isAdmin(c) && c.where === 'in' },
  { name: 'POST tubes', req: () => ['POST', `/api/v1/testing/sessions/${session.id}/tubes`, { client_id: cid('tubes'), count: 1 }], ok: (c) => c.where === 'in' && (isAdmin(c) || c.role === 'sampler') },
  { name: 'GET labels.pdf', req: () => ['GET', `/api/v1/testing/sessions/${session.id}/labels.pdf`], ok: (c) => c.where === 'in' && (isAdmin(c) || c.role === 'sampler') },
  { name: 'GET manifest', req: () => ['GET', `/api/v1/testing/sessions/${session.id}/manifest`], ok: (c) => c.where === 'in' && (isAdmin(c) || c.role === 'sampler' || c.role === 'lab') },
  { name: 'POST receipt', req: () => ['POST', `/api/v1/testing/sessions/${session.id}/receipt`, { tubes: [tubes[0]] }], ok: (c) => c.where === 'in' && c.role === 'lab' },
  { name: 'GET tube', req: () => ['GET', `/api/v1/testing/tubes/${tubes[0]}`], ok: (c) => c.where === 'in' && (isAdmin(c) || c.role === 'sampler' || c.role === 'lab') },
  { name: 'GET stats', req: () => ['GET', '/api/v1/testing/stats?unit=00001'], ok: (c) => isAdmin(c) && c.where === 'in' },
  { name: 'POST samples', req: () => { tubeIdx += 1; return ['POST', '/api/v1/testing/samples', { client_id: cid('smp'), session_id: session.id, tube_id: tubes[tubeIdx], phone: phone(), full_name: 'Đỗ Thị Lan' }]; }, ok: (c) => c.where === 'in' && (isAdmin(c) || c.role === 'sampler') },
  { name: 'POST results', req: () => ['POST', '/api/v1/testing/results', { tube_id: tubes[0], result: 'negative' }], ok: (c) => c.where === 'in' && c.role === 'lab' },
  { name: 'POST import/check', req: () => ['POST', '/api/v1/testing/results/import/check', `tube_id,result\n${tubes[0]},negative\n`], ok: (c) => c.role === 'lab', raw: true },
  { name: 'GET me/results', req: () => ['GET', '/api/v1/me/results'], ok: (c) => c.role === 'citizen' },
];

test('every testing route: each role inside and outside its area, citizen, anonymous', async () => {
  const failures = [];
  for (const route of routes) {
    for (const c of callers) {
      const [method, path, body] = route.req();
      const opts = { token: c.token || undefined };
      if (route.raw) { opts.rawBody = body; opts.headers = { 'content-type': 'text/csv' }; } else if (body) opts.body = body;
      const r = await srv.api(method, path, opts);
      const want = c.role === 'anonymous' ? 401 : route.ok(c) ? '2xx' : 403;
      const got = r.status >= 200 && r.status < 300 ? '2xx' : r.status;
      if (got !== want) failures.push(`${route.name} as ${c.name}: want ${want}, got ${r.status} ${r.text.slice(0, 160)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('import apply: only a lab of the unit that checked the file', async () => {
  const r = await srv.api('POST', '/api/v1/testing/results/import/check', { token: labInToken, rawBody: `tube_id,result\n${tubes[0]},negative\n`, headers: { 'content-type': 'text/csv' } });
  assertStatus(r, 200);
  const failures = [];
  for (const c of callers) {
    const a = await srv.api('POST', '/api/v1/testing/results/import/apply', { token: c.token || undefined, body: { token: r.json.token } });
    const want = c.role === 'anonymous' ? 401 : c.role === 'lab' && c.where === 'in' ? '2xx' : 403;
    const got = a.status >= 200 && a.status < 300 ? '2xx' : a.status;
    if (got !== want) failures.push(`apply as ${c.name}: want ${want}, got ${a.status} ${a.text.slice(0, 160)}`);
  }
  assert.deepEqual(failures, []);
});
