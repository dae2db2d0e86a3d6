'use strict';
// The commune health station's workspace for flagged declarations (docs/api.md "Declarations"):
// the flagged list covers the last 24 hours by default (so it does not empty at midnight) or a
// range of days, each person is marked handled with a note (who and when kept, audited), marking
// one declaration answers the person's earlier ones, a newer flagged declaration opens the person
// again, and bad input is named.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startServer } = require('../lib/server');
const { vnToday, vnDate } = require('../lib/vn-time');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { createPerson, uniquePhone, citizenWithProfile } = require('../lib/people');

const FLAGGED = { kind: 'health', health_status: 'unwell', symptoms: ['fever'], exposure: [] };
const WELL = { kind: 'health', health_status: 'well', symptoms: [], exposure: [] };
let seq = 0;
const clientId = () => { seq += 1; return `dw-${process.pid}-${seq}-${Date.now()}`; };

async function declare(srv, token, personId, fields) {
  const r = await srv.api('POST', '/api/v1/declarations', { token, body: { client_id: clientId(), person_id: personId, ...fields } });
  assertStatus(r, 201, 'declare');
  return r.json;
}

describe('flagged list and handling', () => {
  let srv;
  let admin;
  let commune;
  let tracer;
  let sampler;
  let binh;
  let outside;
  before(async () => {
    srv = await startServer();
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, admin, { username: 'dw.commune', role: 'commune_admin', unit_code: UNITS.phucXa, full_name: 'Nguyễn Thị Trạm' });
    await createAccount(srv, admin, { username: 'dw.tracer', role: 'tracer', unit_code: UNITS.phucXa });
    await createAccount(srv, admin, { username: 'dw.sampler', role: 'sampler', unit_code: UNITS.phucXa });
    await createAccount(srv, admin, { username: 'dw.hcm', role: 'commune_admin', unit_code: UNITS.tanDinh });
    commune = await srv.login('dw.commune', PASSWORD);
    tracer = await srv.login('dw.tracer', PASSWORD);
    sampler = await srv.login('dw.sampler', PASSWORD);
    binh = (await createPerson(srv, admin, { full_name: 'Trần Thị Bình', commune_code: UNITS.phucXa, phone: uniquePhone() })).person;
    outside = (await createPerson(srv, admin, { full_name: 'Lê Văn Cường', commune_code: UNITS.tanDinh })).person;
  });
  after(async () => { if (srv) await srv.stop(); });

  const list = async (token, q = '') => {
    const r = await srv.api('GET', `/api/v1/declarations/flagged${q}`, { token });
    assertStatus(r, 200, `flagged${q}`);
    return r.json;
  };
  const entry = (l, id) => l.people.find((p) => p.person_id === id);

  test('default: the last 24 hours, each person not yet handled, counted as pending', async () => {
    const d1 = await declare(srv, sampler, binh.id, FLAGGED);
    const l = await list(commune);
    assert.equal(l.unit, UNITS.phucXa);
    assert.equal(l.date, undefined);
    assert.ok(l.to - l.from >= 86400 && l.to - l.from <= 86402, `24 hours: ${l.from}..${l.to}`);
    const e = entry(l, binh.id);
    assert.ok(e, JSON.stringify(l));
    assert.equal(e.handled, null);
    assert.equal(e.last_reference, d1.reference);
    assert.equal(l.pending, 1);
  });

  test('marked handled with a note: who and when kept, audited, no longer pending; a retry changes nothing', async () => {
    const d2 = await declare(srv, sampler, binh.id, { ...FLAGGED, symptoms: ['cough'] });
    const t0 = Math.floor(Date.now() / 1000);
    let r = await srv.api('POST', `/api/v1/declarations/${d2.reference}/handled`, { token: commune, body: { note: 'Đã gọi, hẹn lấy mẫu sáng mai' } });
    assertStatus(r, 201, 'handled');
    assert.equal(r.json.marked, 2, 'the earlier flagged declaration of the same person is answered too');
    assert.equal(r.json.handled.by_username, 'dw.commune');
    assert.equal(r.json.handled.by_name, 'Nguyễn Thị Trạm');
    assert.equal(r.json.handled.note, 'Đã gọi, hẹn lấy mẫu sáng mai');
    assert.ok(Math.abs(r.json.handled.at - t0) < 60);

    const l = await list(tracer);
    const e = entry(l, binh.id);
    assert.equal(e.references.length, 2);
    assert.equal(e.handled.note, 'Đã gọi, hẹn lấy mẫu sáng mai');
    assert.equal(e.handled.by_username, 'dw.commune');
    assert.equal(l.pending, 0);

    r = await srv.api('POST', `/api/v1/declarations/${d2.reference}/handled`, { token: tracer, body: { note: 'lần hai' } });
    assertStatus(r, 200, 'second mark');
    assert.equal(r.json.marked, 0);
    assert.equal(r.json.handled.note, 'Đã gọi, hẹn lấy mẫu sáng mai', 'the first mark stays');

    const audit = await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: admin });
    const marks = audit.json.entries.filter((a) => a.action === 'declaration.handled');
    assert.equal(marks.length, 1, 'one audit entry for the one change');
    assert.equal(marks[0].actor_username, 'dw.commune');
    assert.equal(marks[0].subject_id, d2.reference);
  });

  test('a newer flagged declaration opens the person again; a note may be left out', async () => {
    const d3 = await declare(srv, sampler, binh.id, FLAGGED);
    let l = await list(commune);
    assert.equal(entry(l, binh.id).handled, null);
    assert.equal(l.pending, 1);
    const r = await srv.api('POST', `/api/v1/declarations/${d3.reference}/handled`, { token: commune, body: {} });
    assertStatus(r, 201);
    assert.equal(r.json.handled.note, null);
    l = await list(commune);
    assert.ok(entry(l, binh.id).handled);
  });

  test('a range of days and one day; bad parameters are named', async () => {
    const today = vnToday(0);
    let l = await list(commune, `?from=${vnToday(-6)}&to=${today}`);
    assert.equal(l.from_date, vnToday(-6));
    assert.equal(l.to_date, today);
    assert.ok(entry(l, binh.id));
    l = await list(commune, `?from=${vnToday(-3)}&to=${vnToday(-1)}`);
    assert.deepEqual(l.people, []);
    l = await list(commune, `?date=${today}`);
    assert.equal(l.date, today);
    assert.ok(entry(l, binh.id));
    const bad = [
      [`?from=${today}&date=${today}`, 'date'], ['?to=2026-01-01', 'from'], ['?from=2026-02-30', 'from'],
      [`?from=${today}&to=yesterday`, 'to'], [`?from=${today}&to=${vnToday(-1)}`, 'to'],
      [`?from=${vnToday(-40)}&to=${today}`, 'to'],
    ];
    for (const [q, field] of bad) {
      const r = await srv.api('GET', `/api/v1/declarations/flagged${q}`, { token: commune });
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.field, field, q);
    }
  });

  test('who may mark, and what: area, role, flagged only, bad input named, nothing stored', async () => {
    const far = await declare(srv, admin, outside.id, FLAGGED);
    const well = await declare(srv, sampler, binh.id, WELL);
    const open = await declare(srv, sampler, binh.id, FLAGGED);
    assertError(await srv.api('POST', `/api/v1/declarations/${far.reference}/handled`, { token: commune, body: {} }), 403, 'forbidden');
    assertError(await srv.api('POST', `/api/v1/declarations/${open.reference}/handled`, { token: sampler, body: {} }), 403, 'forbidden');
    const citizen = await citizenWithProfile(srv, admin, uniquePhone(), { commune_code: UNITS.phucXa });
    assertError(await srv.api('POST', `/api/v1/declarations/${open.reference}/handled`, { token: citizen.token, body: {} }), 403, 'forbidden');
    assertError(await srv.api('POST', `/api/v1/declarations/${well.reference}/handled`, { token: commune, body: {} }), 409, 'conflict', 'ref');
    assertError(await srv.api('POST', '/api/v1/declarations/TK-1/handled', { token: commune, body: {} }), 400, 'invalid_field', 'ref');
    assertError(await srv.api('POST', '/api/v1/declarations/TK-20210101-AAAAAA/handled', { token: commune, body: {} }), 404, 'not_found', 'ref');
    assertError(await srv.api('POST', `/api/v1/declarations/${open.reference}/handled`, { token: commune, body: { note: 'x'.repeat(501) } }), 400, 'invalid_field', 'note');
    assertError(await srv.api('POST', `/api/v1/declarations/${open.reference}/handled`, { token: commune, body: { note: 5 } }), 400, 'invalid_field', 'note');
    assertError(await srv.api('POST', `/api/v1/declarations/${open.reference}/handled`, { token: commune, body: { called: true } }), 400, 'unknown_field', 'called');
    const l = await list(commune);
    assert.equal(entry(l, binh.id).handled, null, 'refused marks stored nothing');
    const hcm = await srv.login('dw.hcm', PASSWORD);
    assertStatus(await srv.api('POST', `/api/v1/declarations/${far.reference}/handled`, { token: hcm, body: { note: 'ok' } }), 201);
  });
});

