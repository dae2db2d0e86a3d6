'use strict';
// The commune health station runs a quarantine order from a phone: the order was made without
// a place, so the first check-in is not measured ("not confirmed", never "0 m"); the official
// opens the order, sees the check-in's photo and its point on the map (drawn over the shipped
// province outlines: no tile server is set), confirms that check-in's location as home, then
// sees a check-in 1.2 km away measured and its alert, acknowledges and resolves it with a
// note, and ends the order early with a reason, after which its photos are gone.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn, north, HOME, clientId } = require('../lib/tracing-setup');
const { uniquePhone, citizenWithProfile } = require('../lib/people');
const { createAccount, PASSWORD } = require('../lib/fixtures');

// A 1x1 PNG: the photo of a check-in made through the API.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a3a0d90000000049454e44ae426082', 'hex');

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

/** The order map's state once drawn (or failed): {ready, error, background, points, place, paths}. */
async function mapState(page) {
  const handle = await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="order-map"]');
    if (!el || (el.dataset.ready !== '1' && el.dataset.ready !== 'error')) return false;
    return {
      ready: el.dataset.ready, error: el.dataset.error || '', background: el.dataset.background,
      points: el.dataset.points, place: el.dataset.place, paths: el.querySelectorAll('svg path').length,
    };
  }, null, { timeout: 30000 });
  return handle.jsonValue();
}

