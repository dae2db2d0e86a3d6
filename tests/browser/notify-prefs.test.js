'use strict';
// A citizen on a phone declines vaccination invitations and general reminders from the home
// page; the choice is kept (after a reload the box is still ticked) and can be taken back.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');
const { uniquePhone, citizenWithProfile } = require('../lib/people');

let srv;
let browser;
let page;
let citizen;
const phone = uniquePhone('97');
const tid = (id) => page.getByTestId(id);

before(async () => {
  srv = await startServer();
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  citizen = await citizenWithProfile(srv, admin, phone, { full_name: 'Đỗ Thị Lan' });
  browser = await launch();
  ({ page } = await phonePage(browser));
  await page.goto(`${srv.url}/#/citizen/login`);
  await tid('otp-phone').fill(phone);
  await tid('otp-send').click();
  await tid('otp-sent').waitFor();
  await tid('otp-code').fill(await latestOtp(srv, admin, phone));
  await tid('otp-login').click();
  await tid('me-view').waitFor();
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('declining and taking back non-essential messages from the home page', async () => {
  await tid('notify-opt-out').waitFor();
  assert.equal(await tid('notify-opt-out').isChecked(), false);
  assert.match(await tid('notify-prefs').textContent(), /Mã đăng nhập, kết quả xét nghiệm/);
  await tid('notify-opt-out').check();
  await tid('notify-prefs-saved').waitFor();
  assert.match(await tid('notify-prefs-saved').textContent(), /không nhận tin mời/);
  const r = await srv.api('GET', '/api/v1/me/notifications', { token: citizen.token });
  assert.equal(r.json.opt_out, true);
  await assertNoHorizontalOverflow(page, 'home with preferences');
  await shot(page, 'notify-prefs-01');
  await page.reload();
  await tid('notify-opt-out').waitFor();
  assert.equal(await tid('notify-opt-out').isChecked(), true);
  await tid('notify-opt-out').uncheck();
  await page.waitForFunction(() => document.querySelector('[data-testid="notify-prefs-saved"]')?.textContent.includes('nhận lại'));
  assert.equal((await srv.api('GET', '/api/v1/me/notifications', { token: citizen.token })).json.opt_out, false);
  assert.deepEqual(page.errors, []);
});
