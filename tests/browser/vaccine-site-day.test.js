'use strict';
// A vaccination site's day in a real Chromium on a phone-sized page. Set up through the API: a
// site, today's session, a vaccinator, a registered person with a booked seat and a QR card.
// In the browser, as the vaccinator: the fake camera shows the person's card and checks them in,
// the screening checklist says "proceed", the dose is recorded, the certificate's QR code is
// shown and the 30-minute observation timer runs (then, with the page clock moved on, shows
// "done"). The test then takes the certificate's QR PNG, decodes it (zbarimg) back to the HC1
// text and verifies it through POST /api/v1/certificates/verify and on the verifier page.
// Last, the official's figures show the dose against the site's capacity.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, qrPngToY4m, download } = require('../lib/browser');
const { siteDay } = require('../lib/vaccine-setup');

let srv;
let dir;
let day;
let browser;
let page;
let context;
let hc1;
let doseId;
let certificateId;

const tid = (p, id) => p.getByTestId(id);
const attr = (p, id, name) => p.evaluate(([i, n]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n), [id, name]);
const waitAttr = (p, id, name, value, timeout = 20000) => p.waitForFunction(
  ([i, n, v]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n) === v, [id, name, String(value)], { timeout });

async function signIn(p, username, password) {
  await p.goto(`${srv.url}/#/login`);
  await tid(p, 'login-username').fill(username);
  await tid(p, 'login-password').fill(password);
  await tid(p, 'login-submit').click();
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-vax-'));
  srv = await startServer();
  const adminToken = await srv.login('admin', srv.adminPassword);
  day = await siteDay(srv, adminToken, { person: { full_name: 'Lê Thị Thu Hà', date_of_birth: '1972-04-30' } });
  const card = await download(srv, `/api/v1/people/${day.person.id}/card.png`, day.officialToken, path.join(dir, 'card.png'));
  const text = qrPngToY4m(card, path.join(dir, 'card.y4m'));
  assert.match(text, new RegExp(`^CDN1\\.P\\.${day.person.code}\\.`));
  browser = await launch(path.join(dir, 'card.y4m'));
  ({ context, page } = await phonePage(browser, { camera: true }));
  // A page clock that runs at real speed but can be moved on, for the 30-minute timer.
  await page.clock.install();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the vaccinator opens the site\'s day', async () => {
  await signIn(page, day.vaccinator.username, day.password);
  await tid(page, 'vax-sites-view').waitFor();
  await tid(page, `vax-site-open-${day.site.id}`).click();
  await tid(page, 'vax-day-view').waitFor();
  await tid(page, `vax-day-session-${day.session.id}`).waitFor();
  assert.equal(await tid(page, 'vax-day-site').textContent(), day.site.name);
  await assertNoHorizontalOverflow(page, 'site day');
  await shot(page, 'vax-01-day');
});

test('check-in by the fake camera showing the person\'s card', async () => {
  await tid(page, 'vax-scan-start').click();
  await waitAttr(page, 'vax-visit', 'data-state', 'pending');
  assert.equal(await tid(page, 'vax-person-name').textContent(), 'Lê Thị Thu Hà');
  assert.equal(await tid(page, 'vax-person-dob').textContent(), '30/04/1972');
  assert.equal(await attr(page, 'vax-person-status', 'data-status'), 'none');
  assert.match(await tid(page, 'vax-person-appointment').textContent(), new RegExp(String(day.appointment.id)));
  // The scanner stopped after the card: the camera is free until "next person".
  assert.equal(await attr(page, 'vax-scanner-status', 'data-state'), 'stopped');
  await assertNoHorizontalOverflow(page, 'screening');
  await shot(page, 'vax-02-checked-in');
});

