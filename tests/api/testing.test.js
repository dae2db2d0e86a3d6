'use strict';
// Platform 2: sample collection, pooled testing, results (docs/api-testing.md). Sites and
// sessions, tubes and labels, collection by every identifier (idempotent, pool capacity, a
// person once per session), manifest in JSON/CSV/XLSX, lab receipt, results one at a time with
// pool propagation (negative, pool positive -> retest orders, individual positive -> case),
// result files (check with line numbers, apply all-or-nothing, XLSX, bad encodings, empty,
// 50 MB, XLSX bombs refused with the server's memory flat), results for the citizen and family,
// public lookups, oversight figures.
//
// Places: the site is in Phúc Xá (00001, Ba Đình 001, Hà Nội 01); its lab unit is Ba Đình (001).
// "Outside" accounts sit in Tân Định (26734, Quận 1 760, Hồ Chí Minh 79).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { xlsx, xlsxBomb } = require('../lib/xlsx');

let srv;
let admin;
const tok = {};   // name -> token
const acc = {};   // name -> account
let seq = 0;
const cid = (p = 'c') => { seq += 1; return `${p}-${process.pid}-${seq}-${Date.now() % 100000}`; };
let phoneSeq = 0;
const phone = () => { phoneSeq += 1; return `098${String((process.pid * 100 + phoneSeq) % 10000000).padStart(7, '0')}`; };
let cccdSeq = 0;
const cccd = () => { cccdSeq += 1; return `0010${String((process.pid * 1000 + cccdSeq) % 100000000).padStart(8, '0')}`; };

const TESTING_TABLES = ['testing_sites', 'testing_sessions', 'testing_session_samplers', 'testing_tube_batches',
  'testing_tubes', 'testing_samples', 'testing_result_batches', 'testing_retest_orders', 'cases', 'case_events',
  'persons', 'outbox'];
function snapshot() {
  const t = srv.dbStats().tables;
  return Object.fromEntries(TESTING_TABLES.map((n) => [n, t[n]]));
}

async function api(method, path, token, body, extra = {}) {
  return srv.api(method, path, { token, body, ...extra });
}

async function newSite(token = admin, commune = '00001') {
  const r = await api('POST', '/api/v1/testing/sites', token, { client_id: cid('site'), name: 'Nhà văn hoá tổ 5', commune_code: commune });
  assertStatus(r, 201, 'site');
  return r.json;
}

async function newSession(fields = {}, token = admin) {
  const site = fields.site || await newSite(token);
  const body = { client_id: cid('sess'), site_id: site.id, date: '2021-09-01', team: 'Tổ 1', test_type: 'rt_pcr',
    lab_unit_code: '001', samplers: [acc.sampler.id], ...fields };
  delete body.site;
  const r = await api('POST', '/api/v1/testing/sessions', token, body);
  assertStatus(r, 201, 'session');
  return r.json;
}

async function tubes(session, count, token = tok.sampler) {
  const r = await api('POST', `/api/v1/testing/sessions/${session.id}/tubes`, token, { client_id: cid('tubes'), count });
  assertStatus(r, 201, 'tubes');
  return r.json.tubes;
}

async function collect(session, tube, who, token = tok.sampler, status = 201) {
  const r = await api('POST', '/api/v1/testing/samples', token, { client_id: cid('smp'), session_id: session.id, tube_id: tube, ...who });
  assertStatus(r, status, 'collect');
  return r.json;
}

const newcomer = () => ({ phone: phone(), full_name: 'Trần Thị Mai' });

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const defs = {
    province: ['province_admin', '01'], district: ['district_admin', '001'], commune: ['commune_admin', '00001'],
    communeOut: ['commune_admin', '26734'], sampler: ['sampler', '00001'], sampler2: ['sampler', '001'],
    samplerOut: ['sampler', '26734'], lab: ['lab', '001'], labOut: ['lab', '760'], tracer: ['tracer', '00001'],
    vaccinator: ['vaccinator', '00001'], venue: ['venue_owner', '00001'], checkpoint: ['checkpoint_officer', '00001'],
  };
  for (const [name, [role, unit]] of Object.entries(defs)) {
    const username = `t.${name.toLowerCase()}.${process.pid % 10000}`;
    acc[name] = await createAccount(srv, admin, { username, role, unit_code: unit });
    tok[name] = await srv.login(username, PASSWORD);
  }
});

after(async () => { if (srv) await srv.stop(); });

