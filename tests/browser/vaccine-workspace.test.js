'use strict';
// The vaccination planning pages in a real Chromium on a phone-sized page, as the commune health
// official who does this work: a new site from the plan page, a session on it, invitations for the
// people of one priority group who are registered and waiting (two seats for three people: two are
// invited, with their times, and the API shows their appointments), then a registration list
// uploaded with its row report in Vietnamese words, applied, and its people on the waiting list;
// a citizen who asked for another slot is moved by the official to another session; the people
// due for their second dose are listed for a day and reminded by text once; last, a citizen picks
// a session on their own page, then moves to another.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { launch, phonePage, pageDiary, shot, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');
const { siteDay, vaccinate } = require('../lib/vaccine-setup');
const { UNITS, PASSWORD, createAccount, uniqueName } = require('../lib/fixtures');
const { createPerson, uniqueCccd, uniquePhone, citizenWithProfile } = require('../lib/people');

let srv;
let dir;
let browser;
let page;
let official;
let officialToken;
let siteId;
let sessionId;
const waiting = [];

const tid = (p, id) => p.getByTestId(id);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-vaxws-'));
  srv = await startServer();
  const admin = await srv.login('admin', srv.adminPassword);
  official = await createAccount(srv, admin, { username: uniqueName('xa.kh'), role: 'commune_admin', unit_code: UNITS.phucXa });
  officialToken = await srv.login(official.username, PASSWORD);
  // Three people registered in the "education" group; one more in "general", who must not be listed.
  for (const [name, group] of [['Trần Văn An', 'education'], ['Lê Thị Bình', 'education'], ['Phạm Văn Cường', 'education'], ['Đỗ Thị Dung', 'general']]) {
    const p = await createPerson(srv, officialToken, { full_name: name, date_of_birth: '1980-03-04', commune_code: UNITS.phucXa, cccd: uniqueCccd() });
    const person = p.person || p;
    const r = await srv.api('POST', '/api/v1/vaccine/registrations', { token: officialToken, body: { client_id: `reg-${person.id}-${process.pid}`, person_id: person.id, priority_group: group } });
    assert.equal(r.status, 201, r.text);
    if (group === 'education') waiting.push(person);
  }
  browser = await launch();
  ({ page } = await phonePage(browser));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the commune official adds a site from the plan page', async () => {
  await page.goto(`${srv.url}/#/login`);
  await tid(page, 'login-username').fill(official.username);
  await tid(page, 'login-password').fill(PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'nav-vax-plan').click();
  await tid(page, 'plan-view').waitFor();
  await tid(page, 'plan-no-sites').waitFor();
  await assertNoHorizontalOverflow(page, 'plan, no sites');
  // An empty form says what is missing, in Vietnamese.
  await tid(page, 'site-submit').click();
  await page.locator('[data-testid="site-form"] [data-testid="field-error-name"]').waitFor();
  await tid(page, 'site-name').fill('Trạm Y tế phường Phúc Xá');
  await tid(page, 'site-address').fill('1 Phúc Xá, Ba Đình');
  await tid(page, 'site-cap-pfizer').fill('200');
  await tid(page, 'site-submit').click();
  await tid(page, 'plan-site-view').waitFor();
  assert.equal(await tid(page, 'plan-site-name').textContent(), 'Trạm Y tế phường Phúc Xá');
  siteId = Number(/sites\/(\d+)/.exec(page.url())[1]);
  const r = await srv.api('GET', `/api/v1/vaccine/sites/${siteId}`, { token: officialToken });
  assert.equal(r.status, 200);
  assert.equal(r.json.commune_code, UNITS.phucXa);
  assert.deepEqual(r.json.capacity, { pfizer: 200 });
  await tid(page, 'plan-no-sessions').waitFor();
  await assertNoHorizontalOverflow(page, 'site page');
  await shot(page, 'vaxws-01-site');
});

