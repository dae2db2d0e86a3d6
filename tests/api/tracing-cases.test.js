'use strict';
// The cases of contact tracing and their infectious window: a case from a positive result starts
// its window from the sample's collection (minus the policy's days) and, not isolated, ends it at
// the result, not at 00:00 of the test day; tracers list cases of their area, read one, and
// correct onset, sample time and isolation (checked, recorded old -> new, audited, traced again).
// Check-ins and collection times are moved into the past in the database: the API records both
// at the moment they happen.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError } = require('../lib/fixtures');
const { clientId, vnDate, venueOwner, venue } = require('../lib/checkin');
const { uniqueCccd, createPerson } = require('../lib/people');
const { testingSession } = require('../lib/testing-setup');
const { writtenRun } = require('../lib/tracing-setup');

const DAY = 86400;
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

let srv;
const tok = {};
let shop;      // a venue at Phúc Xá
let labCase;   // the case made by a positive result
let collected; // its sample's collection time

/** Rows of a query straight from the database, columns joined by '|'. */
function sql(query) {
  const r = srv.store === 'sqlite'
    ? spawnSync('sqlite3', [srv.dbUrl.slice('sqlite:'.length), query], { encoding: 'utf8' })
    : spawnSync('psql', [srv.dbUrl, '-A', '-t', '-c', query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.length);
}

async function person(name) {
  const cccd = uniqueCccd();
  const p = (await createPerson(srv, tok.admin, { cccd, commune_code: UNITS.phucXa, full_name: name })).person;
  return { ...p, cccd };
}

/** A check-in of p at the shop, moved to `at` (one hour long). */
async function checkinAt(p, at) {
  const cid = clientId();
  const r = await srv.api('POST', `/api/v1/venues/${shop.id}/checkins`, {
    token: tok.owner, body: { client_id: cid, cccd: p.cccd },
  });
  assert.ok(r.status === 201 || r.status === 200, `check-in: ${r.status} ${r.text}`);
  sql(`UPDATE checkins SET checked_in_at = ${at}, checked_out_at = ${at + HOUR} WHERE client_id = '${cid}'`);
}

/* Check-in times never change in Cordon, so the server's live contact index reads each once; after
 * moving some back in time with SQL, the server is restarted to build its index again. */
async function afterBackdating() {
  await srv.restart();
}

/** The F1 person ids of a case. */
async function f1Of(caseId) {
  const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&case_id=${caseId}&degree=1&limit=500`,
    { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  return r.json.contacts.map((c) => c.person_id);
}

async function trace(caseId) {
  const r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: [caseId] } });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  return r.json.runs[0];
}

function stable(stats) {
  const t = { ...stats.tables };
  for (const k of ['sessions', 'audit_log', 'login_failures', 'job_runs']) delete t[k];
  return t;
}

const p = {};

before(async () => {
  srv = await startServer();
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, tok.admin, { username: 'tc.tracer', role: 'tracer', unit_code: UNITS.phucXa });
  tok.tracer = await srv.login('tc.tracer', PASSWORD);
  await createAccount(srv, tok.admin, { username: 'tc.tracer.hcm', role: 'tracer', unit_code: UNITS.tanDinh });
  tok.tracerHcm = await srv.login('tc.tracer.hcm', PASSWORD);
  await createAccount(srv, tok.admin, { username: 'tc.xa', role: 'commune_admin', unit_code: UNITS.phucXa });
  tok.official = await srv.login('tc.xa', PASSWORD);
  const owner = await venueOwner(srv, tok.admin, 'tc.chu.quan', UNITS.phucXa);
  tok.owner = owner.token;
  shop = await venue(srv, tok.owner, tok.official, { name: 'Bún Chả Hàng Mành', type: 'restaurant' });
  for (const [k, name] of [['f0', 'Nguyễn Thị Mẫu'], ['before', 'Trần Văn Trước'], ['tooEarly', 'Lê Thị Sớm'],
    ['earlier', 'Phạm Văn Sớm Hơn'], ['g0', 'Đỗ Văn Hôm Nay'], ['today', 'Vũ Thị Chiều']]) {
    p[k] = await person(name);
  }
});
after(async () => { if (srv) await srv.stop(); });

test('a case from a positive result: the window starts at the sample\'s collection minus the policy\'s days '
  + 'and, not isolated, ends at the result; the contact two days before sampling is found', async () => {
  const setup = await testingSession(srv, { suffix: '-tc', poolSize: 1 });
  let r = await srv.api('POST', '/api/v1/testing/samples', {
    token: setup.samplerToken,
    body: { client_id: clientId(), session_id: setup.session.id, tube_id: setup.tubes[0], cccd: p.f0.cccd },
  });
  assert.equal(r.status, 201, r.text);
  // sampled yesterday; the result comes today
  collected = now() - DAY;
  sql(`UPDATE testing_samples SET collected_at = ${collected} WHERE person_id = ${p.f0.id}`);
  // met 47 hours before sampling (inside the window), and 50 hours before (outside)
  await checkinAt(p.f0, collected - 47 * HOUR);
  await checkinAt(p.before, collected - 47 * HOUR + 600);
  await checkinAt(p.f0, collected - 50 * HOUR - 2 * HOUR);
  await checkinAt(p.tooEarly, collected - 50 * HOUR - 2 * HOUR);
  await afterBackdating();
  const resultAt = now();
  r = await srv.api('POST', '/api/v1/testing/results', { token: setup.labToken, body: { tube_id: setup.tubes[0], result: 'positive' } });
  assert.equal(r.status, 200, r.text);

  r = await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.phucXa}`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  labCase = r.json.cases.find((c) => c.person_id === p.f0.id);
  assert.ok(labCase, JSON.stringify(r.json));
  assert.equal(labCase.full_name, 'Nguyễn Thị Mẫu');
  assert.equal(labCase.status, 'confirmed');
  assert.equal(labCase.onset, null, 'the onset is unknown, not the import time');
  assert.equal(labCase.isolated_at, null);
  assert.equal(labCase.sample_at, collected);
  assert.ok(labCase.confirmed_at >= resultAt && labCase.confirmed_at <= now(), 'confirmed at the result');
  assert.equal(labCase.window_from, collected - 2 * DAY);
  assert.equal(labCase.window_until, labCase.confirmed_at, 'not isolated: the window ends at the result');
  assert.ok(labCase.sample_id > 0);
  assert.equal(labCase.commune_code, UNITS.phucXa);

  await trace(labCase.id);
  const f1 = await f1Of(labCase.id);
  assert.ok(f1.includes(p.before.id), 'met 47 hours before sampling: inside the window');
  assert.ok(!f1.includes(p.tooEarly.id), 'met 52 hours before sampling: outside');
  r = await srv.api('GET', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.f1, f1.length);
  assert.equal(r.json.events[0].kind, 'confirmed');
});

