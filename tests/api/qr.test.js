'use strict';
// Signed QR payloads: GET /api/v1/keys, POST /api/v1/qr/verify and `cordon qr verify`.
// Payloads come from the product itself: a venue poster (decoded from its PNG with zbarimg)
// and a person's card payload; tampering, unknown keys, garbage and revocation are checked.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, runBin } = require('../lib/server');
const { ROLES, UNITS, HANOI_UNIT_FOR_ROLE, PASSWORD, assertError, assertStatus, createAccount, uniqueName } =
  require('../lib/fixtures');

let srv;
let admin;
const tokens = {}; // role -> token of an account of that role in Hà Nội
let cardPayload; // a current personal payload, from a printed card
let cardCode;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin', srv.adminPassword);
  tokens.national_admin = admin;
  for (const role of ROLES.slice(1)) {
    const username = uniqueName(role.replace(/_/g, ''));
    await createAccount(srv, admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tokens[role] = await srv.login(username, PASSWORD);
  }
});
after(async () => { if (srv) await srv.stop(); });

const PAYLOAD_RE = /^CDN1\.([PDV])\.((?:[A-Za-z0-9_-]+\.)+)([A-Za-z0-9_-]{1,15})\.([A-Za-z0-9_-]{86})$/;

function verify(payload, opts = {}) {
  return srv.api('POST', '/api/v1/qr/verify', { body: { payload }, ...opts });
}

async function verifyOk(payload, expected) {
  const r = await verify(payload);
  assertStatus(r, 200, `verify ${payload}`);
  assert.deepEqual(r.json, expected, `verify ${payload}`);
}

/** Decodes the QR code(s) of a PNG with zbarimg. */
function zbar(png) {
  const f = path.join(os.tmpdir(), `cordon-qr-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}.png`);
  fs.writeFileSync(f, png);
  try {
    const r = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', '-Sbinary', f], { encoding: 'utf8' });
    assert.equal(r.status, 0, `zbarimg: ${r.stderr}`);
    return r.stdout.replace(/\n$/, '');
  } finally {
    fs.unlinkSync(f);
  }
}

