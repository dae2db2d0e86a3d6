'use strict';
// Sites, sessions and sampler assignment on screen, in a real Chromium on a phone-sized screen:
// the commune health official opens a sampling site, opens a session there with one sampler,
// assigns a second sampler; each sampler then sees the session on their own list, dated
// dd/mm/yyyy. The sampling page's call list shows a positive pool's people to retest, with the
// phone to call (a child's is their parent's).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { testingSession, todayVn } = require('../lib/testing-setup');
const { createAccount, UNITS, PASSWORD } = require('../lib/fixtures');
const { cid } = require('../lib/testing-setup');
const { person } = require('../lib/tracing-setup');
const { citizenLogin, addFamily } = require('../lib/checkin');

let srv;
let setup;
let browser;
let second;

const tid = (page, id) => page.getByTestId(id);
const attr = (page, id, name) => page.evaluate(([i, n]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n), [id, name]);

async function signIn(page, username) {
  await page.goto(`${srv.url}/#/login`);
  await tid(page, 'login-username').fill(username);
  await tid(page, 'login-password').fill(PASSWORD);
  await tid(page, 'login-submit').click();
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
}

before(async () => {
  srv = await startServer();
  setup = await testingSession(srv, { tubes: 1 });
  second = await createAccount(srv, setup.adminToken, { username: 'lay.mau.hai', role: 'sampler', unit_code: UNITS.phucXa, full_name: 'Ngô Thị Hai' });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('the commune official opens a site and a session and assigns samplers; the samplers see it', async () => {
  const { page } = await phonePage(browser);
  await signIn(page, setup.official.username);
  await page.goto(`${srv.url}/#/testing/sessions`);
  await tid(page, 'go-sites').click();
  await tid(page, 'sites-view').waitFor();
  await tid(page, 'sites-list').waitFor();

  // A new site in the official's commune.
  await tid(page, 'site-new').locator('summary').click();
  await tid(page, 'site-submit').click();
  await tid(page, 'field-error-name').waitFor();
  await tid(page, 'site-name').fill('Trạm y tế Phúc Xá');
  await tid(page, 'site-address').fill('Số 1 Phúc Xá');
  await tid(page, 'site-submit').click();
  const card = page.locator('[data-testid^="site-"]', { hasText: 'Trạm y tế Phúc Xá' }).first();
  await card.waitFor();
  const siteId = (await card.getAttribute('data-testid')).replace('site-', '');
  assert.match(await card.textContent(), /Phúc Xá/);

  // A session there today, with the first sampler.
  await tid(page, `session-new-${siteId}`).locator('summary').click();
  assert.equal(await tid(page, `session-date-${siteId}`).inputValue(), todayVn());
  await tid(page, `session-lab-${siteId}`).getByText('Ba Đình').waitFor();
  await tid(page, `session-team-${siteId}`).fill('Tổ 2');
  await tid(page, `session-pool-${siteId}`).fill('5');
  await tid(page, `session-sampler-${siteId}`).selectOption(String(setup.sampler.id));
  await tid(page, `session-submit-${siteId}`).click();
  const row = page.locator(`[data-testid="site-sessions-${siteId}"] > li`).first();
  await row.waitFor();
  const sessionId = (await row.getAttribute('data-testid')).replace('site-session-', '');
  const [y, m, d] = todayVn().split('-');
  assert.match(await row.textContent(), new RegExp(`${d}/${m}/${y}`));
  assert.doesNotMatch(await row.textContent(), /\d{4}-\d{2}-\d{2}/);
  await tid(page, `session-sampler-${sessionId}-${setup.sampler.id}`).waitFor();
  assert.match(await tid(page, `session-samplers-${sessionId}`).textContent(), /Đỗ Văn Mẫu/);

  // The second sampler, assigned afterwards.
  await tid(page, `assign-submit-${sessionId}`).click();
  await tid(page, 'field-error-account_id').waitFor();
  await tid(page, `assign-select-${sessionId}`).selectOption(String(second.id));
  await tid(page, `assign-submit-${sessionId}`).click();
  await tid(page, `session-sampler-${sessionId}-${second.id}`).waitFor();
  assert.equal(await attr(page, `session-samplers-${sessionId}`, 'data-count'), '2');
  await assertNoHorizontalOverflow(page, 'sites page');
  await shot(page, 'testing-16-sites');
  assert.deepEqual(page.errors, []);

  // Each sampler sees it on their list.
  for (const who of [setup.sampler.username, second.username]) {
    const { page: p } = await phonePage(browser);
    await signIn(p, who);
    await tid(p, `session-row-${sessionId}`).waitFor();
    assert.match(await tid(p, `session-row-${sessionId}`).textContent(), new RegExp(`${d}/${m}/${y}.*Tổ 2`));
    assert.equal(await tid(p, 'go-sites').count(), 0, 'samplers do not manage sites');
  }
  const s = await srv.api('GET', `/api/v1/testing/sessions/${sessionId}`, { token: setup.officialToken });
  assert.equal(s.json.pool_size, 5);
  assert.deepEqual(s.json.samplers.sort(), [setup.sampler.id, second.id].sort());
});

test('the call list shows a positive pool to retest, with the phone to call', async () => {
  const a = await person(srv, setup.officialToken, 'Trần Văn Gọi');
  const parent = await citizenLogin(srv, setup.adminToken);
  const kid = await addFamily(srv, parent.token, 'Vũ Bé Gọi');
  const qr = await srv.api('GET', `/api/v1/me/qr?person_id=${kid.id}`, { token: parent.token });
  for (const ident of [{ cccd: a.cccd }, { person_qr: qr.json.payload }]) {
    const r = await srv.api('POST', '/api/v1/testing/samples', {
      token: setup.samplerToken, body: { client_id: cid('smp'), session_id: setup.session.id, tube_id: setup.tubes[0], ...ident },
    });
    assert.equal(r.status, 201, r.text);
  }
  const res = await srv.api('POST', '/api/v1/testing/results', { token: setup.labToken, body: { tube_id: setup.tubes[0], result: 'positive' } });
  assert.equal(res.json.summary.retest_orders, 2);

  const { page } = await phonePage(browser);
  await signIn(page, setup.official.username);
  await page.goto(`${srv.url}/#/testing/sessions`);
  const row = (id) => page.locator(`[data-testid="calls"] [data-person="${id}"]`);
  await row(a.id).waitFor();
  assert.equal(await row(a.id).getAttribute('data-kind'), 'retest');
  assert.match(await row(a.id).textContent(), /Xét nghiệm lại: mẫu gộp dương tính/);
  assert.equal(await row(a.id).locator('a[href^="tel:"]').getAttribute('href'), `tel:${a.phone}`);
  assert.equal(await row(kid.id).locator('a[href^="tel:"]').getAttribute('href'), `tel:${parent.phone}`);
  assert.match(await row(kid.id).textContent(), /số của người quản lý/);
  assert.equal(await row(a.id).locator('button').count(), 0, 'a call list, not a collection page');
  await assertNoHorizontalOverflow(page, 'call list');
  await shot(page, 'testing-17-calls');
  assert.deepEqual(page.errors, []);
});
