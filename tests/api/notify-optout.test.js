'use strict';
// A citizen declines non-essential messages (docs/api-notify.md): GET/PUT /api/v1/me/notifications.
// The choice is kept by phone; sign-in codes still come (essential). Which kinds are declined,
// and that a declined message is never queued, is tested in tests/unit/notify/test_sender.c.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');
const { uniquePhone, citizenLogin } = require('../lib/people');

describe('opting out', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('a citizen declines and takes back non-essential messages; codes still come', async () => {
    const phone = uniquePhone();
    const { token } = await citizenLogin(srv, admin, phone);
    let r = await srv.api('GET', '/api/v1/me/notifications', { token });
    assertStatus(r, 200);
    assert.deepEqual(r.json, { opt_out: false, optional_kinds: ['vaccine_invitation', 'vaccine_due', 'reminder'] });
    r = await srv.api('PUT', '/api/v1/me/notifications', { token, body: { opt_out: true } });
    assertStatus(r, 200);
    assert.equal(r.json.opt_out, true);
    // Twice is the same.
    assertStatus(await srv.api('PUT', '/api/v1/me/notifications', { token, body: { opt_out: true } }), 200);
    assert.equal((await srv.api('GET', '/api/v1/me/notifications', { token })).json.opt_out, true);
    // A sign-in code is essential: it is still queued.
    assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
    const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: admin });
    assert.equal(out.json.messages.length, 2);
    r = await srv.api('PUT', '/api/v1/me/notifications', { token, body: { opt_out: false } });
    assert.equal(r.json.opt_out, false);
    assert.equal((await srv.api('GET', '/api/v1/me/notifications', { token })).json.opt_out, false);
  });

  test('bad input is refused naming the field', async () => {
    const { token } = await citizenLogin(srv, admin, uniquePhone());
    const put = (body) => srv.api('PUT', '/api/v1/me/notifications', { token, body });
    assertError(await put({}), 400, 'missing_field', 'opt_out');
    assertError(await put({ opt_out: 'yes' }), 400, 'invalid_field', 'opt_out');
    assertError(await put({ opt_out: true, email: 'x' }), 400, 'unknown_field', 'email');
    assertError(await srv.api('GET', '/api/v1/me/notifications', { token: admin }), 403, 'forbidden');
  });
});