describe('sites and sessions', () => {
  test('create, retry by client_id, defaults by test type, area checks', async () => {
    const body = { client_id: cid('site'), name: 'Trạm y tế phường', address: '1 Hàng Đậu', commune_code: '00001' };
    let r = await api('POST', '/api/v1/testing/sites', tok.district, body);
    assertStatus(r, 201);
    assert.equal(r.json.commune_code, '00001');
    const again = await api('POST', '/api/v1/testing/sites', tok.district, body);
    assertStatus(again, 200);
    assert.equal(again.json.id, r.json.id);
    r = await api('POST', '/api/v1/testing/sites', tok.communeOut, { ...body, client_id: cid('site') });
    assertError(r, 403, 'forbidden');
    const site = again.json;
    const pcr = await newSession({ site });
    assert.equal(pcr.pool_size, 10);
    assert.equal(pcr.test_type, 'rt_pcr');
    assert.deepEqual(pcr.samplers, [acc.sampler.id]);
    const rapid = await newSession({ site, test_type: 'rapid_antigen' });
    assert.equal(rapid.pool_size, 1);
    r = await api('GET', '/api/v1/testing/sessions', tok.sampler);
    assertStatus(r, 200);
    assert.ok(r.json.sessions.some((s) => s.id === pcr.id));
    r = await api('GET', '/api/v1/testing/sessions', tok.samplerOut);
    assert.equal(r.json.sessions.length, 0);
    r = await api('GET', '/api/v1/testing/sessions', tok.lab);
    assert.ok(r.json.sessions.some((s) => s.id === pcr.id));
    r = await api('GET', '/api/v1/testing/sessions', tok.labOut);
    assert.equal(r.json.sessions.length, 0);
    r = await api('GET', '/api/v1/testing/sites?unit=001', tok.district);
    assert.ok(r.json.sites.some((s) => s.id === site.id));
  });

  test('bad input names the field and writes nothing', async () => {
    const site = await newSite();
    const good = { client_id: cid('sess'), site_id: site.id, date: '2021-09-01', team: 'Tổ 1', test_type: 'rt_pcr', lab_unit_code: '001' };
    const cases = [
      [{ client_id: 'short' }, 400, 'invalid_field', 'client_id'],
      [{ site_id: 999999 }, 400, 'invalid_field', 'site_id'],
      [{ date: '2021-02-30' }, 400, 'invalid_field', 'date'],
      [{ test_type: 'elisa' }, 400, 'invalid_field', 'test_type'],
      [{ test_type: 'rapid_antigen', pool_size: 5 }, 400, 'invalid_field', 'pool_size'],
      [{ pool_size: 11 }, 400, 'invalid_field', 'pool_size'],
      [{ lab_unit_code: '99999' }, 400, 'invalid_field', 'lab_unit_code'],
      [{ samplers: [acc.samplerOut.id] }, 400, 'invalid_field', 'samplers'],
      [{ samplers: [acc.lab.id] }, 400, 'invalid_field', 'samplers'],
      [{ team: undefined }, 400, 'missing_field', 'team'],
      [{ extra: 1 }, 400, 'unknown_field', 'extra'],
    ];
    const before = snapshot();
    for (const [patch, status, code, field] of cases) {
      const r = await api('POST', '/api/v1/testing/sessions', admin, { ...good, ...patch });
      assertError(r, status, code, field);
    }
    assert.deepEqual(snapshot(), before);
  });
});

