'use strict';
// A tracer's cases in a real Chromium on a 360 px phone: people and check-ins are made through
// the API (F0 and A at a noodle shop, A and B at a café); the tracer enters F0 as a case
// through the form (a day the server refuses is shown at its field first), names two people
// from the interview (one new, registered from the form; one already on the register, found
// by phone), runs the trace and sees the F1 and F2 counts, follows the link to the case's work
// list, and finds the case in the cases list by the commune's name, then corrects its dates.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, createAccount, PASSWORD } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');
const { clientId, vnDate, venueOwner, venue } = require('../lib/checkin');
const { uniqueCccd, uniquePhone, createPerson } = require('../lib/people');

const now = () => Math.floor(Date.now() / 1000);
const daysAgo = (n) => vnDate(now() - n * 86400);
/** The VN day and HH:MM `minutes` ago: interview times lie in the past, inside the case's window. */
const vnAgo = (minutes) => {
  const t = now() - minutes * 60;
  return { day: vnDate(t), time: new Date((t + 7 * 3600) * 1000).toISOString().slice(11, 16) };
};

let srv;

before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

async function person(token, fullName) {
  const cccd = uniqueCccd();
  const phone = uniquePhone('92');
  const res = await createPerson(srv, token, { full_name: fullName, cccd, phone, commune_code: UNITS.phucXa, street: '15 Phó Đức Chính' });
  return { ...(res.person || res), cccd, phone };
}

async function checkin(ownerToken, venueId, cccd) {
  const r = await srv.api('POST', `/api/v1/venues/${venueId}/checkins`, { token: ownerToken, body: { client_id: clientId(), cccd } });
  assert.ok([200, 201].includes(r.status), `check-in: ${r.status} ${r.text}`);
}

