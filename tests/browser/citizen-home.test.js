'use strict';
// The citizen's home on the demo family (father Nguyễn Văn An, 0912000001, managing his daughter
// Mai and his mother) in a real Chromium at 360 px, in Vietnamese:
//  1. "Việc cần làm ngay" says what needs doing now: the daughter's pooled sample needs a retest
//     at the sampling site (named), the father's second dose is due, and any active quarantine
//     order with its next check-in, each as the routes say;
//  2. a declaration's QR code is an image, and the image decodes (jsQR) to the signed payload;
//  3. the results and health pages never scroll sideways and show no ISO dates.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, decodePng, download, latestOtp } = require('../lib/browser');

const PHONE = '0912000001';
let srv;
let admin;
let token;
let dir;
let browser;
let context;
let page;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-home-'));
  srv = await startServer();
  admin = await srv.login('admin', srv.demo());
  assert.equal((await srv.api('POST', '/api/v1/citizen/otp', { body: { phone: PHONE } })).status, 202);
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone: PHONE, code: await latestOtp(srv, admin, PHONE) } });
  assert.equal(login.status, 200, login.text);
  token = login.json.token;
  browser = await launch();
  ({ context, page } = await phonePage(browser));
  const u = new URL(srv.url);
  await context.addCookies([{ name: 'cordon_session', value: token, domain: u.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tid = (id) => page.getByTestId(id);
const ISO = /\b\d{4}-\d{2}-\d{2}\b/;

test('the home says what needs doing now, for the father and for his daughter', async () => {
  const fam = (await srv.api('GET', '/api/v1/me/family', { token })).json.members;
  const mai = fam.find((m) => m.full_name === 'Nguyễn Thị Mai');
  const results = (await srv.api('GET', '/api/v1/me/results', { token })).json.people;
  const maiResult = results.find((p) => p.person.id === mai.id).results[0];
  assert.equal(maiResult.status, 'pool_positive_retest', 'the demo gives the daughter a retest');
  assert.equal(maiResult.retest_site.name, 'Điểm lấy mẫu Nhà văn hoá Phúc Xá');
  const q = (await srv.api('GET', '/api/v1/me/quarantine', { token })).json.orders.filter((o) => o.status === 'active');

  await page.goto(`${srv.url}/#/me`);
  await tid('me-view').waitFor();
  await tid('todo-list').waitFor();
  const items = await page.$$eval('[data-testid="todo-list"] > li', (els) => els.map((e) => ({ kind: e.dataset.kind, text: e.innerText })));
  const retest = items.find((i) => i.kind === 'retest');
  assert.ok(retest, JSON.stringify(items));
  assert.match(retest.text, /Nguyễn Thị Mai/);
  assert.match(retest.text, /Cần xét nghiệm lại: mẫu gộp dương tính/);
  assert.match(retest.text, /Điểm lấy mẫu Nhà văn hoá Phúc Xá/);
  const dose = items.find((i) => i.kind === 'dose');
  assert.ok(dose, JSON.stringify(items));
  assert.match(dose.text, /Đã đến hạn tiêm mũi 2/);
  assert.equal(items.filter((i) => i.kind === 'quarantine').length, q.length, 'one line per active quarantine order');
  for (const i of items.filter((x) => x.kind === 'quarantine')) assert.match(i.text, /Đang cách ly đến hết ngày \d{2}\/\d{2}\/\d{4}/);
  for (const i of items) assert.doesNotMatch(i.text, ISO, i.text);
  await assertNoHorizontalOverflow(page, 'citizen home with things to do');
  await shot(page, 'home-01-todo');
  assert.deepEqual(page.errors, []);
});

test('a declaration\'s QR code is an image that decodes to the signed payload', async () => {
  await tid('go-declare').click();
  await tid('declare-view').waitFor();
  await tid('declare-submit').click();
  await tid('declare-result').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="declare-qr-img"]')?.naturalWidth > 0);
  assert.equal(await tid('declare-result').locator('code').count(), 0, 'no payload shown as text');
  const ref = (await tid('declare-reference').textContent()).trim();
  const src = await tid('declare-qr-img').getAttribute('src');
  const png = await download(srv, src, token, path.join(dir, 'decl.png'));
  const d = (await srv.api('GET', `/api/v1/declarations/${ref}`, { token })).json;
  assert.equal(decodePng(png).data, d.qr);
  await assertNoHorizontalOverflow(page, 'declaration with its QR image');
  await shot(page, 'home-02-declaration-qr');
});

test('an entry declaration picks the country by its name', async () => {
  await page.goto(`${srv.url}/#/me/declare?kind=entry`);
  await tid('declare-view').waitFor();
  const options = await tid('from-country').locator('option').allTextContents();
  assert.ok(options.includes('Hàn Quốc'), 'names in Vietnamese');
  assert.ok(!options.some((o) => /^[A-Z]{2}$/.test(o)), 'no bare codes');
  await tid('from-country').selectOption({ label: 'Hàn Quốc' });
  await tid('entry-point').fill('Sân bay quốc tế Nội Bài');
  await tid('declare-submit').click();
  await tid('declare-result').waitFor();
  const ref = (await tid('declare-reference').textContent()).trim();
  const d = (await srv.api('GET', `/api/v1/declarations/${ref}`, { token })).json;
  assert.equal(d.from_country, 'KR');
  await assertNoHorizontalOverflow(page, 'entry declaration');
  assert.deepEqual(page.errors, []);
});

test('results and health pages fit 360 px and show dates as dd/mm/yyyy', async () => {
  for (const [hash, view] of [['#/me/results', 'my-results'], ['#/me/health', null]]) {
    await page.goto(`${srv.url}/${hash}`);
    if (view) await tid(view).waitFor();
    await page.waitForFunction(() => !document.querySelector('#view [data-testid="loading"]'));
    await assertNoHorizontalOverflow(page, hash);
    const text = await page.locator('#view').innerText();
    assert.doesNotMatch(text, ISO, `${hash}: ${text.match(ISO)}`);
    await shot(page, `home-03-${view || 'health'}`);
  }
  assert.deepEqual(page.errors, []);
});
