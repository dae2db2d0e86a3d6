'use strict';
// The health staff's vaccination workspace (docs/api-vaccine.md "Planning" and "Reschedule
// requests"): the waiting list for invitations (registrations without a seat or a dose, with names),
// the reason codes of an uploaded list's bad rows, and the queue of citizens who asked for another
// slot: listed for the officials of the site's area only, moved to a session of the staff's choice
// with an SMS, idempotent on retry, with bad input, roles and areas refused.
//
// Places: Phúc Xá (00001) and Trúc Bạch (00004) in Ba Đình (001), Hà Nội; Tân Định (26734) in
// Hồ Chí Minh City is outside.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { vnToday, vnDateText } = require('../lib/vn-time');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus, uniqueName } = require('../lib/fixtures');
const { citizenWithProfile, createPerson, uniquePhone, uniqueCccd } = require('../lib/people');

let srv;
let adminToken;
const tok = {};
let seq = 0;
const cid = (p = 'c') => `${p}-${process.pid}-${++seq}`;
const vnDay = (plus = 0) => vnToday(plus);

function ok(r, status) {
  assertStatus(r, status);
  return r.json;
}

async function site(token = tok.commune, commune = UNITS.phucXa) {
  return ok(await srv.api('POST', '/api/v1/vaccine/sites', {
    token, body: { client_id: cid('site'), name: `Điểm tiêm ${seq}`, commune_code: commune, capacity: { pfizer: 500, astrazeneca: 500 } },
  }), 201);
}

async function session(siteId, { token = tok.commune, product = 'pfizer', date = vnDay(1), capacity = 10 } = {}) {
  return ok(await srv.api('POST', '/api/v1/vaccine/sessions', {
    token, body: { client_id: cid('ses'), site_id: siteId, product, date, start: '08:00', end: '11:00', capacity },
  }), 201);
}

before(async () => {
  srv = await startServer();
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  const defs = {
    district: ['district_admin', UNITS.baDinh], commune: ['commune_admin', UNITS.phucXa],
    trucBach: ['commune_admin', UNITS.trucBach], outside: ['commune_admin', UNITS.tanDinh],
    vaccinator: ['vaccinator', UNITS.phucXa],
  };
  for (const [name, [role, unit]] of Object.entries(defs)) {
    const a = await createAccount(srv, adminToken, { username: uniqueName(`vw.${name.toLowerCase()}`), role, unit_code: unit });
    tok[name] = await srv.login(a.username, PASSWORD);
  }
});

after(async () => { if (srv) await srv.stop(); });

test('the waiting list: registered people with no seat and no dose, with their names, in the area asked', async () => {
  const st = await site();
  const se = await session(st.id);
  const people = [];
  for (const name of ['Trần Thị Ngọc', 'Đặng Văn Phú', 'Lý Thị Quyên']) {
    const p = await createPerson(srv, tok.commune, { full_name: name, cccd: uniqueCccd() });
    const person = p.person || p;
    ok(await srv.api('POST', '/api/v1/vaccine/registrations', { token: tok.commune, body: { client_id: cid('reg'), person_id: person.id, priority_group: 'frontline' } }), 201);
    people.push(person);
  }
  const q = `/api/v1/vaccine/registrations?unit=${UNITS.phucXa}&priority_group=frontline`;
  const all = ok(await srv.api('GET', `${q}&waiting=1`, { token: tok.commune }), 200).registrations;
  assert.deepEqual(all.map((r) => r.full_name), ['Trần Thị Ngọc', 'Đặng Văn Phú', 'Lý Thị Quyên']);
  // One invited: off the waiting list, still on the full list.
  ok(await srv.api('POST', `/api/v1/vaccine/sessions/${se.id}/invitations`, { token: tok.commune, body: { client_id: cid('inv'), person_ids: [people[0].id] } }), 201);
  const after1 = ok(await srv.api('GET', `${q}&waiting=1`, { token: tok.commune }), 200).registrations;
  assert.deepEqual(after1.map((r) => r.person_id), [people[1].id, people[2].id]);
  assert.equal(ok(await srv.api('GET', q, { token: tok.commune }), 200).registrations.length, 3);
  // The district sees them; a neighbouring commune does not; outside the area is refused.
  assert.equal(ok(await srv.api('GET', `/api/v1/vaccine/registrations?priority_group=frontline&waiting=1`, { token: tok.district }), 200).registrations.length, 2);
  assert.equal(ok(await srv.api('GET', `/api/v1/vaccine/registrations?priority_group=frontline&waiting=1`, { token: tok.trucBach }), 200).registrations.length, 0);
  assertError(await srv.api('GET', `${q}&waiting=1`, { token: tok.outside }), 403, 'forbidden');
  for (const bad of ['2', 'yes', '-1']) {
    assertError(await srv.api('GET', `${q}&waiting=${bad}`, { token: tok.commune }), 400, 'invalid_field', 'waiting');
  }
});

