'use strict';
// Check-in with a phone camera, in a real Chromium whose fake camera shows a QR code the
// server made:
//  1. a citizen signs in with a one-time code, completes the profile, taps "Scan a poster";
//     the camera shows the venue's poster, the page opens its check-in page, one tap checks
//     in, the confirmation names the venue and its clock ticks; the server holds one check-in.
//  2. venue staff open "Scan visitors"; the camera shows a person's QR card; the check-in
//     appears in the banner and the day's visitor log.
// One browser launch per camera file (Chromium reads the file once at start).

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { approvedVenue, PASSWORD } = require('../lib/venue-setup');
const { UNITS } = require('../lib/fixtures');
const {
  launch, phonePage, shot, assertNoHorizontalOverflow, qrPngToY4m, download, latestOtp,
} = require('../lib/browser');

const CITIZEN_PHONE = '0912345678';
const CITIZEN = { full_name: 'Nguyễn Văn An', date_of_birth: '1990-04-30', cccd: '001090012345', street: '12 Phó Đức Chính' };

let srv;
let setup;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cam-'));
  srv = await startServer();
  setup = await approvedVenue(srv);
});

after(async () => {
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tid = (page, id) => page.getByTestId(id);

/** The clock text now and a little over a second later: they must differ. */
async function assertClockTicks(page) {
  const clock = tid(page, 'confirm-clock');
  const first = await clock.textContent();
  assert.match(first, /^\d{2}:\d{2}:\d{2}$/);
  await page.waitForFunction((t) => document.querySelector('[data-testid="confirm-clock"]').textContent !== t, first, { timeout: 3000 });
}

describe('a citizen scans a venue poster', () => {
  let browser;
  let page;
  let context;
  let posterUrl;

  before(async () => {
    const png = await download(srv, `/api/v1/venues/${setup.venue.id}/poster.png`, setup.ownerToken, path.join(dir, 'poster.png'));
    posterUrl = qrPngToY4m(png, path.join(dir, 'poster.y4m'));
    assert.match(posterUrl, new RegExp(`/c/${setup.venue.code}\\?k=[^&]+&s=`), 'the poster holds the check-in URL');
    browser = await launch(path.join(dir, 'poster.y4m'));
    ({ context, page } = await phonePage(browser, { camera: true }));
  });

  after(async () => {
    if (browser) await browser.close();
  });

  test('signs in with a one-time code and completes the profile', async () => {
    await page.goto(`${srv.url}/#/citizen/login`);
    await tid(page, 'citizen-login-view').waitFor();
    await assertNoHorizontalOverflow(page, 'citizen sign-in');
    await tid(page, 'otp-phone').fill(CITIZEN_PHONE);
    await tid(page, 'otp-send').click();
    await tid(page, 'otp-sent').waitFor();
    const code = await latestOtp(srv, setup.adminToken, CITIZEN_PHONE);
    await tid(page, 'otp-code').fill(code);
    await tid(page, 'otp-login').click();

    // A new phone has no profile yet: the profile form comes first.
    await tid(page, 'profile-view').waitFor();
    await tid(page, 'profile-full-name').fill(CITIZEN.full_name);
    await tid(page, 'profile-dob').fill(CITIZEN.date_of_birth);
    await tid(page, 'profile-sex').selectOption('male');
    await tid(page, 'profile-id-number').fill(CITIZEN.cccd);
    await tid(page, 'profile-commune-search').fill('phuc xa');
    await tid(page, `profile-commune-result-${UNITS.phucXa}`).click();
    await page.waitForFunction((c) => document.querySelector('[data-testid="profile-commune-selected-name"]')?.getAttribute('data-code') === c, UNITS.phucXa);
    await tid(page, 'profile-street').fill(CITIZEN.street);
    await assertNoHorizontalOverflow(page, 'profile form');
    await shot(page, 'cam-01-profile');
    await tid(page, 'profile-save').click();

    await tid(page, 'me-view').waitFor();
    assert.equal((await tid(page, 'me-name').textContent()).trim(), CITIZEN.full_name);
    // The personal QR card is the server's PNG, loaded.
    await page.waitForFunction(() => document.querySelector('[data-testid="my-card-img"]')?.naturalWidth > 0);
    await assertNoHorizontalOverflow(page, 'citizen home');
    await shot(page, 'cam-02-home');
  });

  test('"Scan a poster" reads the camera, opens the check-in page, one tap checks in', async () => {
    await tid(page, 'scan-poster').click();
    // The poster's URL names the server's public address; the page opens this server's check-in page.
    await page.waitForURL((u) => u.pathname === `/c/${setup.venue.code}`, { timeout: 15000 });
    const url = new URL(page.url());
    const want = new URL(posterUrl);
    assert.equal(url.search, want.search, 'the signature travels with the link');
    await tid(page, 'checkin-view').waitFor();
    assert.equal((await tid(page, 'venue-name').textContent()).trim(), setup.venue.name);
    await assertNoHorizontalOverflow(page, 'check-in page');
    await shot(page, 'cam-03-checkin');

    await tid(page, 'checkin-submit').click();
    await tid(page, 'checkin-confirmed').waitFor();
    assert.equal((await tid(page, 'confirm-venue').textContent()).trim(), setup.venue.name);
    assert.match(await tid(page, 'confirm-people').textContent(), new RegExp(CITIZEN.full_name));
    await assertClockTicks(page);
    await assertNoHorizontalOverflow(page, 'confirmation');
    await shot(page, 'cam-04-confirmed');

    // Nothing is left pending: the id was answered.
    const pending = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('cordon.pending.')));
    assert.deepEqual(pending, []);
    assert.deepEqual(page.errors, []);
  });

  test('the server holds the check-in exactly once, made from the poster', async () => {
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const mine = await srv.api('GET', '/api/v1/me/checkins', { cookie });
    assert.equal(mine.status, 200, mine.text);
    const here = mine.json.checkins.filter((c) => c.venue_id === setup.venue.id);
    assert.equal(here.length, 1, JSON.stringify(mine.json));
    assert.equal(here[0].method, 'poster');
    const log = await srv.api('GET', `/api/v1/venues/${setup.venue.id}/visitors`, { token: setup.ownerToken });
    assert.equal(log.status, 200, log.text);
    assert.equal(log.json.visitors.length, 1);
    assert.equal(log.json.visitors[0].full_name, CITIZEN.full_name);
  });
});

