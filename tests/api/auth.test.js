'use strict';
// Sign-in, sessions (cookie and bearer), sign-out, failed-login limits, disabled accounts.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, ACCOUNT_KEYS, createAccount, assertError, assertStatus, uniqueName } = require('../lib/fixtures');

let srv;
let adminToken;

before(async () => {
  srv = await startServer();
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
});
after(async () => { if (srv) await srv.stop(); });

const login = (username, password) => srv.api('POST', '/api/v1/auth/login', { body: { username, password } });
const me = (opts) => srv.api('GET', '/api/v1/auth/me', opts);

/** The cordon_session cookie from a login answer: {pair: 'cordon_session=...', attrs: [...]} */
function sessionCookie(r) {
  const all = r.headers.getSetCookie();
  const c = all.find((h) => h.startsWith('cordon_session='));
  assert.ok(c, `no cordon_session cookie in ${JSON.stringify(all)}`);
  const [pair, ...attrs] = c.split(';').map((s) => s.trim());
  return { pair, attrs: attrs.map((a) => a.toLowerCase()) };
}

test('login with the right password answers a token, the account and a session cookie', async () => {
  const now = Math.floor(Date.now() / 1000);
  const r = await login(srv.adminUsername, srv.adminPassword);
  assertStatus(r, 200);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(typeof r.json.token, 'string');
  assert.ok(r.json.token.length >= 20, 'token long enough to be unguessable');
  assert.ok(Number.isInteger(r.json.expires_at), 'expires_at is epoch seconds');
  assert.ok(r.json.expires_at > now + 60 && r.json.expires_at < now + 400 * 86400, `expires_at ${r.json.expires_at}`);
  const a = r.json.account;
  for (const k of ACCOUNT_KEYS) assert.ok(k in a, `account.${k}`);
  assert.equal(a.username, srv.adminUsername);
  assert.equal(a.role, 'national_admin');
  assert.equal(a.unit_code, 'VN');
  assert.equal(a.disabled, false);
  assert.doesNotMatch(r.text, /pass|hash|salt|argon/i, 'no password material in the answer');

  const c = sessionCookie(r);
  assert.match(c.pair, /^cordon_session=[^;\s]{20,}$/);
  assert.ok(c.attrs.includes('httponly'), `HttpOnly in ${c.attrs}`);
  assert.ok(c.attrs.includes('samesite=strict'), `SameSite=Strict in ${c.attrs}`);
  assert.ok(c.attrs.includes('path=/'), `Path=/ in ${c.attrs}`);
});

test('two logins give two different tokens', async () => {
  const a = await srv.login(srv.adminUsername, srv.adminPassword);
  const b = await srv.login(srv.adminUsername, srv.adminPassword);
  assert.notEqual(a, b);
});

test('the session cookie authenticates', async () => {
  const r = await login(srv.adminUsername, srv.adminPassword);
  const { pair } = sessionCookie(r);
  const m = await me({ cookie: pair });
  assertStatus(m, 200);
  assert.equal(m.json.username, srv.adminUsername);
});

test('the bearer token authenticates and /auth/me answers the account', async () => {
  const m = await me({ token: adminToken });
  assertStatus(m, 200);
  for (const k of ACCOUNT_KEYS) assert.ok(k in m.json, `account.${k}`);
  assert.equal(m.json.username, srv.adminUsername);
  assert.equal(m.json.role, 'national_admin');
  assert.equal(m.json.unit_code, 'VN');
  assert.doesNotMatch(m.text, /pass|hash|salt|argon/i);
});