// The list must not empty at midnight: a declaration made at 23:50 is still on the default list at
// 00:30 (the server's clock moved with libfaketime, as scripts/at-vn-time.sh does).
const FAKETIME_LIBS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1', '/usr/local/lib/faketime/libfaketime.so.1'];
const faketimeLib = FAKETIME_LIBS.find((p) => fs.existsSync(p));

test('a declaration of 23:50 is still on the default list at 00:30', { skip: !faketimeLib && 'libfaketime is not installed' }, async () => {
  const today = vnToday(0);
  const midnight = Math.floor(Date.parse(`${today}T00:00:00+07:00`) / 1000);
  const stamp = (t) => `@${new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19)}`;
  const env = { LD_PRELOAD: faketimeLib, FAKETIME: stamp(midnight - 600), TZ: 'UTC', FAKETIME_DONT_FAKE_MONOTONIC: '1',
    ASAN_OPTIONS: `${process.env.ASAN_OPTIONS || ''}:verify_asan_link_order=0` };
  const night = await startServer({ env });
  try {
    const admin = await night.login(night.adminUsername, night.adminPassword);
    const p = (await createPerson(night, admin, { full_name: 'Phí Văn Đêm', commune_code: UNITS.phucXa })).person;
    const d = await declare(night, admin, p.id, FLAGGED);
    assert.equal(d.reference.slice(3, 11), vnToday(-1).replace(/-/g, ''), 'declared yesterday');
    env.FAKETIME = stamp(midnight + 30 * 60);
    await night.restart();
    const token = await night.login(night.adminUsername, night.adminPassword);
    let r = await night.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.phucXa}`, { token });
    assertStatus(r, 200);
    assert.equal(vnDate(r.json.to), today);
    assert.ok(r.json.people.some((e) => e.person_id === p.id), `still listed at 00:30: ${r.text}`);
    r = await night.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.phucXa}&date=${today}`, { token });
    assert.deepEqual(r.json.people, [], 'the calendar day of today has none');
  } finally {
    await night.stop();
  }
});
