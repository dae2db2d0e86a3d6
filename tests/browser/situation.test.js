'use strict';
// A district official signs in on a phone and lands on the situation of the district: today's
// and the week's new cases (one found in quarantine, one in the community), a card per commune
// with its figures, the unknown-place card; opens a commune, changes the date, follows a figure
// to the list behind it; the page is Vietnamese (dd/mm/yyyy, no raw codes) with the English
// switch, and fits a 360 px screen.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn, clientId } = require('../lib/tracing-setup');
const { createPerson } = require('../lib/people');
const { vnToday } = require('../lib/vn-time');

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

async function ok(r, status, what) {
  assert.ok([].concat(status).includes(r.status), `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const dmy = (ymd) => ymd.split('-').reverse().join('/');

describe('the district official reads the situation of the district', () => {
  let browser;
  let page;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    const admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, admin, { username: 'sit.dist', role: 'district_admin', unit_code: UNITS.baDinh });
    await createAccount(srv, admin, { username: 'sit.tracer', role: 'tracer', unit_code: UNITS.baDinh });
    const tracer = await srv.login('sit.tracer', PASSWORD);
    const a = (await ok(await srv.api('POST', '/api/v1/people', { token: tracer,
      body: { full_name: 'Ngô Văn Cách', date_of_birth: '1970-01-01', commune_code: UNITS.phucXa } }), 201, 'person')).person;
    await ok(await srv.api('POST', '/api/v1/quarantine/orders', { token: tracer, body: { client_id: clientId(),
      person_id: a.id, kind: 'home', address: '3 Phúc Xá', days: 14, checkins_per_day: 2, radius_m: 100 } }), 201, 'order');
    await ok(await srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: clientId(),
      person_id: a.id, test_date: vnToday() } }), 201, 'case in quarantine');
    const b = (await createPerson(srv, tracer, { full_name: 'Lý Thị Cộng', commune_code: UNITS.trucBach })).person;
    await ok(await srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: clientId(),
      person_id: b.id, test_date: vnToday() } }), 201, 'case in the community');
    browser = await launch();
    ({ page } = await phonePage(browser));
    await staffSignIn(page, srv.url, 'sit.dist');
  });
  after(async () => { if (browser) await browser.close(); });

  test('the official lands on the situation of the district, with a card per commune', async () => {
    await tid('situation-view').waitFor();
    assert.match(page.url(), /#\/situation/);
    await tid('situation-summary').waitFor();
    assert.match(await tid('situation-unit').textContent(), /Ba Đình/);
    assert.match(await tid('situation-unit').textContent(), new RegExp(dmy(vnToday())), 'the date as dd/mm/yyyy');
    const f0 = await tid('fig-new_f0').locator('td').allTextContents();
    assert.deepEqual(f0, ['2', '2', '2']);
    assert.deepEqual(await tid('fig-new_f0_in_quarantine').locator('td').allTextContents(), ['1', '1', '1']);
    assert.deepEqual(await tid('fig-new_f0_community').locator('td').allTextContents(), ['1', '1', '1']);
    assert.deepEqual(await tid('fig-in_quarantine').locator('td').allTextContents(), ['1']);
    assert.deepEqual(await tid('fig-positivity').locator('td').allTextContents(), ['—', '—', '—']);
    assert.equal(await tid(`situation-row-${UNITS.phucXa}`).getAttribute('data-new-f0-7d'), '1');
    assert.equal(await tid(`situation-row-${UNITS.trucBach}`).getAttribute('data-new-f0-7d'), '1');
    assert.match(await tid('situation-unknown').textContent(), /Chưa rõ nơi ở/);
    const text = await tid('situation-view').textContent();
    assert.doesNotMatch(text, new RegExp(`\\b(${UNITS.phucXa}|${UNITS.baDinh})\\b`), 'no raw unit code');
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}/, 'no ISO date');
    // The charts, drawn with the vendored uPlot: the curve holds the two cases of today.
    await page.waitForFunction(() => ['1', 'error'].includes(document.querySelector('[data-testid="situation-charts"]')?.dataset.ready));
    assert.equal(await tid('situation-charts').getAttribute('data-error'), null);
    assert.equal(await tid('chart-curve').getAttribute('data-total'), '2');
    assert.equal(await tid('chart-curve').locator('canvas').count(), 1);
    assert.equal(await tid('chart-tests').getAttribute('data-total'), '0');
    assert.equal(await tid('chart-coverage').getAttribute('data-last'), '', 'no population: no coverage line');
    // The daily report, downloaded from the page with the session's cookie.
    const href = await tid('report-pdf').getAttribute('href');
    const pdf = await page.evaluate(async (u) => { const r = await fetch(u, { credentials: 'same-origin' }); return [r.status, r.headers.get('content-type')]; }, href);
    assert.deepEqual(pdf, [200, 'application/pdf']);
    await assertNoHorizontalOverflow(page, 'situation of the district');
    await shot(page, 'situation-01-district');
  });

  test('the English switch translates the page', async () => {
    await tid('lang-en').click();
    assert.match(await tid('fig-new_f0').textContent(), /New F0/);
    assert.match(await tid('situation-unknown').textContent(), /Unknown place/);
    await tid('lang-vi').click();
    assert.match(await tid('fig-new_f0').textContent(), /F0 mới/);
  });

  test('a commune opens from its card; an earlier date moves the windows', async () => {
    await tid(`drill-${UNITS.phucXa}`).count().then((n) => assert.equal(n, 0, 'communes are the last level'));
    await page.goto(`${srv.url}/#/situation?unit=${UNITS.phucXa}`);
    await page.waitForFunction((c) => document.querySelector('[data-testid="situation-unit"]')?.dataset.code === c, UNITS.phucXa);
    assert.deepEqual(await tid('fig-new_f0').locator('td').allTextContents(), ['1', '1', '1']);
    await tid('situation-up').waitFor();
    await tid('situation-date').fill(vnToday(-1));
    await tid('situation-apply').click();
    await page.waitForFunction((d) => location.hash.includes(`date=${d}`), vnToday(-1));
    await page.waitForFunction(() => document.querySelector('[data-testid="fig-new_f0"] td')?.textContent === '0');
    assert.deepEqual(await tid('fig-new_f0').locator('td').allTextContents(), ['0', '0', '0']);
    await assertNoHorizontalOverflow(page, 'situation of a commune, the day before');
    await tid('situation-up').click();
    await page.waitForFunction((c) => document.querySelector('[data-testid="situation-unit"]')?.dataset.code === c, UNITS.baDinh);
  });

  test('a figure leads to the list behind it', async () => {
    await tid('situation-summary').waitFor();
    await tid('fig-in_quarantine').locator('a').click();
    await tid('orders-view').waitFor();
    assert.match(page.url(), new RegExp(`#/quarantine/orders\\?unit=${UNITS.baDinh}`));
  });

  test('no script errors on the way', () => {
    assert.deepEqual(page.errors, []);
  });
});

