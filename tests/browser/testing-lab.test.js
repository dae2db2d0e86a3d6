'use strict';
// The lab and the return of results, in a real Chromium:
//  1. the lab receives a session's tubes (typed ids; missing and unexpected listed);
//  2. the lab enters results with the keyboard only: tube id, Enter, N or P, Ct, Enter;
//  3. a result file: the check lists each bad row with its line, then the valid rows apply;
//  4. the citizen signs in and sees their result and their family member's on the home page;
//     anyone looks a result up by CCCD and date of birth; an official sees the figures.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');
const { citizenWithProfile } = require('../lib/people');
const { testingSession, newPerson, cid, uniqueCccd } = require('../lib/testing-setup');
const { UNITS } = require('../lib/fixtures');

const CITIZEN_PHONE = '0915550123';

let srv;
let setup;
let citizen;   // { token, person }
let member;    // a family member the citizen manages
let others;
let browser;

const tid = (page, id) => page.getByTestId(id);
const attr = (page, id, name) => page.evaluate(([i, n]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n), [id, name]);
const waitAttr = (page, id, name, value, timeout = 15000) => page.waitForFunction(
  ([i, n, v]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n) === v, [id, name, String(value)], { timeout });
const focused = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));

async function collect(tube, who) {
  const r = await srv.api('POST', '/api/v1/testing/samples', {
    token: setup.samplerToken, body: { client_id: cid('smp'), session_id: setup.session.id, tube_id: tube, ...who },
  });
  assert.equal(r.status, 201, r.text);
}

