'use strict';
// Message templates (docs/api-notify.md): national admins read and change the Vietnamese and
// English texts of a kind, using only its fields; the sign-in code message follows the new text
// and stays masked in the outbox.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');
const { uniquePhone } = require('../lib/people');

describe('templates', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('the shipped sign-in text, then a national admin\'s own, used by the next code', async () => {
    let r = await srv.api('GET', '/api/v1/notify/templates', { token: admin });
    assertStatus(r, 200);
    const otp = r.json.templates.find((t) => t.kind === 'otp');
    assert.deepEqual(otp.fields, ['code', 'minutes']);
    assert.equal(otp.changed, false);
    assert.match(otp.body_vi, /^Mã xác thực Cordon: \{code\}\./);
    assert.match(otp.body_en, /\{code\}/);
    const body_vi = 'Cordon - mã đăng nhập {code}, dùng trong {minutes} phút.';
    r = await srv.api('PUT', '/api/v1/notify/templates/otp', { token: admin, body: { body_vi, body_en: 'Cordon code {code}, {minutes} min.' } });
    assertStatus(r, 200);
    assert.equal(r.json.changed, true);
    assert.equal(r.json.body_vi, body_vi);
    const phone = uniquePhone();
    assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
    const [m] = (await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: admin })).json.messages;
    assert.equal(m.body, 'Cordon - mã đăng nhập ******, dùng trong 5 phút.');
    assert.match(m.text, /^Cordon - mã đăng nhập \d{6}, dùng trong 5 phút\.$/);
    // The sign-in works with it.
    const code = m.text.match(/(\d{6})/)[1];
    assertStatus(await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } }), 200);
    r = await srv.api('GET', '/api/v1/notify/templates', { token: admin });
    assert.equal(r.json.templates.find((t) => t.kind === 'otp').body_vi, body_vi);
  });

  test('only the kind\'s fields, the code exactly once', async () => {
    const put = (body, kind = 'otp') => srv.api('PUT', `/api/v1/notify/templates/${kind}`, { token: admin, body });
    const en = 'Code {code}';
    assertError(await put({ body_vi: 'Mã {code} của {name}', body_en: en }), 400, 'invalid_field', 'body_vi');
    assertError(await put({ body_vi: 'Không có mã', body_en: en }), 400, 'invalid_field', 'body_vi');
    assertError(await put({ body_vi: '{code} {code}', body_en: en }), 400, 'invalid_field', 'body_vi');
    assertError(await put({ body_vi: 'Mã {code', body_en: en }), 400, 'invalid_field', 'body_vi');
    assertError(await put({ body_vi: 'Mã {code}', body_en: 'no code' }), 400, 'invalid_field', 'body_en');
    assertError(await put({ body_vi: `Mã {code} ${'x'.repeat(480)}`, body_en: en }), 400, 'invalid_field', 'body_vi');
    assertError(await put({ body_vi: 'Mã {code}' }), 400, 'missing_field', 'body_en');
    assertError(await put({ body_vi: 'Mã {code}', body_en: en, body_fr: 'x' }), 400, 'unknown_field', 'body_fr');
    assertError(await put({ body_vi: 'Mã {code}', body_en: en }, 'lottery'), 404, 'not_found', 'kind');
  });
});
