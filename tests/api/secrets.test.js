'use strict';
// Secrets: sign-in codes masked in the outbox and deleted by outbox_retention; QR and DCC
// signing keys sealed under the key-encryption key (never in the database in clear), the
// wrong key refused at start, `cordon keys rotate-kek` round trip; cookie-signed writes need
// a same-origin Origin or Referer; Secure cookies under an https public_url.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, runBin, TEST_KEK } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');
const { citizenLogin, freshPhone } = require('../lib/checkin');

let srv;
let admin;
const tmpDirs = [];

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin', srv.adminPassword);
});
after(async () => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
  if (srv) await srv.stop();
});

/** Rows of a query straight from the database of s, columns joined by '|'. */
function sql(s, query) {
  const r = s.store === 'sqlite'
    ? spawnSync('sqlite3', [s.dbUrl.slice('sqlite:'.length), query], { encoding: 'utf8' })
    : spawnSync('psql', [s.dbUrl, '-A', '-t', '-c', query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.length);
}

/** Every byte of the database as text: sqlite3 .dump or pg_dump. */
function dump(s) {
  const r = s.store === 'sqlite'
    ? spawnSync('sqlite3', [s.dbUrl.slice('sqlite:'.length), '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync('pg_dump', ['--data-only', s.dbUrl], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function tmpFile(name, content) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-secrets-'));
  tmpDirs.push(dir);
  const f = path.join(dir, name);
  fs.writeFileSync(f, content, { mode: 0o600 });
  return f;
}

const newKek = () => crypto.randomBytes(32).toString('hex');

// ---------------------------------------------------------------- outbox

test('the outbox keeps a sign-in code masked, in the listing and in the table', async () => {
  const phone = freshPhone();
  assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
  const r = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: admin });
  assertStatus(r, 200);
  const m = r.json.messages[0];
  assert.match(m.body, /^Mã xác thực Cordon: \*{6}\./);
  assert.doesNotMatch(m.body, /\d{6}/);
  // Development mode (the tests' server) renders the text a sender would get; the code is real.
  const code = /(\d{6})/.exec(m.text)[1];
  const rows = sql(srv, `SELECT body, secret, kek_id FROM outbox WHERE recipient = '${phone}'`);
  assert.equal(rows.length, 1);
  assert.ok(!rows[0].includes(code), `the code ${code} is readable in ${rows[0]}`);
  assert.match(rows[0].split('|')[2], /^[0-9a-f]{16}$/);
  assertStatus(await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } }), 200);
});

test('outbox_retention deletes expired codes and messages delivered long ago', async () => {
  const phone = freshPhone();
  assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
  const now = Math.floor(Date.now() / 1000);
  const [id] = sql(srv, `SELECT id FROM outbox WHERE recipient = '${phone}'`);
  // Three other messages: delivered 8 days ago, delivered yesterday, never sent and never expiring.
  const other = freshPhone();
  for (const [kind, sent] of [['old', now - 8 * 86400], ['recent', now - 86400], ['pending', null]]) {
    sql(srv, `INSERT INTO outbox (channel, recipient, kind, body, created_at, sent_at, attempts)
              VALUES ('sms', '${other}', '${kind}', 'Cordon', ${now - 9 * 86400}, ${sent === null ? 'NULL' : sent}, 1)`);
  }
  let j = srv.cli(['jobs', 'run', '--force', '--job', 'outbox_retention', '--now', String(now + 10)]);
  assert.equal(j.status, 0, j.stderr);
  assert.deepEqual(sql(srv, `SELECT id FROM outbox WHERE recipient = '${phone}'`), [id], 'a live code stays');
  assert.deepEqual(sql(srv, `SELECT kind FROM outbox WHERE recipient = '${other}' ORDER BY kind`),
    ['pending', 'recent']);
  // Past the code's TTL (300 s) it goes; delivered messages go 7 days (the default) after delivery.
  j = srv.cli(['jobs', 'run', '--force', '--job', 'outbox_retention', '--now', String(now + 301)]);
  assert.equal(j.status, 0, j.stderr);
  assert.deepEqual(sql(srv, `SELECT id FROM outbox WHERE recipient = '${phone}'`), []);
  assert.deepEqual(sql(srv, `SELECT kind FROM outbox WHERE recipient = '${other}' ORDER BY kind`),
    ['pending', 'recent']);
  j = srv.cli(['jobs', 'run', '--force', '--job', 'outbox_retention', '--now', String(now + 6 * 86400 + 60)]);
  assert.equal(j.status, 0, j.stderr);
  assert.deepEqual(sql(srv, `SELECT kind FROM outbox WHERE recipient = '${other}' ORDER BY kind`), ['pending']);
});

