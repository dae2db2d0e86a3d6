'use strict';
// Results corrected by the lab (docs/api-testing.md, "Corrected results"): a positive turned
// negative withdraws the case and what it caused that no one acted on (contacts not reached,
// quarantine orders without a check-in, pending test orders, unsent messages) and keeps the rest;
// the people whose orders were withdrawn are told. A negative turned positive runs the normal
// positive path. The reason is required, each correction is audited, bad input gets a 4xx.
//
// Places: everyone lives in Phúc Xá (00001, Ba Đình 001); the lab is Ba Đình's.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');
const { testingSession, cid } = require('../lib/testing-setup');
const { staff, person, checkin } = require('../lib/tracing-setup');
const { venueOwner, venue, citizenLogin, addFamily } = require('../lib/checkin');

let srv;
let t;        // testingSession: tokens, session, tubes
let tracer;
let labOut;
const people = {};

const api = (method, path, token, body) => srv.api(method, path, { token, body });

async function collect(tube, p, extra = {}) {
  const r = await api('POST', '/api/v1/testing/samples', t.samplerToken,
    { client_id: cid('smp'), session_id: t.session.id, tube_id: tube, cccd: p.cccd, ...extra });
  assertStatus(r, 201, 'collect');
  return r.json;
}

async function result(tube, value) {
  const r = await api('POST', '/api/v1/testing/results', t.labToken, { tube_id: tube, result: value });
  assertStatus(r, 200, 'result');
  return r.json;
}

async function correct(tube, body, token = t.labToken) {
  return api('POST', `/api/v1/testing/results/${tube}/correct`, token, body);
}

async function outbox(phone, kind) {
  const r = await api('GET', `/api/v1/outbox?recipient=${phone}&kind=${kind}&limit=50`, t.adminToken);
  assertStatus(r, 200, 'outbox');
  return r.json.messages;
}

async function caseOf(personId) {
  const r = await api('GET', '/api/v1/tracing/cases?limit=200', tracer.token);
  assertStatus(r, 200, 'cases');
  return r.json.cases.find((c) => c.person_id === personId);
}

async function contacts(caseId) {
  const r = await api('GET', `/api/v1/tracing/contacts?case_id=${caseId}`, tracer.token);
  assertStatus(r, 200, 'contacts');
  return Object.fromEntries(r.json.contacts.map((c) => [c.person_id, c.status]));
}

async function quarantineOrders(status = 'active') {
  const r = await api('GET', `/api/v1/quarantine/orders?limit=1000&status=${status}`, tracer.token);
  assertStatus(r, 200, 'quarantine orders');
  return r.json.orders;
}

async function testOrders(personId) {
  const from = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);
  const r = await api('GET', `/api/v1/test-orders?from=${from}&to=${to}`, tracer.token);
  assertStatus(r, 200, 'test orders');
  return r.json.orders.filter((o) => o.person_id === personId);
}

before(async () => {
  srv = await startServer();
  t = await testingSession(srv, { poolSize: 1, tubes: 8 });
  tracer = await staff(srv, t.adminToken, 'truy.vet.sua', 'tracer', '00001');
  labOut = await staff(srv, t.adminToken, 'lab.q1', 'lab', '760');
  const owner = await venueOwner(srv, t.adminToken, 'chu.quan.sua', '00001');
  const shop = await venue(srv, owner.token, t.officialToken, { name: 'Phở Lý Quốc Sư', type: 'restaurant' });
  const cafe = await venue(srv, owner.token, t.officialToken, { name: 'Cà Phê Giảng', type: 'cafe' });
  for (const [k, name] of [['f0', 'Nguyễn Văn Không'], ['a', 'Trần Thị Một'], ['b', 'Lê Văn Hai'], ['c', 'Phạm Thị Ba'],
    ['d', 'Đặng Văn Bốn']]) people[k] = await person(srv, tracer.token, name);
  // F0, A and C at the shop; A and B at the café: F1 = A, C; F2 = B.
  for (const k of ['f0', 'a', 'c']) await checkin(srv, owner.token, shop.id, people[k].cccd);
  for (const k of ['a', 'b']) await checkin(srv, owner.token, cafe.id, people[k].cccd);
});

after(async () => { if (srv) await srv.stop(); });