test('a case a tracer enters without isolation: the window ends at its confirmation, not at 00:00 of the test day',
  async () => {
    const at = now() - 600;
    await checkinAt(p.g0, at);
    await checkinAt(p.today, at + 300);
    await afterBackdating();
    const r = await srv.api('POST', '/api/v1/tracing/cases', {
      token: tok.tracer, body: { client_id: clientId(), person_id: p.g0.id, test_date: vnDate(now()) },
    });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.json.window_until >= at, `the window ends at ${r.json.window_until}, before today's check-in ${at}`);
    const one = await srv.api('GET', `/api/v1/tracing/cases/${r.json.id}`, { token: tok.tracer });
    assert.equal(one.json.onset, null);
    assert.equal(one.json.isolated_at, null);
    assert.equal(one.json.window_until, one.json.confirmed_at);
    assert.equal(one.json.window_from, one.json.sample_at - 2 * DAY);
    await trace(r.json.id);
    assert.ok((await f1Of(r.json.id)).includes(p.today.id), 'met today, after 00:00 of the test day');
  });

test('an onset after the test, an isolation before the window and a window too long are refused naming the field',
  async () => {
    const before = stable(srv.dbStats());
    const yesterday = vnDate(now() - DAY);
    const c = labCase;
    const cases = [
      ['POST', '/api/v1/tracing/cases', { client_id: clientId(), person_id: p.f0.id, test_date: yesterday,
        onset_date: vnDate(now()) }, 400, 'invalid_field', 'onset_date'],
      ['POST', '/api/v1/tracing/cases', { client_id: clientId(), person_id: p.f0.id, test_date: yesterday,
        onset_date: vnDate(now() - 40 * DAY) }, 400, 'invalid_field', 'onset_date'],
      ['POST', '/api/v1/tracing/cases', { client_id: clientId(), person_id: p.f0.id, test_date: yesterday,
        onset_date: vnDate(now() - 3 * DAY), isolated_date: vnDate(now() - 9 * DAY) }, 400, 'invalid_field',
      'isolated_date'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { onset: c.confirmed_at + 60 }, 400, 'invalid_field', 'onset'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { onset: now() + DAY }, 400, 'invalid_field', 'onset'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { onset: c.confirmed_at - 40 * DAY }, 400, 'invalid_field', 'onset'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { sample_at: c.confirmed_at + 60 }, 400, 'invalid_field', 'sample_at'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { isolated_at: c.sample_at - 3 * DAY }, 400, 'invalid_field',
        'isolated_at'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { isolated_at: now() + DAY }, 400, 'invalid_field', 'isolated_at'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { onset: 'yesterday' }, 400, 'invalid_field', 'onset'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, {}, 400, 'missing_field', 'onset'],
      ['PATCH', `/api/v1/tracing/cases/${c.id}`, { window_from: 0 }, 400, 'unknown_field', undefined],
      ['PATCH', '/api/v1/tracing/cases/99999999', { onset: c.sample_at }, 404, 'not_found', 'id'],
    ];
    for (const [method, path, body, status, code, field] of cases) {
      assertError(await srv.api(method, path, { token: tok.tracer, body }), status, code, field);
    }
    for (const q of ['status=cured', 'unit=99999', 'limit=0', 'offset=-1']) {
      const r = await srv.api('GET', `/api/v1/tracing/cases?${q}`, { token: tok.tracer });
      assert.equal(r.status, 400, `${q}: ${r.text}`);
    }
    assert.deepEqual(stable(srv.dbStats()), before, 'nothing was written');
  });

