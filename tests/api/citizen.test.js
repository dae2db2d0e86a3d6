'use strict';
// Citizen sign-in by one-time SMS code and the citizen's own record (docs/api.md "Citizen
// sign-in"): codes through the outbox, single use, expiry, rate limit, wrong-code lockout,
// sessions, GET/PUT /api/v1/me, /api/v1/me/qr, bad input.
//
// Codes expire after CORDON_OTP_TTL seconds (default 300); the expiry test starts its own server
// with CORDON_OTP_TTL=1.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, createAccount, PASSWORD, assertError, assertStatus } = require('../lib/fixtures');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { uniquePhone, uniqueCccd, lastOtp, citizenLogin, createPerson, PERSON_KEYS } = require('../lib/people');

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
});
after(async () => { if (srv) await srv.stop(); });

const OTP = '/api/v1/citizen/otp';
const LOGIN = '/api/v1/citizen/login';
const askCode = (phone) => srv.api('POST', OTP, { body: { phone } });
const login = (phone, code) => srv.api('POST', LOGIN, { body: { phone, code } });
const wrong = (code) => String((Number(code) + 1) % 1000000).padStart(6, '0');

/** Rows of a query straight from the database, columns joined by '|'. */
function sql(query) {
  const r = srv.store === 'sqlite'
    ? spawnSync('sqlite3', [srv.dbUrl.slice('sqlite:'.length), query], { encoding: 'utf8' })
    : spawnSync('psql', [srv.dbUrl, '-A', '-t', '-c', query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.length);
}

function stableStats() {
  const s = srv.dbStats();
  delete s.tables.audit_log;
  delete s.tables.login_attempts;
  return s;
}

describe('sign-in', () => {
  test('a code arrives in the outbox; signing in makes a person holding only the phone', async () => {
    const phone = uniquePhone();
    const r = await askCode(`+84${phone.slice(1)}`);
    assertStatus(r, 202);
    assert.deepEqual(r.json, { expires_in: 300 });
    const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: admin });
    assert.equal(out.json.messages.length, 1);
    assert.equal(out.json.messages[0].channel, 'sms');
    // Stored masked; the code is only in the text a sender gets (shown here because tests run with dev = 1).
    assert.match(out.json.messages[0].body, /^Mã xác thực Cordon: \*{6}\./);
    assert.doesNotMatch(out.json.messages[0].body, /\d{6}/);
    assert.match(out.json.messages[0].text, /^Mã xác thực Cordon: \d{6}\./);
    const code = await lastOtp(srv, admin, phone);
    const l = await login(phone, code);
    assertStatus(l, 200);
    assert.equal(typeof l.json.token, 'string');
    assert.ok(l.json.expires_at > Date.now() / 1000);
    assert.equal(l.json.profile_complete, false);
    assert.deepEqual(Object.keys(l.json.person).sort(), [...PERSON_KEYS].sort());
    assert.equal(l.json.person.phone, phone);
    assert.equal(l.json.person.full_name, null);
    assert.match(l.headers.get('set-cookie') || '', /^cordon_session=[^;]+;.*HttpOnly/);
    // The cookie works as well as the bearer token.
    const cookie = l.headers.get('set-cookie').split(';')[0];
    const me = await srv.api('GET', '/api/v1/me', { cookie });
    assertStatus(me, 200);
    assert.equal(me.json.person.id, l.json.person.id);
    assert.equal(me.json.profile_complete, false);
    assert.deepEqual(me.json.managed, []);
    // The same phone signs in as the same person next time.
    const again = await citizenLogin(srv, admin, phone);
    assert.equal(again.person.id, l.json.person.id);
  });

  test('the code is stored as SHA-256 of "phone:code", never in clear', async () => {
    const phone = uniquePhone();
    await askCode(phone);
    const code = await lastOtp(srv, admin, phone);
    const rows = sql(`SELECT code_hash, created_at, expires_at, attempts FROM otp_codes WHERE phone = '${phone}'`);
    assert.equal(rows.length, 1);
    const [hash, created, expires, attempts] = rows[0].split('|');
    assert.equal(hash, crypto.createHash('sha256').update(`${phone}:${code}`).digest('hex'));
    assert.equal(Number(expires) - Number(created), 300);
    assert.equal(attempts, '0');
    assert.ok(!rows[0].includes(code) || hash.includes(code), 'the code is not a column of its own');
    assertStatus(await login(phone, code), 200);
  });

  test('a code works once', async () => {
    const phone = uniquePhone();
    await askCode(phone);
    const code = await lastOtp(srv, admin, phone);
    assertStatus(await login(phone, code), 200);
    assertError(await login(phone, code), 401, 'unauthenticated', 'code');
  });

  test('a code works only for its phone', async () => {
    const a = uniquePhone();
    const b = uniquePhone();
    await askCode(a);
    const code = await lastOtp(srv, admin, a);
    assertError(await login(b, code), 401, 'unauthenticated', 'code');
    assertStatus(await login(a, code), 200);
  });

  test('4 wrong codes leave the right one usable; 5 void every code of the phone', async () => {
    const p1 = uniquePhone();
    await askCode(p1);
    const c1 = await lastOtp(srv, admin, p1);
    for (let i = 0; i < 4; i++) assertError(await login(p1, wrong(c1)), 401, 'unauthenticated', 'code');
    assertStatus(await login(p1, c1), 200);

    const p2 = uniquePhone();
    await askCode(p2);
    const first = await lastOtp(srv, admin, p2);
    await askCode(p2);
    const second = await lastOtp(srv, admin, p2);
    let bad = '000000';
    if (bad === first || bad === second) bad = '000001';
    if (bad === first || bad === second) bad = '000002';
    for (let i = 0; i < 5; i++) assertError(await login(p2, bad), 401, 'unauthenticated', 'code');
    assertError(await login(p2, second), 401, 'unauthenticated', 'code');
    assertError(await login(p2, first), 401, 'unauthenticated', 'code');
    // A new code (the third of the window) works again.
    await askCode(p2);
    assertStatus(await login(p2, await lastOtp(srv, admin, p2)), 200);
  });

  test('at most 3 codes per phone per 15 minutes: the 4th is 429 with Retry-After', async () => {
    const phone = uniquePhone();
    for (let i = 0; i < 3; i++) assertStatus(await askCode(phone), 202);
    const before = stableStats();
    const r = await askCode(phone);
    assertError(r, 429, 'rate_limited', 'phone');
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(wait) && wait > 800 && wait <= 900, `Retry-After ${r.headers.get('retry-after')}`);
    assert.deepEqual(stableStats(), before, 'no code and no SMS for a refused request');
    const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: admin });
    assert.equal(out.json.messages.length, 3);
    // Another phone is not limited.
    assertStatus(await askCode(uniquePhone()), 202);
  });

  test('a signed-in citizen signs out', async () => {
    const l = await citizenLogin(srv, admin, uniquePhone());
    assertStatus(await srv.api('POST', '/api/v1/auth/logout', { token: l.token }), 204);
    assertError(await srv.api('GET', '/api/v1/me', { token: l.token }), 401, 'unauthenticated');
  });
});

