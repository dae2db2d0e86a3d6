'use strict';
// Quarantine orders from start to end (README "Contact tracing and home quarantine"): an order
// without a place says so and measures nothing until staff confirm one (from a check-in or as
// coordinates); alerts are acknowledged and resolved with a note; orders end (completed,
// released with a reason, cancelled) and lose their photos at once; a member without a phone is
// checked in by the managing citizen, who gets the reminders; the monitor job watches every active
// order, a page at a time; a check-in in the night counts for no slot.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { clientId, vnDate, addFamily } = require('../lib/checkin');
const { uniquePhone, citizenWithProfile, createPerson } = require('../lib/people');

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const HOME = { lat: 21.0455, lon: 105.8470 }; // Phúc Xá, Ba Đình, Hà Nội
const FAR = { lat: 10.7900, lon: 106.6900 };  // Tân Định, Hồ Chí Minh City: about 1,140 km away
const DAY_FROM = 7 * 3600;
const now = () => Math.floor(Date.now() / 1000);
/** The instant local day `date` (YYYY-MM-DD) starts, epoch seconds. */
const vnDayStart = (date) => Date.parse(`${date}T00:00:00+07:00`) / 1000;

let srv;
const tok = {};
const acc = {};
let cit;

function stable(s) {
  const t = { ...s.tables };
  for (const k of ['sessions', 'audit_log', 'login_failures', 'login_attempts', 'job_runs']) delete t[k];
  return t;
}

async function order(token, body) {
  const r = await srv.api('POST', '/api/v1/quarantine/orders', {
    token, body: { client_id: clientId(), days: 14, checkins_per_day: 3, radius_m: 100, grace_minutes: 30, ...body },
  });
  assertStatus(r, 201, 'order');
  return r.json;
}

function checkin(token, orderId, at, extra = {}) {
  return srv.api('POST', `/api/v1/me/quarantine/${orderId}/checkins`, {
    token, body: { client_id: clientId(), photo: PNG.toString('base64'), lat: at.lat, lon: at.lon, ...extra },
  });
}

async function auditHas(action, subjectId) {
  const r = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}&limit=500`, { token: tok.commune_admin });
  assertStatus(r, 200, 'audit');
  return r.json.entries.some((e) => e.action === action && String(e.subject_id) === String(subjectId));
}

function monitor(at, env) {
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'quarantine_monitor', '--now', String(at)], null, env);
  assert.equal(j.status, 0, j.stderr);
  return j;
}

async function alerts(query = '') {
  const r = await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}&limit=1000${query}`, { token: tok.tracer });
  assertStatus(r, 200, 'alerts');
  return r.json.alerts;
}

before(async () => {
  srv = await startServer();
  tok.national_admin = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const [name, role, unit] of [['tracer', 'tracer', UNITS.phucXa], ['commune_admin', 'commune_admin', UNITS.phucXa],
    ['sampler', 'sampler', UNITS.phucXa], ['tracer_hcm', 'tracer', UNITS.tanDinh]]) {
    const username = `ql.${name.replace(/_/g, '.')}`;
    acc[name] = await createAccount(srv, tok.national_admin, { username, role, unit_code: unit });
    tok[name] = await srv.login(username, PASSWORD);
  }
  cit = await citizenWithProfile(srv, tok.national_admin, uniquePhone(), { full_name: 'Trần Văn Chưa Rõ', commune_code: UNITS.phucXa });
});
after(async () => { if (srv) await srv.stop(); });

let unplaced; // an order made without a place, as the policy makes them
let farCheckin, homeCheckin;

