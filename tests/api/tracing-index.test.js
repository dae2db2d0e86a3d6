'use strict';
// The live contact index (src/tracing/index.c): built once when the server starts, kept current by
// every check-in, check-out and retention delete, wherever it was written: by this server, by
// another server over the same database, or by `cordon jobs`. Runs on the store the suite runs on
// (CORDON_TEST_STORE); the second server shares the first one's database, so on PostgreSQL this is
// the several-servers case.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { startServer, request, freePort, BIN, TEST_KEK } = require('../lib/server');
const { UNITS, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount } = require('../lib/fixtures');
const { clientId, vnDate, venue } = require('../lib/checkin');
const { uniqueCccd, createPerson } = require('../lib/people');
const { writtenRun } = require('../lib/tracing-setup');

const DAY = 86400;
const now = () => Math.floor(Date.now() / 1000);
let srv;
let other = null; // a second server over the same database: {proc, url, exit}
const tok = {};
const p = {};
const ck = {}; // name -> check-in id
let v;
let caseId;

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

async function indexReady(url) {
  for (let i = 0; i < 300; i++) {
    const r = await request(url, 'GET', '/metrics');
    if (/^cordon_tracing_index_ready 1$/m.test(r.text)) return r.text;
    await sleep(50);
  }
  throw new Error(`the contact index of ${url} was not ready within 15 s`);
}

async function startOther() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(BIN, ['serve', '--db', srv.dbUrl, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CORDON_KEK: TEST_KEK, CORDON_DEV: '1' },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d.toString('utf8'); });
  const exit = new Promise((resolve) => proc.on('close', resolve));
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${url}/healthz`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (i > 300) throw new Error(`second server not ready; stderr:\n${stderr}`);
    await sleep(50);
  }
  return { proc, url, exit, stderr: () => stderr };
}

async function checkin(name) {
  const r = await srv.api('POST', `/api/v1/venues/${v.id}/checkins`, {
    token: tok.venue_owner, body: { client_id: clientId(), cccd: p[name].cccd },
  });
  assert.equal(r.status, 201, r.text);
  ck[name] = r.json.checkins[0].id;
}

async function trace(url = srv.url) {
  const r = await request(url, 'POST', '/api/v1/tracing/runs', {
    token: tok.tracer, body: { case_ids: [caseId], params: { depth: 1 } },
  });
  assert.ok(r.status === 201 || r.status === 200, r.text);
  // as written by the run writer (GET /tracing/runs waits for it)
  return writtenRun((...a) => request(url, ...a), tok.tracer, caseId, r.json.runs[0].run_id);
}

async function minutesOf(name) {
  const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&case_id=${caseId}`,
    { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  const c = r.json.contacts.find((x) => x.person_id === p[name].id);
  assert.ok(c, `${name} is a contact`);
  return c.reasons.items.find((x) => x.source === 'venue').minutes;
}

before(async () => {
  srv = await startServer();
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const role of ['tracer', 'venue_owner', 'commune_admin']) {
    const username = `ix.${role.replace(/_/g, '.')}`;
    await createAccount(srv, tok.admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tok[role] = await srv.login(username, PASSWORD);
  }
  const names = { f0: 'Đỗ Văn Không', a: 'Vũ Thị An', b: 'Ngô Văn Bình' };
  for (const name of ['f0', 'a', 'b']) {
    const cccd = uniqueCccd();
    p[name] = (await createPerson(srv, tok.admin, { cccd, commune_code: UNITS.phucXa, full_name: names[name] }))
      .person;
    p[name].cccd = cccd;
  }
  v = await venue(srv, tok.venue_owner, tok.commune_admin, { name: 'Bún Chả Hàng Mành' });
  const today = vnDate(now());
  const r = await srv.api('POST', '/api/v1/tracing/cases', {
    token: tok.tracer, body: { client_id: clientId(), person_id: p.f0.id, test_date: today, isolated_date: today },
  });
  assert.equal(r.status, 201, r.text);
  caseId = r.json.id;
});

