'use strict';
// Situation: GET /api/v1/situation counts, for a unit and each unit below it, the day and the
// 7 and 14 days up to it. Records written through the API (a case found in quarantine, one found
// in the community, a quarantine order, declarations) show in the right commune row; the total is
// the rows plus the "unknown place" row; a person without a commune is counted there, never
// dropped; the caller's area bounds the unit; bad input is a 400 naming the field.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { vnToday } = require('../lib/vn-time');
const { uniquePhone, citizenLogin, citizenWithProfile, createPerson } = require('../lib/people');

let srv;
const tok = {};

const WINDOWED = ['new_f0', 'new_f0_in_quarantine', 'new_f0_community', 'f1_found', 'f1_reached', 'f2_found',
  'f2_reached', 'samples_taken', 'tests_resulted', 'tests_positive', 'doses_given', 'declarations_flagged',
  'declarations_entry', 'declarations_travel', 'checkins', 'first_doses_given'];
const SNAPSHOT = ['f1_to_reach', 'f2_to_reach', 'in_quarantine', 'open_alerts', 'results_pending',
  'vaccinated_dose1', 'vaccinated_full', 'vaccinated_booster', 'vaccinated_dose1_18', 'vaccinated_dose1_50',
  'vaccinated_dose1_65', 'vaccinated_full_18', 'vaccinated_full_50', 'vaccinated_full_65'];

async function situation(token, query = '') {
  const r = await srv.api('GET', `/api/v1/situation${query}`, { token });
  assertStatus(r, 200, `situation${query}`);
  return r.json;
}

const row = (s, code) => s.rows.find((x) => x.code === code);

/** Every count of the total is the sum of the rows and the unknown place. */
function assertAddsUp(s) {
  for (const k of WINDOWED) {
    for (const w of ['today', '7d', '14d']) {
      const sum = s.rows.reduce((a, x) => a + x.figures[k][w], 0) + s.unknown_place[k][w];
      assert.equal(s.total[k][w], sum, `${k} ${w}`);
    }
    assert.ok(s.total[k].today <= s.total[k]['7d'] && s.total[k]['7d'] <= s.total[k]['14d'], k);
  }
  for (const k of SNAPSHOT) {
    const sum = s.rows.reduce((a, x) => a + x.figures[k], 0) + s.unknown_place[k];
    assert.equal(s.total[k], sum, k);
  }
}

before(async () => {
  srv = await startServer();
  tok.natl = await srv.login(srv.adminUsername, srv.adminPassword);
  const accounts = [['st.prov', 'province_admin', UNITS.hanoi], ['st.dist', 'district_admin', UNITS.baDinh],
    ['st.comm', 'commune_admin', UNITS.phucXa], ['st.tracer', 'tracer', UNITS.baDinh],
    ['st.prov.hcm', 'province_admin', UNITS.hcm]];
  for (const [username, role, unit_code] of accounts) {
    await createAccount(srv, tok.natl, { username, role, unit_code });
    tok[username] = await srv.login(username, PASSWORD);
  }
});
after(async () => { if (srv) await srv.stop(); });

test('an empty area: every figure of every row is zero, rates have nothing to divide', async () => {
  const s = await situation(tok['st.dist']);
  assert.equal(s.unit.code, UNITS.baDinh);
  assert.equal(s.date, vnToday());
  assert.deepEqual(s.windows, ['today', '7d', '14d']);
  assert.ok(row(s, UNITS.phucXa) && row(s, UNITS.trucBach), 'a row per commune of the district');
  for (const k of WINDOWED) assert.deepEqual(s.total[k], { today: 0, '7d': 0, '14d': 0 }, k);
  for (const k of SNAPSHOT) assert.equal(s.total[k], 0, k);
  assert.deepEqual(s.total.positivity, { today: null, '7d': null, '14d': null });
  assert.deepEqual(s.total.turnaround_median_hours, { today: null, '7d': null, '14d': null });
  assertAddsUp(s);
});