test('an uploaded list names each bad row\'s reason by a code, and a duplicate the line it repeats', async () => {
  const cccd = uniqueCccd();
  const csv = ['full_name,date_of_birth,cccd,commune_code,priority_group',
    `Mai Văn Sơn,1980-01-01,${cccd},00001,general`,
    `Mai Văn Sơn,1980-01-01,${cccd},00001,general`,
    `Hà Thị Tâm,không rõ,${uniqueCccd()},00001,general`,
    `Hà Thị Tâm,1980-01-01,${uniqueCccd()},26734,general`,
    `Hà Thị Uyên,1980-01-01,${uniqueCccd()},00001,khong_co`,
    `Hà Thị Vân,2015-01-01,${uniqueCccd()},00001,general`,
    'Hà Thị Xuân,1980-01-01,,00001,general'].join('\n');
  const r = ok(await srv.api('POST', '/api/v1/vaccine/registrations/upload/check', { token: tok.commune, rawBody: csv, headers: { 'content-type': 'text/csv' } }), 200);
  const by = Object.fromEntries(r.errors.map((e) => [e.line, e]));
  assert.deepEqual([by[3].code, by[3].field, by[3].ref_line], ['duplicate', 'cccd', 2]);
  assert.deepEqual([by[4].code, by[4].field], ['bad_date', 'date_of_birth']);
  assert.deepEqual([by[5].code, by[5].field], ['outside_area', 'commune_code']);
  assert.deepEqual([by[6].code, by[6].field], ['unknown_group', 'priority_group']);
  assert.equal(by[7].code, 'not_eligible');
  assert.equal(by[8].code, 'no_identifier');
  for (const e of r.errors) if (e.code !== 'duplicate') assert.equal(e.ref_line, null);
  assert.equal(r.valid, 1);
});

/** A citizen of Phúc Xá registered, booked in se, who then asks for another slot: answers { citizen, appt }. */
async function asking(se, fields = {}) {
  const phone = uniquePhone('95');
  const citizen = await citizenWithProfile(srv, adminToken, phone, { full_name: 'Cao Thị Yến', date_of_birth: '1986-07-09', ...fields });
  const pid = citizen.person.id;
  ok(await srv.api('POST', '/api/v1/vaccine/registrations', { token: citizen.token, body: { client_id: cid('reg'), person_id: pid, priority_group: 'general' } }), 201);
  const booked = ok(await srv.api('POST', '/api/v1/vaccine/bookings', { token: citizen.token, body: { client_id: cid('book'), person_id: pid, session_id: se.id } }), 201);
  const asked = ok(await srv.api('POST', `/api/v1/vaccine/appointments/${booked.id}/reschedule`, { token: citizen.token }), 200);
  assert.equal(asked.status, 'reschedule_requested');
  return { citizen, phone, appt: asked };
}