async function ok(r, status, what) {
  assert.ok([].concat(status).includes(r.status), `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

describe('the health station confirms the place, handles the alert and ends the order', () => {
  let admin;
  let official;
  let citizen;
  let order;
  let first;
  let browser;
  let page;
  const tid = (id) => page.getByTestId(id);

  const checkin = async (point) => ok(await srv.api('POST', `/api/v1/me/quarantine/${order.id}/checkins`, {
    token: citizen.token,
    body: { client_id: clientId(), photo: `data:image/png;base64,${PNG.toString('base64')}`, lat: point.latitude, lon: point.longitude, accuracy_m: 10 },
  }), [200, 201], 'check-in');

  before(async () => {
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, admin, { username: 'qo.tram.yte', role: 'commune_admin', unit_code: UNITS.phucXa, full_name: 'Trạm Y Tế Phúc Xá' });
    official = { token: await srv.login('qo.tram.yte', PASSWORD), username: 'qo.tram.yte' };
    citizen = await citizenWithProfile(srv, admin, uniquePhone('96'), { full_name: 'Vũ Thị Chưa Rõ', commune_code: UNITS.phucXa, street: '3 Phúc Xá' });
    order = await ok(await srv.api('POST', '/api/v1/quarantine/orders', {
      token: official.token,
      body: { client_id: clientId(), person_id: citizen.person.id, kind: 'home', address: '3 Phúc Xá', days: 14, checkins_per_day: 2, radius_m: 100 },
    }), 201, 'order without a place');
    assert.equal(order.lat, null);
    first = await checkin(north(HOME, 10));
    assert.equal(first.distance_m, null, 'no place: the check-in is not measured');
    browser = await launch();
    ({ page } = await phonePage(browser));
    await staffSignIn(page, srv.url, official.username);
    await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  });
  after(async () => { if (browser) await browser.close(); });

  test('the list shows the order with its place not confirmed, the commune by name', async () => {
    await page.goto(`${srv.url}/#/quarantine`);
    await tid('to-orders').click();
    await tid('orders-view').waitFor();
    const card = tid(`order-card-${order.id}`);
    await card.waitFor();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="order-card-${id}"] .unit-name`)?.textContent.includes('Phúc Xá'), order.id);
    const text = await card.textContent();
    assert.match(text, /Chưa xác nhận nơi cách ly/);
    assert.doesNotMatch(text, new RegExp(`\\b${UNITS.phucXa}\\b`), 'no raw unit code');
    assert.match(text, /\d{2}\/\d{2}\/\d{4} → \d{2}\/\d{2}\/\d{4}/, 'dates as dd/mm/yyyy');
    await assertNoHorizontalOverflow(page, 'orders list');
    await shot(page, 'orders-01-list');
  });

  test('the order page maps the check-in over the province outlines and shows its photo', async () => {
    await tid(`order-open-${order.id}`).click();
    await tid('order-view').waitFor();
    // One look at the map once it is drawn (the page may be drawn again when the session refreshes).
    const map = await mapState(page);
    assert.equal(map.ready, '1', map.error);
    assert.equal(map.background, 'outlines');
    assert.equal(map.points, '1');
    assert.ok(map.paths >= 64, `province outlines and the point drawn (${map.paths} paths)`);
    assert.equal(await tid('place-state').getAttribute('data-known'), 'false');
    const row = tid(`order-checkin-${first.id}`);
    assert.match(await row.textContent(), /Chưa xác nhận nơi cách ly/);
    assert.doesNotMatch(await row.textContent(), /\b0 m\b/);
    await page.waitForFunction((id) => {
      const img = document.querySelector(`[data-testid="checkin-photo-${id}"]`);
      return img && img.complete && img.naturalWidth > 0;
    }, first.id);
    await assertNoHorizontalOverflow(page, 'order page');
    await shot(page, 'orders-02-unconfirmed');
  });

  test('the official confirms the check-in\'s location as home', async () => {
    await tid(`place-from-${first.id}`).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="place-state"]')?.dataset.known === 'true');
    const o = await ok(await srv.api('GET', `/api/v1/quarantine/orders/${order.id}`, { token: official.token }), 200, 'order');
    assert.ok(Math.abs(o.lat - north(HOME, 10).latitude) < 1e-5 && Math.abs(o.lon - HOME.longitude) < 1e-5, `${o.lat},${o.lon}`);
    const map = await mapState(page);
    assert.equal(map.place, `${o.lat.toFixed(6)},${o.lon.toFixed(6)}`);
    await tid(`checkin-is-place-${first.id}`).waitFor();
    assert.equal(await tid(`place-from-${first.id}`).count(), 0, 'the check-in that is the place is not offered again');
  });

  test('a check-in 1.2 km away is measured; its alert is acknowledged, then resolved with a note', async () => {
    const far = await checkin(north(HOME, 1210));
    assert.equal(far.inside, false);
    assert.ok(far.distance_m > 1150 && far.distance_m < 1250, `distance ${far.distance_m}`);
    await page.reload();
    await tid('order-view').waitFor();
    const row = tid(`order-checkin-${far.id}`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-inside'), 'false');
    assert.match(await row.textContent(), /1[.,]2\d\d m/);
    const alert = page.locator('[data-testid="order-alerts"] [data-kind="outside"]');
    await alert.waitFor();
    const alertId = (await alert.getAttribute('data-testid')).replace('qalert-', '');
    assert.equal(await alert.getAttribute('data-state'), 'open');
    await tid(`qalert-ack-${alertId}`).click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="qalert-${id}"]`)?.dataset.state === 'acknowledged', alertId);
    // Resolving needs a note: the server names the field and the page shows it there.
    await tid(`qalert-resolve-${alertId}`).click();
    await tid('field-error-note').waitFor();
    await tid(`qalert-note-input-${alertId}`).fill('Đã gọi điện: đi khám bệnh, có giấy hẹn.');
    await tid(`qalert-resolve-${alertId}`).click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="qalert-${id}"]`)?.dataset.state === 'resolved', alertId);
    const alerts = await ok(await srv.api('GET', `/api/v1/quarantine/alerts?unit=${UNITS.phucXa}&state=resolved`, { token: official.token }), 200, 'alerts');
    const stored = alerts.alerts.find((a) => String(a.id) === alertId);
    assert.ok(stored && stored.resolved_at, 'resolved on the server');
    assert.equal(stored.resolution_note, 'Đã gọi điện: đi khám bệnh, có giấy hẹn.');
    await shot(page, 'orders-03-alert-resolved');
  });

  test('ending early needs a reason; the ended order keeps no photos', async () => {
    await page.selectOption('[data-testid="end-outcome"]', 'released');
    await tid('end-order').click();
    await tid('field-error-reason').waitFor();
    await tid('end-reason').fill('Xét nghiệm âm tính hai lần');
    await tid('end-order').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="order-status"]')?.dataset.status === 'ended');
    assert.equal(await tid('end-form').count(), 0, 'an ended order cannot be ended again');
    const photo = await fetch(`${srv.url}/api/v1/quarantine/checkins/${first.id}/photo`, { headers: { authorization: `Bearer ${official.token}` } });
    assert.equal(photo.status, 404, 'photos are deleted when the order ends');
    assert.equal(await tid(`checkin-photo-${first.id}`).count(), 0);
    await assertNoHorizontalOverflow(page, 'ended order');
    await shot(page, 'orders-04-ended');
    assert.deepEqual(page.errors, []);
  });
});

describe('a place picked on the map', () => {
  test('a tracer taps the map and saves the point as the place', async () => {
    const admin = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, admin, { username: 'qo.truy.vet', role: 'tracer', unit_code: UNITS.phucXa, full_name: 'Truy Vết' });
    const tracer = await srv.login('qo.truy.vet', PASSWORD);
    const cit = await citizenWithProfile(srv, admin, uniquePhone('95'), { full_name: 'Hà Văn Bản Đồ', commune_code: UNITS.phucXa, street: '9 Phúc Xá' });
    const o = await ok(await srv.api('POST', '/api/v1/quarantine/orders', {
      token: tracer, body: { client_id: clientId(), person_id: cit.person.id, kind: 'home', days: 7 },
    }), 201, 'order');
    const browser = await launch();
    try {
      const { page } = await phonePage(browser);
      await staffSignIn(page, srv.url, 'qo.truy.vet');
      await page.waitForFunction(() => !location.hash.startsWith('#/login'));
      await page.goto(`${srv.url}/#/quarantine/orders/${o.id}`);
      assert.equal((await mapState(page)).ready, '1');
      const box = await page.getByTestId('order-map').boundingBox();
      await page.getByTestId('order-map').click({ position: { x: box.width / 2, y: box.height / 2 } });
      await page.getByTestId('place-save-picked').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="place-state"]')?.dataset.known === 'true');
      const r = await ok(await srv.api('GET', `/api/v1/quarantine/orders/${o.id}`, { token: tracer }), 200, 'order');
      // With no check-in the map shows all of Việt Nam: the picked point is inside it.
      assert.ok(r.lat > 8 && r.lat < 24 && r.lon > 102 && r.lon < 115, `${r.lat},${r.lon}`);
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });
});

