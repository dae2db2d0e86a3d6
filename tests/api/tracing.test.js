'use strict';
// Contact tracing: a case entered by a tracer, a run that finds F1 (venue co-presence, household)
// and F2, idempotent re-runs, the policy's quarantine and test orders, the commune work list
// (area-limited, audited, updated, exported), the chain graph, interviews, the automatic job,
// who may call what, and bad input that changes nothing.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, ROLES, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount, assertError } = require('../lib/fixtures');
const { clientId, vnDate, citizenLogin, venueOwner, venue } = require('../lib/checkin');
const { uniqueCccd, createPerson } = require('../lib/people');
const { testingSession } = require('../lib/testing-setup');

let srv;
const tok = {};
const p = {};   // name -> person
const NAMES = { f0: 'Nguyễn Văn Không', a: 'Trần Thị An', b: 'Lê Văn Bình', c: 'Phạm Thị Cúc', home: 'Hoàng Văn Nhà' };
let caseId;
const now = () => Math.floor(Date.now() / 1000);
const today = () => vnDate(now());

async function checkinByCccd(ownerToken, venueId, cccd) {
  const r = await srv.api('POST', `/api/v1/venues/${venueId}/checkins`, {
    token: ownerToken, body: { client_id: clientId(), cccd },
  });
  assert.ok(r.status === 201 || r.status === 200, `checkin: ${r.status} ${r.text}`);
}

function stable(stats) {
  const t = { ...stats.tables };
  // a repeated run is queued again: its row and the queue's number change, nothing it wrote
  for (const k of ['sessions', 'audit_log', 'login_failures', 'job_runs', 'tracing_runs', 'tracing_run_queue']) delete t[k];
  return t;
}

before(async () => {
  srv = await startServer();
  tok.national_admin = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const role of ROLES.slice(1)) {
    const username = `tr.${role.replace(/_/g, '.')}`;
    await createAccount(srv, tok.national_admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tok[role] = await srv.login(username, PASSWORD);
  }
  await createAccount(srv, tok.national_admin, { username: 'tr.tracer.hcm', role: 'tracer', unit_code: UNITS.tanDinh });
  tok.tracer_hcm = await srv.login('tr.tracer.hcm', PASSWORD);
  tok.citizen = (await citizenLogin(srv, tok.national_admin)).token;

  const hcmAdmin = tok.national_admin;
  for (const [name, commune] of [['f0', UNITS.phucXa], ['a', UNITS.phucXa], ['b', UNITS.phucXa],
    ['c', UNITS.tanDinh], ['home', UNITS.phucXa]]) {
    const cccd = uniqueCccd();
    p[name] = (await createPerson(srv, hcmAdmin, { cccd, commune_code: commune, full_name: NAMES[name],
      phone: `0912${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}` })).person;
    p[name].cccd = cccd;
  }
  const v1 = await venue(srv, tok.venue_owner, tok.commune_admin, { name: 'Phở Lý Quốc Sư' });
  const v2 = await venue(srv, tok.venue_owner, tok.commune_admin, { name: 'Cà Phê Giảng' });
  await checkinByCccd(tok.venue_owner, v1.id, p.f0.cccd);
  await checkinByCccd(tok.venue_owner, v1.id, p.a.cccd);
  await checkinByCccd(tok.venue_owner, v1.id, p.c.cccd);
  await checkinByCccd(tok.venue_owner, v2.id, p.a.cccd);
  await checkinByCccd(tok.venue_owner, v2.id, p.b.cccd);
});
after(async () => { if (srv) await srv.stop(); });

test('a tracer enters a case; a retry with the same client_id is the same case', async () => {
  const body = { client_id: clientId(), person_id: p.f0.id, test_date: today(), isolated_date: today() };
  let r = await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer, body });
  assert.equal(r.status, 201, r.text);
  caseId = r.json.id;
  assert.equal(r.json.person_id, p.f0.id);
  assert.equal(r.json.window_until - r.json.window_from, 3 * 86400 - 1, 'two days before the test day to its end');
  r = await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer, body });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, caseId);
});