test('no credentials, a bad token or a bad cookie answer 401', async () => {
  assertError(await me(), 401, 'unauthenticated');
  assertError(await me({ token: 'not-a-real-token' }), 401, 'unauthenticated');
  assertError(await me({ token: `${adminToken}x` }), 401, 'unauthenticated');
  assertError(await me({ headers: { authorization: 'Bearer ' } }), 401, 'unauthenticated');
  assertError(await me({ headers: { authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` } }),
    401, 'unauthenticated');
  assertError(await me({ cookie: 'cordon_session=garbage' }), 401, 'unauthenticated');
  assertError(await me({ cookie: `other=${adminToken}` }), 401, 'unauthenticated');
});

test('logout with a bearer token revokes it and only it', async () => {
  const t1 = await srv.login(srv.adminUsername, srv.adminPassword);
  const t2 = await srv.login(srv.adminUsername, srv.adminPassword);
  assertStatus(await me({ token: t1 }), 200);
  const out = await srv.api('POST', '/api/v1/auth/logout', { token: t1 });
  assertStatus(out, 204);
  assert.equal(out.text, '');
  assertError(await me({ token: t1 }), 401, 'unauthenticated');
  assertError(await srv.api('POST', '/api/v1/auth/logout', { token: t1 }), 401, 'unauthenticated');
  assertStatus(await me({ token: t2 }), 200, 'another session of the same account survives');
});

test('logout with the cookie revokes the session', async () => {
  const r = await login(srv.adminUsername, srv.adminPassword);
  const { pair } = sessionCookie(r);
  assertStatus(await me({ cookie: pair }), 200);
  // A browser names the page's origin on every write; cookie writes need it (secrets.test.js).
  assertStatus(await srv.api('POST', '/api/v1/auth/logout', { cookie: pair, headers: { origin: srv.url } }), 204);
  assertError(await me({ cookie: pair }), 401, 'unauthenticated');
  assertError(await me({ token: r.json.token }), 401, 'unauthenticated'); // the token of the same login
});

test('logout without credentials answers 401', async () => {
  assertError(await srv.api('POST', '/api/v1/auth/logout'), 401, 'unauthenticated');
});

test('a wrong password and an unknown user answer the same 401', async () => {
  const username = uniqueName('auth.wrong');
  await createAccount(srv, adminToken, { username, role: 'sampler', unit_code: UNITS.phucXa });
  const wrong = await login(username, 'Not-the-password-1');
  assertError(wrong, 401, 'unauthenticated');
  const unknown = await login('no.such.user', 'Not-the-password-1');
  assertError(unknown, 401, 'unauthenticated');
  assert.equal(wrong.json.error.message, unknown.json.error.message);
  const cookies = wrong.headers.getSetCookie().map((c) => c.split(';')[0].trim());
  assert.ok(!cookies.some((c) => /^cordon_session=.+/.test(c)), `no session cookie on failure: ${cookies}`);
  assert.ok(!('token' in wrong.json));
  assertStatus(await login(username, PASSWORD), 200, 'the right password still works');
});

test('after 5 failed logins the 6th attempt gets 429 with Retry-After, even with the right password', async () => {
  const username = uniqueName('auth.limit');
  await createAccount(srv, adminToken, { username, role: 'tracer', unit_code: UNITS.phucXa });
  for (let i = 1; i <= 5; i++) {
    assertError(await login(username, `Wrong-password-${i}`), 401, 'unauthenticated');
  }
  const r = await login(username, PASSWORD);
  assertError(r, 429, 'rate_limited');
  const ra = r.headers.get('retry-after');
  assert.match(ra || '', /^\d+$/, `Retry-After: ${ra}`);
  assert.ok(Number(ra) >= 1 && Number(ra) <= 15 * 60, `Retry-After ${ra} within the 15-minute window`);
  assert.ok(!('token' in r.json));
  assertError(await login(username, 'Wrong-password-7'), 429, 'rate_limited');
});

test('the failed-login limit is per username', async () => {
  const locked = uniqueName('auth.locked');
  const other = uniqueName('auth.other');
  await createAccount(srv, adminToken, { username: locked, role: 'lab', unit_code: UNITS.phucXa });
  await createAccount(srv, adminToken, { username: other, role: 'lab', unit_code: UNITS.phucXa });
  for (let i = 0; i < 6; i++) await login(locked, 'Wrong-password-x');
  assertError(await login(locked, PASSWORD), 429, 'rate_limited');
  assertStatus(await login(other, PASSWORD), 200);
});

test('fewer than 5 failures do not block, and the count is of failures only', async () => {
  const username = uniqueName('auth.four');
  await createAccount(srv, adminToken, { username, role: 'lab', unit_code: UNITS.phucXa });
  for (let i = 0; i < 4; i++) assertError(await login(username, 'Wrong-password-x'), 401, 'unauthenticated');
  assertStatus(await login(username, PASSWORD), 200);
  assertStatus(await login(username, PASSWORD), 200);
});

test('a disabled account cannot log in and its existing token stops working', async () => {
  const username = uniqueName('auth.disabled');
  const acc = await createAccount(srv, adminToken, { username, role: 'vaccinator', unit_code: UNITS.phucXa });
  const t = await srv.login(username, PASSWORD);
  const loginCookie = sessionCookie(await login(username, PASSWORD)).pair;
  assertStatus(await me({ token: t }), 200);
  const p = await srv.api('PATCH', `/api/v1/accounts/${acc.id}`, { token: adminToken, body: { disabled: true } });
  assertStatus(p, 200);
  assert.equal(p.json.disabled, true);
  assertError(await me({ token: t }), 401, 'unauthenticated');
  assertError(await me({ cookie: loginCookie }), 401, 'unauthenticated');
  const l = await login(username, PASSWORD);
  assertError(l, 401, 'unauthenticated');

  // Enabling it again lets it log in (the old sessions may stay revoked).
  assertStatus(await srv.api('PATCH', `/api/v1/accounts/${acc.id}`, { token: adminToken, body: { disabled: false } }), 200);
  assertStatus(await login(username, PASSWORD), 200);
});

test('a password change through PATCH takes effect', async () => {
  const username = uniqueName('auth.pwchange');
  const acc = await createAccount(srv, adminToken, { username, role: 'lab', unit_code: UNITS.phucXa });
  const p = await srv.api('PATCH', `/api/v1/accounts/${acc.id}`,
    { token: adminToken, body: { password: 'Another-Strong-Pass-9' } });
  assertStatus(p, 200);
  assertError(await login(username, PASSWORD), 401, 'unauthenticated');
  assertStatus(await login(username, 'Another-Strong-Pass-9'), 200);
});
