'use strict';
// POST /api/v1/certificates/verify: a certificate this server issued is valid and shows its
// contents; each way a payload can be wrong is named (bad_prefix, bad_base45, bad_compression,
// bad_cbor, bad_cose, unknown_key, bad_signature, expired, not_yet_valid, and bad_schema naming the
// field that the DCC JSON schema or the EU value sets refuse); foreign signers come
// from the trust file (CORDON_DCC_TRUST_FILE) — certificates the test signs itself with a key in
// that file, and valid certificates of the EU test data (tests/data/dcc) with a trust file
// built from their TESTCTX certificates; a missing or broken trust file or value-set file stops
// `cordon serve`, and a value-set file of one's own replaces the shipped sets;
// bad input is a 400 naming the field, nothing is written, and random bytes and truncations
// never get a 5xx.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer, BIN, REPO_ROOT, TEST_KEK } = require('../lib/server');
const { assertError, assertStatus, createAccount, uniqueName, PASSWORD, ROLES, HANOI_UNIT_FOR_ROLE } = require('../lib/fixtures');
const { citizenWithProfile, uniquePhone } = require('../lib/people');
const {
  siteDay, vaccinate, base45Encode, cbor, makeSigner, makeHc1, hc1ToCose, coseToHc1,
} = require('../lib/vaccine-setup');

const STATUSES = ['ok', 'bad_prefix', 'bad_base45', 'bad_compression', 'bad_cbor', 'bad_cose', 'unknown_key',
  'bad_signature', 'expired', 'not_yet_valid', 'wrong_key_usage', 'bad_schema'];
const TESTDATA = process.env.CORDON_DCC_TESTDATA || path.resolve(REPO_ROOT, 'tests', 'data', 'dcc');
const NOW = () => Math.floor(Date.now() / 1000);

let dir;
let srv;        // with a trust file: our own foreign signer + the EU test data signers
let plain;      // no trust file: only its own key
let adminToken;
let day;
let issued;     // { dose, certificate } from a real dose
const signer = makeSigner();
let testdata = []; // [{file, hc1, json}] of EU test data certificates expected to verify

const PAYLOAD = {
  ver: '1.3.0',
  nam: { fn: 'Müller', fnt: 'MUELLER', gn: 'Anna', gnt: 'ANNA' },
  dob: '1970-01-31',
  v: [{ tg: '840539006', vp: '1119349007', mp: 'EU/1/20/1528', ma: 'ORG-100030215', dn: 3, sd: 2, dt: '2021-12-01', co: 'AT', is: 'Ministry of Health, Austria', ci: 'URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B' }],
};

/** Countries whose schema flags the test data lists as known to be wrong (test_cose_schema for a whole country). */
function schemaKnownIssues() {
  const f = path.join(TESTDATA, 'tests', 'known_issues.csv');
  if (!fs.existsSync(f)) return new Set();
  const rows = fs.readFileSync(f, 'utf8').split('\n').slice(1).map((l) => l.split(','));
  return new Set(rows.filter((r) => ['test_cose_schema', ''].includes(r[0]) && r[1] && !r[2]).map((r) => r[1]));
}