// ---------------------------------------------------------------- signing keys

test('the database holds no signing key in clear', async () => {
  const keys = await srv.api('GET', '/api/v1/keys');
  assertStatus(keys, 200);
  const dcc = srv.cli(['dcc', 'keys']);
  assert.equal(dcc.status, 0, dcc.stderr);
  const text = dump(srv);
  assert.ok(text.includes(Object.values(JSON.parse(dcc.stdout))[0].split('\n')[1]), 'the dump holds the certificate');
  assert.doesNotMatch(text, /PRIVATE KEY/);
  // An Ed25519 secret key in libsodium's form ends with its public key: look for any 64-byte
  // base64url string whose second half is a listed public key.
  const pubs = keys.json.keys.map((k) => Buffer.from(k.public_key, 'base64url'));
  assert.ok(pubs.length >= 1);
  for (const m of text.matchAll(/[A-Za-z0-9_-]{86}/g)) {
    const raw = Buffer.from(m[0], 'base64url');
    assert.ok(!pubs.some((pk) => raw.length === 64 && raw.subarray(32).equals(pk)), `a secret key in clear: ${m[0]}`);
  }
  for (const table of ['signing_keys', 'dcc_keys']) {
    const ids = sql(srv, `SELECT DISTINCT kek_id FROM ${table}`);
    assert.equal(ids.length, 1, `${table}: ${ids}`);
    assert.match(ids[0], /^[0-9a-f]{16}$/);
  }
});

