'use strict';
// `cordon en`: the exposure notification matching library from the command line.
// derive reproduces the specification's test vectors (tests/data/gaen/vectors.txt) and agrees with
// an independent HKDF + AES computation in node's crypto; export verify checks the reference export
// of the GAEN key server against its public key (and refuses it under another key); export dump
// prints the keys the export was made from (keys.json); misuse exits 2 naming the flag.
// The key server on a real server: a code issued by hand and from a positive result (SMS, the
// citizen's own page), verify -> token -> certificate -> publish in the flow of Google's
// verification server, every upload rule with a bad case (400 naming the rule, nothing stored),
// codes expired, reused and guessed (rate-limited), tokens and certificates one-time, keys
// re-uploaded and revised, and retention after 14 days.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { BIN, REPO_ROOT, startServer } = require('../lib/server');
const { assertError, assertStatus, createAccount, UNITS, PASSWORD } = require('../lib/fixtures');
const { citizenWithProfile, createPerson, uniquePhone, uniqueCccd } = require('../lib/people');
const { testingSession, cid, todayVn } = require('../lib/testing-setup');

const DATA = path.join(REPO_ROOT, 'tests', 'data', 'gaen');
const TEK = '75c734c6dd1a782de7a965da5eb93125';
const ZIP = path.join(DATA, 'testExport-2-records-1-of-1.zip');