describe('the province official uploads populations and reads coverage', () => {
  let browser;
  let page;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    const admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, admin, { username: 'sit.prov', role: 'province_admin', unit_code: UNITS.hanoi });
    browser = await launch();
    ({ page } = await phonePage(browser));
    await staffSignIn(page, srv.url, 'sit.prov');
    await tid('situation-view').waitFor();
  });
  after(async () => { if (browser) await browser.close(); });

  test('a unit without a population says so instead of a rate', async () => {
    await page.goto(`${srv.url}/#/situation?unit=${UNITS.baDinh}`);
    await tid('fig-coverage_dose1').waitFor();
    assert.match(await tid('fig-coverage_dose1').textContent(), /chưa rõ dân số/);
  });

  test('the upload reports its bad rows by line; the table shows the figures, unknown where missing', async () => {
    await tid('to-populations').click();
    await tid('populations-view').waitFor();
    await tid(`pop-row-${UNITS.phucXa}`).waitFor();
    const csv = ['unit_code,total,age_18_plus,age_50_plus,age_65_plus', `${UNITS.baDinh},221893,170000,60000,20000`,
      `${UNITS.phucXa},24000,,,`, `${UNITS.trucBach},nhiều,,,`].join('\n');
    await tid('pop-file').setInputFiles({ name: 'dan-so.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await tid('pop-upload').click();
    await tid('pop-summary').waitFor();
    assert.equal(await tid('pop-summary').getAttribute('data-valid'), '2');
    assert.equal(await tid('pop-error-4').getAttribute('data-field'), 'total');
    assert.match(await tid('pop-error-4').textContent(), /Không phải số người/, 'the reason in Vietnamese');
    await page.waitForFunction((c) => document.querySelector(`[data-testid="pop-row-${c}"] [data-band="all"]`)?.textContent.match(/24[.,]000/), UNITS.phucXa);
    assert.match(await tid(`pop-row-${UNITS.phucXa}`).locator('[data-band="50"]').textContent(), /chưa rõ/);
    assert.match(await tid(`pop-row-${UNITS.trucBach}`).locator('[data-band="all"]').textContent(), /chưa rõ/);
    await assertNoHorizontalOverflow(page, 'populations');
    await shot(page, 'situation-02-populations');
  });

  test('coverage is then a percentage of the unit\'s own population', async () => {
    await page.goto(`${srv.url}/#/situation?unit=${UNITS.baDinh}`);
    await page.waitForFunction(() => /%/.test(document.querySelector('[data-testid="fig-coverage_dose1"] td')?.textContent || ''));
    assert.match(await tid('fig-coverage_dose1').locator('td').textContent(), /^0 %$/);
    // the coverage chart now has a population to divide by: 0 % on the last day
    await page.waitForFunction(() => document.querySelector('[data-testid="situation-charts"]')?.dataset.ready === '1');
    assert.equal(await tid('chart-coverage').getAttribute('data-last'), '0');
    assert.match(await tid('fig-coverage_dose1_50').locator('td').textContent(), /0 %/);
    assert.match(await tid(`situation-row-${UNITS.trucBach}`).textContent(), /chưa rõ dân số/);
    await assertNoHorizontalOverflow(page, 'situation with coverage');
  });

  test('no script errors on the way', () => {
    assert.deepEqual(page.errors, []);
  });
});

