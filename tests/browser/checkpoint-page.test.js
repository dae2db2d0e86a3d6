'use strict';
// The checkpoint officer's page in a real Chromium on a phone-sized page:
//  1. the fake camera shows a traveller's personal QR card: the officer picks the vehicle,
//     scans the card, types a second person's CCCD and records the passage; each person's
//     answer appears in words (no rule codes), and the server holds one passage of two;
//  2. offline: a vehicle of four is recorded with no network (queued on the phone, nothing on
//     the server), the network returns, the first answer is lost on the way back, and the
//     server holds the vehicle exactly once with four answers;
//  3. the official's day list counts them, offers the exports, and the plate search finds the car.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, qrPngToY4m, download } = require('../lib/browser');
const { UNITS, PASSWORD, createAccount } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { vnToday } = require('../lib/vn-time');
const { uniqueCccd } = require('../lib/people');

let srv;
let dir;
const tok = {};
let cp;
const people = [];

const tid = (page, id) => page.getByTestId(id);
const attr = (page, id, name) => page.evaluate(([i, n]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n), [id, name]);
const waitAttr = (page, id, name, value, timeout = 15000) => page.waitForFunction(
  ([i, n, v]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n) === v, [id, name, String(value)], { timeout });

async function signIn(page, username) {
  await page.goto(`${srv.url}/#/login`);
  await tid(page, 'login-username').fill(username);
  await tid(page, 'login-password').fill(PASSWORD);
  await tid(page, 'login-submit').click();
}

/** The passages the server holds for the checkpoint today. */
async function held() {
  const r = await srv.api('GET', `/api/v1/checkpoints/${cp.id}/passages?date=${vnToday()}`, { token: tok.official });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-checkpoint-'));
  srv = await startServer();
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const official = await createAccount(srv, tok.admin, { username: 'chot.tram', role: 'commune_admin', unit_code: UNITS.phucXa });
  const officer = await createAccount(srv, tok.admin, { username: 'chot.can.bo', role: 'checkpoint_officer', unit_code: UNITS.phucXa, full_name: 'Đinh Văn Chốt' });
  tok.official = await srv.login(official.username, PASSWORD);
  const r = await srv.api('POST', '/api/v1/checkpoints', {
    token: tok.official, body: { client_id: clientId(), name: 'Chốt cầu Long Biên', road: 'Yên Phụ', commune_code: UNITS.phucXa },
  });
  assert.equal(r.status, 201, r.text);
  cp = r.json;
  const o = await srv.api('POST', `/api/v1/checkpoints/${cp.id}/officers`, { token: tok.official, body: { account_id: officer.id } });
  assert.equal(o.status, 200, o.text);
  for (const name of ['Nguyễn Văn Quét', 'Trần Thị Hai', 'Lê Văn Ba', 'Phạm Thị Tư', 'Vũ Văn Năm']) {
    const p = await srv.api('POST', '/api/v1/people', {
      token: tok.official, body: { full_name: name, date_of_birth: '1980-01-02', commune_code: UNITS.phucXa, cccd: uniqueCccd() },
    });
    assert.equal(p.status, 201, p.text);
    people.push(p.json.person || p.json);
  }
  // The first has declared the trip: no rule but the missing test applies to him.
  const d = await srv.api('POST', '/api/v1/declarations', {
    token: tok.official,
    body: { client_id: clientId(), person_id: people[0].id, kind: 'domestic_travel', origin_commune: UNITS.tanDinh, destination_commune: UNITS.phucXa, vehicle: 'car', travel_date: vnToday() },
  });
  assert.equal(d.status, 201, d.text);
});

