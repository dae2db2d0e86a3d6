'use strict';
// A quarantined citizen checks in from a phone in a real Chromium: the fake camera shows a
// picture (a PNG turned into a Y4M as the notes say) and the browser's location is set by the
// test. One check-in at home (inside the 100 m radius) is accepted; after moving about 1.2 km
// away the next one is recorded as outside, the page says so, and the API shows an alert for
// the commune health station, which the official then sees on the compliance page. An order whose
// place is not yet confirmed gets a check-in answer that says so, with no distance.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { UNITS } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');
const { quarantinedCitizen, cameraFromPng, staffSignIn, north, HOME } = require('../lib/tracing-setup');

let srv;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-quarantine-'));
  srv = await startServer();
});
after(async () => {
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a quarantined person checks in with a photo and the location', () => {
  let setup;
  let browser;
  let context;
  let page;
  let orderId;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    setup = await quarantinedCitizen(srv);
    orderId = setup.order.id;
    const cam = cameraFromPng(path.join(dir, 'face.png'), path.join(dir, 'face.y4m'));
    browser = await launch(cam);
    ({ context, page } = await phonePage(browser, { camera: true }));
    await context.grantPermissions(['camera', 'geolocation'], { origin: srv.url });
    await context.setGeolocation({ ...north(HOME, 20), accuracy: 15 });
  });
  after(async () => { if (browser) await browser.close(); });

  test('the citizen signs in and sees today\'s scheduled check-ins', async () => {
    await page.goto(`${srv.url}/#/me/quarantine`);
    await tid('citizen-login-view').waitFor();
    await tid('otp-phone').fill(setup.citizen.phone);
    await tid('otp-send').click();
    await tid('otp-sent').waitFor();
    await tid('otp-code').fill(await latestOtp(srv, setup.adminToken, setup.citizen.phone));
    await tid('otp-login').click();
    await tid('my-quarantine-view').waitFor();
    await tid(`order-${orderId}`).waitFor();
    assert.equal(await tid(`order-address-${orderId}`).textContent(), '12 Phúc Xá, Ba Đình');
    const slots = await page.$$eval(`[data-testid="slots-${orderId}"] > li`, (els) => els.map((e) => e.dataset.state));
    assert.equal(slots.length, 3, 'three check-ins a day');
    assert.ok(!slots.includes('done'), 'nothing done yet');
    assert.ok(await tid('nav-my-quarantine').isVisible());
    await assertNoHorizontalOverflow(page, 'quarantine page');
    await shot(page, 'quarantine-01-schedule');
  });

  test('at home: the photo and location are sent and the check-in is accepted', async () => {
    await tid(`checkin-start-${orderId}`).click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="camera-${id}"]`).dataset.state === 'on', orderId);
    await assertNoHorizontalOverflow(page, 'camera preview');
    await shot(page, 'quarantine-02-camera');
    await tid(`checkin-capture-${orderId}`).click();
    const answer = tid(`checkin-answer-${orderId}`);
    await answer.waitFor();
    assert.equal(await answer.getAttribute('data-inside'), 'true');
    assert.equal(await answer.getAttribute('data-alert'), 'false');
    const d = Number(await answer.getAttribute('data-distance'));
    assert.ok(d >= 15 && d <= 25, `distance ${d} m for a point 20 m north`);
    assert.match(await answer.textContent(), /Điểm danh thành công/);
    assert.equal(await tid(`camera-${orderId}`).getAttribute('data-state'), 'off', 'the camera is released');

    // The server holds one check-in inside the radius, with a JPEG photo made from the camera.
    const r = await srv.api('GET', `/api/v1/quarantine/orders/${orderId}`, { token: setup.tracer.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.checkins.length, 1);
    const c = r.json.checkins[0];
    assert.equal(c.inside, true);
    assert.ok(Math.abs(c.lat - north(HOME, 20).latitude) < 1e-5, `lat ${c.lat}`);
    const photo = await fetch(`${srv.url}/api/v1/quarantine/checkins/${c.id}/photo`, { headers: { authorization: `Bearer ${setup.tracer.token}` } });
    assert.equal(photo.status, 200);
    assert.equal(photo.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await photo.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.ok(bytes.length > 5000, `a real camera frame, not an empty canvas (${bytes.length} bytes)`);

    if (c.slot_start === null) {
      // In the night (before 07:00, from 21:00) a check-in counts for no slot: the page says when to
      // check in, and no slot is shown as done.
      assert.equal(await answer.getAttribute('data-in-slot'), 'false');
      await tid(`checkin-no-slot-${orderId}`).waitFor();
      await tid(`my-qcheckin-${c.id}`).waitFor();
      const states = await page.$$eval(`[data-testid="slots-${orderId}"] > li`, (els) => els.map((e) => e.dataset.state));
      assert.ok(!states.includes('done'), `no slot done: ${states}`);
    } else {
      // The slot it answered is shown as done.
      assert.equal(await answer.getAttribute('data-in-slot'), 'true');
      await page.waitForFunction(([id, start]) => document.querySelector(`[data-testid="slots-${id}"] [data-start="${start}"]`)?.dataset.state === 'done',
        [orderId, c.slot_start]);
      await tid(`my-qcheckin-${c.id}`).waitFor();
    }
    const alerts = await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}`, { token: setup.official.token });
    assert.equal(alerts.json.alerts.length, 0, 'no alert for a check-in at home');
    await shot(page, 'quarantine-03-accepted');
    assert.deepEqual(page.errors, []);
  });

  test('away from home: the page says outside the radius and the health station gets an alert', async () => {
    await context.setGeolocation({ ...north(HOME, 1200), accuracy: 15 });
    await tid(`checkin-start-${orderId}`).click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="camera-${id}"]`).dataset.state === 'on', orderId);
    await tid(`checkin-capture-${orderId}`).click();
    const answer = tid(`checkin-answer-${orderId}`);
    await page.waitForFunction((id) => document.querySelector(`[data-testid="checkin-answer-${id}"]`)?.dataset.inside === 'false', orderId);
    assert.equal(await answer.getAttribute('data-alert'), 'true');
    const d = Number(await answer.getAttribute('data-distance'));
    assert.ok(d > 1150 && d < 1250, `distance ${d} m`);
    const text = await answer.textContent();
    assert.match(text, /Bạn đang ở ngoài nơi cách ly/);
    assert.match(text, /trạm y tế xã đã được báo/);
    await assertNoHorizontalOverflow(page, 'outside answer');
    await shot(page, 'quarantine-04-outside');

    // The commune health station (the commune official) sees the alert through the API.
    const r = await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}`, { token: setup.official.token });
    assert.equal(r.status, 200, r.text);
    const mine = r.json.alerts.filter((a) => a.order_id === orderId);
    assert.deepEqual(mine.map((a) => [a.kind, a.person_id, a.commune_code]), [['outside', setup.citizen.person.id, UNITS.phucXa]]);
    const reminder = await srv.api('GET', `/api/v1/outbox?recipient=${encodeURIComponent(setup.citizen.phone)}&kind=quarantine_reminder`, { token: setup.adminToken });
    assert.equal(reminder.json.messages.length, 1, 'a reminder is queued for the person');
    const o = await srv.api('GET', `/api/v1/quarantine/orders/${orderId}`, { token: setup.tracer.token });
    assert.deepEqual(o.json.checkins.map((c) => c.inside), [true, false]);
    assert.deepEqual(page.errors, []);
  });

  test('the official sees the commune\'s compliance and the alert', async () => {
    const b2 = await launch();
    try {
      const { page: p2 } = await phonePage(b2);
      await staffSignIn(p2, srv.url, setup.official.username);
      await p2.getByTestId('nav-quarantine').click();
      await p2.getByTestId('quarantine-view').waitFor();
      const row = p2.getByTestId(`compliance-${UNITS.phucXa}`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-open-alerts'), '1');
      assert.equal(await row.getAttribute('data-active'), '1');
      await p2.getByTestId('alerts-list').waitFor();
      const alert = p2.locator(`[data-testid="alerts-list"] [data-order="${orderId}"]`);
      assert.equal(await alert.getAttribute('data-kind'), 'outside');
      assert.match(await alert.textContent(), /Đỗ Thị Cách Ly/);
      await assertNoHorizontalOverflow(p2, 'compliance page');
      await shot(p2, 'quarantine-05-compliance');
      assert.deepEqual(p2.errors, []);
    } finally {
      await b2.close();
    }
  });

  test('an order whose place is not yet confirmed: the page says so, never "0 m"', async () => {
    const o = await srv.api('POST', '/api/v1/quarantine/orders', { token: setup.tracer.token, body: {
      client_id: `browser-unplaced-${orderId}`, person_id: setup.citizen.person.id, kind: 'home', days: 14,
      checkins_per_day: 3, radius_m: 100, grace_minutes: 30 } });
    assert.equal(o.status, 201, o.text);
    const id = o.json.id;
    await page.reload();
    await tid(`order-place-unconfirmed-${id}`).waitFor();
    await tid(`checkin-start-${id}`).click();
    await page.waitForFunction((x) => document.querySelector(`[data-testid="camera-${x}"]`).dataset.state === 'on', id);
    await tid(`checkin-capture-${id}`).click();
    const answer = tid(`checkin-answer-${id}`);
    await answer.waitFor();
    assert.equal(await answer.getAttribute('data-place-confirmed'), 'false');
    assert.equal(await answer.getAttribute('data-distance'), '');
    assert.equal(await answer.getAttribute('data-alert'), 'false');
    const text = await answer.textContent();
    assert.match(text, /chưa xác nhận nơi cách ly/);
    assert.doesNotMatch(text, /\d m\b/, 'no distance without a place');
    await tid(`checkin-place-unconfirmed-${id}`).waitFor();
    await assertNoHorizontalOverflow(page, 'place not yet confirmed');
    await shot(page, 'quarantine-06-place-unconfirmed');
    assert.deepEqual(page.errors, []);
  });
});