test('screening: an unanswered question is named; all "no" proceeds', async () => {
  await tid(page, 'screen-submit').click();
  await page.locator('.field.invalid').first().waitFor();
  const first = await page.evaluate(() => document.querySelector('.field.invalid')?.getAttribute('data-field'));
  assert.match(first, /^answers\./);
  await tid(page, 'screen-all-no').click();
  await tid(page, 'screen-submit').click();
  await waitAttr(page, 'vax-visit', 'data-state', 'proceed');
  assert.equal(await attr(page, 'vax-outcome', 'data-outcome'), 'proceed');
  await tid(page, 'vax-dose-form').waitFor();
});

test('the dose is recorded, the certificate shown, the observation timer runs', async () => {
  assert.equal(await tid(page, 'dose-number').inputValue(), '1');
  assert.equal(await tid(page, 'dose-product').inputValue(), 'pfizer');
  await tid(page, 'dose-lot').fill('FK0108');
  await tid(page, 'dose-submit').click();
  await tid(page, 'vax-dose-done').waitFor();
  doseId = await attr(page, 'vax-dose-done', 'data-dose-id');
  assert.ok(Number(doseId) > 0);
  await tid(page, 'vax-cert').waitFor();
  certificateId = await attr(page, 'vax-cert', 'data-id');
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="vax-cert-qr"]');
    return img && img.complete && img.naturalWidth > 100;
  });
  const pdf = await tid(page, 'vax-cert-pdf').getAttribute('href');
  const head = await page.evaluate(async (u) => { const r = await fetch(u); return { ct: r.headers.get('content-type'), head: (await r.text()).slice(0, 5) }; }, pdf);
  assert.deepEqual(head, { ct: 'application/pdf', head: '%PDF-' });

  await waitAttr(page, `obs-${doseId}`, 'data-state', 'running');
  const left = Number(await attr(page, `obs-${doseId}-time`, 'data-left'));
  assert.ok(left > 28 * 60 && left <= 30 * 60, `seconds left: ${left}`);
  assert.match(await tid(page, `obs-${doseId}-time`).textContent(), /^(29|30):\d\d$/);
  await assertNoHorizontalOverflow(page, 'dose recorded');
  await shot(page, 'vax-03-dose');

  // 31 minutes later the timer says done.
  await page.clock.fastForward('31:00');
  await waitAttr(page, `obs-${doseId}`, 'data-state', 'done', 10000);
  assert.equal(await tid(page, `obs-${doseId}-time`).textContent(), 'Xong');
  await shot(page, 'vax-04-observation-done');

  // An adverse event reported by staff from the observation list.
  await tid(page, `obs-${doseId}-ae`).click();
  await tid(page, `obs-${doseId}-ae-form-severity`).selectOption('mild');
  await tid(page, `obs-${doseId}-ae-form-description`).fill('Đau tại chỗ tiêm, sốt nhẹ 37,8°C');
  await tid(page, `obs-${doseId}-ae-form-submit`).click();
  await tid(page, `obs-${doseId}-ae-form-done`).waitFor();
  const ae = await srv.api('GET', '/api/v1/vaccine/adverse-events', { token: day.officialToken });
  assert.equal(ae.status, 200);
  assert.ok(ae.json.adverse_events.some((x) => String(x.dose_id) === doseId && x.severity === 'mild' && x.source === 'staff'));
  assert.deepEqual(page.errors, []);
});

test('the certificate\'s QR code decodes back to its HC1 text, which verifies', async () => {
  const png = await download(srv, `/api/v1/vaccine/certificates/${certificateId}/qr.png`, day.vaccinatorToken, path.join(dir, 'cert.png'));
  const z = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', png], { encoding: 'utf8' });
  assert.equal(z.status, 0, z.stderr);
  hc1 = z.stdout.trim();
  assert.match(hc1, /^HC1:/);
  const cert = await srv.api('GET', `/api/v1/vaccine/certificates/${certificateId}`, { token: day.vaccinatorToken });
  assert.equal(hc1, cert.json.hc1);
  const v = await srv.api('POST', '/api/v1/certificates/verify', { body: { payload: hc1 } });
  assert.equal(v.status, 200);
  assert.equal(v.json.valid, true, v.text);
  assert.equal(v.json.certificate.full_name, 'Lê Thị Thu Hà');
  assert.equal(v.json.certificate.date_of_birth, '1972-04-30');
  assert.equal(v.json.certificate.doses[0].dose_number, 1);
  assert.equal(v.json.certificate.doses[0].uvci, cert.json.uvci);
});