describe('collection', () => {
  let session;
  let t;
  before(async () => {
    session = await newSession();
    t = await tubes(session, 6);
  });

  test('label sheet is a PDF page; tube batches are idempotent', async () => {
    assert.equal(t.length, 6);
    for (const code of t) assert.match(code, /^T[0-9A-HJKMNP-TV-Z]{9}$/);
    const body = { client_id: cid('tubes'), count: 2 };
    const a = await api('POST', `/api/v1/testing/sessions/${session.id}/tubes`, tok.sampler, body);
    const b = await api('POST', `/api/v1/testing/sessions/${session.id}/tubes`, tok.sampler, body);
    assert.deepEqual(a.json.tubes, b.json.tubes);
    const r = await srv.api('GET', `/api/v1/testing/sessions/${session.id}/labels.pdf?batch=${a.json.batch_id}`, { token: tok.sampler });
    assertStatus(r, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.ok(r.text.startsWith('%PDF'));
    const bad = await srv.api('GET', `/api/v1/testing/sessions/${session.id}/labels.pdf?page=9`, { token: tok.sampler });
    assertError(bad, 400, 'invalid_field', 'page');
  });

  test('a pool takes up to 10, counts run, retries change nothing, a person once per session', async () => {
    const body = { client_id: cid('smp'), session_id: session.id, tube_id: t[0], ...newcomer() };
    let r = await api('POST', '/api/v1/testing/samples', tok.sampler, body);
    assertStatus(r, 201);
    assert.equal(r.json.tube.count, 1);
    assert.equal(r.json.person_created, true);
    const first = r.json;
    r = await api('POST', '/api/v1/testing/samples', tok.sampler, body);
    assertStatus(r, 200);
    assert.equal(r.json.sample.id, first.sample.id);
    assert.equal(r.json.tube.count, 1);
    for (let i = 2; i <= 10; i++) {
      const c = await collect(session, t[0], newcomer());
      assert.equal(c.tube.count, i);
      assert.equal(c.tube.full, i === 10);
    }
    const before = snapshot();
    r = await api('POST', '/api/v1/testing/samples', tok.sampler, { client_id: cid('smp'), session_id: session.id, tube_id: t[0], ...newcomer() });
    assertError(r, 409, 'conflict', 'tube_id');
    // the same person (by phone + name) in another tube of this session
    r = await api('POST', '/api/v1/testing/samples', tok.sampler, { client_id: cid('smp'), session_id: session.id, tube_id: t[1], phone: body.phone, full_name: body.full_name });
    assertError(r, 409, 'conflict', 'phone');
    assert.deepEqual(snapshot(), before);
  });

  test('by CCCD, BHYT, personal QR and declaration QR', async () => {
    const c1 = cccd();
    let r = await api('POST', '/api/v1/people', admin, { full_name: 'Lê Văn Hải', date_of_birth: '1970-01-02', commune_code: '00001', cccd: c1, bhyt: 'DN4010123456789'.slice(0, 5) + String(process.pid).padStart(10, '0').slice(-10) });
    assert.ok([200, 201].includes(r.status), r.text);
    const p = r.json.person;
    const byCccd = await collect(session, t[1], { cccd: c1 });
    assert.equal(byCccd.person.id, p.id);
    r = await api('POST', '/api/v1/testing/samples', tok.sampler, { client_id: cid('smp'), session_id: session.id, tube_id: t[2], bhyt: p.bhyt });
    assertError(r, 409, 'conflict', 'bhyt');
    const s2 = await newSession();
    const t2 = await tubes(s2, 2);
    const byBhyt = await collect(s2, t2[0], { bhyt: p.bhyt });
    assert.equal(byBhyt.person.id, p.id);
    // personal QR of a citizen
    const ph = phone();
    r = await srv.api('POST', '/api/v1/citizen/otp', { body: { phone: ph } });
    assertStatus(r, 202);
    r = await api('GET', `/api/v1/outbox?recipient=${ph}&kind=otp&limit=1`, admin);
    const code = /(\d{6})/.exec(r.json.messages[0].text)[1];
    r = await srv.api('POST', '/api/v1/citizen/login', { body: { phone: ph, code } });
    const citizen = r.json;
    r = await api('GET', '/api/v1/me/qr', citizen.token);
    const byQr = await collect(s2, t2[1], { person_qr: r.json.payload });
    assert.equal(byQr.person.id, citizen.person.id);
    // a declaration QR
    r = await api('POST', '/api/v1/declarations', citizen.token, { client_id: cid('decl'), person_id: citizen.person.id, kind: 'health', health_status: 'well', symptoms: [], exposure: [] });
    assert.ok([200, 201].includes(r.status), r.text);
    const byDecl = await collect(session, t[2], { declaration_qr: r.json.qr });
    assert.equal(byDecl.person.id, citizen.person.id);
  });

  test('bad collection input names the field, database unchanged', async () => {
    const base = { client_id: cid('smp'), session_id: session.id, tube_id: t[3] };
    const cases = [
      [{ ...base, phone: phone(), full_name: 'An', client_id: 'x' }, 400, 'client_id'],
      [{ ...base, phone: phone(), full_name: 'An', tube_id: 'NOTATUBE' }, 400, 'tube_id'],
      [{ ...base, phone: phone(), full_name: 'An', tube_id: 'T0000000000'.slice(0, 10) }, 400, 'tube_id'],
      [{ ...base, phone: phone(), full_name: 'An', session_id: 999999 }, 400, 'session_id'],
      [{ ...base }, 400, 'person_qr'],
      [{ ...base, phone: phone() }, 400, 'full_name'],
      [{ ...base, phone: '12345', full_name: 'An' }, 400, 'phone'],
      [{ ...base, cccd: '12' }, 400, 'cccd'],
      [{ ...base, cccd: cccd() }, 404, 'cccd'],
      [{ ...base, bhyt: 'XX' }, 400, 'bhyt'],
      [{ ...base, person_qr: 'CDN1.P.AAAA.1.kid.sig' }, 400, 'person_qr'],
      [{ ...base, declaration_qr: 'garbage' }, 400, 'declaration_qr'],
      [{ ...base, cccd: cccd(), phone: phone() }, 400, 'phone'],
      [{ ...base, cccd: cccd(), full_name: 'An' }, 400, 'full_name'],
    ];
    const before = snapshot();
    for (const [body, status, field] of cases) {
      const r = await api('POST', '/api/v1/testing/samples', tok.sampler, body);
      assert.equal(r.status, status, `${JSON.stringify(body)} -> ${r.status} ${r.text}`);
      assert.equal(r.json.error.field, field, `${JSON.stringify(body)} -> ${r.text}`);
    }
    // a tube of another session
    const other = await newSession();
    const ot = await tubes(other, 1);
    const snap = snapshot();
    const r = await api('POST', '/api/v1/testing/samples', tok.sampler, { ...base, tube_id: ot[0], ...newcomer() });
    assertError(r, 409, 'conflict', 'tube_id');
    assert.deepEqual(snapshot(), snap);
    assert.ok(before);
  });

  test('rapid antigen: one person per test', async () => {
    const s = await newSession({ test_type: 'rapid_antigen' });
    const [tt] = await tubes(s, 1);
    const c = await collect(s, tt, newcomer());
    assert.equal(c.tube.capacity, 1);
    assert.equal(c.tube.pooled, false);
    const r = await api('POST', '/api/v1/testing/samples', tok.sampler, { client_id: cid('smp'), session_id: s.id, tube_id: tt, ...newcomer() });
    assertError(r, 409, 'conflict', 'tube_id');
  });
});

describe('lab: manifest, receipt, results and propagation', () => {
  let session;
  let t;
  const people = {}; // tube -> [{phone}]
  before(async () => {
    session = await newSession();
    t = await tubes(session, 6);
    const sizes = [10, 3, 1, 2];
    for (let i = 0; i < sizes.length; i++) {
      people[t[i]] = [];
      for (let k = 0; k < sizes[i]; k++) {
        const who = newcomer();
        const c = await collect(session, t[i], who);
        people[t[i]].push({ ...who, id: c.person.id });
      }
    }
  });

  test('manifest as JSON, CSV and XLSX', async () => {
    let r = await api('GET', `/api/v1/testing/sessions/${session.id}/manifest`, tok.lab);
    assertStatus(r, 200);
    assert.equal(r.json.tube_count, 4);
    assert.equal(r.json.people_count, 16);
    assert.equal(r.json.tubes[0].tube_id, t[0]);
    assert.equal(r.json.tubes[0].people.length, 10);
    assert.equal(r.json.tubes[0].pooled, true);
    // a lab works with tubes, never with who was sampled (docs/access.md)
    for (const tube of r.json.tubes) {
      for (const p of tube.people) assert.ok(!p.full_name && !p.date_of_birth && !p.code, JSON.stringify(p));
    }
    const full = await api('GET', `/api/v1/testing/sessions/${session.id}/manifest`, admin);
    assert.ok(full.json.tubes[0].people.every((p) => p.full_name && p.code), JSON.stringify(full.json.tubes[0]));
    r = await srv.api('GET', `/api/v1/testing/sessions/${session.id}/manifest?format=csv`, { token: tok.sampler });
    assertStatus(r, 200);
    const lines = r.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'tube_id,pooled,tube_count,person_code,full_name,date_of_birth,collected_at');
    assert.equal(lines.length, 17);
    // a sampler sees people masked: the year of birth only
    assert.ok(lines.slice(1).every((l) => /,(\d{4})?,[^,]*$/.test(l)), lines.slice(1, 3).join(' | '));
    r = await srv.api('GET', `/api/v1/testing/sessions/${session.id}/manifest?format=xlsx`, { token: admin });
    assertStatus(r, 200);
    assert.match(r.headers.get('content-type'), /spreadsheetml/);
    r = await api('GET', `/api/v1/testing/sessions/${session.id}/manifest?format=pdf`, admin);
    assertError(r, 400, 'invalid_field', 'format');
    r = await api('GET', `/api/v1/testing/sessions/${session.id}/manifest`, tok.labOut);
    assertError(r, 403, 'forbidden');
  });

  test('receipt lists missing and unexpected tubes', async () => {
    const r = await api('POST', `/api/v1/testing/sessions/${session.id}/receipt`, tok.lab, { tubes: [t[0], t[1], t[2], t[4], 'TZZZZZZZZZ'] });
    assertStatus(r, 200);
    assert.deepEqual(r.json.received, [t[0], t[1], t[2]]);
    assert.deepEqual(r.json.missing, [t[3]]);
    assert.deepEqual(r.json.unexpected, [t[4], 'TZZZZZZZZZ']);
    const bad = await api('POST', `/api/v1/testing/sessions/${session.id}/receipt`, tok.lab, { tubes: 'x' });
    assertError(bad, 400, 'invalid_field', 'tubes');
    const other = await api('POST', `/api/v1/testing/sessions/${session.id}/receipt`, tok.sampler, { tubes: [] });
    assertError(other, 403, 'forbidden');
  });

  test('negative pool: every member negative, a message each', async () => {
    const r = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: t[0], result: 'negative', ct: 38.5 });
    assertStatus(r, 200);
    assert.equal(r.json.changed, true);
    assert.equal(r.json.members.length, 10);
    assert.ok(r.json.members.every((m) => m.status === 'negative'));
    assert.equal(r.json.summary.messages, 10);
    assert.equal(r.json.tube.ct, 38.5);
    const o = await api('GET', `/api/v1/outbox?recipient=${people[t[0]][3].phone}&kind=result`, admin);
    assert.equal(o.json.messages.length, 1);
    assert.match(o.json.messages[0].body, /^Cordon: kết quả xét nghiệm (RT-PCR|nhanh kháng nguyên) ngày \d{2}\/\d{2}\/\d{4}: ÂM TÍNH \(negative\)\.$/);
    // same again: 200, nothing changes; different: 409 naming result
    const again = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: t[0], result: 'negative' });
    assertStatus(again, 200);
    assert.equal(again.json.changed, false);
    const before = snapshot();
    const diff = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: t[0], result: 'positive' });
    assertError(diff, 409, 'conflict', 'result');
    const after_ = snapshot();
    delete before.testing_result_batches; delete after_.testing_result_batches;
    assert.deepEqual(after_, before);
  });

  test('positive pool: members pool_positive_retest with a retest order each; single positive: a case', async () => {
    let r = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: t[1], result: 'positive', ct: 24 });
    assertStatus(r, 200);
    assert.ok(r.json.members.every((m) => m.status === 'pool_positive_retest'));
    assert.equal(r.json.summary.retest_orders, 3);
    assert.equal(r.json.summary.cases, 0);
    r = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: t[2], result: 'positive' });
    assert.equal(r.json.members[0].status, 'positive');
    assert.equal(r.json.summary.cases, 1);
    const st = srv.dbStats().tables;
    assert.equal(st.cases.rows, 1);
    assert.equal(st.case_events.rows, 1);
    assert.equal(st.testing_retest_orders.rows, 3);
    r = await api('GET', `/api/v1/testing/tubes/${t[1]}`, tok.lab);
    assertStatus(r, 200);
    assert.equal(r.json.members.length, 3);
    const audit = await api('GET', '/api/v1/audit?unit=VN&limit=50', admin);
    assert.ok(audit.json.entries.some((e) => e.action === 'testing.result.read' && e.subject_id === t[1]));
  });

  test('bad result input', async () => {
    const cases = [
      [{ tube_id: t[3], result: 'maybe' }, 400, 'result'],
      [{ tube_id: t[3], result: 'negative', ct: 51 }, 400, 'ct'],
      [{ tube_id: t[3], result: 'negative', ct: 'x' }, 400, 'ct'],
      [{ tube_id: 'TZZZZZZZZZ', result: 'negative' }, 404, 'tube_id'],
      [{ tube_id: t[5], result: 'negative' }, 409, 'tube_id'],
      [{ result: 'negative' }, 400, 'tube_id'],
    ];
    const before = snapshot();
    for (const [body, status, field] of cases) {
      const r = await api('POST', '/api/v1/testing/results', tok.lab, body);
      assert.equal(r.status, status, `${JSON.stringify(body)} -> ${r.text}`);
      assert.equal(r.json.error.field, field);
    }
    const r = await api('POST', '/api/v1/testing/results', tok.labOut, { tube_id: t[3], result: 'negative' });
    assertError(r, 403, 'forbidden', 'tube_id');
    assert.deepEqual(snapshot(), before);
  });

  test('oversight by commune and day', async () => {
    const r = await api('GET', '/api/v1/testing/stats?unit=001&from=2021-09-01&to=2021-09-01', tok.district);
    assertStatus(r, 200);
    const row = r.json.days.find((d) => d.commune_code === '00001' && d.date === '2021-09-01');
    assert.ok(row, r.text);
    assert.ok(row.people_sampled >= 16);
    assert.ok(row.positive >= 1);
    assert.ok(row.pool_positive >= 3);
    assert.ok(row.pending >= 2);
    assert.equal(typeof row.turnaround_median_s, 'number');
    let bad = await api('GET', '/api/v1/testing/stats?from=2021-13-01', tok.district);
    assertError(bad, 400, 'invalid_field', 'from');
    bad = await api('GET', '/api/v1/testing/stats?unit=79', tok.district);
    assertError(bad, 403, 'forbidden');
  });
});