test('reschedule requests: listed for the site\'s area, moved by staff to a session with an SMS, then off the queue', async () => {
  const st = await site();
  const se = await session(st.id);
  const se2 = await session(st.id, { date: vnDay(2) });
  const { citizen, phone, appt } = await asking(se);
  assert.equal(ok(await srv.api('GET', `/api/v1/vaccine/sessions/${se.id}`, { token: tok.commune }), 200).booked, 0);
  // The citizen's record shows the request as what comes next, not "no appointment".
  const waitingRec = ok(await srv.api('GET', '/api/v1/me/vaccinations', { token: citizen.token }), 200);
  assert.equal(waitingRec.people[0].next_appointment.id, appt.id);
  assert.equal(waitingRec.people[0].next_appointment.status, 'reschedule_requested');

  const list = ok(await srv.api('GET', '/api/v1/vaccine/reschedule-requests', { token: tok.commune }), 200).requests;
  const mine = list.find((x) => x.id === appt.id);
  assert.ok(mine, 'the request is listed');
  assert.equal(mine.full_name, 'Cao Thị Yến');
  assert.equal(mine.phone, phone);
  assert.equal(mine.session_id, se.id);
  assert.equal(mine.dose_number, 1);
  assert.equal(mine.product, 'pfizer');
  assert.equal(typeof mine.requested_at, 'number');
  // The district sees it, a neighbouring commune does not, outside the area is refused.
  assert.ok(ok(await srv.api('GET', '/api/v1/vaccine/reschedule-requests', { token: tok.district }), 200).requests.some((x) => x.id === appt.id));
  assert.ok(!ok(await srv.api('GET', '/api/v1/vaccine/reschedule-requests', { token: tok.trucBach }), 200).requests.some((x) => x.id === appt.id));
  assertError(await srv.api('GET', `/api/v1/vaccine/reschedule-requests?unit=${UNITS.phucXa}`, { token: tok.outside }), 403, 'forbidden');
  assertError(await srv.api('GET', '/api/v1/vaccine/reschedule-requests?limit=0', { token: tok.commune }), 400, 'invalid_field', 'limit');
  // The list of personal records is audited.
  const audit = ok(await srv.api('GET', '/api/v1/audit?action=vaccine_reschedule.list&limit=5', { token: adminToken }), 200);
  assert.ok(audit.entries.some((e) => e.action === 'vaccine_reschedule.list'), JSON.stringify(audit).slice(0, 300));

  // Assigned by the commune official: a confirmed seat in se2, the old appointment answered.
  const assign = `/api/v1/vaccine/reschedule-requests/${appt.id}/assign`;
  const moved = ok(await srv.api('POST', assign, { token: tok.commune, body: { session_id: se2.id } }), 200);
  assert.equal(moved.session_id, se2.id);
  assert.equal(moved.status, 'confirmed');
  assert.equal(moved.person_id, citizen.person.id);
  assert.equal(ok(await srv.api('GET', `/api/v1/vaccine/sessions/${se2.id}`, { token: tok.commune }), 200).booked, 1);
  const rec = ok(await srv.api('GET', '/api/v1/me/vaccinations', { token: citizen.token }), 200);
  assert.equal(rec.people[0].next_appointment.id, moved.id);
  assert.ok(!ok(await srv.api('GET', '/api/v1/vaccine/reschedule-requests', { token: tok.commune }), 200).requests.some((x) => x.id === appt.id));
  const out = ok(await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=vaccine_rescheduled`, { token: adminToken }), 200);
  assert.equal(out.messages.length, 1);
  assert.ok(out.messages[0].body.includes(`ngay ${vnDateText(vnDay(2))}`), out.messages[0].body);
  assert.match(out.messages[0].body, /08:00-08:30/);
  // A retry answers the same appointment and takes no second seat or SMS.
  const again = ok(await srv.api('POST', assign, { token: tok.commune, body: { session_id: se2.id } }), 200);
  assert.equal(again.id, moved.id);
  assert.equal(ok(await srv.api('GET', `/api/v1/vaccine/sessions/${se2.id}`, { token: tok.commune }), 200).booked, 1);
  assert.equal(ok(await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=vaccine_rescheduled`, { token: adminToken }), 200).messages.length, 1);
  // The new appointment did not ask for anything.
  assertError(await srv.api('POST', `/api/v1/vaccine/reschedule-requests/${moved.id}/assign`, { token: tok.commune, body: { session_id: se.id } }), 409, 'conflict', 'id');
});

