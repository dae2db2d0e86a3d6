'use strict';
// Epidemic levels: computed from new community cases per 100,000 people over 7 days with the
// 2021 thresholds (20, 50, 150), at and just below each threshold; raised by one when a coverage
// named by the rules is known and low; unknown without a population; rules edited by national
// admins; a province admin raises a level with a reason; the public reads levels and history
// without signing in.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { vnToday } = require('../lib/vn-time');
const { createPerson } = require('../lib/people');

let srv;
const tok = {};
const HEADER = 'unit_code,total,age_18_plus,age_50_plus,age_65_plus';

async function setPopulation(commune, total, adults = '') {
  const r = await srv.api('POST', '/api/v1/populations/upload', { token: tok.prov,
    rawBody: `${HEADER}\n${commune},${total},${adults},,\n`, headers: { 'content-type': 'text/csv' } });
  assertStatus(r, 200, 'population');
  assert.equal(r.json.valid, 1, r.text);
}

async function levels(query = '') {
  const r = await srv.api('GET', `/api/v1/public/levels${query}`);
  assertStatus(r, 200, `levels${query}`);
  return r.json;
}

const phucXa = async () => (await levels(`?unit=${UNITS.baDinh}&days=1`)).rows.find((x) => x.code === UNITS.phucXa);

before(async () => {
  srv = await startServer();
  tok.natl = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const [name, role, unit_code] of [['prov', 'province_admin', UNITS.hanoi], ['dist', 'district_admin', UNITS.baDinh],
    ['hcm', 'province_admin', UNITS.hcm], ['tracer', 'tracer', UNITS.baDinh]]) {
    await createAccount(srv, tok.natl, { username: `lv.${name}`, role, unit_code });
    tok[name] = await srv.login(`lv.${name}`, PASSWORD);
  }
  // Three cases found in the community of Phúc Xá today.
  for (let i = 0; i < 3; i++) {
    const p = (await createPerson(srv, tok.tracer, { full_name: `Ca Cộng Đồng ${'ABC'[i]}`, commune_code: UNITS.phucXa })).person;
    assertStatus(await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer, body: { client_id: clientId(),
      person_id: p.id, test_date: vnToday() } }), 201, 'case');
  }
});
after(async () => { if (srv) await srv.stop(); });

test('without a population there is no computed level', async () => {
  const px = await phucXa();
  assert.equal(px.level, null);
  assert.equal(px.cases_7d_per_100k, null);
  const l = await levels();
  assert.equal(l.unit.code, 'VN');
  assert.equal(l.rows.length, 63);
  assert.deepEqual(l.rules.case_thresholds, [20, 50, 150], 'the 2021 guidance by default');
});

test('each threshold of the 2021 guidance, at and just below it', async () => {
  // 3 cases: 15,001 people -> 19.998 per 100,000; 15,000 -> 20 ...
  for (const [pop, level] of [[15001, 1], [15000, 2], [6001, 2], [6000, 3], [2001, 3], [2000, 4]]) {
    await setPopulation(UNITS.phucXa, pop);
    const px = await phucXa();
    assert.equal(px.computed_level, level, `${pop} people`);
    assert.equal(px.level, level);
    assert.equal(px.coverage_low, false, 'coverage of adults unknown: no change');
  }
});

test('a low coverage named by the rules raises the level by one', async () => {
  await setPopulation(UNITS.phucXa, 15001, 12000);
  const px = await phucXa();
  assert.equal(px.coverage_low, true);
  assert.equal(px.computed_level, 2);
});

