'use strict';
// The public COVID-safety map in a real Chromium on a phone-sized page, with no sign-in: the demo's
// facilities of Ba Đình drawn with Leaflet over the province outlines the server ships (no
// network), one marker per facility in its status's colour, the legend's counts, and the list
// view with the status in words; no sideways scrolling at 360 px. Then the market's owner assesses
// it on the venue's page and the commune inspects the noodle shop: the map follows.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');

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

test('anyone sees the facilities of a district on the map and in a list', async () => {
  await page.goto(`${srv.url}/#/safety?unit=001`);
  await page.locator('[data-testid="safety-map"][data-ready="1"]').waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('safety-map').getAttribute('data-background'), 'outlines');
  assert.equal(await page.getByTestId('safety-map').getAttribute('data-points'), '5');
  const markers = await page.evaluate(() => Object.fromEntries(['safe', 'at_risk', 'unsafe', 'not_assessed']
    .map((s) => [s, document.querySelectorAll(`path.map-point-${s}`).length])));
  assert.deepEqual(markers, { safe: 2, at_risk: 1, unsafe: 1, not_assessed: 1 });
  for (const [s, n] of [['safe', 2], ['at_risk', 1], ['unsafe', 1], ['not_assessed', 1]]) {
    assert.equal(await page.getByTestId(`safety-count-${s}`).getAttribute('data-count'), String(n));
  }
  const rows = await page.evaluate(() => [...document.querySelectorAll('[data-testid="safety-list"] > li')]
    .map((li) => [li.getAttribute('data-status'), li.textContent]));
  assert.equal(rows.length, 5);
  assert.equal(rows[0][0], 'unsafe', 'the unsafe first');
  assert.match(rows[0][1], /Phòng khám đa khoa Trúc Bạch.*Không an toàn.*Đã kiểm tra tại chỗ/);
  assert.ok(rows.some(([s, t]) => s === 'not_assessed' && /Xưởng may Trúc Bạch.*Chưa đánh giá hôm nay/.test(t)));
  assert.doesNotMatch(await page.getByTestId('safety-view').textContent(), /at_risk|not_assessed|unsafe/);
  await assertNoHorizontalOverflow(page, 'safety map');
  await shot(page, 'safety-01-map');

  await page.locator('.lang-btn[data-lang="en"]').click();
  await page.waitForFunction(() => /Not assessed today/.test(document.querySelector('[data-testid="safety-list"]').textContent));
  await page.locator('.lang-btn[data-lang="vi"]').click();
  assert.deepEqual(page.errors, []);
});

test('a commune with no facility says so', async () => {
  await page.goto(`${srv.url}/#/safety?unit=26734`);
  await page.getByTestId('safety-empty').waitFor();
  assert.equal(await page.getByTestId('safety-count-safe').getAttribute('data-count'), '0');
  await assertNoHorizontalOverflow(page, 'safety map, empty');
  assert.deepEqual(page.errors, []);
});

async function signIn(username) {
  await page.goto(`${srv.url}/?as=${username}#/login`);
  await page.getByTestId('login-view').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('session').waitFor();
}

async function venueId(name) {
  const r = await srv.api('GET', '/api/v1/public/safety?unit=00001');
  return r.json.features.find((f) => f.properties.name === name).properties.venue_id;
}

test('the owner assesses the market, the commune inspects the noodle shop; the map follows', async () => {
  const market = await venueId('Chợ Phúc Xá');
  const pho = await venueId('Phở Gia Truyền Phúc Xá');
  await signIn('phucxa.shop');
  await page.goto(`${srv.url}/#/venues/${market}`);
  await page.getByTestId('safety-check-masks').waitFor();
  for (const box of await page.locator('[data-testid="safety-checks"] input[type=checkbox]').all()) await box.check();
  await assertNoHorizontalOverflow(page, 'self-assessment');
  await page.getByTestId('safety-submit').click();
  await page.getByTestId('safety-done').waitFor();
  assert.equal(await page.getByTestId('safety-done').getAttribute('data-status'), 'safe');
  assert.match(await page.getByTestId('safety-done').textContent(), /An toàn.*100\/100/);
  await page.getByTestId('logout').click();

  await signIn('phucxa.admin');
  await page.goto(`${srv.url}/#/venues/${pho}`);
  await page.getByTestId('inspect-form').waitFor();
  await page.getByTestId('inspect-submit').click();
  await page.getByTestId('field-error-note').waitFor();
  await page.getByTestId('inspect-status').selectOption('unsafe');
  await page.getByTestId('inspect-note').fill('Bàn ghế sát nhau, không có nước rửa tay.');
  await page.getByTestId('inspect-submit').click();
  await page.getByTestId('inspect-done').waitFor();

  await page.goto(`${srv.url}/#/safety?unit=00001`);
  await page.locator('[data-testid="safety-map"][data-ready="1"]').waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId(`safety-facility-${market}`).getAttribute('data-status'), 'safe');
  assert.equal(await page.getByTestId(`safety-facility-${pho}`).getAttribute('data-status'), 'unsafe');
  assert.deepEqual(page.errors, []);
});
