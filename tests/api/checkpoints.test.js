'use strict';
// Checkpoints (docs/api-checkpoints.md): a checkpoint and its officers, passages recorded once per
// client_id (a vehicle of four queued offline and synced, then synced again), each checkpoint rule
// on hand-made people (confirmed case, F1, quarantine, no travel declaration, no negative test,
// vaccination), plates checked and normalised, the day list, CSV/XLSX export, plate search, photo
// retention, who may call what, and bad input that names its field.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { vnToday } = require('../lib/vn-time');
const { tracedCase, quarantinedCitizen } = require('../lib/tracing-setup');
const { testingSession } = require('../lib/testing-setup');
const { siteDay, vaccinate } = require('../lib/vaccine-setup');
const { uniqueCccd } = require('../lib/people');

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const now = () => Math.floor(Date.now() / 1000);

let srv;
const tok = {};
const acc = {};
let cp; // the checkpoint at Phúc Xá
const people = {}; // hand-made people: name -> { id, cccd, qr? }

async function ok(r, status, what) {
  assert.ok(Array.isArray(status) ? status.includes(r.status) : r.status === status, `${what}: ${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

/** A 400 naming field (invalid or missing). */
function bad(r, field) {
  assert.equal(r.status, 400, `${field}: ${r.status} ${r.text}`);
  assert.equal(r.json.error.field, field, r.text);
}

async function person(name, fields = {}) {
  const cccd = uniqueCccd();
  const r = await ok(await srv.api('POST', '/api/v1/people', {
    token: tok.official, body: { full_name: name, date_of_birth: '1980-01-02', commune_code: UNITS.phucXa, cccd, ...fields },
  }), 201, 'person');
  return { ...(r.person || r), cccd };
}

/** A domestic travel declaration filed by staff for p today; answers its QR payload. */
async function declareTrip(p) {
  const d = await ok(await srv.api('POST', '/api/v1/declarations', {
    token: tok.official,
    body: {
      client_id: clientId(), person_id: p.id, kind: 'domestic_travel', origin_commune: UNITS.phucXa,
      destination_commune: UNITS.tanDinh, vehicle: 'car', vehicle_number: '47A-123.45', travel_date: vnToday(),
    },
  }), 201, 'declaration');
  return d.qr;
}

const pass = (body, token = tok.officer) => srv.api('POST', `/api/v1/checkpoints/${cp.id}/passages`, { token, body });

/** The answer for one person alone on foot. */
async function answer(who) {
  const r = await ok(await pass({ client_id: clientId(), direction: 'in', people: [who] }), 201, 'passage');
  return r.people[0];
}

before(async () => {
  srv = await startServer();
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const mk = async (key, username, role, unit) => {
    acc[key] = await createAccount(srv, tok.admin, { username, role, unit_code: unit, full_name: 'Đinh Văn Chốt' });
    tok[key] = await srv.login(username, PASSWORD);
  };
  await mk('official', 'chot.xa', 'commune_admin', UNITS.phucXa);
  await mk('district', 'chot.quan', 'district_admin', UNITS.baDinh);
  await mk('hcm', 'chot.hcm', 'province_admin', UNITS.hcm);
  await mk('officer', 'chot.canbo', 'checkpoint_officer', UNITS.baDinh);
  await mk('other', 'chot.canbo2', 'checkpoint_officer', UNITS.baDinh);
  await mk('sampler', 'chot.laymau', 'sampler', UNITS.phucXa);
});
after(async () => { if (srv) await srv.stop(); });

test('a commune official sets up a checkpoint once per client_id and names its officers', async () => {
  const body = {
    client_id: clientId(), name: 'Chốt cầu Long Biên', road: 'Yên Phụ', direction: 'both',
    commune_code: UNITS.phucXa, lat: 21.0433, lon: 105.8514,
  };
  cp = await ok(await srv.api('POST', '/api/v1/checkpoints', { token: tok.official, body }), 201, 'checkpoint');
  assert.equal(cp.name, 'Chốt cầu Long Biên');
  assert.equal(cp.district_code, UNITS.baDinh);
  assert.equal(cp.lat, 21.0433);
  const again = await ok(await srv.api('POST', '/api/v1/checkpoints', { token: tok.official, body }), 200, 'repeat');
  assert.equal(again.id, cp.id);

  // outside the caller's area, and bad fields
  assertError(await srv.api('POST', '/api/v1/checkpoints', { token: tok.hcm, body: { ...body, client_id: clientId() } }), 403, 'forbidden');
  for (const [patch, field] of [
    [{ commune_code: UNITS.baDinh }, 'commune_code'], [{ commune_code: '99999' }, 'commune_code'],
    [{ direction: 'up' }, 'direction'], [{ lat: 200 }, 'lat'], [{ lon: null }, 'lon'], [{ name: '' }, 'name'],
    [{ client_id: 'x' }, 'client_id'], [{ colour: 'red' }, 'colour'],
  ]) bad(await srv.api('POST', '/api/v1/checkpoints', { token: tok.official, body: { ...body, client_id: clientId(), ...patch } }), field);

  // officers: only accounts of that role, inside the official's area
  await ok(await srv.api('POST', `/api/v1/checkpoints/${cp.id}/officers`, { token: tok.district, body: { account_id: acc.officer.id } }), 200, 'officer');
  assertError(await srv.api('POST', `/api/v1/checkpoints/${cp.id}/officers`, { token: tok.official, body: { account_id: acc.sampler.id } }), 400, 'invalid_field', 'account_id');
  assertError(await srv.api('POST', `/api/v1/checkpoints/${cp.id}/officers`, { token: tok.hcm, body: { account_id: acc.other.id } }), 403, 'forbidden');
  assertError(await srv.api('POST', '/api/v1/checkpoints/999999/officers', { token: tok.official, body: { account_id: acc.other.id } }), 404, 'not_found');

  // each sees its own
  const mine = await ok(await srv.api('GET', '/api/v1/checkpoints', { token: tok.officer }), 200, 'officer list');
  assert.deepEqual(mine.checkpoints.map((c) => c.id), [cp.id]);
  const theirs = await ok(await srv.api('GET', '/api/v1/checkpoints', { token: tok.other }), 200, 'other list');
  assert.deepEqual(theirs.checkpoints, []);
  const district = await ok(await srv.api('GET', '/api/v1/checkpoints', { token: tok.district }), 200, 'district list');
  assert.ok(district.checkpoints.some((c) => c.id === cp.id));
  const hcm = await ok(await srv.api('GET', '/api/v1/checkpoints', { token: tok.hcm }), 200, 'hcm list');
  assert.deepEqual(hcm.checkpoints, []);
  const rules = await ok(await srv.api('GET', '/api/v1/checkpoints/rules', { token: tok.officer }), 200, 'rules');
  assert.deepEqual(rules.rules.map((x) => x.code),
    ['confirmed_case', 'f1', 'in_quarantine', 'no_declaration', 'no_negative_test', 'not_vaccinated']);
});

test('each checkpoint rule on hand-made people', async () => {
  // a confirmed case and an F1 of theirs
  const traced = await tracedCase(srv);
  let a = await answer({ cccd: traced.people.f0.cccd });
  assert.equal(a.verdict, 'back');
  assert.ok(a.reasons.includes('confirmed_case'), JSON.stringify(a));
  a = await answer({ cccd: traced.people.a.cccd });
  assert.equal(a.verdict, 'back');
  assert.ok(a.reasons.includes('f1') && !a.reasons.includes('confirmed_case'), JSON.stringify(a));

  // someone in home quarantine
  const q = await quarantinedCitizen(srv);
  const qr = await ok(await srv.api('GET', '/api/v1/me/qr', { token: q.citizen.token }), 200, 'my qr');
  a = await answer({ qr: qr.payload });
  assert.equal(a.person_id, q.citizen.person.id);
  assert.ok(a.reasons.includes('in_quarantine'), JSON.stringify(a));

  // nobody knows anything of this one: no declaration for the trip, no test
  people.stranger = await person('Vũ Văn Lạ');
  a = await answer({ cccd: people.stranger.cccd });
  assert.deepEqual([a.verdict, a.reasons], ['back', ['no_declaration', 'no_negative_test']]);
  assert.equal(a.vaccination, 'none');
  assert.equal(a.full_name, 'Vũ Văn Lạ');

  // declared the trip (scanned by the declaration's QR), but no test: send to testing
  people.declared = await person('Trịnh Thị Khai');
  people.declared.qr = await declareTrip(people.declared);
  a = await answer({ qr: people.declared.qr });
  assert.equal(a.person_id, people.declared.id);
  assert.deepEqual([a.verdict, a.reasons], ['test', ['no_negative_test']]);

  // declared and tested negative this morning: let through
  const t = await testingSession(srv, { suffix: '.chot' });
  people.tested = await person('Lý Văn Âm');
  await ok(await srv.api('POST', '/api/v1/testing/samples', {
    token: t.samplerToken, body: { client_id: clientId(), session_id: t.session.id, tube_id: t.tubes[0], cccd: people.tested.cccd },
  }), 201, 'sample');
  await ok(await srv.api('POST', `/api/v1/testing/sessions/${t.session.id}/receipt`, { token: t.labToken, body: { tubes: [t.tubes[0]] } }), 200, 'receipt');
  await ok(await srv.api('POST', '/api/v1/testing/results', { token: t.labToken, body: { tube_id: t.tubes[0], result: 'negative' } }), 200, 'result');
  await declareTrip(people.tested);
  a = await answer({ cccd: people.tested.cccd });
  assert.deepEqual([a.verdict, a.reasons], ['pass', []]);

  // one dose is not a complete series: the test is still asked for, and the status is shown
  const day = await siteDay(srv, tok.admin, { person: { cccd: uniqueCccd() } });
  await vaccinate(srv, day);
  await srv.api('POST', '/api/v1/declarations', {
    token: day.officialToken,
    body: { client_id: clientId(), person_id: day.person.id, kind: 'domestic_travel', origin_commune: UNITS.phucXa, destination_commune: UNITS.tanDinh, vehicle: 'car', travel_date: vnToday() },
  });
  a = await answer({ cccd: day.person.cccd });
  assert.equal(a.vaccination, 'partial');
  assert.deepEqual([a.verdict, a.reasons], ['test', ['no_negative_test']]);

  // the officer learns the answer, not the records: no case, order, result or declaration in it
  assert.deepEqual(Object.keys(a).sort(), ['by', 'code', 'full_name', 'person_id', 'photo', 'reasons', 'vaccination', 'verdict']);
});

test('a vehicle of four scanned offline is recorded once however often the queue sends it', async () => {
  // scanned two hours ago (or at 00:01 when today is younger), synced now
  const dayStart = Math.floor((now() + 7 * 3600) / 86400) * 86400 - 7 * 3600;
  const passedAt = Math.max(now() - 2 * 3600, dayStart + 60);
  const body = {
    client_id: clientId(), direction: 'in', passed_at: passedAt,
    vehicle: { plate: '47a 12345', type: 'car' }, origin_commune: UNITS.tanDinh, destination_commune: UNITS.phucXa,
    people: [
      { cccd: people.stranger.cccd, photo: `data:image/png;base64,${PNG.toString('base64')}` },
      { qr: people.declared.qr }, { cccd: people.tested.cccd }, { cmnd: '012345678' },
    ],
  };
  // the fourth is unknown: refused, naming them, and nothing is stored
  assertError(await pass(body), 404, 'not_found', 'people[3].cmnd');
  const fourth = await person('Hồ Thị Tư', { cccd: undefined, cmnd: '012345678' });
  assert.ok(fourth.id);
  const first = await ok(await pass(body), 201, 'first sync');
  assert.equal(first.plate, '47A-123.45');
  assert.equal(first.passed_at, passedAt);
  assert.deepEqual(first.people.map((p) => p.verdict), ['back', 'test', 'pass', 'back']);
  assert.deepEqual(first.people.map((p) => p.photo), [true, false, false, false]);
  const second = await ok(await pass(body), 200, 'repeat');
  assert.equal(second.id, first.id);
  assert.deepEqual(second.people, first.people);
  // the repeat does not depend on the people being found again, and a client_id is one checkpoint's
  const other = await ok(await srv.api('POST', '/api/v1/checkpoints', {
    token: tok.official, body: { client_id: clientId(), name: 'Chốt phụ', commune_code: UNITS.phucXa },
  }), 201, 'second checkpoint');
  assertError(await srv.api('POST', `/api/v1/checkpoints/${other.id}/passages`, { token: tok.official, body }), 409, 'conflict', 'client_id');

  const list = await ok(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages?date=${vnToday()}`, { token: tok.official }), 200, 'day');
  assert.equal(list.passages.filter((p) => p.client_id === body.client_id).length, 1);
  assert.equal(list.totals.vehicles, 1);
  assert.ok(list.totals.people >= 4 + 7);
  assert.equal(list.totals.pass + list.totals.test + list.totals.back, list.totals.people);
});

