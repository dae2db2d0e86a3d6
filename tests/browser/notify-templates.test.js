'use strict';
// The national admin changes the sign-in code's text on a phone: a text without the code is
// refused, the error under the Vietnamese text; a good one is saved and the next code uses it.
// Every kind of message is there with its fields explained; a broadcast's text with a field it
// does not have is refused under the English text, naming the field, and a good one is used.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, ADMIN_USERNAME, ADMIN_PASSWORD } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');
const { uniquePhone } = require('../lib/people');

let srv;
let browser;
let page;
let admin;
const tid = (id) => page.getByTestId(id);

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  browser = await launch();
  ({ page } = await phonePage(browser));
  await staffSignIn(page, srv.url, ADMIN_USERNAME, ADMIN_PASSWORD);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('editing the sign-in code text', async () => {
  await page.goto(`${srv.url}/#/notify/templates`);
  await tid('template-otp').waitFor();
  assert.equal(await tid('nav-templates').getAttribute('aria-current'), 'page');
  assert.match(await tid('template-otp').textContent(), /Mã đăng nhập/);
  assert.match(await tid('template-otp-vi').inputValue(), /\{code\}/);
  await assertNoHorizontalOverflow(page, 'templates');
  await shot(page, 'templates-01');
  await tid('template-otp-vi').fill('Mã Cordon của bạn là đây.');
  await tid('template-otp-save').click();
  await tid('template-otp-error').waitFor();
  const viError = tid('template-otp').locator('.field[data-field="body_vi"] .field-error');
  await viError.waitFor();
  assert.equal(await tid('template-otp-vi').getAttribute('aria-invalid'), 'true');
  assert.match(await tid('template-otp-error').textContent(), /code/);
  await tid('template-otp-vi').fill('Cordon: mã {code}, hạn {minutes} phút.');
  await tid('template-otp-save').click();
  await tid('template-otp-saved').waitFor();
  const phone = uniquePhone();
  await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
  const [m] = (await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: admin })).json.messages;
  assert.equal(m.body, 'Cordon: mã ******, hạn 5 phút.');
  await tid('template-otp-default').click();
  assert.match(await tid('template-otp-vi').inputValue(), /^Mã xác thực Cordon: \{code\}/);
  assert.deepEqual(page.errors.filter((e) => !/400/.test(e)), []);
});

test('every kind with its fields; an unknown field refused at its text', async () => {
  await page.goto(`${srv.url}/#/notify/templates`);
  await tid('template-broadcast').waitFor();
  for (const k of ['result', 'result_member', 'quarantine_missed', 'vaccine_due', 'daily_report', 'feedback_answered', 'en_code', 'family']) {
    await tid(`template-${k}`).waitFor();
  }
  assert.match(await tid('template-quarantine_missed').locator('h2').textContent(), /Nhắc điểm danh cách ly/);
  assert.match(await tid('template-daily_report-fields').textContent(), /\{new_f0_7d\} số ca F0 mới trong 7 ngày/);
  assert.match(await tid('template-result_correction-fields').textContent(), /không có trường nào/);
  // every kind is named in Vietnamese and every field explained: no raw code on the page
  const titles = await tid('templates-box').locator('form h2').allTextContents();
  assert.ok(titles.length >= 22, titles.join('|'));
  for (const t of titles) assert.doesNotMatch(t, /^[a-z_0-9]+$/, t);
  const bare = await tid('templates-box').locator('.template-fields li').evaluateAll((lis) => lis.filter((li) => !li.querySelector('span')).map((li) => li.textContent));
  assert.deepEqual(bare, []);
  await assertNoHorizontalOverflow(page, 'templates all kinds');
  await tid('template-broadcast-en').fill('Cordon: {text} from {sender}');
  await tid('template-broadcast-save').click();
  const enError = tid('template-broadcast').locator('.field[data-field="body_en"] .field-error');
  await enError.waitFor();
  assert.match(await tid('template-broadcast-error').textContent(), /\{sender\}/);
  await shot(page, 'templates-02-error');
  await tid('template-broadcast-vi').fill('Cordon – tin cán bộ: {text}');
  await tid('template-broadcast-en').fill('Cordon staff: {text}');
  await tid('template-broadcast-save').click();
  await tid('template-broadcast-saved').waitFor();
  assert.equal(await enError.count(), 0);
  const phone = uniquePhone();
  const { UNITS, createAccount } = require('../lib/fixtures');
  await createAccount(srv, admin, { username: 'tpl.page.tracer', role: 'tracer', unit_code: UNITS.phucXa, phone });
  await srv.api('POST', '/api/v1/notify/broadcast', { token: admin, body: { unit_code: UNITS.phucXa, role: 'tracer', text: 'Họp 14h' } });
  const [m] = (await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=broadcast`, { token: admin })).json.messages;
  assert.equal(m.body, 'Cordon – tin cán bộ: Họp 14h');
  assert.deepEqual(page.errors.filter((e) => !/400/.test(e)), []);
});
