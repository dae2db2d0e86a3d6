'use strict';
// `cordon demo` loads data a newcomer can use at once, and can run again.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { citizenLogin } = require('../lib/people');

let srv;
let adminToken;
let demoPassword;

/** Runs `cordon demo`; a run gives every demo account a fresh password (and ends their sessions). */
async function runDemo() {
  const r = srv.cli(['demo']);
  assert.equal(r.status, 0, r.stderr);
  const m = /Admin login: admin \/ (\S+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  demoPassword = m[1];
  adminToken = await srv.login('admin', demoPassword);
}

test.before(async () => {
  srv = await startServer();
  await runDemo();
  await runDemo();
});

test.after(async () => { if (srv) await srv.stop(); });

test('the passwords printed by the last run work for every demo account', async () => {
  for (const u of ['hanoi.admin', 'phucxa.admin', 'phucxa.shop']) {
    assert.ok(await srv.login(u, demoPassword), u);
  }
});

test('a second run does not duplicate the demo data', async () => {
  const before = srv.dbStats().tables;
  await runDemo();
  const after = srv.dbStats().tables;
  for (const t of ['persons', 'person_managers', 'venues', 'checkins', 'declarations', 'checkpoints', 'checkpoint_passages', 'checkpoint_passage_people', 'feedback']) {
    assert.equal(after[t].rows, before[t].rows, t);
  }
  assert.ok(before.checkins.rows >= 5);
});

test('the demo citizen signs in with his phone and sees his family and their check-ins', async () => {
  const login = await citizenLogin(srv, adminToken, '0912000001');
  const me = await srv.api('GET', '/api/v1/me', { token: login.token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.person.full_name, 'Nguyễn Văn An');
  assert.equal(me.json.managed.length, 2);
  const ck = await srv.api('GET', '/api/v1/me/checkins', { token: login.token });
  assert.equal(ck.status, 200, ck.text);
  const people = new Set(ck.json.checkins.map((c) => c.person_id));
  assert.equal(people.size, 3, 'the family checked in together at the market');
});

test('the demo sampler is assigned to today\'s session, which has tubes and a pool to retest', async () => {
  const { vnToday } = require('../lib/vn-time');
  const token = await srv.login('phucxa.sampler', demoPassword);
  const r = await srv.api('GET', '/api/v1/testing/sessions', { token });
  assert.equal(r.status, 200, r.text);
  const today = r.json.sessions.filter((x) => x.date === vnToday());
  assert.equal(today.length, 1, 'one session today, the sampler\'s');
  const s = await srv.api('GET', `/api/v1/testing/sessions/${today[0].id}`, { token });
  assert.equal(s.status, 200, s.text);
  assert.ok(s.json.tubes.length >= 6);
});

test('the demo commune has a positive pool to retest on its call list', async () => {
  const { vnToday } = require('../lib/vn-time');
  const token = await srv.login('phucxa.admin', demoPassword);
  const r = await srv.api('GET', `/api/v1/test-orders?unit=00001&from=${vnToday()}&to=${vnToday()}`, { token });
  assert.equal(r.status, 200, r.text);
  const retests = r.json.orders.filter((o) => o.kind === 'retest' && o.status === 'pending');
  assert.equal(retests.length, 10, 'the ten people of the positive pool');
  assert.ok(retests.every((o) => o.phone && o.full_name && o.reason === 'pool_positive'));
});

test('the commune admin sees the approved venues and the flagged declaration', async () => {
  const token = await srv.login('phucxa.admin', demoPassword);
  const v = await srv.api('GET', '/api/v1/venues?unit=00001', { token });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.venues.filter((x) => x.status === 'approved').length, 2);
  const f = await srv.api('GET', '/api/v1/declarations/flagged?unit=00001', { token });
  assert.equal(f.status, 200, f.text);
  assert.ok(f.json.people ? f.json.people.length >= 1 : JSON.stringify(f.json).includes('Trần Thị Hoa'), f.text);
  assert.ok(f.json.pending >= 1, `a flagged person not yet called on the default list: ${f.text}`);
  const district = await srv.login('badinh.admin', demoPassword);
  const d = await srv.api('GET', '/api/v1/declarations/flagged?unit=001', { token: district });
  assert.equal(d.json.pending, 2, `Phúc Xá and Trúc Bạch each have one to call: ${d.text}`);
});

test('three demo cases in two wards of Ba Đình are traced: F1 and F2 on each ward\'s work list', async () => {
  const district = await srv.login('badinh.admin', demoPassword);
  const cases = await srv.api('GET', '/api/v1/tracing/cases?unit=001', { token: district });
  assert.equal(cases.status, 200, cases.text);
  assert.equal(cases.json.cases.length, 3, cases.text);
  assert.deepEqual([...new Set(cases.json.cases.map((c) => c.commune_code))].sort(), ['00001', '00004']);
  const token = await srv.login('phucxa.admin', demoPassword);
  const r = await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token });
  assert.equal(r.status, 200, r.text);
  const names = (list, d) => [...new Set(list.filter((c) => c.degree === d).map((c) => c.full_name))].sort();
  // The neighbour's case: An met her at the noodle shop; his daughter and mother are his household.
  const first = r.json.contacts.filter((c) => c.case_id === cases.json.cases.find((k) => k.full_name === 'Trần Thị Hoa').id);
  assert.deepEqual(names(first, 1), ['Nguyễn Văn An'], r.text);
  assert.deepEqual(names(first, 2), ['Lê Thị Thu', 'Nguyễn Thị Mai'], r.text);
  const tb = await srv.api('GET', '/api/v1/tracing/contacts?unit=00004', { token: district });
  assert.equal(tb.status, 200, tb.text);
  assert.deepEqual(names(tb.json.contacts, 1).filter((n) => n !== 'Phạm Văn Bình'), ['Phạm Minh Cường', 'Đỗ Văn Dũng'], tb.text);
  // the district's list is its communes' lists together (read through their communes: 036)
  const whole = await srv.api('GET', '/api/v1/tracing/contacts?unit=001&limit=500', { token: district });
  assert.equal(whole.status, 200, whole.text);
  const communes = [...new Set(whole.json.contacts.map((c) => c.commune_code))].sort();
  assert.ok(communes.includes('00001') && communes.includes('00004'), whole.text);
  const parts = [];
  for (const code of communes) {
    const one = await srv.api('GET', `/api/v1/tracing/contacts?unit=${code}&limit=500`, { token: district });
    assert.equal(one.status, 200, one.text);
    parts.push(...one.json.contacts.map((c) => c.id));
  }
  assert.deepEqual(whole.json.contacts.map((c) => c.id).sort((a, b) => a - b), parts.sort((a, b) => a - b));
});