test('a positive turned negative withdraws what no one acted on, keeps the rest, tells those concerned', async () => {
  const [tube] = t.tubes;
  await collect(tube, people.f0);
  const res = await result(tube, 'positive');
  assert.equal(res.summary.cases, 1);
  const kase = await caseOf(people.f0.id);
  assert.ok(kase, 'a case from the positive result');
  const run = await api('POST', '/api/v1/tracing/runs', tracer.token, { case_ids: [kase.id] });
  assert.ok([200, 201].includes(run.status), run.text);
  let st = await contacts(kase.id);
  assert.equal(st[people.a.id], 'not_reached');
  assert.equal(st[people.b.id], 'not_reached');
  assert.equal(st[people.c.id], 'not_reached');
  const qBefore = (await quarantineOrders()).filter((o) => o.case_id === kase.id);
  assert.deepEqual(qBefore.map((o) => o.person_id).sort(), [people.a.id, people.c.id].sort(), 'F1 orders by the policy');
  const cOrders = await testOrders(people.c.id);
  assert.ok(cOrders.length >= 2, 'test orders for C');

  // Acted on: A was reached by a tracer; C was sampled for today's test order.
  const contactRows = (await api('GET', `/api/v1/tracing/contacts?case_id=${kase.id}`, tracer.token)).json.contacts;
  const aRow = contactRows.find((c) => c.person_id === people.a.id);
  assertStatus(await api('PATCH', `/api/v1/tracing/contacts/${aRow.id}`, tracer.token, { status: 'reached' }), 200, 'reached');
  const today = cOrders.find((o) => o.status === 'pending' && o.due_date === cOrders[0].due_date);
  await collect(t.tubes[1], people.c, { cccd: undefined, test_order_id: today.id });
  const cAfterSample = await testOrders(people.c.id);
  assert.equal(cAfterSample.find((o) => o.id === today.id).status, 'sampled');

  assert.equal((await outbox(people.f0.phone, 'result')).length, 1, 'the positive message is queued');

  const r = await correct(tube, { result: 'negative', reason: 'Nhầm ống khi nhập kết quả' });
  assertStatus(r, 200, 'correct');
  assert.equal(r.json.old_result, 'positive');
  assert.equal(r.json.new_result, 'negative');
  assert.equal(r.json.tube.result, 'negative');
  assert.equal(r.json.withdrawn.cases, 1);
  assert.equal(r.json.withdrawn.contacts, 2, 'B and C were not reached');
  assert.ok(r.json.withdrawn.orders >= 3, 'two quarantine orders and the pending test orders');
  assert.equal(r.json.withdrawn.messages, 1, 'the unsent positive message');
  assert.ok(r.json.kept >= 2, 'A reached, C sampled');
  assert.equal(r.json.told, 2, 'A and C are told');

  // The case is withdrawn, with an event naming the reason.
  const after = await api('GET', `/api/v1/tracing/cases/${kase.id}`, tracer.token);
  assertStatus(after, 200, 'case');
  assert.equal(after.json.status, 'withdrawn');
  const ev = after.json.events.find((e) => e.kind === 'withdrawn');
  assert.match(ev.detail, /Nhầm ống/);
  assert.ok(ev.account_id, 'the lab account is named');

  // The work list no longer shows the withdrawn contacts; the case still does.
  const work = await api('GET', '/api/v1/tracing/contacts?unit=00001', tracer.token);
  assertStatus(work, 200, 'work list');
  const onList = work.json.contacts.filter((c) => c.case_id === kase.id).map((c) => c.person_id);
  assert.deepEqual(onList, [people.a.id]);
  st = await contacts(kase.id);
  assert.equal(st[people.a.id], 'reached', 'acted on: kept');
  assert.equal(st[people.b.id], 'withdrawn');
  assert.equal(st[people.c.id], 'withdrawn');
  assert.equal((await quarantineOrders()).filter((o) => o.case_id === kase.id).length, 0, 'no active order left');
  const qAfter = (await quarantineOrders('cancelled')).filter((o) => o.case_id === kase.id);
  assert.equal(qAfter.length, 2);
  for (const o of qAfter) assert.match(o.end_reason || '', /result corrected: Nhầm ống/);
  const cAfter = await testOrders(people.c.id);
  assert.equal(cAfter.find((o) => o.id === today.id).status, 'sampled', 'the sampled order is kept');
  for (const o of cAfter.filter((x) => x.id !== today.id)) assert.equal(o.status, 'cancelled');

  // Messages: the positive one withdrawn, a corrected negative queued; A and C told; B not.
  const f0msgs = await outbox(people.f0.phone, 'result');
  assert.equal(f0msgs.length, 1);
  assert.match(f0msgs[0].body, /sửa lại.*ÂM TÍNH/);
  assert.match(f0msgs[0].body, /ngày \d{2}\/\d{2}\/\d{4}/);
  assert.equal((await outbox(people.a.phone, 'result_correction')).length, 1);
  assert.equal((await outbox(people.c.phone, 'result_correction')).length, 1);
  assert.equal((await outbox(people.b.phone, 'result_correction')).length, 0);

  // Audited.
  const audit = await api('GET', '/api/v1/audit?limit=50', t.adminToken);
  assertStatus(audit, 200, 'audit');
  const row = audit.json.entries.find((e) => e.action === 'testing.result.correct' && e.subject_id === tube);
  assert.ok(row, 'an audit row');
  assert.equal(row.actor_username, t.lab.username);

  // Corrected back to positive: the same case is confirmed again.
  const back = await correct(tube, { result: 'positive', reason: 'Kiểm tra lại: đúng là dương tính' });
  assertStatus(back, 200, 'correct back');
  assert.equal(back.json.summary.cases, 1);
  assert.equal((await api('GET', `/api/v1/tracing/cases/${kase.id}`, tracer.token)).json.status, 'confirmed');
});