describe('result files', () => {
  let session;
  let t;
  before(async () => {
    session = await newSession();
    t = await tubes(session, 8);
    for (let i = 0; i < 7; i++) await collect(session, t[i], newcomer());
    const r = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: t[6], result: 'negative' });
    assertStatus(r, 200);
  });

  const check = (body, token = tok.lab, ct = 'text/csv') => srv.api('POST', '/api/v1/testing/results/import/check',
    { token, rawBody: body, headers: { 'content-type': ct } });

  test('check reports every bad row with its line; apply refuses, then applies the valid rows', async () => {
    const csv = [
      'tube_id,result,ct',
      `${t[0]},negative,`,
      `${t[1]},Dương tính,31.5`,
      'TZZZZZZZZZ,negative,',
      `${t[0]},positive,`,
      `${t[2]},maybe,`,
      `${t[3]},negative,77`,
      `${t[6]},positive,`,
      `"${t[4]}","âm tính",""`,
      '',
      'not-a-tube,negative,',
    ].join('\r\n');
    const before = snapshot();
    const r = await check('\uFEFF' + csv);
    assertStatus(r, 200);
    assert.equal(r.json.format, 'csv');
    assert.equal(r.json.rows, 9);
    assert.equal(r.json.valid, 3);
    assert.equal(r.json.bad, 6);
    const byLine = Object.fromEntries(r.json.errors.map((e) => [e.line, e]));
    assert.match(byLine[4].reason, /unknown tube/);
    assert.match(byLine[5].reason, /duplicate tube/);
    assert.equal(byLine[6].field, 'result');
    assert.equal(byLine[7].field, 'ct');
    assert.match(byLine[8].reason, /already resulted differently/);
    assert.equal(byLine[11].field, 'tube_id');
    let a = await api('POST', '/api/v1/testing/results/import/apply', tok.lab, { token: r.json.token });
    assertError(a, 409, 'conflict', 'apply_valid_only');
    const mid = snapshot();
    delete before.testing_result_batches; delete mid.testing_result_batches;
    assert.deepEqual(mid, before);
    a = await api('POST', '/api/v1/testing/results/import/apply', tok.labOut, { token: r.json.token, apply_valid_only: true });
    assertError(a, 403, 'forbidden', 'token');
    a = await api('POST', '/api/v1/testing/results/import/apply', tok.lab, { token: r.json.token, apply_valid_only: true });
    assertStatus(a, 200);
    assert.equal(a.json.applied, 3);
    assert.equal(a.json.people, 3);
    assert.equal(a.json.already_applied, false);
    const again = await api('POST', '/api/v1/testing/results/import/apply', tok.lab, { token: r.json.token, apply_valid_only: true });
    assertStatus(again, 200);
    assert.equal(again.json.already_applied, true);
    const tube = await api('GET', `/api/v1/testing/tubes/${t[1]}`, tok.lab);
    assert.equal(tube.json.result, 'positive');
    assert.equal(tube.json.ct, 31.5);
    const unknown = await api('POST', '/api/v1/testing/results/import/apply', tok.lab, { token: 'nope' });
    assertError(unknown, 404, 'not_found', 'token');
  });

  test('XLSX with shared and inline strings, rows numbered as in the sheet', async () => {
    let r = await check(xlsx([['Tube ID', 'Result', 'Ct', 'Ghi chú'], [t[5], 'negative', 35, 'ok'], ['TZZZZZZZZZ', 'negative']]),
      tok.lab, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assertStatus(r, 200);
    assert.equal(r.json.format, 'xlsx');
    assert.equal(r.json.valid, 1);
    assert.deepEqual(r.json.errors.map((e) => e.line), [3]);
    r = await check(xlsx([['tube_id', 'result'], [t[5], 'negative']], { inline: true, rowOffset: 4 }));
    assert.equal(r.json.valid, 1);
  });

  test('XLSX bombs: a 41 KiB file whose sheet is 40 MiB of <x/>, or of nested <x>, is refused at once; memory stays flat', async () => {
    const MiB = 1024 * 1024;
    const start = srv.memory();
    const bombs = [[xlsxBomb(40 * MiB), /the sheet inflates to more than 100 times/],
      [xlsxBomb(40 * MiB, '<x>'), /the sheet nests XML elements more than 64 deep/]];
    for (const [book, message] of bombs) {
      assert.ok(book.length < 64 * 1024, `${book.length} bytes`);
      const t0 = Date.now();
      const r = await check(book, tok.lab, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assertError(r, 413, 'file_too_complex', 'file');
      assert.match(r.json.error.message, message);
      assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
    }
    // the same sheet stored, not compressed: 12 MiB (3 million elements) streamed through, no rows in it
    const r = await check(xlsxBomb(12 * MiB, '<x/>', { stored: true }));
    assertError(r, 400, 'invalid_field', 'file');
    assert.match(r.json.error.message, /no rows/);
    const end = srv.memory();
    // under AddressSanitizer freed memory waits in a 256 MiB quarantine; the reader before
    // streaming took +397 MiB for the stored sheet alone, +1.3 GiB for the 41 KiB one
    const bound = end.asan ? 384 * MiB : 64 * MiB;
    assert.ok(end.rss - start.rss < bound, `resident memory grew by ${(end.rss - start.rss) / MiB} MiB`);
    assert.ok(end.peak - Math.max(start.peak, start.rss) < bound, `peak memory grew by ${(end.peak - start.peak) / MiB} MiB`);
    assertStatus(await srv.api('GET', '/healthz'), 200);
  });

  test('a file checked, then the tube resulted another way: apply refuses whole', async () => {
    const r = await check(`tube_id,result\n${t[5]},negative\n`);
    assert.equal(r.json.valid, 1);
    const one = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: t[5], result: 'invalid' });
    assertStatus(one, 200);
    const before = snapshot();
    const a = await api('POST', '/api/v1/testing/results/import/apply', tok.lab, { token: r.json.token });
    assertError(a, 409, 'conflict', 'token');
    assert.match(a.json.error.message, /line 2/);
    assert.deepEqual(snapshot(), before);
  });

  test('file faults: empty, wrong columns, bad encoding, too many rows (50 MB read and refused), above the cap', async () => {
    const before = snapshot();
    let r = await check('');
    assertError(r, 400, 'invalid_field', 'file');
    r = await check('\uFEFF\r\n\r\n');
    assertError(r, 400, 'invalid_field', 'file');
    r = await check('tube_id,result\n');
    assertError(r, 400, 'invalid_field', 'file');
    r = await check('ma,kq\nT1,negative\n');
    assertError(r, 400, 'invalid_field', 'file');
    assert.match(r.json.error.message, /line 1.*wrong columns/);
    r = await check(Buffer.concat([Buffer.from(`tube_id,result\n${t[0]},`), Buffer.from([0xE2, 0x6D, 0x20, 0x74]), Buffer.from('\n')]));
    assertStatus(r, 200);
    assert.equal(r.json.errors[0].line, 2);
    assert.match(r.json.errors[0].reason, /encoding/);
    r = await check(Buffer.from('PK\x03\x04garbage'));
    assertError(r, 400, 'invalid_field', 'file');
    // 50 MB (under the 50 MiB cap): read whole, refused for its row count
    const row = 'TZZZZZZZZZ,negative,30\n';
    const big = Buffer.alloc(50 * 1000 * 1000, row.repeat(Math.ceil(50e6 / row.length)));
    r = await check(Buffer.concat([Buffer.from('tube_id,result,ct\n'), big.subarray(0, 50e6 - 18)]));
    assertError(r, 413, 'body_too_large', 'file');
    assert.match(r.json.error.message, /more than 200000 data rows/);
    // above the cap
    r = await check(Buffer.alloc(50 * 1024 * 1024 + 1, 0x41));
    assertError(r, 413, 'body_too_large');
    const health = await srv.api('GET', '/healthz');
    assertStatus(health, 200);
    const after_ = snapshot();
    delete before.testing_result_batches; delete after_.testing_result_batches;
    assert.deepEqual(after_, before);
  });
});

