'use strict';
// Quarantine: an order with a place and a schedule, the person's check-ins with a photo and a
// location (inside the radius; outside raises an alert and queues a reminder), retries, missed
// slots found by the monitor job, photos deleted when the order ends, compliance per commune,
// who may call what, and bad input that changes nothing.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, ROLES, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount, assertError } = require('../lib/fixtures');
const { clientId, vnDate } = require('../lib/checkin');
const { uniquePhone, citizenWithProfile } = require('../lib/people');

// A 1x1 PNG and the first bytes of a JPEG: what a phone camera would send, base64.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64, 1)]);
const HOME = { lat: 21.0455, lon: 105.8470 }; // Phúc Xá, Ba Đình

let srv;
const tok = {};
let cit;
let order;
const now = () => Math.floor(Date.now() / 1000);

function stable(stats) {
  const t = { ...stats.tables };
  for (const k of ['sessions', 'audit_log', 'login_failures', 'job_runs']) delete t[k];
  return t;
}

before(async () => {
  srv = await startServer();
  tok.national_admin = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const role of ROLES.slice(1)) {
    const username = `qt.${role.replace(/_/g, '.')}`;
    await createAccount(srv, tok.national_admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tok[role] = await srv.login(username, PASSWORD);
  }
  await createAccount(srv, tok.national_admin, { username: 'qt.tracer.hcm', role: 'tracer', unit_code: UNITS.tanDinh });
  tok.tracer_hcm = await srv.login('qt.tracer.hcm', PASSWORD);
  cit = await citizenWithProfile(srv, tok.national_admin, uniquePhone(), { full_name: 'Đỗ Thị Cách Ly' });
  tok.citizen = cit.token;
});
after(async () => { if (srv) await srv.stop(); });

test('a health worker orders home quarantine with a place and a schedule; a retry is the same order', async () => {
  const body = { client_id: clientId(), person_id: cit.person.id, kind: 'home', address: '12 Phúc Xá',
    lat: HOME.lat, lon: HOME.lon, days: 14, checkins_per_day: 3, radius_m: 100, grace_minutes: 30 };
  let r = await srv.api('POST', '/api/v1/quarantine/orders', { token: tok.tracer, body });
  assert.equal(r.status, 201, r.text);
  order = r.json;
  assert.equal(order.status, 'active');
  assert.equal(order.start_date, vnDate(now()));
  assert.equal(order.end_date, vnDate(now() + 13 * 86400));
  assert.equal(order.commune_code, UNITS.phucXa);
  r = await srv.api('POST', '/api/v1/quarantine/orders', { token: tok.tracer, body });
  assert.equal(r.status, 200);
  assert.equal(r.json.id, order.id);
  r = await srv.api('GET', '/api/v1/me/quarantine', { token: cit.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.orders.length, 1);
  assert.ok(r.json.orders[0].current_slot.end > r.json.orders[0].current_slot.start);
});

test('a check-in inside the radius with a photo; a retry does not duplicate it', async () => {
  const body = { client_id: clientId(), photo: `data:image/png;base64,${PNG.toString('base64')}`,
    lat: HOME.lat + 0.0002, lon: HOME.lon, accuracy_m: 12 };
  const before = srv.dbStats().tables.quarantine_checkins.rows;
  let r = await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, { token: cit.token, body });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.inside, true);
  assert.equal(r.json.alert, false);
  assert.ok(r.json.distance_m > 15 && r.json.distance_m < 30, `distance ${r.json.distance_m}`);
  const id = r.json.id;
  r = await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, { token: cit.token, body });
  assert.equal(r.status, 200);
  assert.equal(r.json.id, id);
  assert.equal(srv.dbStats().tables.quarantine_checkins.rows, before + 1);
  r = await srv.api('GET', `/api/v1/quarantine/checkins/${id}/photo`, { token: tok.tracer });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
});