test('one demo order has a place confirmed from a check-in with its photo, and an alert to resolve', async () => {
  const token = await srv.login('phucxa.admin', demoPassword);
  const q = await srv.api('GET', '/api/v1/quarantine/orders?unit=00001', { token });
  assert.equal(q.status, 200, q.text);
  const placed = q.json.orders.filter((o) => o.place_confirmed);
  assert.equal(placed.length, 1, q.text);
  const o = await srv.api('GET', `/api/v1/quarantine/orders/${placed[0].id}`, { token });
  assert.equal(o.json.place_checkin_id, o.json.checkins[0].id, 'the place is the first check-in\'s');
  assert.ok(o.json.checkins.every((c) => c.photo), o.text);
  const photo = await srv.api('GET', `/api/v1/quarantine/checkins/${o.json.checkins[0].id}/photo`, { token });
  assert.equal(photo.status, 200);
  const alerts = await srv.api('GET', `/api/v1/quarantine/alerts?unit=00001&state=open&order_id=${placed[0].id}`, { token });
  assert.deepEqual(alerts.json.alerts.map((a) => a.kind), ['outside'], alerts.text);
});

test('district and province officials see the demo wards\' contacts, orders, alerts and compliance', async () => {
  const district = await srv.login('badinh.admin', demoPassword);
  const ids = async (path, key) => {
    const all = [];
    for (const unit of ['00001', '00004']) {
      const r = await srv.api('GET', `${path}?unit=${unit}`, { token: district });
      assert.equal(r.status, 200, r.text);
      all.push(...r.json[key].map((x) => x.id));
    }
    return all.sort();
  };
  const contacts = await ids('/api/v1/tracing/contacts', 'contacts');
  const orders = await ids('/api/v1/quarantine/orders', 'orders');
  assert.ok(contacts.length >= 5 && orders.length >= 2, `${contacts} ${orders}`);
  for (const [user, unit] of [['badinh.admin', '001'], ['hanoi.admin', '01']]) {
    const token = await srv.login(user, demoPassword);
    for (const q of [`?unit=${unit}`, '']) { // their own unit, asked for or by default
      const c = await srv.api('GET', `/api/v1/tracing/contacts${q}`, { token });
      assert.equal(c.status, 200, c.text);
      assert.deepEqual(c.json.contacts.map((x) => x.id).sort(), contacts, `${user}${q}`);
      const o = await srv.api('GET', `/api/v1/quarantine/orders${q}`, { token });
      assert.deepEqual(o.json.orders.map((x) => x.id).sort(), orders, `${user}${q}`);
      const comp = await srv.api('GET', `/api/v1/quarantine/compliance${q}`, { token });
      assert.equal(comp.status, 200, comp.text);
      assert.ok(JSON.stringify(comp.json).includes('00001'), `${user}${q}: ${comp.text}`);
    }
  }
  // and another province sees none of it
  const hcm = await srv.login('hcm.admin', demoPassword);
  assert.equal((await srv.api('GET', '/api/v1/tracing/contacts?unit=01', { token: hcm })).status, 403);
  assert.deepEqual((await srv.api('GET', '/api/v1/tracing/contacts', { token: hcm })).json.contacts, []);
});