describe('anyone reads the epidemic levels without signing in', () => {
  let browser;
  let page;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    // Populations from the previous part: Phúc Xá has 24,000 people and one case, found in
    // quarantine (not a community case); Trúc Bạch has one community case and no population.
    const prov = await srv.login('sit.prov', PASSWORD);
    const r = await srv.api('POST', '/api/v1/levels/raises', { token: prov,
      body: { unit: UNITS.baDinh, level: 3, reason: 'Chùm ca bệnh tại chợ', days: 2 } });
    assert.equal(r.status, 201, r.text);
    browser = await launch();
    ({ page } = await phonePage(browser));
  });
  after(async () => { if (browser) await browser.close(); });

  test('the public page shows the district\'s level with its reason, the communes coloured, 14 days of history', async () => {
    await page.goto(`${srv.url}/#/levels?unit=${UNITS.baDinh}`);
    await tid('levels-unit').waitFor();
    assert.equal(await tid('levels-unit-level').getAttribute('data-level'), '3');
    assert.match(await tid('levels-unit-level').textContent(), /Cấp 3/);
    assert.match(await tid('levels-raise-reason').textContent(), /Chùm ca bệnh tại chợ/);
    assert.equal(await tid('levels-history').locator('li').count(), 14);
    assert.equal(await tid(`levels-row-${UNITS.phucXa}`).getAttribute('data-level'), '1');
    assert.equal(await tid(`levels-row-${UNITS.trucBach}`).getAttribute('data-level'), '', 'no population, no level');
    assert.match(await tid(`levels-row-${UNITS.trucBach}`).textContent(), /Chưa xác định/);
    const text = await tid('levels-view').textContent();
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}/, 'no ISO date');
    await assertNoHorizontalOverflow(page, 'public levels');
    await shot(page, 'situation-03-levels');
    await tid(`levels-row-${UNITS.phucXa}`).locator('a').click();
    await page.waitForFunction((c) => document.querySelector('[data-testid="levels-unit"]')?.dataset.code === c, UNITS.phucXa);
  });

  test('the nation\'s page maps the provinces coloured by level, over the shipped outlines', async () => {
    const prov = await srv.login('sit.prov', PASSWORD);
    const r = await srv.api('POST', '/api/v1/levels/raises', { token: prov,
      body: { unit: UNITS.hanoi, level: 2, reason: 'Theo dõi chặt', days: 1 } });
    assert.equal(r.status, 201, r.text);
    await page.goto(`${srv.url}/#/levels`);
    await page.waitForFunction(() => ['1', 'error'].includes(document.querySelector('[data-testid="levels-map"]')?.dataset.ready));
    assert.equal(await tid('levels-map').getAttribute('data-error'), null);
    assert.equal(await tid('levels-map').getAttribute('data-filled'), '1', 'Hà Nội, raised; the others have no population');
    assert.ok(await tid('levels-map').locator('path[fill="#f2c300"]').count() >= 1, 'Hà Nội in yellow');
    assert.equal(await tid(`levels-row-${UNITS.hanoi}`).getAttribute('data-level'), '2');
    await assertNoHorizontalOverflow(page, 'levels of the nation');
    await shot(page, 'situation-04-levels-map');
  });

  test('no script errors on the way', () => {
    assert.deepEqual(page.errors, []);
  });
});