describe('venue staff scan a personal QR card', () => {
  let browser;
  let page;
  let person;

  before(async () => {
    const made = await srv.api('POST', '/api/v1/people', {
      token: setup.ownerToken,
      body: { full_name: 'Phạm Thị Khách', date_of_birth: '1985-02-03', sex: 'female', cccd: '001185012345', commune_code: UNITS.phucXa, street: '5 Hàng Bún' },
    });
    assert.ok(made.status === 201 || made.status === 200, `create person: ${made.status} ${made.text}`);
    // a venue registering a visitor learns only the id and code (docs/access.md)
    person = { ...made.json.person, full_name: 'Phạm Thị Khách' };
    // cards are printed by health staff (docs/access.md); the venue only scans them
    const png = await download(srv, `/api/v1/people/${person.id}/card.png`, setup.adminToken, path.join(dir, 'card.png'));
    const payload = qrPngToY4m(png, path.join(dir, 'card.y4m'));
    assert.match(payload, new RegExp(`^CDN1\\.P\\.${person.code}\\.`));
    browser = await launch(path.join(dir, 'card.y4m'));
    ({ page } = await phonePage(browser, { camera: true }));
  });

  after(async () => {
    if (browser) await browser.close();
  });

  test('the owner signs in and opens "Scan visitors"', async () => {
    await page.goto(`${srv.url}/#/login`);
    await tid(page, 'login-username').fill(setup.owner.username);
    await tid(page, 'login-password').fill(PASSWORD);
    await tid(page, 'login-submit').click();
    await tid(page, 'venues-view').waitFor();
    await tid(page, `venue-row-${setup.venue.id}`).waitFor();
    assert.match(await tid(page, `venue-status-${setup.venue.id}`).textContent(), /Đã duyệt/);
    await assertNoHorizontalOverflow(page, 'owner venue list');
    await tid(page, `venue-scan-${setup.venue.id}`).click();
    await tid(page, 'venue-scan-view').waitFor();
    // The view's root comes at once with a spinner; the page after the venue's fetch, the
    // day's log after one more: check the layout of the page as the staff see it.
    await tid(page, 'visitor-scan-start').waitFor();
    await page.locator('[data-testid="visitors-list"], [data-testid="visitors-empty"]').waitFor();
    await assertNoHorizontalOverflow(page, 'scan visitors page');
  });

  test('the camera reads the card; the banner names the person and the log lists the visit', async () => {
    const before = (await srv.api('GET', `/api/v1/venues/${setup.venue.id}/visitors`, { token: setup.ownerToken })).json.visitors.length;
    await tid(page, 'visitor-scan-start').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scan-banner"]')?.getAttribute('data-state') === 'ok', null, { timeout: 15000 });
    assert.equal((await tid(page, 'scan-name').textContent()).trim(), person.full_name);
    assert.equal(await tid(page, 'scan-count').getAttribute('data-count'), '1');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="visitors-row"]').length === n, before + 1);
    assert.match(await tid(page, 'visitors-list').textContent(), new RegExp(person.full_name));
    await shot(page, 'cam-05-staff-scan');

    // The card stays in front of the camera: it is not checked in again.
    await page.waitForTimeout(1500);
    assert.equal(await tid(page, 'scan-count').getAttribute('data-count'), '1');
    await tid(page, 'visitor-scan-stop').click();

    const log = await srv.api('GET', `/api/v1/venues/${setup.venue.id}/visitors`, { token: setup.ownerToken });
    const rows = log.json.visitors.filter((v) => v.full_name === person.full_name);
    assert.equal(rows.length, 1, JSON.stringify(log.json));
    assert.equal(rows[0].method, 'staff_qr');
    assert.deepEqual(page.errors, []);
  });

  test('a typed CCCD number checks the person in too, and the CSV link downloads the log', async () => {
    await tid(page, 'visitor-number').fill('001185012345');
    await tid(page, 'visitor-number-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scan-count"]')?.getAttribute('data-count') === '2');
    assert.equal((await tid(page, 'scan-name').textContent()).trim(), person.full_name);
    const href = await tid(page, 'visitors-csv').getAttribute('href');
    const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert.match(csv, new RegExp(person.full_name));
    await assertNoHorizontalOverflow(page, 'scan visitors after two check-ins');
  });
});