test('an order without a place: a check-in 1,100 km away is not "inside, 0 m" but not yet measured', async () => {
  unplaced = await order(tok.tracer, { person_id: cit.person.id });
  assert.equal(unplaced.place_confirmed, false);
  assert.equal(unplaced.lat, null);
  let r = await checkin(cit.token, unplaced.id, FAR);
  assertStatus(r, 201);
  farCheckin = r.json;
  assert.equal(r.json.place_confirmed, false);
  assert.equal(r.json.distance_m, null, 'no distance without a place');
  assert.equal(r.json.inside, null, 'neither inside nor outside');
  assert.equal(r.json.alert, false);
  r = await srv.api('GET', '/api/v1/me/quarantine', { token: cit.token });
  assertStatus(r, 200);
  const o = r.json.orders.find((x) => x.id === unplaced.id);
  assert.equal(o.place_confirmed, false);
  const c = o.checkins.find((x) => x.id === farCheckin.id);
  assert.equal(c.distance_m, null);
  assert.equal(c.inside, null);
  assert.equal(c.measured, false);
  r = await srv.api('GET', `/api/v1/quarantine/orders/${unplaced.id}`, { token: tok.tracer });
  assert.equal(r.json.checkins[0].distance_m, null);
  assert.ok(!(await alerts()).some((a) => a.order_id === unplaced.id), 'nothing to be outside of');
});

test('staff confirm a check-in as home; later check-ins are measured; audited; bad input names the field', async () => {
  let r = await checkin(cit.token, unplaced.id, HOME);
  assertStatus(r, 201);
  homeCheckin = r.json;
  assert.equal(homeCheckin.distance_m, null);
  const other = await order(tok.tracer, { person_id: (await createPerson(srv, tok.tracer, { full_name: 'Ngô Văn Khác', commune_code: UNITS.phucXa })).person.id, ...HOME });
  const url = `/api/v1/quarantine/orders/${unplaced.id}/place`;
  const statsBefore = stable(srv.dbStats());
  const bad = [
    [{}, 400, 'missing_field', 'from_checkin_id'],
    [{ lat: 21 }, 400, 'missing_field', 'lon'],
    [{ lon: 105 }, 400, 'missing_field', 'lat'],
    [{ lat: 91, lon: 105 }, 400, 'invalid_field', 'lat'],
    [{ lat: 21, lon: 'east' }, 400, 'invalid_field', 'lon'],
    [{ from_checkin_id: 'x' }, 400, 'invalid_field', 'from_checkin_id'],
    [{ from_checkin_id: homeCheckin.id, lat: 21, lon: 105 }, 400, 'invalid_field', 'lat'],
    [{ from_checkin_id: 99999999 }, 400, 'invalid_field', 'from_checkin_id'],
    [{ lat: 21, lon: 105, address: 5 }, 400, 'invalid_field', 'address'],
    [{ lat: 21, lon: 105, where: 'home' }, 400, 'unknown_field', undefined],
  ];
  for (const [body, status, code, field] of bad) {
    assertError(await srv.api('PUT', url, { token: tok.tracer, body }), status, code, field);
  }
  // a check-in of another order is not this order's home
  const otherCheckin = await srv.api('GET', `/api/v1/quarantine/orders/${other.id}`, { token: tok.tracer });
  assertStatus(otherCheckin, 200);
  assertError(await srv.api('PUT', `/api/v1/quarantine/orders/${other.id}/place`, { token: tok.tracer,
    body: { from_checkin_id: homeCheckin.id } }), 400, 'invalid_field', 'from_checkin_id');
  assert.equal((await srv.api('PUT', url, { token: cit.token, body: { from_checkin_id: homeCheckin.id } })).status, 403);
  assert.equal((await srv.api('PUT', url, { token: tok.sampler, body: { from_checkin_id: homeCheckin.id } })).status, 403);
  assert.equal((await srv.api('PUT', url, { token: tok.tracer_hcm, body: { from_checkin_id: homeCheckin.id } })).status, 403);
  assertError(await srv.api('PUT', '/api/v1/quarantine/orders/99999999/place', { token: tok.tracer,
    body: { lat: 21, lon: 105 } }), 404, 'not_found', 'id');
  assert.deepEqual(stable(srv.dbStats()), statsBefore, 'refusals write nothing');

  r = await srv.api('PUT', url, { token: tok.tracer, body: { from_checkin_id: homeCheckin.id } });
  assertStatus(r, 200);
  assert.equal(r.json.place_confirmed, true);
  assert.equal(r.json.place_checkin_id, homeCheckin.id);
  assert.ok(Math.abs(r.json.lat - HOME.lat) < 1e-6 && Math.abs(r.json.lon - HOME.lon) < 1e-6);
  assert.ok(await auditHas('quarantine.order.place', unplaced.id), 'the place change is audited');

  r = await checkin(cit.token, unplaced.id, FAR);
  assertStatus(r, 201);
  assert.equal(r.json.place_confirmed, true);
  assert.equal(r.json.inside, false);
  assert.equal(r.json.alert, true);
  assert.ok(r.json.distance_m > 1000000 && r.json.distance_m < 1300000, `distance ${r.json.distance_m}`);
  r = await checkin(cit.token, unplaced.id, { lat: HOME.lat + 0.0002, lon: HOME.lon });
  assertStatus(r, 201);
  assert.equal(r.json.inside, true);
  assert.ok(r.json.distance_m > 15 && r.json.distance_m < 30);
  // check-ins made before the place was confirmed stay unmeasured
  r = await srv.api('GET', `/api/v1/quarantine/orders/${unplaced.id}`, { token: tok.tracer });
  assert.equal(r.json.checkins.find((c) => c.id === farCheckin.id).distance_m, null);

  // coordinates typed by staff, with the address
  r = await srv.api('PUT', `/api/v1/quarantine/orders/${other.id}/place`, { token: tok.commune_admin,
    body: { lat: 21.0460, lon: 105.8475, address: '15 Phúc Xá' } });
  assertStatus(r, 200);
  assert.equal(r.json.address, '15 Phúc Xá');
  assert.equal(r.json.lat, 21.046);
  assert.equal(r.json.place_checkin_id, null);
});