test('reschedule assign: bad input, roles and areas', async () => {
  const st = await site();
  const se = await session(st.id);
  const full = await session(st.id, { date: vnDay(3), capacity: 1 });
  const { appt } = await asking(se, { full_name: 'Đinh Văn Ân' });
  const assign = `/api/v1/vaccine/reschedule-requests/${appt.id}/assign`;
  assertError(await srv.api('POST', assign, { token: tok.commune, body: {} }), 400, 'missing_field', 'session_id');
  assertError(await srv.api('POST', assign, { token: tok.commune, body: { session_id: 'x' } }), 400, 'invalid_field', 'session_id');
  assertError(await srv.api('POST', assign, { token: tok.commune, body: { session_id: 0 } }), 400, 'invalid_field', 'session_id');
  assertError(await srv.api('POST', assign, { token: tok.commune, body: { session_id: 99999999 } }), 400, 'invalid_field', 'session_id');
  assertError(await srv.api('POST', assign, { token: tok.commune, body: { session_id: se.id, extra: 1 } }), 400, 'unknown_field', 'extra');
  assertError(await srv.api('POST', assign, { token: tok.commune, rawBody: '{"session_id":' }), 400, 'invalid_json');
  assertError(await srv.api('POST', '/api/v1/vaccine/reschedule-requests/99999999/assign', { token: tok.commune, body: { session_id: se.id } }), 404, 'not_found', 'id');
  assertError(await srv.api('POST', '/api/v1/vaccine/reschedule-requests/abc/assign', { token: tok.commune, body: { session_id: se.id } }), 400, 'invalid_field', 'id');
  // Another area's staff may neither see nor move it; a session of another area is refused.
  assertError(await srv.api('POST', assign, { token: tok.outside, body: { session_id: se.id } }), 403, 'forbidden');
  assertError(await srv.api('POST', assign, { token: tok.trucBach, body: { session_id: se.id } }), 403, 'forbidden');
  const tbSite = await site(tok.trucBach, UNITS.trucBach);
  const tbSession = await session(tbSite.id, { token: tok.trucBach });
  assertError(await srv.api('POST', assign, { token: tok.commune, body: { session_id: tbSession.id } }), 403, 'forbidden');
  // Vaccinators and citizens do not run the queue.
  assertError(await srv.api('GET', '/api/v1/vaccine/reschedule-requests', { token: tok.vaccinator }), 403, 'forbidden');
  assertError(await srv.api('POST', assign, { token: tok.vaccinator, body: { session_id: se.id } }), 403, 'forbidden');
  // A full session: 409 naming session_id, and the request stays in the queue.
  await asking(full, { full_name: 'Đinh Thị Bé' }).then(async ({ appt: other }) => {
    // other asked to leave `full`, so its seat is free again: take it with a third person
    const c3 = await citizenWithProfile(srv, adminToken, uniquePhone('95'), { full_name: 'Đinh Văn Cả' });
    ok(await srv.api('POST', '/api/v1/vaccine/registrations', { token: c3.token, body: { client_id: cid('reg'), person_id: c3.person.id, priority_group: 'general' } }), 201);
    ok(await srv.api('POST', '/api/v1/vaccine/bookings', { token: c3.token, body: { client_id: cid('book'), person_id: c3.person.id, session_id: full.id } }), 201);
    assert.ok(other.id);
  });
  assertError(await srv.api('POST', assign, { token: tok.commune, body: { session_id: full.id } }), 409, 'conflict', 'session_id');
  assert.ok(ok(await srv.api('GET', '/api/v1/vaccine/reschedule-requests', { token: tok.commune }), 200).requests.some((x) => x.id === appt.id));
  // The district official may move it.
  const moved = ok(await srv.api('POST', assign, { token: tok.district, body: { session_id: se.id } }), 200);
  assert.equal(moved.session_id, se.id);
});