test('a session of two seats is added to the site', async () => {
  await page.locator('[data-testid="plan-new-session"] summary').click();
  await tid(page, 'session-capacity').fill('2');
  await tid(page, 'session-start').fill('13:00');
  await tid(page, 'session-end').fill('16:00');
  await assertNoHorizontalOverflow(page, 'session form');
  await tid(page, 'session-submit').click();
  await tid(page, 'session-created').waitFor();
  sessionId = Number(await tid(page, 'session-created').getAttribute('data-id'));
  const text = await tid(page, 'session-created').textContent();
  assert.match(text, /\d{2}\/\d{2}\/\d{4} · 13:00–16:00/, 'the day is written dd/mm/yyyy');
  await tid(page, `plan-session-${sessionId}`).waitFor();
  assert.match(await tid(page, `plan-session-${sessionId}-left`).textContent(), /Còn 2 chỗ/);
  await shot(page, 'vaxws-02-session');
});

test('invitations go to the waiting people of the chosen group, as many as there are seats', async () => {
  await tid(page, `plan-session-invite-${sessionId}`).click();
  await tid(page, 'invite-view').waitFor();
  assert.equal(await tid(page, 'invite-left').textContent(), '2');
  await tid(page, 'invite-group').selectOption('education');
  await tid(page, 'invite-find').click();
  await tid(page, 'invite-list').waitFor();
  // Two seats: the first two registered of the group, not the general-group person.
  assert.equal(await tid(page, 'invite-count').textContent(), '2');
  await tid(page, `invite-pick-${waiting[0].id}`).waitFor();
  await tid(page, `invite-pick-${waiting[1].id}`).waitFor();
  assert.equal(await page.getByText('Đỗ Thị Dung').count(), 0);
  await assertNoHorizontalOverflow(page, 'invite list');
  await shot(page, 'vaxws-03-invite');
  await tid(page, 'invite-send').click();
  await tid(page, 'invite-done').waitFor();
  assert.equal(await tid(page, 'invite-done').getAttribute('data-count'), '2');
  assert.match(await tid(page, `invite-appt-${waiting[0].id}`).textContent(), /Trần Văn An · 13:00–13:30/);
  assert.equal(await tid(page, 'invite-left').textContent(), '0');
  for (const p of waiting.slice(0, 2)) {
    const r = await srv.api('GET', `/api/v1/people/${p.id}/vaccinations`, { token: officialToken });
    assert.equal(r.json.next_appointment.session_id, sessionId);
    assert.equal(r.json.next_appointment.status, 'invited');
  }
  // The session is full now: the page says so rather than listing anybody.
  await tid(page, 'invite-find').click();
  await tid(page, 'invite-full').waitFor();
  assert.deepEqual(page.errors, []);
});

