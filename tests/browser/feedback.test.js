'use strict';
// Citizens' feedback in a real Chromium on a phone-sized page: the citizen sends a report with
// the form (an empty text refused first, the commune preset to their own), sees it as sent; the
// commune's health staff find it in their queue and answer it; the citizen sees the answer on
// their page; a report gone past its time shows as overdue at the district after the escalation
// job runs with a moved clock.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');
const { UNITS, PASSWORD, createAccount } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');

let srv;
let browser;
let page;
let adminToken;
const phone = '0933777888';

const tid = (id) => page.getByTestId(id);

before(async () => {
  srv = await startServer();
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, adminToken, { username: 'pa.tram', role: 'commune_admin', unit_code: UNITS.phucXa });
  await createAccount(srv, adminToken, { username: 'pa.quan', role: 'district_admin', unit_code: UNITS.baDinh });
  browser = await launch();
  ({ page } = await phonePage(browser));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function staffSignIn(username) {
  await page.goto(`${srv.url}/?as=${username}#/login`);
  await tid('login-view').waitFor();
  await tid('login-username').fill(username);
  await tid('login-password').fill(PASSWORD);
  await tid('login-submit').click();
  await tid('nav-feedback').waitFor();
}

test('a citizen sends a report from the form and sees it as sent', async () => {
  assert.equal((await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } })).status, 202);
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code: await latestOtp(srv, adminToken, phone) } });
  const put = await srv.api('PUT', '/api/v1/me', { token: login.json.token, body: { full_name: 'Bùi Thị Phản', date_of_birth: '1979-09-09', commune_code: UNITS.phucXa } });
  assert.equal(put.status, 200, put.text);

  await page.goto(`${srv.url}/#/citizen/login`);
  await tid('otp-phone').fill(phone);
  await tid('otp-send').click();
  await tid('otp-sent').waitFor();
  await tid('otp-code').fill(await latestOtp(srv, adminToken, phone));
  await tid('otp-login').click();
  await tid('me-view').waitFor();
  await tid('nav-my-feedback').click();
  await tid('feedback-form').waitFor();
  await tid('my-feedback-empty').waitFor();
  await assertNoHorizontalOverflow(page, 'feedback form');

  await tid('feedback-category').selectOption('rule_violation');
  await tid('feedback-submit').click();
  await tid('field-error-text').waitFor();
  await tid('feedback-text').fill('Quán karaoke ngõ 5 vẫn mở cửa sau 21 giờ.');
  await tid('feedback-submit').click();
  await tid('feedback-sent').waitFor();
  assert.match(await tid('feedback-sent').textContent(), /PA-\d+/);
  await tid('my-feedback-list').waitFor();
  const card = page.locator('[data-testid="my-feedback-list"] > li').first();
  assert.equal(await card.getAttribute('data-status'), 'new');
  assert.match(await card.textContent(), /Vi phạm quy định phòng dịch.*Mới gửi/);
  await assertNoHorizontalOverflow(page, 'feedback sent');
  await shot(page, 'feedback-01-sent');
  assert.deepEqual(page.errors, []);
});

test('the commune\'s queue: the report is there, answered; the citizen gets an SMS', async () => {
  await page.evaluate(() => window.localStorage.clear());
  await tid('logout').click();
  await staffSignIn('pa.tram');
  await tid('nav-feedback').click();
  await tid('queue-list').waitFor();
  const item = page.locator('[data-testid="queue-list"] li.feedback').first();
  const id = (await item.getAttribute('data-testid')).replace('feedback-', '');
  assert.match(await item.textContent(), /Quán karaoke ngõ 5/);
  assert.match(await item.textContent(), new RegExp(phone));
  await assertNoHorizontalOverflow(page, 'feedback queue');
  // an empty answer is refused on the page
  await tid(`answer-submit-${id}`).click();
  await tid('field-error-answer').waitFor();
  await tid(`answer-text-${id}`).fill('Tổ công tác đã đến kiểm tra, quán đã đóng cửa.');
  await tid(`answer-submit-${id}`).click();
  await tid(`feedback-done-${id}`).waitFor();
  assert.equal(await tid(`feedback-status-${id}`).getAttribute('data-status'), 'answered');
  await shot(page, 'feedback-02-answered');
  const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=feedback`, { token: adminToken });
  assert.ok(out.json.messages.some((m) => m.text.includes(`PA-${id}`)), out.text);

  // the filter keeps only what is still to answer
  await tid('queue-status').selectOption('new');
  await tid('queue-empty').waitFor();
  assert.deepEqual(page.errors, []);
});

test('the citizen sees the answer on their page', async () => {
  await tid('logout').click();
  await page.goto(`${srv.url}/#/citizen/login`);
  await tid('otp-phone').fill(phone);
  await tid('otp-send').click();
  await tid('otp-sent').waitFor();
  await tid('otp-code').fill(await latestOtp(srv, adminToken, phone));
  await tid('otp-login').click();
  await tid('me-view').waitFor();
  await tid('nav-my-feedback').click();
  await tid('my-feedback-list').waitFor();
  const card = page.locator('[data-testid="my-feedback-list"] > li').first();
  assert.equal(await card.getAttribute('data-status'), 'answered');
  assert.match(await card.textContent(), /quán đã đóng cửa/);
  await assertNoHorizontalOverflow(page, 'feedback answered');
  assert.deepEqual(page.errors, []);
});

test('a report past its time goes up to the district\'s queue', async () => {
  const r = await srv.api('POST', '/api/v1/feedback', {
    body: { client_id: clientId(), category: 'arrival_from_affected_area', text: 'Nhà số 9 có người từ vùng dịch về.', commune_code: UNITS.phucXa, phone: '0933777999' },
  });
  assert.equal(r.status, 201, r.text);
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'feedback_escalation', '--now', String(Math.floor(Date.now() / 1000) + 13 * 3600)]);
  assert.equal(j.status, 0, j.stderr);
  await tid('logout').click();
  await staffSignIn('pa.quan');
  await tid('nav-feedback').click();
  await tid('queue-list').waitFor();
  const item = tid(`feedback-${r.json.id}`);
  assert.equal(await item.getAttribute('data-level'), 'district');
  assert.match(await item.textContent(), /Đã lên cấp huyện/);
  await assertNoHorizontalOverflow(page, 'district queue');
  assert.deepEqual(page.errors, []);
});