test('a server without a key-encryption key, or with the wrong one, refuses to start', () => {
  const listen = ['--listen', '127.0.0.1:0'];
  let r = srv.cli(['serve', ...listen], '', { CORDON_KEK: newKek() });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /sealed under key-encryption key [0-9a-f]{16}, but the configured key is [0-9a-f]{16}/);
  r = srv.cli(['serve', ...listen], '', { CORDON_KEK: '', CORDON_DEV: '0' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no key-encryption key: set CORDON_KEK/);
  r = srv.cli(['serve', ...listen], '', { CORDON_KEK: 'abc' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /CORDON_KEK must be 64 hex characters/);
});

test('cordon keys rotate-kek re-seals every secret; the server starts with the new key', async () => {
  const env = {};
  const s = await startServer({ env });
  try {
    const a = await s.login('admin', s.adminPassword);
    const cit = await citizenLogin(s, a, freshPhone());
    const before = await s.api('GET', '/api/v1/me/qr', { token: cit.token });
    assertStatus(before, 200);
    const kid = Object.keys(JSON.parse(s.cli(['dcc', 'keys']).stdout))[0];
    assertStatus(await s.api('POST', '/api/v1/citizen/otp', { body: { phone: freshPhone() } }), 202);
    await s.kill();

    const help = runBin(['keys', 'rotate-kek', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--new-kek-file FILE/);
    const hex = newKek();
    const file = tmpFile('new.kek', `${hex}\n`);
    const r = s.cli(['keys', 'rotate-kek', '--new-kek-file', file]);
    assert.equal(r.status, 0, r.stderr);
    // The QR key, the DCC key and two queued codes.
    assert.match(r.stderr, /re-sealing secrets: 100% \(4\/4\)/);
    assert.match(r.stderr, /4 secrets are now sealed under key-encryption key [0-9a-f]{16}/);
    for (const table of ['signing_keys', 'dcc_keys', 'outbox']) {
      const ids = sql(s, `SELECT DISTINCT kek_id FROM ${table} WHERE kek_id IS NOT NULL`);
      assert.equal(ids.length, 1, table);
    }
    // The old key opens nothing now; the new one, from the environment or a file, opens all.
    assert.notEqual(s.cli(['dcc', 'keys']).status, 0);
    assert.deepEqual(Object.keys(JSON.parse(s.cli(['dcc', 'keys'], '', { CORDON_KEK: hex }).stdout)), [kid]);
    const viaFile = s.cli(['dcc', 'keys'], '', { CORDON_KEK: '', CORDON_KEK_FILE: file });
    assert.deepEqual(Object.keys(JSON.parse(viaFile.stdout)), [kid]);

    env.CORDON_KEK = hex;
    await s.restart();
    const old = await s.api('POST', '/api/v1/qr/verify', { body: { payload: before.json.payload } });
    assertStatus(old, 200);
    assert.equal(old.json.valid, true, old.text);
    const again = await s.api('GET', '/api/v1/me/qr', { token: cit.token });
    assertStatus(again, 200, 'signing with the re-sealed key');
    const fresh = await s.api('POST', '/api/v1/qr/verify', { body: { payload: again.json.payload } });
    assert.equal(fresh.json.valid, true, fresh.text);
  } finally {
    await s.stop();
  }
});

test('cordon keys rotate adds a QR key and a DCC generation; old signatures keep verifying', async () => {
  const cit = await citizenLogin(srv, admin, freshPhone());
  const before = await srv.api('GET', '/api/v1/me/qr', { token: cit.token });
  assertStatus(before, 200);
  const r = srv.cli(['keys', 'rotate']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /new QR signing key k2/);
  assert.match(r.stderr, /new DCC signing key, generation 2/);
  assert.deepEqual(sql(srv, 'SELECT COUNT(DISTINCT kek_id) FROM dcc_keys'), ['1']);
  await srv.restart();
  const after = await srv.api('GET', '/api/v1/me/qr', { token: cit.token });
  assertStatus(after, 200);
  assert.match(after.json.payload, /\.k2\.[A-Za-z0-9_-]{86}$/);
  for (const payload of [before.json.payload, after.json.payload]) {
    const v = await srv.api('POST', '/api/v1/qr/verify', { body: { payload } });
    assert.equal(v.json.valid, true, v.text);
  }
  admin = await srv.login('admin', srv.adminPassword);
});

test('cordon migrate seals signing keys an older version stored in clear', async () => {
  // A QR key as an older version stored it: libsodium's secret key (seed + public key) in base64url.
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const secret = Buffer.concat([Buffer.from(jwk.d, 'base64url'), Buffer.from(jwk.x, 'base64url')]).toString('base64url');
  const later = Math.floor(Date.now() / 1000) + 3600; // the newest key signs
  sql(srv, `INSERT INTO signing_keys (kid, alg, public_key, secret_key, created_at)
            VALUES ('k9', 'Ed25519', '${jwk.x}', '${secret}', ${later})`);
  // A DCC key likewise: PKCS#8 PEM and a self-signed certificate, made with openssl.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-secrets-'));
  tmpDirs.push(dir);
  const o = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '30', '-subj', '/C=VN/O=Cordon/CN=Old'],
  { encoding: 'utf8' });
  assert.equal(o.status, 0, o.stderr);
  const keyPem = fs.readFileSync(path.join(dir, 'k.pem'), 'utf8');
  const certPem = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
  const der = new crypto.X509Certificate(certPem).raw;
  const kid = crypto.createHash('sha256').update(der).digest().subarray(0, 8).toString('base64');
  sql(srv, `INSERT INTO dcc_keys (kid, generation, alg, country, private_key, certificate, created_at)
            VALUES ('${kid}', 99, 'ES256', 'VN', '${keyPem}', '${certPem}', ${later})`);
  assert.match(dump(srv), /PRIVATE KEY/);

  const m = srv.cli(['migrate']);
  assert.equal(m.status, 0, m.stderr);
  assert.match(m.stderr, /sealed 2 secrets under key-encryption key [0-9a-f]{16}/);
  const text = dump(srv);
  assert.doesNotMatch(text, /PRIVATE KEY/);
  assert.ok(!text.includes(secret), 'the QR secret key is sealed');
  assert.deepEqual(sql(srv, 'SELECT COUNT(*) FROM signing_keys WHERE kek_id IS NULL'), ['0']);
  assert.deepEqual(sql(srv, 'SELECT COUNT(*) FROM dcc_keys WHERE kek_id IS NULL'), ['0']);
  assert.deepEqual(Object.keys(JSON.parse(srv.cli(['dcc', 'keys']).stdout)), [kid], 'the sealed DCC key opens');

  // The server signs with the sealed QR key; the signature checks against its public key offline.
  await srv.restart();
  admin = await srv.login('admin', srv.adminPassword);
  const cit = await citizenLogin(srv, admin, freshPhone());
  const qr = await srv.api('GET', '/api/v1/me/qr', { token: cit.token });
  assertStatus(qr, 200);
  assert.match(qr.json.payload, /\.k9\.[A-Za-z0-9_-]{86}$/);
  const v = runBin(['qr', 'verify', '--public-key', publicKey.export({ format: 'jwk' }).x, qr.json.payload]);
  assert.equal(v.status, 0, v.stdout);
});