test('correcting the onset widens the window; the case is traced again and finds an earlier contact; '
  + 'the change is recorded old -> new and audited', async () => {
  // met 70 hours before sampling: outside the window that starts 48 hours before it
  await checkinAt(p.f0, collected - 70 * HOUR);
  await checkinAt(p.earlier, collected - 70 * HOUR + 900);
  await afterBackdating();
  assert.ok(!(await f1Of(labCase.id)).includes(p.earlier.id));
  const onset = collected - DAY - 6 * HOUR; // symptoms a day before sampling
  const r = await srv.api('PATCH', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracer, body: { onset } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.onset, onset);
  assert.equal(r.json.sample_at, collected);
  assert.equal(r.json.window_from, onset - 2 * DAY);
  assert.equal(r.json.window_until, labCase.confirmed_at);
  assert.equal(r.json.run.created, true);
  assert.ok((await f1Of(labCase.id)).includes(p.earlier.id), 'the earlier contact is found by the new window');
  const edited = r.json.events.filter((e) => e.kind === 'edited');
  assert.equal(edited.length, 1);
  assert.equal(edited[0].detail, `onset: null -> ${onset}`);
  assert.ok(edited[0].account_id > 0, 'the event names who changed it');
  const audit = await srv.api('GET', `/api/v1/audit?unit_code=${UNITS.phucXa}&limit=100`, { token: tok.admin });
  const entry = audit.json.entries.find((e) => e.action === 'tracing.case.update');
  assert.ok(entry, 'the change is audited');
  assert.equal(entry.actor_username, 'tc.tracer');
  assert.equal(String(entry.subject_id), String(labCase.id));
  // isolation ends the window; unknown again (null) gives the window back to the result
  const iso = labCase.confirmed_at - HOUR;
  let u = await srv.api('PATCH', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracer, body: { isolated_at: iso } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.window_until, iso);
  u = await srv.api('PATCH', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracer, body: { isolated_at: null } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.isolated_at, null);
  assert.equal(u.json.window_until, labCase.confirmed_at);
  assert.equal(u.json.events.filter((e) => e.kind === 'edited').length, 3);
  // the same values again change nothing: no event, the same run, no contact rewritten
  u = await srv.api('PATCH', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracer, body: { onset } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.run.created, false);
  assert.equal(u.json.run.pending, false, 'the answer comes once its run is written');
  assert.equal((await writtenRun(srv.api, tok.tracer, labCase.id, u.json.run.run_id)).contacts_changed, 0);
  assert.equal(u.json.events.filter((e) => e.kind === 'edited').length, 3);
});

