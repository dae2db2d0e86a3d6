'use strict';
// Populations by unit and age band: national admins upload the nation's and provinces' figures,
// province admins their districts' and communes'; a CSV or XLSX file with a row report (bad rows
// named by line and column, valid rows stored); an empty cell means unknown; a unit's figure is
// its own, never its parent's; the situation's coverage is a share of it, or null when unknown.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { xlsx } = require('../lib/xlsx');

const UPLOAD = '/api/v1/populations/upload';
const HEADER = 'unit_code,total,age_18_plus,age_50_plus,age_65_plus';
let srv;
const tok = {};

const upload = (token, body, type = 'text/csv') => srv.api('POST', UPLOAD, { token, rawBody: body,
  headers: { 'content-type': type } });

async function populations(token, unit) {
  const r = await srv.api('GET', `/api/v1/populations?unit=${unit}`, { token });
  assertStatus(r, 200, 'populations');
  return r.json;
}

before(async () => {
  srv = await startServer();
  tok.natl = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const [username, role, unit_code] of [['pop.prov', 'province_admin', UNITS.hanoi],
    ['pop.dist', 'district_admin', UNITS.baDinh], ['pop.prov.hcm', 'province_admin', UNITS.hcm]]) {
    await createAccount(srv, tok.natl, { username, role, unit_code });
    tok[username] = await srv.login(username, PASSWORD);
  }
});
after(async () => { if (srv) await srv.stop(); });

test('a province admin uploads its districts and communes; bad rows are reported by line and column', async () => {
  const csv = [HEADER,
    `${UNITS.baDinh},"221,893",170000,60000,20000`,
    `${UNITS.phucXa},24000,18000,,`,
    `${UNITS.trucBach},abc,1,1,1`,
    `${UNITS.hanoi},8000000,,,`,
    `${UNITS.quan1},1,,,`,
    '99999,1,,,',
    `${UNITS.hoanKiem},1000,2000,,`,
    `${UNITS.phucXa},1,,,`].join('\r\n');
  const r = await upload(tok['pop.prov'], csv);
  assertStatus(r, 200, 'upload');
  assert.equal(r.json.format, 'csv');
  assert.equal(r.json.rows, 8);
  assert.equal(r.json.valid, 2);
  assert.equal(r.json.bad, 6);
  assert.equal(r.json.stored, 6, 'four bands of Ba Đình, two of Phúc Xá');
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.field]), [
    [4, 'total'], [5, 'unit_code'], [6, 'unit_code'], [7, 'unit_code'], [8, 'age_18_plus'], [9, 'unit_code']]);
  assert.deepEqual(r.json.errors.map((e) => e.code),
    ['not_a_count', 'not_yours', 'not_yours', 'unknown_unit', 'band_too_large', 'duplicate']);
  const d = await populations(tok['pop.prov'], UNITS.baDinh);
  assert.deepEqual(d.population, { all: 221893, 18: 170000, 50: 60000, 65: 20000 });
  const px = d.rows.find((x) => x.code === UNITS.phucXa).population;
  assert.deepEqual(px, { all: 24000, 18: 18000, 50: null, 65: null });
  assert.deepEqual(d.rows.find((x) => x.code === UNITS.trucBach).population, { all: null, 18: null, 50: null, 65: null },
    'never guessed from the parent');
  // The province itself is the national admins' to set.
  assert.deepEqual((await populations(tok['pop.prov'], UNITS.hanoi)).population, { all: null, 18: null, 50: null, 65: null });
});

test('the national admin uploads provinces as XLSX; an empty cell makes a figure unknown again', async () => {
  let r = await upload(tok.natl, xlsx([HEADER.split(','), [UNITS.hanoi, 8246600, 6000000, 2000000, 700000],
    [UNITS.baDinh, 1, '', '', '']]), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assertStatus(r, 200, 'xlsx upload');
  assert.equal(r.json.format, 'xlsx');
  assert.equal(r.json.valid, 1);
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.field]), [[3, 'unit_code']], 'districts are the province\'s');
  assert.equal((await populations(tok.natl, UNITS.hanoi)).population.all, 8246600);
  r = await upload(tok.natl, `${HEADER}\n${UNITS.hanoi},8246600,6000000,,\n`);
  assert.equal(r.json.valid, 1);
  assert.deepEqual((await populations(tok.natl, UNITS.hanoi)).population, { all: 8246600, 18: 6000000, 50: null, 65: null });
});

test('coverage in the situation is a share of the unit\'s own population, null when it is unknown', async () => {
  const s = await srv.api('GET', `/api/v1/situation?unit=${UNITS.baDinh}`, { token: tok['pop.dist'] });
  assertStatus(s, 200);
  assert.equal(s.json.total.population.all, 221893);
  assert.equal(s.json.total.coverage_dose1, 0, 'nobody vaccinated of a known population');
  const px = s.json.rows.find((x) => x.code === UNITS.phucXa).figures;
  assert.equal(px.coverage_dose1, 0);
  assert.equal(px.coverage_dose1_50, null, 'the 50+ population of Phúc Xá is unknown');
  const tb = s.json.rows.find((x) => x.code === UNITS.trucBach).figures;
  assert.equal(tb.coverage_dose1, null);
  assert.equal(tb.population.all, null);
  assert.equal(s.json.unknown_place.coverage_dose1, null);
});

test('who may upload, and files that are not a population table', async () => {
  assertError(await upload(tok['pop.dist'], `${HEADER}\n${UNITS.phucXa},1,,,`), 403, 'forbidden');
  const r = await upload(tok['pop.prov.hcm'], `${HEADER}\n${UNITS.phucXa},1,,,`);
  assert.equal(r.json.valid, 0, 'another province\'s commune');
  assertError(await upload(tok['pop.prov'], 'unit,people\n00001,3\n'), 400, 'invalid_field', 'file');
  assertError(await upload(tok['pop.prov'], ''), 400, 'invalid_field', 'file');
  assertError(await srv.api('GET', `/api/v1/populations?unit=${UNITS.hanoi}`, { token: tok['pop.dist'] }), 403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/populations?unit=1x', { token: tok.natl }), 400, 'invalid_field', 'unit');
});
