'use strict';
// Citizens' feedback (docs/api-checkpoints.md, "Feedback"): a report from a signed-in citizen and
// one from anyone with a phone, once per client_id; the commune's staff answer, forward and close
// (each reaches the sender by SMS); a report not answered in time goes to the district, then the
// province (the escalation job with a moved clock); who sees what; bad input named.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { uniquePhone, citizenWithProfile } = require('../lib/people');

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const now = () => Math.floor(Date.now() / 1000);

let srv;
const tok = {};
let citizen;
let citizenPhone;

async function ok(r, status, what) {
  assert.equal(r.status, status, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const send = (body, token) => srv.api('POST', '/api/v1/feedback', { token, body: { client_id: clientId(), ...body } });
const list = async (token, q = '') => (await ok(await srv.api('GET', `/api/v1/feedback${q}`, { token }), 200, `list ${q}`)).feedback;

async function sms(phone) {
  const r = await ok(await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=feedback`, { token: tok.admin }), 200, 'outbox');
  return r.messages.map((m) => m.text);
}

function runJob(at) {
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'feedback_escalation', '--now', String(at)]);
  assert.equal(j.status, 0, j.stderr);
  return j.stdout;
}

before(async () => {
  srv = await startServer();
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const mk = async (key, username, role, unit) => {
    await createAccount(srv, tok.admin, { username, role, unit_code: unit });
    tok[key] = await srv.login(username, PASSWORD);
  };
  await mk('commune', 'pa.xa', 'commune_admin', UNITS.phucXa);
  await mk('other', 'pa.xa2', 'commune_admin', UNITS.trucBach);
  await mk('district', 'pa.quan', 'district_admin', UNITS.baDinh);
  await mk('province', 'pa.tinh', 'province_admin', UNITS.hanoi);
  await mk('hcm', 'pa.hcm', 'province_admin', UNITS.hcm);
  await mk('tracer', 'pa.truyvet', 'tracer', UNITS.phucXa);
  citizenPhone = uniquePhone('94');
  citizen = await citizenWithProfile(srv, tok.admin, citizenPhone, { full_name: 'Lê Thị Phản Ánh' });
});
after(async () => { if (srv) await srv.stop(); });

test('categories are data with their answer time', async () => {
  const r = await ok(await srv.api('GET', '/api/v1/feedback/categories'), 200, 'categories');
  assert.deepEqual(r.categories.map((c) => c.code), ['rule_violation', 'arrival_from_affected_area', 'need_help', 'quarantine_problem', 'other']);
  assert.equal(r.categories.find((c) => c.code === 'rule_violation').answer_hours, 24);
});

test('a citizen and an anonymous sender report; a retry is the same report', async () => {
  const body = { client_id: clientId(), category: 'rule_violation', text: 'Quán karaoke ở ngõ 5 vẫn mở cửa.', commune_code: UNITS.phucXa, photo: PNG.toString('base64') };
  const a = await ok(await srv.api('POST', '/api/v1/feedback', { token: citizen.token, body }), 201, 'citizen report');
  assert.equal(a.status, 'new');
  assert.equal(a.level, 'commune');
  assert.equal(a.photo, true);
  assert.equal(a.phone, undefined, 'the sender is not shown their own number back');
  assert.ok(Math.abs(a.due_at - (now() + 24 * 3600)) < 60);
  const again = await ok(await srv.api('POST', '/api/v1/feedback', { token: citizen.token, body }), 200, 'retry');
  assert.equal(again.id, a.id);
  // the photo: its sender and the commune's staff see it, another commune does not
  for (const token of [citizen.token, tok.commune]) {
    const img = await fetch(`${srv.url}/api/v1/feedback/${a.id}/photo`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);
  }
  assertError(await srv.api('GET', `/api/v1/feedback/${a.id}/photo`, { token: tok.other }), 403, 'forbidden');

  const anonPhone = uniquePhone('95');
  const b = await ok(await send({ category: 'need_help', text: 'Nhà tôi hết gạo, đang cách ly.', commune_code: UNITS.phucXa, phone: anonPhone }), 201, 'anonymous');
  assert.equal(b.status, 'new');
  // anonymous without a phone, and other bad input, named
  for (const [patch, field] of [
    [{ phone: undefined }, 'phone'], [{ phone: '123' }, 'phone'], [{ category: 'gossip' }, 'category'],
    [{ text: '' }, 'text'], [{ commune_code: UNITS.baDinh }, 'commune_code'], [{ commune_code: '99999' }, 'commune_code'],
    [{ photo: 'bm90IGFuIGltYWdl' }, 'photo'], [{ colour: 'red' }, 'colour'],
  ]) {
    const r = await send({ category: 'other', text: 'x', commune_code: UNITS.phucXa, phone: anonPhone, ...patch });
    assert.equal(r.status, 400, `${JSON.stringify(patch)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  // the citizen sees their own, not the anonymous one
  const mine = await list(citizen.token);
  assert.deepEqual(mine.map((f) => f.id), [a.id]);
  assertError(await srv.api('GET', `/api/v1/feedback/${b.id}`, { token: citizen.token }), 404, 'not_found');
});

test('the commune answers, forwards and closes; each reaches the sender by SMS', async () => {
  const queue = await list(tok.commune, '?status=new');
  assert.ok(queue.length >= 2);
  assert.ok(queue.every((f) => f.commune_code === UNITS.phucXa && f.phone));
  const [help, karaoke] = [queue.find((f) => f.category === 'need_help'), queue.find((f) => f.category === 'rule_violation')];

  // another commune, another province: not theirs; a tracer: not a route of theirs
  assertError(await srv.api('POST', `/api/v1/feedback/${karaoke.id}/answer`, { token: tok.other, body: { answer: 'x' } }), 403, 'forbidden');
  assert.deepEqual(await list(tok.other), []);
  assertError(await srv.api('GET', `/api/v1/feedback?unit=${UNITS.phucXa}`, { token: tok.hcm }), 403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/feedback', { token: tok.tracer }), 403, 'forbidden');

  const answered = await ok(await srv.api('POST', `/api/v1/feedback/${karaoke.id}/answer`, {
    token: tok.commune, body: { answer: 'Tổ công tác đã đến kiểm tra và lập biên bản.' },
  }), 200, 'answer');
  assert.equal(answered.status, 'answered');
  assert.ok((await sms(citizenPhone)).some((t) => t.includes(`PA-${karaoke.id}`) && t.includes('lập biên bản')));
  const mine = await list(citizen.token);
  assert.equal(mine[0].status, 'answered');
  assert.equal(mine[0].answer, 'Tổ công tác đã đến kiểm tra và lập biên bản.');

  // forwarded to Trúc Bạch: now theirs, with a fresh deadline
  const fwd = await ok(await srv.api('POST', `/api/v1/feedback/${help.id}/forward`, {
    token: tok.commune, body: { unit_code: UNITS.trucBach, note: 'Địa chỉ thuộc phường Trúc Bạch' },
  }), 200, 'forward');
  assert.equal(fwd.status, 'forwarded');
  assert.equal(fwd.commune_code, UNITS.trucBach);
  assert.deepEqual((await list(tok.other)).map((f) => f.id), [help.id]);
  assertError(await srv.api('POST', `/api/v1/feedback/${help.id}/forward`, { token: tok.other, body: { unit_code: UNITS.trucBach } }), 400, 'invalid_field', 'unit_code');
  assertError(await srv.api('POST', `/api/v1/feedback/${help.id}/forward`, { token: tok.other, body: { unit_code: UNITS.baDinh } }), 400, 'invalid_field', 'unit_code');

  await ok(await srv.api('POST', `/api/v1/feedback/${karaoke.id}/close`, { token: tok.commune, body: {} }), 200, 'close');
  assertError(await srv.api('POST', `/api/v1/feedback/${karaoke.id}/answer`, { token: tok.commune, body: { answer: 'again' } }), 409, 'conflict', 'id');
  assertError(await srv.api('POST', `/api/v1/feedback/${karaoke.id}/answer`, { token: tok.commune, body: {} }), 400, 'missing_field', 'answer');
  assertError(await srv.api('POST', '/api/v1/feedback/999999/close', { token: tok.commune, body: {} }), 404, 'not_found');
  assert.equal((await list(citizen.token))[0].status, 'closed');
  // reading the queue is audited
  const audit = await ok(await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: tok.admin }), 200, 'audit');
  assert.ok(JSON.stringify(audit).includes('feedback.answer'));
});

test('not answered in time: up to the district, then the province', async () => {
  const phone = uniquePhone('96');
  const r = await ok(await send({ category: 'arrival_from_affected_area', text: 'Nhà số 9 có người từ TP.HCM về.', commune_code: UNITS.phucXa, phone }), 201, 'report');
  assert.ok(Math.abs(r.due_at - (now() + 12 * 3600)) < 60, 'this category has 12 hours');
  // in time: nothing moves
  runJob(now() + 11 * 3600);
  let f = (await list(tok.commune)).find((x) => x.id === r.id);
  assert.deepEqual([f.level, f.overdue], ['commune', false]);
  // 13 hours later: the district's
  const t13 = now() + 13 * 3600;
  runJob(t13);
  f = (await list(tok.district, '?level=district')).find((x) => x.id === r.id);
  assert.ok(f, 'the district sees it among its reports at district level');
  assert.equal(f.level, 'district');
  assert.ok(Math.abs(f.due_at - (t13 + 12 * 3600)) < 60);
  assert.ok(f.escalated_at >= t13 - 5);
  // the district's 12 hours pass too: the province's
  runJob(t13 + 13 * 3600);
  f = (await list(tok.province, '?level=province')).find((x) => x.id === r.id);
  assert.equal(f.level, 'province');
  // still the province's however late; answering stops it
  runJob(t13 + 100 * 3600);
  assert.equal((await list(tok.province, '?level=province')).find((x) => x.id === r.id).level, 'province');
  await ok(await srv.api('POST', `/api/v1/feedback/${r.id}/answer`, { token: tok.province, body: { answer: 'Đã yêu cầu xã cách ly tại nhà.' } }), 200, 'province answers');
  assert.ok((await sms(phone)).some((t) => t.includes('cach ly') || t.includes('cách ly')));
  // an answered report never moves again
  runJob(t13 + 400 * 3600);
  assert.equal((await list(tok.province)).find((x) => x.id === r.id).status, 'answered');
});

test('lists filter by status, level and overdue, and refuse bad filters', async () => {
  assertError(await srv.api('GET', '/api/v1/feedback?status=lost', { token: tok.commune }), 400, 'invalid_field', 'status');
  assertError(await srv.api('GET', '/api/v1/feedback?level=nation', { token: tok.commune }), 400, 'invalid_field', 'level');
  assertError(await srv.api('GET', '/api/v1/feedback?overdue=yes', { token: tok.commune }), 400, 'invalid_field', 'overdue');
  const closed = await list(tok.district, '?status=closed');
  assert.ok(closed.length >= 1 && closed.every((f) => f.status === 'closed'));
  assert.deepEqual(await list(tok.district, '?overdue=1'), []);
});

test('one phone may send a limited number of reports a day', async () => {
  const phone = uniquePhone('98');
  for (let i = 0; i < 10; i++) await ok(await send({ category: 'other', text: `Phản ánh ${i}`, commune_code: UNITS.trucBach, phone }), 201, `report ${i}`);
  assertError(await send({ category: 'other', text: 'một nữa', commune_code: UNITS.trucBach, phone }), 429, 'rate_limited', 'phone');
});