function en(...args) {
  const r = spawnSync(BIN, ['en', ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function vectors() {
  return fs.readFileSync(path.join(DATA, 'vectors.txt'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

// RPI and AEM of one interval the long way, with node's crypto only.
function reference(tekHex, interval, metaHex) {
  const tek = Buffer.from(tekHex, 'hex');
  const rpik = Buffer.from(crypto.hkdfSync('sha256', tek, Buffer.alloc(0), 'EN-RPIK', 16));
  const aemk = Buffer.from(crypto.hkdfSync('sha256', tek, Buffer.alloc(0), 'EN-AEMK', 16));
  const padded = Buffer.alloc(16);
  padded.write('EN-RPI', 0, 'ascii');
  padded.writeUInt32LE(interval, 12);
  const ecb = crypto.createCipheriv('aes-128-ecb', rpik, null).setAutoPadding(false);
  const rpi = Buffer.concat([ecb.update(padded), ecb.final()]);
  const ctr = crypto.createCipheriv('aes-128-ctr', aemk, rpi);
  const aem = Buffer.concat([ctr.update(Buffer.from(metaHex, 'hex')), ctr.final()]);
  return `${interval} ${rpi.toString('hex')} ${aem.toString('hex')}`;
}

test('derive prints the 72 rows of the specification vectors', () => {
  const r = en('derive', '--tek', TEK, '--interval', '2642976', '--count', '72', '--metadata', '40080000');
  assert.equal(r.status, 0, r.err);
  assert.deepEqual(r.out.trim().split('\n'), vectors());
});

test('derive defaults to one interval and the vectors\' metadata; upper-case hex is accepted', () => {
  const r = en('derive', '--tek', TEK.toUpperCase(), '--interval', '2643000');
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, `${vectors()[24]}\n`);
});

test('derive agrees with node crypto for random keys, intervals and metadata', () => {
  for (let i = 0; i < 5; i++) {
    const tek = crypto.randomBytes(16).toString('hex');
    const meta = crypto.randomBytes(4).toString('hex');
    const first = crypto.randomInt(2600000, 3000000);
    const r = en('derive', '--tek', tek, '--interval', String(first), '--count', '144', '--metadata', meta);
    assert.equal(r.status, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, 144);
    for (const j of [0, 1, 77, 143]) assert.equal(lines[j], reference(tek, first + j, meta));
  }
});

test('derive refuses bad arguments with exit 2, naming the flag', () => {
  const cases = [
    [['--interval', '1'], '--tek'],
    [['--tek', 'abcd', '--interval', '1'], '--tek'],
    [['--tek', TEK.replace('7', 'x'), '--interval', '1'], '--tek'],
    [['--tek', TEK], '--interval'],
    [['--tek', TEK, '--interval', '-1'], '--interval'],
    [['--tek', TEK, '--interval', '4294967296'], '--interval'],
    [['--tek', TEK, '--interval', '1', '--count', '145'], '--count'],
    [['--tek', TEK, '--interval', '1', '--count', '0'], '--count'],
    [['--tek', TEK, '--interval', '4294967295', '--count', '2'], '--count'],
    [['--tek', TEK, '--interval', '1', '--metadata', '400800'], '--metadata'],
  ];
  for (const [args, flag] of cases) {
    const r = en('derive', ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, new RegExp(flag), args.join(' '));
    assert.equal(r.out, '');
  }
});

test('simulate: a small city end to end through a real server, the same figures for the same seed', () => {
  const run = () => spawnSync(BIN, ['en', 'simulate', '--phones', '120', '--days', '2', '--seed', '7'], { encoding: 'utf8', timeout: 120000 });
  const a = run();
  assert.equal(a.status, 0, a.stderr);
  const world = /simulate: 120 phones, 2 days, (\d+) encounters, (\d+) cases/.exec(a.stdout);
  assert.ok(world, a.stdout);
  const cases = Number(world[2]);
  assert.ok(cases >= 1);
  const files = /simulate: (\d+) export files, (\d+) keys \((\d+) uploaded/.exec(a.stdout);
  assert.ok(files, a.stdout);
  assert.ok(Number(files[1]) >= 1);
  assert.equal(Number(files[3]), cases * 2);
  assert.ok(Number(files[2]) >= 1000, 'padded to the minimum batch');
  const out = /exposed (\d+), notified (\d+): (\d+) rightly, (\d+) missed, (\d+) falsely/.exec(a.stdout);
  assert.ok(out, a.stdout);
  const [exposed, notified, rightly, missed, falsely] = out.slice(1).map(Number);
  assert.equal(rightly + missed, exposed);
  assert.equal(rightly + falsely, notified);
  assert.ok(rightly > 0, 'some exposed phone is notified');
  const b = run();
  assert.equal(b.status, 0, b.stderr);
  assert.equal(/exposed .*/.exec(b.stdout)[0], out[0]);
  assert.equal(/simulate: 120 phones.*/.exec(b.stdout)[0], world[0]);
  const bad = en('simulate', '--phones', '1', '--days', '2', '--seed', '1');
  assert.equal(bad.status, 2);
  assert.match(bad.err, /--phones/);
});

test('export verify checks the reference export and prints its key count', () => {
  const pemFile = path.join(DATA, 'public.pem');
  let r = en('export', 'verify', '--public-key', pemFile, ZIP);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, '2\n');
  // the PEM text itself works as well
  r = en('export', 'verify', '--public-key', fs.readFileSync(pemFile, 'utf8'), ZIP);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, '2\n');
});

test('export verify refuses the export under another P-256 key, and a key that is not P-256', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-en-'));
  try {
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    let r = en('export', 'verify', '--public-key', other, ZIP);
    assert.equal(r.status, 1);
    assert.match(r.err, /signature does not verify/);
    assert.equal(r.out, '');
    const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' });
    r = en('export', 'verify', '--public-key', p384, ZIP);
    assert.equal(r.status, 2);
    assert.match(r.err, /--public-key/);
    const notZip = path.join(dir, 'x.zip');
    fs.writeFileSync(notZip, 'not a zip');
    r = en('export', 'verify', '--public-key', path.join(DATA, 'public.pem'), notZip);
    assert.equal(r.status, 1);
    assert.match(r.err, /not a readable zip/);
    r = en('export', 'verify', ZIP);
    assert.equal(r.status, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('export dump prints the keys the export was made from', () => {
  const r = en('export', 'dump', ZIP);
  assert.equal(r.status, 0, r.err);
  const got = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const want = JSON.parse(fs.readFileSync(path.join(DATA, 'keys.json'), 'utf8')).temporaryExposureKeys;
  assert.equal(got.length, want.length);
  got.forEach((k, i) => {
    assert.equal(k.key_data, want[i].key);
    assert.equal(k.rolling_start_interval_number, want[i].rollingStartNumber);
    assert.equal(k.rolling_period, want[i].rollingPeriod);
    assert.equal(k.transmission_risk_level, want[i].transmissionRisk);
    assert.equal(k.report_type, null);
    assert.equal(k.days_since_onset_of_symptoms, null);
  });
});

// ---------------------------------------------------------------- the key server

let srv;
let adminToken;
let tracer;
let exportDir;
const EXPORT_ENV = () => ({ CORDON_EN_EXPORT_DIR: exportDir, CORDON_EN_MIN_BATCH: '50', CORDON_EN_REGION: 'VN' });

before(async () => {
  exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-en-exports-'));
  srv = await startServer({ env: EXPORT_ENV() });
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, adminToken, { username: 'en.tracer', role: 'tracer', unit_code: UNITS.phucXa, full_name: 'Lê Thị Truy Vết' });
  tracer = await srv.login('en.tracer', PASSWORD);
});

after(async () => {
  if (srv) await srv.stop();
  fs.rmSync(exportDir, { recursive: true, force: true });
});

/** Runs SQL on the test database (sqlite3 or psql). */
function sql(text) {
  const r = srv.store === 'postgres'
    ? spawnSync('psql', [srv.dbUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-A', '-t', '-c', text], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-bail', srv.dbUrl.replace(/^sqlite:/, '')], { input: text, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`sql failed: ${r.error ? r.error.message : r.stderr}`);
  return r.stdout.trim();
}

const keyCount = () => Number(sql('SELECT COUNT(*) FROM en_keys;'));
const nowInterval = () => Math.floor(Date.now() / 1000 / 600);
const b64 = (buf) => Buffer.from(buf).toString('base64');

/** A confirmed case entered by the tracer for a new person with a phone: {caseId, person}. */
async function newCase() {
  const person = await createPerson(srv, tracer, {
    full_name: 'Nguyễn Văn Phơi', cccd: uniqueCccd(), commune_code: UNITS.phucXa, phone: uniquePhone('93'),
  });
  const p = person.person || person;
  const r = await srv.api('POST', '/api/v1/tracing/cases', {
    token: tracer, body: { client_id: cid('case'), person_id: p.id, test_date: todayVn() },
  });
  assertStatus(r, 201, 'case');
  return { caseId: r.json.id, person: p };
}

async function issue(caseId) {
  const r = await srv.api('POST', '/api/v1/en/codes', { token: tracer, body: { case_id: caseId } });
  assertStatus(r, 201, 'issue');
  return r.json;
}

/** Keys as a phone holds them: the last n days, today's still rolling. */
function phoneKeys(n = 14) {
  const today = Math.floor(nowInterval() / 144) * 144;
  return Array.from({ length: n }, (_, i) => ({
    key: b64(crypto.randomBytes(16)),
    rollingStartNumber: today - 144 * i,
    rollingPeriod: i === 0 ? Math.max(1, nowInterval() - today) : 144,
    transmissionRisk: 4,
  }));
}

/** The HMAC of Google's verification server: sorted "key.start.period.risk" joined by ",". */
function keysHmac(keys, secret) {
  const text = keys.map((k) => `${k.key}.${k.rollingStartNumber}.${k.rollingPeriod ?? 144}.${k.transmissionRisk ?? 0}`)
    .sort().join(',');
  return crypto.createHmac('sha256', secret).update(text).digest('base64');
}

/** verify + certificate for keys: {certificate, secret}. */
async function certify(code, keys) {
  let r = await srv.api('POST', '/api/v1/en/verify', { body: { code } });
  assertStatus(r, 200, 'verify');
  const token = r.json.token;
  const secret = crypto.randomBytes(32);
  r = await srv.api('POST', '/api/v1/en/certificate', { body: { token, ekeyhmac: keysHmac(keys, secret) } });
  assertStatus(r, 200, 'certificate');
  return { certificate: r.json.certificate, secret, token, claims: r.json };
}

const publish = (keys, certificate, secret, extra = {}) => srv.api('POST', '/api/v1/en/publish', {
  body: { temporaryExposureKeys: keys, verificationPayload: certificate, hmacKey: b64(secret), ...extra },
});

test('a code issued by hand goes verify -> token -> certificate -> publish, and every step is one-time', async () => {
  const { caseId, person } = await newCase();
  const issued = await issue(caseId);
  assert.match(issued.code, /^\d{8}$/);
  assert.match(issued.long_code, /^[A-Za-z0-9]{16}$/);
  assert.equal(issued.test_date, todayVn());
  assert.ok(issued.expires_at - Date.now() / 1000 > 3500 && issued.expires_at - Date.now() / 1000 <= 3600);
  // the SMS is queued with the code masked in the stored text
  const o = await srv.api('GET', `/api/v1/outbox?recipient=${person.phone}&kind=en_code`, { token: adminToken });
  assert.equal(o.json.messages.length, 1);
  assert.ok(!o.json.messages[0].body.includes(issued.code));
  assert.ok(o.json.messages[0].text.includes(issued.code));
  // the code is stored as a digest only
  assert.equal(sql(`SELECT COUNT(*) FROM en_codes WHERE code_digest = '${issued.code}' OR long_digest = '${issued.long_code}';`), '0');

  const keys = phoneKeys(14);
  const { certificate, secret, token, claims } = await certify(issued.code, keys);
  assert.equal(claims.testtype, 'confirmed');
  assert.equal(claims.testDate, todayVn());
  const shown = JSON.parse(Buffer.from(certificate.split('.')[0], 'base64url').toString());
  assert.equal(shown.testDate, todayVn());
  assert.equal(shown.reportType, 'confirmed');
  const before = keyCount();
  const r = await publish(keys, certificate, secret, { padding: b64(crypto.randomBytes(300)) });
  assertStatus(r, 200, 'publish');
  assert.equal(r.json.insertedExposures, 14);
  assert.equal(keyCount(), before + 14);
  // nothing but the keys: no address, no person, uploaded at the hour
  const row = sql(`SELECT report_type, created_at % 3600, transmission_risk FROM en_keys WHERE key_data = '${keys[3].key}';`);
  assert.equal(row.replace(/\|/g, ' '), '1 0 4');

  // each credential works once
  let again = await srv.api('POST', '/api/v1/en/verify', { body: { code: issued.code } });
  assertError(again, 400, 'invalid_field', 'code');
  assert.match(again.json.error.message, /^code_used/);
  again = await srv.api('POST', '/api/v1/en/certificate', { body: { token, ekeyhmac: keysHmac(keys, secret) } });
  assertError(again, 400, 'invalid_field', 'token');
  assert.match(again.json.error.message, /^token_used/);
  again = await publish(keys, certificate, secret);
  assertError(again, 400, 'invalid_field', 'verificationPayload');
  assert.match(again.json.error.message, /^certificate_used/);
  // the long code was spent with the short one
  again = await srv.api('POST', '/api/v1/en/verify', { body: { code: issued.long_code } });
  assert.match(again.json.error.message, /^code_used/);
  assert.equal(keyCount(), before + 14);
});

test('expired codes are refused; the long code outlives the short one', async () => {
  const { caseId } = await newCase();
  const a = await issue(caseId);
  sql(`UPDATE en_codes SET expires_at = 1 WHERE case_id = ${caseId};`);
  let r = await srv.api('POST', '/api/v1/en/verify', { body: { code: a.code } });
  assertError(r, 400, 'invalid_field', 'code');
  assert.match(r.json.error.message, /^code_expired/);
  r = await srv.api('POST', '/api/v1/en/verify', { body: { code: a.long_code } });
  assertStatus(r, 200, 'long code');
  const b = await issue(caseId);
  sql(`UPDATE en_codes SET expires_at = 1, long_expires_at = 1 WHERE id = (SELECT MAX(id) FROM en_codes);`);
  r = await srv.api('POST', '/api/v1/en/verify', { body: { code: b.long_code } });
  assert.match(r.json.error.message, /^code_expired/);
  // an expired token and certificate likewise
  const c = await issue(caseId);
  const keys = phoneKeys(2);
  const { certificate, secret } = await certify(c.code, keys);
  sql("UPDATE en_tokens SET expires_at = 1 WHERE kind = 'certificate';");
  r = await publish(keys, certificate, secret);
  assert.match(r.json.error.message, /^certificate_expired/);
});

test('every upload rule has its 400, naming the rule, and stores nothing', async () => {
  const { caseId } = await newCase();
  const issued = await issue(caseId);
  const good = phoneKeys(3);
  const { certificate, secret } = await certify(issued.code, good);
  const before = keyCount();
  const k = (over) => ({ ...good[1], key: b64(crypto.randomBytes(16)), ...over });
  const cases = [
    ['no_keys', []],
    ['too_many_keys', Array.from({ length: 31 }, () => k({}))],
    ['key_length', [k({ key: b64(crypto.randomBytes(15)) })]],
    ['key_length', [k({ key: 'not base64!' })]],
    ['rolling_period', [k({ rollingPeriod: 0 })]],
    ['rolling_period', [k({ rollingPeriod: 145 })]],
    ['key_too_old', [k({ rollingStartNumber: nowInterval() - 15 * 144 - 144, rollingPeriod: 144 })]],
    ['key_in_future', [k({ rollingStartNumber: nowInterval() + 1 })]],
    ['duplicate_key', [good[0], good[1], { ...good[0] }]],
    ['transmission_risk', [k({ transmissionRisk: 9 })]],
    ['days_since_onset', [k({ daysSinceOnsetOfSymptoms: 15 })]],
  ];
  for (const [rule, keys] of cases) {
    const r = await publish(keys, certificate, secret);
    assertError(r, 400, 'invalid_field', 'temporaryExposureKeys');
    assert.match(r.json.error.message, new RegExp(`^${rule}:`), rule);
  }
  // keys other than those the certificate was issued for
  let r = await publish([good[0], good[1]], certificate, secret);
  assertError(r, 400, 'invalid_field', 'verificationPayload');
  assert.match(r.json.error.message, /^hmac_mismatch/);
  r = await publish(good, certificate, crypto.randomBytes(32));
  assert.match(r.json.error.message, /^hmac_mismatch/);
  r = await publish(good, `${certificate}x`, secret);
  assert.match(r.json.error.message, /^certificate_invalid/);
  r = await publish(good, certificate, secret, { ipAddress: '1.2.3.4' });
  assertError(r, 400, 'unknown_field');
  assert.equal(keyCount(), before);
  // the certificate was not spent by the refusals: the right keys go in
  r = await publish(good, certificate, secret, { padding: 'x'.repeat(5000), healthAuthorityID: 'vn.cordon' });
  assertStatus(r, 200, 'publish');
  assert.equal(r.json.insertedExposures, 3);
  assert.equal(keyCount(), before + 3);
});

test('the same keys again are not stored twice; days since onset are kept', async () => {
  const { caseId } = await newCase();
  const keys = phoneKeys(2).map((x, i) => ({ ...x, daysSinceOnsetOfSymptoms: -i }));
  let c = await certify((await issue(caseId)).code, keys);
  let r = await publish(keys, c.certificate, c.secret);
  assertStatus(r, 200);
  assert.equal(r.json.insertedExposures, 2);
  c = await certify((await issue(caseId)).code, keys);
  const before = keyCount();
  r = await publish(keys, c.certificate, c.secret);
  assertStatus(r, 200);
  assert.equal(r.json.insertedExposures, 0);
  assert.equal(r.json.revisedExposures, 0);
  assert.equal(keyCount(), before);
  assert.equal(sql(`SELECT days_since_onset FROM en_keys WHERE key_data = '${keys[1].key}';`), '-1');
});

test('staff issue codes only inside their area; citizens and other roles cannot', async () => {
  const { caseId } = await newCase();
  await createAccount(srv, adminToken, { username: 'en.hcm', role: 'commune_admin', unit_code: '26734', full_name: 'Trần Văn Xa' });
  const far = await srv.login('en.hcm', PASSWORD);
  let r = await srv.api('POST', '/api/v1/en/codes', { token: far, body: { case_id: caseId } });
  assertError(r, 403, 'forbidden');
  r = await srv.api('POST', '/api/v1/en/codes', { token: tracer, body: { case_id: 999999 } });
  assertError(r, 404, 'not_found', 'case_id');
  r = await srv.api('POST', '/api/v1/en/codes', { token: tracer, body: { case_id: 'x' } });
  assertError(r, 400, 'invalid_field', 'case_id');
});

test('a positive result issues a code: SMS to the person and on their own page', async () => {
  const phone = uniquePhone('94');
  const cccd = uniqueCccd();
  const citizen = await citizenWithProfile(srv, adminToken, phone, { cccd, commune_code: UNITS.phucXa });
  let r = await srv.api('GET', '/api/v1/me/en-code', { token: citizen.token });
  assertStatus(r, 200);
  assert.equal(r.json.code, null);
  const t = await testingSession(srv, { suffix: '.en', testType: 'rapid_antigen', tubes: 1 });
  r = await srv.api('POST', '/api/v1/testing/samples', {
    token: t.samplerToken, body: { client_id: cid('smp'), session_id: t.session.id, tube_id: t.tubes[0].id || t.tubes[0], cccd },
  });
  assertStatus(r, 201, 'sample');
  r = await srv.api('POST', '/api/v1/testing/results', { token: t.labToken, body: { tube_id: t.tubes[0].id || t.tubes[0], result: 'positive' } });
  assertStatus(r, 200, 'result');
  const o = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=en_code`, { token: adminToken });
  assert.equal(o.json.messages.length, 1);
  const code = /(\d{8})/.exec(o.json.messages[0].text)[1];
  r = await srv.api('GET', '/api/v1/me/en-code', { token: citizen.token });
  assertStatus(r, 200);
  assert.equal(r.json.code, code);
  assert.equal(r.json.test_date, todayVn());
  // once used, the page no longer shows it
  r = await srv.api('POST', '/api/v1/en/verify', { body: { code } });
  assertStatus(r, 200);
  r = await srv.api('GET', '/api/v1/me/en-code', { token: citizen.token });
  assert.equal(r.json.code, null);
});

test('keys past 14 days and spent codes go with the retention job', async () => {
  const old = nowInterval() - 15 * 144 - 144;
  sql(`INSERT INTO en_keys (key_data, rolling_start, rolling_period, transmission_risk, report_type, created_at) VALUES ('${b64(crypto.randomBytes(16))}', ${old}, 144, 0, 1, 0);`);
  const before = keyCount();
  const r = srv.cli(['jobs', 'run', '--job', 'en_retention', '--force']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(keyCount(), before - 1);
  assert.equal(Number(sql(`SELECT COUNT(*) FROM en_keys WHERE rolling_start + rolling_period < ${nowInterval() - 14 * 144};`)), 0);
});

test('the export job writes signed GAEN files of the last hours\' keys, padded with fake keys, and an index', async () => {
  const { caseId } = await newCase();
  const keys = phoneKeys(5).map((k, i) => ({ ...k, daysSinceOnsetOfSymptoms: i - 2 }));
  const c = await certify((await issue(caseId)).code, keys);
  assertStatus(await publish(keys, c.certificate, c.secret), 200, 'publish');
  // an hour passes: the keys of every test so far belong to the last full hour
  sql('UPDATE en_keys SET created_at = created_at - 3600 WHERE created_at > 0;');
  const expected = Number(sql(`SELECT COUNT(*) FROM en_keys WHERE created_at >= ${Math.floor(Date.now() / 1000 / 3600) * 3600 - 3600};`));
  let r = srv.cli(['jobs', 'run', '--job', 'en_export', '--force'], undefined, EXPORT_ENV());
  assert.equal(r.status, 0, r.stderr);
  let index = await srv.api('GET', '/en/exports/index.txt');
  assertStatus(index, 200);
  assert.match(index.headers.get('cache-control'), /public/);
  const files = index.text.trim().split('\n');
  assert.equal(files.length, 1);
  assert.match(files[0], /^\d+-\d+-00001\.zip$/);
  const zip = await fetch(`${srv.url}/en/exports/${files[0]}`);
  assert.equal(zip.status, 200);
  assert.equal(zip.headers.get('content-type'), 'application/zip');
  const file = path.join(exportDir, 'downloaded.zip');
  fs.writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
  const key = await srv.api('GET', '/api/v1/en/export-key');
  assertStatus(key, 200);
  assert.equal(key.json.verification_key_version, 'v1');
  assert.equal(key.json.signature_algorithm, '1.2.840.10045.4.3.2');
  // at least the minimum batch: real keys and fake ones, the signature good under the published key
  const v = en('export', 'verify', '--public-key', key.json.public_key, file);
  assert.equal(v.status, 0, v.err);
  assert.equal(Number(v.out.trim()), Math.max(50, expected));
  const dumped = en('export', 'dump', file).out.trim().split('\n').map((l) => JSON.parse(l));
  for (const [i, k] of keys.entries()) {
    const d = dumped.find((x) => x.key_data === k.key);
    assert.ok(d, `key ${i} in the export`);
    assert.equal(d.rolling_start_interval_number, k.rollingStartNumber);
    assert.equal(d.rolling_period, k.rollingPeriod);
    assert.equal(d.report_type, 1);
    assert.equal(d.days_since_onset_of_symptoms, i - 2);
  }
  // keys in byte order, so neither upload order nor the fake ones show
  const sorted = dumped.map((d) => Buffer.from(d.key_data, 'base64').toString('hex'));
  assert.deepEqual(sorted, [...sorted].sort());
  // a file another key signed is refused
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
  assert.equal(en('export', 'verify', '--public-key', other, file).status, 1);
  // nothing new: no new file
  r = srv.cli(['jobs', 'run', '--job', 'en_export', '--force'], undefined, EXPORT_ENV());
  assert.equal(r.status, 0, r.stderr);
  index = await srv.api('GET', '/en/exports/index.txt');
  assert.equal(index.text.trim().split('\n').length, 1);
  // names outside the directory are not served
  for (const bad of ['..%2Fetc', '.hidden', 'x.tmp.zip', 'nothere.zip']) {
    const g = await srv.api('GET', `/en/exports/${bad}`);
    assert.equal(g.status, 404, bad);
  }
});

test('a rotated export signing key signs the next file; the old key still verifies the old one', async () => {
  const oldKey = (await srv.api('GET', '/api/v1/en/export-key')).json.public_key;
  const r = srv.cli(['keys', 'rotate', '--en']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /v2/);
  const now = await srv.api('GET', '/api/v1/en/export-key');
  assert.equal(now.json.verification_key_version, 'v2');
  assert.notEqual(now.json.public_key, oldKey);
  // only the export key: the QR keys are as they were
  assert.equal(Number(sql('SELECT COUNT(*) FROM en_signing_keys;')), 2);
  const { caseId } = await newCase();
  const keys = phoneKeys(3);
  const c = await certify((await issue(caseId)).code, keys);
  assertStatus(await publish(keys, c.certificate, c.secret), 200);
  // an hour passes again: the first file moves an hour back, these keys into the hour after it
  const lastEnd = Number(sql('SELECT MAX(end_ts) FROM en_exports;'));
  sql('UPDATE en_exports SET end_ts = end_ts - 3600, start_ts = start_ts - 3600;');
  sql(`UPDATE en_keys SET created_at = ${lastEnd - 3600} WHERE created_at >= ${lastEnd};`);
  const run = srv.cli(['jobs', 'run', '--job', 'en_export', '--force'], undefined, EXPORT_ENV());
  assert.equal(run.status, 0, run.stderr);
  const files = (await srv.api('GET', '/en/exports/index.txt')).text.trim().split('\n');
  assert.equal(files.length, 2);
  const first = path.join(exportDir, files[0]);
  const second = path.join(exportDir, files[1]);
  assert.equal(en('export', 'verify', '--public-key', oldKey, first).status, 0);
  assert.equal(en('export', 'verify', '--public-key', now.json.public_key, second).status, 0);
  assert.equal(en('export', 'verify', '--public-key', oldKey, second).status, 1);
  const dumped = en('export', 'dump', second).out;
  for (const k of keys) assert.ok(dumped.includes(k.key));
});

test('guessed codes: after 10 wrong ones from an address, 429 even for a right code', async () => {
  const { caseId } = await newCase();
  const issued = await issue(caseId);
  sql('DELETE FROM en_verify_failures;'); // the refusals of the tests before
  let r;
  for (let i = 0; i < 10; i++) {
    r = await srv.api('POST', '/api/v1/en/verify', { body: { code: String(10000000 + i) } });
    assertError(r, 400, 'invalid_field', 'code');
    assert.match(r.json.error.message, /^code_invalid/);
  }
  r = await srv.api('POST', '/api/v1/en/verify', { body: { code: issued.code } });
  assertError(r, 429, 'rate_limited', 'code');
  // the right code was not spent by the refusal
  sql('DELETE FROM en_verify_failures;');
  r = await srv.api('POST', '/api/v1/en/verify', { body: { code: issued.code } });
  assertStatus(r, 200);
});