test('plates are checked and found however they were typed', async () => {
  const base = { direction: 'out', people: [{ cccd: people.tested.cccd }] };
  for (const plate of ['47I-123.45', 'ABC', '10A-123.45', '47A-123', '']) {
    bad(await pass({ ...base, client_id: clientId(), vehicle: { plate, type: 'car' } }), 'vehicle.plate');
  }
  assertError(await pass({ ...base, client_id: clientId(), vehicle: { plate: '29B1-456.78', type: 'spaceship' } }), 400, 'invalid_field', 'vehicle.type');
  assertError(await pass({ ...base, client_id: clientId(), vehicle: { type: 'car' } }), 400, 'missing_field', 'vehicle.plate');
  const moto = await ok(await pass({ ...base, client_id: clientId(), vehicle: { plate: '29-b1 456.78', type: 'motorbike' } }), 201, 'motorbike');
  assert.equal(moto.plate, '29B1-456.78');

  const found = await ok(await srv.api('GET', '/api/v1/checkpoint-passages?plate=47A12345', { token: tok.district }), 200, 'search');
  assert.equal(found.plate, '47A-123.45');
  assert.equal(found.passages.length, 1);
  assert.equal(found.passages[0].people.length, 4);
  const elsewhere = await ok(await srv.api('GET', `/api/v1/checkpoint-passages?plate=47A-123.45&unit=${UNITS.hcm}`, { token: tok.hcm }), 200, 'hcm search');
  assert.deepEqual(elsewhere.passages, []);
  assertError(await srv.api('GET', '/api/v1/checkpoint-passages?plate=47A-123.45&unit=01', { token: tok.hcm }), 403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/checkpoint-passages', { token: tok.district }), 400, 'missing_field', 'plate');
  assertError(await srv.api('GET', '/api/v1/checkpoint-passages?plate=hello', { token: tok.district }), 400, 'invalid_field', 'plate');
});

test('the day exports as CSV and XLSX, one row per person', async () => {
  let r = await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages/export?date=${vnToday()}&format=csv`, { token: tok.official });
  assert.equal(r.status, 200, r.text);
  const lines = r.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines[0], 'Thời gian,Chiều,Biển số,Loại xe,Nơi đi,Nơi đến,Mã người,Họ tên,Kết quả,Lý do,Tiêm chủng');
  const list = await ok(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages`, { token: tok.official }), 200, 'today');
  assert.equal(lines.length - 1, list.totals.people);
  assert.ok(lines.some((l) => l.includes('47A-123.45') && l.includes('Vũ Văn Lạ') && l.includes('Cho quay lại') && l.includes('Chưa khai báo y tế')), lines.join('\n'));
  r = await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages/export?format=xlsx`, { token: tok.official });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
  assertError(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages/export?format=pdf`, { token: tok.official }), 400, 'invalid_field', 'format');
  assertError(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages?date=2021-02-30`, { token: tok.official }), 400, 'invalid_field', 'date');
  const empty = await ok(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages?date=2021-08-01`, { token: tok.official }), 200, 'old day');
  assert.deepEqual([empty.passages, empty.totals.people], [[], 0]);
  // reading who passed is audited
  const audit = await ok(await srv.api('GET', `/api/v1/audit?unit=${UNITS.phucXa}`, { token: tok.admin }), 200, 'audit');
  const actions = JSON.stringify(audit);
  assert.ok(actions.includes('checkpoint.passages.read') && actions.includes('checkpoint.passages.export'));
});