test('a registration list is checked row by row in words, applied with its progress, and its people wait for invitation', async () => {
  const head = 'full_name,date_of_birth,sex,cccd,phone,commune_code,priority_group';
  const cccd = uniqueCccd();
  const rows = [
    `Ngô Thị Hạnh,12/05/1979,nữ,${uniqueCccd()},${uniquePhone('97')},00001,education`,
    `Vũ Văn Khoa,1984-11-02,nam,${cccd},,00001,education`,
    'Hoàng Văn Lâm,mùng 5 tháng 3,nam,,0971234567,00001,education',
    `Vũ Văn Khoa,1984-11-02,nam,${cccd},,00001,education`,
    `Bùi Thị Mai,1990-01-01,nữ,${uniqueCccd()},,26734,education`,
  ];
  const file = path.join(dir, 'danh-sach.csv');
  fs.writeFileSync(file, `${head}\n${rows.join('\n')}\n`);
  await page.goto(`${srv.url}/#/vaccine/plan`);
  await tid(page, 'plan-upload-link').click();
  await tid(page, 'up-view').waitFor();
  await tid(page, 'up-file').setInputFiles(file);
  // Progress is shown while the server works: the answer is held back until the page shows it.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/api/v1/vaccine/registrations/upload/**', async (route) => { await held; await route.continue(); });
  await tid(page, 'up-check').click();
  await tid(page, 'up-progress').waitFor();
  assert.match(await tid(page, 'up-progress-text').textContent(), /Đang (gửi tệp|kiểm tra)/);
  release();
  await tid(page, 'up-summary').waitFor();
  assert.ok(await tid(page, 'up-progress').isHidden());
  assert.equal(await tid(page, 'up-summary').getAttribute('data-valid'), '2');
  assert.equal(await tid(page, 'up-summary').getAttribute('data-bad'), '3');
  // Each bad row in Vietnamese words: no reason codes, no English.
  assert.equal(await tid(page, 'up-error-4').getAttribute('data-code'), 'bad_date');
  assert.match(await tid(page, 'up-error-4').textContent(), /Dòng 4.*Ngày sinh.*không đúng dạng ngày/);
  assert.match(await tid(page, 'up-error-5').textContent(), /Trùng người với dòng 3/);
  assert.match(await tid(page, 'up-error-6').textContent(), /ngoài địa bàn của bạn/);
  const report = await tid(page, 'up-errors').textContent();
  assert.doesNotMatch(report, /bad_date|duplicate|outside_area|is not a date|lies outside/);
  await assertNoHorizontalOverflow(page, 'upload report');
  await shot(page, 'vaxws-04-report');
  // The English switch puts the same report in English.
  await page.locator('.lang-btn[data-lang="en"]').click();
  assert.match(await tid(page, 'up-error-4').textContent(), /Line 4.*Date of birth.*not a date/);
  await assertNoHorizontalOverflow(page, 'upload report in English');
  await page.locator('.lang-btn[data-lang="vi"]').click();
  assert.match(await tid(page, 'up-error-4').textContent(), /Dòng 4/);
  // Bad rows: the apply asks for the "valid rows only" choice first.
  await tid(page, 'up-apply').click();
  await tid(page, 'up-need-confirm').waitFor();
  await tid(page, 'up-valid-only').check();
  let releaseApply;
  const heldApply = new Promise((r) => { releaseApply = r; });
  await page.unroute('**/api/v1/vaccine/registrations/upload/**');
  await page.route('**/api/v1/vaccine/registrations/upload/apply', async (route) => { await heldApply; await route.continue(); });
  await tid(page, 'up-apply').click();
  await tid(page, 'up-apply-progress').waitFor();
  assert.match(await tid(page, 'up-apply-progress-text').textContent(), /Đang ghi 2 người/);
  releaseApply();
  await tid(page, 'up-done').waitFor();
  await page.unroute('**/api/v1/vaccine/registrations/upload/apply');
  assert.equal(await tid(page, 'up-done').getAttribute('data-registered'), '2');
  assert.match(await tid(page, 'up-done').textContent(), /Đã đăng ký 2 người/);
  await shot(page, 'vaxws-05-applied');
  const r = await srv.api('GET', `/api/v1/vaccine/registrations?unit=${UNITS.phucXa}&priority_group=education&waiting=1`, { token: officialToken });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.registrations.map((x) => x.full_name).sort(), ['Ngô Thị Hạnh', 'Phạm Văn Cường', 'Vũ Văn Khoa']);
  assert.deepEqual(page.errors, []);
});