test('the list: by area and status, paged; a tracer of another province is refused the area and the case', async () => {
  let r = await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.phucXa}&status=confirmed`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.unit, UNITS.phucXa);
  assert.equal(r.json.cases.length, 2);
  for (const c of r.json.cases) {
    for (const k of ['id', 'person_id', 'full_name', 'status', 'onset', 'sample_at', 'confirmed_at', 'isolated_at',
      'window_from', 'window_until', 'commune_code', 'f1', 'f2']) assert.ok(k in c, `${k} in ${JSON.stringify(c)}`);
  }
  const lab = r.json.cases.find((c) => c.id === labCase.id);
  assert.equal(lab.f1, (await f1Of(labCase.id)).length);
  // the default is the caller's unit; district and province codes hold the commune's cases
  r = await srv.api('GET', '/api/v1/tracing/cases', { token: tok.tracer });
  assert.equal(r.json.cases.length, 2);
  r = await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.hanoi}`, { token: tok.admin });
  assert.equal(r.json.cases.length, 2);
  r = await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.hcm}`, { token: tok.admin });
  assert.deepEqual(r.json.cases, []);
  // newest first, paged
  r = await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.phucXa}&limit=1`, { token: tok.tracer });
  const first = r.json.cases;
  r = await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.phucXa}&limit=1&offset=1`, { token: tok.tracer });
  assert.equal(first.length, 1);
  assert.equal(r.json.cases.length, 1);
  assert.ok(first[0].id > r.json.cases[0].id);
  // the list is audited
  const audit = await srv.api('GET', `/api/v1/audit?unit_code=${UNITS.phucXa}&limit=100`, { token: tok.admin });
  assert.ok(audit.json.entries.some((e) => e.action === 'tracing.cases.list'));
  // Hồ Chí Minh City's tracer: not this area, not this case
  assertError(await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.phucXa}`, { token: tok.tracerHcm }), 403,
    'forbidden');
  r = await srv.api('GET', '/api/v1/tracing/cases', { token: tok.tracerHcm });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.cases, []);
  assertError(await srv.api('GET', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracerHcm }), 403, 'forbidden');
  const before = stable(srv.dbStats());
  assertError(await srv.api('PATCH', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracerHcm,
    body: { onset: labCase.sample_at } }), 403, 'forbidden');
  assert.deepEqual(stable(srv.dbStats()), before);
});

test('the policy bounds the window: window_max_days, above window_days_before', async () => {
  let r = await srv.api('PUT', '/api/v1/tracing/policy', { token: tok.admin, body: { window_max_days: 2 } });
  assertError(r, 400, 'invalid_field', 'window_max_days');
  r = await srv.api('GET', '/api/v1/tracing/policy', { token: tok.tracer });
  assert.equal(r.json.window_max_days, 30);
  r = await srv.api('PUT', '/api/v1/tracing/policy', { token: tok.admin, body: { window_max_days: 10 } });
  assert.equal(r.status, 200, r.text);
  // an onset 9 days before the sample now makes too long a window (2 + 9 + 1 days)
  r = await srv.api('PATCH', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracer,
    body: { onset: labCase.sample_at - 9 * DAY } });
  assertError(r, 400, 'invalid_field', 'onset');
  r = await srv.api('PATCH', `/api/v1/tracing/cases/${labCase.id}`, { token: tok.tracer,
    body: { onset: labCase.sample_at - 6 * DAY } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.window_from, labCase.sample_at - 8 * DAY);
  r = await srv.api('PUT', '/api/v1/tracing/policy', { token: tok.admin, body: { window_max_days: 30 } });
  assert.equal(r.status, 200, r.text);
});

test('a province\'s own policy sets the window of its cases: listed, traced and checked by it', async () => {
  const kase = await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer,
    body: { client_id: clientId(), person_id: p.g0.id, test_date: vnDate(now() - 3 * DAY) } });
  assert.ok(kase.status === 201 || kase.status === 200, kase.text);
  const read = async () => (await srv.api('GET', `/api/v1/tracing/cases/${kase.json.id}`, { token: tok.tracer })).json;
  const national = await read();
  assert.equal(national.window_from, national.sample_at - 2 * DAY, 'the national policy: 2 days before');
  // Hà Nội (the case's province) looks 4 days back and allows windows of 6 days at most
  let r = await srv.api('PUT', '/api/v1/tracing/policy/01', { token: tok.admin,
    body: { window_days_before: 4, window_max_days: 6 } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await read()).window_from, national.sample_at - 4 * DAY);
  const list = await srv.api('GET', `/api/v1/tracing/cases?unit=${UNITS.phucXa}`, { token: tok.tracer });
  assert.equal(list.json.cases.find((c) => c.id === kase.json.id).window_from, national.sample_at - 4 * DAY);
  const run = await trace(kase.json.id);
  const runs = await srv.api('GET', `/api/v1/tracing/runs?case_id=${kase.json.id}`, { token: tok.tracer });
  assert.equal(runs.json.runs.find((x) => x.id === run.run_id).window_from, national.sample_at - 4 * DAY, runs.text);
  // an onset 3 days before the sample is 4 + 3 + ... days: longer than the province allows
  r = await srv.api('PATCH', `/api/v1/tracing/cases/${kase.json.id}`, { token: tok.tracer,
    body: { onset: national.sample_at - 3 * DAY } });
  assertError(r, 400, 'invalid_field', 'onset');
  r = await srv.api('DELETE', '/api/v1/tracing/policy/01', { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  assert.equal((await read()).window_from, national.sample_at - 2 * DAY, 'back to the national policy');
});

