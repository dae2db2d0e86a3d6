'use strict';
// The lab corrects a result on its results page, in a real Chromium on a phone-sized screen: the
// tube already has a positive result (a case); the page says so, asks for the right result and a
// reason (refused without one), and reports what the correction withdrew.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { testingSession, newPerson, cid, uniqueCccd } = require('../lib/testing-setup');

let srv;
let setup;
let browser;
let person;

const tid = (page, id) => page.getByTestId(id);
const attr = (page, id, name) => page.evaluate(([i, n]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n), [id, name]);

before(async () => {
  srv = await startServer();
  setup = await testingSession(srv, { poolSize: 1, tubes: 2 });
  person = await newPerson(srv, setup.officialToken, { full_name: 'Hồ Văn Sửa', cccd: uniqueCccd(), phone: '0915550177' });
  let r = await srv.api('POST', '/api/v1/testing/samples', {
    token: setup.samplerToken, body: { client_id: cid('smp'), session_id: setup.session.id, tube_id: setup.tubes[0], cccd: person.cccd },
  });
  assert.equal(r.status, 201, r.text);
  r = await srv.api('POST', '/api/v1/testing/results', { token: setup.labToken, body: { tube_id: setup.tubes[0], result: 'positive' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.summary.cases, 1);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('the lab corrects a positive to negative with a reason', async () => {
  const { page } = await phonePage(browser);
  await page.goto(`${srv.url}/#/login`);
  await tid(page, 'login-username').fill(setup.lab.username);
  await tid(page, 'login-password').fill(setup.password);
  await tid(page, 'login-submit').click();
  await tid(page, 'lab-view').waitFor();
  await page.goto(`${srv.url}/#/testing/results`);
  await tid(page, 'results-view').waitFor();
  await page.keyboard.type(setup.tubes[0]);
  await page.keyboard.press('Enter');
  await tid(page, 'result-step').waitFor();
  await tid(page, 'result-correct-note').waitFor();
  assert.equal(await attr(page, 'result-tube-current', 'data-result'), 'positive');
  assert.equal(await tid(page, 'result-reason').isVisible(), true);
  assert.equal((await tid(page, 'result-save').textContent()).trim(), 'Sửa kết quả');
  await page.keyboard.press('n');
  assert.equal(await attr(page, 'result-negative', 'aria-checked'), 'true');
  // No reason: refused on the page, nothing sent.
  await page.keyboard.press('Enter');
  await tid(page, 'field-error-reason').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'result-reason');
  // Typing the reason does not pick results (n, p, i are letters of it).
  await page.keyboard.type('Nhập nhầm ống, kiểm tra lại là âm tính');
  assert.equal(await attr(page, 'result-negative', 'aria-checked'), 'true');
  await assertNoHorizontalOverflow(page, 'correction form');
  await shot(page, 'testing-14-correct-form');
  await page.keyboard.press('Enter');
  await tid(page, 'result-corrected').waitFor();
  assert.equal(await attr(page, 'result-corrected', 'data-cases'), '1');
  assert.match(await tid(page, 'result-corrected').textContent(), /Đã sửa kết quả ống .*Đã rút 1 ca bệnh/s);
  assert.equal(await attr(page, `result-row-${setup.tubes[0]}`, 'data-corrected'), 'true');
  await assertNoHorizontalOverflow(page, 'correction done');
  await shot(page, 'testing-15-corrected');

  const t = await srv.api('GET', `/api/v1/testing/tubes/${setup.tubes[0]}`, { token: setup.labToken });
  assert.equal(t.json.result, 'negative');
  assert.deepEqual(t.json.members.map((m) => m.status), ['negative']);
  const audit = await srv.api('GET', '/api/v1/audit?limit=20', { token: setup.adminToken });
  assert.ok(audit.json.entries.some((e) => e.action === 'testing.result.correct' && e.subject_id === setup.tubes[0]));
  assert.deepEqual(page.errors, []);
});
