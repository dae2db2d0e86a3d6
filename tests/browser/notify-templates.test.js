'use strict';
// The national admin changes the sign-in code's text on a phone: a text without the code is
// refused naming the Vietnamese text; a good one is saved and the next code uses it.

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
  assert.match(await tid('template-otp-error').textContent(), /Nội dung tiếng Việt/);
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
