'use strict';
// Family link proof in the browser: a citizen sees requests waiting for proof, types the code
// sent to the member's phone (a wrong one first), and commune staff approve a request for a
// person without a phone.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { uniquePhone, uniqueCccd, citizenWithProfile, createPerson } = require('../lib/people');
const { createAccount, PASSWORD, UNITS } = require('../lib/fixtures');
let srv, browser;
after(async () => { if (browser) await browser.close(); if (srv) await srv.stop(); });
test('pending family links: the citizen types the code; staff approve the others', async () => {
  srv = await startServer();
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const cit = await citizenWithProfile(srv, admin, uniquePhone(), { full_name: 'Nguyễn Thị A', street: '3 Quán Thánh' });
  await createAccount(srv, admin, { username: 'sm.admin', role: 'commune_admin', unit_code: UNITS.phucXa });
  const staff = await srv.login('sm.admin', PASSWORD);
  const phone = uniquePhone();
  await createPerson(srv, staff, { full_name: 'Đào Duy Từ', date_of_birth: '1972-05-05', phone });
  const noPhone = uniqueCccd();
  await createPerson(srv, staff, { full_name: 'Ngô Thì Nhậm', date_of_birth: '1946-02-02', cccd: noPhone });
  let r = await srv.api('POST', '/api/v1/me/family', { token: cit.token, body: { full_name: 'Dao Duy Tu', date_of_birth: '1972-05-05', phone } });
  assert.equal(r.status, 202);
  const reqId = r.json.link_request_id;
  r = await srv.api('POST', '/api/v1/me/family', { token: cit.token, body: { full_name: 'Ngô Thì Nhậm', date_of_birth: '1946-02-02', cccd: noPhone } });
  assert.equal(r.status, 202);
  browser = await launch();
  const { context, page } = await phonePage(browser);
  const u = new URL(srv.url);
  await context.addCookies([{ name: 'cordon_session', value: cit.token, domain: u.hostname, path: '/' }]);
  await page.goto(`${srv.url}/#/me/family`);
  await page.getByTestId(`pending-code-${reqId}`).waitFor();
  const out = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=family`, { token: admin });
  const code = /(\d{6})/.exec(out.json.messages[0].text)[1];
  await assertNoHorizontalOverflow(page, 'family page with pending links');
  await shot(page, 'family-pending');
  await page.getByTestId(`pending-code-${reqId}`).fill(code === '000000' ? '111111' : '000000');
  await page.getByTestId(`pending-confirm-${reqId}`).click();
  await page.getByTestId('form-error').waitFor();
  await page.getByTestId(`pending-code-${reqId}`).fill(code);
  await page.getByTestId(`pending-confirm-${reqId}`).click();
  await page.getByTestId('member-added').waitFor();
  await page.getByTestId('family-list').waitFor();
  assert.match(await page.getByTestId('family-list').innerText(), /Đào Duy Từ/);
  // staff page
  const s2 = await phonePage(browser);
  await s2.context.addCookies([{ name: 'cordon_session', value: staff, domain: u.hostname, path: '/' }]);
  await s2.page.goto(`${srv.url}/#/family/requests`);
  await s2.page.getByTestId('family-requests-list').waitFor();
  assert.match(await s2.page.getByTestId('family-requests-list').innerText(), /Ngô Thì Nhậm/);
  await assertNoHorizontalOverflow(s2.page, 'family link requests');
  await shot(s2.page, 'family-requests');
  const btn = s2.page.locator('[data-testid^="family-request-approve-"]').first();
  await btn.click();
  await s2.page.getByTestId('family-requests-empty').waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(s2.page.errors, []);
});