test('cases, quarantine and declarations written through the API show in their commune', async () => {
  const tracer = tok['st.tracer'];
  // A person in quarantine who then tests positive: found in quarantine.
  const a = (await createPerson(srv, tracer, { full_name: 'Ngô Văn Cách', commune_code: UNITS.phucXa })).person;
  let r = await srv.api('POST', '/api/v1/quarantine/orders', { token: tracer, body: { client_id: clientId(),
    person_id: a.id, kind: 'home', address: '3 Phúc Xá', days: 14, checkins_per_day: 2, radius_m: 100,
    grace_minutes: 30 } });
  assertStatus(r, 201, 'order');
  r = await srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: clientId(),
    person_id: a.id, test_date: vnToday() } });
  assertStatus(r, 201, 'case in quarantine');
  // A person found in the community.
  const b = (await createPerson(srv, tracer, { full_name: 'Lý Thị Cộng', commune_code: UNITS.trucBach })).person;
  r = await srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: clientId(),
    person_id: b.id, test_date: vnToday() } });
  assertStatus(r, 201, 'case in the community');
  // A flagged health declaration and an entry declaration in Phúc Xá.
  const c = await citizenWithProfile(srv, tok.natl, uniquePhone(), { full_name: 'Trần Khai Báo' });
  r = await srv.api('POST', '/api/v1/declarations', { token: c.token, body: { client_id: clientId(),
    person_id: c.person.id, kind: 'health', health_status: 'unwell', symptoms: ['fever'], exposure: [] } });
  assertStatus(r, 201, 'flagged declaration');
  r = await srv.api('POST', '/api/v1/declarations', { token: c.token, body: { client_id: clientId(),
    person_id: c.person.id, kind: 'entry', from_country: 'KR', entry_point: 'Sân bay quốc tế Nội Bài',
    flight_number: 'VN417', arrival_date: vnToday() } });
  assertStatus(r, 201, 'entry declaration');

  const s = await situation(tok['st.dist'], `?unit=${UNITS.baDinh}`);
  assertAddsUp(s);
  const px = row(s, UNITS.phucXa).figures;
  const tb = row(s, UNITS.trucBach).figures;
  assert.deepEqual(px.new_f0, { today: 1, '7d': 1, '14d': 1 });
  assert.equal(px.new_f0_in_quarantine.today, 1);
  assert.equal(px.new_f0_community.today, 0);
  assert.equal(px.in_quarantine, 1);
  assert.equal(px.declarations_flagged.today, 1);
  assert.equal(px.declarations_entry['7d'], 1);
  assert.equal(tb.new_f0_community.today, 1);
  assert.equal(tb.new_f0_in_quarantine.today, 0);
  assert.equal(s.total.new_f0['14d'], 2);
  // The charts' series: one count per day of the 14, adding up to the 14-day figures.
  assert.equal(s.daily.days.length, 14);
  assert.equal(s.daily.days[13], vnToday());
  for (const k of ['new_f0', 'new_f0_in_quarantine', 'new_f0_community', 'tests_resulted', 'tests_positive', 'doses_given', 'first_doses_given']) {
    assert.equal(s.daily[k].reduce((a, b) => a + b, 0), s.total[k]['14d'], k);
  }
  assert.equal(s.daily.new_f0[13], 2);

  // One level up: the district's row carries the same figures.
  const p = await situation(tok['st.prov']);
  assert.equal(p.unit.code, UNITS.hanoi);
  assertAddsUp(p);
  assert.equal(row(p, UNITS.baDinh).figures.new_f0.today, 2);
  assert.equal(row(p, UNITS.hoanKiem).figures.new_f0.today, 0);
  // A commune sees itself only.
  const cm = await situation(tok['st.comm']);
  assert.deepEqual(cm.rows.map((x) => x.code), [UNITS.phucXa]);
  assert.equal(cm.total.new_f0.today, 1);
  assertAddsUp(cm);
});

