'use strict';
// The COVID-safety map (docs/api-safety.md): the checklist with its weights, a venue owner's
// daily self-assessment giving a score and a status, refused for someone else's venue, the
// commune's inspection overriding it, the public GeoJSON for each status (and "not assessed"),
// the venues an area has not assessed today, and bad input named.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError } = require('../lib/fixtures');
const { venueOwner, venue } = require('../lib/checkin');

let srv;
const tok = {};
const v = {};
let owner;
let other;
let checklist;

const all = (value) => Object.fromEntries(checklist.map((c) => [c.code, value]));
const assess = (venueId, body, token = owner.token) => srv.api('POST', `/api/v1/venues/${venueId}/safety`, { token, body });

before(async () => {
  srv = await startServer();
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, tok.admin, { username: 'at.xa', role: 'commune_admin', unit_code: UNITS.phucXa });
  tok.commune = await srv.login('at.xa', PASSWORD);
  await createAccount(srv, tok.admin, { username: 'at.hcm', role: 'province_admin', unit_code: UNITS.hcm });
  tok.hcm = await srv.login('at.hcm', PASSWORD);
  owner = await venueOwner(srv, tok.admin, 'at.chu', UNITS.phucXa);
  other = await venueOwner(srv, tok.admin, 'at.chu2', UNITS.phucXa);
  for (const [k, name, type] of [['school', 'Trường Tiểu học Phúc Xá', 'school'], ['market', 'Chợ Long Biên', 'market'],
    ['clinic', 'Phòng khám Phúc Xá', 'clinic'], ['office', 'Văn phòng tổ dân phố', 'office']]) {
    v[k] = await venue(srv, owner.token, tok.commune, { name, type });
  }
  v.theirs = await venue(srv, other.token, tok.commune, { name: 'Xưởng may', type: 'factory' });
  checklist = (await srv.api('GET', '/api/v1/safety/checklist')).json.checks;
});
after(async () => { if (srv) await srv.stop(); });

test('the checklist is data: eight checks whose weights add up to 100, and the levels', async () => {
  const r = await srv.api('GET', '/api/v1/safety/checklist');
  assert.equal(r.status, 200);
  assert.equal(r.json.checks.length, 8);
  assert.equal(r.json.checks.reduce((s, c) => s + c.weight, 0), 100);
  assert.deepEqual(r.json.levels, { safe: 80, at_risk: 50, unsafe: 0 });
});

test('the owner assesses each facility: safe, at risk, unsafe', async () => {
  let r = await assess(v.school.id, { checks: all(true), lat: 21.0461, lon: 105.8479 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.score, r.json.status], [100, 'safe']);
  // masks, distancing, staff tested and vaccinated missing: 40 of 100
  r = await assess(v.market.id, { checks: { ...all(true), masks: false, distancing: false, staff_tested: false }, lat: 21.0440, lon: 105.8500 });
  assert.deepEqual([r.json.score, r.json.status], [55, 'at_risk']);
  r = await assess(v.clinic.id, { checks: { ...all(false), hand_washing: true }, lat: 21.0450, lon: 105.8490 });
  assert.deepEqual([r.json.score, r.json.status], [10, 'unsafe']);
  // assessed again the same day: the day's one assessment is replaced
  r = await assess(v.clinic.id, { checks: { ...all(false), hand_washing: true, masks: true } });
  assert.deepEqual([r.json.score, r.json.status], [25, 'unsafe']);
  // the office is put on the map but not assessed today
  r = await assess(v.office.id, { lat: 21.0470, lon: 105.8460 });
  assert.equal(r.status, 200, r.text);
});

test('the self-assessment is refused for someone else\'s venue, and for staff', async () => {
  assertError(await assess(v.theirs.id, { checks: all(true) }), 403, 'forbidden');
  assertError(await assess(v.school.id, { checks: all(true) }, other.token), 403, 'forbidden');
  assertError(await assess(v.school.id, { checks: all(true) }, tok.commune), 403, 'forbidden');
  assertError(await assess(999999, { checks: all(true) }), 404, 'not_found');
});

