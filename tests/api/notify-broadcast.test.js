'use strict';
// An official's message to the staff of an area by role (docs/api-notify.md): every active
// account of that role inside the unit (and below it) with a phone gets an SMS through the
// outbox; those without one are counted; the caller's area bounds the unit.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, createAccount, PASSWORD, assertError, assertStatus } = require('../lib/fixtures');
const { uniquePhone } = require('../lib/people');
const { startGateway } = require('../lib/gateway');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('broadcast to the staff of an area', () => {
  let srv;
  let gw;
  let admin;
  let commune;
  const phones = {};
  before(async () => {
    gw = await startGateway();
    srv = await startServer({ env: { CORDON_SMS_HTTP_URL: gw.url, CORDON_NOTIFY_POLL_MS: '50' } });
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, admin, { username: 'bc.tramyte', role: 'commune_admin', unit_code: UNITS.phucXa });
    commune = await srv.login('bc.tramyte', PASSWORD);
    for (const [name, unit, phone] of [['bc.to1', UNITS.phucXa, true], ['bc.to2', UNITS.phucXa, true],
      ['bc.to3', UNITS.phucXa, false], ['bc.khac', UNITS.trucBach, true], ['bc.tat', UNITS.phucXa, true]]) {
      phones[name] = phone ? uniquePhone() : null;
      const a = await createAccount(srv, admin, { username: name, role: 'tracer', unit_code: unit, ...(phone ? { phone: phones[name] } : {}) });
      if (name === 'bc.tat') {
        assertStatus(await srv.api('PATCH', `/api/v1/accounts/${a.id}`, { token: admin, body: { disabled: true } }), 200);
      }
    }
  });
  after(async () => {
    if (srv) await srv.stop();
    if (gw) await gw.stop();
  });

  test('the commune health station reaches its tracers with a phone, and only them', async () => {
    const text = 'Họp tổ COVID cộng đồng lúc 14 giờ tại trạm y tế phường.';
    const r = await srv.api('POST', '/api/v1/notify/broadcast', { token: commune, body: { role: 'tracer', text } });
    assertStatus(r, 200, 'broadcast');
    assert.deepEqual(r.json, { unit_code: UNITS.phucXa, role: 'tracer', queued: 2, without_phone: 1, by_email: 0, unreachable: 1 });
    for (let i = 0; i < 200 && gw.received.length < 2; i++) await sleep(50);
    await sleep(200);
    assert.deepEqual(gw.received.map((m) => m.to).sort(), [phones['bc.to1'], phones['bc.to2']].sort());
    for (const m of gw.received) {
      assert.equal(m.text, text);
      assert.equal(m.kind, 'broadcast');
    }
    // A district's admin reaches both communes' tracers (the disabled one never).
    await createAccount(srv, admin, { username: 'bc.quan', role: 'district_admin', unit_code: UNITS.baDinh });
    const district = await srv.login('bc.quan', PASSWORD);
    const d = await srv.api('POST', '/api/v1/notify/broadcast', { token: district, body: { role: 'tracer', text: 'Chào', unit_code: UNITS.baDinh } });
    assertStatus(d, 200);
    assert.equal(d.json.queued, 3);
    const audit = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: commune });
    assert.ok(audit.json.entries.some((e) => e.action === 'notify.broadcast'));
  });

  test('outside the area, or with bad input, nothing is queued', async () => {
    const before = (await srv.api('GET', '/api/v1/outbox?kind=broadcast&limit=500', { token: admin })).json.messages.length;
    const post = (body) => srv.api('POST', '/api/v1/notify/broadcast', { token: commune, body });
    assertError(await post({ role: 'tracer', text: 'x', unit_code: UNITS.trucBach }), 403, 'forbidden');
    assertError(await post({ role: 'tracer', text: 'x', unit_code: '99999' }), 400, 'invalid_field', 'unit_code');
    assertError(await post({ role: 'citizen', text: 'x' }), 400, 'invalid_field', 'role');
    assertError(await post({ role: 'chief', text: 'x' }), 400, 'invalid_field', 'role');
    assertError(await post({ role: 'tracer', text: '   ' }), 400, 'invalid_field', 'text');
    assertError(await post({ role: 'tracer', text: 'x'.repeat(481) }), 400, 'invalid_field', 'text');
    assertError(await post({ role: 'tracer' }), 400, 'missing_field', 'text');
    assertError(await post({ text: 'x' }), 400, 'missing_field', 'role');
    assertError(await post({ role: 'tracer', text: 'x', to: 'all' }), 400, 'unknown_field', 'to');
    const tracer = await srv.login('bc.to1', PASSWORD);
    assertError(await srv.api('POST', '/api/v1/notify/broadcast', { token: tracer, body: { role: 'tracer', text: 'x' } }), 403, 'forbidden');
    const after = (await srv.api('GET', '/api/v1/outbox?kind=broadcast&limit=500', { token: admin })).json.messages.length;
    assert.equal(after, before);
  });
});