test('alerts are acknowledged, then resolved with a note; the list filters by state; who and when kept', async () => {
  const outside = (await alerts()).find((a) => a.order_id === unplaced.id && a.kind === 'outside');
  assert.ok(outside, 'the far check-in raised an alert');
  assert.equal(outside.state, 'open');
  assert.ok((await alerts('&state=open')).some((a) => a.id === outside.id));
  assertError(await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}&state=closed`, { token: tok.tracer }),
    400, 'invalid_field', 'state');
  const base = `/api/v1/quarantine/alerts/${outside.id}`;
  const statsBefore = stable(srv.dbStats());
  assertError(await srv.api('POST', `${base}/resolve`, { token: tok.tracer, body: {} }), 400, 'missing_field', 'note');
  assertError(await srv.api('POST', `${base}/resolve`, { token: tok.tracer, body: { note: '   ' } }), 400, 'missing_field', 'note');
  assertError(await srv.api('POST', `${base}/resolve`, { token: tok.tracer, body: { note: 5 } }), 400, 'invalid_field', 'note');
  assertError(await srv.api('POST', `${base}/acknowledge`, { token: tok.tracer, body: { seen: true } }), 400, 'unknown_field');
  assertError(await srv.api('POST', '/api/v1/quarantine/alerts/99999999/acknowledge', { token: tok.tracer, body: {} }),
    404, 'not_found', 'id');
  assert.equal((await srv.api('POST', `${base}/acknowledge`, { token: tok.tracer_hcm, body: {} })).status, 403);
  assert.equal((await srv.api('POST', `${base}/acknowledge`, { token: cit.token, body: {} })).status, 403);
  assert.equal((await srv.api('POST', `${base}/resolve`, { token: tok.sampler, body: { note: 'x' } })).status, 403);
  assert.deepEqual(stable(srv.dbStats()), statsBefore, 'refusals write nothing');

  const compliance = async () => (await srv.api('GET', `/api/v1/quarantine/compliance?unit=${UNITS.phucXa}`,
    { token: tok.tracer })).json.communes.find((c) => c.commune_code === UNITS.phucXa).open_alerts;
  const openBefore = await compliance();

  let r = await srv.api('POST', `${base}/acknowledge`, { token: tok.tracer, body: {} });
  assertStatus(r, 200);
  assert.equal(r.json.state, 'acknowledged');
  assert.equal(r.json.acknowledged_by, acc.tracer.id);
  assert.ok(Math.abs(r.json.acknowledged_at - now()) < 600);
  assert.equal(r.json.resolved_at, null);
  assertError(await srv.api('POST', `${base}/acknowledge`, { token: tok.tracer, body: {} }), 409, 'conflict', 'id');
  assert.ok(!(await alerts('&state=open')).some((a) => a.id === outside.id));
  assert.ok((await alerts('&state=acknowledged')).some((a) => a.id === outside.id));

  const note = 'Đã gọi điện: người cách ly đi khám tại bệnh viện, có giấy xác nhận';
  r = await srv.api('POST', `${base}/resolve`, { token: tok.commune_admin, body: { note } });
  assertStatus(r, 200);
  assert.equal(r.json.state, 'resolved');
  assert.equal(r.json.resolved_by, acc.commune_admin.id);
  assert.equal(r.json.resolution_note, note);
  assert.ok(Math.abs(r.json.resolved_at - now()) < 600);
  assert.equal(r.json.acknowledged_by, acc.tracer.id, 'the acknowledgement stays');
  assertError(await srv.api('POST', `${base}/resolve`, { token: tok.tracer, body: { note } }), 409, 'conflict', 'id');
  assertError(await srv.api('POST', `${base}/acknowledge`, { token: tok.tracer, body: {} }), 409, 'conflict', 'id');
  assert.ok((await alerts('&state=resolved')).some((a) => a.id === outside.id));
  assert.ok(!(await alerts('&state=acknowledged')).some((a) => a.id === outside.id));
  assert.equal(await compliance(), openBefore - 1, 'a resolved alert is no longer open');
  assert.ok(await auditHas('quarantine.alert.acknowledge', outside.id));
  assert.ok(await auditHas('quarantine.alert.resolve', outside.id));
});

let ended;

test('an order ends (released with a reason, cancelled); its photos go at once; ending again is 409', async () => {
  const cit2 = await citizenWithProfile(srv, tok.national_admin, uniquePhone(), { full_name: 'Lý Thị Về Sớm', commune_code: UNITS.phucXa });
  ended = await order(tok.tracer, { person_id: cit2.person.id, ...HOME });
  let r = await checkin(cit2.token, ended.id, HOME);
  assertStatus(r, 201);
  const photoUrl = `/api/v1/quarantine/checkins/${r.json.id}/photo`;
  assertStatus(await srv.api('GET', photoUrl, { token: tok.tracer }), 200);
  const url = `/api/v1/quarantine/orders/${ended.id}/end`;
  const statsBefore = stable(srv.dbStats());
  const bad = [
    [{}, 'missing_field', 'outcome'],
    [{ outcome: 'done' }, 'invalid_field', 'outcome'],
    [{ outcome: 'released' }, 'missing_field', 'reason'],
    [{ outcome: 'released', reason: ' ' }, 'missing_field', 'reason'],
    [{ outcome: 'released', reason: 7 }, 'invalid_field', 'reason'],
    [{ outcome: 'completed', when: 'now' }, 'unknown_field', undefined],
  ];
  for (const [body, code, field] of bad) assertError(await srv.api('POST', url, { token: tok.tracer, body }), 400, code, field);
  assert.equal((await srv.api('POST', url, { token: cit2.token, body: { outcome: 'completed' } })).status, 403);
  assert.equal((await srv.api('POST', url, { token: tok.tracer_hcm, body: { outcome: 'completed' } })).status, 403);
  assert.deepEqual(stable(srv.dbStats()), statsBefore, 'refusals write nothing');

  const photos = srv.dbStats().tables.quarantine_photos.rows;
  const reason = 'Hai lần xét nghiệm PCR âm tính';
  r = await srv.api('POST', url, { token: tok.tracer, body: { outcome: 'released', reason } });
  assertStatus(r, 200);
  assert.equal(r.json.status, 'ended');
  assert.equal(r.json.outcome, 'released');
  assert.equal(r.json.end_reason, reason);
  assert.ok(Math.abs(r.json.ended_at - now()) < 600);
  assert.equal(r.json.photos_deleted, 1);
  assert.equal(srv.dbStats().tables.quarantine_photos.rows, photos - 1, 'photos deleted at once, not by the job');
  assertError(await srv.api('GET', photoUrl, { token: tok.tracer }), 404, 'not_found', 'id');
  assert.ok(await auditHas('quarantine.order.end', ended.id));

  assertError(await srv.api('POST', url, { token: tok.tracer, body: { outcome: 'released', reason } }), 409, 'conflict', 'id');
  assertError(await srv.api('POST', url, { token: tok.tracer, body: { outcome: 'cancelled' } }), 409, 'conflict', 'id');
  assertError(await checkin(cit2.token, ended.id, HOME), 409, 'conflict', 'id');
  assertError(await srv.api('PUT', `/api/v1/quarantine/orders/${ended.id}/place`, { token: tok.tracer, body: HOME }),
    409, 'conflict', 'id');
  r = await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}&status=ended`, { token: tok.tracer });
  assert.ok(r.json.orders.some((o) => o.id === ended.id && o.outcome === 'released'));

  const p = (await createPerson(srv, tok.tracer, { full_name: 'Mai Văn Nhầm', commune_code: UNITS.phucXa })).person;
  const wrong = await order(tok.tracer, { person_id: p.id, ...HOME });
  r = await srv.api('POST', `/api/v1/quarantine/orders/${wrong.id}/end`, { token: tok.commune_admin, body: { outcome: 'cancelled' } });
  assertStatus(r, 200);
  assert.equal(r.json.status, 'cancelled');
  assert.equal(r.json.outcome, 'cancelled');
  assert.equal(r.json.end_reason, null);
});