test('a negative turned positive runs the positive path', async () => {
  const tube = t.tubes[2];
  await collect(tube, people.d);
  await result(tube, 'negative');
  assert.equal(await caseOf(people.d.id), undefined);
  const r = await correct(tube, { result: 'positive', reason: 'Chạy lại máy PCR: dương tính', ct: 28.5 });
  assertStatus(r, 200, 'correct');
  assert.equal(r.json.withdrawn.cases, 0);
  assert.equal(r.json.summary.cases, 1);
  assert.equal(r.json.tube.result, 'positive');
  const kase = await caseOf(people.d.id);
  assert.equal(kase.status, 'confirmed');
  const msgs = await outbox(people.d.phone, 'result');
  assert.equal(r.json.withdrawn.messages, 1, 'the unsent negative message');
  assert.equal(msgs.length, 1, 'only the corrected positive is left to send');
  assert.match(msgs[0].body, /sửa lại.*DƯƠNG TÍNH/);
});

test('bad corrections get a 4xx naming the field', async () => {
  const tube = t.tubes[2];
  assertError(await correct(tube, { result: 'negative' }), 400, 'missing_field', 'reason');
  assertError(await correct(tube, { result: 'negative', reason: '   ' }), 400, 'invalid_field', 'reason');
  assertError(await correct(tube, { result: 'negative', reason: 'x'.repeat(501) }), 400, 'invalid_field', 'reason');
  assertError(await correct(tube, { result: 'maybe', reason: 'Nhầm kết quả' }), 400, 'invalid_field', 'result');
  assertError(await correct(tube, { reason: 'Nhầm kết quả' }), 400, 'missing_field', 'result');
  assertError(await correct(tube, { result: 'negative', reason: 'Nhầm kết quả', ct: 'x' }), 400, 'invalid_field', 'ct');
  assertError(await correct(tube, { result: 'negative', reason: 'Nhầm kết quả', extra: 1 }), 400, 'unknown_field');
  assertError(await correct(tube, { result: 'positive', reason: 'Nhầm kết quả' }), 409, 'conflict', 'result');
  assertError(await correct('T000000000', { result: 'negative', reason: 'Nhầm kết quả' }), 404, 'not_found', 'id');
  assertError(await correct('nope', { result: 'negative', reason: 'Nhầm kết quả' }), 404, 'not_found', 'id');
  assertError(await correct(t.tubes[7], { result: 'negative', reason: 'Nhầm kết quả' }), 409, 'conflict', 'result');
  assertError(await correct(tube, { result: 'negative', reason: 'Nhầm kết quả' }, labOut.token), 403, 'forbidden', 'id');
  const bySampler = await correct(tube, { result: 'negative', reason: 'Nhầm kết quả' }, t.samplerToken);
  assert.equal(bySampler.status, 403);
  // nothing changed
  const g = await api('GET', `/api/v1/testing/tubes/${tube}`, t.labToken);
  assert.equal(g.json.result || g.json.tube?.result, 'positive');
});

test('a result for a member without a phone goes to the citizen who manages them, naming the member', async () => {
  const citizen = await citizenLogin(srv, t.adminToken);
  const child = await addFamily(srv, citizen.token, 'Vũ Minh Con');
  const qr = await api('GET', `/api/v1/me/qr?person_id=${child.id}`, citizen.token);
  assertStatus(qr, 200, 'member qr');
  const r = await api('POST', '/api/v1/testing/samples', t.samplerToken,
    { client_id: cid('smp'), session_id: t.session.id, tube_id: t.tubes[3], person_qr: qr.json.payload });
  assertStatus(r, 201, 'collect the member');
  await result(t.tubes[3], 'negative');
  const msgs = await outbox(citizen.phone, 'result');
  assert.equal(msgs.length, 1);
  assert.match(msgs[0].body, /^Cordon: kết quả xét nghiệm của Vũ Minh Con RT-PCR ngày \d{2}\/\d{2}\/\d{4}: ÂM TÍNH/);
});
