'use strict';
// "Use my location" on the citizens' feedback form, in a real Chromium at 360 px with the phone's
// position set by the browser (context.setGeolocation): the province outlines the server ships
// give the province (no commune outlines exist), the unit picker then lists its districts and the
// citizen picks the commune; the report reaches that commune. A position outside Việt Nam and a
// refused permission leave the picker as it was, with a word why.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { launch, phonePage, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');
const { UNITS } = require('../lib/fixtures');

let srv;
let browser;
let context;
let page;
let adminToken;
let citizenToken;
const phone = '0933777999';
const BUON_MA_THUOT = { latitude: 12.6794, longitude: 108.0440 }; // Đắk Lắk, province 66
const TAN_LAP = '24118'; // Phường Tân Lập, Thành phố Buôn Ma Thuột (643)

const tid = (id) => page.getByTestId(id);

before(async () => {
  srv = await startServer();
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  browser = await launch();
  ({ context, page } = await phonePage(browser));
  assert.equal((await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } })).status, 202);
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code: await latestOtp(srv, adminToken, phone) } });
  citizenToken = login.json.token;
  const put = await srv.api('PUT', '/api/v1/me', { token: citizenToken, body: { full_name: 'Y Bih Niê', date_of_birth: '1985-03-03', commune_code: UNITS.phucXa } });
  assert.equal(put.status, 200, put.text);
  await page.goto(`${srv.url}/#/citizen/login`);
  await tid('otp-phone').fill(phone);
  await tid('otp-send').click();
  await tid('otp-sent').waitFor();
  await tid('otp-code').fill(await latestOtp(srv, adminToken, phone));
  await tid('otp-login').click();
  await tid('me-view').waitFor();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function openForm() {
  await tid('nav-my-feedback').click();
  await tid('feedback-form').waitFor();
  await page.locator(`[data-testid="feedback-commune-selected-name"][data-code="${UNITS.phucXa}"]`).waitFor();
}

test('the location gives the province; the citizen picks the commune in it and the report goes there', async () => {
  await context.grantPermissions(['geolocation'], { origin: srv.url });
  await context.setGeolocation(BUON_MA_THUOT);
  await openForm();
  await tid('feedback-locate').click();
  await tid('feedback-located').waitFor();
  assert.equal(await tid('feedback-located').getAttribute('data-code'), '66');
  assert.match(await tid('feedback-located').textContent(), /Đắk Lắk/);
  // the picker now sits on the province and lists its districts
  await page.locator('[data-testid="feedback-commune-selected-name"][data-code="66"]').waitFor();
  await assertNoHorizontalOverflow(page, 'feedback form located');
  await tid('feedback-text').fill('Xe khách từ vùng dịch trả khách ở ngã sáu không khai báo.');
  // a province is not a commune: the form says so
  await tid('feedback-submit').click();
  await tid('field-error-commune_code').waitFor();
  await tid('feedback-commune-option-643').click();
  await tid(`feedback-commune-option-${TAN_LAP}`).click();
  await page.locator(`[data-testid="feedback-commune-selected-name"][data-code="${TAN_LAP}"]`).waitFor();
  await tid('feedback-submit').click();
  await tid('feedback-sent').waitFor();
  const mine = await srv.api('GET', '/api/v1/feedback', { token: citizenToken });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.feedback.length, 1);
  assert.equal(mine.json.feedback[0].commune_code, TAN_LAP);
  assert.deepEqual(page.errors, []);
});

test('outside Việt Nam, or with the location refused, the picker stays and the form says why', async () => {
  await context.setGeolocation({ latitude: 13.7563, longitude: 100.5018 }); // Bangkok
  await page.reload();
  await openForm();
  await tid('feedback-locate').click();
  await page.locator('[data-testid="feedback-locate-note"]', { hasText: 'không thuộc tỉnh nào' }).waitFor();
  assert.equal(await page.locator('[data-testid="feedback-commune-selected-name"]').getAttribute('data-code'), UNITS.phucXa);

  await context.clearPermissions();
  await page.reload();
  await openForm();
  await tid('feedback-locate').click();
  await page.locator('[data-testid="feedback-locate-note"]', { hasText: 'Không lấy được vị trí' }).waitFor();
  assert.equal(await page.locator('[data-testid="feedback-commune-selected-name"]').getAttribute('data-code'), UNITS.phucXa);
  await assertNoHorizontalOverflow(page, 'feedback form, no location');
  assert.deepEqual(page.errors, []);
});
