'use strict';
// A tracer on a 360 px phone while a batch of 100 cases is still being written: trace runs are
// answered once queued and their contacts written behind them, so a page read meanwhile says
// that results are still coming (the Cordon-Runs-Behind header, shown above the page), and stops
// saying so once everything is written.  This server's readers do not wait for the writer
// (tracing_settle_ms = 0), so the state in between is seen.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, createAccount, PASSWORD } = require('../lib/fixtures');
const { launch, phonePage, shot } = require('../lib/browser');
const { staffSignIn, crowdedCases } = require('../lib/tracing-setup');
const { venueOwner } = require('../lib/checkin');

let srv;
let browser;

before(async () => { srv = await startServer({ env: { CORDON_TRACING_SETTLE_MS: '0' } }); });
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('pages read while a batch is written say how many cases are still being written', async () => {
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, admin, { username: 'rb.truy.vet', role: 'tracer', unit_code: UNITS.phucXa });
  await createAccount(srv, admin, { username: 'rb.tram.yte', role: 'commune_admin', unit_code: UNITS.phucXa });
  const tracer = await srv.login('rb.truy.vet', PASSWORD);
  const official = await srv.login('rb.tram.yte', PASSWORD);
  const owner = (await venueOwner(srv, admin, 'rb.chu.quan', UNITS.phucXa)).token;
  const ids = await crowdedCases(srv, { admin, tracer, owner, official, name: 'Đặng' });

  browser = await launch();
  const { page } = await phonePage(browser);
  await staffSignIn(page, srv.url, 'rb.truy.vet');
  await page.waitForURL(/#\/(?!login)/);
  await page.goto(`${srv.url}/#/tracing/cases?unit=${UNITS.phucXa}`);
  await page.getByTestId('cases-list').waitFor();
  const banner = page.getByTestId('banner');
  assert.equal(await banner.isVisible(), false, 'nothing queued yet');

  const r = await srv.api('POST', '/api/v1/tracing/runs', { token: tracer, body: { case_ids: ids } });
  assert.equal(r.status, 201, r.text);
  // the list read again at once: its answer says the runs are still being written
  await page.goto(`${srv.url}/#/tracing/cases?unit=${UNITS.phucXa}&status=confirmed`);
  await banner.waitFor({ state: 'visible' });
  const text = await banner.textContent();
  const n = Number((text.match(/Kết quả truy vết của (\d+) ca đang được ghi/) || [])[1]);
  assert.ok(n >= 1 && n <= ids.length, text);
  await shot(page, 'runs-behind');

  // once the writer is done (the API waits for it), pages say nothing more
  const last = ids[ids.length - 1];
  const t0 = Date.now();
  for (;;) {
    const x = await srv.api('GET', `/api/v1/tracing/runs?case_id=${last}`, { token: tracer });
    if (!x.headers.get('cordon-runs-behind') && x.json.runs.every((y) => !y.pending)) break;
    assert.ok(Date.now() - t0 < 60000, 'the writer did not finish within a minute');
    await new Promise((res) => setTimeout(res, 100));
  }
  await page.goto(`${srv.url}/#/tracing/cases/${last}`);
  await page.getByTestId('run-panel').waitFor();
  await page.goto(`${srv.url}/#/tracing/cases?unit=${UNITS.phucXa}`);
  await page.getByTestId('cases-list').waitFor();
  assert.equal(await banner.isVisible(), false, 'written: no more word of it');
  assert.deepEqual(page.errors, []);
});