test('a run finds F1 at the venue and F2 through them; running again changes nothing', async () => {
  let r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: [caseId] } });
  assert.equal(r.status, 201, r.text);
  const run = r.json.runs[0];
  assert.equal(run.f1, 2, 'A and C met F0 at the venue');
  assert.equal(run.f2, 1, 'B met A at the other venue');
  assert.equal(run.created, true);
  assert.equal(r.json.params.slack_minutes, 30);
  assert.equal(run.pending, true, 'answered once queued; the writer writes its contacts');
  // a reader of the runs waits for the writer: the run is written, with what it changed
  r = await srv.api('GET', `/api/v1/tracing/runs?case_id=${caseId}`, { token: tok.tracer });
  assert.equal(r.headers.get('cordon-runs-behind'), null, 'nothing left to write');
  let stored = r.json.runs.find((x) => x.id === run.run_id);
  assert.deepEqual([stored.pending, stored.contacts_changed, stored.f1, stored.f2], [false, 3, 2, 1]);
  const before = stable(srv.dbStats());
  r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: [caseId] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.runs[0].created, false);
  assert.equal(r.json.runs[0].run_id, run.run_id);
  r = await srv.api('GET', `/api/v1/tracing/runs?case_id=${caseId}`, { token: tok.tracer });
  stored = r.json.runs.find((x) => x.id === run.run_id);
  assert.deepEqual([stored.pending, stored.contacts_changed], [false, 0], 'written again, nothing changed');
  assert.deepEqual(stable(srv.dbStats()), before, 'the database is unchanged by a repeated run');
  // other parameters are another run, kept with them
  r = await srv.api('POST', '/api/v1/tracing/runs', {
    token: tok.tracer, body: { case_ids: [caseId], params: { depth: 1, slack_minutes: 5 } },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.runs[0].f2, 0);
  r = await srv.api('GET', `/api/v1/tracing/runs?case_id=${caseId}`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.runs.length, 2);
  assert.equal(r.json.runs[1].params.depth, 1);
  assert.equal(r.json.runs[1].params.slack_minutes, 5);
});

test('the commune work list shows its own contacts with reasons, not the other province\'s', async () => {
  const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  const ids = r.json.contacts.map((c) => c.person_id).sort();
  assert.deepEqual(ids, [p.a.id, p.b.id].sort());
  const a = r.json.contacts.find((c) => c.person_id === p.a.id);
  assert.equal(a.degree, 1);
  assert.equal(a.status, 'not_reached');
  assert.equal(a.full_name, NAMES.a);
  assert.ok(a.risk > 0 && a.risk <= 1000);
  assert.equal(a.reasons.items[0].source, 'venue');
  assert.equal(a.reasons.items[0].venue_name, 'Phở Lý Quốc Sư');
  assert.equal(a.reasons.items[0].through, p.f0.id);
  const b = r.json.contacts.find((c) => c.person_id === p.b.id);
  assert.equal(b.degree, 2);
  assert.equal(b.through_person_id, p.a.id);
  const hcm = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.tanDinh}`, { token: tok.tracer_hcm });
  assert.deepEqual(hcm.json.contacts.map((c) => c.person_id), [p.c.id]);
  const audit = await srv.api('GET', `/api/v1/audit?unit_code=${UNITS.phucXa}&limit=50`, { token: tok.national_admin });
  assert.ok(JSON.stringify(audit.json).includes('tracing.contacts.list'), 'the list view is audited');
});

test('the policy gives each new F1 a quarantine order and test orders on days 1, 7 and 14', async () => {
  const to = vnDate(now() + 14 * 86400);
  const r = await srv.api('GET', `/api/v1/test-orders?unit=${UNITS.phucXa}&from=${today()}&to=${to}`,
    { token: tok.sampler });
  assert.equal(r.status, 200, r.text);
  const mine = r.json.orders.filter((o) => o.person_id === p.a.id);
  assert.deepEqual(mine.map((o) => o.due_date), [today(), vnDate(now() + 6 * 86400), vnDate(now() + 13 * 86400)]);
  assert.equal(r.json.orders.filter((o) => o.person_id === p.b.id).length, 0, 'F2 get no orders');
  const q = await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}`, { token: tok.tracer });
  assert.equal(q.status, 200, q.text);
  const qa = q.json.orders.filter((o) => o.person_id === p.a.id);
  assert.equal(qa.length, 1);
  assert.equal(qa[0].kind, 'home');
  assert.equal(qa[0].checkins_per_day, 3);
});