test('the verifier page: valid with the contents, then a damaged code with its exact reason', async () => {
  const vctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const p = await vctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  try {
    await p.goto(`${srv.url}/#/verify`); // public: no sign-in
    await tid(p, 'verify-view').waitFor();
    await tid(p, 'verify-payload').fill(`${hc1}\n`);
    await tid(p, 'verify-submit').click();
    await waitAttr(p, 'verdict', 'data-valid', 'true');
    assert.equal(await tid(p, 'verdict-title').textContent(), 'HỢP LỆ');
    assert.equal(await tid(p, 'dcc-name').locator('dd').textContent(), 'Lê Thị Thu Hà');
    assert.equal(await tid(p, 'dcc-dob').locator('dd').textContent(), '30/04/1972');
    assert.match(await tid(p, 'dcc-dose-0-product').textContent(), /Comirnaty/);
    assert.equal(await tid(p, 'dcc-dose-0-number').textContent(), '1/2');
    // Codes come with their EU value-set names.
    const dose = await tid(p, 'dcc-dose-0').textContent();
    assert.match(dose, /Viet Nam \(VN\)/);
    assert.match(dose, /Biontech Manufacturing GmbH \(ORG-100030215\)/);
    await assertNoHorizontalOverflow(p, 'verifier');
    await shot(p, 'vax-05-verify-ok');
    await tid(p, 'lang-en').click();
    assert.equal(await tid(p, 'verdict-title').textContent(), 'VALID');

    // One character changed in the middle: a different verdict, and the page says in words which step failed.
    const i = Math.floor(hc1.length / 2);
    const bad = hc1.slice(0, i) + (hc1[i] === 'A' ? 'B' : 'A') + hc1.slice(i + 1);
    await tid(p, 'verify-payload').fill(bad);
    await tid(p, 'verify-submit').click();
    await waitAttr(p, 'verdict', 'data-valid', 'false');
    const status = await attr(p, 'verdict', 'data-status');
    const api = await srv.api('POST', '/api/v1/certificates/verify', { body: { payload: bad } });
    assert.equal(status, api.json.status);
    assert.notEqual(status, 'ok');
    // The reason in words; the machine status stays off the page (tests/browser/dcc-verify-page.test.js).
    assert.equal(await tid(p, 'verdict-status').count(), 0);
    const reason = await tid(p, 'verdict-reason').textContent();
    assert.ok(reason.length > 10 && !reason.includes(status), reason);
    assert.equal(await tid(p, 'verdict-title').textContent(), 'NOT VALID');
    await shot(p, 'vax-06-verify-bad');
    assert.deepEqual(errors, []);
  } finally {
    await vctx.close();
  }
});

test('the official\'s figures show the dose against the site\'s capacity', async () => {
  const octx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const p = await octx.newPage();
  try {
    await signIn(p, day.official.username, day.password);
    await tid(p, 'session').waitFor(); // shown once signed in
    await tid(p, 'nav-vax-oversight').click();
    await tid(p, 'ov-coverage-table').waitFor();
    assert.equal(await tid(p, 'ov-cov-total').locator('[data-col="doses"]').textContent(), '1');
    await tid(p, 'ov-sites-table').waitFor();
    const row = p.locator(`[data-testid^="ov-site-${day.site.id}-"]`);
    assert.equal(await row.locator('[data-col="doses"]').textContent(), '1');
    assert.equal(await row.locator('[data-col="capacity"]').textContent(), '200');
    assert.equal(await tid(p, 'ov-ae-mild').textContent(), '1');
    await assertNoHorizontalOverflow(p, 'oversight');
    await shot(p, 'vax-07-oversight');
  } finally {
    await octx.close();
  }
});