test('a person without a known commune is counted in the unknown place row, never dropped', async () => {
  const before = await situation(tok.natl, '?unit=VN');
  const c = await citizenLogin(srv, tok.natl, uniquePhone());
  const r = await srv.api('POST', '/api/v1/declarations', { token: c.token, body: { client_id: clientId(),
    person_id: c.person.id, kind: 'health', health_status: 'unwell', symptoms: ['cough'], exposure: [] } });
  assertStatus(r, 201, 'declaration without a commune');
  const s = await situation(tok.natl, '?unit=VN');
  assert.equal(s.rows.length, 63, 'a row per province');
  assertAddsUp(s);
  assert.equal(s.unknown_place.declarations_flagged.today, before.unknown_place.declarations_flagged.today + 1);
  assert.equal(s.total.declarations_flagged.today, before.total.declarations_flagged.today + 1);
  assert.equal(row(s, UNITS.hanoi).figures.declarations_flagged.today, 1);
});

test('another day: the windows move with the date', async () => {
  const y = await situation(tok['st.dist'], `?date=${vnToday(-1)}`);
  assert.equal(y.date, vnToday(-1));
  assert.equal(y.total.new_f0['14d'], 0, 'the cases of today are after yesterday');
  assert.equal(y.total.in_quarantine, 0, 'the order starts today');
  const later = await situation(tok['st.dist'], `?date=${vnToday()}`);
  assert.equal(later.total.new_f0['7d'], 2);
});

