'use strict';
// `cordon demo` loads data a newcomer can use at once, and can run again.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { citizenLogin } = require('../lib/people');

let srv;
let adminToken;
let demoPassword;

/** Runs `cordon demo`; a run gives every demo account a fresh password (and ends their sessions). */
async function runDemo() {
  const r = srv.cli(['demo']);
  assert.equal(r.status, 0, r.stderr);
  const m = /Admin login: admin \/ (\S+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  demoPassword = m[1];
  adminToken = await srv.login('admin', demoPassword);
}

test.before(async () => {
  srv = await startServer();
  await runDemo();
  await runDemo();
});

test.after(async () => { if (srv) await srv.stop(); });

test('the passwords printed by the last run work for every demo account', async () => {
  for (const u of ['hanoi.admin', 'phucxa.admin', 'phucxa.shop']) {
    assert.ok(await srv.login(u, demoPassword), u);
  }
});

test('a second run does not duplicate the demo data', async () => {
  const before = srv.dbStats().tables;
  await runDemo();
  const after = srv.dbStats().tables;
  for (const t of ['persons', 'person_managers', 'venues', 'checkins', 'declarations']) {
    assert.equal(after[t].rows, before[t].rows, t);
  }
  assert.ok(before.checkins.rows >= 5);
});

test('the demo citizen signs in with his phone and sees his family and their check-ins', async () => {
  const login = await citizenLogin(srv, adminToken, '0912000001');
  const me = await srv.api('GET', '/api/v1/me', { token: login.token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.person.full_name, 'Nguyễn Văn An');
  assert.equal(me.json.managed.length, 2);
  const ck = await srv.api('GET', '/api/v1/me/checkins', { token: login.token });
  assert.equal(ck.status, 200, ck.text);
  const people = new Set(ck.json.checkins.map((c) => c.person_id));
  assert.equal(people.size, 3, 'the family checked in together at the market');
});

test('the commune admin sees the approved venues and the flagged declaration', async () => {
  const token = await srv.login('phucxa.admin', demoPassword);
  const v = await srv.api('GET', '/api/v1/venues?unit=00001', { token });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.venues.filter((x) => x.status === 'approved').length, 2);
  const f = await srv.api('GET', '/api/v1/declarations/flagged?unit=00001', { token });
  assert.equal(f.status, 200, f.text);
  assert.ok(f.json.people ? f.json.people.length >= 1 : JSON.stringify(f.json).includes('Trần Thị Hoa'), f.text);
});

test('the demo case is traced: F1 and F2 on the commune work list, F1 in quarantine', async () => {
  const token = await srv.login('phucxa.admin', demoPassword);
  const r = await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token });
  assert.equal(r.status, 200, r.text);
  const byDegree = (d) => r.json.contacts.filter((c) => c.degree === d).map((c) => c.full_name);
  assert.deepEqual(byDegree(1), ['Nguyễn Văn An'], r.text);
  assert.deepEqual(byDegree(2).sort(), ['Lê Thị Thu', 'Nguyễn Thị Mai'], r.text);
  const q = await srv.api('GET', '/api/v1/quarantine/orders?unit=00001', { token });
  assert.equal(q.status, 200, q.text);
  assert.ok(JSON.stringify(q.json).includes('Nguyễn Văn An') || (q.json.orders || []).length >= 1, q.text);
});

test('district and province officials see the demo commune\'s contacts, orders, alerts and compliance', async () => {
  const commune = await srv.login('phucxa.admin', demoPassword);
  const mine = await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token: commune });
  const orders = await srv.api('GET', '/api/v1/quarantine/orders?unit=00001', { token: commune });
  assert.ok(mine.json.contacts.length >= 3 && orders.json.orders.length >= 1, mine.text + orders.text);
  for (const [user, unit] of [['badinh.admin', '001'], ['hanoi.admin', '01']]) {
    const token = await srv.login(user, demoPassword);
    for (const q of [`?unit=${unit}`, '']) { // their own unit, asked for or by default
      const c = await srv.api('GET', `/api/v1/tracing/contacts${q}`, { token });
      assert.equal(c.status, 200, c.text);
      assert.deepEqual(c.json.contacts.map((x) => x.id).sort(), mine.json.contacts.map((x) => x.id).sort(), `${user}${q}`);
      const o = await srv.api('GET', `/api/v1/quarantine/orders${q}`, { token });
      assert.deepEqual(o.json.orders.map((x) => x.id), orders.json.orders.map((x) => x.id), `${user}${q}`);
      const comp = await srv.api('GET', `/api/v1/quarantine/compliance${q}`, { token });
      assert.equal(comp.status, 200, comp.text);
      assert.ok(JSON.stringify(comp.json).includes('00001'), `${user}${q}: ${comp.text}`);
    }
  }
  // and another province sees none of it
  const hcm = await srv.login('hcm.admin', demoPassword);
  assert.equal((await srv.api('GET', '/api/v1/tracing/contacts?unit=01', { token: hcm })).status, 403);
  assert.deepEqual((await srv.api('GET', '/api/v1/tracing/contacts', { token: hcm })).json.contacts, []);
});

test('tracing data is deleted once its case is older than the retention period', async () => {
  const token = await srv.login('phucxa.admin', demoPassword);
  const before = await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token });
  assert.ok(before.json.contacts.length >= 3, before.text);
  const soon = Math.floor(Date.now() / 1000) + 30 * 86400; // inside the default 60 days: kept
  let r = srv.cli(['jobs', 'run', '--force', '--job', 'tracing_retention', '--now', String(soon)]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token })).json.contacts.length,
    before.json.contacts.length);
  const later = Math.floor(Date.now() / 1000) + 61 * 86400;
  r = srv.cli(['jobs', 'run', '--force', '--job', 'tracing_retention', '--now', String(later)]);
  assert.equal(r.status, 0, r.stderr);
  const after = await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token });
  assert.equal(after.status, 200, after.text);
  assert.equal(after.json.contacts.length, 0, after.text);
});

test('demo --people/--checkins bulk-loads a synthetic population on top', async () => {
  const before = srv.dbStats().tables;
  const r = srv.cli(['demo', '--people', '300', '--checkins', '3000', '--days', '7']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Admin login: admin \/ \S+/);
  const after = srv.dbStats().tables;
  assert.equal(after.persons.rows - before.persons.rows, 300);
  assert.equal(after.checkins.rows - before.checkins.rows, 3000);
  const bad = srv.cli(['demo', '--people', '10']);
  assert.equal(bad.status, 2, 'people without check-ins is refused');
  const m = /Admin login: admin \/ (\S+)/.exec(r.stdout);
  demoPassword = m[1];
});
