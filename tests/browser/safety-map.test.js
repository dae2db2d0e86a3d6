'use strict';
// The public COVID-safety map in a real Chromium on a phone-sized page, with no sign-in: the demo's
// facilities of Ba Đình drawn with Leaflet over the province outlines the server ships (no
// network), one marker per facility in its status's colour, the legend's counts, and the list
// view with the status in words; no sideways scrolling at 360 px.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');

let srv;
let browser;
let page;

before(async () => {
  srv = await startServer();
  const r = srv.cli(['demo']);
  assert.equal(r.status, 0, r.stderr);
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