test('people in one vehicle at one passage are contacts of each other, the plate as the reason', async () => {
  const tracer = await createAccount(srv, tok.admin, { username: 'chot.truyvet', role: 'tracer', unit_code: UNITS.phucXa });
  const tracerToken = await srv.login(tracer.username, PASSWORD);
  const driver = await person('Đặng Văn Lái');
  const rider = await person('Đặng Thị Ngồi');
  const walker = await person('Mai Văn Bộ'); // passed on foot at the same time: not in the vehicle
  await ok(await pass({ client_id: clientId(), direction: 'in', vehicle: { plate: '51LD 01234', type: 'car' }, people: [{ cccd: driver.cccd }, { cccd: rider.cccd }] }), 201, 'car');
  await ok(await pass({ client_id: clientId(), direction: 'in', people: [{ cccd: walker.cccd }] }), 201, 'on foot');
  const kase = await ok(await srv.api('POST', '/api/v1/tracing/cases', {
    token: tracerToken, body: { client_id: clientId(), person_id: driver.id, test_date: vnToday() },
  }), 201, 'case');
  await ok(await srv.api('POST', '/api/v1/tracing/runs', { token: tracerToken, body: { case_ids: [kase.id] } }), [200, 201], 'run');
  const list = await ok(await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&case_id=${kase.id}`, { token: tracerToken }), 200, 'contacts');
  assert.deepEqual(list.contacts.map((c) => c.person_id), [rider.id]);
  const [c] = list.contacts;
  assert.equal(c.degree, 1);
  const why = c.reasons.items[0];
  assert.equal(why.source, 'vehicle');
  assert.equal(why.plate, '51LD-012.34');
  const csv = await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&case_id=${kase.id}&format=csv`, { token: tracerToken });
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.text, /Cùng xe qua chốt 51LD-012\.34/);
  // the source can be left out of a run like the others
  const runs = await ok(await srv.api('POST', '/api/v1/tracing/runs', {
    token: tracerToken, body: { case_ids: [kase.id], params: { sources: ['venue', 'household', 'interview'] } },
  }), [200, 201], 'run without vehicles');
  assert.equal(runs.runs[0].f1, 0);
});