describe('a tracer enters a case, names interview contacts, runs the trace and lists the case', () => {
  let browser;
  let page;
  let tracer;
  let people;
  let caseId;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    const adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, adminToken, { username: 'ca.truy.vet', role: 'tracer', unit_code: UNITS.phucXa });
    await createAccount(srv, adminToken, { username: 'ca.tram.yte', role: 'commune_admin', unit_code: UNITS.phucXa });
    tracer = { username: 'ca.truy.vet', token: await srv.login('ca.truy.vet', PASSWORD) };
    const official = await srv.login('ca.tram.yte', PASSWORD);
    const owner = await venueOwner(srv, adminToken, 'ca.chu.quan', UNITS.phucXa);
    const shop = await venue(srv, owner.token, official, { name: 'Bún Chả Hàng Mành', type: 'restaurant' });
    const cafe = await venue(srv, owner.token, official, { name: 'Cà Phê Lâm', type: 'cafe' });
    people = {
      f0: await person(tracer.token, 'Nguyễn Văn Không'),
      a: await person(tracer.token, 'Trần Thị Một'),
      b: await person(tracer.token, 'Lê Văn Hai'),
    };
    await checkin(owner.token, shop.id, people.f0.cccd);
    await checkin(owner.token, shop.id, people.a.cccd);
    await checkin(owner.token, cafe.id, people.a.cccd);
    await checkin(owner.token, cafe.id, people.b.cccd);
    browser = await launch();
    ({ page } = await phonePage(browser));
  });
  after(async () => { if (browser) await browser.close(); });

  test('the case form finds the person by phone, shows a refused day at its field, then saves the case', async () => {
    await staffSignIn(page, srv.url, tracer.username);
    await tid('tracing-view').waitFor();
    assert.ok(await tid('nav-tracing-cases').isVisible(), 'the cases page is in the menu');
    assert.ok(await tid('nav-tracing-policy').isVisible(), 'the policy page is in the menu');
    await tid('nav-tracing-cases').click();
    await tid('cases-view').waitFor();
    await tid('case-new-link').click();
    await tid('case-form').waitFor();

    // A number that is no phone: the search's 400 is shown at the person field, in words.
    await tid('case-person-q').fill('12345');
    await tid('case-person-find').click();
    await tid('field-error-person_id').waitFor();
    assert.match(await tid('field-error-person_id').textContent(), /^Số điện thoại không hợp lệ/);

    await tid('case-person-q').fill(people.f0.phone);
    await tid('case-person-find').click();
    await tid('case-person-name').waitFor();
    assert.equal(await tid('case-person-name').textContent(), 'Nguyễn Văn Không');
    await page.waitForFunction(() => document.querySelector('[data-testid="case-place-name"]').textContent === 'Phường Phúc Xá');

    // Onset after the sample day: the server's 400 names onset_date, shown under that field.
    await tid('case-test-date').fill(daysAgo(3));
    await tid('case-onset-date').fill(daysAgo(0));
    await tid('case-isolated-date').fill(daysAgo(0));
    await tid('case-submit').click();
    await tid('field-error-onset_date').waitFor();
    const err = await page.evaluate(() => {
      const e = document.querySelector('[data-testid="field-error-onset_date"]');
      const wrap = e.closest('.field');
      return { field: wrap.dataset.field, invalid: wrap.querySelector('input').getAttribute('aria-invalid'), text: e.textContent,
        code: document.querySelector('[data-testid="form-error"]').dataset.status };
    });
    assert.deepEqual(err, { field: 'onset_date', invalid: 'true', text: 'Ngày khởi phát không được sau ngày lấy mẫu xét nghiệm.', code: '400' });
    await assertNoHorizontalOverflow(page, 'case form');
    await shot(page, 'cases-01-form-error');

    await tid('case-test-date').fill(daysAgo(0));
    await tid('case-onset-date').fill(daysAgo(1));
    await tid('case-submit').click();
    await tid('run-panel').waitFor();
    caseId = Number(/#\/tracing\/cases\/(\d+)$/.exec(page.url())[1]);
    assert.ok(caseId > 0, page.url());
    assert.equal(await tid('banner').textContent(), 'Đã lưu ca bệnh.');
    const chain = await srv.api('GET', `/api/v1/tracing/cases/${caseId}/chain`, { token: tracer.token });
    assert.equal(chain.status, 200, chain.text);
    assert.deepEqual(chain.json.nodes.filter((n) => n.degree === 0).map((n) => n.id), [people.f0.id], 'the case is F0\'s');
    assert.deepEqual(page.errors, []);
  });

  test('the tracer names a new person (registered from the form) and a known one (found by phone)', async () => {
    // Someone not on the register: the form asks for what registering them needs.
    const newPhone = uniquePhone('96');
    await tid('iv-name').fill('Hoàng Thị Bốn');
    await tid('iv-phone').fill(newPhone);
    await tid('iv-relation').selectOption('work');
    const t1 = vnAgo(120);
    await tid('iv-date').fill(t1.day);
    await tid('iv-time').fill(t1.time);
    await tid('iv-where').fill('Văn phòng tầng 3');
    await tid('iv-minutes').fill('45');
    await tid('iv-submit').click();
    await tid('iv-register').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="iv-commune-selected-name"]')?.dataset.code === '00001');
    await tid('iv-dob').fill('1990-04-12');
    await tid('iv-submit').click();
    await tid('iv-saved').waitFor();
    const found = await srv.api('GET', `/api/v1/people/search?phone=${newPhone}`, { token: tracer.token });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.people.map((p) => [p.full_name, p.commune_code]), [['Hoàng Thị Bốn', UNITS.phucXa]]);
    const d = found.json.people[0];
    const item = page.locator(`[data-testid^="iv-added-"][data-person="${d.id}"]`);
    assert.match(await item.textContent(), /Hoàng Thị Bốn.*Đồng nghiệp.*Văn phòng tầng 3/);
    assert.equal(await tid('iv-register').isVisible(), false, 'the register part closes after saving');

    // Someone on the register: found by phone and name, no questions asked.
    await tid('iv-name').fill('Lê Văn Hai');
    await tid('iv-phone').fill(people.b.phone);
    await tid('iv-relation').selectOption('family');
    const t2 = vnAgo(90);
    await tid('iv-date').fill(t2.day);
    await tid('iv-time').fill(t2.time);
    await tid('iv-submit').click();
    await page.locator(`[data-testid^="iv-added-"][data-person="${people.b.id}"]`).waitFor();
    // A name that does not match the register's for that phone: the tracer chooses who it is.
    await tid('iv-name').fill('Chị Một');
    await tid('iv-phone').fill(people.a.phone);
    await tid('iv-submit').click();
    await tid(`iv-option-${people.a.id}`).waitFor();
    assert.match(await tid(`iv-option-${people.a.id}`).textContent(), /Trần Thị Một.*Phường Phúc Xá/);
    assert.ok(await tid('iv-option-new').isVisible(), 'or register someone else');
    await tid(`iv-option-${people.a.id}`).click();
    await tid('iv-chosen').waitFor();
    await tid('iv-submit').click();
    await page.locator(`[data-testid^="iv-added-"][data-person="${people.a.id}"]`).waitFor();
    people.d = d;
    await assertNoHorizontalOverflow(page, 'interview form');
    assert.deepEqual(page.errors, []);
  });

  test('the tracer runs the trace: busy while it runs, then the F1 and F2 counts and a link to the work list', async () => {
    // Slow the run's answer down so that the busy state can be seen.
    await page.route('**/api/v1/tracing/runs', async (route) => {
      if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await tid('run-trace').click();
    await tid('run-progress').waitFor();
    assert.equal(await tid('run-trace').getAttribute('aria-busy'), 'true');
    await tid('run-result').waitFor();
    await page.unroute('**/api/v1/tracing/runs');
    // F1: A (the shop), D and B (the interview); F2: none left (B is already an F1).
    const listed = await srv.api('GET', `/api/v1/tracing/contacts?case_id=${caseId}`, { token: tracer.token });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json.contacts.map((c) => [c.person_id, c.degree]).sort(),
      [[people.a.id, 1], [people.b.id, 1], [people.d.id, 1]].sort());
    assert.deepEqual(await tid('run-result').evaluate((e) => [e.dataset.f1, e.dataset.f2]), ['3', '0']);
    assert.match(await tid('run-result').textContent(), /^Tìm thấy 3 F1 và 0 F2/);
    assert.equal(await tid('run-trace').textContent(), 'Chạy lại truy vết');
    assert.equal(await tid('run-progress').isVisible(), false);
    // The chain drawn again holds the interview's contacts.
    await tid(`chain-node-${people.d.id}`).waitFor({ state: 'attached' });
    await assertNoHorizontalOverflow(page, 'case page after a run');
    await shot(page, 'cases-02-run');

    await tid('lang-en').click();
    assert.match(await tid('run-result').textContent(), /^Found 3 F1 and 0 F2/);
    await tid('lang-vi').click();

    assert.equal(await tid('run-worklist').getAttribute('href'), `#/tracing?case_id=${caseId}`);
    await tid('run-worklist').click();
    await tid('contacts-list').waitFor();
    const persons = await page.$$eval('[data-testid="contacts-list"] > li', (els) => els.map((e) => Number(e.dataset.person)));
    assert.deepEqual(persons.sort(), [people.a.id, people.b.id, people.d.id].sort());
    assert.deepEqual(page.errors, []);
  });

  test('the cases list shows the case with the commune\'s name, its status in words and its dates; the dates can be corrected', async () => {
    await tid('nav-tracing-cases').click();
    await tid('cases-list').waitFor();
    await tid(`case-${caseId}`).waitFor();
    assert.equal(await tid(`case-name-${caseId}`).textContent(), 'Nguyễn Văn Không');
    assert.equal((await tid(`case-status-${caseId}`).textContent()).trim(), 'Đã xác định');
    await page.waitForFunction((id) => document.querySelector(`[data-testid="case-commune-${id}"]`).textContent === 'Phường Phúc Xá', caseId);
    const card = await tid(`case-${caseId}`).textContent();
    assert.ok(!card.includes(UNITS.phucXa), `no unit code in the card: ${card}`);
    assert.ok(!/confirmed/.test(card), 'no status code in the card');
    const fmt = (d) => d.split('-').reverse().join('/');
    assert.equal(await tid(`case-onset-${caseId}`).textContent(), fmt(daysAgo(1)));
    assert.equal(await tid(`case-isolated-${caseId}`).textContent(), fmt(daysAgo(0)));
    assert.equal(await tid(`case-open-${caseId}`).getAttribute('href'), `#/tracing/cases/${caseId}`);
    await assertNoHorizontalOverflow(page, 'cases list');
    await shot(page, 'cases-03-list');

    // Correcting the onset: sent with the create call's field name, kept by the server.
    await tid(`case-edit-open-${caseId}`).click();
    await tid(`case-edit-onset-${caseId}`).fill(daysAgo(2));
    await tid(`case-edit-save-${caseId}`).click();
    await tid(`case-edit-saved-${caseId}`).waitFor();
    // The server traced the case again over its longer window: the same three F1.
    assert.equal(await tid(`case-edit-run-${caseId}`).getAttribute('data-f1'), '3');
    assert.match(await tid(`case-edit-run-${caseId}`).textContent(), /^Đã truy vết lại: 3 F1 và 0 F2$/);
    await page.reload();
    await tid(`case-${caseId}`).waitFor();
    assert.equal(await tid(`case-onset-${caseId}`).textContent(), fmt(daysAgo(2)));

    // Outside the tracer's commune the server refuses, and the page says so.
    await page.goto(`${srv.url}/#/tracing/cases?unit=${UNITS.trucBach}`);
    await tid('access-denied').waitFor();
    assert.deepEqual(page.errors, []);
  });

  test('the national admin filters the cases by place, chosen by name down to the commune', async () => {
    const { page: p2, context } = await phonePage(browser);
    const t2 = (id) => p2.getByTestId(id);
    await staffSignIn(p2, srv.url, srv.adminUsername, srv.adminPassword);
    await t2('nav').waitFor();
    await t2('nav-tracing-cases').click();
    await t2(`case-${caseId}`).waitFor();
    const pick = async (codes) => {
      if (!(await t2('cases-place').isVisible())) await t2('cases-place-box').locator('summary').click();
      for (const code of codes) await t2(`cases-place-option-${code}`).click();
      await t2('cases-filter-apply').click();
    };
    await pick([UNITS.hanoi, UNITS.baDinh, UNITS.trucBach]);
    await t2('cases-empty').waitFor();
    assert.match(p2.url(), new RegExp(`unit=${UNITS.trucBach}$`));
    await p2.waitForFunction(() => document.querySelector('[data-testid="cases-place-current"]').textContent === 'Phường Trúc Bạch');
    await t2(`cases-place-crumb-${UNITS.baDinh}`).click();
    await pick([UNITS.phucXa]);
    await t2(`case-${caseId}`).waitFor();
    assert.deepEqual(await p2.$$eval('[data-testid="cases-list"] > li', (els) => els.map((e) => e.dataset.testid)), [`case-${caseId}`]);
    await assertNoHorizontalOverflow(p2, 'cases list filtered by place');
    assert.deepEqual(p2.errors, []);
    await context.close();
  });
});