after(async () => {
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the camera reads a traveller\'s card', () => {
  let browser;
  let page;

  before(async () => {
    const card = await download(srv, `/api/v1/people/${people[0].id}/card.png`, tok.official, path.join(dir, 'card.png'));
    const text = qrPngToY4m(card, path.join(dir, 'card.y4m'));
    assert.match(text, new RegExp(`^CDN1\\.P\\.${people[0].code}\\.`));
    browser = await launch(path.join(dir, 'card.y4m'));
    ({ page } = await phonePage(browser, { camera: true }));
  });
  after(async () => { if (browser) await browser.close(); });

  test('the officer lands on their checkpoint and records a car of two', async () => {
    await signIn(page, 'chot.can.bo');
    await tid(page, 'checkpoints-view').waitFor();
    await tid(page, `checkpoint-row-${cp.id}`).waitFor();
    await assertNoHorizontalOverflow(page, 'checkpoints');
    await tid(page, `checkpoint-open-${cp.id}`).click();
    await page.locator('[data-testid="checkpoint-view"][data-ready="true"]').waitFor();
    await tid(page, 'direction-in').click();
    await tid(page, 'vehicle-type').selectOption('car');
    await tid(page, 'vehicle-plate').fill('47a 12345');
    await tid(page, 'checkpoint-scan-start').click();
    await waitAttr(page, 'rider-count', 'data-count', '1', 20000);
    // the video loops: the same card again is the same person, not a second one
    await page.waitForTimeout(1500);
    assert.equal(await attr(page, 'rider-count', 'data-count'), '1');
    // a photo of him with the back camera (it takes the camera from the scanner)
    await tid(page, 'rider-photo-0').click();
    await page.locator('[data-testid="checkpoint-camera"][data-state="on"]').waitFor();
    assert.equal(await tid(page, 'checkpoint-scan-start').isVisible(), true);
    await tid(page, 'photo-take').click();
    await waitAttr(page, 'rider-0', 'data-photo', 'true');
    assert.equal(await tid(page, 'photo-box').isVisible(), false);
    await tid(page, 'person-number').fill(people[1].cccd);
    await tid(page, 'person-number').press('Enter');
    await waitAttr(page, 'rider-count', 'data-count', '2');
    await assertNoHorizontalOverflow(page, 'checkpoint page, two people');
    await tid(page, 'passage-submit').click();
    await page.locator('[data-testid="checkpoint-answers"]').waitFor();
    await waitAttr(page, 'queue-count', 'data-count', '0');
    // Each person's answer in words: the declared traveller is sent to testing, the other back.
    const answers = await page.evaluate(() => [...document.querySelectorAll('[data-testid="checkpoint-answers"] > li')]
      .map((li) => ({ verdict: li.getAttribute('data-verdict'), text: li.textContent })));
    assert.deepEqual(answers.map((a) => a.verdict), ['test', 'back']);
    assert.match(answers[0].text, /Nguyễn Văn Quét.*Đưa đi xét nghiệm.*Chưa có kết quả xét nghiệm âm tính gần đây/);
    assert.match(answers[1].text, /Trần Thị Hai.*Cho quay lại.*Chưa khai báo y tế cho chuyến đi này/);
    assert.equal(await attr(page, 'checkpoint-banner', 'data-verdict'), 'back');
    const text = await tid(page, 'checkpoint-view').textContent();
    assert.doesNotMatch(text, /no_declaration|no_negative_test|\bpass\b|\bback\b/);
    await assertNoHorizontalOverflow(page, 'checkpoint page, answered');
    await shot(page, 'checkpoint-01-answered');

    // English, at the switch
    await page.locator('.lang-btn[data-lang="en"]').click();
    await page.waitForFunction(() => /Send back/.test(document.querySelector('[data-testid="checkpoint-answers"]').textContent));
    await page.locator('.lang-btn[data-lang="vi"]').click();

    const h = await held();
    assert.equal(h.passages.length, 1);
    assert.equal(h.passages[0].plate, '47A-123.45');
    assert.deepEqual(h.passages[0].people.map((p) => p.person_id), [people[0].id, people[1].id]);
    assert.deepEqual(h.passages[0].people.map((p) => p.photo), [true, false]);
    assert.deepEqual(page.errors, []);
  });
});

describe('a vehicle of four with no network', () => {
  let browser;
  let context;
  let page;

  before(async () => {
    browser = await launch();
    ({ context, page } = await phonePage(browser));
  });
  after(async () => { if (browser) await browser.close(); });

  test('offline: the passage waits on the phone; back online it is recorded once', async () => {
    await signIn(page, 'chot.can.bo');
    await tid(page, `checkpoint-open-${cp.id}`).click();
    await page.locator('[data-testid="checkpoint-view"][data-ready="true"]').waitFor();
    await context.setOffline(true);
    await waitAttr(page, 'net-status', 'data-online', 'false');
    await tid(page, 'direction-out').click();
    await tid(page, 'vehicle-type').selectOption('bus');
    // a plate the phone refuses before queueing
    await tid(page, 'vehicle-plate').fill('47I-123.45');
    for (const p of people.slice(1, 5)) {
      await tid(page, 'person-number').fill(p.cccd);
      await tid(page, 'person-number').press('Enter');
    }
    await waitAttr(page, 'rider-count', 'data-count', '4');
    await tid(page, 'passage-submit').click();
    await tid(page, 'field-error-vehicle.plate').waitFor();
    assert.equal(await attr(page, 'queue-count', 'data-count'), '0');
    await tid(page, 'vehicle-plate').fill('29B-678.90');
    await tid(page, 'passage-submit').click();
    await waitAttr(page, 'queue-count', 'data-count', '1');
    await waitAttr(page, 'checkpoint-banner', 'data-state', 'wait');
    const stored = await page.evaluate(async () => (await import('/js/views/checkpoint.js')).passages.all().then((a) => a.length));
    assert.equal(stored, 1);
    await assertNoHorizontalOverflow(page, 'checkpoint page offline');
    await shot(page, 'checkpoint-02-offline');
    assert.equal((await held()).passages.length, 1, 'nothing reached the server');

    let lost = 0;
    await page.route(`**/api/v1/checkpoints/${cp.id}/passages`, async (route) => {
      if (lost === 0) {
        lost += 1;
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await context.setOffline(false);
    await waitAttr(page, 'queue-count', 'data-count', '0', 30000);
    assert.equal(lost, 1);
    await page.unroute(`**/api/v1/checkpoints/${cp.id}/passages`);
    const rec = page.locator('[data-testid="checkpoint-records"] > li[data-state="sent"]');
    await rec.first().waitFor();
    assert.equal(await page.locator('[data-testid="checkpoint-records"] > li[data-state="sent"] .cp-answer').count(), 4);
    const h = await held();
    assert.equal(h.passages.length, 2);
    const bus = h.passages.find((p) => p.plate === '29B-678.90');
    assert.equal(bus.direction, 'out');
    assert.deepEqual(bus.people.map((p) => p.person_id), people.slice(1, 5).map((p) => p.id));
    assert.equal(h.totals.people, 6);
    assert.deepEqual(page.errors, []);
  });
});

describe('the official\'s day', () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    ({ page } = await phonePage(browser));
  });
  after(async () => { if (browser) await browser.close(); });

  test('totals, exports and the plate search', async () => {
    await signIn(page, 'chot.tram');
    await tid(page, 'nav-checkpoints').click();
    await tid(page, `checkpoint-day-${cp.id}`).click();
    await tid(page, 'day-totals').waitFor();
    assert.equal(await attr(page, 'total-people', 'data-count'), '6');
    assert.equal(await attr(page, 'total-vehicles', 'data-count'), '2');
    assert.equal(await page.locator('[data-testid="day-list"] > li').count(), 2);
    // the photo the officer took, shown to the official
    const photo = page.locator('img.cp-photo').first();
    await photo.waitFor();
    await page.waitForFunction(() => { const i = document.querySelector('img.cp-photo'); return i && i.complete && i.naturalWidth > 0; });
    const csv = await tid(page, 'export-csv').getAttribute('href');
    const got = await page.evaluate(async (u) => { const r = await fetch(u); return { ct: r.headers.get('content-type'), text: await r.text() }; }, csv);
    assert.match(got.ct, /text\/csv/);
    assert.equal(got.text.replace(/^\uFEFF/, '').trim().split('\r\n').length, 7);
    await assertNoHorizontalOverflow(page, 'day list');
    await shot(page, 'checkpoint-03-day');

    await tid(page, 'nav-checkpoints').click();
    await tid(page, 'search-plate').fill('47A12345');
    await tid(page, 'search-submit').click();
    await tid(page, 'search-list').waitFor();
    assert.equal(await page.locator('[data-testid="search-list"] > li').count(), 1);
    assert.match(await tid(page, 'search-list').textContent(), /47A-123\.45/);
    await assertNoHorizontalOverflow(page, 'plate search');
    assert.deepEqual(page.errors, []);
  });
});