test('national admins edit the rules; bad rules name the field', async () => {
  let r = await srv.api('PUT', '/api/v1/levels/rules', { token: tok.natl, body: { case_thresholds: [10, 50, 150], coverage_rules: [] } });
  assertStatus(r, 200, 'rules');
  assert.equal((await phucXa()).computed_level, 2, '19.998 per 100,000 is level 2 from 10');
  r = await srv.api('GET', '/api/v1/levels/rules', { token: tok.dist });
  assert.deepEqual(r.json.case_thresholds, [10, 50, 150]);
  assertError(await srv.api('PUT', '/api/v1/levels/rules', { token: tok.natl, body: { case_thresholds: [50, 20, 150] } }),
    400, 'invalid_field', 'case_thresholds');
  assertError(await srv.api('PUT', '/api/v1/levels/rules', { token: tok.natl,
    body: { case_thresholds: [20, 50, 150], coverage_rules: [{ figure: 'f0', min: 0.5 }] } }), 400, 'invalid_field', 'coverage_rules');
  assertError(await srv.api('PUT', '/api/v1/levels/rules', { token: tok.prov, body: { case_thresholds: [20, 50, 150] } }), 403, 'forbidden');
  assertStatus(await srv.api('PUT', '/api/v1/levels/rules', { token: tok.natl,
    body: { case_thresholds: [20, 50, 150], coverage_rules: [{ figure: 'coverage_dose1_18', min: 0.7 }] } }), 200);
});

test('a province admin raises a level with a reason; it shows in the public levels and history', async () => {
  const r = await srv.api('POST', '/api/v1/levels/raises', { token: tok.prov,
    body: { unit: UNITS.phucXa, level: 4, reason: 'Ổ dịch tại chợ Long Biên', days: 3 } });
  assertStatus(r, 201, 'raise');
  assert.equal(r.json.from, vnToday());
  assert.equal(r.json.to, vnToday(2));
  const px = await phucXa();
  assert.equal(px.level, 4);
  assert.equal(px.computed_level, 2);
  assert.equal(px.raise_reason, 'Ổ dịch tại chợ Long Biên');
  const h = await levels(`?unit=${UNITS.phucXa}&days=3`);
  assert.deepEqual(h.history.map((x) => x.date), [vnToday(-2), vnToday(-1), vnToday()]);
  assert.equal(h.history[2].level, 4);
  assert.equal(h.history[0].cases_7d_per_100k, 0, 'two days ago: no case yet');
  assert.equal(h.history[0].computed_level, 2, 'level 1, raised by the low coverage of adults');
  assert.equal(h.unit.level, 4);
  assert.deepEqual(h.rows, [], 'a commune has no units below');
});

test('the public answer is kept a minute: a new case shows once a population, rule or raise changes', async () => {
  await setPopulation(UNITS.phucXa, 15000);
  const before = await phucXa();
  assert.equal(before.cases_7d_per_100k, 20, '3 cases in 15,000 people');
  const p = (await createPerson(srv, tok.tracer, { full_name: 'Ca Cộng Đồng D', commune_code: UNITS.phucXa })).person;
  assertStatus(await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer, body: { client_id: clientId(),
    person_id: p.id, test_date: vnToday() } }), 201, 'case');
  assert.deepEqual(await phucXa(), before, 'the same question within the minute: the kept answer');
  await setPopulation(UNITS.phucXa, 15000);
  assert.equal((await phucXa()).cases_7d_per_100k, 26.7, 'a population upload forgets it: 4 cases');
});

test('who may raise, and bad input', async () => {
  const body = { unit: UNITS.phucXa, level: 3, reason: 'x' };
  assertError(await srv.api('POST', '/api/v1/levels/raises', { token: tok.hcm, body }), 403, 'forbidden');
  assertError(await srv.api('POST', '/api/v1/levels/raises', { token: tok.dist, body }), 403, 'forbidden');
  assertError(await srv.api('POST', '/api/v1/levels/raises', { token: tok.prov, body: { ...body, level: 5 } }), 400, 'invalid_field', 'level');
  assertError(await srv.api('POST', '/api/v1/levels/raises', { token: tok.prov, body: { ...body, reason: '' } }), 400, 'invalid_field', 'reason');
  assertError(await srv.api('POST', '/api/v1/levels/raises', { token: tok.prov, body: { ...body, unit: '1x' } }), 400, 'invalid_field', 'unit');
  assertError(await srv.api('POST', '/api/v1/levels/raises', { token: tok.prov, body: { unit: UNITS.phucXa, level: 3 } }), 400, 'missing_field', 'reason');
  assertError(await srv.api('GET', '/api/v1/public/levels?unit=999'), 400, 'invalid_field', 'unit');
  assertError(await srv.api('GET', '/api/v1/public/levels?days=99'), 400, 'invalid_field', 'days');
  assertError(await srv.api('GET', `/api/v1/public/levels?date=${vnToday(1)}`), 400, 'invalid_field', 'date');
});