test('a check-in outside the radius raises an alert for the commune and queues a reminder', async () => {
  const body = { client_id: clientId(), photo: JPEG.toString('base64'), lat: HOME.lat + 0.01, lon: HOME.lon };
  let r = await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, { token: cit.token, body });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.inside, false);
  assert.equal(r.json.alert, true);
  assert.ok(r.json.distance_m > 1000);
  r = await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}`, { token: tok.commune_admin });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.alerts.some((a) => a.order_id === order.id && a.kind === 'outside'));
  r = await srv.api('GET', `/api/v1/outbox?recipient=${cit.person.phone}&kind=quarantine_reminder`,
    { token: tok.national_admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.messages.length, 1);
  r = await srv.api('GET', `/api/v1/quarantine/compliance?unit=${UNITS.phucXa}`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  const c = r.json.communes.find((x) => x.commune_code === UNITS.phucXa);
  assert.equal(c.active_orders, 1);
  assert.equal(c.checkins_today, 2);
  assert.equal(c.open_alerts, 1);
});

test('the monitor job raises an alert for each missed slot, once', async () => {
  const tomorrowLate = now() + 86400 + 6 * 3600;
  let j = srv.cli(['jobs', 'run', '--force', '--job', 'quarantine_monitor', '--now', String(tomorrowLate)]);
  assert.equal(j.status, 0, j.stderr);
  let r = await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}`, { token: tok.tracer });
  const missed = r.json.alerts.filter((a) => a.kind === 'missed').length;
  assert.ok(missed >= 1, `missed alerts: ${missed}`);
  j = srv.cli(['jobs', 'run', '--force', '--job', 'quarantine_monitor', '--now', String(tomorrowLate)]);
  assert.equal(j.status, 0);
  r = await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}`, { token: tok.tracer });
  assert.equal(r.json.alerts.filter((a) => a.kind === 'missed').length, missed, 'no duplicate alerts');
});

test('who may call what: roles inside and outside the area, citizens only their own', async () => {
  const expect = {
    national_admin: 200, province_admin: 200, district_admin: 200, commune_admin: 200, sampler: 403, lab: 403,
    vaccinator: 403, tracer: 200, checkpoint_officer: 403, venue_owner: 403, citizen: 403,
  };
  for (const [role, status] of Object.entries(expect)) {
    const r = await srv.api('GET', `/api/v1/quarantine/orders/${order.id}`, { token: tok[role] });
    assert.equal(r.status, status, `${role}: ${r.status} ${r.text}`);
  }
  let r = await srv.api('GET', `/api/v1/quarantine/orders/${order.id}`, { token: tok.tracer_hcm });
  assert.equal(r.status, 403);
  r = await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}`, { token: tok.tracer_hcm });
  assert.equal(r.status, 403);
  r = await srv.api('GET', `/api/v1/quarantine/orders/${order.id}`);
  assert.equal(r.status, 401);
  const other = await citizenWithProfile(srv, tok.national_admin, uniquePhone(), { full_name: 'Vũ Văn Khác' });
  r = await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, { token: other.token,
    body: { client_id: clientId(), photo: PNG.toString('base64'), lat: HOME.lat, lon: HOME.lon } });
  assertError(r, 404, 'not_found', 'id');
  r = await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, { token: tok.tracer,
    body: { client_id: clientId(), photo: PNG.toString('base64'), lat: HOME.lat, lon: HOME.lon } });
  assert.equal(r.status, 403);
});

test('bad input is refused naming the field, and nothing is written', async () => {
  const before = stable(srv.dbStats());
  const ok = { client_id: clientId(), photo: PNG.toString('base64'), lat: HOME.lat, lon: HOME.lon };
  const checkins = [
    [{ ...ok, photo: Buffer.from('not an image at all').toString('base64') }, 400, 'invalid_field', 'photo'],
    [{ ...ok, photo: '!!!' }, 400, 'invalid_field', 'photo'],
    [{ ...ok, lat: 91 }, 400, 'invalid_field', 'lat'],
    [{ ...ok, lon: 'east' }, 400, 'invalid_field', 'lon'],
    [{ ...ok, lat: undefined }, 400, 'missing_field', 'lat'],
    [{ ...ok, client_id: 'x' }, 400, 'invalid_field', 'client_id'],
    [{ ...ok, selfie: true }, 400, 'unknown_field', undefined],
  ];
  for (const [body, status, code, field] of checkins) {
    const r = await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, { token: cit.token, body });
    assertError(r, status, code, field);
  }
  const big = await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, { token: cit.token,
    body: { ...ok, photo: Buffer.concat([PNG, Buffer.alloc(4 * 1024 * 1024)]).toString('base64') } });
  assert.equal(big.status, 413, big.text.slice(0, 200));
  const orders = [
    [{ client_id: clientId(), person_id: cit.person.id, kind: 'hotel' }, 'kind'],
    [{ client_id: clientId(), person_id: cit.person.id, lat: 21 }, 'lon'],
    [{ client_id: clientId(), person_id: cit.person.id, radius_m: 1 }, 'radius_m'],
    [{ client_id: clientId(), person_id: cit.person.id, days: 0 }, 'days'],
    [{ client_id: clientId(), person_id: cit.person.id, start_date: '2021-13-01' }, 'start_date'],
    [{ client_id: clientId() }, 'person_id'],
  ];
  for (const [body, field] of orders) {
    const r = await srv.api('POST', '/api/v1/quarantine/orders', { token: tok.tracer, body });
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field);
  }
  assert.deepEqual(stable(srv.dbStats()), before);
});

test('photos are deleted and the order ends after its last day', async () => {
  const after15 = now() + 15 * 86400;
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'quarantine_monitor', '--now', String(after15)]);
  assert.equal(j.status, 0, j.stderr);
  assert.equal(srv.dbStats().tables.quarantine_photos.rows, 0);
  const r = await srv.api('GET', `/api/v1/quarantine/orders/${order.id}`, { token: tok.tracer });
  assert.equal(r.json.status, 'ended');
  assert.ok(r.json.checkins.every((c) => c.photo === false));
});