/** The EU test data files whose every step is expected to pass, with the signer certificate. */
function loadTestdata() {
  const out = [];
  if (!fs.existsSync(TESTDATA)) return out;
  const knownIssues = schemaKnownIssues();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\/2DCode\/raw\/[^/]+\.json$/.test(p)) {
        let j;
        try { j = JSON.parse(fs.readFileSync(p, 'utf8')); } catch { continue; }
        const x = j.EXPECTEDRESULTS || {};
        const steps = ['EXPECTEDUNPREFIX', 'EXPECTEDB45DECODE', 'EXPECTEDCOMPRESSION', 'EXPECTEDDECODE', 'EXPECTEDVERIFY'];
        if (typeof j.PREFIX !== 'string' || !j.TESTCTX || typeof j.TESTCTX.CERTIFICATE !== 'string' || !j.JSON) continue;
        if (!steps.every((k) => x[k] === true) || x.EXPECTEDKEYUSAGE === false || x.EXPECTEDVALIDJSON === false) continue;
        // Known defects of the data (tests/unit/dcc/test_dcc_testdata.c): the JSON field is not what is signed.
        if (/PL\/1\.3\.0\/2DCode\/raw\/[15]\.json$/.test(p)) continue;
        const file = path.relative(TESTDATA, p);
        // The schema flag, unless the data's authors list it as wrong for this country (tests/known_issues.csv).
        const schema = knownIssues.has(file.split(path.sep)[0]) ? null : x.EXPECTEDSCHEMAVALIDATION;
        out.push({ file, hc1: j.PREFIX, json: j.JSON, cert: j.TESTCTX.CERTIFICATE, schema });
      }
    }
  };
  walk(TESTDATA);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-dcc-'));
  testdata = loadTestdata();
  const trust = { ...signer.trustEntry() };
  for (const t of testdata) {
    const der = Buffer.from(t.cert, 'base64');
    trust[crypto.createHash('sha256').update(der).digest().subarray(0, 8).toString('base64')] = t.cert;
  }
  fs.writeFileSync(path.join(dir, 'trust.json'), JSON.stringify(trust, null, 1));
  srv = await startServer({ env: { CORDON_DCC_TRUST_FILE: path.join(dir, 'trust.json') } });
  plain = await startServer();
  adminToken = await srv.login('admin', srv.adminPassword);
  day = await siteDay(srv, adminToken, { person: { full_name: 'Trần Văn Kiểm', date_of_birth: '1969-09-02' } });
  issued = await vaccinate(srv, day);
});