test('the caller\'s area bounds the unit; bad input names the field', async () => {
  assertError(await srv.api('GET', `/api/v1/situation?unit=${UNITS.hanoi}`, { token: tok['st.prov.hcm'] }),
    403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/situation?unit=${UNITS.baDinh}`, { token: tok['st.comm'] }),
    403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/situation?unit=9x9', { token: tok.natl }), 400, 'invalid_field', 'unit');
  assertError(await srv.api('GET', '/api/v1/situation?date=2021-02-30', { token: tok.natl }), 400, 'invalid_field',
    'date');
  assertError(await srv.api('GET', `/api/v1/situation?date=${vnToday(2)}`, { token: tok.natl }), 400,
    'invalid_field', 'date');
  assertError(await srv.api('GET', '/api/v1/situation', { token: tok['st.tracer'] }), 403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/situation'), 401, 'unauthenticated');
});

test('the daily report: a PDF with a page per unit and the new F0 with their source, and an XLSX', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { spawnSync } = require('node:child_process');
  const get = async (q) => {
    const r = await fetch(`${srv.url}/api/v1/reports/daily?${q}`, { headers: { authorization: `Bearer ${tok['st.dist']}` } });
    assert.equal(r.status, 200, await r.clone().text());
    return { type: r.headers.get('content-type'), buf: Buffer.from(await r.arrayBuffer()) };
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sit-'));
  try {
    const pdf = await get(`unit=${UNITS.baDinh}&format=pdf`);
    assert.equal(pdf.type, 'application/pdf');
    fs.writeFileSync(path.join(dir, 'r.pdf'), pdf.buf);
    const t = spawnSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    const text = t.stdout.replace(/\s+/g, ' ');
    for (const s of ['Quận Ba Đình', `Báo cáo ngày ${vnToday().split('-').reverse().join('/')}`, 'F0 mới',
      'Ngô Văn Cách', 'phát hiện trong khu cách ly', 'Lý Thị Cộng', 'phát hiện ngoài cộng đồng', 'Phường Trúc Bạch',
      'Ca mắc mới mỗi ngày']) {
      assert.ok(text.includes(s), `${s} in the PDF: ${text.slice(0, 400)}`);
    }
    const pages = spawnSync('pdfinfo', [path.join(dir, 'r.pdf')], { encoding: 'utf8' });
    const n = Number((/Pages:\s+(\d+)/.exec(pages.stdout) || [])[1]);
    const s = await situation(tok['st.dist']);
    if (pages.status === 0) assert.equal(n, 2 + s.rows.length, 'the district, its new F0, a page per ward');
    const x = await get(`unit=${UNITS.baDinh}&format=xlsx`);
    assert.deepEqual([...x.buf.subarray(0, 2)], [0x50, 0x4b], 'a zip');
    fs.writeFileSync(path.join(dir, 'r.xlsx'), x.buf);
    const u = spawnSync('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print(z.read("xl/worksheets/sheet1.xml").decode())', path.join(dir, 'r.xlsx')], { encoding: 'utf8' });
    assert.equal(u.status, 0, u.stderr);
    for (const v of ['Quận Ba Đình', 'Phường Phúc Xá', 'F0 mới', 'Cấp độ dịch', 'Đang cách ly']) assert.ok(u.stdout.includes(v), v);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assertError(await srv.api('GET', '/api/v1/reports/daily?format=doc', { token: tok['st.dist'] }), 400, 'invalid_field', 'format');
  assertError(await srv.api('GET', `/api/v1/reports/daily?unit=${UNITS.hcm}`, { token: tok['st.dist'] }), 403, 'forbidden');
});

test('the morning job queues the day before\'s report to each unit\'s officials once, not before 07:00', async () => {
  const phone = '0987654321';
  const acc = await createAccount(srv, tok.natl, { username: 'st.dist.phone', role: 'district_admin', unit_code: UNITS.baDinh, phone });
  assert.equal(acc.phone, phone);
  const outbox = async () => (await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=daily_report`, { token: tok.natl })).json.messages;
  // Tomorrow morning (jobs run --now must be later than the server's own last run): the report
  // covers today, with its two cases.
  const vnMidnight = Math.floor((Date.now() / 1000 + 7 * 3600) / 86400) * 86400 - 7 * 3600 + 86400;
  let j = srv.cli(['jobs', 'run', '--force', '--job', 'situation_daily_report', '--now', String(vnMidnight + 6 * 3600)]);
  assert.equal(j.status, 0, j.stderr);
  assert.equal((await outbox()).length, 0, 'before the report hour');
  j = srv.cli(['jobs', 'run', '--force', '--job', 'situation_daily_report', '--now', String(vnMidnight + 7 * 3600 + 60)]);
  assert.equal(j.status, 0, j.stderr);
  const msgs = await outbox();
  assert.equal(msgs.length, 1, `${JSON.stringify(msgs)} ${j.stderr}`);
  const day = vnToday().split('-').reverse().join('/');
  assert.match(msgs[0].text, new RegExp(`báo cáo ngày ${day} của Quận Ba Đình: 2 ca F0 mới \\(7 ngày: 2\\)`));
  assert.match(msgs[0].text, new RegExp(`/api/v1/reports/daily\\?unit=${UNITS.baDinh}&date=${vnToday()}`));
  j = srv.cli(['jobs', 'run', '--force', '--job', 'situation_daily_report', '--now', String(vnMidnight + 9 * 3600)]);
  assert.equal(j.status, 0, j.stderr);
  assert.equal((await outbox()).length, 1, 'once a day');
});

test('a correction shows at once: an order released early leaves the people in quarantine, not the case\'s source', async () => {
  const before = row(await situation(tok['st.dist']), UNITS.phucXa).figures;
  assert.equal(before.in_quarantine, 1);
  const list = await srv.api('GET', `/api/v1/quarantine/orders?unit=${UNITS.phucXa}`, { token: tok['st.tracer'] });
  assertStatus(list, 200);
  const order = list.json.orders.find((o) => o.status === 'active');
  const r = await srv.api('POST', `/api/v1/quarantine/orders/${order.id}/end`, { token: tok['st.tracer'],
    body: { outcome: 'released', reason: 'Đã chuyển điều trị' } });
  assertStatus(r, 200, 'end');
  const after = row(await situation(tok['st.dist']), UNITS.phucXa).figures;
  assert.equal(after.in_quarantine, 0);
  assert.equal(after.new_f0_in_quarantine.today, 1, 'the case was found while in quarantine');
  assert.equal(after.new_f0.today, before.new_f0.today);
});