// ---------------------------------------------------------------- cookies and origins

/** A fresh admin session: {pair: 'cordon_session=...', cookie: the whole Set-Cookie, token}. */
async function cookieLogin(s) {
  const r = await s.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: s.adminPassword } });
  assertStatus(r, 200);
  const cookie = r.headers.get('set-cookie');
  return { pair: cookie.split(';')[0], cookie, token: r.json.token };
}

test('a cookie-signed write must come from this site; bearer tokens and reads are unaffected', async () => {
  const { pair, cookie } = await cookieLogin(srv);
  assert.doesNotMatch(cookie, /Secure/, 'http public_url: no Secure flag');
  const me = (headers) => srv.api('GET', '/api/v1/auth/me', { cookie: pair, headers });
  const logout = (headers) => srv.api('POST', '/api/v1/auth/logout', { cookie: pair, headers });
  assertStatus(await me({ origin: 'https://evil.example' }), 200);
  assertError(await logout({ origin: 'https://evil.example' }), 403, 'bad_origin', 'Origin');
  assertError(await logout({ origin: `${srv.url}.evil.example` }), 403, 'bad_origin', 'Origin');
  assertError(await logout({ referer: 'https://evil.example/x' }), 403, 'bad_origin', 'Referer');
  assertError(await logout({ referer: `${srv.url}.evil.example/` }), 403, 'bad_origin', 'Referer');
  assertError(await logout({}), 403, 'bad_origin', 'Referer');
  assertStatus(await me({}), 200, 'refused writes left the session alone');
  assertStatus(await logout({ referer: `${srv.url}/admin/` }), 204);

  const second = await cookieLogin(srv);
  assertStatus(await srv.api('POST', '/api/v1/auth/logout', { cookie: second.pair, headers: { origin: srv.url } }), 204);
  const third = await cookieLogin(srv);
  assertStatus(await srv.api('POST', '/api/v1/auth/logout',
    { token: third.token, headers: { origin: 'https://evil.example' } }), 204, 'bearer');
});

test('under an https public_url cookies are Secure, writes come from its origin, the outbox shows no code', async () => {
  const s = await startServer({ env: { CORDON_PUBLIC_URL: 'https://cordon.example.vn/app', CORDON_DEV: '0' } });
  try {
    const { pair, cookie, token } = await cookieLogin(s);
    assert.match(cookie, /; Secure/);
    assertError(await s.api('POST', '/api/v1/auth/logout', { cookie: pair, headers: { origin: 'http://cordon.example.vn' } }),
      403, 'bad_origin');
    const phone = freshPhone();
    assertStatus(await s.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
    const out = await s.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token });
    assertStatus(out, 200);
    assert.equal(out.json.messages.length, 1);
    assert.equal(out.json.messages[0].text, undefined, 'no rendered text outside development mode');
    assert.doesNotMatch(out.json.messages[0].body, /\d{6}/);
    assert.doesNotMatch(s.stderr(), /Cordon: \d{6}/, 'nor in the log');
    assertStatus(await s.api('POST', '/api/v1/auth/logout',
      { cookie: pair, headers: { origin: 'https://cordon.example.vn' } }), 204);
  } finally {
    await s.stop();
  }
});

test('the key-encryption key may be a file of 32 raw bytes; a bad file is refused', () => {
  const raw = crypto.randomBytes(32);
  const ok = runBin(['keys', 'rotate', '--qr', '--db', 'sqlite:/nonexistent/x.db'], '',
    { CORDON_KEK: '', CORDON_KEK_FILE: tmpFile('raw.kek', raw) });
  assert.doesNotMatch(ok.stderr, /key-encryption key file/, ok.stderr);
  const bad = runBin(['keys', 'rotate', '--qr', '--db', 'sqlite:/nonexistent/x.db'], '',
    { CORDON_KEK: '', CORDON_KEK_FILE: tmpFile('bad.kek', 'not a key') });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /must hold 64 hex characters or 32 bytes/);
  assert.ok(TEST_KEK.length === 64);
});