test('the demo gives the commune official two reschedule requests to answer and three people due for a second dose; a second run adds none', async () => {
  const demo = await startServer();
  try {
    const run = () => {
      const r = demo.cli(['demo']);
      assert.equal(r.status, 0, r.stderr);
      return /Admin login: admin \/ (\S+)/.exec(r.stdout)[1];
    };
    run();
    const password = run();
    const token = await demo.login('phucxa.admin', password);
    const list = ok(await demo.api('GET', '/api/v1/vaccine/reschedule-requests', { token }), 200).requests;
    assert.deepEqual(list.map((q) => [q.full_name, q.product, q.dose_number]).sort(),
      [['Trần Văn Hùng', 'astrazeneca', 2], ['Vũ Minh Tuấn', 'pfizer', 1]]);
    // Due for their second dose at first login: Hùng (AstraZeneca) and Nam (Moderna), a month and more after the first,
    // and An, the demo family's father, whose home page lists the dose.
    const dueNow = ok(await demo.api('GET', '/api/v1/vaccine/due', { token }), 200).people;
    assert.deepEqual(dueNow.filter((x) => x.dose_number === 2).map((x) => x.full_name).sort(),
      ['Nguyễn Văn An', 'Phạm Văn Nam', 'Trần Văn Hùng']);
    // Hùng's second AstraZeneca dose fits the session of the day after.
    const hung = list.find((q) => q.full_name === 'Trần Văn Hùng');
    const sessions = ok(await demo.api('GET', `/api/v1/vaccine/sessions?product=astrazeneca&date=${vnDay(2)}`, { token }), 200).sessions;
    assert.equal(sessions.length, 1);
    const moved = ok(await demo.api('POST', `/api/v1/vaccine/reschedule-requests/${hung.id}/assign`, { token, body: { session_id: sessions[0].id } }), 200);
    assert.equal(moved.dose_number, 2);
    assert.equal(ok(await demo.api('GET', '/api/v1/vaccine/reschedule-requests', { token }), 200).requests.length, 1);
  } finally {
    await demo.stop();
  }
});