test('a code expires after CORDON_OTP_TTL seconds', async () => {
  // 3 s: long enough for a fresh code to be used at once on a loaded machine
  const short = await startServer({ env: { CORDON_OTP_TTL: '3' } });
  try {
    const tok = await short.login(short.adminUsername, short.adminPassword);
    const phone = uniquePhone();
    const r = await short.api('POST', OTP, { body: { phone } });
    assert.deepEqual(r.json, { expires_in: 3 });
    const code = await lastOtp(short, tok, phone);
    await new Promise((res) => { setTimeout(res, 4200); });
    const l = await short.api('POST', LOGIN, { body: { phone, code } });
    assertError(l, 401, 'unauthenticated', 'code');
    // A fresh code used at once still works.
    await short.api('POST', OTP, { body: { phone } });
    const fresh = await lastOtp(short, tok, phone);
    assertStatus(await short.api('POST', LOGIN, { body: { phone, code: fresh } }), 200);
  } finally {
    await short.stop();
  }
});

describe('my record', () => {
  let me;
  before(async () => { me = await citizenLogin(srv, admin, uniquePhone()); });

  test('PUT /api/v1/me completes the profile; fields left out keep their value', async () => {
    const cccd = uniqueCccd();
    const r = await srv.api('PUT', '/api/v1/me', {
      token: me.token,
      body: { full_name: 'Đoàn Thị Điểm', date_of_birth: '1985-06-15', sex: 'female', cccd, commune_code: UNITS.phucXa },
    });
    assertStatus(r, 200);
    assert.equal(r.json.full_name, 'Đoàn Thị Điểm');
    assert.equal(r.json.phone, me.person.phone);
    const g = await srv.api('GET', '/api/v1/me', { token: me.token });
    assert.equal(g.json.profile_complete, true);
    const r2 = await srv.api('PUT', '/api/v1/me', { token: me.token, body: { street: '7 Hàng Gai' } });
    assertStatus(r2, 200);
    assert.equal(r2.json.street, '7 Hàng Gai');
    assert.equal(r2.json.cccd, cccd);
    assert.equal(r2.json.full_name, 'Đoàn Thị Điểm');
    // Now staff of Phúc Xá find the citizen, staff of HCM do not.
    await createAccount(srv, admin, { username: 'c.phucxa', role: 'commune_admin', unit_code: UNITS.phucXa });
    const staff = await srv.login('c.phucxa', PASSWORD);
    const s = await srv.api('GET', `/api/v1/people/search?cccd=${cccd}`, { token: staff });
    assert.deepEqual(s.json.people.map((p) => p.id), [me.person.id]);
  });

  test('the phone cannot change; a CCCD of another person is 409; cccd with cmnd is 400 on cmnd', async () => {
    assertError(await srv.api('PUT', '/api/v1/me', { token: me.token, body: { phone: '0977777777' } }),
      400, 'invalid_field', 'phone');
    assertStatus(await srv.api('PUT', '/api/v1/me', { token: me.token, body: { phone: me.person.phone } }), 200);
    const other = await createPerson(srv, admin, { cccd: uniqueCccd(), full_name: 'Người Khác' });
    const before = stableStats();
    assertError(await srv.api('PUT', '/api/v1/me', { token: me.token, body: { cccd: other.person.cccd } }),
      409, 'conflict', 'cccd');
    assertError(await srv.api('PUT', '/api/v1/me', { token: me.token, body: { cmnd: '111222333' } }),
      400, 'invalid_field', 'cmnd');
    assert.deepEqual(stableStats(), before);
  });

  test('GET /api/v1/me/qr: CDN1.P.<code>.<serial>.<kid>.<signature>', async () => {
    const r = await srv.api('GET', '/api/v1/me/qr', { token: me.token });
    assertStatus(r, 200);
    const parts = r.json.payload.split('.');
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ['CDN1', 'P', me.person.code, String(r.json.serial)]);
    assert.equal(parts[5].length, 86);
    const v = await srv.api('POST', '/api/v1/qr/verify', { body: { payload: r.json.payload } });
    assert.equal(v.json.valid, true, v.text);
    const t = await srv.api('POST', '/api/v1/qr/verify', { body: { payload: r.json.payload.replace('.P.', '.P.X') } });
    assert.equal(t.json.valid, false);
  });

  test('a citizen reads only their own person', async () => {
    const stranger = await createPerson(srv, admin, { full_name: 'Người Lạ' });
    assertStatus(await srv.api('GET', `/api/v1/people/${me.person.id}`, { token: me.token }), 200);
    for (const p of [`/api/v1/people/${stranger.person.id}`, '/api/v1/people/999999',
      `/api/v1/people/${stranger.person.id}/card.png`, `/api/v1/me/qr?person_id=${stranger.person.id}`]) {
      assertError(await srv.api('GET', p, { token: me.token }), 403, 'forbidden');
    }
    assertError(await srv.api('POST', `/api/v1/people/${stranger.person.id}/qr/revoke`, { token: me.token }),
      403, 'forbidden');
    assertError(await srv.api('GET', '/api/v1/people/search?q=nguoi', { token: me.token }), 403, 'forbidden');
    assertError(await srv.api('POST', '/api/v1/people', { token: me.token, body: { full_name: 'X' } }), 403, 'forbidden');
  });
});