test('a citizen who asked for another slot is moved to another session from the queue', async () => {
  const admin = await srv.login('admin', srv.adminPassword);
  const phone = uniquePhone('95');
  const citizen = await citizenWithProfile(srv, admin, phone, { full_name: 'Cao Thị Yến', date_of_birth: '1986-07-09' });
  const pid = citizen.person.id;
  const day = (plus) => new Date(Date.now() + 7 * 3600000 + plus * 86400000).toISOString().slice(0, 10);
  const mk = async (date) => (await srv.api('POST', '/api/v1/vaccine/sessions', { token: officialToken,
    body: { client_id: `ses-${date}-${process.pid}`, site_id: siteId, product: 'pfizer', date, start: '08:00', end: '11:00', capacity: 20 } })).json;
  const first = await mk(day(1));
  const second = await mk(day(3));
  assert.equal((await srv.api('POST', '/api/v1/vaccine/registrations', { token: citizen.token, body: { client_id: `reg-cit-${process.pid}-${pid}`, person_id: pid, priority_group: 'general' } })).status, 201);
  const booked = (await srv.api('POST', '/api/v1/vaccine/bookings', { token: citizen.token, body: { client_id: `book-cit-${process.pid}-${pid}`, person_id: pid, session_id: first.id } })).json;
  assert.equal((await srv.api('POST', `/api/v1/vaccine/appointments/${booked.id}/reschedule`, { token: citizen.token })).json.status, 'reschedule_requested');

  await page.goto(`${srv.url}/#/vaccine/plan`);
  await tid(page, 'plan-reschedule-link').click();
  await tid(page, 'resched-view').waitFor();
  await tid(page, `resched-${booked.id}`).waitFor();
  assert.match(await tid(page, `resched-${booked.id}`).textContent(), /Cao Thị Yến/);
  assert.match(await tid(page, `resched-${booked.id}-was`).textContent(), /^\d{2}\/\d{2}\/\d{4} · Trạm Y tế phường Phúc Xá/);
  await assertNoHorizontalOverflow(page, 'reschedule queue');
  await shot(page, 'vaxws-06-queue');
  await tid(page, `resched-${booked.id}-session`).selectOption(String(second.id));
  await tid(page, `resched-${booked.id}-assign`).click();
  await tid(page, `resched-${booked.id}-done`).waitFor();
  assert.match(await tid(page, `resched-${booked.id}-done`).textContent(), /Đã chuyển sang .*08:00–08:30/);
  const rec = (await srv.api('GET', '/api/v1/me/vaccinations', { token: citizen.token })).json;
  assert.equal(rec.people[0].next_appointment.session_id, second.id);
  assert.equal(rec.people[0].next_appointment.status, 'confirmed');
  await shot(page, 'vaxws-07-moved');
  await page.reload();
  await tid(page, 'resched-empty').waitFor();
  assert.deepEqual(page.errors, []);
});

const vnDayPlus = (plus) => new Date(Date.now() + 7 * 3600000 + plus * 86400000).toISOString().slice(0, 10);
const dmy = (ymd) => ymd.split('-').reverse().join('/');

test('the people due for their second dose are listed for a day, reminded by text once, and invited', async () => {
  const admin = await srv.login('admin', srv.adminPassword);
  const phone = uniquePhone('94');
  const day = await siteDay(srv, admin, { person: { full_name: 'Quách Thị Hằng', date_of_birth: '1975-05-05', phone } });
  await vaccinate(srv, day);
  await page.goto(`${srv.url}/#/vaccine/plan`);
  await tid(page, 'plan-due-link').click();
  await tid(page, 'due-view').waitFor();
  await tid(page, 'due-empty').waitFor(); // nobody is due today: Pfizer's second dose comes 21 days later
  await tid(page, 'due-date').fill(vnDayPlus(21));
  await tid(page, 'due-show').click();
  await tid(page, `due-${day.person.id}`).waitFor();
  assert.equal(await tid(page, `due-${day.person.id}-day`).textContent(), dmy(vnDayPlus(21)));
  assert.match(await tid(page, `due-${day.person.id}`).textContent(), /Quách Thị Hằng.*Mũi 2/);
  await assertNoHorizontalOverflow(page, 'due list');
  await shot(page, 'vaxws-08-due');
  await tid(page, 'due-remind').click();
  await tid(page, 'due-reminded').waitFor();
  assert.equal(await tid(page, 'due-reminded').getAttribute('data-queued'), '1');
  await tid(page, `due-${day.person.id}-reminded`).waitFor();
  assert.ok(await tid(page, 'due-remind').isDisabled(), 'nobody left to remind');
  const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=vaccine_due`, { token: admin });
  assert.equal(out.json.messages.length, 1);
  await shot(page, 'vaxws-09-reminded');
  // The official invites them to a Pfizer session on the day after they are due.
  const se = (await srv.api('POST', '/api/v1/vaccine/sessions', { token: officialToken,
    body: { client_id: `ses-due-${process.pid}`, site_id: day.site.id, product: 'pfizer', date: vnDayPlus(22), start: '08:00', end: '10:00', capacity: 10 } })).json;
  await page.goto(`${srv.url}/#/vaccine/plan/sessions/${se.id}`);
  await tid(page, 'invite-view').waitFor();
  await tid(page, 'invite-who').selectOption('due');
  await tid(page, 'invite-find').click();
  await tid(page, `invite-pick-${day.person.id}`).waitFor();
  assert.match(await tid(page, 'invite-list').textContent(), new RegExp(`Quách Thị Hằng · mũi 2, đến hạn từ ${dmy(vnDayPlus(21))}`));
  await tid(page, 'invite-send').click();
  await tid(page, 'invite-done').waitFor();
  assert.match(await tid(page, `invite-appt-${day.person.id}`).textContent(), /Quách Thị Hằng · 08:00–08:30/);
  const due = await srv.api('GET', `/api/v1/vaccine/due?date=${vnDayPlus(30)}`, { token: officialToken });
  assert.ok(!due.json.people.some((x) => x.person_id === day.person.id), 'invited: off the due list');
  assert.deepEqual(page.errors, []);
});