test('people due for their next dose: listed in their area from the product\'s interval, reminded once per due day', async () => {
  const { siteDay, vaccinate } = require('../lib/vaccine-setup');
  const phone = uniquePhone('94');
  const day = await siteDay(srv, adminToken, { person: { full_name: 'Quách Thị Hằng', date_of_birth: '1975-05-05', phone } });
  const { dose } = await vaccinate(srv, day);
  const due = (q, token = day.officialToken) => srv.api('GET', `/api/v1/vaccine/due${q}`, { token });
  const mine = (r) => ok(r, 200).people.find((x) => x.person_id === day.person.id);
  // Pfizer's second dose is due 21 days after the first: not today, on day 21 and later.
  assert.equal(mine(await due('')), undefined);
  assert.equal(mine(await due(`?date=${vnDay(20)}`)), undefined);
  const row = mine(await due(`?date=${vnDay(21)}`));
  assert.ok(row, 'due on day 21');
  assert.equal(row.full_name, 'Quách Thị Hằng');
  assert.equal(row.phone, phone);
  assert.equal(row.dose_number, 2);
  assert.equal(row.product, 'pfizer');
  assert.equal(row.next_earliest, dose.next_earliest);
  assert.equal(row.due_day, vnDay(21));
  assert.equal(row.overdue, false);
  assert.equal(row.reminded_at, null);
  assert.equal(mine(await due(`?date=${vnDay(90)}`)).overdue, true, 'past the 84-day window');
  // The district sees the person; a neighbouring commune does not; outside the area is refused.
  assert.ok(mine(await due(`?date=${vnDay(30)}`, tok.district)));
  assert.equal(mine(await due(`?date=${vnDay(30)}`, tok.trucBach)), undefined);
  assertError(await due(`?unit=${UNITS.phucXa}&date=${vnDay(30)}`, tok.outside), 403, 'forbidden');
  assertError(await due('?date=2021-02-30'), 400, 'invalid_field', 'date');
  assertError(await due('?date=30/12/2021'), 400, 'invalid_field', 'date');
  assertError(await due('?limit=0'), 400, 'invalid_field', 'limit');
  assertError(await due('', tok.vaccinator), 403, 'forbidden');

  // Reminders: one SMS per person per due day, however often asked.
  const remind = (body, token = day.officialToken) => srv.api('POST', '/api/v1/vaccine/due/reminders', { token, body });
  const first = ok(await remind({ date: vnDay(30) }), 200);
  assert.ok(first.queued >= 1, JSON.stringify(first));
  const second = ok(await remind({ date: vnDay(30) }), 200);
  assert.equal(second.queued, 0);
  assert.ok(second.already_reminded >= 1);
  ok(await remind({ unit: UNITS.baDinh, date: vnDay(40) }, tok.district), 200);
  const out = ok(await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=vaccine_due`, { token: adminToken }), 200);
  assert.equal(out.messages.length, 1);
  assert.ok(out.messages[0].body.includes(`mui 2 vac xin pfizer tu ngay ${vnDateText(vnDay(21))}`),
    out.messages[0].body);
  assert.equal(typeof mine(await due(`?date=${vnDay(30)}`)).reminded_at, 'number');
  assertError(await remind({ unit: UNITS.tanDinh }), 403, 'forbidden');
  assertError(await remind({ unit: 'xx' }), 400, 'invalid_field', 'unit');
  assertError(await remind({ date: '2021-13-01' }), 400, 'invalid_field', 'date');
  assertError(await remind({ date: 20211201 }), 400, 'invalid_field', 'date');
  assertError(await remind({ when: 'today' }), 400, 'unknown_field', 'when');
  assertError(await remind({}, tok.vaccinator), 403, 'forbidden');

  // A seat for the second dose takes the person off the list.
  const se2 = await session(day.site.id, { token: day.officialToken, date: vnDay(22) });
  ok(await srv.api('POST', '/api/v1/vaccine/bookings', { token: day.officialToken, body: { client_id: cid('book'), person_id: day.person.id, session_id: se2.id } }), 201);
  assert.equal(mine(await due(`?date=${vnDay(30)}`)), undefined);
});

test('check-in by CCCD, BHYT or card code, with warnings for a quarantine order in force and a positive pool awaiting retest', async () => {
  const { siteDay } = require('../lib/vaccine-setup');
  const { testingSession } = require('../lib/testing-setup');
  const cccd = uniqueCccd();
  const day = await siteDay(srv, adminToken, { person: { full_name: 'Lưu Văn Định', cccd } });
  const checkin = (ident, token = day.vaccinatorToken) => srv.api('POST', '/api/v1/vaccine/checkins', { token, body: { client_id: cid('ck'), site_id: day.site.id, ...ident } });
  // By CCCD, as typed from the card with spaces: the person booked here today.
  const v = ok(await checkin({ id_number: `${cccd.slice(0, 3)} ${cccd.slice(3, 6)} ${cccd.slice(6)}` }), 201);
  assert.equal(v.person_id, day.person.id);
  assert.equal(v.method, 'id_number');
  assert.deepEqual(v.warnings, []);
  // By the code under the personal QR card.
  assert.equal(ok(await checkin({ id_number: day.person.code.toLowerCase() }), 201).person_id, day.person.id);

  // An F1 under a quarantine order in force: checked in, with the warning and the order's last day.
  const f1 = await createPerson(srv, tok.commune, { full_name: 'Mạc Thị Én', cccd: uniqueCccd() });
  const f1p = f1.person || f1;
  const order = ok(await srv.api('POST', '/api/v1/quarantine/orders', { token: tok.commune, body: {
    client_id: cid('qo'), person_id: f1p.id, days: 14, checkins_per_day: 3, radius_m: 100, grace_minutes: 30 } }), 201);
  const w1 = ok(await checkin({ id_number: f1p.cccd }), 201);
  assert.deepEqual(w1.warnings.map((w) => w.code), ['quarantine']);
  assert.match(w1.warnings[0].until, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(order.id);

  // A pooled sample that came back positive: the member waits for a retest.
  const ts = await testingSession(srv, { poolSize: 5, suffix: `.vw${process.pid % 1000}` });
  const member = await createPerson(srv, tok.commune, { full_name: 'Mạc Văn Phong', bhyt: `HN4${String(Date.now()).slice(-12)}` });
  const mp = member.person || member;
  const other = await createPerson(srv, tok.commune, { full_name: 'Mạc Thị Quế', cccd: uniqueCccd() });
  const tube = ts.tubes[0].id || ts.tubes[0];
  for (const who of [{ bhyt: mp.bhyt }, { cccd: (other.person || other).cccd }]) {
    ok(await srv.api('POST', '/api/v1/testing/samples', { token: ts.samplerToken, body: { client_id: cid('smp'), session_id: ts.session.id, tube_id: tube, ...who } }), 201);
  }
  ok(await srv.api('POST', `/api/v1/testing/sessions/${ts.session.id}/receipt`, { token: ts.labToken, body: { tubes: [tube] } }), 200);
  const res = ok(await srv.api('POST', '/api/v1/testing/results', { token: ts.labToken, body: { tube_id: tube, result: 'positive' } }), 200);
  assert.ok(res.members.every((m) => m.status === 'pool_positive_retest'));
  const w2 = ok(await checkin({ id_number: mp.bhyt }), 201);
  assert.deepEqual(w2.warnings.map((w) => w.code), ['pending_positive']);

  // Bad input and strangers.
  assertError(await checkin({ id_number: '12345' }), 400, 'invalid_field', 'id_number');
  assertError(await checkin({ id_number: 7 }), 400, 'invalid_field', 'id_number');
  assertError(await checkin({ id_number: cccd, person_id: day.person.id }), 400, 'invalid_field', 'id_number');
  assertError(await checkin({ id_number: uniqueCccd() }), 400, 'invalid_field', 'id_number');
  const far = await createPerson(srv, tok.outside, { full_name: 'Ông Văn Xa', cccd: uniqueCccd(), commune_code: UNITS.tanDinh });
  assertError(await checkin({ id_number: (far.person || far).cccd }), 400, 'invalid_field', 'id_number');
});

test('screening asks only what can apply: no pregnancy question for a man or a woman of 76', async () => {
  const { siteDay } = require('../lib/vaccine-setup');
  const day = await siteDay(srv, adminToken, { person: { full_name: 'Phan Thị Gấm', date_of_birth: '1990-09-09', sex: 'female' } });
  const checkin = async (fields) => {
    const p = await createPerson(srv, tok.commune, { cccd: uniqueCccd(), ...fields });
    return ok(await srv.api('POST', '/api/v1/vaccine/checkins', { token: day.vaccinatorToken, body: { client_id: cid('ck'), site_id: day.site.id, id_number: (p.person || p).cccd } }), 201);
  };
  const codes = (v) => v.checklist.map((c) => c.code);
  const young = ok(await srv.api('POST', '/api/v1/vaccine/checkins', { token: day.vaccinatorToken, body: { client_id: cid('ck'), site_id: day.site.id, person_id: day.person.id } }), 201);
  assert.ok(codes(young).includes('pregnant_under_13w'));
  const man = await checkin({ full_name: 'Phan Văn Hào', date_of_birth: '1990-01-01', sex: 'male' });
  const old = await checkin({ full_name: 'Phan Thị Ích', date_of_birth: `${new Date().getFullYear() - 77}-01-01`, sex: 'female' });
  for (const v of [man, old]) {
    assert.ok(!codes(v).includes('pregnant_under_13w'), codes(v).join());
    assert.ok(codes(v).includes('acute_illness'));
    const answers = Object.fromEntries(v.checklist.map((c) => [c.code, false]));
    const s = ok(await srv.api('POST', `/api/v1/vaccine/visits/${v.id}/screening`, { token: day.vaccinatorToken, body: { answers } }), 200);
    assert.equal(s.outcome, 'proceed');
    assertError(await srv.api('POST', `/api/v1/vaccine/visits/${v.id}/screening`, { token: day.vaccinatorToken, body: { answers: { ...answers, pregnant_under_13w: true } } }),
      400, 'invalid_field', 'answers.pregnant_under_13w');
  }
  // The young woman is asked: leaving it out is refused.
  const answers = Object.fromEntries(young.checklist.filter((c) => c.code !== 'pregnant_under_13w').map((c) => [c.code, false]));
  assertError(await srv.api('POST', `/api/v1/vaccine/visits/${young.id}/screening`, { token: day.vaccinatorToken, body: { answers } }), 400, 'missing_field', 'answers.pregnant_under_13w');
});