before(async () => {
  srv = await startServer();
  setup = await testingSession(srv, { tubes: 4 });
  citizen = await citizenWithProfile(srv, setup.adminToken, CITIZEN_PHONE, { full_name: 'Lê Thị Hoa', cccd: uniqueCccd(), date_of_birth: '1980-03-15' });
  const fam = await srv.api('POST', '/api/v1/me/family', {
    token: citizen.token,
    body: { full_name: 'Lê Minh Khôi', date_of_birth: '2012-06-01', sex: 'male', commune_code: UNITS.phucXa, cccd: uniqueCccd() },
  });
  assert.equal(fam.status, 201, fam.text);
  member = fam.json.person || fam.json;
  others = [];
  for (const n of ['Bảo', 'Cúc', 'Đào']) others.push(await newPerson(srv, setup.officialToken, { full_name: `Hồ Văn ${n}`, cccd: uniqueCccd() }));
  // Tube 0: the citizen and a neighbour (pooled). Tube 1: the family member alone. Tube 2: one more.
  await collect(setup.tubes[0], { cccd: citizen.person.cccd });
  await collect(setup.tubes[0], { cccd: others[0].cccd });
  await collect(setup.tubes[1], { cccd: member.cccd });
  await collect(setup.tubes[2], { cccd: others[1].cccd });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

describe('the lab', () => {
  let page;

  before(async () => {
    ({ page } = await phonePage(browser));
    await page.setViewportSize({ width: 1024, height: 768 });
  });

  test('signs in, sees the session sent to it, marks tubes received', async () => {
    await page.goto(`${srv.url}/#/login`);
    await tid(page, 'login-username').fill(setup.lab.username);
    await tid(page, 'login-password').fill(setup.password);
    await tid(page, 'login-submit').click();
    await tid(page, 'lab-view').waitFor();
    await tid(page, `lab-session-open-${setup.session.id}`).click();
    await tid(page, 'manifest-view').waitFor();
    assert.match(await tid(page, 'manifest-figures').textContent(), /3 ống, 4 người/);
    await tid(page, 'receipt-input').fill(`${setup.tubes[0]} ${setup.tubes[1].toLowerCase()}, TZZZZZZZZZ`);
    await tid(page, 'receipt-input').press('Enter');
    await waitAttr(page, 'receipt-count', 'data-count', 3);
    await tid(page, 'receipt-submit').click();
    await tid(page, 'receipt-received').waitFor();
    assert.equal(await attr(page, 'receipt-received', 'data-count'), '2');
    assert.equal(await attr(page, 'receipt-missing', 'data-count'), '1');
    assert.match(await tid(page, 'receipt-missing').textContent(), new RegExp(setup.tubes[2]));
    assert.equal(await attr(page, 'receipt-unexpected', 'data-count'), '1');
    assert.equal(await attr(page, `manifest-received-${setup.tubes[0]}`, 'data-received'), 'true');
    await shot(page, 'testing-10-receipt');
  });

  test('enters results with the keyboard only', async () => {
    await page.goto(`${srv.url}/#/testing/results`);
    await tid(page, 'results-view').waitFor();
    assert.equal(await focused(page), 'result-tube');
    // Tube 0: N, no Ct, Enter.
    await page.keyboard.type(setup.tubes[0].toLowerCase());
    await page.keyboard.press('Enter');
    await tid(page, 'result-step').waitFor();
    assert.match(await tid(page, 'result-tube-members').textContent(), /2/);
    await page.keyboard.press('n');
    assert.equal(await attr(page, 'result-negative', 'aria-checked'), 'true');
    assert.equal(await focused(page), 'result-ct');
    await page.keyboard.press('Enter');
    await tid(page, `result-row-${setup.tubes[0]}`).waitFor();
    assert.equal(await focused(page), 'result-tube', 'the cursor is back on the tube id');
    // Tube 1: P, Ct 24,5, Enter.
    await page.keyboard.type(setup.tubes[1]);
    await page.keyboard.press('Enter');
    await tid(page, 'result-step').waitFor();
    await page.keyboard.press('i');
    await page.keyboard.press('p');
    assert.equal(await attr(page, 'result-positive', 'aria-checked'), 'true');
    assert.equal(await attr(page, 'result-invalid', 'aria-checked'), 'false');
    await page.keyboard.type('24,5');
    await page.keyboard.press('Enter');
    await tid(page, `result-row-${setup.tubes[1]}`).waitFor();
    assert.match(await tid(page, `result-row-${setup.tubes[1]}`).textContent(), /24\.5/);
    await waitAttr(page, 'result-count', 'data-count', 2);
    // An unknown tube is refused at the first Enter and the cursor stays.
    await page.keyboard.type('TZZZZZZZZZ');
    await page.keyboard.press('Enter');
    await tid(page, 'form-error').waitFor();
    assert.equal(await attr(page, 'form-error', 'data-status'), '404');
    assert.equal(await tid(page, 'result-step').isVisible(), false);
    await page.keyboard.press('Escape');
    await shot(page, 'testing-11-results');

    const t0 = await srv.api('GET', `/api/v1/testing/tubes/${setup.tubes[0]}`, { token: setup.labToken });
    assert.equal(t0.json.result, 'negative');
    assert.deepEqual(t0.json.members.map((m) => m.status), ['negative', 'negative']);
    const t1 = await srv.api('GET', `/api/v1/testing/tubes/${setup.tubes[1]}`, { token: setup.labToken });
    assert.equal(t1.json.result, 'positive');
    assert.equal(t1.json.ct, 24.5);
    assert.deepEqual(t1.json.members.map((m) => [m.person_id, m.status]), [[member.id, 'positive']]);
    assert.deepEqual(page.errors, []);
  });

  test('a result file: bad rows listed by line, then the valid rows applied', async () => {
    await page.goto(`${srv.url}/#/testing/import`);
    await tid(page, 'import-view').waitFor();
    const csv = `Mã ống,Kết quả,Ct\r\n${setup.tubes[2]},âm tính,\r\nTZZZZZZZZZ,negative,\r\n${setup.tubes[0]},maybe,\r\n`;
    await tid(page, 'import-file').setInputFiles({ name: 'ket-qua.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await tid(page, 'import-check').click();
    await tid(page, 'import-summary').waitFor();
    assert.equal(await attr(page, 'import-summary', 'data-bad'), '2');
    assert.equal(await attr(page, 'import-summary', 'data-valid'), '1');
    assert.equal(await attr(page, 'import-error-3', 'data-field'), 'tube_id');
    assert.equal(await attr(page, 'import-error-4', 'data-field'), 'result');
    // the reasons in Vietnamese words, with the cell at fault, never the server's English
    assert.equal(await attr(page, 'import-error-3', 'data-code'), 'tube_unknown');
    assert.equal((await tid(page, 'import-error-3').innerText()).replace(/\s+/g, ' ').trim(),
      '3 Mã ống Không có ống TZZZZZZZZZ trong khu vực của phòng xét nghiệm');
    assert.match(await tid(page, 'import-error-4').innerText(), /Kết quả "maybe" không đọc được/);
    await tid(page, 'import-apply').click();
    await tid(page, 'import-need-confirm').waitFor();
    await tid(page, 'import-valid-only').check();
    await tid(page, 'import-apply').click();
    await tid(page, 'import-done').waitFor();
    assert.equal(await attr(page, 'import-done', 'data-applied'), '1');
    const t2 = await srv.api('GET', `/api/v1/testing/tubes/${setup.tubes[2]}`, { token: setup.labToken });
    assert.equal(t2.json.result, 'negative');
    assert.deepEqual(page.errors, []);
  });
});

describe('people see their results', () => {
  test('the citizen sees their own result and their family member\'s on the home page', async () => {
    const { page } = await phonePage(browser);
    await page.goto(`${srv.url}/#/citizen/login`);
    await tid(page, 'otp-phone').fill(CITIZEN_PHONE);
    await tid(page, 'otp-send').click();
    await tid(page, 'otp-sent').waitFor();
    await tid(page, 'otp-code').fill(await latestOtp(srv, setup.adminToken, CITIZEN_PHONE));
    await tid(page, 'otp-login').click();
    await tid(page, 'me-view').waitFor();
    await tid(page, `results-person-${citizen.person.id}`).waitFor();
    assert.equal(await attr(page, `results-${citizen.person.id}-0-status`, 'data-status'), 'negative');
    assert.equal(await attr(page, `results-${member.id}-0-status`, 'data-status'), 'positive');
    assert.equal((await tid(page, `results-person-name-${member.id}`).textContent()).trim(), 'Lê Minh Khôi');
    assert.match(await tid(page, `results-${citizen.person.id}-0-status`).textContent(), /Âm tính/);
    await tid(page, 'lang-en').click();
    assert.match(await tid(page, `results-${member.id}-0-status`).textContent(), /Positive/);
    await assertNoHorizontalOverflow(page, 'citizen home with results');
    await shot(page, 'testing-12-my-results');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('anyone looks a result up by CCCD and date of birth', async () => {
    const { page } = await phonePage(browser);
    await page.goto(`${srv.url}/#/results/lookup`);
    await tid(page, 'lookup-view').waitFor();
    await tid(page, 'lookup-cccd').fill(others[1].cccd);
    await tid(page, 'lookup-dob').fill('1990-01-01');
    await tid(page, 'lookup-submit').click();
    await tid(page, 'lookup-none').waitFor();
    await tid(page, 'lookup-dob').fill(others[1].date_of_birth);
    await tid(page, 'lookup-submit').click();
    await tid(page, 'lookup-results-0').waitFor();
    assert.equal(await attr(page, 'lookup-results-0', 'data-status'), 'negative');
    await assertNoHorizontalOverflow(page, 'public lookup');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('an official sees the figures for the commune and day', async () => {
    const { page } = await phonePage(browser);
    await page.goto(`${srv.url}/#/login`);
    await tid(page, 'login-username').fill(setup.official.username);
    await tid(page, 'login-password').fill(setup.password);
    await tid(page, 'login-submit').click();
    await tid(page, 'nav-testing-stats').click();
    await tid(page, 'stats-view').waitFor();
    const row = tid(page, `stats-row-${UNITS.phucXa}-${setup.session.date}`);
    await row.waitFor();
    const cells = await row.evaluate((tr) => Object.fromEntries([...tr.querySelectorAll('[data-col]')].map((td) => [td.dataset.col, td.textContent])));
    assert.equal(cells.people_sampled, '4');
    assert.equal(cells.tubes, '3');
    assert.equal(cells.tested, '4');
    assert.equal(cells.positive, '1');
    assert.equal(cells.pending, '0');
    await assertNoHorizontalOverflow(page, 'testing figures');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