test('a member without a phone: the managing citizen sees the order, checks in for them and gets the reminders', async () => {
  const phone = uniquePhone();
  const manager = await citizenWithProfile(srv, tok.national_admin, phone, { full_name: 'Hoàng Văn Bố', commune_code: UNITS.phucXa, street: '8 Phúc Xá' });
  const child = await addFamily(srv, manager.token, 'Hoàng Bé Na', '2019-04-04');
  assert.equal(child.phone, null);
  const o = await order(tok.tracer, { person_id: child.id, ...HOME });
  let r = await srv.api('GET', '/api/v1/me/quarantine', { token: manager.token });
  assertStatus(r, 200);
  const mine = r.json.orders.find((x) => x.id === o.id);
  assert.ok(mine, 'the member\'s order is on the managing citizen\'s page');
  assert.equal(mine.member.person_id, child.id);
  assert.equal(mine.member.full_name, 'Hoàng Bé Na');
  assert.ok(!r.json.orders.some((x) => x.id === unplaced.id), 'and no one else\'s');
  r = await checkin(manager.token, o.id, HOME);
  assertStatus(r, 201);
  assert.equal(r.json.inside, true);
  // anyone else gets the answer a stranger's order gets
  assertError(await checkin(cit.token, o.id, HOME), 404, 'not_found', 'id');
  r = await srv.api('GET', '/api/v1/me/quarantine', { token: cit.token });
  assert.ok(!r.json.orders.some((x) => x.id === o.id));

  const outbox = async () => (await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=quarantine_reminder`,
    { token: tok.national_admin })).json.messages;
  assert.equal((await outbox()).length, 0);
  r = await checkin(manager.token, o.id, FAR);
  assertStatus(r, 201);
  assert.equal(r.json.alert, true);
  let msgs = await outbox();
  assert.equal(msgs.length, 1, 'the outside alert reaches the managing citizen');
  assert.ok(msgs[0].text.includes(String(o.id)), msgs[0].text);
  const raised = (await alerts()).find((a) => a.order_id === o.id && a.kind === 'outside');
  assert.equal(raised.phone, null);
  assert.equal(raised.manager_phone, phone, 'staff see whom to call');
  const tomorrow = vnDate(now() + 86400);
  monitor(vnDayStart(tomorrow) + 22 * 3600);
  msgs = await outbox();
  assert.ok(msgs.length >= 2, `missed slots remind the managing citizen (${msgs.length})`);
  assert.ok(msgs.some((m) => /chua diem danh/.test(m.text) && m.text.includes(String(o.id))));
});

test('the monitor job watches every active order, a page at a time (no cap), and no ended one', async () => {
  for (const name of ['Đinh Văn Một', 'Đinh Văn Hai', 'Đinh Văn Ba', 'Đinh Văn Bốn', 'Đinh Văn Năm']) {
    const p = (await createPerson(srv, tok.tracer, { full_name: name, commune_code: UNITS.phucXa })).person;
    await order(tok.tracer, { person_id: p.id, ...HOME });
  }
  const r = await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}&status=active&limit=1000`, { token: tok.tracer });
  const active = r.json.orders.map((o) => o.id);
  assert.ok(active.length >= 8, `${active.length} active orders`);
  const day2 = vnDate(now() + 2 * 86400);
  const j = monitor(vnDayStart(day2) + 22 * 3600, { CORDON_QUARANTINE_MONITOR_PAGE: '2' });
  const m = /msg="quarantine monitor" orders=(\d+)/.exec(j.stderr);
  assert.ok(m, j.stderr);
  assert.equal(Number(m[1]), active.length, 'every active order read, over several pages of 2');
  const first = vnDayStart(day2) + DAY_FROM;
  const missed = (await alerts()).filter((a) => a.kind === 'missed' && a.slot_start >= first);
  for (const id of active) {
    assert.equal(missed.filter((a) => a.order_id === id).length, 3, `order ${id}: its 3 slots of ${day2} missed`);
  }
  assert.ok(!missed.some((a) => a.order_id === ended.id), 'an ended order is not watched');
});