test('officers act only at checkpoints they serve, officials only in their area', async () => {
  const body = { client_id: clientId(), direction: 'in', people: [{ cccd: people.tested.cccd }] };
  assertError(await pass(body, tok.other), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages`, { token: tok.other }), 403, 'forbidden');
  assertError(await pass(body, tok.hcm), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages`, { token: tok.hcm }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages/export`, { token: tok.officer }), 403, 'forbidden');
  assertError(await srv.api('POST', '/api/v1/checkpoints/999999/passages', { token: tok.official, body }), 404, 'not_found');
  // the officer reads their checkpoint's day
  await ok(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages`, { token: tok.officer }), 200, 'officer day');
});

test('bad passages name their field and store nothing', async () => {
  const good = { direction: 'in', people: [{ cccd: people.tested.cccd }] };
  const before = await ok(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages`, { token: tok.official }), 200, 'before');
  for (const [patch, status, field] of [
    [{ direction: 'sideways' }, 400, 'direction'],
    [{ direction: undefined }, 400, 'direction'],
    [{ people: [] }, 400, 'people'],
    [{ people: 'all' }, 400, 'people'],
    [{ people: [{}] }, 400, 'people[0].qr'],
    [{ people: [{ cccd: '123' }] }, 400, 'people[0].cccd'],
    [{ people: [{ cccd: people.tested.cccd, cmnd: '012345678' }] }, 400, 'people[0].cmnd'],
    [{ people: [{ cccd: people.tested.cccd }, { cccd: people.tested.cccd }] }, 400, 'people[1].cccd'],
    [{ people: [{ qr: 'CDN1.P.AAAA.1.kid.sig' }] }, 400, 'people[0].qr'],
    [{ people: [{ cccd: people.tested.cccd, photo: 'not base64!' }] }, 400, 'people[0].photo'],
    [{ people: [{ cccd: people.tested.cccd, photo: Buffer.from('GIF89a').toString('base64') }] }, 400, 'people[0].photo'],
    [{ people: [{ cccd: people.tested.cccd, age: 3 }] }, 400, undefined],
    [{ passed_at: now() - 30 * 86400 }, 400, 'passed_at'],
    [{ passed_at: now() + 3600 }, 400, 'passed_at'],
    [{ origin_commune: UNITS.baDinh }, 400, 'origin_commune'],
    [{ vehicle: 'car' }, 400, 'vehicle'],
    [{ vehicle: { plate: '47A-123.45', type: 'car', colour: 'red' } }, 400, 'vehicle'],
  ]) {
    const r = await pass({ ...good, client_id: clientId(), ...patch });
    assert.equal(r.status, status, `${JSON.stringify(patch)}: ${r.status} ${r.text}`);
    if (field) assert.equal(r.json.error.field, field, `${JSON.stringify(patch)}: ${r.text}`);
  }
  const afterList = await ok(await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages`, { token: tok.official }), 200, 'after');
  assert.equal(afterList.passages.length, before.passages.length);
});

