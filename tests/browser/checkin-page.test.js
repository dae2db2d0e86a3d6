'use strict';
// The check-in page a poster opens (/c/<code>?k=..&s=..) without a camera: a visitor who is
// not signed in gives phone and name once (remembered), a lost answer is retried with the
// same client id (one check-in on the server), an offline tap is sent when the phone is back
// online, and a signed-in citizen checks in a family group with one tap.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { approvedVenue } = require('../lib/venue-setup');
const { UNITS } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow, latestOtp, download, decodePng } = require('../lib/browser');

let srv;
let setup;
let browser;
let page;
let context;
let checkinUrl;

before(async () => {
  srv = await startServer();
  setup = await approvedVenue(srv, { name: 'Chợ Hàng Da' });
  // The signed link as the poster prints it, moved to this test server's address.
  const url = await posterLink(srv, setup);
  checkinUrl = `${srv.url}${url.pathname}${url.search}`;
  browser = await launch();
  ({ context, page } = await phonePage(browser));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

/** The poster URL, read from the poster PNG's QR code. */
async function posterLink(s, st) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-poster-'));
  try {
    const png = await download(s, `/api/v1/venues/${st.venue.id}/poster.png`, st.ownerToken, path.join(dir, 'p.png'));
    return new URL(decodePng(png).data);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const tid = (id) => page.getByTestId(id);

async function visitorRows() {
  const r = await srv.api('GET', `/api/v1/venues/${setup.venue.id}/visitors`, { token: setup.ownerToken });
  assert.equal(r.status, 200, r.text);
  return r.json.visitors;
}

test('the page names the venue, in Vietnamese, with an English switch', async () => {
  await page.goto(checkinUrl);
  await tid('checkin-view').waitFor();
  assert.equal((await tid('venue-name').textContent()).trim(), 'Chợ Hàng Da');
  assert.match(await tid('venue-address').textContent(), /Phó Đức Chính/);
  assert.equal((await tid('checkin-submit').textContent()).trim(), 'Check-in');
  await tid('lang-en').click();
  assert.equal((await tid('checkin-submit').textContent()).trim(), 'Check in');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await tid('lang-vi').click();
  await assertNoHorizontalOverflow(page, 'check-in page');
});

test('an unknown venue code says so', async () => {
  const p2 = await context.newPage();
  await p2.goto(`${srv.url}/c/ZZZZZZZZ?k=k1&s=${'A'.repeat(86)}`);
  await p2.getByTestId('venue-unknown').waitFor();
  await p2.close();
});

test('a visitor without sign-in: phone and name are required, then one check-in even when the answer is lost', async () => {
  await page.goto(checkinUrl);
  await tid('checkin-view').waitFor();
  await tid('checkin-submit').click();
  await tid('field-error-phone').waitFor();

  await tid('checkin-phone').fill('0987654321');
  await tid('checkin-name').fill('Hoàng Văn Khách');
  // The server stores the first attempt but its answer never reaches the page.
  const seen = [];
  await page.route('**/api/v1/checkins', async (route) => {
    seen.push(JSON.parse(route.request().postData()).client_id);
    if (seen.length === 1) {
      await route.fetch();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await tid('checkin-submit').click();
  await tid('form-error').waitFor();
  assert.equal(await tid('form-error').getAttribute('data-code'), 'network');
  assert.equal((await visitorRows()).length, 1, 'the first attempt was stored');

  await tid('checkin-submit').click();
  await tid('checkin-confirmed').waitFor();
  await page.unroute('**/api/v1/checkins');
  assert.equal(seen.length, 2);
  assert.equal(seen[0], seen[1], 'the retry carries the same client id');
  assert.match(seen[0], /^[0-9a-f-]{36}$/);
  assert.equal((await visitorRows()).length, 1, 'still one check-in');
  assert.equal((await tid('confirm-venue').textContent()).trim(), 'Chợ Hàng Da');
  assert.match(await tid('confirm-people').textContent(), /Hoàng Văn Khách/);
  await shot(page, 'page-01-confirmed-anonymous');
});

test('the phone and name are remembered; offline taps are sent when back online', async () => {
  await page.goto(checkinUrl);
  await tid('checkin-known-visitor').waitFor();
  assert.match(await tid('checkin-known-visitor').textContent(), /Hoàng Văn Khách/);
  await context.setOffline(true);
  await tid('checkin-submit').click();
  await tid('checkin-will-retry').waitFor();
  assert.equal((await visitorRows()).length, 1);
  await context.setOffline(false);
  await tid('checkin-confirmed').waitFor();
  assert.equal((await visitorRows()).length, 2, 'the second visit, once');
  assert.deepEqual(page.errors, []);
});

test('a signed-in citizen checks in self, and the family with one more tap', async () => {
  const phone = '0911222333';
  const r0 = await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
  assert.equal(r0.status, 202, r0.text);
  const code = await latestOtp(srv, setup.adminToken, phone);
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } });
  assert.equal(login.status, 200, login.text);
  const token = login.json.token;
  const put = await srv.api('PUT', '/api/v1/me', { token, body: { full_name: 'Đỗ Thị Mẹ', date_of_birth: '1988-08-08', sex: 'female', commune_code: UNITS.phucXa, street: '3 Hàng Đậu' } });
  assert.equal(put.status, 200, put.text);
  const kid = await srv.api('POST', '/api/v1/me/family', { token, body: { full_name: 'Đỗ Văn Con', date_of_birth: '2016-06-01', sex: 'male', commune_code: UNITS.phucXa, street: '3 Hàng Đậu' } });
  assert.equal(kid.status, 201, kid.text);
  const u = new URL(srv.url);
  await context.addCookies([{ name: 'cordon_session', value: token, domain: u.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);

  await page.goto(checkinUrl);
  await tid('checkin-view').waitFor();
  const me = put.json.person || put.json;
  const child = kid.json.person || kid.json;
  assert.equal(await tid(`checkin-person-${me.id}`).isChecked(), true);
  assert.equal(await tid(`checkin-person-${child.id}`).isChecked(), false, 'only the signed-in person is chosen at first');
  await tid('checkin-all-family').click();
  assert.equal(await tid(`checkin-person-${child.id}`).isChecked(), true, 'the family one tap away');
  await assertNoHorizontalOverflow(page, 'family check-in');
  await shot(page, 'page-02-family');
  await tid('checkin-submit').click();
  await tid('checkin-confirmed').waitFor();
  assert.equal(await tid('confirm-count').getAttribute('data-count'), '2');
  const people = await tid('confirm-people').textContent();
  assert.match(people, /Đỗ Thị Mẹ/);
  assert.match(people, /Đỗ Văn Con/);
  const rows = await visitorRows();
  assert.equal(rows.filter((v) => /^Đỗ /.test(v.full_name)).length, 2);
  await context.clearCookies();
});
