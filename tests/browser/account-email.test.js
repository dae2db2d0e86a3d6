'use strict';
// On a phone, the national admin gives a new tracer an e-mail address: a malformed one is refused
// under its field, a good one is saved and shown on the account's card; the account notice is
// queued to it. On the card the address is changed (a wrong one refused at its field) and
// removed. No sideways scroll.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, ADMIN_USERNAME, ADMIN_PASSWORD } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');

let srv;
let browser;
let page;
const tid = (id) => page.getByTestId(id);

before(async () => {
  srv = await startServer();
  browser = await launch();
  ({ page } = await phonePage(browser));
  await staffSignIn(page, srv.url, ADMIN_USERNAME, ADMIN_PASSWORD);
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('an account with an e-mail address', async () => {
  await page.goto(`${srv.url}/#/accounts?unit=00001`);
  await tid('account-create-open').click();
  await tid('account-create-form').waitFor();
  await tid('new-username').fill('tv.email');
  await tid('new-full-name').fill('Lý Thị Thư');
  await tid('new-password').fill('Mat-Khau-Du-Dai-1');
  await tid('new-role').selectOption('tracer');
  await tid('new-email').fill('ly.thi.thu@@phucxa');
  await tid('new-submit').click();
  await tid('field-error-email').waitFor();
  assert.equal(await tid('new-email').getAttribute('aria-invalid'), 'true');
  assert.match(await tid('field-error-email').textContent(), /Địa chỉ e-mail không hợp lệ/);
  await assertNoHorizontalOverflow(page, 'account form with an e-mail error');
  await shot(page, 'account-email-01-error');
  await tid('new-email').fill('ly.thi.thu.truy.vet.phuong.phuc.xa@soyte.hanoi.gov.vn');
  await tid('new-submit').click();
  await tid('account-created').waitFor();
  await tid('account-email-tv.email').waitFor();
  assert.equal(await tid('account-email-tv.email').textContent(), 'ly.thi.thu.truy.vet.phuong.phuc.xa@soyte.hanoi.gov.vn');
  await assertNoHorizontalOverflow(page, 'account card with a long e-mail');
  // changed on the card: a wrong one refused at its field, then a new one saved, then removed
  await tid('account-email-edit-tv.email').click();
  await tid('account-email-input-tv.email').fill('khong-phai-email');
  await tid('account-email-save-tv.email').click();
  await tid('account-row-tv.email').getByTestId('field-error-email').waitFor();
  await assertNoHorizontalOverflow(page, 'account card with the e-mail form');
  await shot(page, 'account-email-02-card-form');
  await tid('account-email-input-tv.email').fill('thu.ly@phucxa.hanoi.gov.vn');
  await tid('account-email-save-tv.email').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="account-email-tv.email"]')?.textContent === 'thu.ly@phucxa.hanoi.gov.vn');
  await tid('account-email-edit-tv.email').click();
  await tid('account-email-input-tv.email').fill('');
  await tid('account-email-save-tv.email').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="account-email-tv.email"]'));
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const acc = (await srv.api('GET', '/api/v1/accounts?unit=00001', { token: admin })).json.accounts.find((x) => x.username === 'tv.email');
  assert.equal(acc.email, null);
  const [m] = (await srv.api('GET', '/api/v1/outbox?recipient=ly.thi.thu.truy.vet.phuong.phuc.xa@soyte.hanoi.gov.vn', { token: admin })).json.messages;
  assert.equal(m.channel, 'email');
  assert.match(m.body, /tv\.email/);
  assert.deepEqual(page.errors.filter((e) => !/400/.test(e)), []);
});