describe('the national admin edits the rules; a province admin raises a level from a form', () => {
  let browser;
  let page;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    browser = await launch();
    ({ page } = await phonePage(browser));
  });
  after(async () => { if (browser) await browser.close(); });

  test('the national admin lands on a map of the provinces shaded by any figure', async () => {
    await staffSignIn(page, srv.url, srv.adminUsername, srv.adminPassword);
    await tid('situation-view').waitFor();
    const mapReady = () => page.waitForFunction(() => ['1', 'error'].includes(document.querySelector('[data-testid="situation-map"]')?.dataset.ready));
    await mapReady();
    assert.equal(await tid('situation-map').getAttribute('data-error'), null);
    assert.equal(await tid('situation-map').getAttribute('data-figure'), 'new_f0');
    assert.ok(Number(await tid('situation-map').getAttribute('data-filled')) >= 63, 'a count for every province');
    assert.ok(await tid('situation-map').locator('path[fill="#b71c1c"]').count() >= 1, 'Hà Nội, the most cases, darkest');
    await tid('map-figure').selectOption('coverage_dose1');
    await page.waitForFunction(() => document.querySelector('[data-testid="situation-map"]')?.dataset.figure === 'coverage_dose1');
    await mapReady();
    assert.equal(await tid('situation-map').getAttribute('data-filled'), '0', 'no province population: no coverage');
    await assertNoHorizontalOverflow(page, 'situation of the nation');
  });

  test('the national admin changes the level 2 threshold', async () => {
    await tid('to-levels-manage').click();
    await tid('rules-form').waitFor();
    assert.equal(await tid('rules-t2').inputValue(), '20');
    await tid('rules-t2').fill('10');
    await tid('rules-save').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="rules-saved"]')?.textContent.length > 0);
    const token = await srv.login(srv.adminUsername, srv.adminPassword);
    const r = await srv.api('GET', '/api/v1/levels/rules', { token });
    assert.deepEqual(r.json.case_thresholds, [10, 50, 150]);
    assert.equal(await tid('raise-form').count(), 1);
    await assertNoHorizontalOverflow(page, 'level rules');
  });

  test('a province admin raises a commune\'s level with a reason; a missing reason is named', async () => {
    await page.evaluate(() => fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }));
    await staffSignIn(page, srv.url, 'sit.prov');
    await tid('situation-view').waitFor();
    await page.goto(`${srv.url}/#/levels/manage`);
    await tid('raise-form').waitFor();
    assert.equal(await tid('rules-t2').isDisabled(), true, 'only national admins edit the rules');
    await tid('raise-unit').fill(UNITS.phucXa);
    await tid('raise-level').selectOption('4');
    await tid('raise-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="raise-form"] [data-field="reason"].has-error, [data-testid="raise-form"] [aria-invalid="true"], [data-testid="raise-form"] .form-errors *'));
    await tid('raise-reason').fill('Ổ dịch mới tại khu tập thể');
    await tid('raise-submit').click();
    await tid('raise-done').locator('.alert').waitFor();
    await page.goto(`${srv.url}/#/levels?unit=${UNITS.phucXa}`);
    await page.waitForFunction(() => document.querySelector('[data-testid="levels-unit-level"]')?.dataset.level === '4');
    assert.match(await tid('levels-raise-reason').textContent(), /Ổ dịch mới tại khu tập thể/);
    await assertNoHorizontalOverflow(page, 'raised level');
  });

  test('no script errors on the way', () => {
    assert.deepEqual(page.errors, []);
  });
});