after(async () => {
  if (other) {
    other.proc.kill('SIGTERM');
    await other.exit;
  }
  if (srv) await srv.stop();
  // the sanitizer build's reports, as the harness checks them for the first server
  if (other) assert.doesNotMatch(other.stderr(), /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
});

test('the index is built at start and reports its size in /metrics', async () => {
  const m = await indexReady(srv.url);
  assert.match(m, /^cordon_tracing_index_checkins 0$/m);
  assert.match(m, /^cordon_tracing_index_bytes \d+$/m);
  const run = await trace();
  assert.equal(run.f1, 0, 'no check-ins yet');
});

test('a check-in made after the server started is found by the next trace, without a restart', async () => {
  await checkin('f0');
  await checkin('a');
  const run = await trace();
  assert.equal(run.f1, 1, 'A met F0 at the venue');
  const m = await indexReady(srv.url);
  assert.match(m, /^cordon_tracing_index_checkins 2$/m);
});

test('a check-out shortens the presence: the overlap falls to zero minutes', async () => {
  const before = await minutesOf('a');
  assert.ok(before >= 1, `without a check-out A stays the default hour (${before} minutes)`);
  const r = await srv.api('POST', `/api/v1/checkins/${ck.a}/checkout`, { token: tok.venue_owner });
  assert.equal(r.status, 200, r.text);
  const run = await trace();
  assert.equal(run.f1, 1, 'still a contact (within the slack)');
  assert.equal(run.contacts_changed, 1, 'its reason changed');
  assert.equal(await minutesOf('a'), 0, 'A left at once');
});

test('after a restart the index is built again from the database', async () => {
  await srv.restart();
  await indexReady(srv.url);
  const run = await trace();
  assert.equal(run.f1, 1);
  assert.equal(run.contacts_changed, 0, 'the same contacts, the same reasons');
});

test('two servers over one database: a check-in through one is seen by a trace on the other', async () => {
  other = await startOther();
  await indexReady(other.url);
  let run = await trace(other.url);
  assert.equal(run.f1, 1, 'the second server built its index from the database');
  const held = async (url) => Number(/^cordon_tracing_index_checkins (\d+)$/m.exec(await indexReady(url))[1]);
  const before = await held(other.url);
  await checkin('b'); // through the first server
  // the second server follows by itself (woken by NOTIFY on PostgreSQL, within a second on both)
  const t0 = Date.now();
  while (await held(other.url) === before && Date.now() - t0 < 5000) await sleep(20);
  assert.equal(await held(other.url), before + 1, 'the second server\'s index holds the new check-in');
  run = await trace(other.url);
  assert.equal(run.f1, 2, 'B, checked in through the first server, is found by the second at once');
  // and a check-out through the second server reaches the first
  let r = await request(other.url, 'POST', `/api/v1/checkins/${ck.b}/checkout`, { token: tok.venue_owner });
  assert.equal(r.status, 200, r.text);
  run = await trace();
  assert.equal(run.f1, 2);
  r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&case_id=${caseId}`, { token: tok.tracer });
  const b = r.json.contacts.find((x) => x.person_id === p.b.id);
  assert.equal(b.reasons.items[0].minutes, 0, 'the first server saw the check-out made through the second');
});

test('a merge of two records of one person moves their check-ins in the index too', async () => {
  const bhyt = `DN401${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const walkIn = (await createPerson(srv, tok.admin, { full_name: 'Lý Thị Mai', date_of_birth: '1990-02-02',
    commune_code: UNITS.phucXa, bhyt })).person;
  const kept = (await createPerson(srv, tok.admin, { full_name: 'Lý Thị Mai', date_of_birth: '1990-02-02',
    commune_code: UNITS.phucXa, cccd: uniqueCccd() })).person;
  let r = await srv.api('POST', `/api/v1/venues/${v.id}/checkins`, {
    token: tok.venue_owner, body: { client_id: clientId(), bhyt },
  });
  assert.equal(r.status, 201, r.text);
  const contactIds = async () => {
    await trace();
    const c = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&case_id=${caseId}`,
      { token: tok.tracer });
    return c.json.contacts.map((x) => x.person_id);
  };
  assert.ok((await contactIds()).includes(walkIn.id), 'the walk-in record met F0');
  r = await srv.api('POST', '/api/v1/people/merge', {
    token: tok.commune_admin, body: { keep_id: kept.id, merge_id: walkIn.id, client_id: clientId() },
  });
  assert.equal(r.status, 201, r.text);
  assert.ok((await contactIds()).includes(kept.id), 'the kept record is the contact now');
  assert.equal((await trace(other.url)).f1, 3, 'the second server follows the merge too');
});

test('a retention delete (by `cordon jobs`) removes the check-ins from both servers\' indexes', async () => {
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'checkin_retention', '--now', String(now() + 40 * DAY)]);
  assert.equal(j.status, 0, j.stderr);
  assert.match(j.stderr, /checkin retention" deleted=4 /);
  assert.equal((await trace()).f1, 0, 'the first server traces nobody');
  assert.equal((await trace(other.url)).f1, 0, 'nor does the second');
  const m = await indexReady(srv.url);
  assert.match(m, /^cordon_tracing_index_checkins 0$/m);
});