test('sampling the F1 answers the order due today; the later ones stay pending', async () => {
  const setup = await testingSession(srv, { suffix: `-tr${Date.now() % 100000}` });
  const r = await srv.api('POST', '/api/v1/testing/samples', {
    token: setup.samplerToken,
    body: { client_id: clientId(), session_id: setup.session.id, tube_id: setup.tubes[0], cccd: p.a.cccd },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.person.id, p.a.id);
  const to = vnDate(now() + 14 * 86400);
  const orders = await srv.api('GET', `/api/v1/test-orders?unit=${UNITS.phucXa}&from=${today()}&to=${to}`,
    { token: tok.sampler });
  const mine = orders.json.orders.filter((o) => o.person_id === p.a.id);
  assert.deepEqual(mine.map((o) => [o.due_date, o.status]),
    [[today(), 'sampled'], [vnDate(now() + 6 * 86400), 'pending'], [vnDate(now() + 13 * 86400), 'pending']]);
});

test('a tracer updates a contact\'s status and exports the list', async () => {
  let r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&degree=1`, { token: tok.tracer });
  const a = r.json.contacts[0];
  r = await srv.api('PATCH', `/api/v1/tracing/contacts/${a.id}`, { token: tok.tracer,
    body: { status: 'reached', note: 'Đã gọi điện' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'reached');
  r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&status=reached`, { token: tok.tracer });
  assert.deepEqual(r.json.contacts.map((c) => c.id), [a.id]);
  // a run does not undo the team's status
  await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: [caseId] } });
  r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&status=reached`, { token: tok.tracer });
  assert.equal(r.json.contacts.length, 1);
  r = await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&format=csv`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.ok(r.text.includes(NAMES.a) && r.text.includes(NAMES.b) && !r.text.includes(NAMES.c));
  r = await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&format=xlsx`, { token: tok.tracer });
  assert.equal(r.status, 200);
  // the tracer of another province cannot touch this contact
  r = await srv.api('PATCH', `/api/v1/tracing/contacts/${a.id}`, { token: tok.tracer_hcm, body: { status: 'cleared' } });
  assertError(r, 403, 'forbidden');
});

test('the chain graph: nodes and edges; people outside the area have no name', async () => {
  const r = await srv.api('GET', `/api/v1/tracing/cases/${caseId}/chain`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.nodes.length, 4);
  assert.equal(r.json.edges.length, 3);
  const c = r.json.nodes.find((n) => n.id === p.c.id);
  assert.equal(c.name, null);
  assert.equal(r.json.nodes.find((n) => n.id === p.a.id).name, NAMES.a);
  assert.ok(r.json.edges.some((e) => e.from === p.a.id && e.to === p.b.id));
  const other = await srv.api('GET', `/api/v1/tracing/cases/${caseId}/chain`, { token: tok.tracer_hcm });
  assertError(other, 403, 'forbidden');
});

test('interview contacts and households become F1 on the next run', async () => {
  const body = { client_id: clientId(), case_id: caseId, contact_person_id: p.home.id, contacted_at: now() - 600,
    minutes: 45, note: 'ăn tối cùng' };
  let r = await srv.api('POST', '/api/v1/tracing/interviews', { token: tok.tracer, body });
  assert.equal(r.status, 201, r.text);
  r = await srv.api('POST', '/api/v1/tracing/interviews', { token: tok.tracer, body });
  assert.equal(r.status, 200, r.text);
  r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: [caseId] } });
  assert.equal(r.json.runs[0].f1, 3, r.text);
  r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&degree=1`, { token: tok.tracer });
  const h = r.json.contacts.find((c) => c.person_id === p.home.id);
  assert.equal(h.reasons.items[0].source, 'interview');
  assert.equal(h.reasons.items[0].minutes, 45);
});