after(async () => {
  if (srv) await srv.stop();
  if (plain) await plain.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const verify = (s, payload, opts = {}) => s.api('POST', '/api/v1/certificates/verify', { body: { payload }, ...opts });

function assertShape(r) {
  assertStatus(r, 200);
  const j = r.json;
  assert.equal(typeof j.valid, 'boolean');
  assert.ok(STATUSES.includes(j.status), `status ${j.status}`);
  assert.equal(j.valid, j.status === 'ok');
  assert.equal(typeof j.message, 'string');
  assert.ok(j.message.length > 0);
  for (const k of ['country', 'issued_at', 'expires_at', 'kid', 'certificate', 'detail']) assert.ok(k in j, `${k} in answer`);
  return j;
}

test('a certificate this server issued is valid and shows name, date of birth and the dose', async () => {
  const hc1 = issued.certificate.hc1;
  assert.match(hc1, /^HC1:/);
  for (const s of [srv, plain]) {
    // Anonymous: the verifier is public. The plain server has another key (its own database): unknown there.
    const r = await verify(s, hc1);
    const j = assertShape(r);
    if (s === plain) { assert.equal(j.status, 'unknown_key'); assert.equal(j.valid, false); continue; }
    assert.equal(j.valid, true, r.text);
    assert.equal(j.status, 'ok');
    assert.equal(j.detail, null);
    assert.equal(j.country, 'VN');
    assert.equal(j.kid, issued.certificate.kid);
    assert.equal(j.issued_at, issued.certificate.issued_at);
    assert.equal(j.expires_at, issued.certificate.expires_at);
    const c = j.certificate;
    assert.equal(c.type, 'vaccination');
    assert.equal(c.version, '1.3.0');
    assert.equal(c.full_name, 'Trần Văn Kiểm');
    assert.deepEqual(c.name, { family: 'Trần', given: 'Văn Kiểm', family_icao: 'TRAN', given_icao: 'VAN<KIEM' });
    assert.equal(c.date_of_birth, '1969-09-02');
    assert.equal(c.doses.length, 1);
    const d = c.doses[0];
    assert.equal(d.product, 'EU/1/20/1528');
    assert.equal(d.product_name, 'Comirnaty');
    assert.equal(d.dose_number, 1);
    assert.equal(d.total_doses, 2);
    assert.equal(d.booster, false);
    assert.equal(d.country, 'VN');
    assert.equal(d.uvci, issued.certificate.uvci);
    assert.match(d.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(typeof d.issuer, 'string');
    assert.deepEqual(c.tests, []);
    assert.deepEqual(c.recoveries, []);
  }
});

test('any role may verify; the answer is the same', async () => {
  const citizen = await citizenWithProfile(srv, adminToken, uniquePhone('96'), {});
  const tokens = [null, adminToken, citizen.token, day.vaccinatorToken, day.officialToken];
  for (const role of ROLES.filter((x) => !['national_admin', 'commune_admin', 'vaccinator'].includes(x))) {
    const a = await createAccount(srv, adminToken, { username: uniqueName('v'), role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tokens.push(await srv.login(a.username, PASSWORD));
  }
  for (const token of tokens) {
    const j = assertShape(await verify(srv, issued.certificate.hc1, token ? { token } : {}));
    assert.equal(j.status, 'ok');
  }
});

test('each broken step is named', async () => {
  const hc1 = issued.certificate.hc1;
  const cose = hc1ToCose(hc1);
  const cases = [
    ['hello', 'bad_prefix'],
    [hc1.slice(4), 'bad_prefix'],
    ['hc1:' + hc1.slice(4), 'bad_prefix'],
    ['HC1:abc', 'bad_base45'],
    [`HC1:${hc1.slice(4, 40)}~${hc1.slice(41)}`, 'bad_base45'],
    [`HC1:${'A'.repeat(8300)}`, 'bad_base45'],
    [`${hc1} `, 'bad_base45'],
    ['HC1:' + base45Encode(Buffer.from('not zlib at all, just text')), 'bad_compression'],
    [hc1.slice(0, hc1.length - 30), null], // truncated: base45 or zlib, see below
    [coseToHc1(Buffer.from([0xff, 0xfe, 0x00])), 'bad_cbor'],
    [coseToHc1(Buffer.concat([cose, Buffer.from([0x00])])), 'bad_cbor'],
    [coseToHc1(cbor(1)), 'bad_cose'],
    [coseToHc1(cbor({ tag: 18, value: [Buffer.alloc(0), new Map(), Buffer.alloc(0), Buffer.alloc(64)] })), 'bad_cose'],
    [makeHc1(signer, PAYLOAD, { iat: NOW() - 60, exp: NOW() + 86400, tamper: true }), 'bad_signature'],
    [makeHc1(makeSigner(), PAYLOAD, { iat: NOW() - 60, exp: NOW() + 86400 }), 'unknown_key'],
    [makeHc1(signer, PAYLOAD, { iat: NOW() - 400 * 86400, exp: NOW() - 35 * 86400 }), 'expired'],
    [makeHc1(signer, PAYLOAD, { iat: NOW() + 30 * 86400, exp: NOW() + 400 * 86400 }), 'not_yet_valid'],
  ];
  // A flipped byte of the signature inside our own certificate: well-formed, but not what was signed.
  const flipped = Buffer.from(cose);
  flipped[flipped.length - 3] ^= 0x01;
  cases.push([coseToHc1(flipped), 'bad_signature']);
  for (const [payload, want] of cases) {
    const j = assertShape(await verify(srv, payload));
    if (want === null) assert.ok(['bad_base45', 'bad_compression'].includes(j.status), `${payload.slice(0, 30)}: ${j.status}`);
    else assert.equal(j.status, want, `${payload.slice(0, 40)}…: ${JSON.stringify(j).slice(0, 300)}`);
    assert.equal(j.valid, false);
    assert.equal(typeof j.detail === 'string' || j.detail === null, true);
  }
  // After the signature check fails, the contents are still shown (for the verifier, not trusted).
  const bad = assertShape(await verify(srv, makeHc1(signer, PAYLOAD, { iat: NOW(), exp: NOW() + 86400, tamper: true })));
  assert.equal(bad.certificate.full_name, 'Müller Anna');
  assert.equal(bad.kid, signer.kid.toString('base64'));
  const early = assertShape(await verify(srv, makeHc1(signer, PAYLOAD, { iat: NOW() - 400 * 86400, exp: NOW() - 86400 })));
  assert.equal(early.expires_at < NOW(), true);
});

test('a foreign signer from the trust file: valid, with the contents of a booster certificate', async () => {
  const iat = NOW() - 3600;
  const hc1 = makeHc1(signer, PAYLOAD, { iat, exp: iat + 180 * 86400, iss: 'AT' });
  const j = assertShape(await verify(srv, hc1));
  assert.equal(j.status, 'ok');
  assert.equal(j.country, 'AT');
  assert.equal(j.issued_at, iat);
  assert.equal(j.kid, signer.kid.toString('base64'));
  assert.equal(j.certificate.full_name, 'Müller Anna');
  assert.equal(j.certificate.date_of_birth, '1970-01-31');
  assert.deepEqual(j.certificate.doses[0], {
    disease: '840539006', vaccine: '1119349007', product: 'EU/1/20/1528', product_name: 'Comirnaty',
    manufacturer: 'ORG-100030215', manufacturer_name: 'Biontech Manufacturing GmbH', dose_number: 3,
    total_doses: 2, date: '2021-12-01', country: 'AT', country_name: 'Austria',
    issuer: 'Ministry of Health, Austria', uvci: PAYLOAD.v[0].ci, booster: true,
  });
  // A test and a recovery certificate: their codes come with the value sets' names too.
  const test = { ver: '1.3.0', nam: PAYLOAD.nam, dob: PAYLOAD.dob, t: [{ tg: '840539006', tt: 'LP217198-3', ma: '1232', sc: '2021-05-24T15:20:00Z', tr: '260415000', tc: 'Testzentrum', co: 'AT', is: 'X', ci: 'X' }] };
  const t = assertShape(await verify(srv, makeHc1(signer, test, { iat, exp: iat + 86400 })));
  assert.equal(t.status, 'ok', t.detail);
  assert.deepEqual(t.certificate.tests[0], {
    disease: '840539006', test_type: 'LP217198-3', test_type_name: 'Rapid immunoassay', test_name: null,
    manufacturer: '1232', manufacturer_name: 'Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test',
    collected_at: '2021-05-24T15:20:00Z', result: '260415000', result_name: 'Not detected', centre: 'Testzentrum',
    country: 'AT', country_name: 'Austria', issuer: 'X', uvci: 'X',
  });
  const rec = { ver: '1.3.0', nam: PAYLOAD.nam, dob: PAYLOAD.dob, r: [{ tg: '840539006', fr: '2021-05-07', co: 'XK', is: 'X', df: '2021-05-18', du: '2021-09-05', ci: 'X' }] };
  const r = assertShape(await verify(srv, makeHc1(signer, rec, { iat, exp: iat + 86400 })));
  assert.equal(r.certificate.recoveries[0].country_name, 'Kosovo, Republic of');
  // Without the trust file the same certificate's key is unknown.
  assert.equal(assertShape(await verify(plain, hc1)).status, 'unknown_key');
});

test('contents the DCC schema or the EU value sets refuse: bad_schema naming the field', async () => {
  const at = { iat: NOW() - 60, exp: NOW() + 86400 };
  const v = PAYLOAD.v[0];
  const cases = [
    [{ ...PAYLOAD, v: [{ ...v, co: 'XY' }] }, 'v[0].co', /not a code of value set country-2-codes/],
    [{ ...PAYLOAD, v: [{ ...v, ma: 'ORG-99999999' }] }, 'v[0].ma', /vaccine-mah-manf/],
    [{ ...PAYLOAD, v: [{ ...v, mp: 'Snake-Oil' }] }, 'v[0].mp', /vaccine-medicinal-product/],
    [{ ...PAYLOAD, v: [{ ...v, dn: 0 }] }, 'v[0].dn', /1 or more/],
    [{ ...PAYLOAD, v: [{ ...v, dt: '18/02/2021' }] }, 'v[0].dt', /not an ISO 8601 date/],
    [{ ...PAYLOAD, v: [{ ...v, ci: undefined }] }, 'v[0].ci', /required/],
    [{ ...PAYLOAD, v: [v, v] }, 'v', /exactly one entry/],
    [{ ...PAYLOAD, dob: '1815-08-24' }, 'dob', /1900 to 2099/],
    [{ ...PAYLOAD, nam: { fn: 'Müller', fnt: 'Müller' } }, 'nam.fnt', /A-Z/],
    [{ ...PAYLOAD, nam: { fn: 'x'.repeat(81), fnt: 'X' } }, 'nam.fn', /80 characters/],
    [{ ...PAYLOAD, t: [{ tg: '840539006', tt: 'LP217198-3', ma: '9999', sc: '2021-05-24T15:20:00Z', tr: '260415000', tc: 'X', co: 'AT', is: 'X', ci: 'X' }] }, 'v', /only one of v, t and r/],
    [{ ver: '1.3.0', nam: PAYLOAD.nam, dob: PAYLOAD.dob, t: [{ tg: '840539006', tt: 'LP217198-3', ma: '9999', sc: '2021-05-24T15:20:00Z', tr: '260415000', tc: 'X', co: 'AT', is: 'X', ci: 'X' }] }, 't[0].ma', /test-manf/],
    [{ ver: '1.3.0', nam: PAYLOAD.nam, dob: PAYLOAD.dob, r: [{ tg: '840539006', fr: '2021-05-07', co: 'AT', is: 'X', df: '2021-05-18', ci: 'X' }] }, 'r[0].du', /required/],
    [{ ...PAYLOAD, ver: 'one' }, 'ver', /version/],
    // Release 1.0.0 capped dose numbers at 9 and names at 50 characters.
    [{ ...PAYLOAD, ver: '1.0.0', v: [{ ...v, dn: 10, sd: 10 }] }, 'v[0].dn', /from 1 to 9/],
    [{ ...PAYLOAD, ver: '1.0.0', nam: { fn: 'x'.repeat(51), fnt: 'X' } }, 'nam.fn', /50 characters/],
  ];
  for (const [payload, field, why] of cases) {
    const j = assertShape(await verify(srv, makeHc1(signer, JSON.parse(JSON.stringify(payload)), at)));
    assert.equal(j.status, 'bad_schema', `${field}: ${JSON.stringify(j).slice(0, 300)}`);
    assert.equal(j.valid, false);
    assert.ok(j.detail.startsWith(`${field} `), `${field}: detail ${j.detail}`);
    assert.match(j.detail, why);
    assert.equal(j.certificate.full_name !== undefined, true); // the contents are still shown
  }
  // What the schema allows: empty date of birth (1.3), partial dates, a time on the 1.0 date of birth,
  // more than nine doses from 1.3 on, only a given name from 1.3.2 on.
  const fine = [
    { ...PAYLOAD, dob: '' },
    { ...PAYLOAD, dob: '1970-01' },
    { ...PAYLOAD, dob: '1970' },
    { ...PAYLOAD, ver: '1.0.0', dob: '1979-04-14T00:00:00' },
    { ...PAYLOAD, v: [{ ...v, dn: 12, sd: 12 }] },
    { ...PAYLOAD, ver: '1.3.2', nam: { gn: 'Anna', gnt: 'ANNA' } },
    { ver: '1.3.0', nam: PAYLOAD.nam, dob: PAYLOAD.dob, t: [{ tg: '840539006', tt: 'LP217198-3', ma: '1232', sc: '2021-05-24T15:20:00+02:00', tr: '260415000', tc: 'Testzentrum', co: 'AT', is: 'X', ci: 'X' }] },
    { ver: '1.3.0', nam: PAYLOAD.nam, dob: PAYLOAD.dob, r: [{ tg: '840539006', fr: '2021-05-07', co: 'AT', is: 'X', df: '2021-05-18', du: '2021-09-05', ci: 'X' }] },
  ];
  for (const payload of fine) {
    const j = assertShape(await verify(srv, makeHc1(signer, payload, at)));
    assert.equal(j.status, 'ok', `${JSON.stringify(payload).slice(0, 120)}: ${j.detail}`);
  }
  // A fault only the value sets see is still named when the time is also wrong: the clock comes first.
  const old = assertShape(await verify(srv, makeHc1(signer, cases[0][0], { iat: NOW() - 400 * 86400, exp: NOW() - 86400 })));
  assert.equal(old.status, 'expired');
});

test('value sets are data: a configured file replaces the shipped ones; a broken one stops the start', async () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'data', 'dcc_valuesets.json'), 'utf8'));
  shipped.valuesets['country-2-codes'].values.XY = 'Testland';
  const file = path.join(dir, 'valuesets.json');
  fs.writeFileSync(file, JSON.stringify(shipped));
  const own = await startServer({ env: { CORDON_DCC_TRUST_FILE: path.join(dir, 'trust.json'), CORDON_DCC_VALUESETS_FILE: file } });
  try {
    const hc1 = makeHc1(signer, { ...PAYLOAD, v: [{ ...PAYLOAD.v[0], co: 'XY' }] }, { iat: NOW() - 60, exp: NOW() + 86400 });
    assert.equal(assertShape(await verify(own, hc1)).status, 'ok');
    assert.equal(assertShape(await verify(srv, hc1)).status, 'bad_schema');
  } finally {
    await own.stop();
  }
  fs.writeFileSync(path.join(dir, 'vs-broken.json'), JSON.stringify({ valuesets: { 'country-2-codes': { values: { AT: 1 } } } }));
  for (const [f, why] of [[path.join(dir, 'no-such-vs.json'), /bad DCC value sets .*no-such-vs\.json/],
    [path.join(dir, 'vs-broken.json'), /bad DCC value sets .*vs-broken\.json: value set country-2-codes: the display of AT is not a string/]]) {
    const r = spawnSync(BIN, ['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0'], {
      encoding: 'utf8', timeout: 20000, env: { ...process.env, CORDON_KEK: TEST_KEK, CORDON_DCC_VALUESETS_FILE: f },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, why);
  }
});

test('EU test data: valid certificates verify with their signers from the trust file (time checked against today)', async (t) => {
  if (!testdata.length) { t.skip(`no test data at ${TESTDATA}`); return; }
  const seen = { ok: 0, expired: 0 };
  for (const d of testdata) {
    const j = assertShape(await verify(srv, d.hc1));
    // The signature passed (no bad_*, unknown_key, bad_signature); only the clock may still refuse, and
    // the schema where the data says so (or its flag is known to be wrong).
    const allowed = ['ok', 'expired', 'not_yet_valid'].concat(d.schema === true ? [] : ['bad_schema']);
    assert.ok(allowed.includes(j.status), `${d.file}: ${j.status} ${j.detail}`);
    if (d.schema === false) assert.notEqual(j.status, 'ok', `${d.file}: its schema check must fail`);
    if (j.status === 'expired') assert.ok(j.expires_at < NOW(), `${d.file}: expired but exp ${j.expires_at}`);
    if (j.status === 'ok') assert.ok(!j.expires_at || j.expires_at >= NOW());
    seen[j.status] = (seen[j.status] || 0) + 1;
    const nam = d.json.nam || {};
    if (nam.fnt) assert.equal(j.certificate.name.family_icao, nam.fnt, d.file);
    if (d.json.dob !== undefined) assert.equal(j.certificate.date_of_birth, d.json.dob, d.file);
    const kind = d.json.v ? 'vaccination' : d.json.t ? 'test' : d.json.r ? 'recovery' : null;
    if (kind) assert.equal(j.certificate.type, kind, d.file);
    // Without the trust file none of these keys is known.
    assert.equal(assertShape(await verify(plain, d.hc1)).status, 'unknown_key', d.file);
  }
  assert.ok(testdata.length >= 20, `only ${testdata.length} test data certificates`);
  t.diagnostic(`${testdata.length} EU test data certificates: ${JSON.stringify(seen)}`);
});

test('bad input: 400 naming the field, 413 over 16 KiB, nothing written', async () => {
  const before = srv.dbStats();
  const post = (o) => srv.api('POST', '/api/v1/certificates/verify', o);
  assertError(await post({ rawBody: '' }), 400, 'invalid_json');
  assertError(await post({ rawBody: '{"payload":' }), 400, 'invalid_json');
  assertError(await post({ rawBody: '[]' }), 400, 'invalid_json');
  assertError(await post({ body: {} }), 400, 'missing_field', 'payload');
  assertError(await post({ body: { payload: null } }), 400, 'missing_field', 'payload');
  assertError(await post({ body: { payload: 42 } }), 400, 'invalid_field', 'payload');
  assertError(await post({ body: { payload: ['HC1:'] } }), 400, 'invalid_field', 'payload');
  assertError(await post({ body: { payload: '' } }), 400, 'invalid_field', 'payload');
  assertError(await post({ body: { payload: 'HC1:\u0000ABC' } }), 400, 'invalid_json'); // NUL: refused by the JSON reader
  assertError(await post({ body: { payload: 'HC1:ABC', trust: 'all' } }), 400, 'unknown_field', 'trust');
  const big = await post({ body: { payload: `HC1:${'A'.repeat(17000)}` } });
  assert.equal(big.status, 413, big.text.slice(0, 200));
  assertError(await post({ rawBody: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }), 400, 'invalid_json');
  assert.equal((await srv.api('GET', '/api/v1/certificates/verify')).status, 405);
  assert.deepEqual(srv.dbStats(), before);
});

test('fuzz: random bytes, truncations and flipped characters never get a 5xx', async () => {
  const hc1 = issued.certificate.hc1;
  const foreign = makeHc1(signer, PAYLOAD, { iat: NOW(), exp: NOW() + 86400 });
  const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  let rnd = 0x2021;
  const next = () => { rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0; return rnd; };
  const payloads = [];
  for (let i = 0; i < 60; i++) payloads.push(`HC1:${crypto.randomBytes(1 + (next() % 600)).toString('latin1')}`);
  for (let i = 0; i < 60; i++) payloads.push(`HC1:${Array.from({ length: 3 + (next() % 700) }, () => B45[next() % 45]).join('')}`);
  for (let i = 0; i < 60; i++) payloads.push(coseToHc1(crypto.randomBytes(1 + (next() % 400))));
  for (const src of [hc1, foreign]) {
    for (let n = 4; n < src.length; n += 1 + (next() % 11)) payloads.push(src.slice(0, n));
    for (let i = 0; i < 40; i++) {
      const at = 4 + (next() % (src.length - 4));
      payloads.push(src.slice(0, at) + B45[next() % 45] + src.slice(at + 1));
    }
    // Inside the envelope: truncated and bit-flipped COSE, re-wrapped so it reaches the CBOR/COSE decoders.
    const cose = hc1ToCose(src);
    for (let n = 0; n < cose.length; n += 1 + (next() % 9)) payloads.push(coseToHc1(cose.subarray(0, n)));
    for (let i = 0; i < 80; i++) {
      const b = Buffer.from(cose);
      b[next() % b.length] ^= 1 << (next() % 8);
      payloads.push(coseToHc1(b));
    }
  }
  const count = {};
  for (const p of payloads) {
    const r = await verify(srv, p);
    // 400 only for a NUL character, which the JSON reader refuses before the verifier sees it.
    assert.ok(r.status === 200 || (r.status === 400 && r.json.error.code === 'invalid_json' && p.includes('\u0000')), `${r.status} for ${JSON.stringify(p.slice(0, 60))}: ${r.text.slice(0, 200)}`);
    if (r.status === 200) { assertShape(r); count[r.json.status] = (count[r.json.status] || 0) + 1; }
  }
  // Every kind of failure was reached at least once.
  for (const s of ['bad_base45', 'bad_compression', 'bad_cbor', 'bad_cose', 'bad_signature']) assert.ok(count[s] > 0, `${s}: ${JSON.stringify(count)}`);
  assertStatus(await srv.api('GET', '/healthz'), 200);
});

test('a missing or broken trust file stops cordon serve with a clear message', async () => {
  const serveWith = (file) => spawnSync(BIN, ['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0'], {
    encoding: 'utf8', timeout: 20000, env: { ...process.env, CORDON_KEK: TEST_KEK, CORDON_DCC_TRUST_FILE: file },
  });
  const missing = serveWith(path.join(dir, 'no-such-file.json'));
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /bad DCC trust file .*no-such-file\.json/);
  fs.writeFileSync(path.join(dir, 'broken.json'), '{"abc": ');
  const broken = serveWith(path.join(dir, 'broken.json'));
  assert.notEqual(broken.status, 0);
  assert.match(broken.stderr, /bad DCC trust file .*broken\.json/);
  fs.writeFileSync(path.join(dir, 'badkey.json'), JSON.stringify({ AAAAAAAAAAA: 'not a key' }));
  const badKey = serveWith(path.join(dir, 'badkey.json'));
  assert.notEqual(badKey.status, 0);
  assert.match(badKey.stderr, /bad DCC trust file .*badkey\.json/);
  // The same through the config file key.
  fs.writeFileSync(path.join(dir, 'cordon.conf'), `dcc_trust_file = ${path.join(dir, 'no-such-file.json')}\n`);
  const viaConf = spawnSync(BIN, ['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:0', '--config', path.join(dir, 'cordon.conf')],
    { encoding: 'utf8', timeout: 20000, env: { ...process.env, CORDON_KEK: TEST_KEK } });
  assert.notEqual(viaConf.status, 0);
  assert.match(viaConf.stderr, /bad DCC trust file/);
});