test('photos are deleted after the tracing retention (60 days by default); the passages stay', async () => {
  const photos = async () => {
    const found = await ok(await srv.api('GET', '/api/v1/checkpoint-passages?plate=47A-123.45', { token: tok.official }), 200, 'search');
    assert.equal(found.passages.length, 1);
    return found.passages[0].people.map((p) => p.photo);
  };
  const jobAt = (t) => {
    const j = srv.cli(['jobs', 'run', '--force', '--job', 'checkpoint_retention', '--now', String(t)]);
    assert.equal(j.status, 0, j.stderr);
  };
  jobAt(now() + 59 * 86400);
  assert.deepEqual(await photos(), [true, false, false, false]);
  // health staff of the area see the photo; each view is audited
  const found = await ok(await srv.api('GET', '/api/v1/checkpoint-passages?plate=47A-123.45', { token: tok.official }), 200, 'search');
  const [passage] = found.passages;
  const url = `/api/v1/checkpoint-passages/${passage.id}/photos/${passage.people[0].person_id}`;
  const img = await fetch(srv.url + url, { headers: { authorization: `Bearer ${tok.official}` } });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);
  assertError(await srv.api('GET', url, { token: tok.hcm }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/checkpoint-passages/${passage.id}/photos/${passage.people[1].person_id}`, { token: tok.official }), 404, 'not_found');
  jobAt(now() + 61 * 86400);
  assert.deepEqual(await photos(), [false, false, false, false]);
  assertError(await srv.api('GET', url, { token: tok.official }), 404, 'not_found');
});