test('the job traces a newly confirmed case by itself', async () => {
  let r = await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer,
    body: { client_id: clientId(), person_id: p.b.id, test_date: today(), isolated_date: today() } });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'tracing_auto']);
  assert.equal(j.status, 0, j.stderr);
  r = await srv.api('GET', `/api/v1/tracing/runs?case_id=${id}`, { token: tok.tracer });
  assert.equal(r.json.runs.length, 1);
  assert.equal(r.json.runs[0].trigger, 'auto');
  assert.ok(r.json.runs[0].f1 >= 1);
  const again = srv.cli(['jobs', 'run', '--force', '--job', 'tracing_auto']);
  assert.equal(again.status, 0);
  r = await srv.api('GET', `/api/v1/tracing/runs?case_id=${id}`, { token: tok.tracer });
  assert.equal(r.json.runs.length, 1, 'a case is traced automatically once');
});

test('who may read the work list: each role inside and outside its area, and anonymous', async () => {
  const expect = {
    national_admin: 200, province_admin: 200, district_admin: 200, commune_admin: 200, sampler: 403, lab: 403,
    vaccinator: 403, tracer: 200, checkpoint_officer: 403, venue_owner: 403, citizen: 403,
  };
  for (const [role, status] of Object.entries(expect)) {
    const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}`, { token: tok[role] });
    assert.equal(r.status, status, `${role} inside: ${r.status} ${r.text}`);
    if (role !== 'national_admin' && status === 200) {
      const o = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.tanDinh}`, { token: tok[role] });
      assert.equal(o.status, 403, `${role} outside: ${o.status}`);
    }
  }
  const anon = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}`);
  assert.equal(anon.status, 401);
  for (const [method, path] of [['POST', '/api/v1/tracing/runs'], ['POST', '/api/v1/tracing/cases'],
    ['GET', `/api/v1/tracing/cases/${caseId}/chain`], ['PUT', '/api/v1/tracing/policy']]) {
    const a = await srv.api(method, path, method === 'GET' ? {} : { body: {} });
    assert.equal(a.status, 401, `${method} ${path} anonymous`);
    const s = await srv.api(method, path, method === 'GET' ? { token: tok.sampler } : { token: tok.sampler, body: {} });
    assert.equal(s.status, 403, `${method} ${path} sampler`);
  }
  const pol = await srv.api('PUT', '/api/v1/tracing/policy', { token: tok.tracer, body: { radius_m: 50 } });
  assert.equal(pol.status, 403);
});

test('bad input is refused naming the field, and nothing is written', async () => {
  const before = stable(srv.dbStats());
  const cases = [
    ['POST', '/api/v1/tracing/runs', {}, 400, 'missing_field', 'case_ids'],
    ['POST', '/api/v1/tracing/runs', { case_ids: [] }, 400, 'invalid_field', 'case_ids'],
    ['POST', '/api/v1/tracing/runs', { case_ids: ['x'] }, 400, 'invalid_field', 'case_ids'],
    ['POST', '/api/v1/tracing/runs', { case_ids: [999999] }, 404, 'not_found', 'case_ids'],
    ['POST', '/api/v1/tracing/runs', { case_ids: [caseId], params: { depth: 3 } }, 400, 'invalid_field', 'params.depth'],
    ['POST', '/api/v1/tracing/runs', { case_ids: [caseId], params: { sources: ['bus'] } }, 400, 'invalid_field',
      'params.sources'],
    ['POST', '/api/v1/tracing/runs', { case_ids: [caseId], params: { slack_minutes: -1 } }, 400, 'invalid_field',
      'params.slack_minutes'],
    ['POST', '/api/v1/tracing/runs', { case_ids: [caseId], extra: 1 }, 400, 'unknown_field', undefined],
    ['POST', '/api/v1/tracing/cases', { client_id: clientId(), person_id: p.a.id, test_date: '2021-02-30' }, 400,
      'invalid_field', 'test_date'],
    ['POST', '/api/v1/tracing/cases', { client_id: 'short', person_id: p.a.id, test_date: today() }, 400,
      'invalid_field', 'client_id'],
    ['POST', '/api/v1/tracing/cases', { client_id: clientId(), test_date: today() }, 400, 'missing_field', 'person_id'],
    ['POST', '/api/v1/tracing/cases', { client_id: clientId(), person_id: 99999999, test_date: today() }, 404,
      'not_found', 'person_id'],
    ['POST', '/api/v1/tracing/interviews', { client_id: clientId(), case_id: caseId, contact_person_id: p.f0.id,
      contacted_at: now() }, 400, 'invalid_field', 'contact_person_id'],
    ['POST', '/api/v1/tracing/interviews', { client_id: clientId(), case_id: caseId, contact_person_id: p.a.id,
      contacted_at: 'yesterday' }, 400, 'invalid_field', 'contacted_at'],
    ['PATCH', '/api/v1/tracing/contacts/1', { status: 'lost' }, 400, 'invalid_field', 'status'],
    ['PATCH', '/api/v1/tracing/contacts/1', {}, 400, 'missing_field', 'status'],
    ['PATCH', '/api/v1/tracing/contacts/999999', { status: 'reached' }, 404, 'not_found', 'id'],
    ['PUT', '/api/v1/tracing/policy', { test_days: [0] }, 400, 'invalid_field', 'test_days'],
    ['PUT', '/api/v1/tracing/policy', { place_kind: 'hotel' }, 400, 'invalid_field', 'place_kind'],
    ['PUT', '/api/v1/tracing/policy', { radius_m: 1 }, 400, 'invalid_field', 'radius_m'],
  ];
  for (const [method, path, body, status, code, field] of cases) {
    const r = await srv.api(method, path, { token: method === 'PUT' ? tok.national_admin : tok.tracer, body });
    assertError(r, status, code, field);
  }
  for (const q of ['unit=99999', 'degree=3', 'status=lost', 'limit=0']) {
    const r = await srv.api('GET', `/api/v1/tracing/contacts?${q}`, { token: tok.tracer });
    assert.equal(r.status, 400, `${q}: ${r.text}`);
  }
  const r = await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&format=pdf`, { token: tok.tracer });
  assertError(r, 400, 'invalid_field', 'format');
  assert.deepEqual(stable(srv.dbStats()), before);
});