test('bad assessments name their field', async () => {
  const { masks, ...withoutMasks } = all(true);
  assert.equal(masks, true);
  assertError(await assess(v.school.id, { checks: withoutMasks }), 400, 'missing_field', 'checks.masks');
  assertError(await assess(v.school.id, { checks: { ...all(true), masks: 'yes' } }), 400, 'invalid_field', 'checks.masks');
  assertError(await assess(v.school.id, { checks: { ...all(true), music: true } }), 400, 'unknown_field', 'checks');
  assertError(await assess(v.school.id, {}), 400, 'missing_field', 'checks');
  assertError(await assess(v.school.id, { checks: all(true), lat: 21 }), 400, 'invalid_field', 'lon');
  assertError(await assess(v.school.id, { checks: all(true), lat: 200, lon: 105 }), 400, 'invalid_field', 'lat');
});

test('the public map: a GeoJSON point per facility with its status today', async () => {
  const r = await srv.api('GET', `/api/v1/public/safety?unit=${UNITS.phucXa}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.type, 'FeatureCollection');
  const byName = Object.fromEntries(r.json.features.map((f) => [f.properties.name, f]));
  assert.equal(byName['Trường Tiểu học Phúc Xá'].properties.status, 'safe');
  assert.deepEqual(byName['Trường Tiểu học Phúc Xá'].geometry, { type: 'Point', coordinates: [105.8479, 21.0461] });
  assert.equal(byName['Chợ Long Biên'].properties.status, 'at_risk');
  assert.equal(byName['Phòng khám Phúc Xá'].properties.status, 'unsafe');
  assert.deepEqual([byName['Văn phòng tổ dân phố'].properties.status, byName['Văn phòng tổ dân phố'].properties.score], ['not_assessed', null]);
  assert.equal(byName['Xưởng may'], undefined, 'no place given: not on the map');
  // the district and the province see the same points; another province none
  for (const unit of [UNITS.baDinh, UNITS.hanoi]) {
    const d = await srv.api('GET', `/api/v1/public/safety?unit=${unit}`);
    assert.equal(d.json.features.length, r.json.features.length);
  }
  assert.deepEqual((await srv.api('GET', `/api/v1/public/safety?unit=${UNITS.hcm}`)).json.features, []);
  assertError(await srv.api('GET', '/api/v1/public/safety'), 400, 'missing_field', 'unit');
  assertError(await srv.api('GET', '/api/v1/public/safety?unit=VN'), 400, 'invalid_field', 'unit');
});

test('commune staff see who did not assess today, inspect on site and override with a note', async () => {
  const missing = await srv.api('GET', '/api/v1/safety/missing', { token: tok.commune });
  assert.equal(missing.status, 200, missing.text);
  assert.deepEqual(missing.json.venues.map((x) => [x.name, x.has_place]).sort(), [['Văn phòng tổ dân phố', true], ['Xưởng may', false]]);
  assertError(await srv.api('GET', `/api/v1/safety/missing?unit=${UNITS.phucXa}`, { token: tok.hcm }), 403, 'forbidden');

  const r = await srv.api('POST', `/api/v1/venues/${v.school.id}/safety/inspection`, {
    token: tok.commune, body: { status: 'unsafe', note: 'Không đo thân nhiệt ở cổng, học sinh tụ tập.' },
  });
  assert.equal(r.status, 200, r.text);
  const map = await srv.api('GET', `/api/v1/public/safety?unit=${UNITS.phucXa}`);
  const school = map.json.features.find((f) => f.properties.venue_id === v.school.id);
  assert.deepEqual([school.properties.status, school.properties.inspected, school.properties.score], ['unsafe', true, 100]);
  assertError(await srv.api('POST', `/api/v1/venues/${v.school.id}/safety/inspection`, { token: tok.commune, body: { status: 'green', note: 'x' } }), 400, 'invalid_field', 'status');
  assertError(await srv.api('POST', `/api/v1/venues/${v.school.id}/safety/inspection`, { token: tok.commune, body: { status: 'safe' } }), 400, 'missing_field', 'note');
  assertError(await srv.api('POST', `/api/v1/venues/${v.school.id}/safety/inspection`, { token: tok.hcm, body: { status: 'safe', note: 'x' } }), 403, 'forbidden');
});