// The server's clock moved to 00:40 in Việt Nam (libfaketime, as scripts/at-vn-time.sh does).
const FAKETIME_LIBS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1', '/usr/local/lib/faketime/libfaketime.so.1'];
const faketimeLib = FAKETIME_LIBS.find((p) => fs.existsSync(p));

test('a check-in at 00:40 counts for no slot: the 07:00–11:40 slot is still missed', { skip: !faketimeLib && 'libfaketime is not installed' }, async () => {
  const today = vnDate(now());
  const at = vnDayStart(today) + 40 * 60;
  const stamp = new Date(at * 1000).toISOString().replace('T', ' ').slice(0, 19);
  const night = await startServer({ env: { LD_PRELOAD: faketimeLib, FAKETIME: `@${stamp}`, TZ: 'UTC',
    FAKETIME_DONT_FAKE_MONOTONIC: '1', ASAN_OPTIONS: `${process.env.ASAN_OPTIONS || ''}:verify_asan_link_order=0` } });
  try {
    const admin = await night.login(night.adminUsername, night.adminPassword);
    await createAccount(night, admin, { username: 'ql.night.tracer', role: 'tracer', unit_code: UNITS.phucXa });
    const tracer = await night.login('ql.night.tracer', PASSWORD);
    const c = await citizenWithProfile(night, admin, uniquePhone(), { full_name: 'Phí Văn Đêm', commune_code: UNITS.phucXa });
    let r = await night.api('POST', '/api/v1/quarantine/orders', { token: tracer, body: { client_id: clientId(),
      person_id: c.person.id, ...HOME, days: 14, checkins_per_day: 3, radius_m: 100, grace_minutes: 30 } });
    assertStatus(r, 201);
    const o = r.json;
    assert.equal(o.start_date, today);
    r = await night.api('POST', `/api/v1/me/quarantine/${o.id}/checkins`, { token: c.token,
      body: { client_id: clientId(), photo: PNG.toString('base64'), lat: HOME.lat, lon: HOME.lon } });
    assertStatus(r, 201);
    assert.equal(r.json.in_slot, false, `a check-in at 00:40 answers no slot: ${r.text}`);
    assert.equal(r.json.slot_start, null);
    assert.equal(r.json.next_slot.start, vnDayStart(today) + DAY_FROM);
    assert.equal(r.json.next_slot.end, vnDayStart(today) + DAY_FROM + 4 * 3600 + 40 * 60);
    assert.equal(r.json.inside, true);
    r = await night.api('GET', '/api/v1/me/quarantine', { token: c.token });
    assert.equal(r.json.orders[0].current_slot.open, false);
    assert.equal(r.json.orders[0].current_slot.start, vnDayStart(today) + DAY_FROM);
    // after the first slot's end and its grace, the monitor finds it missed
    const j = night.cli(['jobs', 'run', '--force', '--job', 'quarantine_monitor', '--now',
      String(vnDayStart(today) + DAY_FROM + 4 * 3600 + 40 * 60 + 31 * 60)]);
    assert.equal(j.status, 0, j.stderr);
    r = await night.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}`, { token: tracer });
    assert.deepEqual(r.json.alerts.filter((a) => a.order_id === o.id).map((a) => [a.kind, a.slot_start]),
      [['missed', vnDayStart(today) + DAY_FROM]]);
  } finally {
    await night.stop();
  }
});
