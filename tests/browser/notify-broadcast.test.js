'use strict';
// A commune health station messages its community COVID team from a phone: picks the role,
// writes the message, sends it; the page says how many were queued and how many staff have no
// phone, and the SMS gateway gets one message per tracer with a phone.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, createAccount, PASSWORD } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');
const { uniquePhone } = require('../lib/people');
const { startGateway } = require('../lib/gateway');

describe('message staff', () => {
  let srv;
  let gw;
  let browser;
  let page;
  const tid = (id) => page.getByTestId(id);
  const phones = [uniquePhone(), uniquePhone()];

  before(async () => {
    gw = await startGateway();
    srv = await startServer({ env: { CORDON_SMS_HTTP_URL: gw.url, CORDON_NOTIFY_POLL_MS: '50' } });
    const admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, admin, { username: 'nb.tramyte', role: 'commune_admin', unit_code: UNITS.phucXa, full_name: 'Trạm Y Tế Phúc Xá' });
    await createAccount(srv, admin, { username: 'nb.to1', role: 'tracer', unit_code: UNITS.phucXa, phone: phones[0] });
    await createAccount(srv, admin, { username: 'nb.to2', role: 'tracer', unit_code: UNITS.phucXa, phone: phones[1] });
    await createAccount(srv, admin, { username: 'nb.to3', role: 'tracer', unit_code: UNITS.phucXa });
    browser = await launch();
    ({ page } = await phonePage(browser));
    await staffSignIn(page, srv.url, 'nb.tramyte', PASSWORD);
    await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  });
  after(async () => {
    if (browser) await browser.close();
    if (srv) await srv.stop();
    if (gw) await gw.stop();
  });

  test('the tracers of the commune get the message', async () => {
    await page.goto(`${srv.url}/#/notify/broadcast`);
    await tid('broadcast-view').waitFor();
    await tid('broadcast-role').selectOption('tracer');
    const text = 'Họp tổ COVID cộng đồng 14 giờ tại trạm y tế.';
    await tid('broadcast-text').fill(text);
    assert.match(await tid('broadcast-chars').textContent(), new RegExp(`${text.length}/480`));
    await assertNoHorizontalOverflow(page, 'broadcast form');
    await tid('broadcast-send').click();
    await tid('broadcast-done').waitFor();
    assert.match(await tid('broadcast-done').textContent(), /Đã xếp 2 tin nhắn/);
    assert.match(await tid('broadcast-unreachable').textContent(), /1 cán bộ chưa có số điện thoại hay địa chỉ e-mail/);
    await shot(page, 'broadcast-01-sent');
    for (let i = 0; i < 200 && gw.received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(gw.received.map((m) => m.to).sort(), [...phones].sort());
    assert.ok(gw.received.every((m) => m.text === text));
    assert.deepEqual(page.errors, []);
  });

  test('an empty message is refused with the field named', async () => {
    await tid('broadcast-text').fill('   ');
    await tid('broadcast-send').click();
    await tid('broadcast-error').waitFor();
    assert.match(await tid('broadcast-error').textContent(), /Nội dung/);
  });
});