describe('bad input', () => {
  let me;
  before(async () => { me = await citizenLogin(srv, admin, uniquePhone()); });
  const P = uniquePhone();
  // [name, path, request {body | raw, auth}, status, code, field]
  const CASES = [
    ['otp: no phone', OTP, { body: {} }, 400, 'missing_field', 'phone'],
    ['otp: landline', OTP, { body: { phone: '0241234567' } }, 400, 'invalid_field', 'phone'],
    ['otp: letters', OTP, { body: { phone: 'abcdefghij' } }, 400, 'invalid_field', 'phone'],
    ['otp: number', OTP, { body: { phone: 912345678 } }, 400, 'invalid_field', 'phone'],
    ['otp: too long', OTP, { body: { phone: '0'.repeat(40) } }, 400, 'invalid_field', 'phone'],
    ['otp: unknown field', OTP, { body: { phone: P, code: '123456' } }, 400, 'unknown_field', 'code'],
    ['otp: not JSON', OTP, { raw: '{"phone":' }, 400, 'invalid_json'],
    ['login: no code', LOGIN, { body: { phone: P } }, 400, 'missing_field', 'code'],
    ['login: 5-digit code', LOGIN, { body: { phone: P, code: '12345' } }, 400, 'invalid_field', 'code'],
    ['login: 7-digit code', LOGIN, { body: { phone: P, code: '1234567' } }, 400, 'invalid_field', 'code'],
    ['login: code with letters', LOGIN, { body: { phone: P, code: '12a456' } }, 400, 'invalid_field', 'code'],
    ['login: code as number', LOGIN, { body: { phone: P, code: 123456 } }, 400, 'invalid_field', 'code'],
    ['login: bad phone', LOGIN, { body: { phone: '12', code: '123456' } }, 400, 'invalid_field', 'phone'],
    ['login: SQL in code', LOGIN, { body: { phone: P, code: "1' OR" } }, 400, 'invalid_field', 'code'],
    ['me: empty body', '/api/v1/me', { method: 'PUT', me: 1, body: {} }, 400, 'missing_field'],
    ['me: bad date', '/api/v1/me', { method: 'PUT', me: 1, body: { date_of_birth: '2020-13-01' } }, 400, 'invalid_field', 'date_of_birth'],
    ['me: bad name', '/api/v1/me', { method: 'PUT', me: 1, body: { full_name: '<b>An</b>' } }, 400, 'invalid_field', 'full_name'],
    ['me: bad commune', '/api/v1/me', { method: 'PUT', me: 1, body: { commune_code: '01' } }, 400, 'invalid_field', 'commune_code'],
    ['me: bad bhyt', '/api/v1/me', { method: 'PUT', me: 1, body: { bhyt: 'DN9' } }, 400, 'invalid_field', 'bhyt'],
    ['me: id is not a field', '/api/v1/me', { method: 'PUT', me: 1, body: { id: 1 } }, 400, 'unknown_field', 'id'],
    ['me: client_id is not a field', '/api/v1/me', { method: 'PUT', me: 1, body: { client_id: 'abcdefgh1' } }, 400, 'unknown_field', 'client_id'],
    ['me/qr: person_id zero', '/api/v1/me/qr?person_id=0', { method: 'GET', me: 1 }, 400, 'invalid_field', 'person_id'],
    ['me/qr: person_id text', '/api/v1/me/qr?person_id=me', { method: 'GET', me: 1 }, 400, 'invalid_field', 'person_id'],
  ];
  let statsBefore;
  test('setup', () => { statsBefore = stableStats(); });
  for (const [name, p, req, status, code, field] of CASES) {
    test(name, async () => {
      const opts = {};
      if (req.raw !== undefined) opts.rawBody = req.raw;
      else if (req.body !== undefined) opts.body = req.body;
      if (req.me) opts.token = me.token;
      const r = await srv.api(req.method || 'POST', p, opts);
      assertError(r, status, code, field);
    });
  }
  test('nothing was written', () => {
    const now = stableStats();
    delete now.tables.sessions;
    delete statsBefore.tables.sessions;
    assert.deepEqual(now, statsBefore);
  });
});