async function getBinary(p, token) {
  const res = await fetch(srv.url + p, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `GET ${p}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Replaces one character of the signature so that it still decodes but no longer matches. */
function flipSignature(payload) {
  const i = payload.lastIndexOf('.') + 10;
  return payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
}

test('GET /api/v1/keys lists one Ed25519 key, the same every time', async () => {
  // Nothing was signed yet: concurrent first calls on several request threads race to make the
  // key, and all of them must answer with the one that won.
  const first = await Promise.all(Array.from({ length: 16 }, () => srv.api('GET', '/api/v1/keys')));
  for (const f of first) {
    assertStatus(f, 200);
    assert.deepEqual(f.json, first[0].json);
  }
  const r = await srv.api('GET', '/api/v1/keys');
  assert.deepEqual(r.json, first[0].json);
  assertStatus(r, 200);
  assert.equal(r.json.keys.length, 1);
  const k = r.json.keys[0];
  assert.deepEqual(Object.keys(k).sort(), ['alg', 'created_at', 'kid', 'public_key']);
  assert.equal(k.kid, 'k1');
  assert.equal(k.alg, 'Ed25519');
  assert.match(k.public_key, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(k.public_key, 'base64url').length, 32);
  assert.ok(Number.isInteger(k.created_at) && Math.abs(k.created_at - Date.now() / 1000) < 600);
  assert.match(r.headers.get('cache-control') || '', /max-age=\d+/);
  const again = await srv.api('GET', '/api/v1/keys', { token: admin });
  assert.deepEqual(again.json, r.json);
  assert.ok(!JSON.stringify(r.json).includes('secret'), 'no secret key in the answer');
});

test('a person card verifies until its serial is revoked; the answer never says who', async () => {
  const created = await srv.api('POST', '/api/v1/people', {
    token: tokens.commune_admin,
    body: { full_name: 'Trần Thị Bình', date_of_birth: '1985-02-14', sex: 'female', phone: '0912345678',
      cccd: '001185012345', commune_code: UNITS.phucXa, street: '5 Phó Đức Chính' },
  });
  assertStatus(created, 201);
  const id = created.json.person.id;
  const code = created.json.person.code;
  const payload = zbar(await getBinary(`/api/v1/people/${id}/card.png`, tokens.commune_admin));
  const m = PAYLOAD_RE.exec(payload);
  assert.ok(m, `card payload ${payload}`);
  assert.equal(m[1], 'P');
  assert.equal(m[2], `${code}.${payload.split('.')[3]}.`);
  assert.equal(m[3], 'k1');

  await verifyOk(payload, { valid: true, type: 'person' });
  // Tampered: another serial, another code, another signature; then an unknown key.
  const parts = payload.split('.');
  const serial = Number(parts[3]);
  await verifyOk([...parts.slice(0, 3), String(serial + 1), ...parts.slice(4)].join('.'),
    { valid: false, type: 'person', reason: 'bad_signature' });
  await verifyOk([parts[0], parts[1], code.replace(/^./, code[0] === 'A' ? 'B' : 'A'), ...parts.slice(3)].join('.'),
    { valid: false, type: 'person', reason: 'bad_signature' });
  await verifyOk(flipSignature(payload), { valid: false, type: 'person', reason: 'bad_signature' });
  await verifyOk(payload.replace('.k1.', '.k2.'), { valid: false, type: 'person', reason: 'unknown_key' });
  const r = await verify(payload, { token: admin });
  assert.deepEqual(r.json, { valid: true, type: 'person' }, 'nothing about the person, even to staff');

  // The offline verifier finds the card good by signature, and the database check agrees.
  let c = srv.cli(['qr', 'verify', payload]);
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), { valid: true, type: 'person', fields: [code, String(serial)], kid: 'k1' });

  const revoked = await srv.api('POST', `/api/v1/people/${id}/qr/revoke`, { token: tokens.commune_admin });
  assertStatus(revoked, 200);
  assert.equal(revoked.json.serial, serial + 1);
  await verifyOk(payload, { valid: false, type: 'person', reason: 'revoked' });
  const fresh = zbar(await getBinary(`/api/v1/people/${id}/card.png`, tokens.commune_admin));
  assert.notEqual(fresh, payload);
  await verifyOk(fresh, { valid: true, type: 'person' });
  cardPayload = fresh;
  cardCode = code;
  c = srv.cli(['qr', 'verify', payload]);
  assert.equal(c.status, 1);
  assert.equal(JSON.parse(c.stdout).reason, 'revoked');
  // Offline, with only the key, the old card still carries a good signature: revocation needs the server.
  const key = (await srv.api('GET', '/api/v1/keys')).json.keys[0].public_key;
  c = runBin(['qr', 'verify', '--public-key', key, payload]);
  assert.equal(c.status, 0, c.stderr);

});

test('garbage is a bad format, never an error', async () => {
  const garbage = [
    'hello', 'CDN1', 'CDN1.', 'CDN1.P.', 'CDN2.P.K7M2QX9A4T.1.k1.' + 'A'.repeat(86),
    'CDN1.X.K7M2QX9A4T.k1.' + 'A'.repeat(86), 'CDN1.P.K7M2QX9A4T.1.k1.' + 'A'.repeat(85),
    'CDN1.P.K7M2QX9A4T.một.k1.' + 'A'.repeat(86), 'CDN1.P.K7M2QX9A4T.1.k1.' + '!'.repeat(86),
    'x'.repeat(2000), 'https://example.org/', 'https://example.org/c/?k=k1&s=x', '\t', ' CDN1.D.TK-1.k1.' + 'A'.repeat(86),
  ];
  for (const g of garbage) await verifyOk(g, { valid: false, reason: 'bad_format' });
});

test('verify: bad input is a 400 naming the field, and nothing is written', async () => {
  const before = srv.dbStats();
  const cases = [
    [{ body: {} }, 400, 'missing_field', 'payload'],
    [{ body: { payload: 12 } }, 400, 'invalid_field', 'payload'],
    [{ body: { payload: null } }, 400, 'missing_field', 'payload'],
    [{ body: { payload: '' } }, 400, 'invalid_field', 'payload'],
    [{ body: { payload: 'CDN1.x', extra: 1 } }, 400, 'unknown_field', 'extra'],
    [{ body: { payload: 'x'.repeat(2049) } }, 400, 'invalid_field', 'payload'],
    [{ rawBody: '{"payload":' }, 400, 'invalid_json'],
    [{ rawBody: '["CDN1"]' }, 400, 'invalid_json'],
    [{ rawBody: '{"payload":"\\u0000"}' }, 400, 'invalid_json'],
  ];
  for (const [opts, status, code, field] of cases) {
    const r = await srv.api('POST', '/api/v1/qr/verify', opts);
    assertError(r, status, code, field);
  }
  const big = await srv.api('POST', '/api/v1/qr/verify', { rawBody: JSON.stringify({ payload: 'x'.repeat(5000) }) });
  assertError(big, 413, 'body_too_large');
  assert.deepEqual(srv.dbStats(), before);
});

test('every role, and anonymous callers, may use both endpoints', async () => {
  const callers = [['anonymous', undefined], ...ROLES.map((r) => [r, tokens[r]])];
  for (const [who, token] of callers) {
    const k = await srv.api('GET', '/api/v1/keys', { token });
    assertStatus(k, 200, `${who} GET /keys`);
    const v = await srv.api('POST', '/api/v1/qr/verify', { token, body: { payload: cardPayload } });
    assertStatus(v, 200, `${who} POST /qr/verify`);
    assert.equal(v.json.valid, true, who);
  }
});

test('cordon qr verify: offline with the public key, and against the database', async () => {
  const key = (await srv.api('GET', '/api/v1/keys')).json.keys[0].public_key;
  const payload = cardPayload;

  let r = runBin(['qr', 'verify', '--public-key', key, payload]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { valid: true, type: 'person', fields: payload.split('.').slice(2, 4), kid: 'k1' });
  assert.equal(JSON.parse(r.stdout).fields[0], cardCode);
  r = runBin(['qr', 'verify', '--public-key', key, flipSignature(payload)]);
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.stdout).reason, 'bad_signature');
  r = runBin(['qr', 'verify', '--public-key', key, 'nonsense']);
  assert.equal(r.status, 1);
  assert.deepEqual(JSON.parse(r.stdout), { valid: false, reason: 'bad_format' });
  const otherKey = crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x;
  r = runBin(['qr', 'verify', '--public-key', otherKey, payload]);
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.stdout).reason, 'bad_signature');

  r = srv.cli(['qr', 'verify', payload]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).valid, true);
  r = srv.cli(['qr', 'verify', payload.replace('.k1.', '.k2.')]);
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.stdout).reason, 'unknown_key');

  // Misuse: exit 2 with the usage on stderr.
  for (const args of [['qr'], ['qr', 'verify'], ['qr', 'sign', payload], ['qr', 'verify', '--public-key', 'short', payload],
    ['qr', 'verify', '--public-key', key, '--db', 'sqlite:/nonexistent', payload]]) {
    r = runBin(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /usage|public-key/);
  }
  r = runBin(['qr', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: cordon qr verify/);
});

test('a venue poster URL verifies, and a changed one does not', async () => {
  const created = await srv.api('POST', '/api/v1/venues', {
    token: tokens.venue_owner,
    body: { name: 'Phở Thìn Lò Đúc', type: 'restaurant', commune_code: UNITS.phucXa, street: '13 Lò Đúc', capacity: 40 },
  });
  assertStatus(created, 201);
  const approved = await srv.api('POST', `/api/v1/venues/${created.json.id}/approve`, { token: admin });
  assertStatus(approved, 200);
  const venuePosterUrl = zbar(await getBinary(`/api/v1/venues/${created.json.id}/poster.png`, tokens.venue_owner));
  const m = /^https?:\/\/[^/]+(?:\/[^?]*)?\/c\/([A-Z0-9]+)\?k=(k1)&s=([A-Za-z0-9_-]{86})$/.exec(venuePosterUrl);
  assert.ok(m, `poster URL ${venuePosterUrl}`);
  assert.equal(m[1], created.json.code);
  // The printed PDF carries the same URL (rasterised at 150 dpi as a phone would see the paper).
  const pdf = await getBinary(`/api/v1/venues/${created.json.id}/poster.pdf`, tokens.venue_owner);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const base = path.join(os.tmpdir(), `cordon-qr-test-${process.pid}-poster`);
  fs.writeFileSync(`${base}.pdf`, pdf);
  try {
    const r = spawnSync('pdftoppm', ['-r', '150', '-png', '-singlefile', `${base}.pdf`, base], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(zbar(fs.readFileSync(`${base}.png`)), venuePosterUrl);
  } finally {
    fs.rmSync(`${base}.pdf`, { force: true });
    fs.rmSync(`${base}.png`, { force: true });
  }

  await verifyOk(venuePosterUrl, { valid: true, type: 'venue' });
  // The same signature as a CDN1.V payload.
  await verifyOk(`CDN1.V.${m[1]}.${m[2]}.${m[3]}`, { valid: true, type: 'venue' });
  // Another venue's code with this signature, a changed signature, an unknown key.
  const other = venuePosterUrl.replace(`/c/${m[1]}?`, '/c/ZZZZZZZZ?');
  await verifyOk(other, { valid: false, type: 'venue', reason: 'bad_signature' });
  await verifyOk(flipSignature(`CDN1.V.${m[1]}.${m[2]}.${m[3]}`), { valid: false, type: 'venue', reason: 'bad_signature' });
  await verifyOk(venuePosterUrl.replace('k=k1', 'k=k7'), { valid: false, type: 'venue', reason: 'unknown_key' });
  await verifyOk(venuePosterUrl.replace(/&s=.*/, '&s=short'), { valid: false, reason: 'bad_format' });
  await verifyOk(venuePosterUrl.replace(/\?.*/, ''), { valid: false, reason: 'bad_format' });
});
