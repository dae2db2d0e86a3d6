'use strict';
// The exposure notification code on the citizen's results, in a real Chromium: before a result
// there is none; after a positive result (a rapid test of one person) the citizen signs in on a
// phone and sees the 8-digit code of the SMS, grouped 4 + 4, with its expiry, in Vietnamese and
// in English, without sideways scrolling; once the phone app has used it, the page no longer shows it.
// A tracer issues a code by hand on a case's page, for a case confirmed elsewhere.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');
const { citizenWithProfile } = require('../lib/people');
const { testingSession, cid, uniqueCccd } = require('../lib/testing-setup');
const { UNITS, createAccount, PASSWORD } = require('../lib/fixtures');
const { staffSignIn } = require('../lib/tracing-setup');
const { createPerson, uniquePhone } = require('../lib/people');

const CITIZEN_PHONE = '0915550166';

let srv;
let setup;
let browser;
let citizen;

const tid = (page, id) => page.getByTestId(id);

async function signIn(page) {
  await page.goto(`${srv.url}/#/citizen/login`);
  await tid(page, 'otp-phone').fill(CITIZEN_PHONE);
  await tid(page, 'otp-send').click();
  await tid(page, 'otp-sent').waitFor();
  await tid(page, 'otp-code').fill(await latestOtp(srv, setup.adminToken, CITIZEN_PHONE));
  await tid(page, 'otp-login').click();
  await tid(page, 'me-view').waitFor();
}

before(async () => {
  srv = await startServer();
  setup = await testingSession(srv, { testType: 'rapid_antigen', tubes: 1 });
  const cccd = uniqueCccd();
  citizen = await citizenWithProfile(srv, setup.adminToken, CITIZEN_PHONE, { full_name: 'Đặng Thị Lan', cccd, commune_code: UNITS.phucXa });
  const r = await srv.api('POST', '/api/v1/testing/samples', {
    token: setup.samplerToken, body: { client_id: cid('smp'), session_id: setup.session.id, tube_id: setup.tubes[0], cccd },
  });
  assert.equal(r.status, 201, r.text);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('the citizen sees the verification code after a positive result, until it is used', async () => {
  const { page } = await phonePage(browser);
  await signIn(page);
  await tid(page, 'my-results-box').waitFor();
  await tid(page, `results-person-${citizen.person.id}`).waitFor();
  assert.equal(await tid(page, 'en-code').count(), 0);

  const res = await srv.api('POST', '/api/v1/testing/results', { token: setup.labToken, body: { tube_id: setup.tubes[0], result: 'positive' } });
  assert.equal(res.status, 200, res.text);
  const o = await srv.api('GET', `/api/v1/outbox?recipient=${CITIZEN_PHONE}&kind=en_code`, { token: setup.adminToken });
  const code = /(\d{8})/.exec(o.json.messages[0].text)[1];

  await page.reload();
  await tid(page, 'en-code').waitFor();
  assert.equal((await tid(page, 'en-code-digits').textContent()).trim(), `${code.slice(0, 4)} ${code.slice(4)}`);
  assert.match(await tid(page, 'en-code').textContent(), /Mã xác minh thông báo phơi nhiễm/);
  // a time of day and a Vietnamese date, not an ISO one
  const expires = await tid(page, 'en-code-expires').textContent();
  assert.doesNotMatch(expires, /\d{4}-\d{2}-\d{2}/);
  assert.match(expires, /\d{1,2}:\d{2}/);
  await assertNoHorizontalOverflow(page, 'citizen home with the code');
  await shot(page, 'en-01-code-vi');
  await tid(page, 'lang-en').click();
  await page.waitForFunction(() => /Exposure notification verification code/.test(document.querySelector('[data-testid="en-code"]')?.textContent || ''));
  await assertNoHorizontalOverflow(page, 'citizen home with the code, English');
  await shot(page, 'en-02-code-en');

  // the phone app uses it: the page shows it no more
  const v = await srv.api('POST', '/api/v1/en/verify', { body: { code } });
  assert.equal(v.status, 200, v.text);
  await page.reload();
  await tid(page, 'my-results-box').waitFor();
  await tid(page, `results-person-${citizen.person.id}`).waitFor();
  assert.equal(await tid(page, 'en-code').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a tracer issues a code on the case page; the code verifies', async () => {
  await createAccount(srv, setup.adminToken, { username: 'en.tracer.b', role: 'tracer', unit_code: UNITS.phucXa, full_name: 'Lê Thị Truy Vết' });
  const tracer = await srv.login('en.tracer.b', PASSWORD);
  const person = await createPerson(srv, tracer, { full_name: 'Vũ Văn Ngoài', cccd: uniqueCccd(), commune_code: UNITS.phucXa, phone: uniquePhone('96') });
  const p = person.person || person;
  const kase = await srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: cid('case'), person_id: p.id, test_date: setup.session.date } });
  assert.equal(kase.status, 201, kase.text);
  const { page } = await phonePage(browser);
  await staffSignIn(page, srv.url, 'en.tracer.b');
  await tid(page, 'tracing-view').waitFor();
  await page.goto(`${srv.url}/#/tracing/cases/${kase.json.id}`);
  await tid(page, 'en-issue').click();
  await tid(page, 'en-issued').waitFor();
  const code = await page.getByTestId('en-issued').getAttribute('data-code');
  assert.match(code, /^\d{8}$/);
  assert.equal((await tid(page, 'en-issued-code').textContent()).trim(), `${code.slice(0, 4)} ${code.slice(4)}`);
  await assertNoHorizontalOverflow(page, 'case page with a code');
  await shot(page, 'en-03-issue');
  const v = await srv.api('POST', '/api/v1/en/verify', { body: { code } });
  assert.equal(v.status, 200, v.text);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