test('the checkpoint officer badinh.checkpoint finds the Long Biên checkpoint with a day of passages', async () => {
  const token = await srv.login('badinh.checkpoint', demoPassword);
  const list = await srv.api('GET', '/api/v1/checkpoints', { token });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.checkpoints.length, 1);
  const cp = list.json.checkpoints[0];
  assert.match(cp.name, /Long Biên/);
  const day = await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages`, { token });
  assert.equal(day.status, 200, day.text);
  assert.equal(day.json.passages.length, 5);
  assert.equal(day.json.totals.vehicles, 4);
  // the demo's confirmed case and F1 are sent back; every answer comes from the rules
  assert.ok(day.json.totals.back >= 2, JSON.stringify(day.json.totals));
  const reasons = day.json.passages.flatMap((p) => p.people.flatMap((x) => x.reasons));
  assert.ok(reasons.includes('confirmed_case') && reasons.includes('f1'), reasons.join(' '));
  // the district official sees it and can search a plate
  const district = await srv.login('badinh.admin', demoPassword);
  const found = await srv.api('GET', '/api/v1/checkpoint-passages?plate=29A12345', { token: district });
  assert.equal(found.status, 200, found.text);
  assert.equal(found.json.passages.length, 1);
});

test('feedback at each status: the commune\'s queue, one overdue at the district, the citizen\'s answer', async () => {
  const token = await srv.login('phucxa.admin', demoPassword);
  const r = await srv.api('GET', '/api/v1/feedback?unit=001', { token: await srv.login('badinh.admin', demoPassword) });
  assert.equal(r.status, 200, r.text);
  const byStatus = new Set(r.json.feedback.map((f) => f.status));
  for (const s of ['new', 'answered', 'forwarded', 'closed']) assert.ok(byStatus.has(s), s);
  assert.ok(r.json.feedback.some((f) => f.level === 'district' && f.escalated_at), 'one went up to the district');
  const mine = await srv.api('GET', '/api/v1/feedback', { token });
  assert.ok(mine.json.feedback.some((f) => f.status === 'new'));
  const login = await citizenLogin(srv, adminToken, '0912000001');
  const own = await srv.api('GET', '/api/v1/feedback', { token: login.token });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.feedback.length, 1);
  assert.equal(own.json.feedback[0].status, 'answered');
  assert.match(own.json.feedback[0].answer, /thuốc/);
});

test('the safety map has facilities of each colour in Ba Đình, and one not assessed', async () => {
  const r = await srv.api('GET', '/api/v1/public/safety?unit=001');
  assert.equal(r.status, 200, r.text);
  const statuses = r.json.features.map((f) => f.properties.status).sort();
  assert.deepEqual(statuses, ['at_risk', 'not_assessed', 'safe', 'safe', 'unsafe']);
  const token = await srv.login('phucxa.admin', demoPassword);
  const missing = await srv.api('GET', '/api/v1/safety/missing?unit=00004', { token: await srv.login('badinh.admin', demoPassword) });
  assert.deepEqual(missing.json.venues.map((v) => v.name).sort(), ['Văn phòng tổ dân phố số 3', 'Xưởng may Trúc Bạch']);
  assert.equal((await srv.api('GET', '/api/v1/safety/missing', { token })).json.venues.length, 0);
});

test('tracing data is deleted once its case is older than the retention period', async () => {
  const token = await srv.login('phucxa.admin', demoPassword);
  const before = await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token });
  assert.ok(before.json.contacts.length >= 3, before.text);
  const soon = Math.floor(Date.now() / 1000) + 30 * 86400; // inside the default 60 days: kept
  let r = srv.cli(['jobs', 'run', '--force', '--job', 'tracing_retention', '--now', String(soon)]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token })).json.contacts.length,
    before.json.contacts.length);
  const later = Math.floor(Date.now() / 1000) + 61 * 86400;
  r = srv.cli(['jobs', 'run', '--force', '--job', 'tracing_retention', '--now', String(later)]);
  assert.equal(r.status, 0, r.stderr);
  const after = await srv.api('GET', '/api/v1/tracing/contacts?unit=00001', { token });
  assert.equal(after.status, 200, after.text);
  assert.equal(after.json.contacts.length, 0, after.text);
});

test('demo --people/--checkins bulk-loads a synthetic population on top', async () => {
  const before = srv.dbStats().tables;
  const r = srv.cli(['demo', '--people', '300', '--checkins', '3000', '--days', '7']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Admin login: admin \/ \S+/);
  const after = srv.dbStats().tables;
  assert.equal(after.persons.rows - before.persons.rows, 300);
  assert.equal(after.checkins.rows - before.checkins.rows, 3000);
  const bad = srv.cli(['demo', '--people', '10']);
  assert.equal(bad.status, 2, 'people without check-ins is refused');
  const nowhere = srv.cli(['demo', '--people', '10', '--checkins', '10', '--place', '0x1']);
  assert.equal(nowhere.status, 2);
  assert.match(nowhere.stderr, /--place/);
  // --place spreads the population over the communes below a unit: Hà Nội's districts here
  const districts = async (token) => (await srv.api('GET', '/api/v1/situation?unit=01', { token })).json.rows
    .filter((x) => x.figures.checkins['14d'] > 0).map((x) => x.code);
  const had = await districts(await srv.login('admin', /Admin login: admin \/ (\S+)/.exec(r.stdout)[1]));
  demoPassword = srv.demo(['--people', '2000', '--checkins', '4000', '--days', '7', '--place', '01']);
  const now = await districts(await srv.login('admin', demoPassword));
  assert.ok(now.length >= had.length + 5, `check-ins in ${had.length} districts, then ${now.length}`);
});

test('the province admin lands on a week of cases in two districts', async () => {
  const token = await srv.login('hanoi.admin', demoPassword);
  const r = await srv.api('GET', '/api/v1/situation', { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.unit.code, '01');
  const row = (code) => r.json.rows.find((x) => x.code === code).figures;
  for (const district of ['002', '006']) {
    assert.ok(row(district).new_f0['7d'] >= 8, `${district}: ${JSON.stringify(row(district).new_f0)}`);
  }
  assert.equal(row('003').new_f0['14d'], 0, 'Tây Hồ has none');
});

test('the demo has populations, so coverage is a rate where a figure exists and unknown elsewhere', async () => {
  const token = await srv.login('badinh.admin', demoPassword);
  const r = await srv.api('GET', '/api/v1/situation', { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total.population.all, 221900);
  assert.equal(typeof r.json.total.coverage_dose1, 'number');
  const row = (code) => r.json.rows.find((x) => x.code === code).figures;
  assert.equal(typeof row('00001').coverage_full, 'number');
  assert.equal(row('00004').coverage_full, null, 'Trúc Bạch has no population');
});
