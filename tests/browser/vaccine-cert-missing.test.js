'use strict';
// The vaccination site page says what a certificate lacks. A citizen who signed in with a name
// but never gave a date of birth comes to the site with the personal QR card; the vaccinator
// scans it (fake camera), screening says proceed, and the dose form says, in Vietnamese, that no
// certificate can be issued without the date of birth. Recording the dose anyway is refused by
// the server (409 naming date_of_birth) and the page shows the same words, in English after
// switching; nothing is recorded.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { launch, phonePage, qrPngToY4m, download } = require('../lib/browser');
const { siteDay } = require('../lib/vaccine-setup');
const { lastOtp, uniquePhone } = require('../lib/people');

const dict = (f) => {
  const src = fs.readFileSync(path.join(__dirname, '..', '..', 'web', 'js', 'i18n', f), 'utf8');
  // eslint-disable-next-line no-new-func
  return new Function(src.replace(/^export default/m, 'return'))();
};
const VI = dict('vi.js');
const EN = dict('en.js');

let srv;
let dir;
let day;
let browser;
let citizen; // { token, person }

const tid = (p, id) => p.getByTestId(id);
const waitAttr = (p, id, name, value, timeout = 20000) => p.waitForFunction(
  ([i, n, v]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n) === v, [id, name, String(value)], { timeout });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-vax-missing-'));
  srv = await startServer();
  const adminToken = await srv.login('admin', srv.adminPassword);
  day = await siteDay(srv, adminToken);
  const phone = uniquePhone('95');
  assert.equal((await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } })).status, 202);
  const code = await lastOtp(srv, adminToken, phone);
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code, full_name: 'Mai Văn Khánh' } });
  assert.equal(login.status, 200, login.text);
  citizen = login.json;
  assert.equal(citizen.person.date_of_birth, null);
  const card = await download(srv, `/api/v1/people/${citizen.person.id}/card.png`, citizen.token, path.join(dir, 'card.png'));
  assert.match(qrPngToY4m(card, path.join(dir, 'card.y4m')), /^CDN1\.P\./);
  browser = await launch(path.join(dir, 'card.y4m'));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the dose form says the date of birth is missing, and the refused dose says it again', async () => {
  const { context, page } = await phonePage(browser, { camera: true });
  try {
    await page.goto(`${srv.url}/#/login`);
    await tid(page, 'login-username').fill(day.vaccinator.username);
    await tid(page, 'login-password').fill(day.password);
    await tid(page, 'login-submit').click();
    await tid(page, `vax-site-open-${day.site.id}`).click();
    await tid(page, 'vax-day-view').waitFor();
    await tid(page, 'vax-scan-start').click();
    await waitAttr(page, 'vax-visit', 'data-state', 'pending');
    assert.equal(await tid(page, 'vax-person-name').textContent(), 'Mai Văn Khánh');
    await tid(page, 'screen-all-no').click();
    await tid(page, 'screen-submit').click();
    await waitAttr(page, 'vax-visit', 'data-state', 'proceed');
    await tid(page, 'vax-dose-form').waitFor();

    // Before anything is sent: the form says what the certificate lacks.
    const warn = tid(page, 'vax-cert-missing');
    assert.equal(await warn.getAttribute('data-field'), 'date_of_birth');
    assert.equal((await warn.innerText()).trim(), VI['vax.cert_missing.date_of_birth']);

    // Sent anyway: the server's 409 is shown in the same words, in the form's error box.
    await tid(page, 'dose-lot').fill('FK0108');
    await tid(page, 'dose-submit').click();
    const refused = page.locator('.form-errors [data-testid="vax-cert-missing"]');
    await refused.waitFor();
    assert.equal(await refused.getAttribute('data-field'), 'date_of_birth');
    assert.equal((await refused.innerText()).trim(), VI['vax.cert_missing.date_of_birth']);
    assert.equal(await tid(page, 'vax-dose-done').count(), 0);

    await tid(page, 'lang-en').click();
    assert.equal((await refused.innerText()).trim(), EN['vax.cert_missing.date_of_birth']);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
  // Nothing was recorded.
  const me = await srv.api('GET', '/api/v1/me/vaccinations', { token: citizen.token });
  assert.equal(me.status, 200, me.text);
  const rec = me.json.people.find((x) => x.person.id === citizen.person.id);
  assert.ok(rec, me.text);
  assert.equal(rec.doses_given, 0);
  assert.deepEqual(rec.doses, []);
  assert.deepEqual(rec.certificates, []);
});
