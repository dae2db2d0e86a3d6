'use strict';
// The national admin watches messages leave on a phone: a sign-in code sent through the SMS
// gateway shows as sent with its code masked; a reminder the gateway refuses shows as not sent
// with its error, and "Send again" puts it back in the queue, after which it goes out.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');
const { uniquePhone } = require('../lib/people');
const { startGateway } = require('../lib/gateway');
const { ADMIN_USERNAME, ADMIN_PASSWORD } = require('../lib/server');

describe('the outgoing messages page', () => {
  let srv;
  let gw;
  let browser;
  let page;
  let admin;
  const tid = (id) => page.getByTestId(id);
  const codePhone = uniquePhone();
  const deadPhone = uniquePhone();
  let codeMsg;
  let deadMsg;

  const list = async (q) => (await srv.api('GET', `/api/v1/outbox?${q}`, { token: admin })).json.messages;
  async function until(fn) {
    for (let i = 0; i < 300; i++) {
      const v = await fn();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('timed out');
  }

  before(async () => {
    gw = await startGateway();
    gw.failFor.set(deadPhone, Infinity);
    srv = await startServer({
      env: { CORDON_SMS_HTTP_URL: gw.url, CORDON_NOTIFY_POLL_MS: '50', CORDON_NOTIFY_MAX_ATTEMPTS: '1' },
    });
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await srv.api('POST', '/api/v1/citizen/otp', { body: { phone: codePhone } });
    const db = srv.dbUrl.startsWith('sqlite:')
      ? ['sqlite3', ['-cmd', '.timeout 10000', srv.dbUrl.slice(7)]] : ['psql', [srv.dbUrl, '-c']];
    const ins = `INSERT INTO outbox (channel, recipient, kind, body, created_at, attempts) VALUES ('sms', '${deadPhone}', 'quarantine_reminder', 'Nhắc khai báo cách ly hôm nay', ${Math.floor(Date.now() / 1000)}, 0)`;
    const r = spawnSync(db[0], [...db[1], ins], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    [codeMsg] = await until(async () => (await list(`recipient=${codePhone}&status=sent`)).length && list(`recipient=${codePhone}`));
    [deadMsg] = await until(async () => (await list(`recipient=${deadPhone}&status=failed`)).length && list(`recipient=${deadPhone}`));
    browser = await launch();
    ({ page } = await phonePage(browser));
    await staffSignIn(page, srv.url, ADMIN_USERNAME, ADMIN_PASSWORD);
    await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  });
  after(async () => {
    if (browser) await browser.close();
    if (srv) await srv.stop();
    if (gw) await gw.stop();
  });

  test('the sent code shows masked; the refused reminder shows why', async () => {
    await page.goto(`${srv.url}/#/outbox`);
    await tid('outbox-view').waitFor();
    const sent = tid(`outbox-message-${codeMsg.id}`);
    await sent.waitFor();
    const text = await sent.textContent();
    assert.match(text, /Mã đăng nhập/);
    assert.match(text, /Đã gửi/);
    assert.match(text, /\*{6}/);
    assert.doesNotMatch(text, /Mã xác thực Cordon: \d{6}/, 'no code on screen');
    assert.match(text, /\d{2}\/\d{2}\/\d{4}/, 'dates as dd/mm/yyyy');
    const dead = await tid(`outbox-message-${deadMsg.id}`).textContent();
    assert.match(dead, /Gửi không được/);
    assert.match(dead, /Nhắc khai báo cách ly/);
    assert.match(dead, /HTTP 500/);
    await assertNoHorizontalOverflow(page, 'outbox');
    await shot(page, 'outbox-01-list');
  });

  test('filtering by "not sent" and sending again', async () => {
    await tid('outbox-status').selectOption('failed');
    await page.waitForFunction(() => location.hash.includes('status=failed'));
    await tid(`outbox-message-${deadMsg.id}`).waitFor();
    assert.equal(await tid(`outbox-message-${codeMsg.id}`).count(), 0);
    gw.failFor.delete(deadPhone);
    await tid(`outbox-retry-${deadMsg.id}`).click();
    await until(async () => (await list(`recipient=${deadPhone}&status=sent`)).length);
    await page.goto(`${srv.url}/#/outbox?status=sent`);
    await tid(`outbox-message-${deadMsg.id}`).waitFor();
    assert.match(await tid(`outbox-status-${deadMsg.id}`).textContent(), /Đã gửi/);
    assert.equal(gw.received.filter((m) => m.to === deadPhone).length, 1);
    await assertNoHorizontalOverflow(page, 'outbox sent');
    assert.deepEqual(page.errors, []);
  });
});