test('a citizen picks a session on their page, then moves to another', async () => {
  const admin = await srv.login('admin', srv.adminPassword);
  const phone = uniquePhone('93');
  const citizen = await citizenWithProfile(srv, admin, phone, { full_name: 'Tạ Văn Khánh', date_of_birth: '1984-02-02' });
  const pid = citizen.person.id;
  assert.equal((await srv.api('POST', '/api/v1/vaccine/registrations', { token: citizen.token, body: { client_id: `reg-pick-${process.pid}-${pid}`, person_id: pid, priority_group: 'general' } })).status, 201);
  const mk = async (plus) => (await srv.api('POST', '/api/v1/vaccine/sessions', { token: officialToken,
    body: { client_id: `ses-pick-${plus}-${process.pid}`, site_id: siteId, product: 'pfizer', date: vnDayPlus(plus), start: '14:00', end: '16:00', capacity: 5 } })).json;
  const a = await mk(5);
  const b = await mk(6);
  const { page: cp, context } = await phonePage(browser);
  // What the page asked of the server and heard back, told when the picker does not come.
  const diary = pageDiary(cp, { keep: (l) => l.includes('/api/v1/me') });
  try {
    await cp.goto(`${srv.url}/#/citizen/login`);
    await tid(cp, 'otp-phone').fill(phone);
    await tid(cp, 'otp-send').click();
    await tid(cp, 'otp-sent').waitFor();
    await tid(cp, 'otp-code').fill(await latestOtp(srv, admin, phone));
    await tid(cp, 'otp-login').click();
    await cp.waitForURL(/#\/me/);
    await cp.goto(`${srv.url}/#/me/health`);
    // The page reads five lists at once; under a loaded machine that took longer than a click's
    // wait once. When the picker does not come, say what the page shows instead.
    await tid(cp, `pick-${pid}-open`).waitFor({ timeout: 60000 }).catch(async (e) => {
      const shown = await tid(cp, 'identity-view').textContent().catch(() => '(no identity view)');
      throw new Error(`no session picker on ${cp.url()}: the page shows ${shown.slice(0, 600)}\n${diary.explain(srv)}`, { cause: e });
    });
    await tid(cp, `pick-${pid}-open`).click();
    await tid(cp, `pick-${pid}-session`).selectOption(String(a.id));
    await assertNoHorizontalOverflow(cp, 'session picker');
    await shot(cp, 'vaxws-10-pick');
    await tid(cp, `pick-${pid}-submit`).click();
    await tid(cp, 'identity-done').waitFor();
    let rec = (await srv.api('GET', '/api/v1/me/vaccinations', { token: citizen.token })).json.people[0];
    assert.equal(rec.next_appointment.session_id, a.id);
    await tid(cp, `appt-${rec.next_appointment.id}`).waitFor();
    // Another session: the appointment moves, the first seat is freed.
    await tid(cp, `pick-${pid}-open`).click();
    await tid(cp, `pick-${pid}-session`).selectOption(String(b.id));
    await tid(cp, `pick-${pid}-submit`).click();
    await cp.waitForFunction((s) => document.querySelector('[data-testid="identity-done"]')?.textContent.includes(s), 'Đã đổi lịch tiêm');
    rec = (await srv.api('GET', '/api/v1/me/vaccinations', { token: citizen.token })).json.people[0];
    assert.equal(rec.next_appointment.session_id, b.id);
    assert.equal((await srv.api('GET', `/api/v1/vaccine/sessions/${a.id}`, { token: officialToken })).json.booked, 0);
    await shot(cp, 'vaxws-11-moved');
    assert.deepEqual(cp.errors, []);
  } finally {
    await context.close();
  }
});

test('the vaccinator finds a person by CCCD, is warned of the quarantine order, and is not asked about pregnancy for a man', async () => {
  const admin = await srv.login('admin', srv.adminPassword);
  const day = await siteDay(srv, admin, {});
  const cccd = uniqueCccd();
  const p = await createPerson(srv, officialToken, { full_name: 'Kiều Văn Lực', date_of_birth: '1969-06-06', sex: 'male', commune_code: UNITS.phucXa, cccd });
  const person = p.person || p;
  const order = await srv.api('POST', '/api/v1/quarantine/orders', { token: officialToken, body: {
    client_id: `qo-${process.pid}-${person.id}`, person_id: person.id, days: 14, checkins_per_day: 3, radius_m: 100, grace_minutes: 30 } });
  assert.equal(order.status, 201, order.text);
  const { page: vp, context } = await phonePage(browser);
  try {
    await vp.goto(`${srv.url}/#/login`);
    await tid(vp, 'login-username').fill(day.vaccinator.username);
    await tid(vp, 'login-password').fill(day.password);
    await tid(vp, 'login-submit').click();
    await tid(vp, `vax-site-open-${day.site.id}`).click();
    await tid(vp, 'vax-day-view').waitFor();
    await vp.locator('[data-testid="vax-by-id"]').locator('xpath=..').locator('summary').click();
    await tid(vp, 'vax-person-id').fill(`${cccd.slice(0, 3)} ${cccd.slice(3)}`);
    await tid(vp, 'vax-by-id-submit').click();
    await tid(vp, 'vax-person').waitFor();
    assert.equal(await tid(vp, 'vax-person-name').textContent(), 'Kiều Văn Lực');
    assert.equal(await tid(vp, 'vax-person-dob').textContent(), '06/06/1969');
    await tid(vp, 'vax-warning-quarantine').waitFor();
    assert.match(await tid(vp, 'vax-warning-quarantine').textContent(), /đang cách ly .* đến hết ngày \d{2}\/\d{2}\/\d{4}/);
    await tid(vp, 'screen-acute_illness').waitFor();
    assert.equal(await tid(vp, 'screen-pregnant_under_13w').count(), 0, 'no pregnancy question for a man');
    await assertNoHorizontalOverflow(vp, 'check-in with a warning');
    await shot(vp, 'vaxws-12-warning');
    // A number nobody here has: said in words, with the field named.
    await tid(vp, 'vax-next').last().click();
    // the "no card" form stays open for the next person
    await tid(vp, 'vax-person-id').fill(uniqueCccd());
    await tid(vp, 'vax-by-id-submit').click();
    await vp.getByText('Không tìm thấy người có số này').waitFor();
    assert.deepEqual(vp.errors, []);
  } finally {
    await context.close();
  }
});

test('a page left while the vaccine list loads does not leave the next page waiting on it', async () => {
  // The list of vaccines is loaded once and shared by the pages that need it. The official
  // opens the plan page and, before the list has come, opens a site: the site page still draws.
  await page.goto(`${srv.url}/#/`);
  await page.reload();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/v1/vaccine/products', async (route) => {
    await held;
    await route.continue().catch(() => { /* the plan page's own request may be gone */ });
  });
  try {
    const asked = page.waitForRequest((q) => q.url().endsWith('/api/v1/vaccine/products'));
    await page.evaluate(() => { window.location.hash = '#/vaccine/plan'; });
    await asked;
    await page.evaluate((id) => { window.location.hash = `#/vaccine/plan/sites/${id}`; }, siteId);
    await tid(page, 'plan-site-view').waitFor();
    release();
    assert.equal(await tid(page, 'plan-site-name').textContent(), 'Trạm Y tế phường Phúc Xá');
    await tid(page, 'plan-new-session').waitFor();
  } finally {
    release();
    await page.unroute('**/api/v1/vaccine/products');
  }
  assert.deepEqual(page.errors, []);
});
