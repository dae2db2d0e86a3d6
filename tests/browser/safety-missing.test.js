'use strict';
// The commune's list of facilities not assessed today (#/safety/missing), in a real Chromium at
// 360 px, in Vietnamese: the demo's commune admin of Trúc Bạch (where the demo's factory and office
// have not assessed) finds it from the menu with its count, checks the factory on site from the list (the
// note is required), and the map then shows the factory unsafe and inspected; the list and the
// count lose it on the next load.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, assertNoHorizontalOverflow } = require('../lib/browser');

let srv;
let browser;
let page;
let password;

before(async () => {
  srv = await startServer();
  password = srv.demo();
  browser = await launch();
  ({ page } = await phonePage(browser));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('a commune admin checks a facility that did not assess today, from the list, on a phone', async () => {
  await page.goto(`${srv.url}/?as=trucbach.admin#/login`);
  await page.getByTestId('login-username').fill('trucbach.admin');
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('session').waitFor();

  // the menu entry, with the pending count of GET /api/v1/work
  const nav = page.getByTestId('nav-safety-missing');
  await page.getByTestId('nav-safety-missing-count').waitFor();
  assert.equal((await page.getByTestId('nav-safety-missing-count').textContent()).trim(), '2');
  assert.equal((await nav.textContent()).includes('Cơ sở chưa tự đánh giá'), true);
  await nav.click();
  await page.getByTestId('missing-list').waitFor();
  assert.equal(await nav.getAttribute('aria-current'), 'page');

  const cards = page.locator('[data-testid="missing-list"] > li');
  assert.equal(await cards.count(), 2);
  const factory = cards.filter({ hasText: 'Nhà máy' }).first();
  const id = (await factory.getAttribute('data-testid')).replace('missing-venue-', '');
  assert.match(await factory.textContent(), /Chưa đánh giá hôm nay/);
  const office = cards.filter({ hasText: 'Chưa có vị trí trên bản đồ' });
  assert.equal(await office.count(), 1, 'the office has no place on the map yet');
  await assertNoHorizontalOverflow(page, 'not assessed list');

  // on site: the note is required, then the status is saved
  await page.getByTestId(`missing-check-${id}`).click();
  const box = page.getByTestId(`missing-inspect-${id}`);
  await box.getByTestId('inspect-submit').click();
  await box.getByTestId('field-error-note').waitFor();
  await box.getByTestId('inspect-status').selectOption('unsafe');
  await box.getByTestId('inspect-note').fill('Công nhân không đeo khẩu trang, chưa dán mã QR.');
  await assertNoHorizontalOverflow(page, 'on-site check');
  await box.getByTestId('inspect-submit').click();
  await box.getByTestId('inspect-done').waitFor();
  assert.equal(await page.getByTestId(`missing-venue-${id}`).getAttribute('data-inspected'), 'true');

  // the public map follows; the list and the count lose the factory
  const map = await srv.api('GET', '/api/v1/public/safety?unit=00004');
  const f = map.json.features.find((x) => String(x.properties.venue_id) === id);
  assert.equal(f.properties.status, 'unsafe');
  assert.equal(f.properties.inspected, true);
  await page.reload();
  await page.getByTestId('missing-list').waitFor();
  assert.equal(await cards.count(), 1);
  assert.equal(await page.getByTestId(`missing-venue-${id}`).count(), 0);
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="nav-safety-missing-count"]');
    return c && c.textContent.trim() === '1';
  });
  assert.deepEqual(page.errors, []);
});

test('the English switch translates the page', async () => {
  await page.getByTestId('lang-en').click();
  await page.waitForFunction(() => /Facilities not assessed today/.test(document.querySelector('[data-testid="safety-missing-view"]').textContent));
  const text = await page.getByTestId('safety-missing-view').textContent();
  assert.match(text, /Not assessed today/);
  assert.doesNotMatch(text, /Chưa đánh giá hôm nay/);
  await page.getByTestId('lang-vi').click();
  assert.deepEqual(page.errors, []);
});
