'use strict';
// The call list (GET /api/v1/test-orders): the tracing policy's test orders and the retest
// orders of positive pools, each with the phone to call — the person's, or for a member without
// one the phone of the citizen who manages them, naming the manager; masked for samplers. A
// retest order names its person when sampled (retest_order_id) and then shows sampled.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');
const { testingSession, cid, todayVn } = require('../lib/testing-setup');
const { person } = require('../lib/tracing-setup');
const { citizenLogin, addFamily } = require('../lib/checkin');

let srv;
let t;
let t2;           // a second session the next pass samples in
const people = {};
let citizen;
let child;

const api = (method, path, token, body) => srv.api(method, path, { token, body });

async function calls(token) {
  const r = await api('GET', `/api/v1/test-orders?unit=00001&from=${todayVn()}&to=${todayVn()}`, token);
  assertStatus(r, 200, 'test orders');
  return r.json.orders.filter((o) => o.kind === 'retest');
}

before(async () => {
  srv = await startServer();
  t = await testingSession(srv, { poolSize: 3, tubes: 2 });
  t2 = await testingSession(srv, { poolSize: 3, tubes: 2, suffix: '2' });
  people.a = await person(srv, t.officialToken, 'Trần Văn Gộp');
  people.b = await person(srv, t.officialToken, 'Lê Thị Gộp');
  citizen = await citizenLogin(srv, t.adminToken);
  child = await addFamily(srv, citizen.token, 'Vũ Bé Gộp');
  const qr = await api('GET', `/api/v1/me/qr?person_id=${child.id}`, citizen.token);
  for (const ident of [{ cccd: people.a.cccd }, { cccd: people.b.cccd }, { person_qr: qr.json.payload }]) {
    assertStatus(await api('POST', '/api/v1/testing/samples', t.samplerToken,
      { client_id: cid('smp'), session_id: t.session.id, tube_id: t.tubes[0], ...ident }), 201, 'collect');
  }
  const r = await api('POST', '/api/v1/testing/results', t.labToken, { tube_id: t.tubes[0], result: 'positive' });
  assertStatus(r, 200, 'pool positive');
  assert.equal(r.json.summary.retest_orders, 3);
});

after(async () => { if (srv) await srv.stop(); });

test('a positive pool\'s retest orders are on the call list with the phone to call', async () => {
  const list = await calls(t.officialToken);
  assert.equal(list.length, 3);
  const by = Object.fromEntries(list.map((o) => [o.person_id, o]));
  assert.equal(by[people.a.id].reason, 'pool_positive');
  assert.equal(by[people.a.id].status, 'pending');
  assert.equal(by[people.a.id].full_name, 'Trần Văn Gộp');
  assert.equal(by[people.a.id].phone, people.a.phone);
  assert.equal(by[people.a.id].phone_of, 'person');
  assert.equal(by[people.a.id].due_date, todayVn());
  assert.equal(by[child.id].phone, citizen.phone, 'the manager\'s phone');
  assert.equal(by[child.id].phone_of, 'manager');
  assert.ok(by[child.id].manager_name !== undefined);
  // Samplers see the list masked.
  const masked = await calls(t.samplerToken);
  const ma = masked.find((o) => o.person_id === people.a.id);
  assert.notEqual(ma.phone, people.a.phone);
  assert.match(ma.phone, /\*/);
});

test('sampling by retest_order_id answers the order', async () => {
  const order = (await calls(t.samplerToken)).find((o) => o.person_id === people.a.id);
  // sampled at the commune's next session
  const r = await api('POST', '/api/v1/testing/samples', t2.samplerToken,
    { client_id: cid('smp'), session_id: t2.session.id, tube_id: t2.tubes[0], retest_order_id: order.id });
  assertStatus(r, 201, 'retest sample');
  assert.equal(r.json.person.id, people.a.id);
  const after = (await calls(t.officialToken)).find((o) => o.person_id === people.a.id);
  assert.equal(after.status, 'sampled');
});

test('bad retest_order_id gets a 400 naming the field', async () => {
  const base = { client_id: cid('smp'), session_id: t2.session.id, tube_id: t2.tubes[1] };
  assertError(await api('POST', '/api/v1/testing/samples', t2.samplerToken, { ...base, retest_order_id: 999999 }), 400, 'invalid_field', 'retest_order_id');
  assertError(await api('POST', '/api/v1/testing/samples', t2.samplerToken, { ...base, retest_order_id: 'x' }), 400, 'invalid_field', 'retest_order_id');
  assertError(await api('POST', '/api/v1/testing/samples', t2.samplerToken, { ...base, retest_order_id: 1, test_order_id: 1 }), 400, 'invalid_field', 'retest_order_id');
  assertError(await api('POST', '/api/v1/testing/samples', t2.samplerToken, { ...base, retest_order_id: 1, cccd: people.b.cccd }), 400, 'invalid_field', 'cccd');
});