describe('results for people', () => {
  let citizen;
  let member;
  before(async () => {
    const ph = phone();
    await srv.api('POST', '/api/v1/citizen/otp', { body: { phone: ph } });
    const o = await api('GET', `/api/v1/outbox?recipient=${ph}&kind=otp&limit=1`, admin);
    const code = /(\d{6})/.exec(o.json.messages[0].text)[1];
    const l = await srv.api('POST', '/api/v1/citizen/login', { body: { phone: ph, code } });
    citizen = l.json;
    await api('PUT', '/api/v1/me', citizen.token, { full_name: 'Lê Thị Hoa', date_of_birth: '1980-03-15', commune_code: '00001', cccd: cccd() });
    const f = await api('POST', '/api/v1/me/family', citizen.token, { full_name: 'Lê Văn Bé', date_of_birth: '2015-06-01', commune_code: '00001', cccd: cccd() });
    assert.equal(f.status, 201, f.text);
    member = f.json.person || f.json;
    const s = await newSession();
    const [tube] = await tubes(s, 1);
    const qr = await api('GET', '/api/v1/me/qr', citizen.token);
    await collect(s, tube, { person_qr: qr.json.payload });
    await collect(s, tube, { cccd: member.cccd });
    const r = await api('POST', '/api/v1/testing/results', tok.lab, { tube_id: tube, result: 'negative' });
    assertStatus(r, 200);
  });

  test('the citizen sees their result and their family member\'s', async () => {
    const r = await api('GET', '/api/v1/me/results', citizen.token);
    assertStatus(r, 200);
    assert.equal(r.json.people.length, 2);
    assert.equal(r.json.people[0].person.id, citizen.person.id);
    assert.equal(r.json.people[0].results[0].status, 'negative');
    assert.equal(r.json.people[1].person.id, member.id);
    assert.equal(r.json.people[1].results[0].status, 'negative');
    const staff = await api('GET', '/api/v1/me/results', tok.lab);
    assertError(staff, 403, 'forbidden');
  });

  test('lookup by personal QR and by CCCD, each with the date of birth; audited; rate-limited', async () => {
    const qr = await api('GET', '/api/v1/me/qr', citizen.token);
    // the card alone is not enough: whoever holds it must also know the date of birth
    let r = await srv.api('POST', '/api/v1/results/lookup/qr', { body: { qr: qr.json.payload } });
    assertError(r, 400, 'missing_field', 'date_of_birth');
    r = await srv.api('POST', '/api/v1/results/lookup/qr', { body: { qr: qr.json.payload, date_of_birth: '1980-03-16' } });
    assertError(r, 404, 'not_found', 'date_of_birth');
    assert.equal(r.text.includes('negative'), false);
    r = await srv.api('POST', '/api/v1/results/lookup/qr', { body: { qr: qr.json.payload, date_of_birth: '1980-03-15' } });
    assertStatus(r, 200);
    assert.equal(r.json.results[0].status, 'negative');
    assert.equal(r.json.person.full_name, undefined);
    const audit = await api('GET', `/api/v1/audit?unit=00001&limit=500`, admin);
    assert.ok(audit.json.entries.some((e) => e.action === 'results.lookup' && e.subject_id === String(citizen.person.id)),
      'the lookup is in the audit log');
    r = await srv.api('POST', '/api/v1/results/lookup/cccd', { body: { cccd: member.cccd, date_of_birth: '2015-06-01' } });
    assertStatus(r, 200);
    assert.equal(r.json.results.length, 1);
    r = await srv.api('POST', '/api/v1/results/lookup/cccd', { body: { cccd: member.cccd, date_of_birth: '2015-06-02' } });
    assertError(r, 404, 'not_found', 'cccd');
    r = await srv.api('POST', '/api/v1/results/lookup/cccd', { body: { cccd: '12', date_of_birth: '2015-06-02' } });
    assertError(r, 400, 'invalid_field', 'cccd');
    r = await srv.api('POST', '/api/v1/results/lookup/qr', { body: { qr: 'CDN1.P.x', date_of_birth: '1980-03-15' } });
    assertError(r, 400, 'invalid_field', 'qr');
    let limited = null;
    for (let i = 0; i < 25 && !limited; i++) {
      r = await srv.api('POST', '/api/v1/results/lookup/qr', { body: { qr: qr.json.payload, date_of_birth: '1980-03-15' } });
      if (r.status === 429) limited = r;
    }
    assert.ok(limited, 'expected 429 after the limit');
    assertError(limited, 429, 'rate_limited');
    assert.ok(limited.headers.get('retry-after'));
  });
});