test('policy by level: the nation\'s by national admins, a province\'s override by its own admins', async () => {
  // a province admin may not change the nationwide policy
  let r = await srv.api('PUT', '/api/v1/tracing/policy', { token: tok.province_admin, body: { radius_m: 150 } });
  assertError(r, 403, 'forbidden');
  r = await srv.api('PUT', '/api/v1/tracing/policy', { token: tok.national_admin, body: { checkins_per_day: 2 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.source, 'VN');
  // Hà Nội overrides for itself
  r = await srv.api('PUT', `/api/v1/tracing/policy/${UNITS.hanoi}`, { token: tok.province_admin,
    body: { test_days: [1, 5], radius_m: 150 } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.test_days, [1, 5]);
  assert.equal(r.json.source, UNITS.hanoi);
  assert.equal(r.json.checkins_per_day, 2, 'the override starts from the policy in force');
  // ... but not for Hồ Chí Minh City, and not at a district
  assertError(await srv.api('PUT', `/api/v1/tracing/policy/${UNITS.hcm}`, { token: tok.province_admin,
    body: { radius_m: 150 } }), 403, 'forbidden');
  assertError(await srv.api('PUT', `/api/v1/tracing/policy/${UNITS.baDinh}`, { token: tok.national_admin,
    body: { radius_m: 150 } }), 404, 'not_found', 'province');
  // everyone else reads the policy in force for their place
  r = await srv.api('GET', '/api/v1/tracing/policy', { token: tok.tracer });
  assert.equal(r.json.radius_m, 150);
  assert.equal(r.json.source, UNITS.hanoi);
  assert.equal(r.json.quarantine_days, 14);
  r = await srv.api('GET', '/api/v1/tracing/policy', { token: tok.tracer_hcm });
  assert.equal(r.json.source, 'VN');
  assert.equal(r.json.radius_m, 100);
  assertError(await srv.api('GET', `/api/v1/tracing/policy?unit=${UNITS.hcm}`, { token: tok.tracer }), 403, 'forbidden');
  // the override goes, and Hà Nội follows the nation again
  r = await srv.api('DELETE', `/api/v1/tracing/policy/${UNITS.hanoi}`, { token: tok.province_admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.source, 'VN');
  // put back what the other tests expect
  r = await srv.api('PUT', '/api/v1/tracing/policy', { token: tok.national_admin, body: { checkins_per_day: 3 } });
  assert.equal(r.status, 200, r.text);
});