test('a new F1 gets the test orders and quarantine of the policy where they live (the province\'s own)', async () => {
  await createAccount(srv, tok.admin, { username: 'tc.sampler', role: 'sampler', unit_code: UNITS.phucXa });
  const sampler = await srv.login('tc.sampler', PASSWORD);
  const f0 = await person('Hồ Văn Nguồn');
  const f1 = await person('Mai Thị Gặp');
  for (const who of [f0, f1]) {
    const r = await srv.api('POST', `/api/v1/venues/${shop.id}/checkins`, { token: tok.owner, body: { client_id: clientId(), cccd: who.cccd } });
    assert.ok(r.status === 201 || r.status === 200, r.text);
  }
  let r = await srv.api('PUT', '/api/v1/tracing/policy/01', { token: tok.admin, body: { test_days: [2], quarantine_days: 10 } });
  assert.equal(r.status, 200, r.text);
  const kase = await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer,
    body: { client_id: clientId(), person_id: f0.id, test_date: vnDate(now()) } });
  assert.ok(kase.status === 201 || kase.status === 200, kase.text);
  await trace(kase.json.id);
  assert.ok((await f1Of(kase.json.id)).includes(f1.id));
  r = await srv.api('GET', `/api/v1/test-orders?unit=${UNITS.phucXa}&from=${vnDate(now())}&to=${vnDate(now() + 20 * DAY)}`,
    { token: sampler });
  assert.deepEqual(r.json.orders.filter((o) => o.person_id === f1.id).map((o) => o.due_date), [vnDate(now() + DAY)]);
  const q = await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}`, { token: tok.tracer });
  const mine = q.json.orders.filter((o) => o.person_id === f1.id);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].end_date, vnDate(now() + 9 * DAY), 'ten days of quarantine, Hà Nội\'s');
  r = await srv.api('DELETE', '/api/v1/tracing/policy/01', { token: tok.admin });
  assert.equal(r.status, 200, r.text);
});

test('a batch of 27 cases is queued in one request and written run by run: every run and its contacts, and '
  + 'running it again changes nothing', async () => {
  const contact = await person('Hoàng Văn Chung');
  const at = now() - 2 * HOUR;
  await checkinAt(contact, at);
  const caseIds = [];
  const names = ['An', 'Bình', 'Chi', 'Dung', 'Giang', 'Hà', 'Khánh', 'Lan', 'Mai'];
  for (let i = 0; i < 27; i++) {
    const f0 = await person(`Ngô ${['Thị', 'Văn', 'Minh'][i % 3]} ${names[Math.floor(i / 3)]}`);
    await checkinAt(f0, at + 60 * i);
    const r = await srv.api('POST', '/api/v1/tracing/cases', {
      token: tok.tracer, body: { client_id: clientId(), person_id: f0.id, test_date: vnDate(now()) },
    });
    assert.equal(r.status, 201, r.text);
    caseIds.push(r.json.id);
  }
  await afterBackdating();
  let r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: caseIds } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.runs.map((x) => x.case_id), caseIds);
  assert.ok(r.json.runs.every((x) => x.created && x.f1 >= 1), JSON.stringify(r.json.runs));
  // the first group's first case and the second group's last one: each has the contact as F1
  for (const id of [caseIds[0], caseIds[24], caseIds[25], caseIds[26]]) {
    assert.ok((await f1Of(id)).includes(contact.id), `case ${id} has its contact`);
    const runs = await srv.api('GET', `/api/v1/tracing/runs?case_id=${id}`, { token: tok.tracer });
    assert.equal(runs.status, 200, runs.text);
    assert.equal(runs.json.runs.length, 1);
  }
  r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: caseIds } });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.runs.every((x) => !x.created && x.pending), JSON.stringify(r.json.runs));
  for (const x of r.json.runs) {
    assert.equal((await writtenRun(srv.api, tok.tracer, x.case_id, x.run_id)).contacts_changed, 0, `case ${x.case_id}`);
  }
});
