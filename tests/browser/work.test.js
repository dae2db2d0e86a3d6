'use strict';
// Pending work by role in a real Chromium at 360 px, on the demo data: officials land on "Việc cần
// làm" with each count in words and the same counts beside the menu entries; a vaccinator and a
// lab see their counts beside their own entries; marking a flagged person called lowers the count.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, staffLogin: signIn } = require('../lib/browser');

let srv;
let pw;
let browser;
let page;

before(async () => {
  srv = await startServer();
  pw = srv.demo();
  browser = await launch();
  ({ page } = await phonePage(browser));
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const tid = (id) => page.getByTestId(id);

const staffLogin = (username) => signIn(page, srv.url, username, pw);

async function apiCounts(username) {
  const token = await srv.login(username, pw);
  return (await srv.api('GET', '/api/v1/work', { token })).json.counts;
}

const navCount = async (nav) => tid(`nav-${nav}-count`).getAttribute('data-count');

test('the commune admin lands on the work to do (above the situation of the commune), counted in words and in the menu', async () => {
  const counts = await apiCounts('phucxa.admin');
  const asked = [];
  const count = (req) => { if (new URL(req.url()).pathname === '/api/v1/work') asked.push(req.url()); };
  page.on('request', count);
  await staffLogin('phucxa.admin');
  await tid('work-view').waitFor();
  await tid('situation-view').waitFor();
  await page.waitForSelector('[data-testid="nav-flagged-count"]', { state: 'attached' });
  page.off('request', count);
  assert.equal(asked.length, 1, 'the menu and the page share one request for the counts');
  assert.match(await page.evaluate(() => window.location.hash), /^#\/situation$/);
  for (const [k, n] of Object.entries(counts)) {
    assert.equal(await tid(`work-${k}`).getAttribute('data-count'), String(n), k);
  }
  assert.equal(await tid('work-flagged_declarations').innerText(), `Người khai báo có triệu chứng chưa được gọi\n${counts.flagged_declarations}`);
  await page.waitForSelector('[data-testid="nav-flagged-count"]', { state: 'attached' });
  assert.equal(await navCount('flagged'), String(counts.flagged_declarations));
  assert.equal(await navCount('sampling'), String(counts.test_orders));
  assert.equal(await navCount('vax-sites'), String(counts.reschedule_requests + counts.doses_due));
  assert.equal(await navCount('testing-stats'), String(counts.results_pending));
  assert.equal(await navCount('work'), String(Object.values(counts).reduce((s, n) => s + n, 0)));
  await assertNoHorizontalOverflow(page, 'work page');
  await shot(page, 'work-01-official');

  // English keeps the counts beside the entries
  await tid('lang-en').click();
  await page.waitForFunction(() => /^Flagged declarations/.test(document.querySelector('[data-testid="nav-flagged"]').textContent));
  assert.equal(await navCount('flagged'), String(counts.flagged_declarations));
  await tid('lang-vi').click();

  // calling the flagged person lowers the count
  await tid('work-open-flagged_declarations').click();
  await tid('flagged-view').waitFor();
  const card = page.locator('[data-testid^="flagged-"][data-handled="false"]').first();
  const id = (await card.getAttribute('data-testid')).replace('flagged-', '');
  await tid(`flagged-mark-${id}`).click();
  await tid('flagged-handled').waitFor();
  await page.waitForFunction((n) => document.querySelector('[data-testid="nav-flagged-count"]')?.getAttribute('data-count') === String(n),
    counts.flagged_declarations - 1);
  assert.deepEqual(page.errors, []);
});

test('a vaccinator and a lab see their own counts beside their own entries', async () => {
  const vax = await apiCounts('phucxa.vaccinator');
  await staffLogin('phucxa.vaccinator');
  await page.waitForSelector('[data-testid="nav-vax-sites-count"]', { state: 'attached' });
  assert.equal(await navCount('vax-sites'), String(vax.reschedule_requests + vax.doses_due));
  assert.equal(await tid('nav-flagged').isVisible(), false);
  await tid('nav-work').click();
  await tid('work-doses_due').waitFor();
  assert.equal(await tid('work-venues_pending').count(), 0, 'no venue work for a vaccinator');
  await assertNoHorizontalOverflow(page, 'vaccinator work');

  const lab = await apiCounts('badinh.lab');
  await staffLogin('badinh.lab');
  await page.waitForSelector('[data-testid="nav-lab-count"]', { state: 'attached' });
  assert.equal(await navCount('lab'), String(lab.results_pending));
  assert.deepEqual(page.errors, []);
});
