'use strict';
// GET /api/v1/work (docs/api.md "Pending work"): each staff role gets the counts of the work it
// does, inside its own area, on the demo data; each count follows the records it counts (a venue
// registered, a flagged person called, an appointment to move, a retest).

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { createAccount, PASSWORD, assertStatus } = require('../lib/fixtures');
const { citizenLogin, uniquePhone } = require('../lib/people');

let srv;
let pw;
const tokens = {};

const work = async (who) => {
  const r = await srv.api('GET', '/api/v1/work', { token: tokens[who] });
  assertStatus(r, 200, `work as ${who}`);
  return r.json;
};

test.before(async () => {
  srv = await startServer();
  pw = srv.demo();
  for (const u of ['admin', 'hanoi.admin', 'badinh.admin', 'phucxa.admin', 'phucxa.sampler', 'hcm.admin', 'phucxa.shop',
    'badinh.lab', 'phucxa.vaccinator']) tokens[u] = await srv.login(u, pw);
  await createAccount(srv, tokens.admin, { username: 'w.tracer', role: 'tracer', unit_code: '00001' });
  await createAccount(srv, tokens.admin, { username: 'w.checkpoint', role: 'checkpoint_officer', unit_code: '00001' });
  tokens.tracer = await srv.login('w.tracer', PASSWORD);
  tokens.checkpoint = await srv.login('w.checkpoint', PASSWORD);
});
test.after(async () => { if (srv) await srv.stop(); });

test('each role gets the counts of its own work', async () => {
  const ALL = ['doses_due', 'feedback_open', 'flagged_declarations', 'reschedule_requests', 'results_pending', 'safety_missing', 'test_orders', 'venues_pending'];
  const expect = {
    admin: ALL, 'hanoi.admin': ALL, 'badinh.admin': ALL, 'phucxa.admin': ALL, 'hcm.admin': ALL,
    tracer: ['flagged_declarations', 'test_orders'],
    'phucxa.sampler': ['test_orders'],
    'badinh.lab': ['results_pending'],
    'phucxa.vaccinator': ['doses_due', 'reschedule_requests'],
    'phucxa.shop': [], checkpoint: [],
  };
  for (const [who, keys] of Object.entries(expect)) {
    const w = await work(who);
    assert.deepEqual(Object.keys(w.counts).sort(), keys, who);
    for (const k of keys) assert.ok(Number.isInteger(w.counts[k]) && w.counts[k] >= 0, `${who} ${k}`);
  }
  const c = await srv.api('GET', '/api/v1/work', {});
  assert.equal(c.status, 401);
  const citizen = await citizenLogin(srv, tokens.admin, uniquePhone());
  assert.equal((await srv.api('GET', '/api/v1/work', { token: citizen.token })).status, 403);
});

test('the demo gives Phúc Xá work to do; Hồ Chí Minh City has none of it', async () => {
  const px = await work('phucxa.admin');
  assert.equal(px.unit, '00001');
  assert.ok(px.counts.flagged_declarations >= 1, JSON.stringify(px));
  assert.ok(px.counts.test_orders >= 1, JSON.stringify(px));
  assert.ok(px.counts.doses_due >= 1, JSON.stringify(px));
  const hcm = await work('hcm.admin');
  assert.deepEqual(Object.values(hcm.counts), [0, 0, 0, 0, 0, 0, 0, 0], JSON.stringify(hcm));
  // citizens' reports still to answer, as the feedback list counts them
  const open = await srv.api('GET', '/api/v1/feedback', { token: tokens['phucxa.admin'] });
  assert.equal(px.counts.feedback_open, open.json.feedback.filter((x) => x.status === 'new' || x.status === 'forwarded').length);
  assert.ok(px.counts.feedback_open >= 1);
  // facilities not assessed today, as the safety list has them (the demo's are in Trúc Bạch, of Ba Đình)
  for (const who of ['phucxa.admin', 'badinh.admin']) {
    const missing = await srv.api('GET', '/api/v1/safety/missing', { token: tokens[who] });
    assert.equal((await work(who)).counts.safety_missing, missing.json.venues.length, who);
  }
  assert.equal((await work('badinh.admin')).counts.safety_missing, 2, 'the factory and the office of Trúc Bạch');
  // the counts are those of the lists
  const f = await srv.api('GET', '/api/v1/declarations/flagged', { token: tokens['phucxa.admin'] });
  assert.equal(px.counts.flagged_declarations, f.json.pending);
  const v = await srv.api('GET', '/api/v1/venues?status=pending', { token: tokens['phucxa.admin'] });
  assert.equal(px.counts.venues_pending, v.json.venues.filter((x) => x.status === 'pending').length);
  assert.equal((await work('badinh.admin')).counts.flagged_declarations, 2, 'Phúc Xá and Trúc Bạch');
  assert.equal((await work('tracer')).counts.flagged_declarations, px.counts.flagged_declarations);
  assert.equal((await work('phucxa.vaccinator')).counts.doses_due, px.counts.doses_due);
});

test('counts follow the records: a venue to approve, a person called, an appointment to move', async () => {
  const before = await work('phucxa.admin');
  const hanoiBefore = await work('hanoi.admin');
  let r = await srv.api('POST', '/api/v1/venues', { token: tokens['phucxa.shop'], body: {
    name: 'Quán nước Phúc Xá', type: 'cafe', commune_code: '00001', street: '3 Phó Đức Chính', capacity: 20 } });
  assertStatus(r, 201, 'venue');
  assert.equal((await work('phucxa.admin')).counts.venues_pending, before.counts.venues_pending + 1);
  assert.equal((await work('hanoi.admin')).counts.venues_pending, hanoiBefore.counts.venues_pending + 1);
  assert.equal((await work('hcm.admin')).counts.venues_pending, 0);

  const f = await srv.api('GET', '/api/v1/declarations/flagged', { token: tokens.tracer });
  const open = f.json.people.find((p) => !p.handled);
  r = await srv.api('POST', `/api/v1/declarations/${open.last_reference}/handled`, { token: tokens.tracer, body: { note: 'Đã gọi' } });
  assertStatus(r, 201);
  assert.equal((await work('tracer')).counts.flagged_declarations, before.counts.flagged_declarations - 1);
  assert.equal((await work('phucxa.admin')).counts.flagged_declarations, before.counts.flagged_declarations - 1);

  // The demo's invited appointment: the vaccinator asks for another slot on the person's behalf.
  const vax = await work('phucxa.vaccinator');
  r = await srv.api('GET', '/api/v1/people/search?phone=0912000105', { token: tokens['phucxa.admin'] });
  assertStatus(r, 200);
  const person = r.json.people[0];
  r = await srv.api('GET', `/api/v1/people/${person.id}/vaccinations`, { token: tokens['phucxa.vaccinator'] });
  assertStatus(r, 200);
  const appt = r.json.next_appointment;
  assert.ok(appt, r.text);
  r = await srv.api('POST', `/api/v1/vaccine/appointments/${appt.id}/reschedule`, { token: tokens['phucxa.vaccinator'], body: {} });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  assert.equal((await work('phucxa.vaccinator')).counts.reschedule_requests, vax.counts.reschedule_requests + 1);
  assert.equal((await work('hanoi.admin')).counts.reschedule_requests, vax.counts.reschedule_requests + 1);
});