describe('a tracer orders a contact into quarantine from the work list', () => {
  test('the new-order form comes filled with the contact and the case, and opens the order', async () => {
    const { tracedCase } = require('../lib/tracing-setup');
    const setup = await tracedCase(srv, { suffix: '-qo' });
    const browser = await launch();
    try {
      const { page } = await phonePage(browser);
      await staffSignIn(page, srv.url, setup.tracer.username);
      await page.waitForFunction(() => !location.hash.startsWith('#/login'));
      await page.goto(`${srv.url}/#/tracing?degree=2&case_id=${setup.caseId}`);
      const card = page.locator(`[data-testid="contacts-list"] [data-person="${setup.people.b.id}"]`);
      await card.waitFor();
      const contactId = (await card.getAttribute('data-testid')).replace('contact-', '');
      await page.getByTestId(`contact-order-${contactId}`).click();
      await page.getByTestId('new-order-form').waitFor();
      assert.equal(await page.getByTestId('new-order-person').inputValue(), String(setup.people.b.id));
      await page.getByTestId('new-order-days').fill('7');
      await page.getByTestId('new-order-save').click();
      await page.getByTestId('order-view').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid="order-status"]')?.dataset.status === 'active');
      const id = Number(page.url().split('/').pop());
      const o = await ok(await srv.api('GET', `/api/v1/quarantine/orders/${id}`, { token: setup.tracer.token }), 200, 'order');
      assert.equal(o.person_id, setup.people.b.id);
      assert.equal(o.case_id, setup.caseId);
      assert.match(await page.getByTestId('order-person').textContent(), /Lê Văn Hai/);
      await assertNoHorizontalOverflow(page, 'new order');
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });
});
