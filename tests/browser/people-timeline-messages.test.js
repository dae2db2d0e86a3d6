'use strict';
// On a phone, a commune admin opens a citizen's record: the timeline shows the sign-in code sent to
// the citizen's phone as a message, its status in Vietnamese and its text with the code masked,
// then in English; no sideways scroll.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');
const { uniquePhone, citizenWithProfile } = require('../lib/people');

let srv;
let browser;
let page;
let person;
let code;
const tid = (id) => page.getByTestId(id);

before(async () => {
  srv = await startServer();
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, admin, { username: 'tlb.xa', role: 'commune_admin', unit_code: UNITS.phucXa });
  const phone = uniquePhone();
  const c = await citizenWithProfile(srv, admin, phone, { full_name: 'Phan Thị Nhắn', commune_code: UNITS.phucXa });
  person = c.person;
  const [m] = (await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: admin })).json.messages;
  [, code] = m.text.match(/(\d{6})/);
  browser = await launch();
  ({ page } = await phonePage(browser));
  await staffSignIn(page, srv.url, 'tlb.xa', PASSWORD);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('the sign-in code on the timeline: queued, masked', async () => {
  await page.goto(`${srv.url}/#/people/${person.id}`);
  await tid('person-timeline').waitFor();
  const entry = page.locator('.timeline-entry[data-kind="message"]');
  assert.equal(await entry.count(), 1);
  const text = await entry.textContent();
  assert.match(text, /Tin nhắn đã gửi/);
  assert.match(text, /Mã đăng nhập/);
  assert.match(text, /Đang chờ gửi/);
  assert.match(text, /\*{6}/);
  assert.ok(!text.includes(code), 'the code is shown');
  assert.doesNotMatch(text, /queued|otp/);
  await assertNoHorizontalOverflow(page, 'timeline with a message');
  await shot(page, 'people-timeline-message');
  await tid('lang-en').click();
  await page.waitForFunction(() => /Sign-in code/.test(document.querySelector('.timeline-entry[data-kind="message"]').textContent));
  assert.match(await entry.textContent(), /Queued|Waiting/i);
  await assertNoHorizontalOverflow(page, 'timeline with a message, English');
  await tid('lang-vi').click();
  assert.deepEqual(page.errors, []);
});
